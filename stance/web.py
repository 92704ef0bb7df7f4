"""The dashboard: server-rendered pages over the same service and store calls as the JSON API.

Every list is also a Datasette-style export (`.json`, `.csv`; comparisons also as
ClaimReview `.jsonld`) honouring the filters in the query string, so a view can be
shared as a URL. Article text is split into segments here, in Python, and every
segment is escaped by Jinja: nothing a user posted is ever marked safe.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from stance.api import next_token, page_token
from stance.app import get_service, get_store, key_matches, registry_from
from stance.document import RELATIONS
from stance.ingest import InputError, clean_text, decode, make_article
from stance.parties import Registry, RegistryError
from stance.problems import TITLES, Problem
from stance.store import NotFound

bp = Blueprint("web", __name__)
log = logging.getLogger(__name__)
csrf = CSRFProtect()

PALETTE_SIZE = 8
RECENT_VERDICTS = 50
EXPORTS = "json|csv"
HTML_FILE_TYPES = ("text/html", "application/xhtml+xml")


def init_app(app: Flask) -> None:
    """Register the dashboard, CSRF protection for its forms, and HTML error pages."""
    from stance import api

    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    csrf.init_app(app)
    csrf.exempt(api.bp)  # the JSON API authenticates with keys, not cookies
    app.register_blueprint(bp)
    app.jinja_env.globals["party_name"] = party_name
    app.jinja_env.globals["party_css"] = party_class
    app.jinja_env.filters["pct"] = percent

    json_handler = app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        """HTML for pages a person opened, problem JSON for the API (and anything asking for JSON)."""
        if wants_html() or json_handler is None:
            return http_error_page(error)
        return json_handler(error)


def percent(score: float | None) -> str:
    """A probability for people: never "100%" or "0%" for what is only very likely."""
    value = round((score or 0) * 100)
    if value >= 100 and (score or 0) < 1:
        return ">99%"
    if value <= 0 and (score or 0) > 0:
        return "<1%"
    return f"{value}%"


def wants_html() -> bool:
    """A browser asks for text/html first; API clients, curl (*/*) and tests without Accept get JSON."""
    if request.path.startswith("/api") or request.path == "/healthz":
        return False
    offered = ["application/problem+json", "application/json", "text/html"]
    return request.accept_mimetypes.best_match(offered) == "text/html"


def error_page(status: int, detail: str) -> tuple[str, int]:
    return render_template(
        "error.html", status=status, title=TITLES.get(status, "Error"), detail=detail
    ), status


def http_error_page(error: HTTPException) -> Response:
    status = error.code or 500
    detail = error.description or ""
    if status == 413:
        detail = (
            f"That is more than the {current_app.config['MAX_CONTENT_LENGTH']} bytes allowed in one request."
        )
    response = make_response(error_page(status, detail))
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


@bp.errorhandler(Exception)
def _any_error(error: Exception) -> Any:
    """A dashboard page that fails shows an HTML error page, never a JSON document."""
    if isinstance(error, HTTPException):
        return http_error_page(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_page(500, "The server failed to show this page; nothing was changed.")


# The pages run no script at all: a policy that forbids scripts makes any escaping slip harmless.
PAGE_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@bp.after_app_request
def _page_headers(response: Response) -> Response:
    if response.mimetype == "text/html" and not request.path.startswith("/api"):
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.errorhandler(NotFound)
def _not_found(error: NotFound) -> tuple[str, int]:
    return error_page(404, str(error))


@bp.errorhandler(Problem)
def _problem(error: Problem) -> tuple[str, int]:
    return error_page(error.status, error.detail)


@bp.errorhandler(CSRFError)
def _csrf(error: CSRFError) -> tuple[str, int]:
    return error_page(400, f"{error.description} Reload the page and try again.")


@bp.errorhandler(InputError)
def _input(error: InputError) -> tuple[str, int]:
    return error_page(error.status, str(error))


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "key_required": bool(current_app.config.get("API_KEY") or current_app.config.get("READ_KEY")),
        "key_stored": bool(session.get("api_key")),
        "relations": RELATIONS,
        "verdicts": session.get("verdicts", {}),
    }


# -- helpers -------------------------------------------------------------------


def registry() -> Registry:
    """The registry, read once per request (party names and colours are looked up often)."""
    if "web_registry" not in g:
        g.web_registry = registry_from(get_store())
    return g.web_registry


def party_name(party_id: str | None) -> str:
    if not party_id or party_id == "none":
        return "No party"
    return registry().name(party_id) or party_id


def party_class(party_id: str | None) -> str:
    """A colour slot per party, in registry order: the CSS has one tint per slot."""
    ids = list(registry().parties)
    if party_id in ids:
        return f"party-{ids.index(party_id) % PALETTE_SIZE}"
    return "party-none"


def arg(name: str, max_len: int = 200) -> str | None:
    value = request.args.get(name, "")
    value = clean_text(value).strip()[:max_len]
    return value or None


def int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    try:
        return int(raw) if raw else None
    except ValueError:
        raise Problem(400, f"'{name}' must be a whole number") from None


def filters() -> dict[str, str | None]:
    """The filters of the current view, as the query string carries them."""
    relation = arg("relation", 20)
    if relation is not None and relation not in RELATIONS:
        raise Problem(400, f"'relation' must be one of {', '.join(RELATIONS)}")
    return {
        "party": arg("party", 64),
        "article": arg("article", 64),
        "relation": relation,
        "issue": arg("issue", 64),
        "q": arg("q"),
    }


def matches_text(q: str | None, *texts: str | None) -> bool:
    """Every word of the search in the texts (case-folded): the comparisons' text filter."""
    if not q:
        return True
    haystack = " ".join(t for t in texts if t).casefold()
    return all(word in haystack for word in q.casefold().split())


def comparison_texts(comparison: dict[str, Any]) -> list[str | None]:
    out: list[str | None] = [comparison.get("issue_label")]
    for side in "ab":
        for claim in comparison[side]["claims"]:
            out += [claim["text"], claim.get("speaker")]
    return out


def find_comparisons(f: dict[str, str | None], limit: int = 200) -> list[dict[str, Any]]:
    found = get_service().comparisons(
        issue=f["issue"], party=f["party"], relation=f["relation"], article=f["article"], limit=limit
    )
    return [k for k in found if matches_text(f["q"], *comparison_texts(k))]


def marked(text: str, phrases: list[str]) -> list[tuple[str, bool]]:
    """Split text into (piece, is_clashing_phrase) so the template can wrap hits in <mark>."""
    spans: list[tuple[int, int]] = []
    folded = text.casefold()
    for phrase in phrases:
        phrase = (phrase or "").casefold()
        if not phrase.strip() or len(phrase) != len(phrase.casefold()):
            continue
        at = folded.find(phrase)
        while at >= 0:
            spans.append((at, at + len(phrase)))
            at = folded.find(phrase, at + len(phrase))
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            start = pos
        if start >= end:
            continue
        if start > pos:
            pieces.append((text[pos:start], False))
        pieces.append((text[start:end], True))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def card(comparison: dict[str, Any], articles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A comparison ready to show side by side: claims with article titles, clashing phrases marked."""
    contrast = comparison.get("contrast") or []
    sides = []
    for index, side in enumerate("ab"):
        phrases = [pair[index] for pair in contrast if len(pair) == 2]
        claims = []
        for claim in comparison[side]["claims"]:
            claims.append(
                {
                    **claim,
                    "pieces": marked(claim["text"], phrases),
                    "article_meta": articles.get(claim["article"], {"id": claim["article"]}),
                }
            )
        party = comparison[side]["party"]
        sides.append({"party": party, "name": party_name(party), "css": party_class(party), "claims": claims})
    return {**comparison, "sides": sides}


def cards(comparisons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = sorted({c["article"] for k in comparisons for side in "ab" for c in k[side]["claims"]})
    articles = get_store().article_meta(ids)
    return [card(k, articles) for k in comparisons]


def by_issue(comparisons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Comparisons grouped by issue, keeping the store's order (conflicts first, strongest first)."""
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for comparison in comparisons:
        group = groups.setdefault(
            comparison["issue"],
            {
                "id": comparison["issue"],
                "label": comparison.get("issue_label"),
                "conflicts": [],
                "agreements": [],
            },
        )
        key = "conflicts" if comparison["relation"] == "conflict" else "agreements"
        group[key].append(comparison)
    return list(groups.values())


def article_options() -> list[dict[str, Any]]:
    page, _ = get_store().list_articles(limit=200)
    return page


def safe_next(default: str) -> str:
    """Where to go back after a form: a path on this site, never another host."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def csv_response(rows: list[dict[str, Any]], columns: list[str], name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
    return response


def export_links(endpoint: str, formats: tuple[str, ...] = ("json", "csv"), **values: Any) -> dict[str, str]:
    args = {k: v for k, v in request.args.items() if v}
    args.update(values)
    return {fmt: url_for(endpoint, fmt=fmt, **args) for fmt in formats}


# -- pages ---------------------------------------------------------------------


@bp.get("/")
def home() -> str:
    """The disagreements: issues with conflicts first, each comparison side by side."""
    f = filters()
    comparisons = cards(find_comparisons(f))
    groups = by_issue(comparisons)
    shown = {g["id"] for g in groups}
    quiet = (
        [] if any(f.values()) else [i for i in get_service().issue_list(min_claims=2) if i["id"] not in shown]
    )
    return render_template(
        "home.html",
        groups=groups,
        quiet=quiet,
        f=f,
        parties=registry().to_dict(),
        articles=article_options(),
        exports=export_links("web.comparisons", ("json", "csv", "jsonld")),
    )


@bp.get("/issues", defaults={"fmt": "html"})
@bp.get(f"/issues.<any({EXPORTS.replace('|', ', ')}):fmt>")
def issues(fmt: str) -> Any:
    f = filters()
    min_claims = int_arg("min_claims") or 2
    store = get_store()
    rows = [
        i
        for i in get_service().issue_list(min_claims=max(1, min(min_claims, 1000)), limit=1000)
        if matches_text(f["q"], i["label"], i["id"])
    ]
    if f["party"] or f["article"]:
        claims, _ = store.find_claims(party=f["party"], article=f["article"], limit=100_000)
        touched = {c.issue for c in claims}
        rows = [i for i in rows if i["id"] in touched]
    if f["relation"] == "conflict":
        rows = [i for i in rows if i["conflicts"]]
    elif f["relation"] == "agree":
        rows = [i for i in rows if i["agreements"]]
    for row in rows:
        row["url"] = url_for("web.issue", issue_id=row["id"], _external=True)
    if fmt == "json":
        return {"issues": rows, "filters": {**f, "min_claims": min_claims}}
    if fmt == "csv":
        columns = [
            "id",
            "label",
            "claims",
            "parties",
            "articles",
            "conflicts",
            "top_score",
            "agreements",
            "url",
        ]
        return csv_response(rows, columns, "issues")
    return render_template(
        "issues.html",
        issues=rows,
        f=f,
        min_claims=min_claims,
        parties=registry().to_dict(),
        articles=article_options(),
        exports=export_links("web.issues"),
    )


@bp.get("/issues/<issue_id>")
def issue(issue_id: str) -> str:
    """Every claim on the issue, by party and across articles, and its comparisons."""
    data = get_service().issue(issue_id)
    parties = [
        {"party": p, "name": party_name(p), "css": party_class(p), "claims": claims}
        for p, claims in data["parties"].items()
    ]
    comparisons = cards(data["comparisons"])
    return render_template(
        "issue.html",
        issue=data,
        parties=parties,
        articles=data["articles"],
        comparisons=comparisons,
        jsonld=claim_reviews(data["comparisons"]),
        exports=export_links("web.comparisons", ("json", "csv", "jsonld"), issue=issue_id),
    )


@bp.get("/articles", defaults={"fmt": "html"})
@bp.get(f"/articles.<any({EXPORTS.replace('|', ', ')}):fmt>")
def articles(fmt: str) -> Any:
    page, token = get_store().list_articles(after=int_arg("after"), limit=min(int_arg("limit") or 50, 500))
    for row in page:
        row["url_dashboard"] = url_for("web.article", article_id=row["id"], _external=True)
    nxt = url_for("web.articles", fmt=fmt, after=token) if token is not None else None
    if fmt == "json":
        return {"articles": page, "next": token, "next_url": nxt}
    if fmt == "csv":
        columns = [
            "id",
            "title",
            "source",
            "published",
            "url",
            "created",
            "length",
            "claims",
            "url_dashboard",
        ]
        return csv_response(page, columns, "articles")
    return render_template("articles.html", articles=page, next_url=nxt, exports=export_links("web.articles"))


def segments(text: str, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The article text cut at every claim and speaker boundary.

    Each segment knows the claims covering it (innermost first), whether it is a
    speaker mention, which claims start there (for anchors) and which end there
    (to show the speaker after the quote). The template escapes every piece.
    """
    cuts = {0, len(text)}
    for claim in claims:
        cuts |= {claim["start"], claim["end"]}
        if claim.get("speaker_span"):
            cuts |= set(claim["speaker_span"])
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for start, end in itertools.pairwise(points):
        if start == end:
            continue
        covering = sorted(
            (c for c in claims if c["start"] <= start and end <= c["end"]),
            key=lambda c: c["end"] - c["start"],
        )
        speaker = any(
            c.get("speaker_span") and c["speaker_span"][0] <= start and end <= c["speaker_span"][1]
            for c in claims
        )
        out.append(
            {
                "text": text[start:end],
                "claim": covering[0] if covering else None,
                "starts": [c for c in claims if c["start"] == start],
                "ends": [c for c in claims if c["end"] == end],
                "speaker": speaker,
            }
        )
    return out


@bp.get("/articles/<article_id>")
def article(article_id: str) -> str:
    """The article with each claim highlighted in its party's colour, and its comparisons."""
    doc = get_service().document(article_id)
    claims = [
        {**c, "css": party_class(c["party"]), "party_name": party_name(c["party"])} for c in doc["claims"]
    ]
    by_id = {c["id"]: c for c in claims}
    articles_meta = {
        article_id: {k: doc["article"][k] for k in ("id", "title", "published", "source", "url")}
    }
    within = []
    for comparison in doc["comparisons"]:
        expanded = dict(comparison)
        for side in "ab":
            expanded[side] = {
                "party": comparison[side]["party"],
                "claims": [
                    {**by_id[cid], "article": article_id}
                    for cid in comparison[side]["claims"]
                    if cid in by_id
                ],
            }
        expanded.setdefault(
            "issue_label", next((i["label"] for i in doc["issues"] if i["id"] == comparison["issue"]), "")
        )
        within.append(expanded)
    comparisons = [card(k, articles_meta) for k in within] + cards(doc["related_comparisons"])
    jsonld = claim_reviews(within + doc["related_comparisons"])
    return render_template(
        "article.html",
        doc=doc,
        claims=claims,
        segments=segments(doc["article"]["text"], claims),
        legend=list(
            {
                c["party"]: {"party": c["party"], "name": c["party_name"], "css": c["css"]} for c in claims
            }.values()
        ),
        comparisons=comparisons,
        jsonld=jsonld,
        parties=registry().to_dict(),
        exports={
            "json": url_for("api.get_article", article_id=article_id),
            "claims_csv": url_for("web.claims", fmt="csv", article=article_id),
        },
    )


@bp.get("/comparisons", defaults={"fmt": "html"})
@bp.get("/comparisons.<any(json, csv, jsonld):fmt>")
def comparisons(fmt: str) -> Any:
    f = filters()
    limit = current_app.config.get("COMPARISONS_PAGE", 200) if fmt == "html" else 1000
    service = get_service()
    found = service.comparisons(
        issue=f["issue"], party=f["party"], relation=f["relation"], article=f["article"],
        after=page_token(request.args.get("after") or None), limit=limit + 1,
    )  # fmt: skip
    next_url = None
    if len(found) > limit:
        token = next_token(service.store, found[limit - 1])
        found = found[:limit]
        args = {k: v for k, v in request.args.items() if k != "after"}
        next_url = url_for("web.comparisons", fmt=fmt, **args, after=token)
    found = [k for k in found if matches_text(f["q"], *comparison_texts(k))]
    if fmt == "json":
        return {"comparisons": found, "filters": f, "next": next_url}
    if fmt == "csv":
        return csv_response([flat_comparison(k) for k in found], COMPARISON_COLUMNS, "comparisons")
    if fmt == "jsonld":
        body = json.dumps(claim_reviews(found), ensure_ascii=False, indent=1)
        return Response(body, mimetype="application/ld+json")
    return render_template(
        "comparisons.html",
        comparisons=cards(found),
        f=f,
        parties=registry().to_dict(),
        articles=article_options(),
        exports=export_links("web.comparisons", ("json", "csv", "jsonld")),
        next_url=next_url,
    )


COMPARISON_COLUMNS = [
    "id", "issue", "issue_label", "relation", "score",
    "party_a", "speakers_a", "claims_a", "articles_a",
    "party_b", "speakers_b", "claims_b", "articles_b", "contrast",
]  # fmt: skip


def flat_comparison(comparison: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: each side's claims joined with ' | '."""
    row = {k: comparison.get(k) for k in ("id", "issue", "issue_label", "relation", "score")}
    for side in "ab":
        claims = comparison[side]["claims"]
        row[f"party_{side}"] = comparison[side]["party"]
        row[f"speakers_{side}"] = " | ".join(c.get("speaker") or "" for c in claims)
        row[f"claims_{side}"] = " | ".join(" ".join(c["text"].split()) for c in claims)
        row[f"articles_{side}"] = " | ".join(c["article"] for c in claims)
    row["contrast"] = " | ".join(" <> ".join(pair) for pair in comparison.get("contrast") or [])
    return row


@bp.get("/claims", defaults={"fmt": "html"})
@bp.get(f"/claims.<any({EXPORTS.replace('|', ', ')}):fmt>")
def claims(fmt: str) -> Any:
    f = filters()
    speaker = arg("speaker")
    found, token = get_store().find_claims(
        party=f["party"],
        speaker=speaker,
        article=f["article"],
        q=f["q"],
        issue=f["issue"],
        after=int_arg("after"),
        limit=min(int_arg("limit") or 100, 1000),
    )
    rows = [{**c.to_dict(), "article": c.article_id} for c in found]  # type: ignore[attr-defined]
    args = {k: v for k, v in request.args.items() if v and k != "after"}
    nxt = url_for("web.claims", fmt=fmt, after=token, **args) if token is not None else None
    if fmt == "json":
        return {"claims": rows, "next": token, "next_url": nxt, "filters": {**f, "speaker": speaker}}
    if fmt == "csv":
        columns = [
            "article",
            "id",
            "text",
            "start",
            "end",
            "speaker",
            "kind",
            "party",
            "issue",
            "confidence",
            "cue",
        ]
        return csv_response(rows, columns, "claims")
    store = get_store()
    meta = store.article_meta(sorted({r["article"] for r in rows}))
    labels = {i: store.get_issue(i)["label"] for i in {r["issue"] for r in rows if r["issue"]}}
    for row in rows:
        row["css"] = party_class(row["party"])
        row["article_meta"] = meta.get(row["article"], {"id": row["article"]})
        row["issue_label"] = labels.get(row["issue"])
    return render_template(
        "claims.html",
        claims=rows,
        f=f,
        speaker=speaker or "",
        next_url=nxt,
        parties=registry().to_dict(),
        articles=article_options(),
        exports=export_links("web.claims"),
    )


# -- ClaimReview -----------------------------------------------------------------


def claim_reviews(comparisons: list[dict[str, Any]]) -> dict[str, Any]:
    """Comparisons as schema.org ClaimReview: one review per side, rated against the other side."""
    ids = sorted({c["article"] for k in comparisons for side in "ab" for c in k[side]["claims"]})
    meta = get_store().article_meta(ids)
    graph = []
    for comparison in comparisons:
        for side, other in (("a", "b"), ("b", "a")):
            claims = comparison[side]["claims"]
            if not claims:
                continue
            other_party = party_name(comparison[other]["party"])
            other_text = " / ".join(" ".join(c["text"].split()) for c in comparison[other]["claims"])
            verb = "Conflicts with" if comparison["relation"] == "conflict" else "Agrees with"
            first = claims[0]
            graph.append(
                {
                    "@type": "ClaimReview",
                    "url": url_for("web.comparisons", issue=comparison["issue"], _external=True)
                    + f"#comparison-{comparison['id']}",
                    "claimReviewed": " / ".join(" ".join(c["text"].split()) for c in claims),
                    "itemReviewed": {
                        "@type": "Claim",
                        "author": {
                            "@type": "Person" if first.get("speaker") else "Organization",
                            "name": first.get("speaker") or party_name(comparison[side]["party"]),
                            "affiliation": {
                                "@type": "Organization",
                                "name": party_name(comparison[side]["party"]),
                            },
                        },
                        "appearance": [appearance(c["article"], meta) for c in claims],
                    },
                    "reviewRating": {
                        "@type": "Rating",
                        "alternateName": f"{verb} {other_party}",
                        "ratingExplanation": f"{verb} {other_party}: {other_text}",
                        "ratingValue": comparison["score"],
                        "bestRating": 1,
                        "worstRating": 0,
                    },
                    "author": {"@type": "Organization", "name": "stance"},
                    "about": comparison.get("issue_label") or comparison["issue"],
                }
            )
    return {"@context": "https://schema.org", "@graph": graph}


def appearance(article_id: str, meta: dict[str, dict[str, Any]]) -> dict[str, Any]:
    info = meta.get(article_id, {})
    out: dict[str, Any] = {
        "@type": "NewsArticle",
        "url": info.get("url") or url_for("web.article", article_id=article_id, _external=True),
    }
    if info.get("title"):
        out["headline"] = info["title"]
    if info.get("published"):
        out["datePublished"] = info["published"]
    if info.get("source"):
        out["publisher"] = {"@type": "Organization", "name": info["source"]}
    return out


# -- writes ----------------------------------------------------------------------


@bp.route("/analyse", methods=["GET", "POST"])
def analyse() -> Any:
    """Paste or upload an article; on success go to its analysis."""
    if request.method == "GET":
        return render_template("analyse.html", form={}, error=None)
    form = {k: request.form.get(k, "") for k in ("text", "title", "source", "published", "url")}
    upload = request.files.get("file")
    html = request.form.get("html") == "on"
    try:
        if upload is not None and upload.filename:
            form["text"] = decode(upload.read(), upload.mimetype_params.get("charset"))
            html = (
                html
                or upload.mimetype in HTML_FILE_TYPES
                or upload.filename.lower().endswith((".html", ".htm"))
            )
        fields = {k: v for k, v in form.items() if v.strip()}
        if "text" not in fields:
            raise InputError("Paste the article's text or choose a file to upload.", field="text")
        article = make_article(fields, html=html)
    except InputError as error:
        return render_template("analyse.html", form=form, error=str(error)), error.status
    doc, created = get_service().ingest(article)
    if not created:
        flash("This text was already analysed: here is the stored analysis.", "info")
    else:
        flash(f"Analysed: {len(doc['claims'])} claims found.", "success")
    return redirect(url_for("web.article", article_id=doc["article"]["id"]), 303)


@bp.route("/parties", methods=["GET", "POST"])
def parties() -> Any:
    """The party registry, editable: one alias per line; saving re-tags every stored claim."""
    current = registry().to_dict()
    if request.method == "GET":
        return render_template("parties.html", parties=current, error=None)
    edited: dict[str, dict[str, Any]] = {}
    for party_id in current:
        if request.form.get(f"delete-{party_id}") == "on":
            continue
        edited[party_id] = {
            "name": request.form.get(f"name-{party_id}", current[party_id]["name"]),
            "aliases": lines(request.form.get(f"aliases-{party_id}", "")),
        }
    new_id = (request.form.get("new-id") or "").strip()
    if new_id:
        edited[new_id] = {
            "name": request.form.get("new-name") or new_id,
            "aliases": lines(request.form.get("new-aliases", "")),
        }
    try:
        new_registry = Registry(edited)
        if not len(new_registry):
            raise RegistryError("the registry needs at least one party")
    except RegistryError as error:
        return render_template("parties.html", parties=current, error=str(error)), 422
    changed = get_service().replace_registry(new_registry)
    flash(f"Registry saved; {changed} claim(s) re-tagged.", "success")
    return redirect(url_for("web.parties"), 303)


def lines(text: str) -> list[str]:
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


@bp.post("/feedback")
def feedback() -> Any:
    """ "Right"/"wrong" on a comparison, or a claim's party corrected: stored like POST /api/feedback."""
    from stance.api import feedback_record

    service = get_service()
    form = request.form
    if form.get("comparison"):
        verdict = form.get("verdict")
        if verdict not in ("right", "wrong"):
            raise Problem(422, "'verdict' must be 'right' or 'wrong'")
        record = feedback_record(service, form["comparison"], verdict, None)
        given = dict(list(session.get("verdicts", {}).items())[-(RECENT_VERDICTS - 1) :])
        given[form["comparison"]] = verdict
        session["verdicts"] = given  # only to show this reader their own answers
        message = f"Thank you: comparison marked {verdict}."
        default = url_for("web.home")
    elif form.get("claim") and form.get("article"):
        article_id, claim_id = form["article"], form["claim"]
        party = form.get("party") or None
        if party == "none":
            party = None
        if party is not None and party not in service.registry:
            raise Problem(422, f"unknown party {party!r}")
        record = service.correct_party(article_id, claim_id, party)
        message = f"Thank you: the claim is now tagged {party_name(party)}."
        default = url_for("web.article", article_id=article_id) + f"#claim-{claim_id}"
    else:
        raise Problem(422, "give a comparison and a verdict, or an article, a claim and a party")
    service.store.add_feedback(record)
    flash(message, "success")
    return redirect(safe_next(default), 303)


@bp.post("/key")
def store_key() -> Any:
    """Keep the API key (or the read key) in the session, so the dashboard can write (or read)."""
    if request.form.get("forget"):
        session.pop("api_key", None)
        flash("The API key was forgotten.", "info")
    elif request.form.get("api_key"):
        given = request.form["api_key"]
        keys = [k for k in (current_app.config.get("API_KEY"), current_app.config.get("READ_KEY")) if k]
        if not any(key_matches(given, key) for key in keys):
            raise Problem(401, "that key is not accepted here")
        session["api_key"] = given
        flash("API key accepted for this browser session.", "success")
    return redirect(safe_next(url_for("web.home")), 303)
