"""Split article text into paragraphs and sentences, keeping character offsets.

Blingfire does the sentence splitting (fast, and it knows abbreviations); it does not
treat a blank line as a boundary, so paragraphs are cut first and each is split on its own.
Headlines, datelines and lines without final punctuation therefore stay separate sentences.
"""

from __future__ import annotations

import re

import blingfire

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NON_SPACE = re.compile(r"\S")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph (runs of text between blank lines), trimmed of white space."""
    spans = []
    start = 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text)))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, in order, never crossing a paragraph break."""
    out: list[tuple[int, int]] = []
    for p_start, p_end in paragraphs(text):
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
