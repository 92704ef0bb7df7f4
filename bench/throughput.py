"""Analysis throughput in one process: model loaded, no database.

Prints JSON: articles per second on one core for seed-sized real articles, and per stage.
Goal: >= 200 articles/s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import all_texts, require_data, seed_sized
from stance.analysis import analyze
from stance.attribution import extract_claims
from stance.document import Article
from stance.modelfile import load_model
from stance.parties import load_registry, tag_claims
from stance.paths import default_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--profile", help="write a pyinstrument HTML profile here")
    args = parser.parse_args()
    require_data()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    texts = seed_sized(all_texts())[: args.articles]
    model, _ = load_model(default_path("models", "stance-relations.joblib"))
    registry = load_registry(default_path("seeds", "parties.json"))
    for text in texts[:10]:  # warm up
        analyze(Article(text=text), registry, model)

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    started, wall = time.process_time(), time.perf_counter()
    claims = 0
    for text in texts:
        claims += len(analyze(Article(text=text), registry, model).claims)
    whole = time.process_time() - started  # CPU seconds: the per-core figure on a shared machine
    wall = time.perf_counter() - wall
    if profiler:
        profiler.stop()
        Path(args.profile).write_text(profiler.output_html())

    started = time.process_time()
    for text in texts:
        tag_claims(extract_claims(text), registry, text)
    extraction = time.process_time() - started
    chars = sum(map(len, texts))
    print(
        json.dumps(
            {
                "benchmark": "analysis throughput, one process, one core, no database",
                "articles": len(texts),
                "mean_chars": round(chars / len(texts)),
                "claims": claims,
                "articles_per_cpu_s": round(len(texts) / whole, 1),
                "articles_per_wall_s": round(len(texts) / wall, 1),
                "ms_per_article": round(1000 * whole / len(texts), 2),
                "extraction_and_parties_ms_per_article": round(1000 * extraction / len(texts), 2),
                "grouping_and_relations_ms_per_article": round(1000 * (whole - extraction) / len(texts), 2),
                "goal_articles_per_s": 200,
            }
        )
    )


if __name__ == "__main__":
    main()
