"""Train the model `stance` loads: the claim-grouping vectorizer and the relation classifier.

Data, in order of trust:
- dashboard feedback ({"a", "b", "relation"}): a reader's correction, weighted heavily so that the
  retrained model changes its mind on that pair;
- seeds/pairs.jsonl: hand-written claim pairs from many kinds of dispute (agree / conflict / none);
- FNC-1 (when its directory is given): headline vs the body sentence closest to it, agree -> agree,
  disagree -> conflict, discuss -> none (a sample), weighted lower since headline/body is not quite
  party vs party.
The grouping vectorizer's latent topics are fitted on news text: FNC-1 bodies and PolNeAR articles when
present, else the texts in seeds/.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold

from stance.modelfile import save_model
from stance.relations import LABELS, GroupingVectorizer, StanceModel, build_pipeline

MODEL_NAME = "stance-relations"
FNC_WEIGHT = 0.2
FEEDBACK_WEIGHT = 25.0
FNC_PER_CLASS = 300
_SENTENCE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018]?[A-Z0-9])")
_RELATION = {"conflict": "conflict", "agree": "agree", "none": "none", "neither": "none"}

csv.field_size_limit(1 << 24)


_FRAME_BEFORE = re.compile(
    r"^(?:[A-Z][\w'.-]*(?: [\w'.-]+){0,5}?|[Tt]he [\w' -]+?|(?:He|She|They|It|Both [\w ]+?))"
    r" (?:said|says|say|told reporters|told [\w ]+?|added|insisted|insists|claimed|claims|argued|argues|"
    r"stated|announced|reported|warned|vowed|promised|noted|maintained|maintains|acknowledged|"
    r"conceded|admitted)(?: on \w+)?,? (?:that )?"
)
_FRAME_AFTER = re.compile(r",? (?:the |a |an )?[\w' -]{0,40}? (?:said|says|added|told reporters)\.?$")


def claim_content(text: str) -> str:
    """What was said, without the "X said (that)" frame: the service compares claim contents, so the
    hand-written sentences are cut the same way. Cues that carry meaning (denied, confirmed, called)
    stay."""
    stripped = _FRAME_BEFORE.sub("", text, count=1)
    if stripped == text:
        stripped = _FRAME_AFTER.sub("", text, count=1)
    return stripped if len(stripped) >= 8 else text


def read_pairs(paths: list[Path]) -> list[dict]:
    """Labelled pairs from JSON Lines files: {"a", "b", "relation", "domain"?}."""
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                row = json.loads(line)
                relation = _RELATION.get(str(row.get("relation")).lower())
                if relation is None or not row.get("a") or not row.get("b"):
                    raise ValueError(f"{path}:{number}: need a, b and relation conflict|agree|none")
                rows.append(
                    {**row, "a": claim_content(row["a"]), "b": claim_content(row["b"]), "relation": relation}
                )
    return rows


def split_sentences(text: str) -> list[str]:
    parts = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        parts.extend(s.strip() for s in _SENTENCE.split(paragraph) if len(s.strip()) > 20)
    return parts


def read_fnc1(data_dir: Path) -> tuple[dict[int, str], list[tuple[str, int, str]]]:
    with open(data_dir / "train_bodies.csv", encoding="utf-8", newline="") as handle:
        bodies = {int(r["Body ID"]): r["articleBody"] for r in csv.DictReader(handle)}
    with open(data_dir / "train_stances.csv", encoding="utf-8", newline="") as handle:
        stances = [(r["Headline"], int(r["Body ID"]), r["Stance"]) for r in csv.DictReader(handle)]
    return bodies, stances


def fnc1_pairs(data_dir: Path, per_class: int = FNC_PER_CLASS, seed: int = 7) -> list[dict]:
    """FNC-1 as claim pairs: the headline vs the body sentence most like it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    bodies, stances = read_fnc1(data_dir)
    mapping = {"agree": "agree", "disagree": "conflict", "discuss": "none"}
    rng = random.Random(seed)
    chosen = []
    for stance, relation in mapping.items():
        rows = sorted({(h, b) for h, b, s in stances if s == stance})
        rng.shuffle(rows)
        chosen.extend((h, b, relation) for h, b in rows[:per_class])
    sentences = {b: split_sentences(bodies[b]) or [bodies[b][:300]] for _, b, _ in chosen}
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(
        [s for ss in sentences.values() for s in ss] + [h for h, _, _ in chosen]
    )
    pairs = []
    for headline, body_id, relation in chosen:
        candidates = sentences[body_id]
        scores = (vectorizer.transform(candidates) @ vectorizer.transform([headline]).T).toarray().ravel()
        best = candidates[int(np.argmax(scores))]
        pairs.append({"a": headline, "b": best[:400], "relation": relation, "domain": "fnc1"})
    return pairs


def corpus_texts(
    fnc1_dir: Path | None, polnear_dir: Path | None, extra: list[str]
) -> tuple[list[str], list[str]]:
    """Paragraph-sized news texts for the grouping topics, and the names of their sources.

    The topics come from news corpora alone when they are there: the labelled pairs (and any
    article beside them) stay out, so that adding a pair never moves how claims are grouped and no
    article the system is measured on shapes its topics. `extra` is the fallback without corpora."""
    texts: list[str] = []
    sources: list[str] = []
    if fnc1_dir and (fnc1_dir / "train_bodies.csv").exists():
        bodies, stances = read_fnc1(fnc1_dir)
        for body in bodies.values():
            texts.extend(p for p in body.split("\n") if len(p) > 40)
        texts.extend(sorted({h for h, _, _ in stances}))
        sources.append("FNC-1 bodies and headlines")
    if polnear_dir and (polnear_dir / "polnear_train.jsonl").exists():
        seen = set()
        with open(polnear_dir / "polnear_train.jsonl", encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                if doc["filename"] in seen:
                    continue
                seen.add(doc["filename"])
                texts.extend(p for p in doc["text"].split("\n") if len(p) > 40)
        sources.append("PolNeAR train articles")
    if not texts:
        texts, sources = list(extra), ["labelled pairs"]
    return texts, sources


def _fit_classifier(rows: list[dict], weights: np.ndarray):
    X = np.empty((len(rows), 2), dtype=object)
    X[:] = [(r["a"], r["b"]) for r in rows]
    y = np.array([r["relation"] for r in rows])
    return build_pipeline().fit(X, y, classify__sample_weight=weights)


def _predict(pipeline, rows: list[dict]) -> np.ndarray:
    X = np.empty((len(rows), 2), dtype=object)
    X[:] = [(r["a"], r["b"]) for r in rows]
    return pipeline.predict(X)


def cross_validate(hand: list[dict], extra: list[dict], extra_weights: np.ndarray, folds: int = 5) -> dict:
    """5-fold CV on the hand-written pairs (FNC-1 and feedback always stay on the training side)."""
    y = np.array([r["relation"] for r in hand])
    predictions = np.empty(len(hand), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(np.zeros(len(hand)), y):
        rows = [hand[i] for i in train_idx] + extra
        weights = np.concatenate([np.ones(len(train_idx)), extra_weights])
        predictions[test_idx] = _predict(_fit_classifier(rows, weights), [hand[i] for i in test_idx])
    report = classification_report(y, predictions.astype(str), labels=list(LABELS), output_dict=True,
                                   zero_division=0)  # fmt: skip
    return {
        "folds": folds,
        "evaluated_on": "hand-written pairs (seeds/pairs.jsonl)",
        "accuracy": round(float(report["accuracy"]), 4),
        "macro_f1": round(float(f1_score(y, predictions.astype(str), average="macro")), 4),
        "per_class": {
            label: {k: round(float(report[label][k]), 4) for k in ("precision", "recall", "f1-score")}
            for label in LABELS
        },
    }


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def train_model(out: str | Path, pairs_files: list[Path], fnc1_dir: Path | None = None,
                feedback: list[dict] | None = None, polnear_dir: Path | None = None,
                cross_validation: bool = True) -> dict:  # fmt: skip
    """Train, cross-validate, save `out`.joblib + `out`.json; return the card."""
    started = time.perf_counter()
    pairs_files = [Path(p) for p in pairs_files]
    fnc1_dir = Path(fnc1_dir) if fnc1_dir else None
    if polnear_dir is None and fnc1_dir is not None:
        polnear_dir = fnc1_dir.parent / "polnear"
    hand = read_pairs(pairs_files)
    fnc = fnc1_pairs(fnc1_dir) if fnc1_dir and (fnc1_dir / "train_stances.csv").exists() else []
    corrections = []
    for row in feedback or []:
        relation = _RELATION.get(str(row.get("relation")).lower())
        if relation and row.get("a") and row.get("b"):
            corrections.append({"a": row["a"], "b": row["b"], "relation": relation, "domain": "feedback"})
            corrections.append({"a": row["b"], "b": row["a"], "relation": relation, "domain": "feedback"})
    extra = fnc + corrections
    extra_weights = np.array([FNC_WEIGHT] * len(fnc) + [FEEDBACK_WEIGHT] * len(corrections))

    metrics = cross_validate(hand, extra, extra_weights) if cross_validation else {}
    classifier = _fit_classifier(hand + extra, np.concatenate([np.ones(len(hand)), extra_weights]))

    pair_texts = [t for r in hand + extra for t in (r["a"], r["b"])]
    texts, sources = corpus_texts(fnc1_dir, polnear_dir, pair_texts)
    grouper = GroupingVectorizer().fit(texts)

    created = datetime.now(UTC)
    data_hash = _sha256(pairs_files)
    version = created.strftime("%Y.%m.%d") + "-" + data_hash[:8]
    counts = Counter(r["relation"] for r in hand)
    trained_on = f"{len(hand)} hand-written pairs" + (f" + {len(fnc)} FNC-1 pairs" if fnc else "")
    trained_on += f" + {len(corrections) // 2} feedback pairs" if corrections else ""
    model = StanceModel(MODEL_NAME, version, trained_on, grouper, classifier)
    card = {
        "name": MODEL_NAME,
        "version": version,
        "created": created.isoformat(timespec="seconds"),
        "trained_on": trained_on,
        "labels": list(LABELS),
        "training_data": {
            "pairs_files": [{"path": str(p), "sha256": _sha256([p])} for p in pairs_files],
            "pairs_sha256": data_hash,
            "hand_pairs": dict(sorted(counts.items())),
            "hand_pairs_preprocessing": "the reporting frame ('The union said (that) ...', '..., officials "
            "said') is cut from each sentence so that pairs look like the claim contents the service compares",
            "domains": dict(sorted(Counter(r.get("domain", "?") for r in hand).items())),
            "fnc1": (
                {
                    "dir": str(fnc1_dir),
                    "pairs": dict(Counter(r["relation"] for r in fnc)),
                    "mapping": "agree->agree, disagree->conflict, discuss->none (sample); headline vs the "
                    "closest body sentence",
                    "weight": FNC_WEIGHT,
                    "sha256_train_stances": _sha256([fnc1_dir / "train_stances.csv"]),
                }
                if fnc
                else None
            ),
            "feedback_pairs": len(corrections) // 2,
            "feedback_weight": FEEDBACK_WEIGHT,
            "grouping_corpus": {"sources": sources, "texts": len(texts)},
        },
        "cross_validation": metrics,
        "thresholds": {
            "conflict": model.conflict_threshold,
            "agree": model.agree_threshold,
            "group_distance": model.group_threshold,
            "group_linkage": model.group_linkage,
        },
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    return save_model(model, out, card)
