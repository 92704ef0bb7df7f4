"""Whether two claims from different parties conflict, agree, or neither, and what clashes.

Two accounts of one thing clash in a few recurring ways: one says "all", the
other "some" or "a portion"; one denies what the other asserts; one calls it a
success, the other a failure; the numbers or dates differ; they use opposite
words (rose/fell, accepted/rejected). `PairFeatures` turns a pair of texts into
those cues plus lexical similarity, a scikit-learn classifier weighs them, and
`contrast` reads the same cues back as the phrase pairs a reader sees side by
side. The word lists in stance/data/lexicons.json are general English, not
about any one story.

`StanceModel` bundles the relation classifier with the vectorizer that
`stance.issues` uses to group claims, so the service loads one file.
"""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import Stemmer
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler, normalize
from sklearn.utils import murmurhash3_32
from sklearn.utils.validation import check_is_fitted

from stance.cues import CALENDAR_WORDS, load_person_titles

LABELS = ("agree", "conflict", "none")
# The number of the feature maths below (pair features, grouping vectors). A model pickles fitted
# estimators whose numbers only mean something to the code that computed them: bump this whenever a
# change alters what a trained model receives, and loading refuses models of another scheme.
FEATURE_SCHEME = 8
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"})
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'.,][a-z0-9]+)*%?")
_NUMBER_WORDS = {
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "hundred", "hundreds", "thousand", "thousands", "million",
    "millions", "billion", "billions", "trillion", "dozen", "dozens",
}  # fmt: skip
# Scale words: with a number before them they make one number with it ("7.9 billion").
_SCALES = {
    "hundred": "e2", "hundreds": "e2", "thousand": "e3", "thousands": "e3", "million": "e6",
    "millions": "e6", "billion": "e9", "billions": "e9", "trillion": "e12",
}  # fmt: skip
_MONTHS = CALENDAR_WORDS
_POLARITY = ("mild_positive", "positive", "negative")
_UNSEEN = object()
_CUE_CATEGORIES = ("universal", "partial", "negation", "denial", "hedge", "continuation", "ending",
                   "increase", "decrease", "outcome", "wrongdoing")  # fmt: skip


# --- text analysis -------------------------------------------------------------------------------


@cache
def lexicons() -> dict[str, Any]:
    text = (Path(__file__).parent / "data" / "lexicons.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    compiled: dict[str, Any] = {"function_words": frozenset(raw["function_words"])}
    for name, entries in raw.items():
        if name in ("about", "function_words", "antonyms"):
            continue
        compiled[name] = _Index(sorted((tuple(e.split()) for e in entries), key=len, reverse=True))
    compiled["antonyms"] = [tuple(pair) for pair in raw["antonyms"]]
    tagged = [(cat, entry) for cat in (*_CUE_CATEGORIES, *_POLARITY, "idioms")
              for entry in compiled[cat].entries]  # fmt: skip
    compiled["master"] = _Index([entry for _, entry in tagged])
    compiled["categories_of"] = {}
    for cat, entry in tagged:
        compiled["categories_of"].setdefault(entry, []).append(cat)
    compiled["antonym_index"] = _Index([(p,) for pair in raw["antonyms"] for p in pair])
    compiled["antonym_sides"] = {}
    for k, pair in enumerate(raw["antonyms"]):
        for side, pattern in enumerate(pair):
            compiled["antonym_sides"].setdefault(pattern, []).append((k, side))
    return compiled


class _Index:
    """Lexicon entries looked up by their first word: exact words in a dict, "stem*" entries by prefix,
    "*suffix" entries by suffix, so matching a text costs a few dict lookups per word."""

    def __init__(self, entries: list[tuple[str, ...]]):
        self.exact: dict[str, list[tuple[str, ...]]] = {}
        self.prefix: dict[str, list[tuple[str, ...]]] = {}
        self.suffix: dict[str, list[tuple[str, ...]]] = {}
        for entry in entries:  # already longest first
            head = entry[0]
            if head.startswith("*"):
                self.suffix.setdefault(head[1:], []).append(entry)
            elif head.endswith("*"):
                self.prefix.setdefault(head[:-1], []).append(entry)
            else:
                self.exact.setdefault(head, []).append(entry)
        self.prefix_lengths = sorted({len(p) for p in self.prefix})
        self.entries = entries
        self._cache: dict[str, list[tuple[str, ...]]] = {}

    def candidates(self, word: str) -> list[tuple[str, ...]]:
        cached = self._cache.get(word)
        if cached is None:
            cached = self._cache[word] = self._lookup(word) if len(self._cache) < 200_000 else None
        return cached if cached is not None else self._lookup(word)

    def _lookup(self, word: str) -> list[tuple[str, ...]]:
        found = list(self.exact.get(word, ()))
        for n in self.prefix_lengths:
            if n <= len(word):
                found.extend(self.prefix.get(word[:n], ()))
        for suffix, entries in self.suffix.items():
            if word.endswith(suffix):
                found.extend(entries)
        if len(found) > 1:
            found.sort(key=len, reverse=True)
        return found


def _word_matches(pattern: str, word: str) -> bool:
    if pattern.startswith("*"):
        return word.endswith(pattern[1:])
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


def _match_at(entry: tuple[str, ...], words: list[str], i: int) -> bool:
    """Whether `entry` matches the words from position i. Callers take entries from an _Index lookup of
    words[i], so the first word already matches: only the rest is checked."""
    n = len(entry)
    if n == 1:
        return True
    if i + n > len(words):
        return False
    if n == 2:
        return _word_matches(entry[1], words[i + 1])
    return all(_word_matches(entry[k], words[i + k]) for k in range(1, n))


_STEMMERS = threading.local()  # PyStemmer's stemmers are not to be shared between threads


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The word's Snowball (Porter 2) stem, so that "guarantees"/"guarantee", "raised"/"raise" and
    "sanctions"/"sanction" meet. `word` is folded (lower case)."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(word.strip("'"))


def content_stems(text: str) -> list[str]:
    """Analyzer for the vectorizers: stems of the words that carry content."""
    return list(_content_stems(text))


@lru_cache(maxsize=16384)
def _content_stems(text: str) -> tuple[str, ...]:
    function_words = lexicons()["function_words"]
    return tuple(stem(w) for w in _tokens(text) if w not in function_words and len(w) > 1)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """The folded tokens of `text`: the vectorizers' and the lexicon matcher's words. (A token never ends
    in "." or ",": _TOKEN only takes them between letters or digits.)"""
    return tuple(_TOKEN.findall(fold(text)))


def fold(text: str) -> str:
    return text.translate(_QUOTES).lower()


@lru_cache(maxsize=65536)
def _hashed_index(token: str, n_features: int) -> int:
    """The column HashingVectorizer(alternate_sign=False) gives `token`: |murmurhash3| mod n_features."""
    h = murmurhash3_32(token, seed=0, positive=False)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


class _TermWeights:
    """term -> (column, idf weight), remembered per term: the lookups a TF-IDF row needs, done once."""

    def __init__(self, column_of, idf: np.ndarray):
        self.column_of = column_of
        self.idf = idf
        self.known: dict[str, tuple[int, float] | None] = {}

    def __call__(self, term: str) -> tuple[int, float] | None:
        try:
            return self.known[term]
        except KeyError:
            column = self.column_of(term)
            found = None if column is None else (int(column), float(self.idf[column]))
            if len(self.known) < 200_000:
                self.known[term] = found
            return found


def _sublinear_tfidf(stems: tuple[str, ...], weights: _TermWeights) -> dict[int, float]:
    """One text's TF-IDF row as {column: weight}, the maths of TfidfTransformer(sublinear_tf=True, norm="l2")
    over term counts (stems mapping to the same column add up, as in a hashing vectorizer)."""
    counts: dict[int, int] = {}
    idf: dict[int, float] = {}
    for term in stems:
        found = weights(term)
        if found is not None:
            column = found[0]
            counts[column] = counts.get(column, 0) + 1
            idf[column] = found[1]
    if not counts:
        return {}
    row = {column: (math.log(count) + 1.0) * idf[column] if count > 1 else idf[column]
           for column, count in counts.items()}  # fmt: skip
    norm = math.sqrt(sum(w * w for w in row.values()))
    return {column: w / norm for column, w in row.items()} if norm > 0 else {}


def _unit(row: dict[int, float]) -> dict[int, float]:
    norm = math.sqrt(sum(w * w for w in row.values()))
    return {column: w / norm for column, w in row.items()} if norm > 0 else {}


def _term_weights(owner, name: str, column_of, idf: np.ndarray) -> _TermWeights:
    """A _TermWeights kept on `owner` (not pickled: see _WithoutCaches)."""
    weights = owner.__dict__.get(name)
    if weights is None:
        weights = owner.__dict__[name] = _TermWeights(column_of, idf)
    return weights


class _WithoutCaches:
    """Estimators that keep lookup caches in attributes starting with '_' leave them out of pickles."""

    def __getstate__(self):
        state = super().__getstate__()
        return {k: v for k, v in state.items() if not k.startswith("_") or k.startswith("_sklearn")}


@dataclass
class Cues:
    """What a text says in the terms the clash features need (token spans index `words`)."""

    text: str
    words: list[str]
    spans: list[tuple[int, int]] | None = None  # character span of each word, found when first needed
    hits: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    numbers: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    polarity: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # (antonym pair index, side 0|1) -> position of the first word matching that side
    antonyms: dict[tuple[int, int], int] = field(default_factory=dict)
    # who acts, near the start ("Chinese" in "the Chinese ship rammed ..."): the capitalised words
    # there as four-letter keys, which a country and its people mostly share ("chin" for China,
    # Chinese); the position of the first in `words`
    agent: frozenset[str] | None = None
    agent_at: int = -1

    def has(self, category: str) -> bool:
        return bool(self.hits.get(category))

    def phrase(self, start: int, end: int) -> str:
        if self.spans is None:
            self.spans = [
                (m.start(), m.start() + len(m.group().rstrip(".,"))) for m in _TOKEN.finditer(fold(self.text))
            ]
        return self.text[self.spans[start][0] : self.spans[end - 1][1]]


def _all_matches(words: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Every lexicon entry matching at every position, by category: one dictionary lookup per word."""
    lex = lexicons()
    categories_of = lex["categories_of"]
    found: dict[str, list[tuple[int, int]]] = {}
    for i, word in enumerate(words):
        for entry in lex["master"].candidates(word):
            if len(entry) == 1 or _match_at(entry, words, i):
                for cat in categories_of[entry]:
                    found.setdefault(cat, []).append((i, i + len(entry)))
    return found


def _select(spans: list[tuple[int, int]], taken: set[int] | None = None) -> list[tuple[int, int]]:
    """Left to right, the longest match at each position, never overlapping one already chosen."""
    chosen: list[tuple[int, int]] = []
    last_end = 0
    for start, end in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if start < last_end or (taken and not taken.isdisjoint(range(start, end))):
            continue
        chosen.append((start, end))
        last_end = end
    return chosen


def _find(index: _Index, words: list[str], taken: set[int] | None = None):
    found = []
    i = 0
    while i < len(words):
        for entry in index.candidates(words[i]):
            if _match_at(entry, words, i) and not (taken and taken & set(range(i, i + len(entry)))):
                found.append((i, i + len(entry)))
                i += len(entry) - 1
                break
        i += 1
    return found


_DEFINITE = {"the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "my", "your"}
_INDEFINITE = {"a", "an", "another", "last"}


def _attributive(words: list[str], start: int, end: int) -> bool:
    """An evaluative word that names or describes something already given ("this failed summit", "the
    failure to reach a deal") is background; what the claim asserts is elsewhere. After an indefinite
    article only the adjective before a noun counts ("a failed bid"), since "was a failure" asserts."""
    if start == 0:
        return False
    before = words[start - 1]
    if before in _DEFINITE:
        return True
    if before in _INDEFINITE and end - start == 1 and end < len(words):
        following = words[end]
        return following not in lexicons()["function_words"] and not following.endswith("ly")
    return False


def _first_number(cues: Cues) -> int:
    """Index of the first word that states one of the claim's numbers ("7.9" of "7.9 billion")."""
    leading = {number.split()[0] for number in cues.numbers}
    return next(
        i for i, w in enumerate(cues.words) if w.replace(",", "").rstrip("%") in leading or w in leading
    )


@lru_cache(maxsize=65536)
def _number_or_date(word: str) -> tuple[str | None, str | None]:
    """(the number a word states, the date it names); a year counts as a date."""
    digits = word.replace(",", "").rstrip("%")
    if digits.replace(".", "", 1).isdigit():
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return None, digits
        return digits, None
    if word in _NUMBER_WORDS:
        return word, None
    if word in _MONTHS and word != "may":
        return None, word
    return None, None


@lru_cache(maxsize=65536)
def _antonym_keys(word: str) -> tuple[tuple[int, int], ...]:
    """(antonym pair index, side) for every antonym pattern the word matches."""
    lex = lexicons()
    return tuple(
        key for (pattern,) in lex["antonym_index"].candidates(word) for key in lex["antonym_sides"][pattern]
    )


def _category_hits(
    words: list[str], matches: dict[str, list[tuple[int, int]]], categories: tuple[str, ...]
) -> dict[str, list[tuple[int, int]]]:
    """The chosen matches of each category (see _select): what analyse and concepts_in both read."""
    # Idioms ("go all in", "not only", "take part") say nothing about quantity or scope.
    idiom_tokens = {i for start, end in _select(matches.get("idioms", [])) for i in range(start, end)}
    hits = {}
    for category in categories:
        blocked = idiom_tokens if category in ("universal", "partial") else None
        hits[category] = _select(matches.get(category, []), blocked)
    if "outcome" in hits:
        hits["outcome"] = [h for h in hits["outcome"] if not _attributive(words, *h)]
    return hits


_OPEN_QUESTION = frozenset({"whether", "if"})  # "did not say whether all ...": nothing denied


def _denies_verb(word: str) -> bool:
    return word in ("not", "never", "cannot") or word.endswith(("n't", "n\u2019t"))


# Words that open a new clause: a negation before one does not reach a whole after it.
_CLAUSE_OPENERS = frozenset(
    "but and or because which that who while although though so since if when".split()
)


_SMALL_NUMBERS = {
    w: n for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)
}


def _count(word: str) -> float | None:
    if word.isdigit():
        return float(word)
    return _SMALL_NUMBERS.get(word)


def _fractions(words: list[str]) -> list[tuple[int, int]]:
    """Spans saying "a number of a larger number" ("five of the 11 sanctions", "two of its four
    reactors"): a part, as "some" is."""
    found = []
    for i in range(len(words) - 2):
        if words[i + 1] != "of":
            continue
        part = _count(words[i])
        if part is None:
            continue
        for k in (i + 2, i + 3):
            whole = _count(words[k]) if k < len(words) else None
            if whole is not None:
                if part < whole:
                    found.append((i, k + 1))
                break
    return found


def _denies_whole(words: list[str], negation: int, whole: int) -> bool:
    """Does the negation at `negation` deny the whole at `whole`? Within five words ("couldn't give
    up all"), or within eight in the same clause ("not a demand for the lifting of all sanctions");
    never across "whether"/"if" ("did not say whether all ...")."""
    if not whole - 8 <= negation < whole or _OPEN_QUESTION.intersection(words[negation:whole]):
        return False
    return whole - negation <= 5 or not _CLAUSE_OPENERS.intersection(words[negation + 1 : whole])


@lru_cache(maxsize=8192)
def analyse(text: str) -> Cues:
    folded = fold(text)
    if len(folded) != len(text):  # lower() changed the length: take phrases from the folded text
        text = folded
    words = list(_tokens(text))  # the tokens of fold(text), as the vectorizers see them
    cues = Cues(text=text, words=words)
    matches = _all_matches(words)
    cues.hits = _category_hits(words, matches, _CUE_CATEGORIES)
    # A denied whole is a part: "not a request for the full lifting", "couldn't give up all of them"
    # (a verb's negation only: in "no doubt the whole town ...", "no" denies the doubt).
    negation_starts = [s for s, _ in cues.hits["negation"] if _denies_verb(words[s])]
    denied = [
        h for h in cues.hits["universal"] if any(_denies_whole(words, n, h[0]) for n in negation_starts)
    ]
    fractions = _fractions(words)
    if denied or fractions:
        cues.hits["universal"] = [h for h in cues.hits["universal"] if h not in denied]
        cues.hits["partial"] = sorted(set(cues.hits["partial"] + denied + fractions))
    # Polarity: set phrases first ("not a disaster" is mild praise, not a disaster), then single words,
    # flipping a word when a negation stands just before it.
    taken: set[int] = set()
    negations = {s for s, _ in cues.hits["negation"]}
    polarity: dict[str, list[tuple[int, int]]] = {"positive": [], "mild_positive": [], "negative": []}
    for category in _POLARITY:
        for start, end in _select(matches.get(category, []), taken):
            taken.update(range(start, end))
            if _attributive(words, start, end):
                continue  # "this failed summit": a background judgement, not what the claim asserts
            negated = any(start - 4 <= n < start for n in negations) and category != "mild_positive"
            if negated and category == "negative":
                polarity["mild_positive"].append((start, end))
            elif negated:
                polarity["negative"].append((start, end))
            else:
                polarity[category].append((start, end))
    cues.polarity = polarity
    previous = None  # "7.9 billion" is one number, not "7.9" and "billion"
    for i, (number, date) in enumerate(map(_number_or_date, words)):
        if number is not None and number in _SCALES and previous is not None:
            cues.numbers.discard(previous)
            number = previous + " " + _SCALES[number]
        previous = number if number is not None and number not in _SCALES else None
        if number is not None:
            cues.numbers.add(number)
        elif date is not None:
            cues.dates.add(date)
        if i and words[i] in _MONTHS and words[i - 1].isdigit():
            cues.dates.add(words[i - 1] + words[i])
    cues.stems = set(_content_stems(text))
    cues.agent_at, cues.agent = _agent(text, folded, words)
    for i, keys in enumerate(map(_antonym_keys, words)):
        for key in keys:
            cues.antonyms.setdefault(key, i)
    return cues


AGENT_REACH = 6  # words: the agent is the subject, near the start of the claim
# Capitalised words that name no agent: titles (a monarch's too) and the calendar.
_NOT_AGENTS = load_person_titles() | {"king", "queen", "prince", "pope"} | _MONTHS


def _agent(text: str, folded: str, words: list[str]) -> tuple[int, frozenset[str] | None]:
    """The first run of capitalised content words among the first AGENT_REACH words, as four-letter
    keys: demonyms and their countries mostly share one ("Indian"/"India"). The text's first word
    counts only as a modifier ("Armenian forces", "Government troops"): capitalised there,
    "Protesters" or "Rebels" would look like names."""
    if len(folded) != len(text):
        return -1, None
    function_words = lexicons()["function_words"]
    start, keys = -1, []
    for i, m in enumerate(_TOKEN.finditer(folded)):
        if i >= len(words) or (start < 0 and i >= AGENT_REACH):
            break
        word = words[i]
        named = (
            (
                i
                or (
                    word[-1:] != "s"
                    and text[m.end() : m.end() + 1] == " "
                    and text[m.end() + 1 : m.end() + 2].islower()
                )
            )
            and text[m.start()].isupper()
            and word not in function_words
            and word not in _NOT_AGENTS
            and word.isalpha()
        )
        if named:
            start = i if start < 0 else start
            keys.append(word[:4])
        elif start >= 0:
            break
    return start, frozenset(keys) if keys else None


def _agents_differ(a: Cues, b: Cues) -> bool:
    """Both claims name who acts, and not the same one: "Edgar Lungu" and "Lungu" name one agent,
    "North Korean" and "South Korean" two."""
    return a.agent is not None and b.agent is not None and not (a.agent <= b.agent or b.agent <= a.agent)


def _antonym_hits(a: Cues, b: Cues) -> list[tuple[int, int]]:
    """Index pairs (word in a, word in b) that are opposites in the antonym list."""
    found = []
    for (k, side), ia in a.antonyms.items():
        other = (k, 1 - side)
        if other in b.antonyms and other not in a.antonyms and (k, side) not in b.antonyms:
            found.append((ia, b.antonyms[other]))
    return found


# --- features ------------------------------------------------------------------------------------

FEATURE_NAMES = (
    "similarity", "jaccard", "shared_words", "scope_clash", "scope_same", "negation_one_side",
    "negation_both", "denial_any", "denial_one_side", "evaluation_clash", "mild_vs_negative",
    "positive_both", "negative_both", "evaluation_one_side", "no_evaluation", "hedge_any",
    "numbers_both", "numbers_differ", "numbers_shared", "dates_differ", "direction_clash",
    "direction_same", "antonyms", "continuation_both", "continuation_vs_ending", "scope_clash_x_similarity", "negation_x_similarity", "antonyms_x_similarity",
    "evaluation_clash_x_similarity", "agents_differ", "wrongdoing_both", "blame_swap",
)  # fmt: skip


def _as_pairs(X) -> list[tuple[str, str]]:
    if isinstance(X, np.ndarray):
        return [(str(a), str(b)) for a, b in X]
    return [(str(a), str(b)) for a, b in X]


class PairFeatures(_WithoutCaches, TransformerMixin, BaseEstimator):
    """(a, b) text pairs -> the clash and similarity cues above, one row per pair.

    fit learns the IDF weights of the similarity measure from the training texts.
    """

    def __init__(self, n_features: int = 2**18):
        self.n_features = n_features

    def _hasher(self) -> HashingVectorizer:
        return HashingVectorizer(
            analyzer=content_stems, n_features=self.n_features, alternate_sign=False, norm=None
        )

    def fit(self, X, y=None):
        pairs = _as_pairs(X)
        texts = [t for pair in pairs for t in pair]
        self.idf_ = TfidfTransformer(sublinear_tf=True).fit(self._hasher().transform(texts))
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def get_feature_names_out(self, input_features=None):
        return np.array(FEATURE_NAMES, dtype=object)

    def transform(self, X):
        check_is_fitted(self, "idf_")
        pairs = _as_pairs(X)
        if not pairs:
            return np.zeros((0, len(FEATURE_NAMES)))
        # The hashed TF-IDF cosine, computed on {column: weight} rows: the same maths as
        # normalize(idf_.transform(HashingVectorizer(...).transform(texts))) without sklearn's per-call cost.
        n_features = self.n_features
        weights = _term_weights(self, "_weights", lambda t: _hashed_index(t, n_features), self.idf_.idf_)
        vectors = {text: _sublinear_tfidf(_content_stems(text), weights) for pair in pairs for text in pair}
        rows = [pair_cues(analyse(a), analyse(b), _dot(vectors[a], vectors[b])) for a, b in pairs]
        return np.asarray(rows, dtype=float).reshape(len(pairs), len(FEATURE_NAMES))


def _dot(a: dict[int, float], b: dict[int, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b[c] for c, w in a.items() if c in b)


def pair_cues(a: Cues, b: Cues, similarity: float) -> list[float]:
    shared = a.stems & b.stems
    union = a.stems | b.stems
    jaccard = len(shared) / len(union) if union else 0.0
    ua, pa, ub, pb = a.has("universal"), a.has("partial"), b.has("universal"), b.has("partial")
    # Long claims can hold both ("only some of the measures, and all the facilities"): any universal
    # against any partial is a clash; sameness needs both sides to quantify one way only.
    scope_clash = float((ua and pb) or (ub and pa))
    scope_same = float((ua and ub and not pa and not pb) or (pa and pb and not ua and not ub))
    na, nb = a.has("negation"), b.has("negation")
    da, db = a.has("denial"), b.has("denial")
    pos_a, pos_b = bool(a.polarity["positive"]), bool(b.polarity["positive"])
    mild_a, mild_b = bool(a.polarity["mild_positive"]), bool(b.polarity["mild_positive"])
    neg_a, neg_b = bool(a.polarity["negative"]), bool(b.polarity["negative"])
    # A text that both praises and laments counts by its majority.
    if pos_a and neg_a:
        pos_a, neg_a = (
            len(a.polarity["positive"]) > len(a.polarity["negative"]),
            len(a.polarity["negative"]) > len(a.polarity["positive"]),
        )
    if pos_b and neg_b:
        pos_b, neg_b = (
            len(b.polarity["positive"]) > len(b.polarity["negative"]),
            len(b.polarity["negative"]) > len(b.polarity["positive"]),
        )
    evaluation_clash = float((pos_a and neg_b) or (neg_a and pos_b))
    mild_vs_negative = float((mild_a and not pos_a and neg_b) or (mild_b and not pos_b and neg_a))
    eval_a, eval_b = pos_a or mild_a or neg_a, pos_b or mild_b or neg_b
    numbers_both = bool(a.numbers and b.numbers)
    numbers_differ = float(numbers_both and not (a.numbers & b.numbers))
    dates_differ = float(bool(a.dates and b.dates and not (a.dates & b.dates)))
    up_a, down_a, up_b, down_b = (a.has("increase"), a.has("decrease"), b.has("increase"), b.has("decrease"))
    direction_clash = float((up_a and down_b and not up_b) or (up_b and down_a and not up_a))
    direction_same = float((up_a and up_b) or (down_a and down_b))
    antonyms = min(len(_antonym_hits(a, b)), 3)
    cont_a, cont_b = a.has("continuation"), b.has("continuation")
    end_a, end_b = a.has("ending"), b.has("ending")
    continuation_vs_ending = float((cont_a and end_b and not cont_b) or (cont_b and end_a and not cont_a))
    # "Chinese troops tried to change the status quo" / "Indian troops illegally crossed the line": each
    # side says the other did wrong.
    agents_differ = float(_agents_differ(a, b))
    wrongdoing_both = float(a.has("wrongdoing") and b.has("wrongdoing"))
    return [
        similarity,
        jaccard,
        np.log1p(len(shared)),
        scope_clash,
        scope_same,
        float(na != nb),
        float(na and nb),
        float(da or db),
        float(da != db),
        evaluation_clash,
        mild_vs_negative,
        float(pos_a and pos_b) + 0.5 * float((mild_a and pos_b) or (pos_a and mild_b) or (mild_a and mild_b)),
        float(neg_a and neg_b),
        float(eval_a != eval_b),
        float(not eval_a and not eval_b),
        float(a.has("hedge") or b.has("hedge")),
        float(numbers_both),
        numbers_differ,
        float(bool(a.numbers & b.numbers)),
        dates_differ,
        direction_clash,
        direction_same,
        float(antonyms),
        float(cont_a and cont_b),
        continuation_vs_ending,
        scope_clash * (similarity + jaccard),
        float(na != nb) * (similarity + jaccard),
        antonyms * (similarity + jaccard),
        evaluation_clash * (similarity + jaccard),
        agents_differ,
        wrongdoing_both,
        agents_differ * wrongdoing_both,
    ]


# A relation is only reported when something in the pair supports it: a conflict needs a clash cue (the
# contrast a reader is shown), an agreement a shared cue or a close paraphrase. The classifier weighs the
# cues; the gate keeps it from answering on length or vocabulary alone.
CLASH_CUES = ("scope_clash", "negation_one_side", "denial_one_side", "evaluation_clash", "numbers_differ",
              "dates_differ", "direction_clash", "antonyms", "continuation_vs_ending", "blame_swap")  # fmt: skip
AGREE_CUES = ("positive_both", "negative_both", "continuation_both", "numbers_shared", "direction_same",
              "scope_same")  # fmt: skip
PARAPHRASE_SIMILARITY = 0.5
_CLASH_COLUMNS = [FEATURE_NAMES.index(n) for n in CLASH_CUES]
_AGREE_COLUMNS = [FEATURE_NAMES.index(n) for n in AGREE_CUES]


def supported(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of PairFeatures output: (a clash cue fired, an agreement cue fired or near-paraphrase)."""
    clash = (features[:, _CLASH_COLUMNS] > 0).any(axis=1)
    agree = (features[:, _AGREE_COLUMNS] > 0).any(axis=1) | (features[:, 0] >= PARAPHRASE_SIMILARITY)
    return clash, agree


def build_pipeline() -> Pipeline:
    """Pair features -> scaled -> multinomial logistic regression over agree / conflict / none."""
    return Pipeline(
        [
            ("features", PairFeatures()),
            ("scale", StandardScaler()),
            ("classify", LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)),
        ]
    )


# --- contrast ------------------------------------------------------------------------------------


def _expand(cues: Cues, start: int, end: int) -> str:
    """The cue word plus the words it governs: "all" -> "all the sanctions", "a portion" -> "a portion of
    the complex"."""
    function_words = lexicons()["function_words"]
    if start >= 2 and cues.words[start - 2] == "in" and cues.words[start - 1] in _GOVERNING:
        start -= 2  # "in their entirety"
    stop = end
    while stop < len(cues.words) and cues.words[stop] in _GOVERNING and stop - end < 3:
        stop += 1
    if stop < len(cues.words) and cues.words[stop] not in function_words:
        return cues.phrase(start, stop + 1)
    return cues.phrase(start, end)


# What stands between a quantifier and the noun it governs ("all of the sanctions", "a portion
# of its land"); a conjunction or pronoun after it starts something else ("entirety, and we").
_GOVERNING = frozenset("of the a an its their his her our these those this that".split())


_ADVERBS = {"only", "merely", "just"}


def _scope_hit(cues: Cues, category: str) -> tuple[int, int] | None:
    """Prefer a quantifier ("some of", "a portion") over a focus adverb ("only") as the phrase to show."""
    hits = cues.hits[category]
    return next((h for h in hits if cues.words[h[0]] not in _ADVERBS), _first(hits))


def _first(spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    return spans[0] if spans else None


def contrast(a: str, b: str) -> list[list[str]]:
    """The phrase pairs that clash between a and b: [[phrase in a, phrase in b], ...]."""
    ca, cb = analyse(a), analyse(b)
    pairs: list[list[str]] = []

    def add(left: str, right: str) -> None:
        if left and right and [left, right] not in pairs and left.lower() != right.lower():
            pairs.append([left, right])

    for x, y in (("universal", "partial"), ("partial", "universal")):
        ha, hb = _scope_hit(ca, x), _scope_hit(cb, y)
        if ha and hb:
            add(_expand(ca, *ha), _expand(cb, *hb))
    for x, y in (("positive", "negative"), ("negative", "positive"), ("mild_positive", "negative"),
                 ("negative", "mild_positive")):  # fmt: skip
        ha, hb = _first(ca.polarity[x]), _first(cb.polarity[y])
        if ha and hb:
            add(ca.phrase(*ha), cb.phrase(*hb))
            break
    for x, y in (("increase", "decrease"), ("decrease", "increase"), ("continuation", "ending"),
                 ("ending", "continuation")):  # fmt: skip
        ha, hb = _first(ca.hits[x]), _first(cb.hits[y])
        if ha and hb and not cb.hits[x]:
            add(ca.phrase(*ha), cb.phrase(*hb))
    if _agents_differ(ca, cb) and ca.has("wrongdoing") and cb.has("wrongdoing"):
        # who did it, then what each says they did
        add(_agent_phrase(ca), _agent_phrase(cb))
        add(_expand_wrong(ca), _expand_wrong(cb))
    for ia, ib in _antonym_hits(ca, cb)[:2]:
        add(ca.phrase(ia, ia + 1), cb.phrase(ib, ib + 1))
    if ca.numbers and cb.numbers and not ca.numbers & cb.numbers:
        add(_number_phrase(ca, _first_number(ca)), _number_phrase(cb, _first_number(cb)))
    for x, y in ((ca, cb), (cb, ca)):
        if (x.hits["negation"] or x.hits["denial"]) and not (y.hits["negation"] or y.hits["denial"]):
            start, end = (x.hits["negation"] or x.hits["denial"])[0]
            stop = min(end + 2, len(x.words))
            if x.words[stop - 1] in _GOVERNING:
                # "never opened a formal indigenous consultation", not "never opened a"
                function_words = lexicons()["function_words"]
                while stop < len(x.words) and stop - end < 6 and x.words[stop] not in function_words:
                    stop += 1
            phrase = x.phrase(start, stop)
            other = _shared_word_phrase(y, x, end)
            if other:
                add(phrase, other) if x is ca else add(other, phrase)
            break
    return pairs[:4]


_UNITS = frozenset("percent per cent".split()) | set(_SCALES)
_ONE_WORD_BOUNDS = frozenset("under over about nearly almost only around roughly".split())
_BOUNDS = {
    ("fewer", "than"),
    ("less", "than"),
    ("more", "than"),
    ("at", "least"),
    ("at", "most"),
    ("up", "to"),
}


def _number_phrase(cues: Cues, at: int) -> str:
    """The number with its bound, unit and what it counts: "fewer than 40 percent of the flights",
    "85 percent of its scheduled flights"."""
    words = cues.words
    start = at - 2 if at >= 2 and (words[at - 2], words[at - 1]) in _BOUNDS else at
    if start == at and at >= 1 and words[at - 1] in _ONE_WORD_BOUNDS:
        start = at - 1  # "under 4 billion", "about 1,200 gallons"
    end = at + 1
    while end < len(words) and words[end] in _UNITS:
        end += 1
    return _expand(cues, start, end)


def _agent_phrase(cues: Cues) -> str:
    """The agent and the noun after it ("Chinese troops", "the Philippine boat" -> "Philippine boat")."""
    end = cues.agent_at + 1
    if end < len(cues.words) and cues.words[end] not in lexicons()["function_words"]:
        end += 1
    return cues.phrase(cues.agent_at, end)


def _expand_wrong(cues: Cues) -> str:
    """The wrongdoing word with the word after it ("illegally crossed", "rammed a")."""
    start, end = cues.hits["wrongdoing"][0]
    if end < len(cues.words) and cues.words[end] not in lexicons()["function_words"]:
        end += 1
    return cues.phrase(start, end)


def _shared_word_phrase(other: Cues, negated: Cues, after: int) -> str:
    """The word in `other` that the negation in `negated` denies (the first content word they share)."""
    function_words = lexicons()["function_words"]
    for i in range(after, min(after + 6, len(negated.words))):
        word = negated.words[i]
        if word in function_words or len(word) < 4:
            continue
        for j, candidate in enumerate(other.words):
            if stem(candidate) == stem(word):
                return other.phrase(max(0, j - 2), j + 1)
    return ""


def _csr(rows: list[dict[int, float]], n_columns: int) -> sp.csr_matrix:
    """{column: weight} rows -> a CSR matrix with `n_columns` columns."""
    indptr = np.cumsum([0] + [len(r) for r in rows])
    size = int(indptr[-1])
    data = np.fromiter((w for r in rows for w in r.values()), float, size)
    indices = np.fromiter((c for r in rows for c in r), np.int32, size)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_columns))


def _l2(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), like sklearn.preprocessing.normalize."""
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    norms[norms == 0.0] = 1.0
    return matrix / norms[:, None]


# --- grouping vectorizer -------------------------------------------------------------------------

# Concept dimensions: claims that judge how something went, or whether talks go on, are about the
# same question even when they share no word ("successful" / "you have to walk").
CONCEPTS = (
    ("outcome", ("outcome",), 1.0),
    ("continuation", ("continuation",), 1.0),
    ("quantity", ("universal", "partial"), 0.5),
)
_CONCEPT_CATEGORIES = tuple(c for _, categories, _ in CONCEPTS for c in categories)


@lru_cache(maxsize=65536)
def _concept_entries(word: str) -> tuple[tuple[str, ...], ...]:
    """The lexicon entries starting at `word` that belong to a concept category."""
    lex = lexicons()
    wanted = {c for _, categories, _ in CONCEPTS for c in categories}
    return tuple(e for e in lex["master"].candidates(word) if wanted.intersection(lex["categories_of"][e]))


def _may_hold_concept(text: str) -> bool:
    """Whether any concept-category entry matches somewhere in `text` (analyse may still drop it as an
    idiom or background): a cheap test that spares analysing the claims that have none. One regular
    expression over the tokens joined by spaces, so the scan runs in C."""
    return _concept_pattern().search(" ".join(_tokens(text))) is not None


@lru_cache(maxsize=8192)
def concepts_in(text: str) -> frozenset[str]:
    """The CONCEPTS that analyse(text) finds (any of a concept's categories hit), without the rest of
    its work: polarity, numbers and antonyms are for pair features, grouping needs only these. (A
    denied universal, which analyse counts as partial, is a quantity either way.)"""
    folded = fold(text)
    words = list(_tokens(folded if len(folded) != len(text) else text))
    hits = _category_hits(words, _all_matches(words), _CONCEPT_CATEGORIES)
    if not hits["partial"] and any(w.isdigit() or w in _NUMBER_WORDS for w in words):
        hits["partial"] = _fractions(words)  # "five of the 11 sanctions", as analyse() reads it
    return frozenset(name for name, categories, _ in CONCEPTS if any(hits[c] for c in categories))


def _entry_pattern(entry: tuple[str, ...]) -> str:
    """A lexicon entry as a pattern over space-joined tokens ("stem*" and "*suffix" as in _word_matches)."""

    def word(w: str) -> str:
        if w.startswith("*"):
            return r"\S*" + re.escape(w[1:])
        if w.endswith("*"):
            return re.escape(w[:-1]) + r"\S*"
        return re.escape(w)

    return " ".join(map(word, entry))


@cache
def _concept_pattern() -> re.Pattern:
    lex = lexicons()
    wanted = {c for _, categories, _ in CONCEPTS for c in categories}
    entries = [e for e in lex["master"].entries if wanted.intersection(lex["categories_of"][e])]
    return re.compile(r"(?:^| )(?:" + "|".join(map(_entry_pattern, entries)) + r")(?= |$)")


class _TokenTable:
    """Every token seen, numbered, with the columns of its content stem: hashed (lexical) and topic-term
    (-1 when out of the vocabulary); function words are not kept."""

    def __init__(self, grouper: GroupingVectorizer):
        self.grouper = grouper
        self.number: dict[str, int] = {}
        self.kept = np.zeros(1024, dtype=bool)
        self.lexical = np.zeros(1024, dtype=np.intp)
        self.topical = np.zeros(1024, dtype=np.intp)
        self._lock = threading.RLock()

    limit = 200_000  # tokens remembered; past it the table starts again, bounding its memory

    def ids(self, tokens: list[str]) -> list[int]:
        # gunicorn's threaded workers share this table: numbering a token and growing the arrays
        # must not interleave, or two tokens could share a number.
        with self._lock:
            if len(self.number) + len(tokens) > self.limit:
                self.number.clear()
            found = list(map(self.number.get, tokens))
            if None in found:
                found = [self._add(t) if i is None else i for t, i in zip(tokens, found, strict=True)]
            return found

    def _add(self, token: str) -> int:
        if token in self.number:
            return self.number[token]
        i = self.number[token] = len(self.number)
        if i >= len(self.kept):
            for name in ("kept", "lexical", "topical"):
                grown = getattr(self, name)
                setattr(self, name, np.concatenate([grown, np.zeros_like(grown)]))
        keep = token not in lexicons()["function_words"] and len(token) > 1
        self.kept[i] = keep
        if keep:
            term = stem(token)
            self.lexical[i] = _hashed_index(term, self.grouper.n_features)
            self.topical[i] = self.grouper.topic_terms_.vocabulary_.get(term, -1)
        return i


def _tfidf_entries(rows: np.ndarray, columns: np.ndarray, n_columns: int, idf: np.ndarray, n_rows: int):
    """(row, column, weight) of the L2-normalised sublinear TF-IDF rows for term occurrences
    (rows[i], columns[i]): TfidfTransformer(sublinear_tf=True) maths over the counts."""
    keys, counts = np.unique(rows * n_columns + columns, return_counts=True)
    entry_rows, entry_columns = keys // n_columns, keys % n_columns
    weights = (np.log(counts) + 1.0) * idf[entry_columns]
    norms = np.sqrt(np.bincount(entry_rows, weights=weights * weights, minlength=n_rows))
    return entry_rows, entry_columns, weights / norms[entry_rows]


class GroupingVectorizer(_WithoutCaches, TransformerMixin, BaseEstimator):
    """Texts -> L2-normalised rows mixing exact words (hashed TF-IDF), latent topics (LSA fitted on a
    news corpus, so that related words land near each other) and a few concept dimensions."""

    def __init__(self, n_components: int = 100, max_features: int = 20000, lexical_weight: float = 1.0,
                 topic_weight: float = 0.4, concept_weight: float = 1.0, n_features: int = 2**18,
                 batch_term_weighting: bool = False):  # fmt: skip
        self.batch_term_weighting = batch_term_weighting
        self.n_components = n_components
        self.max_features = max_features
        self.lexical_weight = lexical_weight
        self.topic_weight = topic_weight
        self.concept_weight = concept_weight
        self.n_features = n_features

    def fit(self, X, y=None):
        texts = [str(t) for t in X]
        self.lexical_ = TfidfTransformer(sublinear_tf=True).fit(self._hasher().transform(texts))
        self.topic_terms_ = TfidfVectorizer(
            analyzer=content_stems, max_features=self.max_features, min_df=2, sublinear_tf=True,
            dtype=np.float32,
        ).fit(texts)  # fmt: skip
        terms = self.topic_terms_.transform(texts)
        k = max(1, min(self.n_components, terms.shape[1] - 1, terms.shape[0] - 1))
        self.topics_ = TruncatedSVD(n_components=k, random_state=0).fit(terms)
        self.topics_.components_ = self.topics_.components_.astype(np.float32)
        return self

    def _hasher(self) -> HashingVectorizer:
        return HashingVectorizer(
            analyzer=content_stems, n_features=self.n_features, alternate_sign=False, norm=None
        )

    def _rows(self, texts: list[str]) -> tuple[list[dict[int, float]], list[dict[int, float]]]:
        """Per text, its hashed TF-IDF row and its topic-term TF-IDF row as {column: weight}: what
        lexical_.transform(hasher.transform(texts)) and topic_terms_.transform(texts) compute."""
        lookup = self.__dict__.get("_token_lookup")
        if lookup is None:
            lookup = self.__dict__["_token_lookup"] = {}
        function_words = lexicons()["function_words"]
        n_features, lexical_idf = self.n_features, self.lexical_.idf_
        vocabulary, topic_idf = self.topic_terms_.vocabulary_, self.topic_terms_.idf_
        lexical, topical = [], []
        done: dict[str, int] = {}  # a sentence framing two claims comes twice
        for text in texts:
            if text in done:
                lexical.append(lexical[done[text]])
                topical.append(topical[done[text]])
                continue
            done[text] = len(lexical)
            lexical_counts: dict[int, int] = {}
            lexical_idfs: dict[int, float] = {}
            topic_counts: dict[int, int] = {}
            topic_idfs: dict[int, float] = {}
            # straight from the tokens: per token, once, its content stem's columns and weights
            # (None for function words), so a text costs one dictionary lookup per word
            for token in _tokens(text):
                found = lookup.get(token, _UNSEEN)
                if found is _UNSEEN:
                    found = None
                    if token not in function_words and len(token) > 1:
                        term = stem(token)
                        column, topic_column = _hashed_index(term, n_features), vocabulary.get(term)
                        found = (column, float(lexical_idf[column]), topic_column,
                                 None if topic_column is None else float(topic_idf[topic_column]))  # fmt: skip
                    if len(lookup) < 200_000:
                        lookup[token] = found
                if found is None:
                    continue
                column, idf, topic_column, weight = found
                lexical_counts[column] = lexical_counts.get(column, 0) + 1  # hashed: terms may share
                lexical_idfs[column] = idf
                if topic_column is not None:
                    topic_counts[topic_column] = topic_counts.get(topic_column, 0) + 1
                    topic_idfs[topic_column] = weight
            topic_row = {c: idf if (k := topic_counts[c]) == 1 else (math.log(k) + 1.0) * idf
                         for c, idf in topic_idfs.items()}  # fmt: skip
            lexical_row = {c: idf if (k := lexical_counts[c]) == 1 else (math.log(k) + 1.0) * idf
                           for c, idf in lexical_idfs.items()}  # fmt: skip
            lexical.append(_unit(lexical_row))
            topical.append(_unit(topic_row))
        return lexical, topical

    def _topics(self, topical: list[dict[int, float]]) -> np.ndarray:
        """The LSA projection of the topic-term rows (TruncatedSVD.transform): each row's terms' loadings,
        weighted and summed. It costs what the rows hold and stays off BLAS, whose threads cost more
        than a batch of short texts."""
        loadings = self.__dict__.get("_loadings")
        if loadings is None:  # term x topic, rows contiguous
            loadings = self.__dict__["_loadings"] = np.ascontiguousarray(
                self.topics_.components_.T, dtype=float
            )
        lengths = np.fromiter(map(len, topical), np.intp, len(topical))
        size = int(lengths.sum())
        topics = np.zeros((len(topical), loadings.shape[1]))
        if size:
            columns = np.fromiter((c for row in topical for c in row), np.intp, size)
            weights = np.fromiter((w for row in topical for w in row.values()), float, size)
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            filled = lengths > 0  # reduceat would copy a row's first term into an empty row
            topics[filled] = np.add.reduceat(loadings[columns] * weights[:, None], starts[filled], axis=0)
        return topics

    def _concepts(self, texts: list[str]) -> np.ndarray:
        concepts = np.zeros((len(texts), len(CONCEPTS)), dtype=float)
        for i, text in enumerate(texts):
            if not _may_hold_concept(text):
                continue  # no concept word at all: skip the analysis
            found = concepts_in(text)
            for j, (name, _, weight) in enumerate(CONCEPTS):
                concepts[i, j] = weight * float(name in found)
        return concepts

    def transform_parts(self, X, concepts: bool = True):
        """(lexical TF-IDF, LSA topics, concept flags) for the texts, each un-normalised."""
        check_is_fitted(self, "topics_")
        texts = [str(t) for t in X]
        lexical_rows, topic_rows = self._rows(texts)
        lexical = _csr(lexical_rows, self.n_features)
        lexical.sort_indices()
        flags = self._concepts(texts) if concepts else np.zeros((len(texts), len(CONCEPTS)))
        return lexical, self._topics(topic_rows), flags

    def _batch_rows(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(lexical TF-IDF rows over the batch's own columns, LSA topic rows): _rows + _dense + _topics
        for a whole batch in a few array operations over its tokens."""
        table = self.__dict__.get("_token_table")
        if table is None:
            table = self.__dict__["_token_table"] = _TokenTable(self)
        tokens = [_tokens(text) for text in texts]
        with table._lock:  # the numbers mean these columns only until the table starts again
            ids = np.asarray(table.ids([t for ts in tokens for t in ts]), dtype=np.intp)
            kept, lexical_of, topical_of = table.kept[ids], table.lexical[ids], table.topical[ids]
        row = np.repeat(np.arange(len(texts)), [len(ts) for ts in tokens])
        lexical_of, topical_of, row = lexical_of[kept], topical_of[kept], row[kept]
        n_topics = self.topics_.components_.shape[0]
        lexical_rows, lexical_columns, lexical_weights = _tfidf_entries(
            row, lexical_of, self.n_features, self.lexical_.idf_, len(texts)
        )
        columns, position = np.unique(lexical_columns, return_inverse=True)
        lexical = np.zeros((len(texts), len(columns)))
        lexical[lexical_rows, position] = lexical_weights
        in_vocabulary = topical_of >= 0
        topic_rows, topic_columns, topic_weights = _tfidf_entries(
            row[in_vocabulary], topical_of[in_vocabulary], len(self.topic_terms_.idf_),
            self.topic_terms_.idf_, len(texts),
        )  # fmt: skip
        topics = np.zeros((len(texts), n_topics))
        if len(topic_rows):  # entries come sorted by row: sum each row's run of terms
            starts = np.flatnonzero(np.r_[True, topic_rows[1:] != topic_rows[:-1]])
            weighted = self._loadings_by_term()[topic_columns] * topic_weights[:, None]
            topics[topic_rows[starts]] = np.add.reduceat(weighted, starts, axis=0)
        return lexical, topics

    def _loadings_by_term(self) -> np.ndarray:
        loadings = self.__dict__.get("_loadings")
        if loadings is None:  # term x topic, rows contiguous
            loadings = self.__dict__["_loadings"] = np.ascontiguousarray(
                self.topics_.components_.T, dtype=float
            )
        return loadings

    def batch_similarity(self, texts: list[str], context: list[str] | None = None,
                         context_weight: float = 0.35) -> np.ndarray:  # fmt: skip
        """transform_batch(texts, context) @ its transpose, computed on dense rows over the few columns
        the batch uses (claims and contexts in one pass): the same numbers without sparse-matrix costs."""
        check_is_fitted(self, "topics_")
        texts = [str(t) for t in texts]
        n = len(texts)
        with_context = context is not None and any(context)
        lexical, topics = self._batch_rows(texts + ([str(c) for c in context] if with_context else []))
        if with_context:
            lexical = _l2(lexical[:n]) + context_weight * _l2(lexical[n:])
            topics = _l2(topics[:n]) + context_weight * _l2(topics[n:])
        if n >= 4 and self.batch_term_weighting:
            df = (lexical != 0).sum(axis=0)
            lexical = lexical * np.log(n / np.maximum(df, 1))
        if n >= 4:
            topics = topics - topics.mean(axis=0, keepdims=True)
        concepts = self._concepts(texts)
        rows = _l2(
            np.hstack(
                [
                    self.lexical_weight * _l2(lexical),
                    self.topic_weight * _l2(topics),
                    self.concept_weight
                    * concepts
                    / np.sqrt(np.maximum((concepts > 0).sum(1, keepdims=True), 1)),
                ]
            )
        )
        return np.einsum("ik,jk->ij", rows, rows)  # no BLAS call: see _topics

    def combine(self, lexical, topics, concepts):
        parts = [
            self.lexical_weight * normalize(lexical),
            sp.csr_matrix(self.topic_weight * normalize(topics)),
            sp.csr_matrix(
                self.concept_weight * concepts / np.sqrt(np.maximum((concepts > 0).sum(1, keepdims=True), 1))
            ),
        ]
        return normalize(sp.hstack(parts, format="csr"))

    def transform(self, X):
        lexical, topics, concepts = self.transform_parts(X)
        return self.combine(lexical, topics, concepts)

    def transform_batch(self, X, context=None, context_weight: float = 0.35):
        """Like transform, but relative to the batch: the topic the whole batch shares (the story) is
        subtracted, so what is left tells the texts' issues apart; optionally words most of the texts
        share count less. `context` (one framing text per row) is blended in with `context_weight`."""
        lexical, topics, concepts = self.transform_parts(X)
        if context is not None and any(context):
            around_lexical, around_topics, _ = self.transform_parts(context, concepts=False)
            lexical = normalize(lexical) + context_weight * normalize(around_lexical)
            topics = normalize(topics) + context_weight * normalize(around_topics)
        n = lexical.shape[0]
        if n >= 4 and self.batch_term_weighting:
            lexical = sp.csr_matrix(lexical)
            df = np.bincount(lexical.indices, minlength=lexical.shape[1])
            used = np.flatnonzero(df)
            weights = np.log(n / np.maximum(df[used], 1))
            lexical = sp.csr_matrix(lexical[:, used].multiply(weights.reshape(1, -1)))
        if n >= 4:
            topics = topics - topics.mean(axis=0, keepdims=True)
        return self.combine(lexical, topics, concepts)


def uses_features(obj: Any) -> bool:
    """Whether `obj` (a loaded model) works on this module's features, so its scheme must match."""
    if isinstance(obj, (StanceModel, PairFeatures, GroupingVectorizer)):
        return True
    steps = getattr(obj, "steps", None)
    return bool(steps) and any(uses_features(step) for _, step in steps)


# --- the bundle ----------------------------------------------------------------------------------


class StanceModel:
    """What the service loads once: the grouping vectorizer and the relation classifier."""

    def __init__(self, name: str, version: str, trained_on: str, grouper: GroupingVectorizer,
                 classifier: Pipeline, conflict_threshold: float = 0.5, agree_threshold: float = 0.5,
                 group_threshold: float = 0.8, group_linkage: str = "average"):  # fmt: skip
        self.name = name
        self.version = version
        self.trained_on = trained_on
        self.grouper = grouper
        self.classifier = classifier
        self.conflict_threshold = conflict_threshold
        self.agree_threshold = agree_threshold
        self.group_threshold = group_threshold
        self.group_linkage = group_linkage

    def info(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "trained_on": self.trained_on}

    def vectorize(self, texts: list[str], batch: bool = False, context: list[str] | None = None):
        """L2-normalised sparse rows: the dot product of two rows is their similarity. With batch=True
        the rows are weighted against each other and blended with their `context` sentences (see
        GroupingVectorizer.transform_batch)."""
        with config_context(assume_finite=True, skip_parameter_validation=True):
            if batch or context:
                return self.grouper.transform_batch(texts, context)
            return self.grouper.transform(texts)

    def similarity(self, texts: list[str], context: list[str] | None = None) -> np.ndarray:
        """Cosine similarity between every two of `texts` as `vectorize(texts, batch=True, context)` rows
        give it, as a dense n x n array."""
        return self.grouper.batch_similarity(texts, context)

    def relation_proba(self, features: np.ndarray) -> np.ndarray:
        """The classifier's probabilities for PairFeatures rows. A scaler + logistic regression is
        evaluated directly (standardise, linear scores, softmax: what predict_proba computes) so that a
        handful of pairs costs microseconds, not sklearn's per-call checks."""
        steps = self.classifier[1:]
        if (
            len(steps) == 2
            and isinstance(steps[0], StandardScaler)
            and isinstance(steps[1], LogisticRegression)
            and len(steps[1].classes_) > 2
        ):
            scaler, regression = steps[0], steps[1]
            z = features
            if scaler.mean_ is not None:
                z = z - scaler.mean_
            if scaler.scale_ is not None:
                z = z / scaler.scale_
            scores = z @ regression.coef_.T + regression.intercept_
            scores -= scores.max(axis=1, keepdims=True)
            np.exp(scores, out=scores)
            return scores / scores.sum(axis=1, keepdims=True)
        with config_context(assume_finite=True, skip_parameter_validation=True):
            return steps.predict_proba(features)

    def classify(self, pairs: list[tuple[str, str]]) -> list[tuple[str | None, float, list[list[str]]]]:
        """For each (a, b): ("conflict" | "agree" | None, probability of that answer, contrast pairs)."""
        if not pairs:
            return []
        features = self.classifier[0].transform(pairs)
        proba = self.relation_proba(features)
        clash, agree = supported(features)
        classes = list(self.classifier.classes_)
        out = []
        for (a, b), row, can_clash, can_agree in zip(pairs, proba, clash, agree, strict=True):
            scores = dict(zip(classes, row.tolist(), strict=True))
            best = max(scores, key=scores.get)
            if best == "conflict" and scores["conflict"] >= self.conflict_threshold and can_clash:
                out.append(("conflict", float(scores["conflict"]), contrast(a, b)))
            elif best == "agree" and scores["agree"] >= self.agree_threshold and can_agree:
                out.append(("agree", float(scores["agree"]), []))
            else:
                out.append((None, float(scores.get("none", 1.0 - max(row))), []))
        return out
