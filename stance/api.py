"""The JSON API: thin views over the service."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from stance import __version__
from stance.app import get_service, get_store, registry_from
from stance.document import KINDS, RELATIONS, Claim
from stance.ingest import InputError, clean_text, decode, make_article
from stance.parties import Registry
from stance.problems import Problem

bp = Blueprint("api", __name__)

ARTICLE_TYPES = ("application/json", "text/plain", "text/html")


def json_body(expect: type | tuple[type, ...] = (dict, list)) -> Any:
    """The request's JSON, or a problem saying exactly what is wrong with it."""
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise Problem(415, "send JSON with Content-Type: application/json")
    text = decode(request.get_data(cache=True), request.mimetype_params.get("charset"))
    try:
        data = json.loads(text)
    except RecursionError:
        raise Problem(400, "the JSON is nested too deeply") from None
    except ValueError as error:
        raise Problem(400, f"malformed JSON: {error}") from None
    if not isinstance(data, expect):
        raise Problem(422, "the JSON body has the wrong type")
    return data


def int_arg(name: str, default: int | None = None, low: int = 0, high: int = 10**12) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Problem(400, f"'{name}' must be a whole number") from None
    if not low <= value <= high:
        raise Problem(400, f"'{name}' must be between {low} and {high}")
    return value


def text_arg(name: str, max_len: int = 500) -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    return clean_text(value)[:max_len]


def cached_json(service: Any, key: tuple, compute: Any) -> Response:
    """A JSON response computed once per data version: every write anywhere invalidates it."""
    body = service.cached(key, lambda: current_app.json.dumps(compute()) + "\n")
    return current_app.response_class(body, mimetype="application/json")


@bp.get("/healthz")
def health() -> Response:
    store = get_store()
    model = current_app.extensions["stance.model"]
    return jsonify(
        status="ok",
        version=__version__,
        schema=store.schema_version(),
        articles=store.count_articles(),
        model=model.info() if model is not None else None,
    )


@bp.post("/api/articles")
def post_articles() -> tuple[Response, int]:
    """One article or a batch: JSON object(s), plain text or an HTML page."""
    mimetype = request.mimetype
    if mimetype not in ARTICLE_TYPES:
        raise Problem(415, f"send one of {', '.join(ARTICLE_TYPES)}")
    if mimetype == "application/json":
        payload = json_body()
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise Problem(422, "the batch is empty")
        if len(items) > current_app.config["MAX_BATCH"]:
            raise Problem(413, f"at most {current_app.config['MAX_BATCH']} articles in one batch")
        articles = []
        for index, item in enumerate(items):
            try:
                articles.append(make_article(item))
            except InputError as error:
                extra = {"index": index} if isinstance(payload, list) else {}
                raise Problem(error.status, str(error), **extra) from None
    else:
        text = decode(request.get_data(), request.mimetype_params.get("charset"))
        articles = [make_article({"text": text}, html=mimetype == "text/html")]
        payload = None
    service = get_service()
    results = [service.ingest(article) for article in articles]
    created = any(was_created for _, was_created in results)
    status = 201 if created else 200
    if isinstance(payload, list):
        return jsonify([doc for doc, _ in results]), status
    doc, _ = results[0]
    response = jsonify(doc)
    response.headers["Location"] = url_for("api.get_article", article_id=doc["article"]["id"])
    return response, status


@bp.get("/api/articles")
def list_articles() -> Response:
    limit = int_arg("limit", 50, 1, 500)
    after = int_arg("after")
    page, token = get_store().list_articles(after=after, limit=limit or 50)
    nxt = url_for("api.list_articles", after=token, limit=limit) if token is not None else None
    return jsonify(articles=page, next=token, next_url=nxt)


@bp.get("/api/articles/<article_id>")
def get_article(article_id: str) -> Response:
    return jsonify(get_service().document(article_id))


@bp.delete("/api/articles/<article_id>")
def delete_article(article_id: str) -> tuple[str, int]:
    service = get_service()
    touched = service.store.delete_article(article_id)
    for issue_id in touched:
        service.refresh_comparisons(issue_id)
    return "", 204


@bp.post("/api/articles/<article_id>/reanalyse")
def reanalyse_article(article_id: str) -> Response:
    return jsonify(get_service().reanalyse(article_id))


@bp.get("/api/claims")
def list_claims() -> Response:
    filters = {
        "party": text_arg("party", 64),
        "speaker": text_arg("speaker"),
        "article": text_arg("article", 64),
        "q": text_arg("q"),
        "issue": text_arg("issue", 64),
        "after": int_arg("after"),
        "limit": int_arg("limit", 100, 1, 1000) or 100,
    }
    service = get_service()

    def page() -> dict[str, Any]:
        claims, token = service.store.find_claims(**filters)
        out = [{**c.to_dict(), "article": c.article_id} for c in claims]  # type: ignore[attr-defined]
        return {"claims": out, "next": token}

    return cached_json(service, ("claims", *filters.items()), page)


@bp.post("/api/claims")
def post_claims() -> tuple[Response, int]:
    """Claims a client already tagged by party, for a stored article or a new one."""
    payload = json_body(dict)
    service = get_service()
    status = 200
    article = None
    if "article_id" in payload:
        article_id = payload["article_id"]
        if not isinstance(article_id, str):
            raise Problem(422, "'article_id' must be a string")
        text = service.store.get_article_row(article_id)["text"]
    elif isinstance(payload.get("article"), dict):
        article = make_article(payload["article"])
        article_id = service.store.article_id_for_text(article.text)
        text = article.text
    else:
        raise Problem(422, "give 'article_id' of a stored article, or 'article': {text, ...}")
    raw_claims = payload.get("claims")
    if not isinstance(raw_claims, list) or not raw_claims:
        raise Problem(422, "'claims' must be a non-empty list")
    if len(raw_claims) > 1000:
        raise Problem(413, "at most 1000 claims at once")
    replace = payload.get("replace", False)
    if not isinstance(replace, bool):
        raise Problem(422, "'replace' must be true or false")
    registry = registry_from(service.store)
    claims = [client_claim(item, i, text, registry) for i, item in enumerate(raw_claims)]
    if article_id is None:  # only now that every claim is valid: a refused request stores nothing
        doc, _ = service.ingest(article)  # type: ignore[arg-type]
        article_id, status = doc["article"]["id"], 201
    doc = service.add_client_claims(article_id, claims, replace=replace)
    return jsonify(doc), max(status, 201)


def client_claim(item: Any, index: int, text: str, registry: Registry) -> Claim:
    """A claim from a client: located in the article by offsets or by its text."""
    if not isinstance(item, dict):
        raise Problem(422, "each claim must be an object", index=index)
    words = item.get("text")
    start, end = item.get("start"), item.get("end")
    if start is None and end is None:
        if not isinstance(words, str) or not words.strip():
            raise Problem(422, "a claim needs 'text' (or 'start' and 'end')", index=index)
        start = text.find(words)
        if start < 0:
            raise Problem(422, "the claim's text is not in the article", index=index)
        end = start + len(words)
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise Problem(422, "'start' and 'end' must be offsets inside the article, start < end", index=index)
    if words is not None and words != text[start:end]:
        raise Problem(422, "'text' must equal the article text between 'start' and 'end'", index=index)
    party = item.get("party")
    if party is not None and (not isinstance(party, str) or party not in registry):
        raise Problem(422, f"unknown party {party!r}: add it with PUT /api/parties first", index=index)
    kind = item.get("kind", "direct")
    if kind not in KINDS:
        raise Problem(422, f"'kind' must be one of {', '.join(KINDS)}", index=index)
    speaker = item.get("speaker")
    if speaker is not None and not isinstance(speaker, str):
        raise Problem(422, "'speaker' must be a string", index=index)
    confidence = item.get("confidence", 1.0)
    if not isinstance(confidence, (int, float)) or isinstance(confidence, bool) or not 0 <= confidence <= 1:
        raise Problem(422, "'confidence' must be a number from 0 to 1", index=index)
    return Claim(
        text=text[start:end],
        start=start,
        end=end,
        speaker=clean_text(speaker)[:300] if speaker else None,
        kind=kind,
        party=party,
        confidence=float(confidence),
    )


@bp.get("/api/issues")
def list_issues() -> Response:
    min_claims = int_arg("min_claims", 2, 1, 1000) or 2
    limit = int_arg("limit", 200, 1, 1000) or 200
    service = get_service()
    return cached_json(
        service,
        ("issues", min_claims, limit),
        lambda: {"issues": service.issue_list(min_claims=min_claims, limit=limit)},
    )


@bp.get("/api/issues/<issue_id>")
def get_issue(issue_id: str) -> Response:
    return jsonify(get_service().issue(issue_id))


@bp.get("/api/comparisons")
def list_comparisons() -> Response:
    relation = text_arg("relation", 20)
    if relation is not None and relation not in RELATIONS:
        raise Problem(400, f"'relation' must be one of {', '.join(RELATIONS)}")
    limit = int_arg("limit", 200, 1, 1000) or 200
    filters = {
        "issue": text_arg("issue", 64),
        "party": text_arg("party", 64),
        "relation": relation,
        "article": text_arg("article", 64),
        "after": page_token(text_arg("after", 1000)),
    }
    service = get_service()

    def page() -> dict[str, Any]:
        found = service.comparisons(**filters, limit=limit + 1)
        token = None
        if len(found) > limit:
            token = next_token(service.store, found[limit - 1])
        return {"comparisons": found[:limit], "next": token}

    return cached_json(service, ("comparisons", limit, *filters.items()), page)


def next_token(store: Any, last: dict[str, Any]) -> str:
    """The page token after comparison `last` ('conflict:score:id'), read back by `page_token`."""
    conflict, score, comparison_id = store.rank_key(last)
    return f"{conflict}:{score!r}:{comparison_id}"


def page_token(raw: str | None) -> tuple[int, float, str] | None:
    """A comparisons page token ('conflict:score:id', from the previous page's `next`)."""
    if raw is None:
        return None
    if len(raw) > 100:  # no token is that long (the OpenAPI document says so too)
        raise Problem(400, "'after' must be the 'next' token of the previous page")
    try:
        conflict, score, last = raw.split(":", 2)
        key = (int(conflict), float(score), last)
    except ValueError:
        raise Problem(400, "'after' must be the 'next' token of the previous page") from None
    if key[0] not in (0, 1) or not last or key[1] != key[1]:  # NaN
        raise Problem(400, "'after' must be the 'next' token of the previous page")
    return key


@bp.get("/api/parties")
def get_parties() -> Response:
    return jsonify(registry_from(get_store()).to_dict())


@bp.put("/api/parties")
def put_parties() -> Response:
    """Replace the registry, then re-tag stored claims and refresh what changed."""
    registry = Registry(clean_strings(json_body(dict)))
    if not len(registry):
        raise Problem(422, "the registry needs at least one party")
    changed = get_service().replace_registry(registry)
    response = jsonify(registry.to_dict())
    response.headers["X-Claims-Retagged"] = str(changed)
    return response


def clean_strings(value: Any) -> Any:
    """Names and aliases normalised like article text: no NUL, no lone surrogate to break a page."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_strings(item) for key, item in value.items()}
    return value


@bp.post("/api/feedback")
def post_feedback() -> tuple[Response, int]:
    """A reader's verdict on a comparison ("right"/"wrong"), or a corrected party for a claim."""
    payload = json_body(dict)
    service = get_service()
    if "comparison" in payload:
        comparison_id = payload["comparison"]
        verdict = payload.get("verdict")
        if not isinstance(comparison_id, str):
            raise Problem(422, "'comparison' must be a comparison id")
        if verdict not in ("right", "wrong"):
            raise Problem(422, "'verdict' must be 'right' or 'wrong'")
        relation = payload.get("relation")
        if relation is not None and relation not in (*RELATIONS, "none"):
            raise Problem(422, "'relation' must be conflict, agree or none")
        record = feedback_record(service, comparison_id, verdict, relation)
    elif "claim" in payload and "article" in payload:
        article_id, claim_id, party = payload["article"], payload["claim"], payload.get("party")
        if not isinstance(article_id, str) or not isinstance(claim_id, str):
            raise Problem(422, "'article' and 'claim' must be ids")
        if party is not None and (not isinstance(party, str) or party not in service.registry):
            raise Problem(422, f"unknown party {party!r}")
        record = service.correct_party(article_id, claim_id, party)
    else:
        raise Problem(422, "give {comparison, verdict[, relation]} or {article, claim, party}")
    record["id"] = service.store.add_feedback(record)
    return jsonify(record), 201


def feedback_record(service: Any, comparison_id: str, verdict: str, relation: str | None) -> dict[str, Any]:
    """A verdict on a comparison, kept with the claim texts so training can use it later."""
    found = service.store.find_comparisons(comparison_id=comparison_id)
    if not found:
        raise Problem(404, f"no comparison with id {comparison_id!r}")
    comparison = service.expand(found[0])
    text_a = " ".join(c["text"] for c in comparison["a"]["claims"])
    text_b = " ".join(c["text"] for c in comparison["b"]["claims"])
    if relation is None:
        relation = comparison["relation"] if verdict == "right" else "none"
    return {
        "target": "comparison",
        "comparison_id": comparison_id,
        "verdict": verdict,
        "relation": relation,
        "text_a": text_a,
        "text_b": text_b,
    }


@bp.get("/api/openapi.json")
def openapi() -> Response:
    from stance.openapi import spec

    return jsonify(spec())
