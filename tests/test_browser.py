"""The dashboard as a person uses it: headless Chromium (Debian's) driven by Playwright, against the real
app served on a loopback port with the seed loaded. Screenshots go to tests/screenshots/."""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
SHOTS = Path(__file__).parent / "screenshots"
MODEL = Path(os.environ.get("STANCE_TEST_MODEL", REPO / "models" / "stance-relations.joblib"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTICLE = (
    "Ferry operators and the ministry clash over safety checks\n\n"
    "All ferries passed their safety inspections this spring, the ministry of transport said on Tuesday.\n\n"
    "\u201cOnly a few of the ships were ever inspected,\u201d said Maria Ortiz, who leads the ferry crews' union. "
    "<script>window.__pwned = true</script>"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The real app with the seed loaded, served by werkzeug on 127.0.0.1 in a thread."""
    if not MODEL.exists():
        pytest.skip(f"the relations model {MODEL} is not trained yet (stance train)")
    from werkzeug.serving import make_server

    from stance.app import create_app

    db = tmp_path_factory.mktemp("live") / "stance.db"
    settings = {
        "DATABASE": str(db),
        "MODEL_PATH": str(MODEL),
        "LOAD_SEED": True,
        "API_KEY": None,
        "READ_KEY": None,
    }
    app = create_app(settings)  # explicit settings: STANCE_* variables leaked by other tests do not apply
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "db": db}
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors


def shot(tab, name, full_page=True):
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)
    return path


def test_home_shows_both_sides_of_the_sanctions_conflict(live, page):
    page.goto(live["url"] + "/")
    assert page.locator("h1").inner_text() == "Where the parties disagree"
    us_side = re.compile(r"all (the )?sanctions", re.IGNORECASE)
    card = page.locator("article.comparison").filter(has_text="some of the measures").filter(has_text=us_side)
    assert card.count() >= 1, "no comparison card shows the sanctions claims of both sides"
    first = card.first
    first.scroll_into_view_if_needed()
    sides = first.locator(".side")
    assert sides.count() == 2
    texts = [sides.nth(0).inner_text(), sides.nth(1).inner_text()]
    assert any("some of the measures" in t and "North Korea" in t for t in texts), texts
    assert any(us_side.search(t) and "United States" in t for t in texts), texts
    SHOTS.mkdir(exist_ok=True)
    first.screenshot(path=str(SHOTS / "sanctions-card.png"))
    shot(page, "home")
    page.evaluate("window.scrollTo(0, 0)")
    readme = shot(page, "home-top", full_page=False)
    if os.environ.get("STANCE_SCREENSHOTS_TO_DOCS"):  # refresh the README's picture on demand only
        docs = REPO / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copy(readme, docs / "home.png")
    assert "comparison-conflict" in (first.get_attribute("class") or ""), (
        "the sanctions pair is not a conflict"
    )


def test_submit_an_article_through_the_form(live, page):
    page.goto(live["url"] + "/")
    page.get_by_role("link", name="Analyse an article").first.click()
    page.get_by_label("Article text").fill(ARTICLE)
    page.get_by_label("Title").fill("Ferry safety row")
    page.get_by_label("Source").fill("Harbour Times")
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_url(re.compile(r"/articles/\w+$"))
    assert page.locator("h1").inner_text() == "Ferry safety row"
    assert page.locator(".flash").first.inner_text().startswith("Analysed:")
    text = page.locator(".article-text")
    assert "<script>window.__pwned = true</script>" in text.inner_text()  # shown as text...
    assert page.evaluate("window.__pwned === undefined")  # ...never run
    highlights = text.locator("mark.claim-hl")
    assert highlights.count() >= 1
    assert any("Only a few of the ships" in highlights.nth(i).inner_text() for i in range(highlights.count()))
    assert "Maria Ortiz" in text.inner_text()
    shot(page, "article")


def test_give_feedback_on_a_comparison_and_correct_a_party(live, page):
    from stance.store import Store

    page.goto(live["url"] + "/")
    card = page.locator("article.comparison").first
    comparison_id = card.get_attribute("id").removeprefix("comparison-")
    card.get_by_role("button", name="Wrong").click()
    page.wait_for_load_state()
    assert "Thank you: comparison marked wrong." in page.locator(".flash").inner_text()
    assert page.url.endswith(f"#comparison-{comparison_id}")
    chosen = page.locator(f"#comparison-{comparison_id}").get_by_role("button", name="Wrong")
    assert chosen.get_attribute("aria-pressed") == "true"
    shot(page, "feedback", full_page=False)

    page.get_by_role("link", name="Articles").first.click()
    page.locator("table tbody th a").last.click()  # the seed: the oldest article
    row = page.locator("table.claims-table tbody tr").first
    claim_id = row.get_attribute("id").removeprefix("row-")
    row.get_by_label(f"Party of claim {claim_id}").select_option("rok")
    row.get_by_role("button", name="Correct").click()
    page.wait_for_load_state()
    assert "now tagged South Korea" in page.locator(".flash").inner_text()
    assert page.locator(f"#row-{claim_id} select").input_value() == "rok"

    store = Store.open(live["db"])
    feedback = store.list_feedback()
    store.close()
    assert {"target": "comparison", "comparison_id": comparison_id, "verdict": "wrong"}.items() <= feedback[
        0
    ].items()
    assert (feedback[-1]["target"], feedback[-1]["claim_id"], feedback[-1]["party"]) == (
        "claim",
        claim_id,
        "rok",
    )


def test_keyboard_reaches_the_skip_link_and_focus_is_visible(live, page):
    page.goto(live["url"] + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " const r = e.getBoundingClientRect();"
        " return {text: e.textContent, outline: s.outlineStyle, width: s.outlineWidth, top: r.top}; })()"
    )
    assert focused["text"] == "Skip to content" and focused["top"] >= 0
    assert focused["outline"] != "none" and focused["width"] != "0px"
    page.keyboard.press("Enter")
    # following the link is asynchronous: wait for it (fails after 5 s if it never happens)
    page.wait_for_function("location.hash === '#main'", timeout=5000)
    assert page.url.endswith("#main")


# Every element's own text against the first opaque background behind it, WCAG 2 formula.
CONTRAST_SCRIPT = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('.visually-hidden, .skip-link')) continue;
    const a = lum(rgb(style.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) failures.push([el.tagName, el.className, el.textContent.trim().slice(0, 40), ratio.toFixed(2)]);
  }
  return failures;
}
"""


@pytest.mark.parametrize("path", ["/", "/comparisons", "/claims", "/articles", "/parties", "/analyse"])
def test_text_contrast_is_at_least_4_5_to_1(live, page, path):
    page.goto(live["url"] + path)
    assert page.evaluate(CONTRAST_SCRIPT) == []


def test_every_form_control_has_a_label(live, page):
    for path in ("/", "/claims", "/analyse", "/parties"):
        page.goto(live["url"] + path)
        unlabelled = page.evaluate(
            "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
            ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)"
        )
        assert unlabelled == [], (path, unlabelled)


@pytest.mark.parametrize(
    "path",
    ["/", "/issues", "/comparisons", "/claims", "/articles", "/parties", "/analyse", "article", "issue"],
)
def test_axe_finds_no_accessibility_violations(live, page, path):
    """axe-core (the engine behind Lighthouse's accessibility audit), run offline from its Python wheel."""
    axe = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python"
    )
    if path in ("article", "issue"):
        page.goto(live["url"] + ("/articles" if path == "article" else "/issues"))
        page.locator("table tbody th a").first.click()
        page.wait_for_load_state()
    else:
        page.goto(live["url"] + path)
    results = axe.Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
