"""kill -9 during a load, then restart: a small run of bench/crash.py.

Workers are SIGKILLed while clients post single articles and batches, then the whole server is
killed; after a restart every acknowledged article must be there, whole, with its claims, and no
stored article may be half-written.
"""

from bench.crash import run_crash, units


def test_units_cut_texts_into_posts_and_batches():
    texts = [f"text {i}" for i in range(50)]
    plan = units(texts, batch_every=3, batch_size=4)
    assert [t for unit in plan for t in unit] == texts
    assert any(len(u) == 4 for u in plan) and any(len(u) == 1 for u in plan)


def test_acknowledged_articles_survive_kill_9(tmp_path):
    figures = run_crash(
        articles=80,
        clients=8,
        kills=3,
        batch_every=5,
        batch_size=3,
        workers=4,
        model="none",
        workdir=tmp_path,
    )
    assert figures["workers_killed"] == 3 and figures["acknowledged"] > 0
    assert figures["5xx"] == 0
    assert figures["acknowledged_missing_after_restart"] == 0
    assert figures["acknowledged_text_changed"] == 0
    assert figures["acknowledged_claims_changed"] == 0
    assert figures["repost_not_deduplicated"] == 0
    assert figures["half_written_articles"] == 0 and figures["claims_outside_text"] == 0
    assert figures["orphan_claims"] == 0 and figures["integrity_check"] == "ok"
    assert figures["stored_after_restart"] >= figures["acknowledged_distinct"]
    assert figures["ok"]
