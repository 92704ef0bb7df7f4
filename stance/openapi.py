"""The OpenAPI 3 description of the JSON API (served at /api/openapi.json, browsable at /api/docs)."""

from __future__ import annotations

from typing import Any

from stance import __version__


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PROBLEM = {
    "description": "Problem details (RFC 9457)",
    "content": {"application/problem+json": {"schema": _ref("Problem")}},
}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): PROBLEM for c in codes}


def _query(name: str, schema: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema or {"type": "string"},
        "description": description,
    }


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """A query value, where an empty one (`?limit=`, as forms send) means "not given"."""
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def _whole(low: int, high: int, default: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    if default is not None:
        schema["default"] = default
    return _or_empty(schema)


def _limit(default: int, high: int) -> dict[str, Any]:
    return _query("limit", _whole(1, high, default), "page size")


AFTER = _query("after", _whole(0, 10**12), "the 'next' token of the previous page")


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


# "Has a character that survives normalisation and is not white space", spelled out: \s differs
# between regex engines, and control characters are dropped before the emptiness check.
SOME_TEXT = "[^\\x00-\\x20\\x7f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
SPAN = {"type": ["array", "null"], "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": NULLABLE_STRING,
        },
    },
    "ArticleInput": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2_000_000,
                "pattern": SOME_TEXT,
                "description": "Plain text of the article (at most 500,000 characters once normalised)",
            },
            "title": NULLABLE_STRING,
            "source": NULLABLE_STRING,
            "published": NULLABLE_STRING,
            "url": NULLABLE_STRING,
        },
    },
    "Article": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "title": NULLABLE_STRING,
            "source": NULLABLE_STRING,
            "published": NULLABLE_STRING,
            "url": NULLABLE_STRING,
            "text": {"type": "string"},
        },
    },
    "Claim": {
        "type": "object",
        "required": ["id", "text", "start", "end", "kind"],
        "properties": {
            "id": {"type": "string"},
            "text": {"type": "string"},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "speaker": NULLABLE_STRING,
            "speaker_span": SPAN,
            "cue": NULLABLE_STRING,
            "cue_span": SPAN,
            "kind": {"type": "string", "enum": ["direct", "indirect", "according_to"]},
            "party": NULLABLE_STRING,
            "issue": NULLABLE_STRING,
            "confidence": {"type": "number"},
            "sentence_span": SPAN,
            "article": {"type": "string"},
        },
    },
    "Issue": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "label": {"type": "string"},
            "claims": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Comparison": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "issue": {"type": "string"},
            "relation": {"type": "string", "enum": ["conflict", "agree"]},
            "score": {"type": "number"},
            "a": {"type": "object"},
            "b": {"type": "object"},
            "contrast": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
        },
    },
    "Analysis": {
        "type": "object",
        "required": ["article", "claims", "issues", "comparisons", "model"],
        "properties": {
            "article": _ref("Article"),
            "claims": {"type": "array", "items": _ref("Claim")},
            "issues": {"type": "array", "items": _ref("Issue")},
            "comparisons": {"type": "array", "items": _ref("Comparison")},
            "related_comparisons": {"type": "array", "items": _ref("Comparison")},
            "model": {"type": "object"},
        },
    },
    "Registry": {
        "type": "object",
        "description": "Party id -> {name (default: the id), aliases}.",
        "minProperties": 1,
        "maxProperties": 500,
        "propertyNames": {"pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
        "additionalProperties": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": SOME_TEXT},
                "aliases": {
                    "type": "array",
                    "maxItems": 500,
                    "items": {"type": "string"},
                    "description": "Each at most 200 characters once runs of white space are collapsed.",
                },
            },
        },
    },
    "ClientClaims": {
        "type": "object",
        "required": ["claims"],
        "description": "Claims for a stored article (article_id) or a new one (article).",
        "anyOf": [{"required": ["article_id"]}, {"required": ["article"]}],
        "properties": {
            "article_id": {"type": "string"},
            "article": _ref("ArticleInput"),
            "replace": {"type": "boolean"},
            "claims": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": {
                    "type": "object",
                    "description": "Located by 'text' (found in the article) or by 'start' and 'end'.",
                    "anyOf": [{"required": ["text"]}, {"required": ["start", "end"]}],
                    "properties": {
                        "text": {"type": "string", "pattern": "\\S"},
                        "start": {"type": "integer", "minimum": 0},
                        "end": {"type": "integer", "minimum": 1},
                        "party": NULLABLE_STRING,
                        "speaker": NULLABLE_STRING,
                        "kind": {"type": "string", "enum": ["direct", "indirect", "according_to"]},
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                },
            },
        },
    },
    "Feedback": {
        "type": "object",
        "description": "A verdict on a comparison, or a corrected party for a claim.",
        "anyOf": [{"required": ["comparison", "verdict"]}, {"required": ["article", "claim"]}],
        "dependentRequired": {"comparison": ["verdict"]},
        "properties": {
            "comparison": {"type": "string"},
            "verdict": {"type": "string", "enum": ["right", "wrong"]},
            "relation": {"type": "string", "enum": ["conflict", "agree", "none"]},
            "article": {"type": "string"},
            "claim": {"type": "string"},
            "party": NULLABLE_STRING,
        },
    },
}


ANALYSES = {"oneOf": [_ref("Analysis"), {"type": "array", "items": _ref("Analysis")}]}


def spec() -> dict[str, Any]:
    article_body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _ref("ArticleInput"),
                        {"type": "array", "minItems": 1, "maxItems": 100, "items": _ref("ArticleInput")},
                    ]
                }
            },
            "text/plain": {"schema": {"type": "string", "minLength": 1}},
            "text/html": {"schema": {"type": "string", "minLength": 1}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "stance",
            "version": __version__,
            "description": "Attributed claims, parties, issues and the conflicts between the parties' accounts.",
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
        "paths": {
            "/healthz": {"get": {"summary": "Health", "responses": {"200": _json({"type": "object"})}}},
            "/api/articles": {
                "post": {
                    "summary": "Analyse and store one article or a batch",
                    "requestBody": article_body,
                    "responses": {
                        "201": _json(ANALYSES, "Stored and analysed (a batch: at least one of them new)"),
                        "200": _json(
                            ANALYSES, "Already stored (every article of a batch): the stored analysis"
                        ),
                        **_errors(400, 401, 413, 415, 422),
                    },
                },
                "get": {
                    "summary": "List articles, newest first (keyset pagination)",
                    "parameters": [AFTER, _limit(50, 500)],
                    "responses": {"200": _json({"type": "object"}), **_errors(400, 401)},
                },
            },
            "/api/articles/{article_id}": {
                "parameters": [_path("article_id")],
                "get": {
                    "summary": "The analysis document of an article",
                    "responses": {"200": _json(_ref("Analysis")), **_errors(401, 404)},
                },
                "delete": {
                    "summary": "Delete an article, its claims and comparisons",
                    "responses": {"204": {"description": "Deleted"}, **_errors(401, 404)},
                },
            },
            "/api/articles/{article_id}/reanalyse": {
                "parameters": [_path("article_id")],
                "post": {
                    "summary": "Analyse a stored article again",
                    "responses": {"200": _json(_ref("Analysis")), **_errors(401, 404)},
                },
            },
            "/api/claims": {
                "get": {
                    "summary": "Search claims",
                    "parameters": [
                        _query("party"),
                        _query("speaker"),
                        _query("article"),
                        _query("q"),
                        _query("issue"),
                        AFTER,
                        _limit(100, 1000),
                    ],
                    "responses": {"200": _json({"type": "object"}), **_errors(400, 401)},
                },
                "post": {
                    "summary": "Add claims already tagged by party",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("ClientClaims")}},
                    },
                    "responses": {"201": _json(_ref("Analysis")), **_errors(400, 401, 404, 413, 415, 422)},
                },
            },
            "/api/issues": {
                "get": {
                    "summary": "Issues, most disputed first",
                    "parameters": [
                        _query("min_claims", _whole(1, 1000, 2), "issues with at least this many claims"),
                        _limit(200, 1000),
                    ],
                    "responses": {"200": _json({"type": "object"}), **_errors(400, 401)},
                },
            },
            "/api/issues/{issue_id}": {
                "parameters": [_path("issue_id")],
                "get": {
                    "summary": "One issue: claims by party and comparisons",
                    "responses": {"200": _json({"type": "object"}), **_errors(401, 404)},
                },
            },
            "/api/comparisons": {
                "get": {
                    "summary": "The parties' accounts side by side, across articles",
                    "parameters": [
                        _query("issue"),
                        _query("party"),
                        _query("relation", _or_empty({"type": "string", "enum": ["conflict", "agree"]})),
                        _query("article"),
                        _limit(200, 1000),
                        {
                            "name": "after",
                            "in": "query",
                            "required": False,
                            "description": "The `next` token of the previous page (keyset pagination).",
                            "schema": {
                                "type": "string",
                                "maxLength": 100,
                                # printable ASCII after the score: ids are, and control characters
                                # (which \S lets through in ECMA regexes) are cleaned out of queries
                                "pattern": r"^([01]:-?[0-9]+\.?[0-9]*(e[+-]?[0-9]+)?:[!-~]+)?$",
                            },
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "comparisons": {"type": "array", "items": _ref("Comparison")},
                                    "next": {"type": ["string", "null"]},
                                },
                            }
                        ),
                        **_errors(400, 401),
                    },
                },
            },
            "/api/parties": {
                "get": {"summary": "The party registry", "responses": {"200": _json(_ref("Registry"))}},
                "put": {
                    "summary": "Replace the party registry (stored claims are re-tagged)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Registry")}},
                    },
                    "responses": {"200": _json(_ref("Registry")), **_errors(400, 401, 415, 422)},
                },
            },
            "/api/feedback": {
                "post": {
                    "summary": "A verdict on a comparison, or a corrected party for a claim",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Feedback")}},
                    },
                    "responses": {"201": _json({"type": "object"}), **_errors(400, 401, 404, 415, 422)},
                },
            },
        },
    }
