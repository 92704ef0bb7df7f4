"""The analysis document of CONTRACT.md as plain dataclasses.

Every pipeline stage takes and returns these; `to_dict` gives the JSON that the
API, the CLI and the evaluation all share, so field names here are the contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("direct", "indirect", "according_to")
RELATIONS = ("conflict", "agree")


@dataclass
class Claim:
    """An attributed statement: what was said (`text`), by whom, and where."""

    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_span: list[int] | None = None
    cue: str | None = None
    cue_span: list[int] | None = None
    kind: str = "indirect"
    party: str | None = None
    issue: str | None = None
    confidence: float = 0.5
    id: str = ""
    # Offsets of the sentence(s) the claim sits in: the dashboard links to them.
    sentence_span: list[int] | None = None
    # The mention the speaker resolved to when the article used a pronoun.
    speaker_resolved_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """asdict(self), built field by field (asdict deep-copies generically: a third of listing
        comparisons went there)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "speaker_span": _copy(self.speaker_span),
            "cue": self.cue,
            "cue_span": _copy(self.cue_span),
            "kind": self.kind,
            "party": self.party,
            "issue": self.issue,
            "confidence": self.confidence,
            "id": self.id,
            "sentence_span": _copy(self.sentence_span),
            "speaker_resolved_from": self.speaker_resolved_from,
        }


def _copy(span: list[int] | None) -> list[int] | None:
    return None if span is None else list(span)


@dataclass
class Issue:
    id: str
    label: str
    claims: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Side:
    party: str
    claims: list[str]


@dataclass
class Comparison:
    id: str
    issue: str
    relation: str
    score: float
    a: Side
    b: Side
    contrast: list[list[str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Article:
    text: str
    id: str = ""
    title: str | None = None
    source: str | None = None
    published: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Analysis:
    article: Article
    claims: list[Claim] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article.to_dict(),
            "claims": [c.to_dict() for c in self.claims],
            "issues": [i.to_dict() for i in self.issues],
            "comparisons": [k.to_dict() for k in self.comparisons],
            "model": dict(self.model),
        }
