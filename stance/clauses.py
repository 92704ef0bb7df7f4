"""Split one report of several statements into one claim per statement.

"The minister said it had only wanted some measures eased, and that its offer was
the best it could make" reports two things, which can belong to two issues and
clash with two different accounts. Attribution corpora annotate such a report as
one content span, so the extractor keeps it whole and this stage splits it.

The same goes for a report that runs across its own attribution: '"It was all the
sanctions," an official said. "It tallies up to billions."' is two quotes, and a
claim's text holds what was said, never the "an official said" between them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
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


_OPENING_MARKS = "\"“‘'"
_CLOSING_MARKS = "\"”’'"
# After an attribution, a new statement starts with a capital (a new sentence) or a conjunction.
_NEXT_STATEMENT = re.compile(
    r"(?:[\"“‘']?\s*(?=[\"“‘']?[A-Z0-9]))|(?:[Aa]nd|[Bb]ut)\s+(?:also\s+)?(?:that\s+)?"
)
_ATTRIBUTION_TAIL = 60  # "told reporters on Friday." - how far an attribution runs past its cue


def _attribution_span(claim: Claim) -> tuple[int, int] | None:
    """The speaker and cue of `claim` as one span (the cue alone when the speaker is elsewhere)."""
    if not claim.cue_span:
        return None
    start, end = claim.cue_span
    if claim.speaker_span and abs(claim.speaker_span[0] - start) < _ATTRIBUTION_TAIL:
        start, end = min(start, claim.speaker_span[0]), max(end, claim.speaker_span[1])
    return start, end


def _cut_at(claim: Claim, text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The statements on either side of an attribution [start, end) lying inside `claim`,
    or None when the attribution interrupts one sentence ('"We are," he said, "ready."')."""
    left = start
    while left > claim.start and (text[left - 1].isspace() or text[left - 1] in ",;:—–" + _CLOSING_MARKS):
        left -= 1
    right, limit = end, min(claim.end, end + _ATTRIBUTION_TAIL)
    while right < limit and text[right] not in ".,;:!?" + _OPENING_MARKS:
        right += 1
    if right >= claim.end:
        return [(claim.start, left)]
    if text[right] in _OPENING_MARKS and not text[end:right].strip():
        return None  # 'he said "..."': the attribution introduces what follows
    if text[right] == ",":
        # 'said Helen Marsh, the company's lawyer. "..."': an apposition ends the attribution's
        # sentence, and the quote resumes in the next (a quote mark before the full stop means
        # the attribution interrupts one sentence: handled below).
        stop, far = right + 1, min(claim.end, right + _ATTRIBUTION_TAIL)
        while stop < far and (
            text[stop] not in ".;:!?\n" + _OPENING_MARKS or (text[stop] == "'" and text[stop - 1].isalnum())
        ):
            stop += 1  # (an apostrophe after a letter is no quote mark: "the company's lawyer")
        after = stop + 1
        while after < claim.end and text[after].isspace():
            after += 1
        if (
            stop < far
            and text[stop] == "."
            and text[right + 1 : stop].strip()
            and after < claim.end
            and text[after] in '"“‘'
        ):
            right = stop  # the next sentence opens on a quote: the quote goes on there
    right += 1 if text[right] in ".,;:!?" else 0
    while right < claim.end and text[right].isspace():
        right += 1
    follow = _NEXT_STATEMENT.match(text, right, claim.end)
    if follow is None:
        return None
    right = follow.end()
    while right < claim.end and (text[right].isspace() or text[right] in _OPENING_MARKS):
        right += 1
    return [(claim.start, left), (right, claim.end)]


def cut_attributions(claim: Claim, text: str, attributions: list[tuple[int, int, Claim]]) -> list[Claim]:
    """`claim` without the attributions inside it: its own ("..., the official said. ...") and
    another claim's whose report it overran; a claim holding another claim's whole report keeps it
    (a nested report: 'the official said Trump had urged Kim ...')."""
    spans = [(claim.start, claim.end)]
    for start, end, owner in attributions:
        if not (claim.start < start and end <= claim.end) or (owner is not claim and _holds(claim, owner)):
            continue
        out = []
        for s, e in spans:
            if s < start and end <= e:
                piece = Claim(text=text[s:e], start=s, end=e)
                cut = _cut_at(piece, text, start, end)
                if cut is None:
                    return [claim]
                # what follows another claim's attribution is that claim's report ("In a statement
                # released through his lawyers, he said: '...'"): only the part before stays
                out.extend(cut if owner is claim else cut[:1])
            else:
                out.append((s, e))
        spans = out
    spans = [_trimmed_quote(text, *_trimmed(text, s, e)) for s, e in spans]
    spans = [(s, e) for s, e in spans if _words(text[s:e]) >= 2]
    if spans == [(claim.start, claim.end)] or not spans:
        return [claim]
    return [replace(claim, text=text[s:e], start=s, end=e, kind=_kind(claim, text, s, e)) for s, e in spans]


def _holds(claim: Claim, other: Claim) -> bool:
    return claim.start <= other.start and other.end <= claim.end


def _trimmed_quote(text: str, start: int, end: int) -> tuple[int, int]:
    """Without a quotation mark left unpaired at either end."""
    inner = text[start:end]
    if inner and inner[0] in _OPENING_MARKS and not any(m in inner[1:] for m in _CLOSING_MARKS[:2]):
        start += 1
    if inner and inner[-1] in _CLOSING_MARKS and not any(m in inner[:-1] for m in _OPENING_MARKS[:2]):
        end -= 1
    return _trimmed(text, start, end)


def _kind(claim: Claim, text: str, start: int, end: int) -> str:
    """A piece that sits between quotation marks is a direct quote."""
    if claim.kind == "direct":
        return "direct"
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    opened = any(m in before for m in '"“')
    closed = any(m in after for m in '"”') or end == claim.end
    return "direct" if opened and closed and not any(m in text[start:end] for m in '"“”') else claim.kind


def split_claims(claims: list[Claim], text: str) -> list[Claim]:
    """Every claim split into its statements, renumbered c1, c2, ... in text order."""
    attributions = sorted(((*span, c) for c in claims if (span := _attribution_span(c))), key=lambda a: a[0])
    starts = [a[0] for a in attributions]
    out = []
    for claim in claims:
        # only the attributions starting inside the claim can cut it
        inside = attributions[bisect_right(starts, claim.start) : bisect_left(starts, claim.end)]
        pieces = cut_attributions(claim, text, inside)
        out.extend(part for piece in pieces for part in split_claim(piece, text))
    return renumbered(out)


def renumbered(claims: list[Claim]) -> list[Claim]:
    """The claims in text order, their ids c1, c2, ... in that order."""
    out = sorted(claims, key=lambda c: (c.start, c.end))
    for number, claim in enumerate(out, start=1):
        claim.id = f"c{number}"
    return out
