"""Analysis throughput in one process: model loaded, no database.

Prints JSON: articles per second on one core for seed-sized real articles, and the CPU time of each
stage of `stance.analysis.analyze`, measured in the same single pass over the articles (a second
pass would find caches warm and flatter whichever stage it measured). Goal: >= 200 articles/s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import all_texts, require_data, seed_sized
from stance.analysis import analyze
from stance.document import Article
from stance.modelfile import load_model
from stance.parties import load_registry
from stance.paths import default_path

STAGES = ("extraction", "reshaping", "parties", "grouping", "relations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument(
        "--warmup", type=int, default=10,
        help="other articles analysed first, not measured: 10 is a fresh process; about 1,000 is a "
        "service that has run a while (its word tables and caches hold the common vocabulary)",
    )  # fmt: skip
    parser.add_argument("--profile", help="write a pyinstrument HTML profile here")
    parser.add_argument(
        "--no-freeze", action="store_true",
        help="leave the loaded model in the cyclic collector's reach (the service freezes it)",
    )  # fmt: skip
    parser.add_argument(
        "--parties", default=str(Path(__file__).with_name("parties-2016.json")),
        help="party registry (default: the main sides of the 2016 US election, which most of the "
        "benchmark articles report, so that comparisons are made as for a newsroom whose registry "
        "covers its stories; seeds/parties.json leaves most claims without a party)",
    )  # fmt: skip
    args = parser.parse_args()
    require_data()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    everything = all_texts()
    texts = seed_sized(everything)[: args.articles]  # the same articles whatever the warm-up
    measured = set(texts)
    warm_up = [t for t in everything if t not in measured][: args.warmup]
    model, _ = load_model(default_path("models", "stance-relations.joblib"))
    registry = load_registry(args.parties)
    if not args.no_freeze:  # as the service does once its model is loaded (stance/wsgi.py)
        gc.collect()
        gc.freeze()
    for text in warm_up:
        analyze(Article(text=text), registry, model)

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    spent = dict.fromkeys(STAGES, 0.0)
    started, wall = time.process_time(), time.perf_counter()
    claims = issues = comparisons = 0
    for text in texts:
        analysis = analyze(Article(text=text), registry, model, timings=spent)
        claims += len(analysis.claims)
        issues += len(analysis.issues)
        comparisons += len(analysis.comparisons)
    whole = time.process_time() - started  # CPU seconds: the per-core figure on a shared machine
    wall = time.perf_counter() - wall
    if profiler:
        profiler.stop()
        Path(args.profile).write_text(profiler.output_html())
    n = len(texts)
    print(
        json.dumps(
            {
                "benchmark": "analysis throughput, one process, one core, no database",
                "articles": n,
                "warmup_articles": len(warm_up),
                "mean_chars": round(sum(map(len, texts)) / n),
                "claims": claims,
                "issues": issues,
                "comparisons": comparisons,
                "articles_per_cpu_s": round(n / whole, 1),
                "articles_per_wall_s": round(n / wall, 1),
                "ms_per_article": round(1000 * whole / n, 2),
                "ms_per_article_by_stage": {stage: round(1000 * s / n, 2) for stage, s in spent.items()},
                "goal_articles_per_s": 200,
            }
        )
    )


if __name__ == "__main__":
    main()
