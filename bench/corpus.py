"""Real article text for the benchmarks: PolNeAR articles and FNC-1 bodies from ../shared/data."""

from __future__ import annotations

import csv
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"


def polnear_texts(split: str = "dev") -> list[str]:
    """One text per PolNeAR article (articles annotated twice appear once)."""
    seen: dict[str, str] = {}
    path = DATA / "polnear" / f"polnear_{split}.jsonl"
    with open(path, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            seen.setdefault(doc["filename"], doc["text"])
    return list(seen.values())


def fnc1_bodies() -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with open(DATA / "fnc1" / "train_bodies.csv", encoding="utf-8") as f:
        return [row["articleBody"] for row in csv.DictReader(f)]


def all_texts() -> list[str]:
    texts = polnear_texts("train") + polnear_texts("dev") + fnc1_bodies()
    return [t for t in dict.fromkeys(texts) if len(t.strip()) > 200]


def seed_sized(texts: list[str], low: int = 3000, high: int = 8000) -> list[str]:
    """Articles about the size of the seed (about 5,400 characters)."""
    return [t for t in texts if low <= len(t) <= high]


def distinct_articles(count: int, seed: int = 7) -> Iterator[str]:
    """`count` distinct texts: the real articles first, then articles spliced from real paragraphs."""
    texts = all_texts()
    rng = random.Random(seed)
    yield from texts[:count]
    paragraphs = [p for t in texts for p in t.split("\n\n") if len(p) > 80]
    for i in range(max(0, count - len(texts))):
        parts = rng.sample(paragraphs, 6)
        yield f"Compiled report {i}\n\n" + "\n\n".join(parts)


def require_data() -> None:
    if not DATA.exists():
        raise SystemExit(f"the benchmarks read real text from {DATA}, which is missing")
