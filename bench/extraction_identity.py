"""Dump claim extraction and party tagging for every PolNeAR article and the seed, to check that
a speed-up changes nothing.

usage: python bench/extraction_identity.py OUT.jsonl [--compare REFERENCE.jsonl]

Writes one JSON line per article (PolNeAR train, then dev, then the seed article): its
name and the claims `extract_claims` + `tag_claims` (seed registry) give. With --compare,
exits 1 and names the first article whose line differs from the reference file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.identity import write_and_compare  # noqa: E402
from stance.attribution import extract_claims  # noqa: E402
from stance.parties import load_registry, tag_claims  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "polnear"
SEEDS = REPO / "seeds"


def articles() -> list[tuple[str, str]]:
    """(name, text) of every PolNeAR train and dev article, then of each seed article."""
    out: dict[str, str] = {}
    for split in ("train", "dev"):
        with open(DATA / f"polnear_{split}.jsonl", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    out.setdefault(f"{split}/{row['filename']}", row["text"])
    for path in sorted(SEEDS.glob("*.txt")):
        out[f"seed/{path.name}"] = path.read_text(encoding="utf-8")
    return list(out.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--compare")
    args = ap.parse_args(argv)
    registry = load_registry(SEEDS / "parties.json")
    lines = []
    n_claims = 0
    for name, text in articles():
        claims = extract_claims(text)
        tag_claims(claims, registry, text)
        n_claims += len(claims)
        lines.append(
            json.dumps({"article": name, "claims": [c.to_dict() for c in claims]}, ensure_ascii=False)
        )
    print(f"{len(lines)} articles, {n_claims} claims -> {args.out}")
    return write_and_compare(lines, args.out, args.compare)


if __name__ == "__main__":
    sys.exit(main())
