"""FNC-1 (headline vs article body: agree / disagree / discuss / unrelated), the relation model family's
external yardstick.

The model is a scikit-learn Pipeline over (headline, body) pairs: `HeadlineBodyFeatures` turns each pair
into the well-known strong features of the competition (TF-IDF cosine of headline vs body and vs its
closest sentences, latent-topic cosine and topic vectors, word n-gram overlap, refuting / hedging word
counts and polarity, plus the clash cues of stance.relations on the closest sentence) and a
HistGradientBoostingClassifier decides. Scores follow the official dev protocol of the data README.
"""

from __future__ import annotations

import csv
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from stance.modelfile import load_model, save_model, sha256_file
from stance.relations import PairFeatures

LABELS = ("agree", "disagree", "discuss", "unrelated")
RELATED = ("agree", "disagree", "discuss")
SPLIT_SEED = 1489215
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
REFUTING = (
    "fake", "fraud", "hoax", "false", "deny", "denies", "denied", "not", "despite", "nope", "doubt", "doubts",
    "bogus", "debunk", "debunked", "pranks", "prank", "retract", "retracted", "untrue", "rumor", "rumour",
    "myth", "misleading", "no", "never", "dismissed", "rejected", "satire", "fabricated", "refuted",
)  # fmt: skip
HEDGING = (
    "reportedly", "allegedly", "alleged", "claims", "claimed", "claim", "according", "may", "might", "could",
    "unconfirmed", "possibly", "apparently", "purportedly", "reports", "report", "suggests", "appears",
    "rumored", "believed", "unverified", "supposedly",
)  # fmt: skip
AGREEING = ("confirmed", "confirms", "confirm", "announced", "official", "officially", "verified", "indeed",
            "revealed", "shows", "proves", "true")  # fmt: skip

csv.field_size_limit(1 << 24)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


class HeadlineBodyFeatures(TransformerMixin, BaseEstimator):
    """(headline, body) pairs -> similarity, overlap, refuting/hedging and topic features.

    fit learns the TF-IDF vocabulary and the latent topics from the training pairs' texts.
    """

    def __init__(self, n_topics: int = 60, max_features: int = 50000):
        self.n_topics = n_topics
        self.max_features = max_features

    def fit(self, X, y=None):
        headlines = sorted({str(h) for h, _ in X})
        bodies = sorted({str(b) for _, b in X})
        self.tfidf_ = TfidfVectorizer(
            sublinear_tf=True, stop_words="english", max_features=self.max_features, ngram_range=(1, 2),
            min_df=2 if len(headlines) + len(bodies) > 50 else 1, dtype=np.float32,
        ).fit(headlines + bodies)  # fmt: skip
        terms = self.tfidf_.transform(headlines + bodies)
        k = max(1, min(self.n_topics, terms.shape[1] - 1, terms.shape[0] - 1))
        self.topics_ = TruncatedSVD(n_components=k, random_state=0).fit(terms)
        self.cues_ = PairFeatures().fit(np.array([(h, h) for h in headlines[:2000]], dtype=object))
        return self

    def transform(self, X):
        check_is_fitted(self, "topics_")
        pairs = [(str(h), str(b)) for h, b in X]
        if not pairs:
            return np.zeros((0, 0))
        headlines = sorted({h for h, _ in pairs})
        bodies = sorted({b for _, b in pairs})
        h_index = {h: i for i, h in enumerate(headlines)}
        b_index = {b: i for i, b in enumerate(bodies)}
        h_rows = np.array([h_index[h] for h, _ in pairs])
        b_rows = np.array([b_index[b] for _, b in pairs])
        h_tfidf = self.tfidf_.transform(headlines)
        b_tfidf = self.tfidf_.transform(bodies)
        h_topic = normalize(self.topics_.transform(h_tfidf))
        b_topic = normalize(self.topics_.transform(b_tfidf))
        # every body's sentences in one matrix; sentence rows of body j are offsets[j]:offsets[j + 1]
        sentences = [_sentences(b) for b in bodies]
        offsets = np.cumsum([0] + [len(ss) for ss in sentences])
        s_tfidf = self.tfidf_.transform([s for ss in sentences for s in ss])
        best_cos = np.zeros(len(pairs))
        top3_cos = np.zeros(len(pairs))
        n_close = np.zeros(len(pairs))
        closest = [""] * len(pairs)
        by_body: dict[int, list[int]] = {}
        for k, bi in enumerate(b_rows):
            by_body.setdefault(int(bi), []).append(k)
        for bi, ks in by_body.items():
            block = s_tfidf[offsets[bi] : offsets[bi + 1]]
            cos = (block @ h_tfidf[h_rows[ks]].T).toarray()  # sentences x pairs
            ordered = -np.sort(-cos, axis=0)
            best_cos[ks] = ordered[0]
            top3_cos[ks] = ordered[:3].mean(axis=0)
            n_close[ks] = (cos > 0.2).sum(axis=0)
            for column, k in enumerate(ks):
                closest[k] = sentences[bi][int(np.argmax(cos[:, column]))]
        body_cos = np.asarray(h_tfidf[h_rows].multiply(b_tfidf[b_rows]).sum(axis=1)).ravel()
        topic_cos = (h_topic[h_rows] * b_topic[b_rows]).sum(axis=1)
        head_info = [_text_info(h) for h in headlines]
        body_info = [_text_info(b) for b in bodies]
        rows = []
        for hi, bi in zip(h_rows, b_rows, strict=True):
            h_words, h_grams, h_counts = head_info[hi]
            b_words, b_grams, b_counts = body_info[bi]
            h_set = h_grams[1]
            rows.append(
                [
                    len(h_set & b_grams[1]) / max(1, len(h_set | b_grams[1])),
                    *[len(h_grams[n] & b_grams[n]) / max(1, len(h_grams[n])) for n in (1, 2, 3)],
                    len(h_set & b_grams[0]) / max(1, len(h_set)),
                    *[b_counts[k] for k in ("refuting", "hedging", "agreeing")],
                    *[h_counts[k] for k in ("refuting", "hedging", "agreeing")],
                    float(h_counts["refuting"] % 2),
                    float(b_counts["refuting"] % 2),
                    np.log1p(len(b_words)),
                    np.log1p(len(h_words)),
                ]
            )
        cues = self.cues_.transform(
            np.array([(h, c) for (h, _), c in zip(pairs, closest, strict=True)], dtype=object)
        )
        return np.hstack(
            [
                np.column_stack([body_cos, best_cos, top3_cos, n_close, topic_cos]),
                np.asarray(rows, dtype=float),
                cues,
                h_topic[h_rows],
                b_topic[b_rows],
            ]
        )


def _sentences(body: str) -> list[str]:
    found = [s for s in _SENTENCE.split(body.replace("\n", " ")) if len(s.strip()) > 15][:80]
    return found or [body[:400] or "(empty)"]


def _text_info(text: str):
    """Tokens, {0: the lead's words, 1: word set, 2: bigrams, 3: trigrams}, refuting/hedging/agreeing counts."""
    tokens = words(text)
    counts = Counter()
    for token in tokens:
        counts["refuting"] += token in REFUTING
        counts["hedging"] += token in HEDGING
        counts["agreeing"] += token in AGREEING
    grams = {0: set(tokens[:60]), 1: set(tokens), 2: ngrams(tokens, 2), 3: ngrams(tokens, 3)}
    return tokens, grams, counts


def build_pipeline() -> Pipeline:
    return Pipeline(
        [
            ("features", HeadlineBodyFeatures()),
            (
                "classify",
                HistGradientBoostingClassifier(
                    max_iter=400, learning_rate=0.08, max_leaf_nodes=48, l2_regularization=1.0, random_state=0
                ),
            ),
        ]
    )


# --- data and scores -----------------------------------------------------------------------------


def read_bodies(path: Path) -> dict[int, str]:
    """Body ID -> text, in file order (the order the official split shuffles)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {int(r["Body ID"]): r["articleBody"] for r in csv.DictReader(handle)}


def read_stances(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [{"Headline": r["Headline"], "Body ID": int(r["Body ID"]), "Stance": r.get("Stance")}
                for r in csv.DictReader(handle)]  # fmt: skip


def holdout_split(body_ids: list[int], training: float = 0.8) -> tuple[set[int], set[int]]:
    """The fnc-1-baseline dev split: shuffle the body ids with Random(1489215), first 80% train."""
    ids = list(body_ids)
    rng = random.Random()
    rng.seed(SPLIT_SEED)
    rng.shuffle(ids)
    cut = int(training * len(ids))
    return set(ids[:cut]), set(ids[cut:])


def fnc_score(gold: list[str], pred: list[str]) -> float:
    """The FNC-1 weighted score as a percentage of the best possible score on `gold`."""
    score = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        best += 0.25 if g == "unrelated" else 1.0
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.5
        if g in RELATED and p in RELATED:
            score += 0.25
    return 100.0 * score / best if best else 0.0


def macro_f1(gold: list[str], pred: list[str]) -> float:
    return float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0))


def _pairs(rows: list[dict], bodies: dict[int, str]) -> np.ndarray:
    X = np.empty((len(rows), 2), dtype=object)
    X[:] = [(r["Headline"], bodies[r["Body ID"]]) for r in rows]
    return X


def _weights(labels: np.ndarray) -> np.ndarray:
    """Square-root class balancing: the rare disagree class matters to macro-F1 without swamping the rest."""
    counts = Counter(labels)
    return np.array([(len(labels) / (len(counts) * counts[y])) ** 0.5 for y in labels])


def train_fnc1(data_dir: Path, model_out: Path, holdout: bool = True) -> dict:
    """Train on FNC-1 (80% of bodies with the official split when `holdout`), score the rest, save."""
    started = time.perf_counter()
    data_dir = Path(data_dir)
    bodies = read_bodies(data_dir / "train_bodies.csv")
    stances = read_stances(data_dir / "train_stances.csv")
    if holdout:
        train_ids, test_ids = holdout_split(list(bodies))
        train_rows = [r for r in stances if r["Body ID"] in train_ids]
        test_rows = [r for r in stances if r["Body ID"] in test_ids]
    else:
        train_rows, test_rows = stances, []
    y = np.array([r["Stance"] for r in train_rows])
    pipeline = build_pipeline().fit(_pairs(train_rows, bodies), y, classify__sample_weight=_weights(y))
    metrics: dict = {}
    if test_rows:
        gold = [r["Stance"] for r in test_rows]
        pred = list(pipeline.predict(_pairs(test_rows, bodies)))
        per_class = f1_score(gold, pred, labels=list(LABELS), average=None, zero_division=0)
        metrics = {
            "protocol": "fnc-1-baseline dev hold-out: 80/20 split by Body ID, random.Random(1489215)",
            "rows": len(test_rows),
            "fnc_score": round(fnc_score(gold, pred), 2),
            "macro_f1": round(macro_f1(gold, pred), 4),
            "per_class_f1": {k: round(float(v), 4) for k, v in zip(LABELS, per_class, strict=True)},
            "accuracy": round(float(np.mean(np.array(gold) == np.array(pred))), 4),
        }
    card = {
        "name": Path(model_out).stem.removesuffix(".joblib") if str(model_out).endswith(".joblib")
        else Path(model_out).name,
        "version": datetime.now(UTC).strftime("%Y.%m.%d"),
        "task": "FNC-1 headline/body stance",
        "labels": list(LABELS),
        "trained_on": f"FNC-1 train, {len(train_rows)} pairs" + (" (80% of bodies)" if holdout else ""),
        "training_data": {
            "dir": str(data_dir),
            "sha256": {n: sha256_file(data_dir / n) for n in ("train_bodies.csv", "train_stances.csv")},
            "rows": len(train_rows),
            "class_counts": dict(Counter(y.tolist())),
        },
        "holdout": metrics,
        "metrics": metrics,
        "training_seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    return save_model(pipeline, model_out, card)


def predict_fnc1(model: Path, bodies: Path, stances: Path, out: Path) -> int:
    """Write Headline, Body ID, Stance for every row of `stances` (in order); returns the row count."""
    pipeline, _ = load_model(model)
    body_text = read_bodies(Path(bodies))
    rows = read_stances(Path(stances))
    missing = sorted({r["Body ID"] for r in rows} - set(body_text))
    if missing:
        raise ValueError(f"{stances}: Body IDs not in {bodies}: {missing[:5]}")
    predictions = pipeline.predict(_pairs(rows, body_text)) if rows else []
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Body ID", "Stance"])
        for row, stance in zip(rows, predictions, strict=True):
            writer.writerow([row["Headline"], row["Body ID"], stance])
    return len(rows)
