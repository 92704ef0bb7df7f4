"""Write one JSON line per article and compare them with a reference file: the check that a
speed-up changed nothing (`extraction_identity.py`, `analysis_identity.py`)."""

from __future__ import annotations

import json
from pathlib import Path


def write_and_compare(lines: list[str], out: str, compare: str | None) -> int:
    """Write `lines` to `out`; with `compare`, 1 (and the first article that differs) unless the
    reference file holds the same lines, else 0."""
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not compare:
        return 0
    reference = Path(compare).read_text(encoding="utf-8").splitlines()
    if len(reference) != len(lines):
        print(f"DIFFERENT: {len(lines)} articles, the reference has {len(reference)}")
        return 1
    for mine, theirs in zip(lines, reference, strict=True):
        if mine != theirs:
            print("DIFFERENT:", json.loads(mine)["article"])
            return 1
    print("identical to", compare)
    return 0
