"""Group claims into issues, then set the parties' claims on each issue side by side.

Grouping: each claim becomes one row of the model's vectorizer (words, latent topics, and a few concept
dimensions), optionally blended with the sentence around it, and agglomerative clustering with a
distance threshold joins claims that are close enough; claims about nothing in common stay alone.

Comparing: within an issue, every claim of one party is classified against every claim of each other
party in one batch; the pairs that conflict (or agree) become one Comparison per issue, party pair and
relation, listing the claims involved on each side and what clashes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from stance.document import Claim, Comparison, Issue, Side
from stance.relations import StanceModel, content_stems, fold, lexicons, stem

LABEL_TERMS = 3


def claim_vectors(claims: list[Claim], model: StanceModel, context: dict[str, str] | None = None):
    """One L2-normalised row per claim; the sentence around a claim, when given, pulls it a little
    toward the claims its sentence shares words with."""
    around = [_framing(context.get(c.id, ""), claims) for c in claims] if context else None
    return model.vectorize([c.text for c in claims], batch=True, context=around)


def _framing(sentence: str, claims: list[Claim]) -> str:
    """The sentence around a claim minus every claim in it: who said it, to whom, when, about what.
    A sentence holding two claims must not pull them together."""
    for claim in claims:
        if claim.text and claim.text in sentence:
            sentence = sentence.replace(claim.text, " ")
    return sentence


def cluster(vectors, threshold: float, linkage: str = "average") -> list[int]:
    """Cluster labels for the rows: average-linkage on cosine distance, cut at `threshold`."""
    n = vectors.shape[0]
    if n == 1:
        return [0]
    similarity = vectors @ vectors.T
    similarity = similarity.toarray() if hasattr(similarity, "toarray") else np.asarray(similarity)
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    clustering = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="precomputed", linkage=linkage
    )
    return [int(label) for label in clustering.fit_predict(distance)]


def group_claims(
    claims: list[Claim], model: StanceModel, context: dict[str, str] | None = None
) -> list[Issue]:
    """Issues over `claims` (ids i1, i2, ... in order of first claim); sets each claim's `issue`."""
    if not claims:
        return []
    labels = cluster(claim_vectors(claims, model, context), model.group_threshold, model.group_linkage)
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


def issue_label(texts: list[str], model: StanceModel) -> str:
    """The issue's most telling terms: words its claims share, weighted by how rare they are in news."""
    idf = _idf_lookup(model)
    function_words = lexicons()["function_words"]
    surface: dict[str, Counter] = defaultdict(Counter)
    spread: Counter = Counter()
    for text in texts:
        seen = set()
        for word in fold(text).replace('"', " ").split():
            word = word.strip(".,;:!?()'\u2013\u2014-")
            if len(word) < 3 or word in function_words or not word.isalpha():
                continue
            key = stem(word)
            surface[key][word] += 1
            seen.add(key)
        spread.update(seen)
    if not spread:
        return "(no terms)"
    default_idf = idf.get("", 1.0)  # the rarest term's weight, for words the corpus never saw
    ranked = sorted(spread, key=lambda k: (-(spread[k] ** 1.5) * idf.get(k, default_idf), k))
    return " ".join(surface[k].most_common(1)[0][0] for k in ranked[:LABEL_TERMS])


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
                a=Side(party=p, claims=_unique(h[1].id for h in hits)),
                b=Side(party=q, claims=_unique(h[2].id for h in hits)),
                contrast=contrast[:4],
            )
        )
    return comparisons


def _unique(ids) -> list[str]:
    return list(dict.fromkeys(ids))


__all__ = ["claim_vectors", "cluster", "compare", "content_stems", "group_claims", "issue_label"]
