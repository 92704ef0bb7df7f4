"""Dump the whole analysis (claims, issues, comparisons) of benchmark articles, to check that a
speed-up of grouping or relations changes nothing.

usage: python bench/analysis_identity.py OUT.jsonl [--compare REFERENCE.jsonl] [--articles N]

Writes one JSON line per article: the first N seed-sized benchmark articles (as
`bench/throughput.py` picks them) and the seed articles, analysed with the repo's model and the
registry `bench/parties-2016.json` (which gives most benchmark articles parties, so issues are
compared). With --compare, exits 1 and names the first article whose document differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import all_texts, require_data, seed_sized  # noqa: E402
from bench.identity import write_and_compare  # noqa: E402
from stance.analysis import analyze  # noqa: E402
from stance.document import Article  # noqa: E402
from stance.modelfile import load_model  # noqa: E402
from stance.parties import load_registry  # noqa: E402
from stance.paths import default_path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--compare")
    ap.add_argument("--articles", type=int, default=400)
    args = ap.parse_args(argv)
    require_data()
    texts = [(f"bench/{i}", t) for i, t in enumerate(seed_sized(all_texts())[: args.articles])]
    texts += [
        (f"seed/{p.name}", p.read_text(encoding="utf-8")) for p in sorted((REPO / "seeds").glob("*.txt"))
    ]
    model, _ = load_model(default_path("models", "stance-relations.joblib"))
    registry = load_registry(REPO / "bench" / "parties-2016.json")
    lines = []
    for name, text in texts:
        document = analyze(Article(text=text, id="x"), registry, model).to_dict()
        lines.append(json.dumps({"article": name, **document}, sort_keys=True))
    print(f"{len(lines)} articles -> {args.out}")
    return write_and_compare(lines, args.out, args.compare)


if __name__ == "__main__":
    sys.exit(main())
