"""One article, analysed end to end, with no database: the stages in order.

extract claims -> drop reports nested in others -> split coordinated reports -> give carried-on
accounts their voice -> tag parties -> group into issues
-> compare the parties.
The CLI's `analyze` and the service both call `analyze`, so every interface
returns the same document.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from stance.attribution import as_double_quotes, extract_claims, restore_text
from stance.clauses import renumbered, split_claims
from stance.document import Analysis, Article, Claim
from stance.parties import Registry, tag_claims
from stance.voices import assign_voices, outermost, without_narration

if TYPE_CHECKING:
    from stance.relations import StanceModel


def analyze(
    article: Article,
    registry: Registry,
    model: StanceModel | None = None,
    timings: dict[str, float] | None = None,
) -> Analysis:
    """The analysis document of one article (issues and comparisons need a model).

    `timings`, when given, gets each stage's CPU seconds added under its name (bench/throughput.py).
    """
    original = article.text
    # The stages read quotes in double marks; an article quoting in single ones is read through a
    # copy with them doubled (same offsets), and the claims' words are taken from the article.
    text = as_double_quotes(original)
    lap = _Laps(timings)
    claims = extract_claims(text)
    lap("extraction")
    claims = outermost(claims)
    # cutting a report at an attribution it overran can leave it inside another report
    claims = renumbered(without_narration(outermost(split_claims(claims, text))))
    claims = assign_voices(claims, text)
    if text is not original:
        claims = restore_text(claims, original)
    lap("reshaping")
    tag_claims(claims, registry, text)
    lap("parties")
    analysis = Analysis(article=article, claims=claims)
    if model is not None:
        from stance.issues import compare, group_claims

        context = {c.id: text[c.sentence_span[0] : c.sentence_span[1]] for c in claims if c.sentence_span}
        analysis.issues = group_claims(claims, model, context, leads(claims, text))
        lap("grouping")
        analysis.comparisons = compare(claims, analysis.issues, model)
        lap("relations")
        analysis.model = model.info()
    return analysis


LEAD_REACH = 300  # characters: about the sentence before a claim's own


def leads(claims: list[Claim], text: str) -> dict[str, str]:
    """The text before each claim back to the end of the last earlier sentence holding a claim (at
    most LEAD_REACH characters): where "X denied that, saying ..." or "The residents dispute those
    tests. They say ..." tells that the claim answers an earlier one."""
    out = {}
    previous_end = 0
    for claim in sorted(claims, key=lambda c: c.start):
        if claim.sentence_span is None:
            continue
        sentence_start = claim.sentence_span[0]
        start = max(
            previous_end if previous_end <= sentence_start else sentence_start, claim.start - LEAD_REACH
        )
        out[claim.id] = text[max(0, start) : claim.start]
        previous_end = max(previous_end, claim.sentence_span[1])
    return out


class _Laps:
    """Adds the CPU time since the previous lap to `timings[stage]`; does nothing without `timings`."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings
        self.last = time.process_time() if timings is not None else 0.0

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.process_time()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now
