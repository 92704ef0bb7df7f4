"""Benchmark claim extraction on PolNeAR: score with score_polnear.py and time the extractor.

usage: python bench/attribution.py [--data DIR] [--out DIR] [--split dev|train] [--limit N]

Writes one contract document per article as OUT/<filename>.json, runs the shared scorer
on the folder and prints its metrics JSON, then the extraction speed. Report figures on
dev; --split train is for studying annotation conventions (never tune on dev).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stance.attribution import extract_claims  # noqa: E402


def _analyse(text: str) -> dict:
    """The contract document for one article (claims only: that is what PolNeAR scores)."""
    return {"article": {"text": text}, "claims": [c.to_dict() for c in extract_claims(text)]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "polnear"))
    ap.add_argument("--out", default=str(REPO / "bench" / "out" / "polnear"))
    ap.add_argument("--split", default="dev", choices=["dev", "train"])
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    ap.add_argument("--per-doc", action="store_true", help="pass --per-doc to the scorer")
    args = ap.parse_args(argv)

    gold_path = Path(args.data) / f"polnear_{args.split}.jsonl"
    articles: dict[str, str] = {}
    with open(gold_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                articles.setdefault(row["filename"], row["text"])
    if args.limit:
        articles = dict(list(articles.items())[: args.limit])

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    docs = {}
    t0 = time.perf_counter()
    for name, text in articles.items():
        docs[name] = _analyse(text)
    analyse_s = time.perf_counter() - t0
    # Extraction alone, in CPU seconds of this process (the per-core figure; wall time on a
    # shared machine also counts other processes), best of three passes.
    extract_s = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for text in articles.values():
            extract_claims(text)
        extract_s = min(extract_s, time.process_time() - t0)
    for name, doc in docs.items():
        (out / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    gold = gold_path
    if args.limit:
        gold = out.parent / f"{out.name}-gold.jsonl"
        with open(gold_path, encoding="utf-8") as src, open(gold, "w", encoding="utf-8") as dst:
            for line in src:
                if line.strip() and json.loads(line)["filename"] in articles:
                    dst.write(line)
    scorer = REPO.parent / "shared" / "tools" / "score_polnear.py"
    cmd = [sys.executable, str(scorer), str(gold), str(out)] + (["--per-doc"] if args.per_doc else [])
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    chars = sum(len(t) for t in articles.values())
    n = len(articles)
    print(
        json.dumps(
            {
                "articles": n,
                "mean_chars": round(chars / max(1, n)),
                "claims": sum(len(d["claims"]) for d in docs.values()),
                "analyse_articles_per_s": round(n / analyse_s, 1),
                "extract_articles_per_s": round(n / extract_s, 1),
                "extract_ms_per_article": round(1000 * extract_s / max(1, n), 3),
                "extract_ms_per_5k_chars": round(1000 * extract_s / max(1, chars) * 5000, 3),
            }
        )
    )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
