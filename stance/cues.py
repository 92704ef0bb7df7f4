"""Reporting cues: which words introduce an attributed statement, learnt from PolNeAR train.

Two learnt pieces, both plain data so that extraction needs no scikit-learn at run time:

- a cue lexicon (stance/data/cue_words.tsv): for every word seen inside a gold cue span at
  least three times, how often it is a cue and how often it occurs at all;
- a cue classifier (models/attribution-cues.json): a logistic regression over a candidate
  word and its neighbours (does "that", a quote mark, a name or a pronoun sit next to it?),
  trained with scikit-learn and stored as feature weights with a model card. Loading
  refuses a file written for another feature scheme.

`python -m stance.cues TRAIN.jsonl` rebuilds both from PolNeAR train (never from dev).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from stance.paths import default_path

PACKAGE_DIR = Path(__file__).resolve().parent
LEXICON_PATH = PACKAGE_DIR / "data" / "cue_words.tsv"
SPEAKER_HEADS_PATH = PACKAGE_DIR / "data" / "speaker_heads.tsv"
BACKOFF_PATH = PACKAGE_DIR / "data" / "cue_backoff.tsv"
PERSON_TITLES_PATH = PACKAGE_DIR / "data" / "person_titles.txt"
# The months and the days of the week: capitalised, and never a name, a place or an agent.
CALENDAR_WORDS = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
MIN_SPEAKER_HEAD_COUNT = 2
# Model files live in models/ beside the working directory or the source tree (the image copies
# them to /app/models and runs from /app), like the relation model.
MODEL_PATH = Path(default_path("models", "attribution-cues.json"))
CARD_PATH = Path(default_path("models", "attribution-cues.card.json"))
FILTER_PATH = Path(default_path("models", "attribution-claims.json"))
FILTER_CARD_PATH = Path(default_path("models", "attribution-claims.card.json"))
# Bump when `stance.attribution.claim_features` changes.
CLAIM_FEATURE_SCHEME = 2

# Bump when `candidate_features` changes: old weight files then refuse to load.
FEATURE_SCHEME = 2
MIN_CUE_COUNT = 1
MIN_CUE_RATE = 0.08

# A word (word characters, joined by ’ ' . -) or one other non-space character. Spelt for
# speed, with the tokens of the plain greedy pattern \w+(?:[’'.\-]\w+)*|[^\w\s]: every
# token opens on one \S, which the first branch keeps only if it was a word character;
# possessive quantifiers keep no backtrack points (nothing after a word can fail).
TOKEN_RE = re.compile(r"\S(?<=\w)\w*+(?:[’'.\-]\w++)*+|\S")
QUOTE_CHARS = frozenset('"“”„«»')
PRONOUNS = frozenset("he she they it we i you who".split())


@dataclass(frozen=True)
class CueStats:
    cue: int
    total: int

    @property
    def rate(self) -> float:
        return self.cue / self.total if self.total else 0.0


def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, CueStats]:
    """Word -> how often PolNeAR train annotators marked it as (part of) a cue."""
    lexicon = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            word, cue, total = line.rstrip("\n").split("\t")[:3]
            lexicon[word] = CueStats(int(cue), int(total))
    return lexicon


def load_backoff(path: Path = BACKOFF_PATH) -> dict[str, str]:
    """Word rare in train -> the lexicon cue of its family ("concedes" -> "conceded")."""
    with open(path, encoding="utf-8") as f:
        return dict(
            line.rstrip("\n").split("\t")[:2] for line in f if line.strip() and not line.startswith("#")
        )


# A cue seen this often in train, and as a cue this often, lends its weights to the
# inflections of its verb that train hardly has.
MIN_BACKOFF_CUES = 5
MIN_BACKOFF_RATE = 0.3
_BACKOFF_ENDINGS = ("", "s", "es", "ed", "ing", "e", "y", "ies", "ied")


def inflection_key(word: str) -> str:
    """A crude verb stem shared by a verb's inflections: conceded/concedes/conceding -> "conced"."""
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
        ("e", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]  # admitted -> admitt -> admit
    return word


def build_backoff(lexicon: dict[str, CueStats], total: Counter[str]) -> dict[str, str]:
    """Inflections of solid cue verbs that train has fewer than three times, mapped to the cue.

    Rare words get no weights of their own in the cue model; their family's does the job
    ("assures" in a test article behaves like "assured"). Forms that train has often (and
    that did not make the lexicon) are left alone, so "not" never stands in for "noted".
    """
    strong = sorted(
        (
            w
            for w, st in lexicon.items()
            if st.cue >= MIN_BACKOFF_CUES and st.rate >= MIN_BACKOFF_RATE and w != "according"
        ),
        key=lambda w: (-lexicon[w].cue, w),
    )
    backoff: dict[str, str] = {}
    for w in strong:
        key = inflection_key(w)
        doubled = key + key[-1]
        for stem in (key, doubled) if w.startswith(doubled) else (key,):
            for ending in _BACKOFF_ENDINGS:
                form = stem + ending
                if (
                    form not in lexicon
                    and form not in backoff
                    and total[form] < 3
                    and inflection_key(form) == key
                ):
                    backoff[form] = w
    return backoff


def load_speaker_heads(path: Path = SPEAKER_HEADS_PATH) -> frozenset[str]:
    """Lower-case words that head a source ("officials", "poll", "campaign") in PolNeAR train."""
    with open(path, encoding="utf-8") as f:
        return frozenset(line.split("\t")[0] for line in f if line.strip() and not line.startswith("#"))


@cache
def load_person_titles(path: Path = PERSON_TITLES_PATH) -> frozenset[str]:
    """Titles written before a person's name ("minister", "dr"): one list for extraction, party
    tagging and the relation features, so that they agree on what is a name (read once)."""
    with open(path, encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))


def build_speaker_heads(docs: list[dict]) -> Counter[str]:
    """How often each word ends an annotated source span: the nouns that can speak.

    Only lower-case heads are counted (capitalised sources are names, which the extractor
    recognises by their look), so "restrictions" or "sanctions" never qualify as speakers.
    """
    heads: Counter[str] = Counter()
    for doc in docs:
        for a in doc["attributions"]:
            if not a["source"]["spans"]:
                continue
            s, e = a["source"]["spans"][-1]
            words = _ALPHA_WORDS(doc["text"], s, e)
            if words and words[-1].islower():
                heads[words[-1]] += 1
    return Counter({w: n for w, n in heads.items() if n >= MIN_SPEAKER_HEAD_COUNT})


def write_speaker_heads(heads: Counter[str], path: Path = SPEAKER_HEADS_PATH) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("# word\tsource_head_count (PolNeAR train, lower-case heads of source spans)\n")
        for w, n in sorted(heads.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{w}\t{n}\n")


_ALPHA_WORDS = re.compile(r"[^\W\d_]+").findall


def candidate_features(words: list[str], i: int) -> list[str]:
    """Sparse binary features of the candidate cue words[i] in its sentence.

    `words` are the sentence's tokens, lower-cased except capitalised words after the first
    (so that names keep their look).
    """
    n = len(words)
    return window_features(
        words[i].lower(),
        _shape(words[i - 2]) if i >= 2 else "<s>",
        _shape(words[i - 1]) if i >= 1 else "<s>",
        _shape(words[i + 1]) if i + 1 < n else "</s>",
        _shape(words[i + 2]) if i + 2 < n else "</s>",
        any(t in QUOTE_CHARS for t in words),
        "first" if i == 0 else "last" if i >= n - 2 else "mid",
    )


def window_features(w: str, p2: str, p1: str, n1: str, n2: str, quote: bool, pos: str) -> list[str]:
    """The features of `candidate_features` from the word and its neighbours' shapes."""
    return [
        "bias",
        "w=" + w,
        "p1=" + p1,
        "n1=" + n1,
        "w|n1=" + w + "|" + n1,
        "w|p1=" + w + "|" + p1,
        "p2p1=" + p2 + "|" + p1,
        "n1n2=" + n1 + "|" + n2,
        "suffix=" + w[-3:],
        "quote_in_sentence=" + str(quote),
        "pos=" + pos,
        "w|n1n2=" + w + "|" + n1 + "|" + n2,
        "w|p2p1=" + w + "|" + p2 + "|" + p1,
        "w|quote=" + w + "|" + str(quote),
        "w|pos=" + w + "|" + pos,
    ]


_COMMON = frozenset(
    """that the a an to of in on for with by at about as from this his her their its and but or
    not also has have had is was were be been will would could did does he she they it we i you who
    which what when if reporters , . : ; ” “ " ’ ‘ — – - ( )""".split()
)


def shape(word: str) -> str:
    """Public alias of the word-class function the classifier's features use."""
    return _shape(word)


def _shape(word: str) -> str:
    """A coarse word class: frequent words stand for themselves, others by their look."""
    if word in _COMMON or word in ("<s>", "</s>"):
        return word
    if word in QUOTE_CHARS:
        return "Q"
    if word[:1].isdigit():
        return "NUM"
    if word[:1].isupper():
        return "CAP"
    if word.endswith("ly"):
        return "ADV"
    return "w"


# The templates of `window_features`, with the number of "|"-joined values each holds.
_WINDOW_TEMPLATES = {
    "w": 1,
    "p1": 1,
    "n1": 1,
    "w|n1": 2,
    "w|p1": 2,
    "p2p1": 2,
    "n1n2": 2,
    "suffix": 1,
    "quote_in_sentence": 1,
    "pos": 1,
    "w|n1n2": 3,
    "w|p2p1": 3,
    "w|quote": 2,
    "w|pos": 2,
}


def _template_tables(weights: dict[str, float], templates: dict[str, int]) -> dict | None:
    """Weights regrouped by template, keyed by value tuples ("w|n1=said|that" -> ("said", "that")).

    None when a feature does not split cleanly (a value holding "|"): then scoring builds the
    feature strings instead, so the tables can never give another answer.
    """
    tables: dict = {name: {} for name in templates}
    tables["bias"] = weights.get("bias", 0.0)
    for feature, weight in weights.items():
        name, sep, value = feature.partition("=")
        arity = templates.get(name)
        if not sep or arity is None:
            continue
        parts = value.split("|")
        if len(parts) != arity:
            return None
        tables[name][parts[0] if arity == 1 else tuple(parts)] = weight
    return tables


_NO_WEIGHTS: dict = {}  # a missing nested table: every weight in it reads as 0.0


class _WordWeights(NamedTuple):
    """The window weights of the features that hold one candidate word ("w|n1=said|that").

    `dense` holds the one-value features in one array: the word's own weight and, for each
    word class or value, its w|n1, w|p1, w|quote and w|pos weight, at the slots of
    `_WindowTables` (slot 0 is always 0.0: values the word has no weight for). One array
    is a few cache lines where four dicts with their keys and float objects were a dozen.
    """

    dense: array
    n1n2: dict[str, dict[str, float]]
    p2p1: dict[str, dict[str, float]]


class _WindowTables(NamedTuple):
    """The window model's weights laid out for scoring: the word features grouped by word.

    The flat tables hold 30,000 tuple keys each and every lookup in them misses the CPU
    cache (most of the time of a new window went there). Grouped per candidate word, with
    pairs as nested dicts of interned strings and the rest in one array per word, a window
    reads a few small structures and builds no tuple keys. The weights and their order are
    unchanged.
    """

    bias: float
    p1: dict[str, float]
    n1: dict[str, float]
    p2p1: dict[str, dict[str, float]]
    n1n2: dict[str, dict[str, float]]
    suffix: dict[str, float]
    quote: dict[str, float]
    pos: dict[str, float]
    words: dict[str, _WordWeights]
    no_word: _WordWeights  # a word without weights of its own
    # Value -> its slot in every `_WordWeights.dense` (missing: slot 0, which holds 0.0).
    n1_slot: dict[str, int]
    p1_slot: dict[str, int]
    quote_slot: dict[str, int]
    pos_slot: dict[str, int]


_W_SLOT = 1  # the word's own weight ("w=said") in `_WordWeights.dense`


def _window_tables(tables: dict) -> _WindowTables:
    """`_template_tables` of the window model regrouped into `_WindowTables`."""
    intern = sys.intern

    def flat(table: dict) -> dict:
        return {intern(k): v for k, v in table.items()}

    def nested(pairs, into: dict | None = None) -> dict:
        out: dict = {} if into is None else into
        for (a, b), weight in pairs:
            out.setdefault(intern(a), {})[intern(b)] = weight
        return out

    # Slots of the dense array: 0 (zero), the word's weight, then one block per feature.
    slots: dict[str, dict[str, int]] = {}
    size = _W_SLOT + 1
    for name in ("w|n1", "w|p1", "w|quote", "w|pos"):
        values = sorted({value for _w, value in tables[name]})
        slots[name] = {intern(v): size + k for k, v in enumerate(values)}
        size += len(values)
    words: dict[str, dict] = {}

    def of(w: str) -> dict:
        return words.setdefault(intern(w), {"dense": array("d", bytes(8 * size)), "n1n2": {}, "p2p1": {}})

    for w, weight in tables["w"].items():
        of(w)["dense"][_W_SLOT] = weight
    for name in slots:
        for (w, value), weight in tables[name].items():
            of(w)["dense"][slots[name][value]] = weight
    for name, part in (("w|n1n2", "n1n2"), ("w|p2p1", "p2p1")):
        for (w, a, b), weight in tables[name].items():
            nested([((a, b), weight)], of(w)[part])
    return _WindowTables(
        bias=tables["bias"],
        p1=flat(tables["p1"]),
        n1=flat(tables["n1"]),
        p2p1=nested(tables["p2p1"].items()),
        n1n2=nested(tables["n1n2"].items()),
        suffix=flat(tables["suffix"]),
        quote=flat(tables["quote_in_sentence"]),
        pos=flat(tables["pos"]),
        words={w: _WordWeights(**parts) for w, parts in words.items()},
        no_word=_WordWeights(array("d", bytes(8 * size)), _NO_WEIGHTS, _NO_WEIGHTS),
        n1_slot=slots["w|n1"],
        p1_slot=slots["w|p1"],
        quote_slot=slots["w|quote"],
        pos_slot=slots["w|pos"],
    )


# The templates of `stance.attribution.claim_feature_strings`, likewise.
_CLAIM_TEMPLATES = {
    "how": 1,
    "kind": 1,
    "cue": 1,
    "how|cue": 2,
    "cue_p": 1,
    "cue|len": 2,
    "spk_words": 1,
    "sentences": 1,
    "spk": 1,
    "how|spk": 2,
    "len": 1,
    "how|len": 2,
    "first": 1,
    "quote_start": 1,
    "has_quote": 1,
    "ends_sentence": 1,
}


class _ClaimTables(NamedTuple):
    """The claim filter's weights laid out like `_WindowTables`: the pair features grouped by
    their first value (the cue, the pattern), so that scoring a claim builds no tuple keys."""

    bias: float
    how: dict[str, float]
    kind: dict[str, float]
    cue: dict[str, float]
    how_cue: dict[str, dict[str, float]]
    cue_p: dict[str, float]
    cue_len: dict[str, dict[str, float]]
    spk_words: dict[str, float]
    sentences: dict[str, float]
    spk: dict[str, float]
    how_spk: dict[str, dict[str, float]]
    len: dict[str, float]
    how_len: dict[str, dict[str, float]]
    first: dict[str, float]
    quote_start: dict[str, float]
    has_quote: dict[str, float]
    ends_sentence: dict[str, float]


def _claim_tables(tables: dict) -> _ClaimTables:
    """`_template_tables` of the claim filter regrouped into `_ClaimTables`."""
    fields = {}
    for name in _CLAIM_TEMPLATES:
        if _CLAIM_TEMPLATES[name] == 1:
            fields[name] = dict(tables[name])
        else:
            nested: dict[str, dict[str, float]] = {}
            for (a, b), weight in tables[name].items():
                nested.setdefault(a, {})[b] = weight
            fields[name.replace("|", "_")] = nested
    return _ClaimTables(bias=tables["bias"], **fields)


class CueModel:
    """Logistic-regression weights over `candidate_features`, applied without scikit-learn."""

    def __init__(self, weights: dict[str, float], threshold: float = 0.5):
        self.weights = weights
        self.threshold = threshold
        self._cache: dict[tuple, float] = {}
        tables = _template_tables(weights, _WINDOW_TEMPLATES)
        self._tables = _window_tables(tables) if tables is not None else None

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> CueModel:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("feature_scheme") != FEATURE_SCHEME:
            raise ValueError(
                f"{path} was trained for feature scheme {data.get('feature_scheme')}, "
                f"this code uses {FEATURE_SCHEME}: retrain with `python -m stance.cues`"
            )
        return cls(data["weights"], data.get("threshold", 0.5))

    def probability(self, words: list[str], i: int) -> float:
        return self._logistic(candidate_features(words, i))

    def window_probability(self, w: str, p2: str, p1: str, n1: str, n2: str, quote: bool, pos: str) -> float:
        """Probability from a word and its neighbours' shapes, memoised (contexts repeat a lot)."""
        key = (w, p2, p1, n1, n2, quote, pos)
        p = self._cache.get(key)
        if p is None:
            z = self._window_z(*key) if self._tables is not None else None
            if z is None:
                p = self._logistic(window_features(*key))
            else:
                p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            self._cache[key] = p
            if len(self._cache) > 200_000:
                self._cache.clear()
        return p

    def _window_z(self, w: str, p2: str, p1: str, n1: str, n2: str, quote: bool, pos: str) -> float:
        """The logit of `window_features`, read from `_WindowTables`.

        Same weights, added in the same order as `_logistic` adds them (so the same float),
        without building fifteen feature strings per candidate.
        """
        t = self._tables
        r = t.words.get(w, t.no_word)
        d = r.dense
        q = str(quote)
        return sum(
            (
                t.bias,
                d[_W_SLOT],
                t.p1.get(p1, 0.0),
                t.n1.get(n1, 0.0),
                d[t.n1_slot.get(n1, 0)],
                d[t.p1_slot.get(p1, 0)],
                t.p2p1.get(p2, _NO_WEIGHTS).get(p1, 0.0),
                t.n1n2.get(n1, _NO_WEIGHTS).get(n2, 0.0),
                t.suffix.get(w[-3:], 0.0),
                t.quote.get(q, 0.0),
                t.pos.get(pos, 0.0),
                r.n1n2.get(n1, _NO_WEIGHTS).get(n2, 0.0),
                r.p2p1.get(p2, _NO_WEIGHTS).get(p1, 0.0),
                d[t.quote_slot.get(q, 0)],
                d[t.pos_slot.get(pos, 0)],
            )
        )

    def _logistic(self, feats: list[str]) -> float:
        # map() sums the same weights in the same order as a generator would, without a
        # Python frame per feature.
        z = sum(map(self.weights.get, feats, repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


class ClaimFilter:
    """Logistic regression: does a candidate claim match what annotators mark as an attribution?

    Its probability becomes the claim's confidence; candidates below `threshold` are dropped.
    """

    def __init__(self, weights: dict[str, float], threshold: float):
        self.weights = weights
        self.threshold = threshold
        tables = _template_tables(weights, _CLAIM_TEMPLATES)
        self._tables = _claim_tables(tables) if tables is not None else None

    @classmethod
    def load(cls, path: Path = FILTER_PATH) -> ClaimFilter:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("feature_scheme") != CLAIM_FEATURE_SCHEME:
            raise ValueError(
                f"{path} was trained for feature scheme {data.get('feature_scheme')}, "
                f"this code uses {CLAIM_FEATURE_SCHEME}: retrain with `python -m stance.cues`"
            )
        return cls(data["weights"], data["threshold"])

    def probability(self, feats: list[str]) -> float:
        z = sum(map(self.weights.get, feats, repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def value_probability(self, values: tuple[str, ...]) -> float:
        """`probability` of `stance.attribution.claim_feature_strings(values)`, read from
        per-template tables (same weights, same order, same float) when the weights allow."""
        if self._tables is None:
            from stance.attribution import claim_feature_strings

            return self.probability(claim_feature_strings(values))
        t = self._tables
        how, kind, cue, cue_p, size, spk_words, sentences, spk, first, quote_start, has_quote, ends = values
        z = sum(
            (
                t.bias,
                t.how.get(how, 0.0),
                t.kind.get(kind, 0.0),
                t.cue.get(cue, 0.0),
                t.how_cue.get(how, _NO_WEIGHTS).get(cue, 0.0),
                t.cue_p.get(cue_p, 0.0),
                t.cue_len.get(cue, _NO_WEIGHTS).get(size, 0.0),
                t.spk_words.get(spk_words, 0.0),
                t.sentences.get(sentences, 0.0),
                t.spk.get(spk, 0.0),
                t.how_spk.get(how, _NO_WEIGHTS).get(spk, 0.0),
                t.len.get(size, 0.0),
                t.how_len.get(how, _NO_WEIGHTS).get(size, 0.0),
                t.first.get(first, 0.0),
                t.quote_start.get(quote_start, 0.0),
                t.has_quote.get(has_quote, 0.0),
                t.ends_sentence.get(ends, 0.0),
            )
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


# --- training (needs scikit-learn; never imported by the extractor) -----------------------


def _gold_cue_mask(doc: dict) -> bytearray:
    mask = bytearray(len(doc["text"]))
    for a in doc["attributions"]:
        if not a["content"]["spans"]:
            continue
        for s, e in a["cue"]["spans"]:
            mask[s:e] = b"\x01" * (e - s)
    return mask


def build_lexicon(docs: list[dict]) -> tuple[dict[str, CueStats], dict[str, str]]:
    """The cue lexicon and the backoff of rare inflections (see `build_backoff`)."""
    in_cue: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for doc in docs:
        mask = _gold_cue_mask(doc)
        for m in TOKEN_RE.finditer(doc["text"]):
            w = m.group().lower()
            total[w] += 1
            if mask[m.start()]:
                in_cue[w] += 1
    lexicon = {
        w: CueStats(n, total[w])
        for w, n in in_cue.items()
        if n >= MIN_CUE_COUNT and n / total[w] >= MIN_CUE_RATE and w.isalpha()
    }
    return lexicon, build_backoff(lexicon, total)


def _sentence_tokens(text: str):
    from stance.segment import sentences

    for s, e in sentences(text):
        toks = [(m.start(), m.group()) for m in TOKEN_RE.finditer(text, s, e)]
        if toks:
            yield toks


def training_rows(docs: list[dict], lexicon: dict[str, CueStats]):
    """(features, label) for every lexicon word in the documents."""
    for doc in docs:
        mask = _gold_cue_mask(doc)
        for toks in _sentence_tokens(doc["text"]):
            words = [t for _, t in toks]
            lower = [w.lower() for w in words]
            for i, w in enumerate(lower):
                if w in lexicon:
                    yield candidate_features(_case_words(words, lower), i), int(mask[toks[i][0]])


def _case_words(words: list[str], lower: list[str]) -> list[str]:
    """Lower-case except a capital on a word that is not sentence-initial (names keep their look)."""
    return [lower[0]] + [w if w[:1].isupper() else lo for w, lo in zip(words[1:], lower[1:], strict=True)]


def train(
    train_path: str,
    exclude: frozenset[str] = frozenset(),
    out_model: Path = MODEL_PATH,
    out_card: Path = CARD_PATH,
) -> dict:
    import numpy
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    raw = Path(train_path).read_bytes()
    docs = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    docs = [d for d in docs if d["filename"] not in exclude]
    lexicon, backoff = build_lexicon(docs)
    LEXICON_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(BACKOFF_PATH, "w", encoding="utf-8") as f:
        f.write("# word\tcue_it_behaves_like (PolNeAR train: inflections train has < 3 times)\n")
        for w, cue in sorted(backoff.items()):
            f.write(f"{w}\t{cue}\n")
    write_speaker_heads(build_speaker_heads(docs))
    with open(LEXICON_PATH, "w", encoding="utf-8") as f:
        f.write("# word\tcue_count\ttotal_count (PolNeAR train, lower-cased tokens)\n")
        for w, st in sorted(lexicon.items(), key=lambda kv: (-kv[1].cue, kv[0])):
            f.write(f"{w}\t{st.cue}\t{st.total}\n")

    feats, labels, groups = [], [], []
    for k, doc in enumerate(docs):
        for x, y in training_rows([doc], lexicon):
            feats.append(dict.fromkeys(x, 1))
            labels.append(y)
            groups.append(doc["filename"])
        del k
    vec = DictVectorizer()
    X = vec.fit_transform(feats)
    y = numpy.array(labels)
    clf = LogisticRegression(C=0.5, max_iter=2000)
    pred = cross_val_predict(clf, X, y, groups=groups, cv=GroupKFold(n_splits=5), method="predict_proba")[
        :, 1
    ]
    tp = float(((pred >= 0.5) & (y == 1)).sum())
    metrics = {
        "cv_folds": 5,
        "candidates": len(y),
        "positives": int(y.sum()),
        "cv_precision": round(tp / max(1.0, float((pred >= 0.5).sum())), 4),
        "cv_recall": round(tp / max(1.0, float(y.sum())), 4),
    }
    clf.fit(X, y)
    names = vec.get_feature_names_out()
    weights = {str(n): round(float(c), 5) for n, c in zip(names, clf.coef_[0], strict=True) if abs(c) > 1e-4}
    weights["bias"] = round(weights.get("bias", 0.0) + float(clf.intercept_[0]), 5)
    model = {"feature_scheme": FEATURE_SCHEME, "threshold": 0.5, "weights": weights}
    out_model.parent.mkdir(parents=True, exist_ok=True)
    out_model.write_text(json.dumps(model, sort_keys=True), encoding="utf-8")
    card = {
        "name": "attribution-cues",
        "what": "logistic regression: is this lexicon word a reporting cue in its sentence?",
        "feature_scheme": FEATURE_SCHEME,
        "training_data": {
            "path": str(train_path),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "documents": len(docs),
            "excluded_articles": len(exclude),
            "excluded_why": "kept aside to check the extractor on train articles no model saw",
        },
        "lexicon": {"path": "stance/data/cue_words.tsv", "words": len(lexicon)},
        "backoff": {"path": "stance/data/cue_backoff.tsv", "words": len(backoff)},
        "metrics": metrics,
    }
    return _write_card(card, out_model, out_card)


def _mutual_match(span: tuple[int, int], golds) -> bool:
    """The scorer's content_mutual test: >= 50% of the gold union and >= 50% of the claim in its hull."""
    s, e = span
    for spans, (hs, he), union in golds:
        inter = sum(max(0, min(e, ge) - max(s, gs)) for gs, ge in spans)
        if inter and inter / union >= 0.5 and max(0, min(e, he) - max(s, hs)) / (e - s) >= 0.5:
            return True
    return False


def _write_card(card: dict, out_model: Path, out_card: Path) -> dict:
    """Finish a weights file's card (training parameters, library versions, the file's sha256)
    and write it beside the file."""
    import numpy
    import scipy
    import sklearn

    card = {
        **card,
        "params": {"C": 0.5, "solver": "lbfgs"},
        "versions": {
            "python": sys.version.split()[0],
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
        },
        "model_sha256": hashlib.sha256(out_model.read_bytes()).hexdigest(),
    }
    out_card.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    return card


def train_claim_filter(
    train_path: str,
    exclude: frozenset[str] = frozenset(),
    threshold: float = 0.3,
    out_model: Path = FILTER_PATH,
    out_card: Path = FILTER_CARD_PATH,
) -> dict:
    """Fit the claim filter on the candidate claims the patterns find in PolNeAR train.

    A candidate is positive when it matches a gold attribution of any annotator of its article.
    The threshold 0.3 follows from F1: dropping claims that are right less often than F1/2
    raises F1, and F1 sits near 0.65.
    """
    import numpy
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    from stance import attribution

    raw = Path(train_path).read_bytes()
    articles: dict[str, dict] = {}
    for line in raw.decode("utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        if doc["filename"] in exclude:
            continue
        entry = articles.setdefault(doc["filename"], {"text": doc["text"], "golds": []})
        for a in doc["attributions"]:
            spans = [tuple(x) for x in a["content"]["spans"]]
            if spans:
                hull = (min(s for s, _ in spans), max(e for _, e in spans))
                entry["golds"].append((spans, hull, sum(e - s for s, e in spans)))
    feats, labels, groups = [], [], []
    for name, entry in articles.items():
        for f in attribution.candidate_claims(entry["text"]):
            feats.append(dict.fromkeys(attribution.claim_features(entry["text"], f), 1))
            labels.append(int(_mutual_match((f.start, f.end), entry["golds"])))
            groups.append(name)
    vec = DictVectorizer()
    X = vec.fit_transform(feats)
    y = numpy.array(labels)
    clf = LogisticRegression(C=0.5, max_iter=3000)
    pred = cross_val_predict(clf, X, y, groups=groups, cv=GroupKFold(n_splits=5), method="predict_proba")[
        :, 1
    ]
    keep = pred >= threshold
    metrics = {
        "cv_folds": 5,
        "candidates": len(y),
        "positive_share": round(float(y.mean()), 4),
        "cv_precision_before": round(float(y.mean()), 4),
        "cv_precision_after": round(float(y[keep].mean()), 4) if keep.any() else None,
        "cv_positives_kept": round(float(y[keep].sum() / max(1, y.sum())), 4),
    }
    clf.fit(X, y)
    names = vec.get_feature_names_out()
    weights = {str(n): round(float(c), 5) for n, c in zip(names, clf.coef_[0], strict=True) if abs(c) > 1e-4}
    weights["bias"] = round(weights.get("bias", 0.0) + float(clf.intercept_[0]), 5)
    out_model.write_text(
        json.dumps(
            {"feature_scheme": CLAIM_FEATURE_SCHEME, "threshold": threshold, "weights": weights},
            sort_keys=True,
        ),
        encoding="utf-8",
    )
    card = {
        "name": "attribution-claims",
        "what": "logistic regression: does a candidate claim match an annotated PolNeAR attribution?",
        "feature_scheme": CLAIM_FEATURE_SCHEME,
        "threshold": threshold,
        "training_data": {
            "path": str(train_path),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "articles": len(articles),
            "excluded_articles": len(exclude),
            "excluded_why": "kept aside to check the extractor on train articles the filter never saw",
        },
        "depends_on": {"cue_model_sha256": hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()},
        "metrics": metrics,
    }
    return _write_card(card, out_model, out_card)


def _held_out(train_path: str) -> frozenset[str]:
    """Articles 0-199 and 500-699 of train (file order), kept aside from the claim filter."""
    names: list[str] = []
    with open(train_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                name = json.loads(line)["filename"]
                if name not in names:
                    names.append(name)
    return frozenset(names[:200] + names[500:700])


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit("usage: python -m stance.cues POLNEAR_TRAIN.jsonl [--claims-only] [--hold-out]")
    # --hold-out keeps train articles 0-199 and 500-699 out of both models, to study the
    # extractor on unseen train text; the shipped models learn from all of train.
    held_out = _held_out(args[0]) if "--hold-out" in sys.argv else frozenset()
    if "--claims-only" not in sys.argv:
        print(json.dumps(train(args[0], exclude=held_out), indent=1))
    print(json.dumps(train_claim_filter(args[0], exclude=held_out), indent=1))
