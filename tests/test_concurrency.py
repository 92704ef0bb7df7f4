"""Many writers at once against a real gunicorn: a small, fast run of bench/concurrency.py.

Correctness only (no timing): every distinct article stored exactly once and whole, with the
claims its response listed; no 5xx, no "database is locked", no dropped connection.
"""

import itertools

from bench.concurrency import article_texts, run_load, workload


def test_workload_sends_every_text_and_races_some_copies():
    texts, _ = article_texts(30)
    stream = workload(texts, 10)
    assert len(stream) == 40 and set(stream) == set(texts)
    assert any(a == b for a, b in itertools.pairwise(stream)), "no copy posted back to back"


def test_four_workers_many_clients_store_each_article_once(tmp_path):
    figures = run_load(
        articles=60, repeats=24, clients=12, workers=4, threads=4, model="none", workdir=tmp_path
    )
    assert figures["sent"] == 84 and figures["distinct"] == 60
    assert figures["5xx"] == 0, figures["first_errors"]
    assert figures["locked_errors"] == 0 and figures["locked_in_server_log"] == 0
    assert figures["no_response"] == 0, figures["first_errors"]
    assert figures["status"] == {"200": 24, "201": 60}
    assert figures["stored"] == 60 and figures["hashes_stored_twice"] == 0
    assert figures["texts_with_several_ids"] == 0
    assert figures["acknowledged_but_missing"] == 0 and figures["acknowledged_but_not_whole"] == 0
    assert figures["acknowledged_text_not_normalised_input"] == 0
    assert figures["acknowledged_claims_mismatch"] == 0 and figures["orphan_claims"] == 0
    assert figures["claims_stored"] > 0 and figures["integrity_check"] == "ok"
    assert figures["tracebacks_in_server_log"] == 0
    assert figures["ok"]
