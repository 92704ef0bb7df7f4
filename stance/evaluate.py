"""Score the pipeline against reference annotations (`*.gold.json`, see CONTRACT.md).

A system claim matches a gold claim when its text contains the gold `key`
(after folding case, curly quotes and white space). Each article is analysed
with the gold file's own parties as the registry.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

from stance.analysis import analyze
from stance.document import Analysis, Claim
from stance.ingest import HTML_SUFFIXES, read_article_file
from stance.parties import Registry

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"})


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().casefold()


def article_path(gold_path: Path) -> Path:
    """The article beside its annotation: X.txt, or X.html for a page saved whole."""
    name = gold_path.name.removesuffix(".gold.json")
    for suffix in (".txt", *HTML_SUFFIXES):
        path = gold_path.with_name(name + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"no article beside {gold_path}: expected {name}.txt or {name}.html")


def match_claims(gold: dict[str, Any], claims: list[Claim]) -> dict[str, Claim]:
    """Each gold claim id -> the tightest system claim containing its key."""
    folded = [(fold(c.text), c) for c in claims]
    out = {}
    for g in gold["claims"]:
        key = fold(g["key"])
        hits = [c for text, c in folded if key in text]
        if hits:
            out[g["id"]] = min(hits, key=lambda c: len(c.text))
    return out


def score(gold: dict[str, Any], analysis: Analysis) -> dict[str, Any]:
    """Counts and rates for one article."""
    matched = match_claims(gold, analysis.claims)
    gold_claims = {g["id"]: g for g in gold["claims"]}
    c: Counter[str] = Counter()
    c["gold_claims"] = len(gold_claims)
    c["found"] = len(matched)
    c["party_right"] = sum(matched[g].party == gold_claims[g]["party"] for g in matched)

    issues_of: dict[str, set[str]] = {}
    for issue in gold.get("issues", []):
        for cid in issue["claims"]:
            issues_of.setdefault(cid, set()).add(issue["id"])
    for x, y in combinations(sorted(matched), 2):
        gold_same = bool(issues_of.get(x, set()) & issues_of.get(y, set()))
        sx, sy = matched[x], matched[y]
        sys_same = sx is sy or (sx.issue is not None and sx.issue == sy.issue)
        c["pairs_gold_same"] += gold_same
        c["pairs_sys_same"] += sys_same
        c["pairs_both_same"] += gold_same and sys_same

    def found(relation: dict[str, Any], comparison: Any) -> bool:
        if comparison.relation != relation["relation"]:
            return False
        sides = {comparison.a.party: set(comparison.a.claims), comparison.b.party: set(comparison.b.claims)}
        if set(sides) != {relation["a"], relation["b"]}:
            return False
        for party, key in ((relation["a"], "a_claims"), (relation["b"], "b_claims")):
            ids = {matched[g].id for g in relation[key] if g in matched}
            if not ids & sides[party]:
                return False
        return True

    relations = gold.get("relations", [])
    for relation in relations:
        hit = any(found(relation, k) for k in analysis.comparisons)
        c["gold_" + relation["relation"]] += 1
        c["found_" + relation["relation"]] += hit
    for comparison in analysis.comparisons:
        if comparison.relation == "conflict":
            c["sys_conflict"] += 1
            c["sys_conflict_right"] += any(
                found(r, comparison) for r in relations if r["relation"] == "conflict"
            )
    return {"counts": dict(c), **rates(c), "missed": sorted(set(gold_claims) - set(matched))}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def rates(c: Counter[str] | dict[str, float]) -> dict[str, float | None]:
    p = _ratio(c.get("pairs_both_same", 0), c.get("pairs_sys_same", 0))
    r = _ratio(c.get("pairs_both_same", 0), c.get("pairs_gold_same", 0))
    f1 = round(2 * p * r / (p + r), 4) if p and r else (0.0 if p is not None and r is not None else None)
    gold_rel = c.get("gold_conflict", 0) + c.get("gold_agree", 0)
    found_rel = c.get("found_conflict", 0) + c.get("found_agree", 0)
    return {
        "claim_recall": _ratio(c.get("found", 0), c.get("gold_claims", 0)),
        "party_accuracy": _ratio(c.get("party_right", 0), c.get("found", 0)),
        "grouping_precision": p,
        "grouping_recall": r,
        "grouping_f1": f1,
        "conflict_recall": _ratio(c.get("found_conflict", 0), c.get("gold_conflict", 0)),
        "conflict_precision": _ratio(c.get("sys_conflict_right", 0), c.get("sys_conflict", 0)),
        "agreement_recall": _ratio(c.get("found_agree", 0), c.get("gold_agree", 0)),
        "relation_recall": _ratio(found_rel, gold_rel),
    }


def evaluate_files(paths: list[Path], model: Any) -> dict[str, Any]:
    """Metrics per gold file and in total (counts summed over articles)."""
    per_article = {}
    total: Counter[str] = Counter()
    for path in paths:
        gold = json.loads(path.read_text(encoding="utf-8"))
        analysis = analyze(read_article_file(article_path(path)), Registry(gold["parties"]), model)
        result = score(gold, analysis)
        per_article[path.name] = result
        total.update(result["counts"])
    return {"articles": per_article, "total": {"counts": dict(total), **rates(total)}}


METRICS = [
    "claim_recall", "party_accuracy", "grouping_f1", "conflict_recall", "conflict_precision",
    "agreement_recall", "relation_recall",
]  # fmt: skip


def table(result: dict[str, Any]) -> str:
    """The metrics as a plain-text table, one row per article and a total."""
    rows = [("article", *METRICS)]
    for name, r in [*result["articles"].items(), ("TOTAL", result["total"])]:
        rows.append((name, *("-" if r[m] is None else f"{r[m]:.3f}" for m in METRICS)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    missed = {n: r["missed"] for n, r in result["articles"].items() if r["missed"]}
    for name, ids in missed.items():
        lines.append(f"missed in {name}: {', '.join(ids)}")
    return "\n".join(lines)
