"""The archive: analysed articles joined to the issues and comparisons already stored.

Adding an article never compares it with every stored claim: each of its
issues looks up a few candidate claims through the full-text index and joins
the stored issue they cluster with, and only the issues it touched have their
comparisons recomputed (from a bounded number of claims).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from stance.analysis import analyze
from stance.document import Article, Claim, Comparison, Issue
from stance.parties import Registry, tag_claims
from stance.store import CANDIDATE_WINDOW, Store

if TYPE_CHECKING:
    from stance.relations import StanceModel

CANDIDATES_PER_ISSUE = 10
CLAIMS_PER_COMPARISON = 24
_WORD = re.compile(r"[^\W\d_][\w'-]{2,}")


T = TypeVar("T")


class ReadCache:
    """Answers to reads, kept while the archive's data version stays the same.

    Every committed write (in any process) moves the store's data version on, so an entry is
    never served after a write: the version is part of the key, read in the same snapshot as
    the answer. Bounded, least recently used first out.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, store: Store, key: Hashable, compute: Callable[[], T]) -> T:
        if store.path is None:  # an in-memory database: nothing to share it with
            return compute()
        with store.snapshot():
            full = (store.identity, store.data_version(), key)
            with self._lock:
                if full in self._entries:
                    self._entries.move_to_end(full)
                    self.hits += 1
                    return self._entries[full]
            value = compute()
        with self._lock:
            self.misses += 1
            self._entries[full] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


READ_CACHE = ReadCache()


def telling_terms(texts: list[str], limit: int = 10) -> list[str]:
    """The content words that best identify what some claims are about."""
    counts: Counter[str] = Counter()
    for text in texts:
        for word in _WORD.findall(text.lower()):
            word = word.strip("'-")
            if word not in ENGLISH_STOP_WORDS and len(word) > 2:
                counts[word] += 1
    ranked = sorted(counts, key=lambda w: (-counts[w], -len(w), w))
    return ranked[:limit]


class Service:
    """What the API, the dashboard and the CLI do with the archive."""

    def __init__(self, store: Store, registry: Registry, model: StanceModel | None):
        self.store = store
        self.registry = registry
        self.model = model

    # -- adding ------------------------------------------------------------

    def ingest(
        self, article: Article, timings: dict[str, float] | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Analyse and store an article; the same text again returns the stored one.

        `timings`, when given, gets the analysis stages' CPU seconds (see `analyze`)."""
        existing = self.store.article_id_for_text(article.text)
        if existing:
            return self.document(existing), False
        analysis = analyze(article, self.registry, self.model, timings=timings)
        # Which stored issues the article's issues join is worked out before the write lock, on a
        # snapshot, and only checked (cheaply) under it: writers hold the lock for less time.
        article_id = self.store.article_id_of(article.text)
        plan = self.plan_links(article_id, analysis.claims, analysis.issues)
        # One transaction: the article, its claims, their issues and comparisons, or nothing.
        with self.store.write():
            if plan is not None and not self._plan_holds(plan, article_id):
                # Another writer stored matching claims meanwhile: match again, under the lock and
                # before this article's claims are stored, as the plan was.
                plan = self.plan_links(article_id, analysis.claims, analysis.issues)
            if plan is not None:
                plan.checked = True  # under this lock: nobody else can change what it found
            article_id, created = self.store.add_article(analysis)
            if created:
                self.link_issues(
                    article_id, analysis.claims, analysis.issues, analysis.comparisons, plan=plan
                )
        return self.document(article_id), created

    def plan_links(self, article_id: str, claims: list[Claim], issues: list[Issue]) -> LinkPlan | None:
        """The stored issue each of the article's issues would join, found on a snapshot."""
        if self.model is None or not issues:
            return None
        groups = [members for _, members in _groups(claims, issues)]
        with self.store.snapshot():
            newest = self.store.newest_claim(excluding=article_id)  # as the candidate window counts
            candidates, keys_of_group, terms_of_group = self._candidates(article_id, groups)
        targets = self._targets(groups, candidates, keys_of_group)
        return LinkPlan(article_id, newest, candidates, terms_of_group, targets)

    def _plan_holds(self, plan: LinkPlan, article_id: str) -> bool:
        """True if matching again now would find the same candidates, so the same targets.

        The candidates must still exist, in the same issue and inside the recent window, and no
        claim stored since the snapshot may match any of the article's searches.
        """
        if plan.article_id != article_id:
            return False
        newest = self.store.newest_claim(excluding=article_id)
        current = self.store.claim_rows_and_issues(list(plan.candidates))
        for key, claim in plan.candidates.items():
            found = current.get(key)
            if found is None or found[1] != claim.issue or found[0] <= newest - CANDIDATE_WINDOW:
                return False
        if newest != plan.newest:
            for terms in plan.terms_of_group:
                if terms and self.store.candidate_claims(terms, article_id, 1, after=plan.newest):
                    return False
        return True

    def link_issues(
        self,
        article_id: str,
        claims: list[Claim],
        issues: list[Issue],
        comparisons: list[Comparison] | None = None,
        plan: LinkPlan | None = None,
    ) -> set[str]:
        """Map the article's own issues onto stored issues, then refresh their comparisons.

        Each issue looks up a few stored claims through the full-text index; all of them are
        vectorised in one batch, and an issue joins the stored issue whose claims are, on
        average, within the model's grouping distance (the average-linkage rule that grouped
        the article's own claims). Cost depends on the candidates, not on the archive's size.
        """
        if self.model is None or not issues:
            return set()
        groups = _groups(claims, issues)
        if (
            plan is not None
            and plan.article_id == article_id
            and (plan.checked or self._plan_holds(plan, article_id))
        ):
            targets = plan.targets
        else:
            targets = self._matching_stored_issues(article_id, [members for _, members in groups])
        issue_of: dict[str, str] = {}
        touched: set[str] = set()
        new_from: dict[str, str] = {}
        unmatched = [issue for (issue, _), target in zip(groups, targets, strict=True) if target is None]
        created = iter(self.store.new_issues([issue.label for issue in unmatched]))
        for (issue, members), target in zip(groups, targets, strict=True):
            if target is None:
                target = next(created)
                new_from[target] = issue.id
            for claim in members:
                issue_of[claim.id] = target
            touched.add(target)
        self.store.set_claim_issues(article_id, issue_of)
        own: dict[str, list[Comparison]] = {}
        for comparison in comparisons or []:
            own.setdefault(comparison.issue, []).append(comparison)
        for issue_id in touched:
            if comparisons is not None and issue_id in new_from:
                # A new issue holds this article's claims only: its comparisons are the analysis's own.
                stored = [_stored(k, article_id) for k in own.get(new_from[issue_id], [])]
                if stored:
                    self.store.replace_comparisons(issue_id, stored)
            else:
                self.refresh_comparisons(issue_id)
        return touched

    def _matching_stored_issues(self, article_id: str, groups: list[list[Claim]]) -> list[str | None]:
        """For each group of new claims, the stored issue it belongs to, or None."""
        candidates, keys_of_group, _ = self._candidates(article_id, groups)
        return self._targets(groups, candidates, keys_of_group)

    def _candidates(
        self, article_id: str, groups: list[list[Claim]]
    ) -> tuple[dict[tuple[str, str], Claim], list[list[tuple[str, str]]], list[list[str]]]:
        """Stored claims each group could join, found through the full-text index."""
        candidates: dict[tuple[str, str], Claim] = {}
        keys_of_group: list[list[tuple[str, str]]] = []
        terms_of_group: list[list[str]] = []
        for members in groups:
            if not any(c.party for c in members):
                # Claims of no known party compare with nothing: they need no stored issue.
                keys_of_group.append([])
                terms_of_group.append([])
                continue
            terms = telling_terms([c.text for c in members])
            terms_of_group.append(terms)
            found = self.store.candidate_claims(terms, article_id, CANDIDATES_PER_ISSUE)
            keys = []
            for claim in found:
                key = (claim.article_id, claim.id)  # type: ignore[attr-defined]
                candidates.setdefault(key, claim)
                keys.append(key)
            keys_of_group.append(keys)
        return candidates, keys_of_group, terms_of_group

    def _targets(
        self,
        groups: list[list[Claim]],
        candidates: dict[tuple[str, str], Claim],
        keys_of_group: list[list[tuple[str, str]]],
    ) -> list[str | None]:
        """The stored issue each group joins: within the grouping distance, the nearest."""
        if not candidates:
            return [None] * len(groups)
        local = [c for members in groups for c in members]
        stored = list(candidates.values())
        row_of = {key: len(local) + i for i, key in enumerate(candidates)}
        texts = [c.text for c in local + stored]
        similarity = np.asarray(self.model.similarity(texts))[: len(local), len(local) :]
        threshold = getattr(self.model, "group_threshold", 0.8)
        targets: list[str | None] = []
        first = 0
        for members, keys in zip(groups, keys_of_group, strict=True):
            rows = slice(first, first + len(members))
            first += len(members)
            by_issue: dict[str, list[int]] = {}
            for key in keys:
                issue_id = candidates[key].issue
                if issue_id:
                    by_issue.setdefault(issue_id, []).append(row_of[key] - len(local))
            best: tuple[float, str] | None = None
            for issue_id, columns in by_issue.items():
                distance = 1.0 - float(similarity[rows][:, columns].mean())
                if distance < threshold and (best is None or distance < best[0]):
                    best = (distance, issue_id)
            targets.append(best[1] if best else None)
        return targets

    def refresh_comparisons(self, issue_id: str) -> None:
        """Recompute one issue's comparisons from its most recent claims, across articles."""
        if self.model is None:
            return
        from stance.issues import compare

        claims = [copy.copy(c) for c in self.store.claims_for_issue(issue_id, CLAIMS_PER_COMPARISON)]
        if len({c.party for c in claims if c.party}) < 2:
            self.store.replace_comparisons(issue_id, [])
            return
        key_of: dict[str, dict[str, str]] = {}
        for claim in claims:
            uid = f"{claim.article_id}/{claim.id}"  # type: ignore[attr-defined]
            key_of[uid] = {"article": claim.article_id, "id": claim.id}  # type: ignore[attr-defined]
            claim.id = uid
            claim.issue = issue_id
        issue = Issue(id=issue_id, label="", claims=[c.id for c in claims])
        stored = []
        for comparison in compare(claims, [issue], self.model):
            data = comparison.to_dict()
            for side in ("a", "b"):
                data[side]["claims"] = [key_of[uid] for uid in data[side]["claims"]]
            stored.append(data)
        self.store.replace_comparisons(issue_id, stored)

    # -- changing ------------------------------------------------------------

    def add_client_claims(
        self, article_id: str, claims: list[Claim], replace: bool = False
    ) -> dict[str, Any]:
        """Store claims a client tagged itself, then regroup and compare the article."""
        text = self.store.get_article_row(article_id)["text"]
        kept = [] if replace else self.store.claims_for_article(article_id)
        taken = {c.id for c in kept}
        number = len(kept)
        for claim in claims:
            number += 1
            while f"c{number}" in taken:
                number += 1
            claim.id = f"c{number}"
            claim.origin = "client"  # type: ignore[attr-defined]
            if claim.party is None:
                tag_claims([claim], self.registry, text)
        everything = sorted(kept + claims, key=lambda c: (c.start, c.end))
        self._regroup(article_id, everything)
        return self.document(article_id)

    def reanalyse(self, article_id: str) -> dict[str, Any]:
        """Run the whole analysis again (a new model, a new registry) and update what depends on it."""
        row = self.store.get_article_row(article_id)
        article = Article(**{k: row[k] for k in ("id", "text", "title", "source", "published", "url")})
        analysis = analyze(article, self.registry, self.model)
        client = [
            c for c in self.store.claims_for_article(article_id) if getattr(c, "origin", "") == "client"
        ]
        claims = analysis.claims + client
        for i, claim in enumerate(sorted(claims, key=lambda c: (c.start, c.end)), start=1):
            claim.id = f"c{i}"
        self._regroup(article_id, claims)
        return self.document(article_id)

    def _regroup(self, article_id: str, claims: list[Claim]) -> None:
        old_issues = {c.issue for c in self.store.claims_for_article(article_id) if c.issue}
        issues: list[Issue] = []
        if self.model is not None:
            from stance.issues import group_claims

            issues = group_claims(claims, self.model)
        with self.store.write():
            self.store.replace_claims(article_id, claims, self.model.info() if self.model else {})
            touched = self.link_issues(article_id, claims, issues)
            for issue_id in old_issues - touched:
                self.refresh_comparisons(issue_id)

    def correct_party(self, article_id: str, claim_id: str, party: str | None) -> dict[str, Any]:
        """A reader's correction of a claim's party; its issue is compared again. Returns the
        feedback record to keep (the API and the dashboard store it the same way)."""
        with self.store.write():
            claim = self.store.set_claim_party(article_id, claim_id, party)
            if claim.issue:
                self.refresh_comparisons(claim.issue)
        return {"target": "claim", "article_id": article_id, "claim_id": claim_id, "party": party}

    def replace_registry(self, registry: Registry) -> int:
        """Store a new party registry and re-tag every claim with it; return how many changed."""
        self.store.put_setting("parties", json.dumps(registry.to_dict()))
        self.registry = registry
        return self.retag_parties()

    def retag_parties(self) -> int:
        """Re-tag every stored claim with the current registry; return how many changed."""
        changed_issues: set[str] = set()
        changed = 0
        for article_id in self.store.all_article_ids():
            text = None
            for claim in self.store.claims_for_article(article_id):
                if getattr(claim, "origin", "") in ("client", "corrected"):
                    continue
                if text is None:
                    text = self.store.get_article_row(article_id)["text"]
                before = claim.party
                tag_claims([claim], self.registry, text)
                if claim.party != before:
                    self.store.set_claim_party(article_id, claim.id, claim.party, origin="extracted")
                    changed += 1
                    if claim.issue:
                        changed_issues.add(claim.issue)
        for issue_id in changed_issues:
            self.refresh_comparisons(issue_id)
        return changed

    # -- reading -------------------------------------------------------------

    def document(self, article_id: str) -> dict[str, Any]:
        """The contract document of a stored article, with its comparisons across the archive."""
        row = self.store.get_article_row(article_id)
        claims = self.store.claims_for_article(article_id)
        issues: dict[str, list[str]] = {}
        for claim in claims:
            if claim.issue:
                issues.setdefault(claim.issue, []).append(claim.id)
        found = self.store.issue_labels(list(issues))
        labels = {issue_id: found.get(issue_id, "") for issue_id in issues}
        within, related = [], []
        for comparison in self.store.find_comparisons(article=article_id):
            sides = [comparison["a"]["claims"], comparison["b"]["claims"]]
            if all(c["article"] == article_id for side in sides for c in side):
                for side in ("a", "b"):
                    comparison[side]["claims"] = [c["id"] for c in comparison[side]["claims"]]
                within.append(comparison)
            else:
                related.append(comparison)
        related = self.expand_all(related)
        article = {k: row[k] for k in ("id", "title", "source", "published", "url", "text")}
        return {
            "article": article,
            "claims": [_claim_dict(c) for c in claims],
            "issues": [{"id": i, "label": labels[i], "claims": ids} for i, ids in issues.items()],
            "comparisons": within,
            "related_comparisons": related,
            "model": row["model"],
        }

    def expand(self, comparison: dict[str, Any]) -> dict[str, Any]:
        """A stored comparison with each claim's text, speaker and article filled in."""
        return self.expand_all([comparison])[0]

    def expand_all(self, comparisons: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stored comparisons with their claims filled in, fetched together."""
        keys = [(c["article"], c["id"]) for k in comparisons for side in "ab" for c in k[side]["claims"]]
        claims = self.store.claim_dicts(keys)
        expanded = []
        for comparison in comparisons:
            out = dict(comparison)
            for side in ("a", "b"):
                filled = []
                for ref in comparison[side]["claims"]:
                    claim = claims.get((ref["article"], ref["id"]))
                    if claim is not None:
                        filled.append({**claim, "article": ref["article"]})
                out[side] = {"party": comparison[side]["party"], "claims": filled}
            expanded.append(out)
        return expanded

    def comparisons(self, **filters: Any) -> list[dict[str, Any]]:
        return self.expand_all(self.store.find_comparisons(**filters))

    def issue_list(self, min_claims: int = 2, limit: int = 200) -> list[dict[str, Any]]:
        """`Store.list_issues`, computed once per data version."""
        rows = self.cached(
            ("issue_list", min_claims, limit),
            lambda: tuple(self.store.list_issues(min_claims=min_claims, limit=limit)),
        )
        return [dict(row) for row in rows]

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, or its answer from before if nothing was written since (any process).

        The answer is shared between requests: cache immutable values (a serialised body).
        """
        return READ_CACHE.get(self.store, key, compute)

    def issue(self, issue_id: str) -> dict[str, Any]:
        """An issue with its claims by party, across articles, and its comparisons."""
        issue = self.store.get_issue(issue_id)
        claims = self.store.claims_for_issue(issue_id, limit=500)
        by_party: dict[str, list[dict[str, Any]]] = {}
        for claim in sorted(claims, key=lambda c: (c.party or "~", c.article_id, c.start)):  # type: ignore[attr-defined]
            by_party.setdefault(claim.party or "none", []).append(
                {**_claim_dict(claim), "article": claim.article_id}  # type: ignore[attr-defined]
            )
        articles = self.store.article_meta(sorted({c.article_id for c in claims}))  # type: ignore[attr-defined]
        return {
            **issue,
            "parties": by_party,
            "articles": articles,
            "comparisons": self.comparisons(issue=issue_id),
        }


@dataclasses.dataclass
class LinkPlan:
    """Where an article's issues go, worked out on a snapshot before the write lock."""

    article_id: str
    newest: int  # the newest stored claim (rowid) the snapshot saw
    candidates: dict[tuple[str, str], Claim]
    terms_of_group: list[list[str]]
    targets: list[str | None]
    checked: bool = False  # found to hold inside the write transaction that uses it


def _groups(claims: list[Claim], issues: list[Issue]) -> list[tuple[Issue, list[Claim]]]:
    """Each issue with its claims (issues left without claims dropped)."""
    by_id = {c.id: c for c in claims}
    groups = [(issue, [by_id[cid] for cid in issue.claims if cid in by_id]) for issue in issues]
    return [(issue, members) for issue, members in groups if members]


def _stored(comparison: Comparison, article_id: str) -> dict[str, Any]:
    """An article's own comparison in the store's shape: each claim as {article, id}."""
    data = comparison.to_dict()
    for side in ("a", "b"):
        data[side]["claims"] = [{"article": article_id, "id": cid} for cid in data[side]["claims"]]
    return data


def _claim_dict(claim: Claim) -> dict[str, Any]:
    data = claim.to_dict()
    data["origin"] = getattr(claim, "origin", "extracted")
    return data
