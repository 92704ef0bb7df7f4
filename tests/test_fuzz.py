"""Hostile input, access control and model-file trust, with hypothesis where a property says it best.

Properties: whatever text a client posts, the service stores exactly the normalised text (no NUL,
no CR, no lone surrogate), every claim's offsets point into it, and it reads back the same; no JSON
value, query string or id makes it answer 5xx; every error is an RFC 9457 problem document.
"""

from __future__ import annotations

import hmac
import json
import os
import pickle
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stance.app import create_app
from stance.ingest import MAX_TEXT_CHARS, clean_text
from stance.modelfile import ModelError, load_model, save_model, sha256_file

SAID = "Talks will resume on Monday, union leader Ana Lima said."
FUZZ = settings(
    max_examples=int(os.environ.get("STANCE_FUZZ_EXAMPLES", "60")),  # raise it for a deeper run
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
FRAGMENTS = [
    "\x00", "\r\n", "\r", "\n\n", "\t", "\x0b", "\x7f", "\ufeff", "\u200b", "\u202e", "\u2066", "\u200f",
    "\ud800", "\udfff", "\udbff\udc00", "e\u0301", "مرحبا", "שלום", "😀", "👩\u200d👩\u200d👧", "\U0010ffff",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "]]>", "' OR 1=1; --",
    '"; DROP TABLE articles; --', "%s%n", "{{7*7}}", "${jndi:x}", "\\", '"', "“", "”", "«", "»",
    ' said ', ' told reporters ', ', according to ', "Ana Lima", '"We will not move," she said. ',
]  # fmt: skip
SQLISH = [
    "' OR '1'='1", "1; DROP TABLE claims; --", '" OR ""="', "%", "_", "\\", "*", "NEAR", "AND OR NOT",
    '"unterminated', "claims_fts MATCH '*'", "') UNION SELECT text FROM articles --", "\x00", "-1", "1e3",
    "9" * 40, "0x10", " 5", "١٢", "²", "null", "[]", "{}", "𝟙𝟚",
]  # fmt: skip
ANY_CHAR = st.characters(codec=None, exclude_categories=())  # surrogates and control characters too


def hostile_text() -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHAR, max_size=12))
    return st.lists(pieces, max_size=25).map("".join)


def json_values() -> st.SearchStrategy[object]:
    names = (
        "text html title url claims article article_id replace start end party kind speaker confidence "
        "comparison verdict relation claim name aliases us"
    ).split()
    keys = st.one_of(
        st.sampled_from(names),
        st.text(max_size=8),
    )
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True), st.text(ANY_CHAR, max_size=20),
        st.sampled_from(["direct", "agree", "conflict", "right", "wrong", "us", "c1", "k1", "i1", SAID]),
    )  # fmt: skip
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=12,
    )


def assert_problem(response, status: int | None = None) -> dict:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if status is not None:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.status_code >= 400
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.get_data())
    assert body["status"] == response.status_code and body["title"] and body["detail"] and body["type"]
    return body


def assert_sane(response) -> None:
    """Never a 5xx; any error is a problem document."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert_problem(response)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app (no model: fast) for the whole module, holding one article with a claim."""
    app = create_app(
        {"TESTING": True, "DATABASE": str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"), "MODEL_PATH": None}
    )
    app.test_client().post("/api/articles", json={"text": SAID})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def article_count(client) -> int:
    return client.get("/healthz").get_json()["articles"]


# -- text in, the same text out ---------------------------------------------------------------


@FUZZ
@given(text=hostile_text())
def test_any_posted_text_is_stored_normalised_with_claims_inside_it(client, text):
    response = client.post("/api/articles", data=json.dumps({"text": text}), content_type="application/json")
    expected = clean_text(json.loads(json.dumps(text)))  # JSON joins an escaped surrogate pair into one
    if not expected.strip():
        assert_problem(response, 422)
        return
    assert response.status_code in (200, 201), response.get_data(as_text=True)[:500]
    doc = response.get_json()
    stored = doc["article"]["text"]
    assert stored == expected
    assert "\x00" not in stored and "\r" not in stored
    stored.encode("utf-8")  # no lone surrogate survives: this would raise
    for claim in doc["claims"]:
        assert 0 <= claim["start"] < claim["end"] <= len(stored)
        assert stored[claim["start"] : claim["end"]] == claim["text"]
        for span in ("speaker_span", "cue_span", "sentence_span"):
            if claim.get(span):
                assert 0 <= claim[span][0] <= claim[span][1] <= len(stored)
    again = client.get(f"/api/articles/{doc['article']['id']}")
    assert again.status_code == 200 and again.get_json()["article"]["text"] == expected


@FUZZ
@given(text=hostile_text())
def test_plain_text_bodies_are_utf8_or_refused(client, text):
    body = text.encode("utf-8", "surrogatepass")
    response = client.post("/api/articles", data=body, content_type="text/plain; charset=utf-8")
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        assert_problem(response, 400)  # encoded surrogates are not UTF-8
    elif not clean_text(text.removeprefix("\ufeff")).strip():
        assert_problem(response, 422)
    else:
        assert response.status_code in (200, 201)
        assert response.get_json()["article"]["text"] == clean_text(text.removeprefix("\ufeff"))


@FUZZ
@given(html=hostile_text())
def test_html_bodies_never_fail(client, html):
    page = f"<html><body><article><p>{html}</p><script>alert('x')</script></article></body></html>"
    response = client.post("/api/articles", data=page.encode("utf-8", "replace"), content_type="text/html")
    assert_sane(response)
    if response.status_code < 300:
        assert "alert(" not in response.get_json()["article"]["text"]


def test_hostile_text_examples(client):
    """The cases the issue names, one by one."""
    cases = {
        "crlf": ("Line one.\r\nLine two,\r\nshe said.\r", "Line one.\nLine two,\nshe said.\n"),
        "nul": ("Talks\x00 resumed, he said.", "Talks resumed, he said."),
        "surrogate": ("Bad \ud800 char, he said.", "Bad \ufffd char, he said."),
        "rtl": ("\u202eقال الوزير إن المحادثات فشلت\u202c", "\u202eقال الوزير إن المحادثات فشلت\u202c"),
        "emoji": ('"We won 🎉👩\u200d👩\u200d👧," she said.', '"We won 🎉👩\u200d👩\u200d👧," she said.'),
        "script": (
            '<script>alert("x")</script> "No," the <b>minister</b> said.',
            '<script>alert("x")</script> "No," the <b>minister</b> said.',
        ),
    }
    for name, (sent, stored) in cases.items():
        response = client.post("/api/articles", json={"text": sent})
        assert response.status_code in (200, 201), name
        assert response.mimetype == "application/json", name  # posted HTML comes back as JSON text
        assert response.get_json()["article"]["text"] == stored, name
    for blank in ("", " ", "\n\r\n\t ", "\x00\x01", "\u3000\u2003"):
        assert_problem(client.post("/api/articles", json={"text": blank}), 422)
        assert_problem(client.post("/api/articles", data=blank.encode(), content_type="text/plain"), 422)
    assert_problem(client.post("/api/articles", data=b"\xed\xa0\x80 said", content_type="text/plain"), 400)
    assert_problem(
        client.post("/api/articles", data=b'{"text": "\xed\xa0\x80 x"}', content_type="application/json"),
        400,
    )


def test_text_longer_than_the_limit_is_413(client):
    before = article_count(client)
    big = "Talks resumed, he said. " * (MAX_TEXT_CHARS // 20)
    assert_problem(client.post("/api/articles", json={"text": big}), 413)
    assert article_count(client) == before


# -- bodies: size, type, shape ----------------------------------------------------------------

JSON_WRITES = [
    ("POST", "/api/articles"),
    ("POST", "/api/claims"),
    ("POST", "/api/feedback"),
    ("PUT", "/api/parties"),
]
TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        *[(method, path, "application/json") for method, path in JSON_WRITES],
        ("POST", "/api/articles", "text/plain"),
        ("POST", "/api/articles", "text/html"),
    ],
)
def test_ten_megabyte_bodies_are_413(client, method, path, content_type):
    body = b'{"text": "' + b"a" * TEN_MB + b'"}'
    response = client.open(path, method=method, data=body, content_type=content_type)
    assert_problem(response, 413)


def test_ten_megabytes_without_content_length_is_413(client):
    """A streamed (chunked) body has no Content-Length; the limit still holds."""
    import io

    response = client.post(
        "/api/articles",
        input_stream=io.BytesIO(b"x" * TEN_MB),
        content_type="text/plain",
        environ_overrides={"wsgi.input_terminated": True},
        headers={"Transfer-Encoding": "chunked"},
    )
    assert_problem(response, 413)


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
@pytest.mark.parametrize(
    "content_type",
    [
        "application/xml",
        "text/csv",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        None,
    ],
)
def test_wrong_content_types_are_415(client, method, path, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.open(path, method=method, data=b'{"text": "x"}', **kwargs)
    assert_problem(response, 415)


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"text": "a"',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b"\xff\xfe{}",
        b"NaN-ish",
        b"",
    ],
    ids=["bad", "cut", "deep-list", "deep-object", "bad-utf8", "word", "empty"],
)
def test_malformed_and_deeply_nested_json_is_400(client, method, path, body):
    before = article_count(client)
    assert_problem(client.open(path, method=method, data=body, content_type="application/json"), 400)
    assert article_count(client) == before


@FUZZ
@given(value=json_values(), route=st.sampled_from(JSON_WRITES))
def test_any_json_value_on_any_write_route_is_never_a_server_error(client, value, route):
    method, path = route
    response = client.open(path, method=method, data=json.dumps(value), content_type="application/json")
    assert_sane(response)


@FUZZ
@given(value=json_values(), article=st.sampled_from(["text", "article_id"]))
def test_client_claims_with_any_shape_are_never_a_server_error(client, value, article):
    stored = client.get("/api/articles").get_json()["articles"][-1]["id"]
    target = {"article_id": stored} if article == "article_id" else {"article": {"text": SAID}}
    claims = value if isinstance(value, list) else [value]
    response = client.post("/api/claims", json={**target, "claims": claims})
    assert_sane(response)


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 2, 10))
@given(name=hostile_text(), alias=hostile_text(), party=st.sampled_from(["x", "x-1", "X.y_z"]))
def test_hostile_party_names_break_no_page(tmp_path, name, alias, party):
    """A registry is shown on every page: whatever names a client gives, no page may fail."""
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "p.db"), "MODEL_PATH": None})
    client = app.test_client()
    registry = {party: {"name": name, "aliases": [alias, "Ana Lima"]}}
    response = client.put("/api/parties", data=json.dumps(registry), content_type="application/json")
    assert_sane(response)
    if response.status_code != 200:
        # refused only for an empty name or an alias over the registry's 200 characters
        too_long = len(" ".join(clean_text(alias).split())) > 200
        assert too_long or not clean_text(json.loads(json.dumps(name))).strip()
        return
    stored = client.get("/api/parties").get_json()[party]
    assert stored["name"] == clean_text(json.loads(json.dumps(name))).strip()
    assert client.post("/api/articles", json={"text": SAID}).status_code in (200, 201)
    for url in read_routes(app):
        for accept in ("text/html", "application/json"):
            page = client.get(url, headers={"Accept": accept})
            assert page.status_code < 500, (url, accept, page.get_data(as_text=True)[:300])


def test_a_refused_claims_request_stores_nothing(client):
    before = article_count(client)
    new = {"text": "A text never posted before. Talks failed, she said."}
    for bad in (
        {"article": new, "claims": [{"text": "not in the article"}]},
        {"article": new, "claims": "x"},
        {"article": new, "claims": [{"start": 0, "end": 3, "party": "martians"}]},
        {"article": new, "claims": [{"start": 0, "end": 3}], "replace": "false"},
    ):
        assert_problem(client.post("/api/claims", json=bad), 422)
    assert article_count(client) == before


def test_replace_must_be_a_boolean(client):
    """ "false" is truthy: taken as true it would delete the article's extracted claims."""
    stored = client.get("/api/articles").get_json()["articles"][-1]["id"]
    claims = client.get(f"/api/articles/{stored}").get_json()["claims"]
    for value in ("false", 0, None, [], "yes"):
        body = {"article_id": stored, "claims": [{"start": 0, "end": 5}], "replace": value}
        assert_problem(client.post("/api/claims", json=body), 422)
    assert client.get(f"/api/articles/{stored}").get_json()["claims"] == claims


# -- query strings and ids ---------------------------------------------------------------------

FILTERS = {
    "/api/claims": ["party", "speaker", "article", "q", "issue", "after", "limit"],
    "/api/comparisons": ["party", "article", "issue", "relation", "limit"],
    "/api/articles": ["after", "limit"],
    "/api/issues": ["min_claims", "limit"],
}


@pytest.mark.parametrize("path", sorted(FILTERS))
def test_sql_looking_strings_in_every_filter(client, path):
    before = client.get("/api/claims").get_json()["claims"]
    count = article_count(client)
    for name in FILTERS[path]:
        for value in SQLISH:
            response = client.get(path, query_string={name: value})
            assert_sane(response)
            assert response.status_code in (200, 400), (name, value, response.status_code)
            # An exact-match filter matches nothing here; one that cleans to nothing (a lone NUL)
            # counts as not given, like `?article=`.
            exact = name in ("party", "article", "issue") and clean_text(value) and value != "%"
            if response.status_code == 200 and exact:
                body = response.get_json()
                rows = body.get("claims", body.get("comparisons", []))
                assert rows == [], (name, value)  # no filter value matches everything
    assert article_count(client) == count
    assert client.get("/api/claims").get_json()["claims"] == before


@FUZZ
@given(
    path=st.sampled_from(sorted(FILTERS)),
    params=st.dictionaries(
        st.sampled_from(
            ["party", "speaker", "article", "q", "issue", "relation", "after", "limit", "min_claims"]
        ),
        st.one_of(st.sampled_from(SQLISH), st.text(ANY_CHAR, max_size=30), st.integers().map(str)),
        max_size=5,
    ),
)
def test_any_query_string_is_never_a_server_error(client, path, params):
    query = "&".join(f"{k}={_quote(v)}" for k, v in params.items())
    response = client.get(f"{path}?{query}")
    assert_sane(response)
    assert response.status_code in (200, 400)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@FUZZ
@given(ident=st.one_of(st.sampled_from(SQLISH), st.text(ANY_CHAR, min_size=1, max_size=40)))
def test_unknown_ids_are_404_everywhere(client, ident):
    quoted = _quote(ident)
    assume(quoted not in (".", "..", "%2E", "%2E%2E"))
    stored = {a["id"] for a in client.get("/api/articles?limit=500").get_json()["articles"]}
    assume(ident not in stored)
    for method, path in [
        ("GET", f"/api/articles/{quoted}"),
        ("DELETE", f"/api/articles/{quoted}"),
        ("POST", f"/api/articles/{quoted}/reanalyse"),
        ("GET", f"/api/issues/{quoted}"),
    ]:
        response = client.open(path, method=method)
        assert_sane(response)
        # 308: an id with a slash in it became an empty path segment, which Flask redirects
        assert response.status_code in (404, 405, 308), (method, path, response.status_code)
    assert_problem(client.post("/api/claims", json={"article_id": ident, "claims": [{"text": "x"}]}), 404)
    assert_problem(client.post("/api/feedback", json={"comparison": ident, "verdict": "right"}), 404)
    assert_problem(client.post("/api/feedback", json={"article": ident, "claim": "c1", "party": None}), 404)


# -- access control ------------------------------------------------------------------------------

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def write_routes(app) -> list[tuple[str, str]]:
    """Every (method, url) that writes, API and dashboard alike, read from the URL map.

    The dashboard's key form (web.store_key) writes nothing stored: it checks the key it is
    given (a read key too) itself, so the access check lets it through.
    """
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "web.store_key":
            continue
        for method in sorted(rule.methods & set(WRITE_METHODS)):
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<{arg}>", "x")
            out.append((method, url.replace("<path:x>", "x")))
    return out


def read_routes(app) -> list[str]:
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            out.append(rule.rule)
    return out


@pytest.fixture
def keyed_app(tmp_path):
    return create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "keyed.db"), "MODEL_PATH": None, "API_KEY": "w-s3cret-é"}
    )


def test_every_write_route_needs_the_api_key(keyed_app):
    client = keyed_app.test_client()
    routes = write_routes(keyed_app)
    assert {("POST", "/api/articles"), ("DELETE", "/api/articles/x"), ("PUT", "/api/parties")} <= set(routes)
    assert len(routes) >= 6
    for method, url in routes:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"X-API-Key": "w-s3cret"},  # a prefix of the key
            {"Authorization": "Basic dzpzM2NyZXQ="},
            {"Authorization": "Bearer "},
            {"X-API-Key": "w-s3cret-é" + "x"},
        ):
            response = client.open(url, method=method, json={"text": SAID}, headers=headers)
            assert response.status_code == 401, (method, url, headers)
            if url.startswith("/api/"):  # the dashboard answers its own pages with an HTML error page
                body = assert_problem(response, 401)
                assert response.headers["WWW-Authenticate"].startswith("Bearer"), (method, url)
                assert "key" in body["detail"]
        form = client.open(url, method=method, data={"api_key": "wrong", "text": SAID})
        assert form.status_code == 401, (method, url)
    assert client.get("/healthz").get_json()["articles"] == 0


def test_the_right_key_opens_every_write_route(keyed_app):
    client = keyed_app.test_client()
    key = "w-s3cret-é"
    for method, url in write_routes(keyed_app):
        for headers in (
            {"Authorization": f"Bearer {key}"},
            {"authorization": f"bearer  {key} "},
            {"X-API-Key": key},
        ):
            encoded = {k: v.encode().decode("latin-1") for k, v in headers.items()}  # headers travel as bytes
            response = keyed_app.test_client().open(url, method=method, json={"text": SAID}, headers=encoded)
            assert response.status_code != 401, (method, url, headers)
            assert response.status_code < 500, (method, url, response.get_data(as_text=True)[:300])
    assert client.get("/healthz").get_json()["articles"] == 1


def test_reads_stay_open_with_only_a_write_key(keyed_app):
    client = keyed_app.test_client()
    for url in read_routes(keyed_app):
        response = client.get(url)
        assert response.status_code != 401, url
        assert response.status_code < 500, url


def test_read_key_guards_every_read_and_does_not_open_writes(tmp_path):
    app = create_app(
        {"DATABASE": str(tmp_path / "r.db"), "MODEL_PATH": None, "API_KEY": "writer", "READ_KEY": "reader"}
    )
    client = app.test_client()
    for url in read_routes(app):
        if url == "/healthz":
            assert client.get(url).status_code == 200
            continue
        assert client.get(url).status_code == 401, url
        assert client.get(url, headers={"X-API-Key": "wrong"}).status_code == 401, url
        for key in ("reader", "writer"):
            response = client.get(url, headers={"Authorization": f"Bearer {key}"})
            assert response.status_code not in (401, 500), (url, key, response.status_code)
    for method, url in write_routes(app):
        response = client.open(url, method=method, json={"text": SAID}, headers={"X-API-Key": "reader"})
        assert response.status_code == 401, (method, url)


def test_keys_are_compared_in_constant_time(keyed_app, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    client = keyed_app.test_client()
    assert (
        client.post("/api/articles", json={"text": SAID}, headers={"X-API-Key": "guess"}).status_code == 401
    )
    assert calls and all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)
    assert (b"guess", "w-s3cret-é".encode()) in calls


@FUZZ
@given(header=st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60))
def test_any_authorization_header_is_refused_without_error(keyed_app, header):
    assume(header.strip() != "w-s3cret-é")
    client = keyed_app.test_client()
    for name in ("Authorization", "X-API-Key"):
        response = client.post("/api/articles", json={"text": SAID}, headers={name: header})
        assert response.status_code == 401, (name, header)


# -- model files -------------------------------------------------------------------------------


class _Tripwire:
    """Unpickling this creates a file: proof that a pickle was executed."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _swap_in_tripwire(tmp_path: Path) -> tuple[Path, Path]:
    """A genuine model card next to a pickle an attacker replaced: the card's hash no longer matches."""
    from sklearn.dummy import DummyClassifier

    model = DummyClassifier().fit([[0], [1]], [0, 1])
    save_model(model, tmp_path / "m", {"name": "m", "version": "1"})
    marker = tmp_path / "pwned"
    (tmp_path / "m.joblib").write_bytes(pickle.dumps(_Tripwire(marker)))
    return tmp_path / "m.joblib", marker


def test_a_swapped_pickle_is_refused_before_it_runs(tmp_path):
    path, marker = _swap_in_tripwire(tmp_path)
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(path)
    assert not marker.exists()


def test_the_app_will_not_start_on_a_swapped_model(tmp_path):
    path, marker = _swap_in_tripwire(tmp_path)
    with pytest.raises(ModelError):
        create_app({"DATABASE": str(tmp_path / "x.db"), "MODEL_PATH": str(path)})
    assert not marker.exists()


@pytest.mark.parametrize("sha", [None, "", "0" * 64, "not a hash"])
def test_a_card_without_the_right_hash_is_refused(tmp_path, sha):
    path, marker = _swap_in_tripwire(tmp_path)
    card_path = tmp_path / "m.json"
    card = json.loads(card_path.read_text())
    card["sha256"] = sha
    if sha is None:
        del card["sha256"]
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError):
        load_model(path)
    assert not marker.exists()


def test_the_hash_covers_the_whole_file(tmp_path):
    path, _ = _swap_in_tripwire(tmp_path)
    card = json.loads((tmp_path / "m.json").read_text())
    assert len(card["sha256"]) == 64 and set(card["sha256"]) <= set(string.hexdigits.lower())
    assert sha256_file(path) != card["sha256"]
