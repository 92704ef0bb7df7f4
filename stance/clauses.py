"""Split one report of several statements into one claim per statement.

"The minister said it had only wanted some measures eased, and that its offer was
the best it could make" reports two things, which can belong to two issues and
clash with two different accounts. Attribution corpora annotate such a report as
one content span, so the extractor keeps it whole and this stage splits it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from stance.document import Claim

_COORDINATED_THAT = re.compile(r",?\s+(?:and|but)\s+(?:also\s+)?that\s+", re.IGNORECASE)
_MIN_WORDS = 3


def _words(text: str) -> int:
    return len(text.split())


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def split_claim(claim: Claim, text: str) -> list[Claim]:
    """The statements of one reported-speech claim (the claim itself when it makes one)."""
    if claim.kind != "indirect":
        return [claim]
    parts, at = [], claim.start
    for match in _COORDINATED_THAT.finditer(text, claim.start, claim.end):
        if _inside_quote(text, claim.start, match.start()):
            continue
        parts.append((at, match.start()))
        at = match.end()
    if not parts:
        return [claim]
    parts.append((at, claim.end))
    spans = [_trimmed(text, s, e) for s, e in parts]
    if any(_words(text[s:e]) < _MIN_WORDS for s, e in spans):
        return [claim]
    return [replace(claim, text=text[s:e], start=s, end=e) for s, e in spans]


def _inside_quote(text: str, start: int, at: int) -> bool:
    """Whether `at` falls inside quotation marks opened after `start`."""
    segment = text[start:at]
    straight = segment.count('"') % 2 == 1
    curly = segment.count("“") > segment.count("”")
    return straight or curly


def split_claims(claims: list[Claim], text: str) -> list[Claim]:
    """Every claim split into its statements, renumbered c1, c2, ... in text order."""
    out = [part for claim in claims for part in split_claim(claim, text)]
    out.sort(key=lambda c: (c.start, c.end))
    for number, claim in enumerate(out, start=1):
        claim.id = f"c{number}"
    return out
