"""The dashboard through Flask's test client: pages, filters, exports, forms, escaping, CSRF, keys."""

import csv
import io
import json
import os
import re
from html import unescape
from pathlib import Path

import pytest

from stance.app import create_app
from stance.web import marked, percent, segments

REPO = Path(__file__).resolve().parent.parent
MODEL = Path(os.environ.get("STANCE_TEST_MODEL", REPO / "models" / "stance-relations.joblib"))
STRIKE = (
    "Dock strike enters second week\n\n"
    "The strike will go on until wages rise, union leader Ana Lima said on Monday.\n"
    "The port authority said the strike had already ended at two of the five terminals."
)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client, path="/analyse"):
    page = client.get(path)
    assert page.status_code == 200
    return TOKEN.search(page.get_data(as_text=True)).group(1)


def html(response):
    assert response.mimetype == "text/html", response.mimetype
    return response.get_data(as_text=True)


def text_of(markup):
    """The visible text of some HTML, white space folded, to compare with claim texts."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", markup)).split())


def folded(text):
    return " ".join(text.split())


PARTIES = {
    "union": {"name": "Dock workers' union", "aliases": ["union", "union leader"]},
    "port": {"name": "Port authority", "aliases": ["port authority"]},
    "city": {"name": "City hall", "aliases": ["mayor"]},
}
CLOSURES = (
    "Dock strike shuts the port\n\n"
    "All the terminals were closed on Monday, union leader Ana Lima said. "
    "The port authority said only some of the terminals were closed."
)
TALKS = (
    "Port counts the cost\n\n"
    "\u201cThe strike has cost us millions,\u201d a port authority spokesman said. "
    "He said talks would resume on Friday. The union said talks would resume on Friday as planned."
)


@pytest.fixture(autouse=True)
def no_stance_environment(monkeypatch):
    """The app reads STANCE_* variables; a test elsewhere that leaks one must not change these."""
    for name in [n for n in os.environ if n.startswith("STANCE_") and n != "STANCE_TEST_MODEL"]:
        monkeypatch.delenv(name)


def make_claim(text, cid, words, speaker, party, kind="indirect", after=0):
    from stance.document import Claim

    start = text.index(words, after)
    at = text.find(speaker)
    return Claim(
        id=cid, text=words, start=start, end=start + len(words), speaker=speaker,
        speaker_span=[at, at + len(speaker)] if at >= 0 else None, kind=kind, party=party, confidence=0.9,
    )  # fmt: skip


def store_dispute(path):
    """Two articles, a conflict and an agreement across them, written through the store (no model needed)."""
    from stance.document import Analysis, Article
    from stance.store import Store

    store = Store.open(path)
    store.put_setting("parties", json.dumps(PARTIES))
    closures = [
        make_claim(
            CLOSURES, "c1", "All the terminals were closed on Monday", "union leader Ana Lima", "union"
        ),
        make_claim(CLOSURES, "c2", "only some of the terminals were closed", "The port authority", "port"),
    ]
    first, _ = store.add_article(
        Analysis(Article(text=CLOSURES, title="Dock strike shuts the port", source="Wire", published="2024-05-01"),
                 closures)
    )  # fmt: skip
    resume = TALKS.index("He said")
    talks = [
        make_claim(
            TALKS, "c1", "The strike has cost us millions", "a port authority spokesman", "port", "direct"
        ),
        make_claim(
            TALKS, "c2", "talks would resume on Friday", "a port authority spokesman", "port", after=resume
        ),
        make_claim(TALKS, "c3", "talks would resume on Friday as planned", "The union", "union"),
    ]
    second, _ = store.add_article(
        Analysis(Article(text=TALKS, title="Port counts the cost", published="2024-05-02"), talks)
    )
    closed = store.new_issue("terminals closed")
    resumed = store.new_issue("talks resume")
    store.set_claim_issues(first, {"c1": closed, "c2": closed})
    store.set_claim_issues(second, {"c2": resumed, "c3": resumed})
    store.replace_comparisons(
        closed,
        [{"relation": "conflict", "score": 0.91,
          "a": {"party": "union", "claims": [{"article": first, "id": "c1"}]},
          "b": {"party": "port", "claims": [{"article": first, "id": "c2"}]},
          "contrast": [["All the terminals", "some of the terminals"]]}],
    )  # fmt: skip
    store.replace_comparisons(
        resumed,
        [{"relation": "agree", "score": 0.8,
          "a": {"party": "port", "claims": [{"article": second, "id": "c2"}]},
          "b": {"party": "union", "claims": [{"article": second, "id": "c3"}]},
          "contrast": []}],
    )  # fmt: skip
    store.close()
    return first, second


@pytest.fixture
def dispute_app(tmp_path):
    path = tmp_path / "dispute.db"
    app = create_app({"TESTING": True, "DATABASE": str(path), "MODEL_PATH": None})
    app.config["ARTICLES"] = store_dispute(path)
    return app


@pytest.fixture
def dispute(dispute_app):
    return dispute_app.test_client()


@pytest.fixture(scope="session")
def relations_model():
    if not MODEL.exists():
        pytest.skip(f"the relations model {MODEL} is not trained yet (stance train)")
    from stance.modelfile import load_model

    return load_model(MODEL)[0]


def analyse(client, text=STRIKE, **fields):
    data = {"text": text, "csrf_token": token(client), **fields}
    return client.post("/analyse", data=data)


def card_of(page, comparison_id):
    at = page.index(f'id="comparison-{comparison_id}"')
    return page[at : page.index("</article>", at)]


# -- pages ---------------------------------------------------------------------


def test_every_page_renders(dispute):
    first, second = dispute.application.config["ARTICLES"]
    for path in (
        "/",
        "/issues",
        "/issues/i1",
        "/articles",
        f"/articles/{first}",
        f"/articles/{second}",
        "/comparisons",
        "/claims",
        "/analyse",
        "/parties",
    ):
        response = dispute.get(path)
        assert response.status_code == 200, path
        page = html(response)
        assert '<a class="skip-link" href="#main">' in page and '<main id="main"' in page
        assert page.count("<h1") == 1, path
        assert 'rel="stylesheet" href="/static/stance.css"' in page and "//cdn" not in page
        assert "script-src 'none'" in response.headers["Content-Security-Policy"], path
    with dispute.get("/static/stance.css") as css:
        assert css.status_code == 200 and b":focus-visible" in css.data


def test_home_puts_conflicts_first_side_by_side_with_clashes_marked(dispute):
    page = html(dispute.get("/"))
    [conflict] = dispute.get("/comparisons.json?relation=conflict").get_json()["comparisons"]
    [agreement] = dispute.get("/comparisons.json?relation=agree").get_json()["comparisons"]
    assert page.index("terminals closed") < page.index("talks resume")
    assert page.index(f'id="comparison-{conflict["id"]}"') < page.index(f'id="comparison-{agreement["id"]}"')
    card = card_of(page, conflict["id"])
    assert card.count('class="side ') == 2 and "Conflict" in card and "91%" in card
    assert ">Dock workers&#39; union<" in card and ">Port authority<" in card
    assert "<mark>All the terminals</mark> were closed on Monday" in card
    assert "only <mark>some of the terminals</mark> were closed" in card
    assert "union leader Ana Lima" in card and "The port authority" in card
    assert "Dock strike shuts the port" in card and '<time datetime="2024-05-01">' in card
    first = dispute.application.config["ARTICLES"][0]
    assert f"/articles/{first}#claim-c1" in card and f"/articles/{first}#claim-c2" in card
    agreement_card = card_of(page, agreement["id"])
    assert "Agreement" in agreement_card and "talks would resume on Friday as planned" in agreement_card
    assert 'value="right"' in card and 'value="wrong"' in card


def test_home_with_a_real_seed_renders_its_comparisons(relations_model, tmp_path):
    """The pipeline end to end: whatever the model found in the seed is on the home page."""
    app = create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "s.db"), "MODEL": relations_model, "LOAD_SEED": True}
    )
    client = app.test_client()
    page = text_of(html(client.get("/")))
    for comparison in client.get("/comparisons.json").get_json()["comparisons"][:10]:
        for side in "ab":
            for claim in comparison[side]["claims"]:
                assert folded(claim["text"]) in page


def test_issue_page_lists_every_claim_by_party_with_anchored_links(dispute):
    data = dispute.get("/api/issues/i2").get_json()
    page = html(dispute.get("/issues/i2"))
    assert set(data["parties"]) == {"port", "union"}
    for party, claims in data["parties"].items():
        assert f'id="party-{party}"' in page
        for claim in claims:
            assert f"/articles/{claim['article']}#claim-{claim['id']}" in page
            article = html(dispute.get(f"/articles/{claim['article']}"))
            assert f'id="claim-{claim["id"]}"' in article
    assert "Port counts the cost" in page and "2 claims from 2 sides in 1 article" in text_of(page)


def test_issue_page_embeds_claimreview_jsonld(dispute):
    page = html(dispute.get("/issues/i1"))
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    embedded = json.loads(raw)
    exported = json.loads(dispute.get("/comparisons.jsonld?issue=i1").get_data(as_text=True))
    assert embedded == exported and len(embedded["@graph"]) == 2


def test_article_page_highlights_each_claim_with_party_and_speaker(dispute):
    second = dispute.application.config["ARTICLES"][1]
    page = html(dispute.get(f"/articles/{second}"))
    at = page.index('class="article-text"')
    body = page[at : page.index("</section>", at)]
    assert '<span class="anchor" id="claim-c1"></span>' in body
    assert '<mark class="claim-hl party-1">The strike has cost us millions</mark>' in body
    assert '<span class="who party-1">Port authority · a port authority spokesman</span>' in body
    assert '<span class="who party-0">Dock workers&#39; union · The union</span>' in body
    assert '<span class="speaker-mention">a port authority spokesman</span>' in body
    # the article text survives the markup, in order
    without_labels = re.sub(r'<span class="who[^"]*">.*?</span>', "", body[body.index(">") + 1 :])
    assert unescape(re.sub(r"<[^>]+>", "", without_labels)) == TALKS
    comparisons = page[page.index('id="comparisons"') :]
    assert "talks would resume on Friday as planned" in comparisons and "Agreement" in comparisons
    assert "terminals" not in comparisons  # the other article's conflict is not this one's
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    reviews = json.loads(raw)["@graph"]
    assert {r["claimReviewed"] for r in reviews} == {
        "talks would resume on Friday",
        "talks would resume on Friday as planned",
    }


def test_segments_cover_the_text_exactly_and_nest_overlapping_claims():
    text = "Kim had promised Trump another encounter, the agency said."
    claims = [
        {"id": "c1", "start": 0, "end": 40, "speaker_span": [42, 52]},
        {"id": "c2", "start": 17, "end": 40, "speaker_span": None},
    ]
    parts = segments(text, claims)
    assert "".join(p["text"] for p in parts) == text
    inner = next(p for p in parts if p["text"].startswith("Trump"))
    assert inner["claim"]["id"] == "c2"  # the innermost claim colours the overlap
    assert [p["text"] for p in parts if p["speaker"]] == ["the agency"]
    assert [c["id"] for c in parts[0]["starts"]] == ["c1"]


def test_marked_splits_out_clashing_phrases_case_insensitively():
    pieces = marked("It was All the sanctions, all of them", ["all the sanctions"])
    assert pieces == [("It was ", False), ("All the sanctions", True), (", all of them", False)]
    assert marked("nothing here", ["absent"]) == [("nothing here", False)]


def test_percent_never_overstates_certainty():
    assert [percent(x) for x in (0.91, 0.9996, 1.0, 0.001, 0.0, None)] == [
        "91%",
        ">99%",
        "100%",
        "<1%",
        "0%",
        "0%",
    ]


# -- filters -------------------------------------------------------------------


def ids(client, path, key="comparisons"):
    return [row["id"] for row in client.get(path).get_json()[key]]


def test_comparison_filters_narrow_and_stay_in_the_url(dispute):
    first, second = dispute.application.config["ARTICLES"]
    conflict, agreement = ids(dispute, "/comparisons.json")
    assert ids(dispute, "/comparisons.json?relation=conflict") == [conflict]
    assert ids(dispute, "/comparisons.json?relation=agree") == [agreement]
    assert ids(dispute, "/comparisons.json?party=union") == [conflict, agreement]
    assert ids(dispute, "/comparisons.json?party=city") == []
    assert ids(dispute, f"/comparisons.json?article={first}") == [conflict]
    assert ids(dispute, f"/comparisons.json?article={second}") == [agreement]
    assert ids(dispute, "/comparisons.json?q=FRIDAY") == [agreement]
    assert ids(dispute, "/comparisons.json?q=terminals+Lima") == [conflict]
    assert ids(dispute, "/comparisons.json?q=terminals+Friday") == []
    assert ids(dispute, "/comparisons.json?issue=i2") == [agreement]
    page = html(dispute.get("/?party=union&relation=conflict&q=terminals"))
    assert '<option value="union" selected>' in page and '<option value="conflict" selected>' in page
    assert 'value="terminals"' in page
    assert "/comparisons.csv?party=union&amp;relation=conflict&amp;q=terminals" in page
    assert f'id="comparison-{conflict}"' in page and f'id="comparison-{agreement}"' not in page
    listing = html(dispute.get(f"/comparisons?article={second}"))
    assert f'id="comparison-{agreement}"' in listing and f'id="comparison-{conflict}"' not in listing
    assert dispute.get("/?relation=bogus").status_code == 400


def test_comparison_pages_follow_each_other(dispute):
    conflict, agreement = ids(dispute, "/comparisons.json")
    dispute.application.config["COMPARISONS_PAGE"] = 1
    first = html(dispute.get("/comparisons?party=union"))
    assert f'id="comparison-{conflict}"' in first and f'id="comparison-{agreement}"' not in first
    following = unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
    assert "party=union" in following and "after=" in following
    second = html(dispute.get(following))
    assert f'id="comparison-{agreement}"' in second and f'id="comparison-{conflict}"' not in second
    assert 'rel="next"' not in second
    assert dispute.get("/comparisons?after=bogus").status_code == 400


def test_claim_filters(dispute):
    first, second = dispute.application.config["ARTICLES"]
    port = dispute.get("/claims.json?party=port").get_json()["claims"]
    assert sorted((c["article"], c["id"]) for c in port) == sorted(
        [(first, "c2"), (second, "c1"), (second, "c2")]
    )
    assert [c["id"] for c in dispute.get(f"/claims.json?article={first}").get_json()["claims"]] == [
        "c2",
        "c1",
    ]
    assert {c["text"] for c in dispute.get("/claims.json?q=millions").get_json()["claims"]} == {
        "The strike has cost us millions"
    }
    assert len(dispute.get("/claims.json?speaker=spokesman").get_json()["claims"]) == 2
    assert len(dispute.get("/claims.json?issue=i1").get_json()["claims"]) == 2
    first_page = dispute.get("/claims.json?limit=2").get_json()
    assert len(first_page["claims"]) == 2 and first_page["next"] is not None
    second_page = dispute.get(first_page["next_url"]).get_json()
    assert len(second_page["claims"]) == 2 and second_page["next"] is not None
    seen = {(c["article"], c["id"]) for c in first_page["claims"] + second_page["claims"]}
    assert len(seen) == 4
    page = html(dispute.get("/claims?party=port&q=millions"))
    assert 'value="millions"' in page and '<option value="port" selected>' in page
    assert "The strike has cost us millions" in page and "only some of the terminals" not in page


# -- exports -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "key", "count"),
    [
        ("/issues", "issues", 2),
        ("/issues?q=talks", "issues", 1),
        ("/issues?party=port&relation=conflict", "issues", 1),
        ("/issues?party=city", "issues", 0),
        ("/comparisons", "comparisons", 2),
        ("/comparisons?relation=conflict", "comparisons", 1),
        ("/claims", "claims", 5),
        ("/claims?party=union", "claims", 2),
        ("/articles", "articles", 2),
    ],
)
def test_exports_parse_as_json_and_csv_with_the_same_rows(dispute, path, key, count):
    base, _, query = path.partition("?")
    as_json = dispute.get(f"{base}.json?{query}")
    assert as_json.mimetype == "application/json"
    rows = as_json.get_json()[key]
    assert len(rows) == count
    if "relation=conflict" in query:
        assert all(row.get("conflicts", 1) for row in rows)
    as_csv = dispute.get(f"{base}.csv?{query}")
    assert as_csv.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    assert f'href="{base}.csv' in html(dispute.get(path))


def test_comparison_csv_flattens_both_sides(dispute):
    table = list(csv.DictReader(io.StringIO(dispute.get("/comparisons.csv").get_data(as_text=True))))
    assert table[0]["relation"] == "conflict" and table[0]["party_a"] == "union"
    assert table[0]["claims_a"] == "All the terminals were closed on Monday"
    assert table[0]["contrast"] == "All the terminals <> some of the terminals"


def test_comparisons_as_claimreview_jsonld(dispute):
    response = dispute.get("/comparisons.jsonld?relation=conflict")
    assert response.mimetype == "application/ld+json"
    doc = json.loads(response.get_data(as_text=True))
    assert doc["@context"] == "https://schema.org"
    first = dispute.application.config["ARTICLES"][0]
    union, port = doc["@graph"]
    for review in doc["@graph"]:
        assert review["@type"] == "ClaimReview" and review["itemReviewed"]["@type"] == "Claim"
        assert review["reviewRating"]["ratingValue"] == 0.91
        [where] = review["itemReviewed"]["appearance"]
        assert (
            where["url"].endswith(f"/articles/{first}") and where["headline"] == "Dock strike shuts the port"
        )
        assert where["datePublished"] == "2024-05-01"
    assert union["claimReviewed"] == "All the terminals were closed on Monday"
    assert union["itemReviewed"]["author"]["name"] == "union leader Ana Lima"
    assert union["itemReviewed"]["author"]["affiliation"]["name"] == "Dock workers' union"
    assert union["reviewRating"]["alternateName"] == "Conflicts with Port authority"
    assert "only some of the terminals were closed" in union["reviewRating"]["ratingExplanation"]
    assert port["reviewRating"]["alternateName"] == "Conflicts with Dock workers' union"
    agree = json.loads(dispute.get("/comparisons.jsonld?relation=agree").get_data(as_text=True))
    assert agree["@graph"][0]["reviewRating"]["alternateName"].startswith("Agrees with")


# -- writes ----------------------------------------------------------------------


def test_feedback_on_a_comparison_is_stored_for_training(dispute):
    conflict = dispute.get("/comparisons.json?relation=conflict").get_json()["comparisons"][0]
    csrf = token(dispute, "/")
    for verdict in ("right", "wrong"):
        response = dispute.post(
            "/feedback",
            data={
                "csrf_token": csrf,
                "comparison": conflict["id"],
                "verdict": verdict,
                "next": "/comparisons",
            },
        )
        assert response.status_code == 303 and response.headers["Location"] == "/comparisons"
    from stance.store import Store

    store = Store.open(dispute.application.config["DATABASE"])
    records = store.list_feedback()
    store.close()
    assert [(r["target"], r["verdict"], r["relation"]) for r in records] == [
        ("comparison", "right", "conflict"),
        ("comparison", "wrong", "none"),
    ]
    assert records[0]["text_a"] == "All the terminals were closed on Monday"
    assert records[0]["text_b"] == "only some of the terminals were closed"
    listing = html(dispute.get("/comparisons"))
    assert "Thank you: comparison marked wrong." in listing
    card = card_of(listing, conflict["id"])
    assert f'value="wrong" aria-describedby="fq-{conflict["id"]}" aria-pressed="true"' in card
    assert "You said: wrong" in card
    bad = dispute.post("/feedback", data={"csrf_token": csrf, "comparison": "k999999", "verdict": "right"})
    assert bad.status_code == 404 and "no comparison" in html(bad)
    odd = dispute.post(
        "/feedback", data={"csrf_token": csrf, "comparison": conflict["id"], "verdict": "maybe"}
    )
    assert odd.status_code == 422


def test_party_correction_is_applied_and_recorded(dispute):
    first, _ = dispute.application.config["ARTICLES"]
    response = dispute.post(
        "/feedback",
        data={"csrf_token": token(dispute, "/"), "article": first, "claim": "c2", "party": "city"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/articles/{first}#claim-c2"
    after = {c["id"]: c for c in dispute.get(f"/api/articles/{first}").get_json()["claims"]}
    assert after["c2"]["party"] == "city" and after["c2"]["origin"] == "corrected"
    page = html(dispute.get(f"/articles/{first}"))
    row = page[page.index('id="row-c2"') :]
    row = row[: row.index("</tr>")]
    assert '<option value="city" selected>' in row and "(corrected)" in row
    from stance.store import Store

    store = Store.open(dispute.application.config["DATABASE"])
    [record] = store.list_feedback()
    store.close()
    assert (record["target"], record["article_id"], record["claim_id"], record["party"]) == (
        "claim", first, "c2", "city",
    )  # fmt: skip
    cleared = dispute.post(
        "/feedback",
        data={"csrf_token": token(dispute, "/"), "article": first, "claim": "c2", "party": "none"},
    )
    assert cleared.status_code == 303
    assert dispute.get(f"/api/articles/{first}").get_json()["claims"][1]["party"] is None
    unknown = dispute.post(
        "/feedback",
        data={"csrf_token": token(dispute, "/"), "article": first, "claim": "c2", "party": "nobody"},
    )
    assert unknown.status_code == 422
    missing = dispute.post(
        "/feedback",
        data={"csrf_token": token(dispute, "/"), "article": first, "claim": "c99", "party": "city"},
    )
    assert missing.status_code == 404


def test_next_never_leaves_the_site(dispute):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = dispute.post(
            "/feedback",
            data={"csrf_token": token(dispute, "/"), "comparison": "k1", "verdict": "right", "next": target},
        )
        assert response.status_code == 303 and response.headers["Location"] == "/", target


def test_analyse_by_pasting_then_by_uploading(bare_client):
    response = analyse(bare_client, title="Dock strike", source="Wire")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/articles/\w+", location)
    page = html(bare_client.get(location))
    assert "<h1>Dock strike</h1>" in page and "Analysed:" in page
    assert "wages rise" in text_of(page) and "Ana Lima" in page
    again = analyse(bare_client)
    assert again.headers["Location"] == location
    assert "already analysed" in html(bare_client.get(location))
    upload = {
        "csrf_token": token(bare_client),
        "text": "",
        "file": (
            io.BytesIO(b"<html><body><p>Prices will fall by June, the minister said.</p></body></html>"),
            "a.html",
        ),
    }
    uploaded = bare_client.post("/analyse", data=upload, content_type="multipart/form-data")
    assert uploaded.status_code == 303 and uploaded.headers["Location"] != location
    page = html(bare_client.get(uploaded.headers["Location"]))
    assert "Prices will fall by June" in page and "&lt;p&gt;" not in page


def test_analyse_form_reports_bad_input(bare_client):
    response = analyse(bare_client, text="   ")
    assert response.status_code == 422
    page = html(response)
    assert 'role="alert" id="form-error">Paste the article&#39;s text or choose a file' in page
    assert bare_client.get("/articles.json").get_json()["articles"] == []
    binary = {"csrf_token": token(bare_client), "file": (io.BytesIO(b"\xff\xfe\x00bad"), "a.txt")}
    response = bare_client.post("/analyse", data=binary, content_type="multipart/form-data")
    assert response.status_code == 400 and "not valid UTF-8" in html(response)


def test_posted_script_is_escaped_everywhere(bare_client):
    evil = (
        'Crisis talks <script>alert("x")</script> stall\n\n'
        '"We will never accept <script>alert(1)</script> terms," union leader <b>Ana</b> Lima said on Monday.'
    )
    response = analyse(
        bare_client, text=evil, title="<script>alert('t')</script>", source="<img src=x onerror=alert(2)>"
    )
    location = response.headers["Location"]
    for path in (
        location,
        "/articles",
        "/claims",
        f"/claims?q={'<script>'}",
        "/?q=<script>alert(3)</script>",
    ):
        page = html(bare_client.get(path))
        assert "<script>alert" not in page, path
        assert "<img src=x" not in page and "<b>Ana</b>" not in page, path
    page = html(bare_client.get(location))
    assert "&lt;script&gt;alert(" in page


def test_script_in_compared_claims_is_escaped_in_cards_and_jsonld(dispute):
    """Claims and speakers reach the cards, the CSV and the JSON-LD <script> block: none may break out."""
    from stance.document import Analysis, Article
    from stance.store import Store

    evil = "Port row\n\nThe gates stay shut </script><script>alert(1)</script>, the union <img src=x onerror=alert(2)> said."
    store = Store.open(dispute.application.config["DATABASE"])
    claim = make_claim(
        evil,
        "c1",
        "The gates stay shut </script><script>alert(1)</script>",
        "the union <img src=x onerror=alert(2)>",
        "union",
    )
    article_id, _ = store.add_article(
        Analysis(Article(text=evil, title="<script>alert(3)</script>"), [claim])
    )
    store.set_claim_issues(article_id, {"c1": "i1"})
    store.replace_comparisons(
        "i1",
        [{"relation": "conflict", "score": 0.7,
          "a": {"party": "union", "claims": [{"article": article_id, "id": "c1"}]},
          "b": {"party": "port", "claims": [{"article": dispute.application.config["ARTICLES"][0], "id": "c2"}]},
          "contrast": [["<script>alert(1)</script>", "some"]]}],
    )  # fmt: skip
    store.close()
    for path in ("/", "/comparisons", "/issues/i1", f"/articles/{article_id}", "/claims"):
        page = html(dispute.get(path))
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(1)" in page or "\\u003cscript\\u003ealert(1)" in page, path
    page = html(dispute.get("/issues/i1"))
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(raw)["@graph"][0]["claimReviewed"].endswith("<script>alert(1)</script>")


def test_csrf_token_is_required_on_every_form(bare_client):
    for path, data in (
        ("/analyse", {"text": STRIKE}),
        ("/feedback", {"comparison": "k1", "verdict": "right"}),
        ("/parties", {"new-id": "x", "new-name": "X"}),
        ("/key", {"api_key": "x"}),
    ):
        response = bare_client.post(path, data=data)
        assert response.status_code == 400, path
        assert "CSRF" in html(response)
    assert bare_client.get("/articles.json").get_json()["articles"] == []
    # the JSON API authenticates with keys, not cookies: no token needed there
    api = bare_client.post("/api/articles", data=STRIKE.encode(), content_type="text/plain")
    assert api.status_code == 201


def test_api_key_is_asked_for_stored_in_the_session_and_honoured(tmp_path):
    app = create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "k.db"), "MODEL_PATH": None, "API_KEY": "s3cret"}
    )
    client = app.test_client()
    page = html(client.get("/analyse"))
    assert 'name="api_key"' in page and 'for="api-key"' in page  # the key bar
    assert 'for="form-api-key"' in page  # and the form's own field
    refused = analyse(client)
    assert refused.status_code == 401 and "API key" in html(refused)
    wrong = client.post("/key", data={"csrf_token": token(client), "api_key": "guess"})
    assert wrong.status_code == 401
    accepted = client.post(
        "/key", data={"csrf_token": token(client), "api_key": "s3cret", "next": "/analyse"}
    )
    assert accepted.status_code == 303 and accepted.headers["Location"] == "/analyse"
    page = html(client.get("/analyse"))
    assert "Forget the key" in page and 'for="form-api-key"' not in page
    assert analyse(client).status_code == 303
    client.post("/key", data={"csrf_token": token(client), "forget": "1"})
    assert analyse(client, text=STRIKE + " More.").status_code == 401
    # a form may also carry the key itself
    assert analyse(client, text=STRIKE + " More.", api_key="s3cret").status_code == 303


def test_read_key_can_be_given_in_the_browser(tmp_path):
    app = create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "r.db"), "MODEL_PATH": None, "READ_KEY": "look"}
    )
    client = app.test_client()
    refused = client.get("/")
    assert refused.status_code == 401 and refused.mimetype == "text/html"
    form = html(refused)
    assert 'name="api_key"' in form
    csrf = TOKEN.search(form).group(1)
    assert client.post("/key", data={"csrf_token": csrf, "api_key": "nope"}).status_code == 401
    assert client.post("/key", data={"csrf_token": csrf, "api_key": "look"}).status_code == 303
    assert client.get("/").status_code == 200 and client.get("/claims.csv").status_code == 200


def test_parties_page_edits_aliases_and_retags_claims(bare_client):
    analyse(bare_client)
    before = bare_client.get("/claims.json").get_json()["claims"]
    lima = next(c for c in before if c["speaker"] and "Ana Lima" in c["speaker"])
    assert lima["party"] is None
    registry = bare_client.get("/api/parties").get_json()
    form = {"csrf_token": token(bare_client, "/parties")}
    for pid, party in registry.items():
        form[f"name-{pid}"] = party["name"]
        form[f"aliases-{pid}"] = "\n".join(party["aliases"])
    form["aliases-rok"] += "\nBlue House spokesman"
    form.update({"new-id": "labour", "new-name": "Dock workers", "new-aliases": "union leader\nunion"})
    response = bare_client.post("/parties", data=form)
    assert response.status_code == 303
    after = bare_client.get("/api/parties").get_json()
    assert after["labour"] == {"name": "Dock workers", "aliases": ["union leader", "union"]}
    assert after["rok"]["aliases"][-1] == "Blue House spokesman"
    assert "re-tagged" in html(bare_client.get("/parties"))
    claims = {c["id"]: c for c in bare_client.get("/claims.json").get_json()["claims"]}
    assert claims[lima["id"]]["party"] == "labour"
    form["delete-labour"] = "on"
    form["new-id"] = ""
    assert bare_client.post("/parties", data=form).status_code == 303
    assert "labour" not in bare_client.get("/api/parties").get_json()
    bad = bare_client.post("/parties", data={**form, "new-id": "bad id!"})
    assert bad.status_code == 422 and "party id" in html(bad)


def test_a_failing_page_shows_an_html_error(bare_app, monkeypatch, caplog):
    import stance.web

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(stance.web, "article_options", broken)
    response = bare_app.test_client().get("/comparisons")
    assert response.status_code == 500 and "<h1>Internal server error (500)</h1>" in html(response)
    assert "boom" not in html(response) and "boom" in caplog.text


def test_too_large_upload_gets_an_html_error(tmp_path):
    app = create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "b.db"), "MODEL_PATH": None, "MAX_CONTENT_LENGTH": 2000}
    )
    client = app.test_client()
    csrf = token(client)
    response = client.post(
        "/analyse",
        data={"csrf_token": csrf, "file": (io.BytesIO(b"x" * 5000), "big.txt")},
        content_type="multipart/form-data",
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 413 and "2000 bytes" in html(response)


def test_error_pages_are_html_for_pages_and_json_for_the_api(bare_client):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    missing = bare_client.get("/no/such/page", headers=browser)
    assert missing.status_code == 404 and "<h1>Not found (404)</h1>" in html(missing)
    wrong_method = bare_client.put("/analyse", headers=browser)
    assert wrong_method.status_code == 405 and "<h1>Method not allowed (405)</h1>" in html(wrong_method)
    assert set(wrong_method.headers["Allow"].split(", ")) >= {"GET", "POST"}
    article = bare_client.get("/articles/nosuch")
    assert article.status_code == 404 and "no article" in html(article)
    issue = bare_client.get("/issues/nosuch")
    assert issue.status_code == 404 and issue.mimetype == "text/html"
    api = bare_client.get("/api/articles/nosuch")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    for accept in ({"Accept": "application/json"}, {"Accept": "*/*"}, {}):
        assert bare_client.get("/no/such/page", headers=accept).mimetype == "application/problem+json"
