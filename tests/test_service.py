"""The archive service around the analysis: linking planned before the write lock, the read cache."""

import sqlite3

import pytest
from sqlite_utils import Database

from stance.analysis import analyze
from stance.app import registry_from
from stance.document import Analysis, Article, Claim
from stance.ingest import make_article
from stance.service import READ_CACHE, Service, _claim_dict
from stance.store import Store
from tests.test_api import WIRE, post_json


@pytest.fixture
def service(tmp_path, model, app):
    store = Store.open(tmp_path / "svc.db")
    with app.app_context():
        registry = registry_from(Store.open(app.config["DATABASE"]))
    yield Service(store, registry, model)
    store.close()


def issue_links(service, article_id):
    return {c.id: c.issue for c in service.store.claims_for_article(article_id)}


def test_a_plan_made_before_the_lock_links_as_matching_under_it_would(service, seed_text):
    seed, _ = service.ingest(make_article({"text": seed_text}))
    wire = make_article({"text": WIRE.read_text(encoding="utf-8")})
    analysis = analyze(wire, service.registry, service.model)
    article_id = service.store.article_id_of(wire.text)
    plan = service.plan_links(article_id, analysis.claims, analysis.issues)
    assert plan is not None and any(plan.targets), "the wire story joins none of the seed's issues"
    seed_issues = {c["issue"] for c in seed["claims"] if c["issue"]}
    assert {t for t in plan.targets if t} <= seed_issues
    groups = [
        [c for c in analysis.claims if c.id in issue.claims] for issue in analysis.issues if issue.claims
    ]
    # Matching again now (nothing written since) finds the same stored issues.
    assert service._matching_stored_issues(article_id, groups) == plan.targets
    assert service._plan_holds(plan, article_id)
    doc, created = service.ingest(wire)
    assert created
    linked = {c["issue"] for c in doc["claims"] if c["issue"]}
    assert {t for t in plan.targets if t} <= linked


def test_a_plan_is_dropped_when_matching_claims_were_stored_after_it(service, seed_text):
    service.ingest(make_article({"text": seed_text}))
    wire = make_article({"text": WIRE.read_text(encoding="utf-8")})
    analysis = analyze(wire, service.registry, service.model)
    article_id = service.store.article_id_of(wire.text)
    plan = service.plan_links(article_id, analysis.claims, analysis.issues)
    assert service._plan_holds(plan, article_id)
    # Another writer stores the seed story again (another copy, another id) meanwhile.
    service.ingest(make_article({"text": seed_text + "\n\nUpdated."}))
    assert not service._plan_holds(plan, article_id)
    assert not service._plan_holds(plan, "another-article")


def test_read_cache_serves_until_any_connection_writes(tmp_path):
    path = tmp_path / "cache.db"
    store = Store.open(path)
    service = Service(store, registry=None, model=None)  # type: ignore[arg-type]
    calls = []

    def count_articles():
        calls.append(1)
        return store.count_articles()

    READ_CACHE.clear()
    assert service.cached("n", count_articles) == 0
    assert service.cached("n", count_articles) == 0 and len(calls) == 1
    # A write through another connection (another worker process) moves the version on.
    other = Store(Database(sqlite3.connect(str(path))))
    other.add_article(Analysis(article=Article(text="Ana said yes.")))
    other.close()
    assert service.cached("n", count_articles) == 1 and len(calls) == 2
    assert service.cached("n", count_articles) == 1 and len(calls) == 2
    store.close()


def test_comparison_list_is_fresh_after_each_write(client, seed_text):
    doc = post_json(client, {"text": seed_text}).get_json()
    first = client.get("/api/comparisons?relation=conflict").get_json()["comparisons"]
    hits = READ_CACHE.hits
    assert client.get("/api/comparisons?relation=conflict").get_json()["comparisons"] == first
    assert READ_CACHE.hits == hits + 1
    assert first and client.get("/api/issues").get_json()["issues"]
    # A party correction changes a compared claim: the next list shows it.
    claim = first[0]["a"]["claims"][0]
    fixed = client.post(
        "/api/feedback", json={"article": claim["article"], "claim": claim["id"], "party": "rok"}
    )
    assert fixed.status_code == 201
    after = client.get("/api/comparisons?relation=conflict").get_json()["comparisons"]
    parties = {
        c["party"] for k in after for side in "ab" for c in k[side]["claims"] if c["id"] == claim["id"]
    }
    assert parties <= {"rok"}
    assert client.delete(f"/api/articles/{doc['article']['id']}").status_code == 204
    assert client.get("/api/comparisons?relation=conflict").get_json()["comparisons"] == []
    assert client.get("/api/issues").get_json()["issues"] == []


def test_claim_dicts_equal_the_contract_fields():
    claim = Claim(
        text="it would reopen", start=4, end=19, speaker="Ana", speaker_span=[0, 3], cue="said",
        cue_span=[4, 8], kind="indirect", party="gov", issue="i1", confidence=0.7, id="c1",
        sentence_span=[0, 30], speaker_resolved_from="she",
    )  # fmt: skip
    claim.origin = "client"  # type: ignore[attr-defined]
    data = _claim_dict(claim)
    assert data == {**claim.to_dict(), "origin": "client"}
    data["speaker_span"].append(9)
    assert claim.speaker_span == [0, 3], "the dict shares a list with the claim"


def test_claim_list_is_fresh_after_each_write(bare_client):
    assert bare_client.get("/api/claims").get_json()["claims"] == []
    post_json(bare_client, {"text": "The minister said the port would reopen on Monday."})
    listed = bare_client.get("/api/claims").get_json()["claims"]
    assert listed and bare_client.get("/api/claims").get_json()["claims"] == listed
    post_json(bare_client, {"text": "The union said the strike would go on until Friday."})
    assert len(bare_client.get("/api/claims").get_json()["claims"]) > len(listed)


def test_a_database_made_again_at_the_same_path_is_not_served_old_answers(tmp_path):
    path = tmp_path / "again.db"
    store = Store.open(path)
    store.add_article(Analysis(article=Article(text="Ana said yes.")))
    service = Service(store, registry=None, model=None)  # type: ignore[arg-type]
    assert service.cached("n", store.count_articles) == 1
    store.close()
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"again.db{suffix}").unlink(missing_ok=True)
    fresh = Store.open(path)
    assert Service(fresh, registry=None, model=None).cached("n", fresh.count_articles) == 0  # type: ignore[arg-type]
    fresh.close()


def test_comparison_pages_walk_the_whole_list_once_in_order(client, seed_text):
    post_json(client, {"text": seed_text})
    post_json(client, {"text": WIRE.read_text(encoding="utf-8")})
    whole = client.get("/api/comparisons").get_json()
    assert len(whole["comparisons"]) >= 3 and whole["next"] is None
    walked, token, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"after": token} if token else {})}
        body = client.get("/api/comparisons", query_string=query).get_json()
        walked += body["comparisons"]
        pages += 1
        token = body["next"]
        if token is None:
            break
    assert walked == whole["comparisons"] and pages == -(-len(walked) // 2)
    conflicts = client.get("/api/comparisons?relation=conflict&limit=1").get_json()
    if conflicts["next"]:
        second = client.get(f"/api/comparisons?relation=conflict&limit=1&after={conflicts['next']}")
        assert second.get_json()["comparisons"][0]["id"] != conflicts["comparisons"][0]["id"]
    for bad in ("x", "2:0.5:k1", "1:nan:k1", "1:0.5:", "1:abc:k1"):
        response = client.get("/api/comparisons", query_string={"after": bad})
        assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_ingest_reports_the_analysis_stages_it_ran(service, seed_text):
    stages: dict[str, float] = {}
    doc, created = service.ingest(Article(text=seed_text), timings=stages)
    assert created and doc["claims"]
    assert set(stages) == {"extraction", "reshaping", "parties", "grouping", "relations"}
    assert all(seconds >= 0 for seconds in stages.values()) and sum(stages.values()) > 0
    again: dict[str, float] = {}
    service.ingest(Article(text=seed_text), timings=again)  # stored already: nothing analysed
    assert again == {}


def test_stored_claim_dicts_are_the_claims_as_the_contract_gives_them(service, seed_text):
    doc, _ = service.ingest(Article(text=seed_text))
    article_id = doc["article"]["id"]
    claims = service.store.claims_for_article(article_id)
    keys = [(article_id, c.id) for c in claims] + [(article_id, "c999"), ("nope", "c1")]
    dicts = service.store.claim_dicts(keys)
    assert set(dicts) == {(article_id, c.id) for c in claims}  # unknown keys are left out
    for claim in claims:
        data = dicts[(article_id, claim.id)]
        assert data == _claim_dict(claim) and list(data) == list(_claim_dict(claim))  # same order
    assert any(d["speaker_span"] for d in dicts.values()) and any(d["issue"] for d in dicts.values())
