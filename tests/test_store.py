import sqlite3

import pytest

from stance.document import Analysis, Article, Claim
from stance.store import MIGRATIONS, NotFound, Store, fts_query


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "t.db")
    yield store
    store.close()


def analysis(text, claims=()):
    return Analysis(article=Article(text=text, title="T"), claims=list(claims), model={"name": "m"})


def claim(cid, text, start, party=None, speaker="Ana"):
    return Claim(id=cid, text=text, start=start, end=start + len(text), party=party, speaker=speaker)


def test_migrations_are_numbered_and_idempotent(store, tmp_path):
    assert store.schema_version() == len(MIGRATIONS) == 2
    assert store.migrate() == 2
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    reopened = Store.open(tmp_path / "t.db")
    assert reopened.schema_version() == 2
    assert {"articles", "claims", "issues", "comparisons", "feedback", "claims_fts"} <= set(
        reopened.db.table_names()
    )


def test_add_article_stores_it_whole_and_once(store):
    text = "Ana said the port would reopen."
    first, created = store.add_article(analysis(text, [claim("c1", "the port would reopen", 9)]))
    again, created_again = store.add_article(analysis(text))
    assert created and not created_again and first == again
    row = store.get_article_row(first)
    assert row["text"] == text and row["model"] == {"name": "m"}
    [stored] = store.claims_for_article(first)
    assert text[stored.start : stored.end] == stored.text == "the port would reopen"


def test_failed_write_changes_nothing(store):
    text = "Ana said yes."
    bad = analysis(text, [claim("c1", "yes", 9), claim("c1", "yes", 9)])  # duplicate key
    with pytest.raises(sqlite3.IntegrityError):
        store.add_article(bad)
    assert store.count_articles() == 0
    assert store.db.execute("select count(*) from claims").fetchone()[0] == 0


def test_keyset_pagination_walks_every_article_once(store):
    ids = [store.add_article(analysis(f"Article number {i}."))[0] for i in range(7)]
    seen, token = [], None
    while True:
        page, token = store.list_articles(after=token, limit=3)
        seen += [a["id"] for a in page]
        if token is None:
            break
    assert seen == list(reversed(ids))


def test_find_claims_filters_and_full_text_search(store):
    text = "Ana said tariffs would rise. Bo said wages would fall."
    store.add_article(
        analysis(
            text,
            [claim("c1", "tariffs would rise", 9, "gov"), claim("c2", "wages would fall", 37, "union", "Bo")],
        )
    )
    assert [c.id for c in store.find_claims(party="union")[0]] == ["c2"]
    assert [c.id for c in store.find_claims(q="tariff")[0]] == ["c1"]  # porter stemming
    assert [c.id for c in store.find_claims(speaker="Bo")[0]] == ["c2"]
    assert store.find_claims(q="' OR 1=1 --")[0] == []
    assert store.find_claims(party="x' or '1'='1")[0] == []
    assert store.find_claims(q="***")[0] == []


def test_fts_query_quotes_every_word():
    assert fts_query('all "the" NEAR(x') == '"all" "the" "NEARx"'
    assert fts_query("  ") is None


def test_comparisons_round_trip_and_delete_cascades(store):
    text = "Ana said all. Bo said some."
    a, _ = store.add_article(
        analysis(text, [claim("c1", "all", 9, "gov"), claim("c2", "some", 22, "union", "Bo")])
    )
    issue = store.new_issue("amount")
    store.set_claim_issues(a, {"c1": issue, "c2": issue})
    store.replace_comparisons(
        issue,
        [
            {
                "relation": "conflict",
                "score": 0.9,
                "contrast": [["all", "some"]],
                "a": {"party": "gov", "claims": [{"article": a, "id": "c1"}]},
                "b": {"party": "union", "claims": [{"article": a, "id": "c2"}]},
            }
        ],
    )
    [k] = store.find_comparisons(article=a)
    assert k["relation"] == "conflict" and k["contrast"] == [["all", "some"]] and k["issue_label"] == "amount"
    assert store.list_issues()[0]["conflicts"] == 1
    store.delete_article(a)
    assert store.find_comparisons() == []
    with pytest.raises(NotFound):
        store.get_issue(issue)
    with pytest.raises(NotFound):
        store.get_article_row(a)


def test_settings_and_feedback(store):
    store.put_setting("parties", "{}")
    store.put_setting("parties", '{"a": 1}')
    assert store.get_setting("parties") == '{"a": 1}'
    fid = store.add_feedback(
        {"target": "comparison", "verdict": "wrong", "relation": "none", "text_a": "x", "text_b": "y"}
    )
    assert store.list_feedback()[0]["id"] == fid


def test_nested_writes_commit_or_roll_back_together(store):
    with pytest.raises(RuntimeError), store.write():
        store.add_article(analysis("Ana said the port would reopen."))
        store.new_issue("port")
        raise RuntimeError("crash before the outer commit")
    assert store.count_articles() == 0 and store.list_issues(min_claims=0) == []
    with store.write():
        article_id, _ = store.add_article(analysis("Ana said yes.", [claim("c1", "yes", 9)]))
        issue = store.new_issue("answer")
        store.set_claim_issues(article_id, {"c1": issue})
    assert store.claims_for_article(article_id)[0].issue == issue


def test_candidates_come_from_the_recent_window_and_share_two_terms(store):
    issue = store.new_issue("port")
    for i in range(5):
        text = f"Dockers {i} said the port strike over wages would go on."
        article_id, _ = store.add_article(
            analysis(text, [claim("c1", "the port strike over wages would go on", 13)])
        )
        store.set_claim_issues(article_id, {"c1": issue})
    found = store.candidate_claims(["strike", "wages", "harbour"], exclude_article="none", limit=10)
    assert len(found) == 5
    assert store.candidate_claims(["strike", "harbour"], exclude_article="none") == []
    recent = store.candidate_claims(["strike", "wages"], exclude_article="none", limit=10, window=2)
    assert len(recent) == 2
