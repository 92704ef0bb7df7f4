"""Split article text into paragraphs and sentences, keeping character offsets.

Blingfire does the sentence splitting (fast, and it knows abbreviations); it does not
treat a blank line as a boundary, so paragraphs are cut first and each is split on its own.
Headlines, datelines and lines without final punctuation therefore stay separate sentences.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import pairwise

import blingfire

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# Any line break. White space before it is left to the paragraph, whose ends _trim strips: the
# same paragraphs as breaking at \s*\n\s*, and a pattern opening on "\n" is found by a fast scan.
_LINE_BREAK = re.compile(r"\n\s*")
_NON_SPACE = re.compile(r"\S")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph (runs of text between blank lines), trimmed of white space."""
    return _paragraphs(text, _breaks(text))


def _paragraphs(text: str, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for brk in breaks.finditer(text):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text)))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


def _breaks(text: str) -> re.Pattern[str]:
    """Blank lines always end a paragraph; single line breaks do too unless the text is hard-wrapped.

    Hard-wrapped text (wire copy, e-mail) breaks most lines at 40-100 characters inside
    sentences; elsewhere a single line break separates paragraphs, headlines and captions.
    """
    if "\n" not in text:
        return _PARAGRAPH_BREAK
    # Non-empty lines followed by a non-empty line, and how many of them are 40-100 characters
    # long (counted over the lines: two regex scans of the text cost more).
    lines = text.split("\n")
    inner = wrapped = 0
    for line, following in pairwise(lines):
        if line and following:
            inner += 1
            wrapped += 40 <= len(line) <= 100
    if inner == 0 or wrapped >= 0.6 * inner:
        return _PARAGRAPH_BREAK
    return _LINE_BREAK


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, in order, never crossing a paragraph break."""
    return split(text)[1]


def split(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Paragraphs and sentences together: the paragraph breaks are found once for both.

    One blingfire call covers the whole text (line breaks blanked so that it sees running
    prose); its sentences are located back in the text and then cut at paragraph breaks.
    """
    paras = _paragraphs(text, _breaks(text))
    if not _has_word(text):
        return paras, list(paras)
    flat = text.replace("\n", " ").replace("\r", " ")
    cursor = 0
    spans = []
    for sent in blingfire.text_to_sentences(flat).split("\n"):
        if not sent:
            continue
        at = flat.find(sent, cursor)
        if at < 0:
            return paras, _sentences_by_paragraph(text, paras)
        spans.append((at, at + len(sent)))
        cursor = at + len(sent)
    out: list[tuple[int, int]] = []
    # Blingfire's sentences are stripped and paragraph breaks are white space, so cutting a
    # sentence at paragraph breaks is the same as intersecting it with the paragraphs.
    para_starts = [p for p, _ in paras]
    for s, e in spans:
        k = max(0, bisect_right(para_starts, s) - 1)
        while k < len(paras) and paras[k][0] < e:
            p_start, p_end = paras[k]
            if p_end > s and (piece := _trim(text, max(s, p_start), min(e, p_end))) is not None:
                out.append(piece)
            k += 1
    return paras, _join_abbreviations(text, out)


_ABBREVIATION = re.compile(
    r"\W?(?:Mr|Mrs|Ms|Dr|Sens?|Reps?|Gov|Gen|Lt|Col|Sgt|St|Prof|Rev|Hon|Mt|Ft|No|Pres|Gens)\."
)


_ABBREVIATION_MAX = 6  # the longest text _ABBREVIATION matches ("\"Pres.")


def _join_abbreviations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Blingfire cuts after a title ("Mr.") that opens a paragraph: glue it back to its sentence."""
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(spans):
        s, e = spans[k]
        while (
            k + 1 < len(spans)
            and e - s <= _ABBREVIATION_MAX
            and _ABBREVIATION.fullmatch(text, s, e)
            and "\n" not in text[e : spans[k + 1][0]]
        ):
            k += 1
            e = spans[k][1]
        out.append((s, e))
        k += 1
    return out


def _sentences_by_paragraph(text: str, paras: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Slower path with blingfire's own offsets, paragraph by paragraph."""
    out: list[tuple[int, int]] = []
    for p_start, p_end in paras:
        chunk = text[p_start:p_end]
        if not _has_word(chunk):
            out.append((p_start, p_end))
            continue
        _, offsets = blingfire.text_to_sentences_and_offsets(chunk)
        if not offsets or not _offsets_fit(chunk, offsets):
            out.append((p_start, p_end))
            continue
        prev_end = 0
        for s, e in offsets:
            s = max(s, prev_end)
            if e > s:
                out.append((p_start + s, p_start + e))
                prev_end = e
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _has_word(chunk: str) -> bool:
    return any(c.isalnum() for c in chunk)


def _offsets_fit(chunk: str, offsets: list[tuple[int, int]]) -> bool:
    """Blingfire reports character offsets; refuse anything that does not lie inside the chunk."""
    return all(0 <= s < e <= len(chunk) for s, e in offsets)
