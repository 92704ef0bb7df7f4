"""Ingest cost as the archive grows: time to add one article at 100, 1,000 and 10,000 stored.

Adding an article compares its claims with a few candidates found through the full-text
index, never with every stored claim, so the cost should stay flat. Prints JSON.
Goal: the 10,000 figure at most 2x the 100 figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import distinct_articles, require_data
from stance.ingest import make_article
from stance.modelfile import load_model
from stance.parties import load_registry
from stance.paths import default_path
from stance.service import Service
from stance.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument(
        "--probe", type=int, default=200,
        help="articles timed at each size (the same ones at every size)",
    )  # fmt: skip
    parser.add_argument("--db", help="keep the database here (for bench/api_latency.py)")
    args = parser.parse_args()
    require_data()
    sizes = [int(s) for s in args.sizes.split(",")]
    texts = list(distinct_articles(max(sizes) + args.probe))
    # The same articles are timed at every size (then deleted, to be added again at the next):
    # articles differ in cost far more than the archive's size moves it. Between two sizes the
    # filling articles push them out of the analysis's text caches.
    probes, fill = texts[: args.probe], texts[args.probe :]
    db_path = args.db or str(Path(tempfile.mkdtemp()) / "growth.db")
    model, _ = load_model(default_path("models", "stance-relations.joblib"))
    store = Store.open(db_path)
    service = Service(store, load_registry(default_path("seeds", "parties.json")), model)

    results, stored, started = [], 0, time.perf_counter()
    for size in sizes:
        while store.count_articles() < size and stored < len(fill):
            service.ingest(make_article({"text": fill[stored]}))
            stored += 1
        timings, cpu, storing = [], [], []
        added = []
        for text in probes:
            stages: dict[str, float] = {}
            t0, c0 = time.perf_counter(), time.process_time()
            document, _ = service.ingest(make_article({"text": text}), timings=stages)
            timings.append(1000 * (time.perf_counter() - t0))
            cpu.append(1000 * (time.process_time() - c0))
            storing.append(cpu[-1] - 1000 * sum(stages.values()))
            added.append(document["article"]["id"])
        for article_id in added:  # as DELETE /api/articles/ID does
            for issue_id in store.delete_article(article_id):
                service.refresh_comparisons(issue_id)
        timings.sort()
        results.append(
            {
                "stored": size,
                "median_ms": round(statistics.median(timings), 2),
                "p90_ms": round(timings[int(0.9 * (len(timings) - 1))], 2),
                "median_cpu_ms": round(statistics.median(cpu), 2),
                # what may grow with the archive: all but the analysis (the same work at any size)
                "median_store_and_link_cpu_ms": round(statistics.median(storing), 2),
            }
        )
        print(
            json.dumps({"progress": results[-1], "elapsed_s": round(time.perf_counter() - started)}),
            file=sys.stderr,
        )
    first, last = results[0]["median_cpu_ms"], results[-1]["median_cpu_ms"]
    first_storing = results[0]["median_store_and_link_cpu_ms"]
    last_storing = results[-1]["median_store_and_link_cpu_ms"]
    print(
        json.dumps(
            {
                "benchmark": "ingest cost as the store grows (analysis + storage + cross-article linking)",
                "db": db_path,
                "results": results,
                "cpu_ratio_last_to_first": round(last / first, 2) if first else None,
                "store_and_link_ratio_last_to_first": round(last_storing / first_storing, 2)
                if first_storing
                else None,
                "goal_ratio_at_most": 2.0,
            }
        )
    )


if __name__ == "__main__":
    main()
