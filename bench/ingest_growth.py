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
    parser.add_argument("--probe", type=int, default=30, help="articles timed at each size")
    parser.add_argument("--db", help="keep the database here (for bench/api_latency.py)")
    args = parser.parse_args()
    require_data()
    sizes = [int(s) for s in args.sizes.split(",")]
    total = max(sizes) + args.probe * len(sizes)
    texts = list(distinct_articles(total))
    probes, fill = texts[: args.probe * len(sizes)], texts[args.probe * len(sizes) :]
    db_path = args.db or str(Path(tempfile.mkdtemp()) / "growth.db")
    model, _ = load_model(default_path("models", "stance-relations.joblib"))
    store = Store.open(db_path)
    service = Service(store, load_registry(default_path("seeds", "parties.json")), model)

    results, stored, started = [], 0, time.perf_counter()
    for n, size in enumerate(sizes):
        while store.count_articles() < size and stored < len(fill):
            service.ingest(make_article({"text": fill[stored]}))
            stored += 1
        timings, cpu = [], []
        for text in probes[n * args.probe : (n + 1) * args.probe]:
            t0, c0 = time.perf_counter(), time.process_time()
            service.ingest(make_article({"text": text}))
            timings.append(1000 * (time.perf_counter() - t0))
            cpu.append(1000 * (time.process_time() - c0))
        timings.sort()
        results.append(
            {
                "stored": size,
                "median_ms": round(statistics.median(timings), 2),
                "p90_ms": round(timings[int(0.9 * (len(timings) - 1))], 2),
                "median_cpu_ms": round(statistics.median(cpu), 2),
            }
        )
        print(
            json.dumps({"progress": results[-1], "elapsed_s": round(time.perf_counter() - started)}),
            file=sys.stderr,
        )
    first, last = results[0]["median_cpu_ms"], results[-1]["median_cpu_ms"]
    print(
        json.dumps(
            {
                "benchmark": "ingest cost as the store grows (analysis + storage + cross-article linking)",
                "db": db_path,
                "results": results,
                "cpu_ratio_last_to_first": round(last / first, 2) if first else None,
                "goal_ratio_at_most": 2.0,
            }
        )
    )


if __name__ == "__main__":
    main()
