import os
import signal
import sqlite3
import threading
import time

import pytest
from sqlite_utils import Database

from stance.document import Analysis, Article, Claim
from stance.store import MIGRATIONS, NotFound, Store, _migration_1, fts_query


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
    assert store.schema_version() == len(MIGRATIONS) == 3
    assert store.migrate() == 3
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    reopened = Store.open(tmp_path / "t.db")
    assert reopened.schema_version() == 3
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


def version_one_database(path):
    """A database as the first release left it: migration 1 only, an article linked to an issue."""
    db = Database(sqlite3.connect(str(path)))
    db["migrations"].create({"version": int, "applied": str}, pk="version")
    _migration_1(db)
    db["migrations"].insert({"version": 1, "applied": "2026-11-01T00:00:00+00:00"})
    db["articles"].insert({"id": "a1", "text_hash": "h", "text": "Ana said the port would reopen."})
    db["claims"].insert(
        {
            "article_id": "a1",
            "id": "c1",
            "text": "the port would reopen",
            "start": 9,
            "end": 30,
            "party": "gov",
        },
        pk=("article_id", "id"),
    )
    db["issues"].insert({"id": "i1", "label": "port"})
    db.conn.commit()
    db.close()


def test_a_version_one_database_upgrades(tmp_path):
    version_one_database(tmp_path / "old.db")
    store = Store.open(tmp_path / "old.db")
    assert store.schema_version() == 3
    indexes = {r[0] for r in store.db.execute("select name from sqlite_master where type = 'index'")}
    assert {"idx_claims_issue_party_article", "idx_comparisons_rank", "idx_comparisons_party_a"} <= indexes
    trigger = store.db.execute("select sql from sqlite_master where name = 'claims_au'").fetchone()[0]
    assert 'update of "text", "speaker"' in trigger
    store.set_claim_issues("a1", {"c1": "i1"})
    [issue] = store.list_issues(min_claims=1)
    assert issue["id"] == "i1" and issue["claims"] == 1 and issue["parties"] == 1
    assert [c.id for c in store.find_claims(q="port")[0]] == ["c1"]  # the text is still indexed
    store.db.execute("update claims set text = 'the harbour' where id = 'c1'")
    assert [c.id for c in store.find_claims(q="harbour")[0]] == ["c1"]  # text edits still re-index
    assert store.find_claims(q="port")[0] == []
    store.close()


def plan(store, sql, params=()):
    return " | ".join(r[3] for r in store.db.execute("explain query plan " + sql, list(params)))


def test_read_queries_use_the_indexes(store):
    comparisons = (
        "select k.id from comparisons k left join issues i on i.id = k.issue_id{} "
        "order by (k.relation = 'conflict') desc, k.score desc, k.id limit 50"
    )
    listed = plan(store, comparisons.format(""))
    assert "idx_comparisons_rank" in listed and "TEMP B-TREE" not in listed
    by_relation = plan(store, comparisons.format(" where k.relation = ?"), ["agree"])
    assert "idx_comparisons_rank" in by_relation and "TEMP B-TREE" not in by_relation
    paged = plan(
        store,
        comparisons.format(
            " where ((k.relation = 'conflict') < ? or ((k.relation = 'conflict') = ? and "
            "(k.score < ? or (k.score = ? and k.id > ?))))"
        ),
        [1, 1, 0.5, 0.5, "k1"],
    )
    assert "idx_comparisons_rank" in paged and "TEMP B-TREE" not in paged
    by_party = plan(store, comparisons.format(" where (k.party_a = ? or k.party_b = ?)"), ["a", "a"])
    assert "idx_comparisons_party_a" in by_party and "idx_comparisons_party_b" in by_party
    counting = plan(store, "select issue_id, count(*), count(distinct party), count(distinct article_id) "
                    "from claims where issue_id is not null group by issue_id")  # fmt: skip
    assert "COVERING INDEX idx_claims_issue_party_article" in counting
    issue_list = plan(
        store,
        "select id from issues indexed by idx_issues_rank where n_claims >= ? "
        "order by n_conflicts desc, top_conflict desc, n_claims desc, id limit ?",
        [2, 200],
    )
    assert "idx_issues_rank" in issue_list and "TEMP B-TREE" not in issue_list


def test_issue_list_counts_and_ranks_like_before(store):
    text = "Ana said all. Bo said some. Cy said none."
    a, _ = store.add_article(
        analysis(text, [claim("c1", "all", 9, "gov"), claim("c2", "some", 22, "union", "Bo"),
                        claim("c3", "none", 36, None, "Cy")])
    )  # fmt: skip
    quiet, disputed = store.new_issue("quiet"), store.new_issue("amount")
    store.set_claim_issues(a, {"c1": disputed, "c2": disputed, "c3": quiet})
    side = {"party": "gov", "claims": [{"article": a, "id": "c1"}]}
    other = {"party": "union", "claims": [{"article": a, "id": "c2"}]}
    store.replace_comparisons(
        disputed,
        [{"relation": "conflict", "score": 0.8, "a": side, "b": other},
         {"relation": "agree", "score": 0.6, "a": side, "b": other}],
    )  # fmt: skip
    rows = store.list_issues(min_claims=1)
    assert [r["id"] for r in rows] == [disputed, quiet]
    assert rows[0] | {"updated": None} == {
        "id": disputed, "label": "amount", "updated": None, "claims": 2, "parties": 2, "articles": 1,
        "conflicts": 1, "top_score": 0.8, "agreements": 1,
    }  # fmt: skip
    assert rows[1]["conflicts"] == 0 and rows[1]["top_score"] is None and rows[1]["parties"] == 0
    assert [r["id"] for r in store.list_issues(min_claims=2)] == [disputed]


def test_every_write_moves_the_data_version_and_reads_do_not(store):
    before = store.data_version()
    store.count_articles()
    store.find_claims(q="port")
    assert store.data_version() == before
    store.add_article(analysis("Ana said yes."))
    after_one = store.data_version()
    assert after_one > before
    with store.write():  # nested writes: one commit, one step
        store.put_setting("a", "1")
        store.put_setting("b", "2")
    assert store.data_version() == after_one + 1
    with pytest.raises(RuntimeError), store.write():
        store.put_setting("c", "3")
        raise RuntimeError("rolled back")
    assert store.data_version() == after_one + 1


def test_connections_are_reused_within_a_process_and_never_for_another_file(tmp_path):
    first = Store.open(tmp_path / "p.db")
    conn = first.db.conn
    first.close()
    first.close()  # twice is harmless: the connection is pooled once
    second = Store.open(tmp_path / "p.db")
    assert second.db.conn is conn
    third = Store.open(tmp_path / "p.db")  # the pool is empty: a new connection
    assert third.db.conn is not conn
    second.close()
    third.close()
    (tmp_path / "p.db").unlink()  # another database at the same path: never an old connection
    fresh = Store.open(tmp_path / "p.db")
    assert fresh.db.conn is not conn and fresh.schema_version() == len(MIGRATIONS)
    fresh.db.conn.execute("BEGIN")
    fresh.close()  # closed in a transaction: not pooled
    assert Store.open(tmp_path / "p.db").db.conn is not fresh.db.conn


def test_writers_wait_their_turn(tmp_path):
    path = tmp_path / "w.db"
    first, second = Store.open(path), Store.open(path)
    order = []
    inside = threading.Event()

    def slow_writer():
        with first.write():
            inside.set()
            first.put_setting("k", "first")
            time.sleep(0.3)
            order.append("first committed")

    thread = threading.Thread(target=slow_writer)
    thread.start()
    inside.wait(5)
    second.put_setting("k", "second")  # queues on the writer lock, then commits after the first
    order.append("second committed")
    thread.join()
    assert order == ["first committed", "second committed"]
    assert second.get_setting("k") == "second"
    assert (tmp_path / "w.db.writer-lock").exists()


def test_the_pool_keeps_a_bounded_number_of_idle_connections(tmp_path):
    from stance import store as store_module

    for i in range(store_module.POOL_TOTAL + 8):
        Store.open(tmp_path / f"many{i}.db").close()
    mine = [k for k in store_module._IDLE if k[0] == os.getpid()]
    assert sum(len(store_module._IDLE[k]) for k in mine) <= store_module.POOL_TOTAL
    assert any(k[1].endswith(f"many{store_module.POOL_TOTAL + 7}.db") for k in mine)  # newest kept


def test_ids_sqlite_cannot_take_are_simply_unknown(store):
    with pytest.raises(NotFound):
        store.get_article_row("\ud800")
    with pytest.raises(NotFound):
        store.get_issue("a\udfff")
    with pytest.raises(NotFound):
        store.set_claim_party("\ud800", "c1", None)
    assert store.find_comparisons(comparison_id="\ud800") == []


def test_a_thread_holding_the_writer_lock_does_not_wait_for_itself(tmp_path):
    path = tmp_path / "self.db"
    first, second = Store.open(path), Store.open(path)
    with first.write():
        first.put_setting("k", "1")
        second.db.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # SQLite's answer, not a hang
            second.db.conn.execute("BEGIN IMMEDIATE")

        def hung(*_):
            raise TimeoutError("the thread waited for its own writer lock")

        previous = signal.signal(signal.SIGALRM, hung)
        signal.setitimer(signal.ITIMER_REAL, 5)
        try:
            with second._writer_queue():  # returns at once: this thread holds the file's lock
                pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    second.put_setting("k", "2")
    assert first.get_setting("k") == "2"


def test_a_passive_checkpoint_copies_the_log_and_refuses_inside_a_transaction(tmp_path):
    store = Store.open(tmp_path / "c.db", autocheckpoint=10_000)
    try:
        assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 10_000
        store.add_article(analysis("Ana said yes. " * 200))
        busy, log, copied = store.checkpoint()
        assert busy == 0 and log > 0 and copied == log  # nobody reading: the whole log is copied
        # the next checkpoint finds nothing new once a writer has started the log again
        store.add_article(analysis("Bo said no."))
        assert store.checkpoint()[1] < log
        with store.write(), pytest.raises(RuntimeError):
            store.checkpoint()
    finally:
        store.close()


def test_new_issues_are_numbered_in_one_step_and_in_order(store):
    first = store.new_issue("port")
    batch = store.new_issues(["amount", "date", "talks"])
    after = store.new_issue("venue")
    numbers = [int(i[1:]) for i in [first, *batch, after]]
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert store.issue_labels(batch) == {batch[0]: "amount", batch[1]: "date", batch[2]: "talks"}
    assert store.new_issues([]) == []
    with pytest.raises(RuntimeError), store.write():  # rolled back with the write they belong to
        store.new_issues(["gone"])
        raise RuntimeError
    assert int(store.new_issue("next")[1:]) == numbers[-1] + 1


# The issue list as it was computed before issues kept their own counts: every claim counted.
COUNTED_ISSUES = (
    "with counted as (select issue_id, count(*) as n, count(distinct party) as parties, "
    "count(distinct article_id) as articles from claims where issue_id is not null group by issue_id "
    "having count(*) >= ?), ranked as (select issue_id, sum(relation = 'conflict') as conflicts, "
    "max(case when relation = 'conflict' then score end) as top, sum(relation = 'agree') as agreements "
    "from comparisons group by issue_id) select i.id, i.label, i.updated, c.n, c.parties, c.articles, "
    "coalesce(r.conflicts, 0), r.top, coalesce(r.agreements, 0) from counted c join issues i on "
    "i.id = c.issue_id left join ranked r on r.issue_id = c.issue_id order by 7 desc, 8 desc, 4 desc, i.id"
)


def assert_counts_as_if_counted(store):
    for min_claims in (1, 2):
        kept = [tuple(r.values()) for r in store.list_issues(min_claims=min_claims, limit=1000)]
        assert kept == [tuple(r) for r in store.db.execute(COUNTED_ISSUES, [min_claims])]


def test_issue_counts_follow_every_kind_of_write(store):
    text = "Ana said all. Bo said some. Cy said none. Di said most."
    claims = [claim("c1", "all", 9, "gov"), claim("c2", "some", 22, "union", "Bo"),
              claim("c3", "none", 36, None, "Cy"), claim("c4", "most", 50, "gov", "Di")]  # fmt: skip
    a, _ = store.add_article(analysis(text, claims))
    b, _ = store.add_article(analysis("Eve said all.", [claim("c1", "all", 8, "union", "Eve")]))
    one, two = store.new_issues(["amount", "tone"])
    store.set_claim_issues(a, {"c1": one, "c2": one, "c3": two, "c4": two})
    store.set_claim_issues(b, {"c1": one})
    assert_counts_as_if_counted(store)
    side = {"party": "gov", "claims": [{"article": a, "id": "c1"}]}
    other = {"party": "union", "claims": [{"article": a, "id": "c2"}]}
    store.replace_comparisons(one, [{"relation": "conflict", "score": 0.8, "a": side, "b": other},
                                    {"relation": "conflict", "score": 0.9, "a": side, "b": other},
                                    {"relation": "agree", "score": 0.6, "a": side, "b": other}])  # fmt: skip
    store.replace_comparisons(two, [{"relation": "agree", "score": 0.7, "a": side, "b": other}])
    assert_counts_as_if_counted(store)
    assert store.list_issues(min_claims=1)[0] | {"updated": None} == {
        "id": one, "label": "amount", "updated": None, "claims": 3, "parties": 2, "articles": 2,
        "conflicts": 2, "top_score": 0.9, "agreements": 1,
    }  # fmt: skip
    store.set_claim_party(a, "c3", "gov")  # a party correction
    store.set_claim_issues(a, {"c4": one})  # a claim moves to another issue
    assert_counts_as_if_counted(store)
    store.replace_comparisons(one, [])
    store.db.execute("update comparisons set relation = 'conflict', score = 0.5 where issue_id = ?", [two])
    assert_counts_as_if_counted(store)
    store.replace_claims(a, [claim("c1", "all", 9, "gov")], {"name": "m"})  # re-analysis: unlinked
    assert_counts_as_if_counted(store)
    store.set_claim_issues(a, {"c1": two})
    store.delete_article(b)
    assert_counts_as_if_counted(store)
    assert [(r["id"], r["claims"], r["conflicts"]) for r in store.list_issues(min_claims=1)] == [(two, 1, 1)]


def test_an_issue_made_after_its_claims_starts_with_their_counts(store):
    a, _ = store.add_article(analysis("Ana said all.", [claim("c1", "all", 9, "gov")]))
    store.set_claim_issues(a, {"c1": "i900"})  # no such issue yet
    with store.write() as db:
        db.execute("insert into issues (id, label) values ('i900', 'late')")
    assert_counts_as_if_counted(store)
    assert store.list_issues(min_claims=1)[0]["claims"] == 1


def test_upgrading_counts_the_claims_already_linked(tmp_path):
    path = tmp_path / "linked.db"
    version_one_database(path)
    db = Database(sqlite3.connect(str(path)))
    db.execute("update claims set issue_id = 'i1'")
    db.conn.commit()
    db.close()
    store = Store.open(path)
    try:
        assert_counts_as_if_counted(store)
        [issue] = store.list_issues(min_claims=1)
        assert issue["id"] == "i1" and issue["claims"] == 1 and issue["parties"] == 1
    finally:
        store.close()
