import json
from pathlib import Path

import pytest

from stance.app import create_app

WIRE = Path(__file__).parent / "data" / "hanoi-wire-style.txt"
SHORT = "The strike will go on until wages rise, union leader Ana Lima said on Monday."


def post_json(client, data, **kwargs):
    return client.post("/api/articles", data=json.dumps(data), content_type="application/json", **kwargs)


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_health(bare_client):
    body = bare_client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["schema"] == 3 and body["articles"] == 0


def test_post_article_returns_the_contract_document(client, seed_text):
    response = post_json(client, {"text": seed_text, "source": "AFP", "published": "2019-03-01"})
    assert response.status_code == 201
    doc = response.get_json()
    assert set(doc) >= {"article", "claims", "issues", "comparisons", "model"}
    text = doc["article"]["text"]
    assert text == seed_text and doc["article"]["source"] == "AFP"
    assert response.headers["Location"].endswith(doc["article"]["id"])
    assert len(doc["claims"]) >= 20
    for claim in doc["claims"]:
        assert text[claim["start"] : claim["end"]] == claim["text"]
        assert claim["kind"] in ("direct", "indirect", "according_to")
        for span in ("speaker_span", "cue_span"):
            if claim[span]:
                assert 0 <= claim[span][0] < claim[span][1] <= len(text)
    parties = {c["party"] for c in doc["claims"]}
    assert {"us", "dprk", "rok", "analysts"} <= parties
    issue_ids = {i["id"] for i in doc["issues"]}
    assert all(c["issue"] in issue_ids for c in doc["claims"] if c["issue"])
    assert doc["model"]["name"]


def test_same_text_again_returns_the_stored_article(bare_client):
    first = post_json(bare_client, {"text": SHORT})
    again = post_json(bare_client, {"text": SHORT, "title": "another title"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["article"]["id"] == again.get_json()["article"]["id"]
    assert len(bare_client.get("/api/articles").get_json()["articles"]) == 1


def test_plain_text_and_html_bodies(bare_client):
    plain = bare_client.post("/api/articles", data=SHORT.encode(), content_type="text/plain; charset=utf-8")
    assert plain.status_code == 201
    [claim] = [c for c in plain.get_json()["claims"] if "wages" in c["text"]]
    assert claim["speaker"].endswith("Ana Lima")
    page = (
        "<html><head><title>Port dispute</title><script>alert('x')</script></head><body><article>"
        "<p>Owners said on Tuesday that the port would reopen within days.</p>"
        "<p>&quot;We will not go back without a contract,&quot; the union said.</p></article></body></html>"
    )
    html = bare_client.post("/api/articles", data=page, content_type="text/html")
    assert html.status_code == 201
    text = html.get_json()["article"]["text"]
    assert "the port would reopen" in text and "alert" not in text and "<p>" not in text


def test_batch_is_all_or_nothing_on_bad_items(bare_client):
    bad = post_json(bare_client, [{"text": SHORT}, {"text": ""}, {"text": "x"}])
    body = assert_problem(bad, 422)
    assert body["index"] == 1
    assert bare_client.get("/api/articles").get_json()["articles"] == []
    good = post_json(bare_client, [{"text": SHORT}, {"text": "Prices will fall, the minister said."}])
    assert good.status_code == 201 and len(good.get_json()) == 2
    assert_problem(post_json(bare_client, []), 422)


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("{not json", "application/json", 400),
        ('{"text": "a"', "application/json", 400),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400),
        ('"just a string"', "application/json", 422),
        ("42", "application/json", 422),
        ('{"text": 42}', "application/json", 422),
        ('{"text": "   "}', "application/json", 422),
        ('{"title": "no text"}', "application/json", 422),
        ('{"text": "ok", "url": ["x"]}', "application/json", 422),
        ("text", "application/xml", 415),
        ("text", "multipart/form-data", 415),
        (b"\xff\xfe\x00bad", "text/plain", 400),
        (b"\xc3\x28", "application/json", 400),
        ("", "text/plain", 422),
    ],
)
def test_bad_article_input_is_a_problem_and_stores_nothing(bare_client, body, content_type, status):
    post_json(bare_client, {"text": SHORT})
    response = bare_client.post("/api/articles", data=body, content_type=content_type)
    assert_problem(response, status)
    assert len(bare_client.get("/api/articles").get_json()["articles"]) == 1


def test_hostile_but_valid_text_is_stored(bare_client):
    text = "Le ministre a dit «non». \u202eRTL\u202c مرحبا 😀 said\r\nNUL\x00 here, lone \ud800 end."
    response = post_json(bare_client, {"text": text})
    assert response.status_code == 201
    stored = response.get_json()["article"]["text"]
    assert "\x00" not in stored and "\r" not in stored and "😀" in stored and "\ufffd" in stored


def test_body_size_limit(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.db"), "MODEL_PATH": None, "MAX_CONTENT_LENGTH": 1000})
    response = app.test_client().post("/api/articles", data="x" * 5000, content_type="text/plain")
    assert_problem(response, 413)


def test_unknown_ids_and_methods(bare_client):
    assert_problem(bare_client.get("/api/articles/nope"), 404)
    assert_problem(bare_client.delete("/api/articles/nope"), 404)
    assert_problem(bare_client.get("/api/issues/i999"), 404)
    assert_problem(bare_client.get("/no/such/page/api"), 404)
    response = bare_client.put("/api/articles")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]
    assert_problem(bare_client.get("/api/articles?limit=abc"), 400)
    assert_problem(bare_client.get("/api/articles?limit=0"), 400)
    assert_problem(bare_client.get("/api/comparisons?relation=maybe"), 400)


def test_list_get_delete(bare_client):
    ids = [
        post_json(bare_client, {"text": f"Talks failed, delegate {i} said."}).get_json()["article"]["id"]
        for i in range(5)
    ]
    page = bare_client.get("/api/articles?limit=2").get_json()
    assert [a["id"] for a in page["articles"]] == ids[::-1][:2]
    rest = bare_client.get(f"/api/articles?limit=10&after={page['next']}").get_json()
    assert [a["id"] for a in rest["articles"]] == ids[::-1][2:] and rest["next"] is None
    doc = bare_client.get(f"/api/articles/{ids[0]}").get_json()
    assert doc["article"]["text"] == "Talks failed, delegate 0 said."
    assert bare_client.delete(f"/api/articles/{ids[0]}").status_code == 204
    assert_problem(bare_client.get(f"/api/articles/{ids[0]}"), 404)


def test_claims_filters(bare_client, seed_text):
    article = post_json(bare_client, {"text": seed_text}).get_json()["article"]["id"]
    us = bare_client.get("/api/claims?party=us").get_json()["claims"]
    assert us and all(c["party"] == "us" and c["article"] == article for c in us)
    found = bare_client.get("/api/claims?q=sanctions").get_json()["claims"]
    assert found and all(
        "sanction" in c["text"].lower() or "sanction" in (c["speaker"] or "").lower() for c in found
    )
    moon = bare_client.get("/api/claims?speaker=Moon").get_json()["claims"]
    assert moon and all("Moon" in c["speaker"] for c in moon)
    assert bare_client.get("/api/claims?article=nope").get_json()["claims"] == []
    hostile = bare_client.get(
        "/api/claims", query_string={"q": "x' OR 1=1; DROP TABLE claims; --", "party": "' or 1=1"}
    )
    assert hostile.status_code == 200 and hostile.get_json()["claims"] == []
    assert bare_client.get("/api/claims?party=us").get_json()["claims"] == us


def test_client_tagged_claims(bare_client):
    text = "Ana Lima spoke. The strike will go on until wages rise. Owners disagree."
    response = bare_client.post(
        "/api/claims",
        json={
            "article": {"text": text},
            "claims": [
                {"text": "The strike will go on until wages rise", "party": "analysts", "speaker": "Ana Lima"}
            ],
        },
    )
    assert response.status_code == 201
    doc = response.get_json()
    [claim] = [c for c in doc["claims"] if c["origin"] == "client"]
    assert claim["party"] == "analysts" and text[claim["start"] : claim["end"]] == claim["text"]
    article_id = doc["article"]["id"]
    more = bare_client.post(
        "/api/claims", json={"article_id": article_id, "claims": [{"start": 56, "end": 72, "party": "us"}]}
    )
    assert more.status_code == 201
    assert {c["text"] for c in more.get_json()["claims"]} >= {"Owners disagree.", claim["text"]}
    for bad in (
        {"article_id": article_id, "claims": [{"text": "not in the article", "party": "us"}]},
        {"article_id": article_id, "claims": [{"start": 5, "end": 2}]},
        {"article_id": article_id, "claims": [{"start": 0, "end": 3, "party": "martians"}]},
        {"article_id": article_id, "claims": []},
        {"claims": [{"text": "x"}]},
    ):
        assert_problem(bare_client.post("/api/claims", json=bad), 422)
    assert_problem(
        bare_client.post("/api/claims", json={"article_id": "nope", "claims": [{"text": "x"}]}), 404
    )


def test_parties_read_replace_and_retag(bare_client):
    registry = bare_client.get("/api/parties").get_json()
    assert set(registry) == {"us", "dprk", "rok", "analysts"}
    post_json(bare_client, {"text": SHORT})
    [claim] = bare_client.get("/api/claims").get_json()["claims"]
    assert claim["party"] is None
    registry["union"] = {"name": "Dockworkers", "aliases": ["Ana Lima", "union leader"]}
    response = bare_client.put("/api/parties", json=registry)
    assert response.status_code == 200 and response.headers["X-Claims-Retagged"] == "1"
    assert bare_client.get("/api/claims").get_json()["claims"][0]["party"] == "union"
    assert "union" in bare_client.get("/api/parties").get_json()
    assert_problem(bare_client.put("/api/parties", json={"bad id!": {"name": "x", "aliases": []}}), 422)
    assert_problem(bare_client.put("/api/parties", json={}), 422)
    assert_problem(bare_client.put("/api/parties", data="[]", content_type="application/json"), 422)
    assert "union" in bare_client.get("/api/parties").get_json()


def test_stored_article_survives_a_restart(tmp_path, model, seed_text):
    config = {"DATABASE": str(tmp_path / "keep.db"), "MODEL": model}
    first = create_app(config).test_client()
    doc = post_json(first, {"text": seed_text, "title": "Hanoi"}).get_json()
    second = create_app(config).test_client()
    again = second.get(f"/api/articles/{doc['article']['id']}").get_json()
    assert again == doc


def test_seed_conflicts_are_compared(client, seed_text):
    doc = post_json(client, {"text": seed_text}).get_json()
    conflicts = [k for k in doc["comparisons"] if k["relation"] == "conflict"]
    assert any({k["a"]["party"], k["b"]["party"]} == {"us", "dprk"} for k in conflicts)
    claims = {c["id"]: c for c in doc["claims"]}
    sanctions = [
        k for k in conflicts
        if any("some of the measures" in claims[c]["text"] for side in "ab" for c in k[side]["claims"])
    ]  # fmt: skip
    assert sanctions, "the sanctions conflict is missing"
    assert all(0.0 <= k["score"] <= 1.0 for k in doc["comparisons"])
    listed = client.get("/api/comparisons?relation=conflict&party=dprk").get_json()["comparisons"]
    assert listed and all(k["relation"] == "conflict" for k in listed)
    assert all("dprk" in (k["a"]["party"], k["b"]["party"]) for k in listed)
    assert all(
        c["article"] == doc["article"]["id"] and c["text"]
        for k in listed
        for s in "ab"
        for c in k[s]["claims"]
    )
    issues = client.get("/api/issues").get_json()["issues"]
    assert issues and issues[0]["conflicts"] >= 1
    issue = client.get(f"/api/issues/{issues[0]['id']}").get_json()
    assert len(issue["parties"]) >= 2 and issue["comparisons"]


def test_comparisons_pair_claims_across_articles(client, seed_text):
    first = post_json(client, {"text": seed_text, "source": "AFP"}).get_json()["article"]["id"]
    second = post_json(client, {"text": WIRE.read_text(encoding="utf-8"), "source": "Wire"}).get_json()[
        "article"
    ]["id"]
    comparisons = client.get("/api/comparisons").get_json()["comparisons"]
    across = [
        k for k in comparisons
        if {c["article"] for c in k["a"]["claims"] + k["b"]["claims"]} == {first, second}
    ]  # fmt: skip
    assert across, "no comparison pairs a claim of one article with a claim of the other"
    by_article = client.get(f"/api/comparisons?article={second}").get_json()["comparisons"]
    assert by_article and all(
        second in {c["article"] for c in k["a"]["claims"] + k["b"]["claims"]} for k in by_article
    )


def test_feedback_on_comparisons_and_claims(client, seed_text):
    doc = post_json(client, {"text": seed_text}).get_json()
    [comparison] = doc["comparisons"][:1]
    right = client.post("/api/feedback", json={"comparison": comparison["id"], "verdict": "wrong"})
    assert right.status_code == 201
    record = right.get_json()
    assert record["relation"] == "none" and record["text_a"] and record["text_b"]
    claim = doc["claims"][0]
    fixed = client.post(
        "/api/feedback", json={"article": doc["article"]["id"], "claim": claim["id"], "party": "rok"}
    )
    assert fixed.status_code == 201
    again = client.get(f"/api/articles/{doc['article']['id']}").get_json()
    assert again["claims"][0]["party"] == "rok"
    assert_problem(client.post("/api/feedback", json={"comparison": "k999", "verdict": "right"}), 404)
    assert_problem(
        client.post("/api/feedback", json={"comparison": comparison["id"], "verdict": "maybe"}), 422
    )
    assert_problem(
        client.post(
            "/api/feedback", json={"article": doc["article"]["id"], "claim": "c1", "party": "nobody"}
        ),
        422,
    )
    assert_problem(client.post("/api/feedback", json={}), 422)


def test_openapi_and_docs(bare_client):
    spec = bare_client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/articles", "/api/claims", "/api/comparisons", "/api/parties", "/api/issues"} <= set(
        spec["paths"]
    )
    docs = bare_client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.data.lower()
    bundle = bare_client.get("/api/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.data) > 100_000  # served locally, no CDN
    bundle.close()


def test_api_key_guards_writes_only(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "k.db"), "MODEL_PATH": None, "API_KEY": "s3cret"})
    client = app.test_client()
    assert_problem(post_json(client, {"text": SHORT}), 401)
    assert_problem(post_json(client, {"text": SHORT}, headers={"Authorization": "Bearer wrong"}), 401)
    assert post_json(client, {"text": SHORT}, headers={"Authorization": "Bearer s3cret"}).status_code == 201
    assert post_json(client, {"text": SHORT + " Yes."}, headers={"X-API-Key": "s3cret"}).status_code == 201
    assert client.get("/api/articles").status_code == 200
    assert_problem(client.put("/api/parties", json={"a": {"name": "A", "aliases": []}}), 401)


def test_read_key_guards_reads(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "r.db"), "MODEL_PATH": None, "READ_KEY": "look"})
    client = app.test_client()
    assert_problem(client.get("/api/articles"), 401)
    assert client.get("/api/articles", headers={"X-API-Key": "look"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_dashboard_accepts_a_read_key_into_the_session(tmp_path):
    app = create_app(
        {
            "DATABASE": str(tmp_path / "rk.db"),
            "MODEL_PATH": None,
            "API_KEY": "w",
            "READ_KEY": "r",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    assert client.post("/key", data={"api_key": "r"}).status_code == 303
    assert client.get("/api/articles").status_code == 200
    assert_problem(post_json(client, {"text": SHORT}), 401)
    assert client.post("/key", data={"api_key": "nope"}).status_code == 401


def test_the_form_secret_is_kept_beside_the_database(tmp_path):
    from stance.app import create_app, stored_secret

    db = str(tmp_path / "a.db")
    first = create_app({"TESTING": True, "DATABASE": db, "MODEL_PATH": None}).config["SECRET_KEY"]
    again = create_app({"TESTING": True, "DATABASE": db, "MODEL_PATH": None}).config["SECRET_KEY"]
    assert first == again and len(first) >= 32
    assert (tmp_path / "a.db.secret").stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".secret-")]
    other = create_app({"TESTING": True, "DATABASE": str(tmp_path / "b.db"), "MODEL_PATH": None})
    assert other.config["SECRET_KEY"] != first
    given = create_app({"TESTING": True, "DATABASE": db, "MODEL_PATH": None, "SECRET_KEY": "x" * 40})
    assert given.config["SECRET_KEY"] == "x" * 40
    assert stored_secret(":memory:") != stored_secret(":memory:")


def test_the_log_is_checkpointed_after_every_nth_write_not_inside_commits(tmp_path, monkeypatch):
    from stance import app as app_module
    from stance.store import Store

    done = []
    monkeypatch.setattr(Store, "checkpoint", lambda self: done.append(self.path) or (0, 0, 0))
    monkeypatch.setattr(app_module, "_writes_since_checkpoint", 0)
    db = str(tmp_path / "w.db")
    app = create_app({"TESTING": True, "DATABASE": db, "MODEL_PATH": None, "CHECKPOINT_EVERY": 2})
    client = app.test_client()
    with app.app_context():  # the app's connections leave SQLite's own checkpoint as a backstop
        pages = app_module.get_store().db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        assert pages == app_module.BACKSTOP_CHECKPOINT_PAGES
    client.post("/api/articles", json={"text": "Ana said the port would open."}).close()
    client.post("/api/articles", json={"text": ""}).close()  # refused: not a write
    client.get("/api/articles").close()
    assert done == []
    response = client.post("/api/articles", json={"text": "Bo said the port would stay shut."})
    assert done == []  # not before the response is sent (closed)
    response.close()
    assert done == [str(Path(db).absolute())]


def test_the_wsgi_entry_point_freezes_what_it_loaded(tmp_path):
    """gunicorn imports stance.wsgi in its master: the model and the app are moved out of the cyclic
    collector's reach there, before the workers fork."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "STANCE_DB": str(tmp_path / "w.db"), "STANCE_LOAD_SEED": "0"}
    code = "import gc, stance.wsgi; print(gc.get_freeze_count(), stance.wsgi.app.extensions['stance.model'] is not None)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    frozen, has_model = out.stdout.split()
    assert int(frozen) > 10_000 and has_model == "True"
