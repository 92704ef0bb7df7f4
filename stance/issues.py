"""Group claims into issues, then set the parties' claims on each issue side by side.

Grouping: each claim becomes one row of the model's vectorizer (words, latent topics, and a few concept
dimensions), optionally blended with the sentence around it, and agglomerative clustering with a
distance threshold joins claims that are close enough; claims about nothing in common stay alone.

Comparing: within an issue, every claim of one party is classified against every claim of each other
party in one batch; the pairs that conflict (or agree) become one Comparison per issue, party pair and
relation, listing the claims involved on each side and what clashes. One subject reporting two things
in one sentence ("It described the talks as successful and said the leaders would meet again") makes one
statement: a side that lists one of its claims lists the other too, even when it sits in another issue.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from itertools import combinations

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from stance.document import Claim, Comparison, Issue, Side
from stance.relations import StanceModel, content_stems, fold, lexicons, stem

LABEL_TERMS = 3
MIN_WORDS_TO_GROUP = 4


def claim_vectors(claims: list[Claim], model: StanceModel, context: dict[str, str] | None = None):
    """One L2-normalised row per claim; the sentence around a claim, when given, pulls it a little
    toward the claims its sentence shares words with."""
    return model.vectorize([c.text for c in claims], batch=True, context=_contexts(claims, context))


def claim_similarity(
    claims: list[Claim], model: StanceModel, context: dict[str, str] | None = None
) -> np.ndarray:
    """claim_vectors(...) @ its transpose, as a dense array, computed without building the rows."""
    return model.similarity([c.text for c in claims], _contexts(claims, context))


def _contexts(claims: list[Claim], context: dict[str, str] | None) -> list[str] | None:
    """Each claim's framing (see _framing), worked out once per sentence."""
    if not context:
        return None
    sentences = [context.get(c.id, "") for c in claims]
    framings = {sentence: _framing(sentence, claims) for sentence in sentences}
    return [framings[sentence] for sentence in sentences]


def _framing(sentence: str, claims: list[Claim]) -> str:
    """The sentence around a claim minus every claim in it: who said it, to whom, when, about what.
    A sentence holding two claims must not pull them together."""
    if not sentence:
        return sentence
    for claim in claims:
        if claim.text and claim.text in sentence:
            sentence = sentence.replace(claim.text, " ")
    return sentence


def cluster(vectors, threshold: float, linkage: str = "average") -> list[int]:
    """Cluster labels for the rows: average-linkage on cosine distance, cut at `threshold`."""
    similarity = vectors @ vectors.T
    similarity = similarity.toarray() if hasattr(similarity, "toarray") else np.asarray(similarity)
    return cluster_similarity(similarity, threshold, linkage)


def cluster_similarity(similarity: np.ndarray, threshold: float, linkage: str = "average") -> list[int]:
    """Cluster labels from a similarity matrix: hierarchical clustering on 1 - similarity, joining only
    what merges below `threshold` (AgglomerativeClustering(distance_threshold=...) does the same through
    scipy's linkage, with more overhead per call)."""
    n = similarity.shape[0]
    if n == 1:
        return [0]
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = hierarchy.linkage(squareform(distance, checks=False), method=linkage)
    # Keep the merges made below the threshold (as AgglomerativeClustering(distance_threshold=...) does;
    # average linkage merges in rising distance, so these are the first merges of the tree).
    parent = list(range(2 * n - 1))
    for step, (left, right, height, _) in enumerate(tree):
        if height < threshold:
            parent[int(left)] = parent[int(right)] = n + step

    def root(node: int) -> int:
        while parent[node] != node:
            node = parent[node]
        return node

    return [root(i) for i in range(n)]


def group_claims(
    claims: list[Claim],
    model: StanceModel,
    context: dict[str, str] | None = None,
    leads: dict[str, str] | None = None,
) -> list[Issue]:
    """Issues over `claims` (ids i1, i2, ... in order of first claim); sets each claim's `issue`.

    `context` holds each claim's sentence; `leads` the article's text before each claim, back to the
    previous claim's sentence ("The residents dispute those tests. They say "): see _join_answers.
    """
    if not claims:
        return []
    # A claim of three words or fewer ("of the policy.") says too little to place: it stays alone
    # rather than chain unrelated claims together through its few common words.
    placeable = [i for i, c in enumerate(claims) if len(c.text.split()) >= MIN_WORDS_TO_GROUP]
    labels = [-1 - i for i in range(len(claims))]
    # Claims of a party and claims of none are grouped apart: a claim no side made ("India and China
    # gave conflicting accounts of a clash between their troops") would otherwise pull one side's
    # account away from the other's, and it is never compared.
    if placeable:
        # one similarity matrix over all the article's placeable claims, as before, cut per side
        similarity = claim_similarity([claims[i] for i in placeable], model, context)
        offset = 0
        for with_party in (True, False):
            rows = [k for k, i in enumerate(placeable) if bool(claims[i].party) == with_party]
            if not rows:
                continue
            found = cluster_similarity(
                similarity[np.ix_(rows, rows)], model.group_threshold, model.group_linkage
            )
            for k, label in zip(rows, found, strict=True):
                labels[placeable[k]] = label + offset
            offset += 2 * len(rows)
    if leads:
        _join_answers(claims, labels, leads)
    members: dict[int, list[Claim]] = defaultdict(list)
    for claim, label in zip(claims, labels, strict=True):
        members[label].append(claim)
    issues = []
    for number, label in enumerate(sorted(members, key=lambda lb: labels.index(lb)), start=1):
        group = members[label]
        issue = Issue(id=f"i{number}", label=issue_label([c.text for c in group], model),
                      claims=[c.id for c in group])  # fmt: skip
        for claim in group:
            claim.issue = issue.id
        issues.append(issue)
    return issues


# "The operator said the union demanded a 12 percent rise. Stam denied that, saying the union had
# only asked for wages to keep pace with inflation": the second claim answers the first, in other
# words. A denial of "that", "the figure", "the claim" ... just before a claim marks the answer.
_ANSWER_RE = re.compile(
    r"\b(?:den(?:ied|ies|y)|disput(?:ed|es|e)|reject(?:ed|s)?|dismiss(?:ed|es)?|contest(?:ed|s)?"
    r"|refut(?:ed|es|e)|challeng(?:ed|es|e))\s+"
    r"(?:(?:(?:the|that|this|those|these)\s+(?:(?!(?:the|a|an)\s)[\w-]+['’]s?\s+)?|(?:his|her|their|its)\s+)"
    r"(?:claims?|figures?|reports?|accounts?|allegations?"
    r"|accusations?|charges?|assertions?|statements?|numbers?|estimates?|tests?|findings?|versions?"
    r"|views?|characteri[sz]ations?|descriptions?|suggestions?|explanations?|interpretations?"
    r"|assessments?|conclusions?|arguments?|story|stories)\b|(?:that|it|this)\s*[,.;])",
    re.IGNORECASE,
)
# Words that set a claim against the one before it: "X, however, said ...", "But X said ...",
# "X responded ...", "Armenia in turn accused ...".
_REBUTTAL_RE = re.compile(
    r"\b(?:however|responded|countered|retorted|hit\s+back|in\s+turn|rebuffed)\b|(?:\A\s*|[.!?”\"]\s+)But\s",
    re.IGNORECASE,
)
ANSWER_REACH = 600  # characters back from the answer's sentence to the claim it answers
# The verbs' stems, looked for as plain substrings before the pattern runs (~2 us against ~20 us).
_ANSWER_STEMS = ("deni", "deny", "disput", "reject", "dismiss", "contest", "refut", "challeng")
_REBUTTAL_STEMS = ("however", "respond", "counter", "retort", "hit back", "in turn", "rebuff", "but ")


def _join_answers(claims: list[Claim], labels: list[int], leads: dict[str, str]) -> None:
    """Put each claim that answers another party's claim (see _ANSWER_RE, in the claim's lead) in
    that claim's group: the latest claim of another party in the sentences just before (claims
    are in text order). A claim already grouped with another party's claim stays: it is compared
    with what it was grouped for."""
    for i, answer in enumerate(claims):
        if not answer.party or not answer.sentence_span:
            continue
        lead = leads.get(answer.id, "")
        low = lead.lower()
        answers = any(stem in low for stem in _ANSWER_STEMS) and _ANSWER_RE.search(lead) is not None
        rebuts = any(stem in low for stem in _REBUTTAL_STEMS) and _REBUTTAL_RE.search(lead) is not None
        if not (answers or rebuts):
            continue
        if any(labels[k] == labels[i] and c.party and c.party != answer.party for k, c in enumerate(claims)):
            continue
        for j in range(i - 1, -1, -1):
            answered = claims[j]
            if answered.sentence_span is None or answered.start >= answer.sentence_span[0]:
                continue
            if answer.sentence_span[0] - answered.sentence_span[1] > ANSWER_REACH:
                break
            if answered.party and answered.party != answer.party:
                labels[i] = labels[j]
                break


def issue_label(texts: list[str], model: StanceModel) -> str:
    """The issue's most telling terms: words its claims share, weighted by how rare they are in news."""
    idf = _idf_lookup(model)
    surface: dict[str, dict[str, int]] = {}
    spread: dict[str, int] = {}
    for text in texts:
        seen = set()
        for key, word in _label_terms(text):
            words = surface.get(key)
            if words is None:
                words = surface[key] = {}
            words[word] = words.get(word, 0) + 1
            seen.add(key)
        for key in seen:
            spread[key] = spread.get(key, 0) + 1
    if not spread:
        return "(no terms)"
    default_idf = idf.get("", 1.0)  # the rarest term's weight, for words the corpus never saw
    get = idf.get
    ranked = sorted([(-(n**1.5) * get(k, default_idf), k) for k, n in spread.items()])[:LABEL_TERMS]
    # each term as the surface form its claims use most (the first seen among equals)
    words = [surface[k] for _, k in ranked]
    return " ".join([next(iter(w)) if len(w) == 1 else max(w, key=w.get) for w in words])


@lru_cache(maxsize=4096)
def _label_terms(text: str) -> tuple[tuple[str, str], ...]:
    """(stem, word) for the words of `text` that can name an issue."""
    return tuple(filter(None, map(_label_term, fold(text).replace('"', " ").split())))


@lru_cache(maxsize=65536)
def _label_term(word: str) -> tuple[str, str] | None:
    word = word.strip(".,;:!?()'\u2013\u2014-")
    if len(word) < 3 or word in lexicons()["function_words"] or not word.isalpha():
        return None
    return stem(word), word


def _idf_lookup(model: StanceModel) -> dict[str, float]:
    cached = getattr(model, "_idf_cache", None)
    if cached is None:
        terms = model.grouper.topic_terms_
        cached = dict(zip(terms.get_feature_names_out(), terms.idf_, strict=True))
        cached[""] = float(max(terms.idf_))
        model._idf_cache = cached
    return cached


def compare(claims: list[Claim], issues: list[Issue], model: StanceModel) -> list[Comparison]:
    """Conflicts and agreements between the parties on each issue (ids k1, k2, ...)."""
    by_id = {c.id: c for c in claims}
    jobs: list[tuple[str, str, str, Claim, Claim]] = []
    for issue in issues:
        parties: dict[str, list[Claim]] = {}
        for claim_id in issue.claims:
            claim = by_id.get(claim_id)
            if claim is not None and claim.party:
                parties.setdefault(claim.party, []).append(claim)
        for p, q in combinations(parties, 2):
            for left in parties[p]:
                for right in parties[q]:
                    jobs.append((issue.id, p, q, left, right))
    if not jobs:
        return []
    results = model.classify([(left.text, right.text) for *_, left, right in jobs])
    found: dict[tuple[str, str, str, str], list] = defaultdict(list)
    for (issue_id, p, q, left, right), (relation, score, clash) in zip(jobs, results, strict=True):
        if relation is not None:
            found[(issue_id, p, q, relation)].append((score, left, right, clash))
    mates = statement_mates(claims)
    comparisons = []
    for number, ((issue_id, p, q, relation), hits) in enumerate(found.items(), start=1):
        hits.sort(key=lambda h: -h[0])
        contrast: list[list[str]] = []
        for *_, clash in hits:
            contrast.extend(pair for pair in clash if pair not in contrast)
        comparisons.append(
            Comparison(
                id=f"k{number}",
                issue=issue_id,
                relation=relation,
                score=round(hits[0][0], 4),
                a=Side(party=p, claims=_with_mates([h[1].id for h in hits], mates)),
                b=Side(party=q, claims=_with_mates([h[2].id for h in hits], mates)),
                contrast=contrast[:4],
            )
        )
    return comparisons


def statement_mates(claims: list[Claim]) -> dict[str, list[str]]:
    """Claim id -> the claims its speaker made with other cues in the same sentence (one statement)."""
    statements: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.speaker_span and claim.sentence_span and claim.cue_span:
            statements[(*claim.speaker_span, *claim.sentence_span)].append(claim)
    mates: dict[str, list[str]] = {}
    for members in statements.values():
        for claim in members:
            others = [m.id for m in members if m.cue_span != claim.cue_span]
            if others:
                mates[claim.id] = others
    return mates


def _with_mates(ids: list[str], mates: dict[str, list[str]]) -> list[str]:
    return _unique([*ids, *(m for claim_id in ids for m in mates.get(claim_id, ()))])


def _unique(ids) -> list[str]:
    return list(dict.fromkeys(ids))


__all__ = [
    "claim_similarity",
    "claim_vectors",
    "cluster",
    "cluster_similarity",
    "compare",
    "content_stems",
    "group_claims",
    "issue_label",
    "statement_mates",
]
