"""Find attributed claims in an article: direct quotes, reported speech and "according to X".

The extractor works sentence by sentence over a light token stream (no parser):

1. quote marks are paired per paragraph (curly, straight and doubled '' marks; a paragraph
   that opens a quote without closing it continues into the next paragraph when that one
   opens with a quote mark, newspaper style);
2. reporting cues are words of the cue lexicon learnt from PolNeAR train ("said", "told",
   "insisted", "according to", ...), kept when the learnt cue classifier agrees;
3. each cue gets a speaker (the noun phrase before it, or after it in "..., said X") and a
   content (what follows it, or the clause before "..., X said", or the quote beside it);
4. pronoun speakers are resolved to the last speaker or named person, names are expanded to
   their fullest form in the article.

Nothing here knows any entity: names come from the text, cue words from the lexicon.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, count, repeat
from operator import itemgetter
from typing import NamedTuple

from stance.cues import (
    CALENDAR_WORDS,
    TOKEN_RE,
    ClaimFilter,
    CueModel,
    load_backoff,
    load_lexicon,
    load_person_titles,
    load_speaker_heads,
    shape,
)
from stance.document import Claim
from stance.segment import split

# --- lexicons ------------------------------------------------------------------------------

_LEXICON = load_lexicon()
_CUE_MODEL = CueModel.load()
_CLAIM_FILTER: ClaimFilter | None = None  # loaded on first use: training the filter imports this module


def _claim_filter() -> ClaimFilter:
    global _CLAIM_FILTER
    if _CLAIM_FILTER is None:
        _CLAIM_FILTER = ClaimFilter.load()
    return _CLAIM_FILTER


# Words too common to head a cue on their own, even though annotators put them in cue spans.
_NOT_HEADS = frozenset(
    """to has on about is have also was are not out been had were did made now back against
    up could would will can may might should must be being with for from in of at by as the a an
    and or but so than then this that it its his her their our my your more most very just still
    even only first last long new both all into over off down no when while after before if
    statement interview questions question criticism campaign debate point attacks clear week
    tuesday monday wednesday thursday friday saturday sunday known publicly repeatedly recently
    later often widely strongly openly quick eager confident aware""".split()
)
_MIN_HEAD_RATE = 0.08
_CUE_THRESHOLD = 0.2
_HEADS = frozenset(w for w, st in _LEXICON.items() if w not in _NOT_HEADS and st.rate >= _MIN_HEAD_RATE)
# A sentence is only tokenised when one of these words is in it.
_CANDIDATE_WORDS = _HEADS | {"according"}
# Candidate word -> the lexicon word the cue model sees: itself, or for an inflection that
# train hardly has, the solid cue of its family ("assures" -> "assured").
_CUE_FORM = {w: w for w in _CANDIDATE_WORDS} | {w: c for w, c in load_backoff().items() if c in _HEADS}
# Interned, like the cue model's table keys and the word classes of _shape_at: the model's
# dict lookups then find their key by identity, without reading the stored key's text.
_CUE_FORM = {w: sys.intern(c) for w, c in _CUE_FORM.items()}

# Verbs that always report speech: enough on their own in "..., X said." and around quotes.
_SPEECH = frozenset(
    """said says say saying told tells tell telling added adds adding wrote writes write writing
    asked asks ask asking explained explains noted notes noting argued argues arguing insisted
    insists declared declares stated states replied replies responded responds continued
    continues tweeted tweets posted recalled recalls warned warns remarked observed commented
    added: said: joked quipped announced announces claimed claims acknowledged admitted
    conceded concluded suggested suggests predicted stressed emphasized pointed reported reports
    confirmed denied maintained added. shouted yelled cautioned complained""".split()
)
# Verbs whose first object is the person addressed, not the content ("told reporters that ...").
_ADDRESS = frozenset(
    """told tells tell telling asked asks ask asking urged urges urging warned warns warning
    reminded reminds assured assures informed informs convinced persuaded""".split()
)
_AUX = frozenset(
    """has have had also later previously repeatedly once then recently again never often
    would will could did does do not n't publicly privately already even still first initially
    further separately similarly subsequently quickly simply flatly openly explicitly
    reportedly apparently is was were are been be being just only""".split()
)
_DETERMINERS = frozenset("the a an this that these those some many several two three four five".split())
_NP_STOP = frozenset(
    """to in on at by as into with without after before during while when if because though
    although since until than that which who whom whose what where why how and or but nor so yet
    is are was were be been being has have had do does did will would can could may might shall
    should must not no also said says say told tells added wrote asked also there here it its
    then just even only""".split()
)
_NP_LINKS = frozenset("of for at from in with".split())
_POSSESSIVES = frozenset("its their his her our".split())
# Words after which a cue word in -ed is an adjective, never the verb of a report (a noun cue,
# "his claim that ...", stays a cue).
_ATTRIBUTIVE_BEFORE = _POSSESSIVES | {"a", "an", "the", "my", "your"}
_IRREGULAR_PARTICIPLES = frozenset("written spoken shown known seen drawn".split())
# Words of degree before a cue word in -ing make it an adjective: "all the more worrying".
_DEGREE_WORDS = frozenset("more most less least very so too deeply particularly".split())
_NP_TAIL = _NP_LINKS | {"and", "the", "a", "an"}  # words a noun phrase does not end on
_PRONOUNS = frozenset("he she they it we i you who which".split())
_PERSON_PRONOUNS = frozenset("he she".split())
_SPEAKER_TITLES = load_person_titles()
# Titles that end the noun phrase they close ("the foreign minister"), unlike "former", "prime".
_TITLE_HEADS = _SPEAKER_TITLES - set("former prime chief vice mr mrs ms dr sen rep gov".split())
# Nouns for another's account that a speaker answers: "..., a charge the company called false".
_CHARGE_NOUNS = "charge|claim|allegation|accusation|assertion|figure|version|account"
# "..., hours after his agent said ...": the narration's own time.
_NARRATION_TIME = (
    r"(?:hours|days|weeks|months|minutes|moments|shortly|soon|just|only|a\s+day|a\s+week)"
    r"\s+(?:after|before)"
)
# Where reported content usually stops inside its sentence: a new clause with its own
# subject or a participle ("..., but Cook did not say when", "..., putting them ahead"), or the
# narration's own time ("..., hours after his agent said ...").
# The pattern opens on one character class, [,;\s], so that the regex engine scans for the
# next comma, semicolon or space instead of trying every branch at every character; a
# lookbehind then picks the branches that open on that character. The matches are those of
# the plain alternation (tests/test_attribution.py keeps it).
_CONTENT_CUTS = re.compile(
    r"[,;\s](?:"
    r"(?<=,)[”\"’]?\s+(?:"
    r"(?:but|though|although|while|whereas|after|before|as|which|compared|according|"
    r"even|despite|including|with|because|since|unless)\b"
    r"|an?\s+(?:" + _CHARGE_NOUNS + r")s?\s"  # ", a charge X denied"
    r"|" + _NARRATION_TIME + r"\b"
    r"|and\s+(?!that\b|said\b|he\b|she\b|they\b|it\b)"
    r"|[a-z]+ing\b"
    r"|(?:he|she|they|it|we|I|there)\s+(?!said\b|says\b|added\b|told\b|wrote\b)[a-z]+)"
    r"|(?<=;)\s"
    r"|(?<=\s)\s*(?:and\s+(?:said|says|added|told|called)\b"
    r"|(?:and|but)\s+(?:(?:then|also|later|not|never)\s+)?(?:[a-z]{3,}ed|saw|made|took|gave|went|came|met"
    r"|spoke|wrote|sent|won|lost|held|kept|left|thought|felt|(?:did|would|could|has|have|had|was)\s+not"
    r"|says|tells|adds|argues|insists|notes|warns|accuses|calls|asks|vows|promises)\b))"
)
# Boundaries that end content however soon they come: a participle that reports speech after a
# short object (", saying ...", ", calling it ..."), or the narration's time (", hours after ...").
_EARLY_CUT_RE = re.compile(
    r",\s+(?:saying|calling|adding|insisting|arguing|claiming|describing|telling|warning|noting"
    r"|" + _NARRATION_TIME + r")\b"
)
_QUOTE_OPEN = "“„«"
_QUOTE_CLOSE = "”»"
_STRAIGHT = '"'
_DOUBLE_APOS = re.compile(r"''|‘‘|’’")
_WORD_RE = re.compile(r"\w")
# Runs of word characters (what \w+ finds). Spelt \w\w*+ so that the pattern opens on a
# character class: the regex engine then scans for the next word character instead of
# starting a match attempt at every position (about 40% faster on claim contents).
_WORDS_RE = re.compile(r"\w\w*+")
_TRAIL = " \t\r\n,;:—–-"
_LEAD = " \t\r\n,;:—–-"


class _Tok(NamedTuple):
    start: int
    end: int
    text: str
    low: str


@dataclass(slots=True)  # slots: made by the thousand and read field by field (like _Found)
class _Quote:
    start: int  # first char inside the marks
    end: int  # last char inside the marks (exclusive)
    open_at: int
    close_at: int | None
    parts: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    kind: str
    cue: str | None
    cue_span: tuple[int, int] | None
    speaker_span: tuple[int, int] | None
    confidence: float
    speaker: str | None = None
    resolved_from: str | None = None
    how: str = "after"  # which pattern found it: features for the claim filter
    cue_p: float = 0.5


# --- quotes --------------------------------------------------------------------------------


# Double quote marks. Written as literals only, so that the regex engine skips ahead to the
# next possible first character (with a [...] class among them it tries every position);
# no two alternatives start with the same character, so the order does not matter.
_QUOTE_MARK_RE = re.compile(r"''|‘‘|’’|\"|“|”|„|«|»")

# "who spoke on condition of anonymity", "who asked not to be named", "speaking anonymously": an aside
# about how a source may be cited. Its verb is no cue, and the subject of the cue after it stands
# before it ("A senior official, who declined to be named, said ...").
# A sentence holds such an aside only if one of these words is among its tokens.
_ANONYMITY_WORDS = frozenset(
    "anonymity anonymously named identified quoted name names authorized authorised".split()
)
_ANONYMITY_RE = re.compile(
    # "A city official who was not authorized to speak publicly said ..."
    r"(?i)\b(?:who|that)\s+(?:was|were|is|are)\s+not\s+(?:authori[sz]ed|permitted|allowed|cleared)\s+"
    r"to\s+(?:speak|comment|talk)(?:\s+(?:publicly|on\s+the\s+record|to\s+(?:the\s+)?(?:media|press|reporters)))?"
    r"(?:\s+(?:about|on)\s+[^,.;:“”\"]{0,80}?)?(?=,|\s+(?:said|says|told|added|confirmed)\b)"
    r"|\b(?:(?:who|which)\s+(?:like\s+\w+\s+|also\s+)?(?:had\s+|has\s+|have\s+|was\s+|were\s+)?)?"
    r"(?:spoke|speaks|speaking|talked|talking|asked|asking|requested|requesting|declined|declining"
    r"|refused|refusing|insisted|insisting|sought|seeking|agreed|agreeing|demanded|demanding"
    r"|briefing|briefed)\s+"
    # "speaking to reporters on condition of anonymity", "briefing journalists on condition ..."
    r"(?:(?:to\s+)?(?:reporters|journalists|the\s+press|(?:the\s+)?media)\s+)?"
    r"(?:(?:on|under)\s+(?:the\s+)?(?:condition|grounds|basis)\s+(?:of|that)\s+"
    r"(?:anonymity|(?:he|she|they|it|his|her|their)\s+(?:names?\s+)?(?:not\s+be|be\s+not)"
    r"\s+(?:named|identified|quoted|used))"
    r"|(?:for\s+)?anonymity|anonymously"
    r"|(?:not\s+)?to\s+(?:not\s+)?be\s+(?:named|identified|quoted)(?:\s+by\s+name)?"
    r"|that\s+(?:his|her|their)\s+(?:(?:full|real|last|first)\s+)?names?\s+not\s+be"
    r"\s+(?:used|published|given|disclosed|printed)"
    r"|that\s+(?:he|she|they)\s+not\s+be\s+(?:named|identified|quoted))\b"
    # "..., because he was not authorised to speak publicly,", "... on the flight home,": what
    # follows up to the comma belongs to the aside.
    r"(?:\s+[^,.;:“”\"]{0,150}(?=,))?"
)


def _anonymity_asides(text: str, sent: tuple[int, int], lows: list[str]) -> list[tuple[int, int]]:
    """Character spans of the sentence's asides on anonymity (see _ANONYMITY_RE); `lows` are the
    sentence's lower-case tokens."""
    if _ANONYMITY_WORDS.isdisjoint(lows):
        return []
    return [m.span() for m in _ANONYMITY_RE.finditer(text, *sent)]


def _before_aside(toks, j: int, a: int, asides: list[tuple[int, int]]) -> int:
    """toks[j] stands before a cue; if an aside on anonymity (and its commas) ends there, the
    token before the aside, where the subject ends, else j."""
    t = j - 1 if j > a and toks[j].text == "," else j
    for start, end in asides:
        if toks[t].end != end:
            continue
        first = t
        while first > a and toks[first].start > start:
            first -= 1
        if first > a and toks[first - 1].text == ",":
            first -= 1
        return first - 1 if first - 1 >= a else j
    return j


def _quote_marks(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(position, width, role) for each double quote mark in text[start:end]; role is open/close."""
    marks = []
    for m in _QUOTE_MARK_RE.finditer(text, start, end):
        i = m.start()
        c = m.group()
        width = len(c)
        if c in _QUOTE_OPEN or c == "‘‘":
            role = "open"
        elif c in _QUOTE_CLOSE:
            role = "close"
        else:
            role = _straight_role(text, i, width, start, end)
            if c == "’’" and role == "open" and not (i == start or text[i - 1].isspace()):
                role = "close"
        marks.append((i, width, role))
    return marks


def _straight_role(text: str, i: int, width: int, start: int, end: int) -> str:
    before = text[i - 1] if i > start else " "
    after = text[i + width] if i + width < end else " "
    if before.isspace() or before in "([{—–-/":
        return "open"
    if after.isspace() or after in ".,;:!?)]}—–-" or i + width >= end:
        return "close"
    return "open" if not before.isalnum() else "close"


def _find_quotes(text: str, paras: list[tuple[int, int]]) -> list[_Quote]:
    """Paired quotes; an unclosed quote runs to the paragraph end and may continue in the next one."""
    quotes: list[_Quote] = []
    for p_start, p_end in paras:
        open_at = None
        for pos, width, role in _quote_marks(text, p_start, p_end):
            if role == "open":
                if open_at is not None and pos > open_at[0] + open_at[1]:
                    # A second opener: the first quote never closed; it ends here.
                    quotes.append(_make_quote(text, open_at, pos, None))
                open_at = (pos, width)
            elif open_at is not None:
                quotes.append(_make_quote(text, open_at, pos, pos))
                open_at = None
        if open_at is not None:
            quotes.append(_make_quote(text, open_at, p_end, None))
    # Merge newspaper-style continuations: unclosed quote at a paragraph end + next paragraph opens.
    merged: list[_Quote] = []
    para_starts = [s for s, _ in paras]
    for q in quotes:
        if (
            merged
            and merged[-1].close_at is None
            and q.open_at in para_starts
            and _next_para(para_starts, merged[-1].open_at, q.open_at)
        ):
            prev = merged[-1]
            prev.parts.append((q.start, q.end))
            prev.end, prev.close_at = q.end, q.close_at
            continue
        merged.append(q)
    return [q for q in merged if q.end > q.start]


def _next_para(para_starts: list[int], a: int, b: int) -> bool:
    ia = bisect_right(para_starts, a) - 1
    ib = bisect_right(para_starts, b) - 1
    return ib == ia + 1


def _make_quote(text: str, open_at: tuple[int, int], end: int, close_at: int | None) -> _Quote:
    s = open_at[0] + open_at[1]
    e = end
    while e > s and text[e - 1] in _TRAIL + " ":
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    return _Quote(s, e, open_at[0], close_at, [(s, e)])


# --- tokens and noun phrases ---------------------------------------------------------------


_TOKEN_SPLIT = re.compile("(" + TOKEN_RE.pattern + ")").split
_new_tuple = tuple.__new__


def _token_columns(text: str, start: int, end: int) -> tuple[list[int], list[int], list[str], list[str]]:
    """Starts, ends, texts and lower-cased texts of the tokens of text[start:end].

    Splitting on the token pattern (kept by its group) alternates gaps and tokens, so running
    sums of the piece lengths are the offsets.
    """
    parts = _TOKEN_SPLIT(text[start:end])
    bounds = list(accumulate(map(len, parts), initial=start))
    words = parts[1::2]
    return bounds[1:-1:2], bounds[2::2], words, list(map(str.lower, words))


def _as_tokens(starts, ends, words, lows) -> list[_Tok]:
    return list(map(_new_tuple, repeat(_Tok), zip(starts, ends, words, lows, strict=True)))


def _is_cap(tok: _Tok) -> bool:
    return tok.text[:1].isupper() or tok.text[:1].isdigit()


def _np_before(toks: list[_Tok], j: int, sent_start_idx: int = 0) -> tuple[int, int] | None:
    """Token index range [a, b] of the noun phrase ending at toks[j] (walking left), or None."""
    if j < sent_start_idx:
        return None
    tok = toks[j]
    if tok.low in _PRONOUNS:
        return (j, j)
    if not _WORD_RE.match(tok.text) or tok.low in _NP_STOP:
        return None
    a = j
    k = j - 1
    while k >= sent_start_idx and j - k < 12:
        t = toks[k]
        low = t.low
        if (
            low in _NP_STOP
            and low not in _NP_LINKS
            # "Egypt and Ethiopia", "North Korea and the United States": names joined
            and not (
                low == "and"
                and (
                    _is_cap(toks[k + 1])
                    or (
                        toks[k + 1].low == "the"
                        and k + 2 <= j
                        and _is_cap(toks[k + 2])
                        and _is_cap(toks[k - 1])
                    )
                )
            )
            # "a source close to the athlete", "people close to the talks"
            and not (low == "to" and k > sent_start_idx and toks[k - 1].low in ("close", "closer", "loyal"))
        ):
            break
        if not _WORD_RE.match(t.text) and t.text not in "-’'&.":
            break
        if low in _NP_LINKS and not (k > 0 and (_is_cap(toks[k - 1]) or toks[k - 1].low not in _NP_STOP)):
            break
        a = k
        k -= 1
    # Drop a leading preposition or conjunction left by the walk, and a dash or mark that opened
    # the sentence ("HANOI (Reuters) - North Korea's foreign minister said").
    while a < j and (toks[a].low in _NP_LINKS or toks[a].low == "and" or toks[a].text in ("-", "—", "–")):
        a += 1
    return (a, j)


def _np_after(toks: list[_Tok], i: int, end_idx: int) -> tuple[int, int] | None:
    """Token index range of the noun phrase starting at toks[i] ("said Chris Green of the X Group")."""
    if i >= end_idx:
        return None
    if toks[i].low in _PRONOUNS:
        return (i, i)
    if not _WORD_RE.match(toks[i].text) or toks[i].low in _NP_STOP:
        return None
    b = i
    k = i + 1
    while k < end_idx and k - i < 14:
        t = toks[k]
        if t.text in ',.;:!?”“"()—–':
            break
        if t.low in _NP_STOP and t.low not in _NP_LINKS and t.low != "and":
            break
        b = k
        k += 1
    while b > i and toks[b].low in _NP_TAIL:
        b -= 1
    return (i, b)


# --- the extractor -------------------------------------------------------------------------


# British style: 'I have never taken a banned substance,' he said. An opening single mark starts a
# word; a closing one ends a word, before a space, punctuation or the end.
_SINGLE_OPEN = re.compile(r"(?<![\w’'])[‘'](?=[^\s’'])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\s‘'])[’'](?![\w’'])")
_DOUBLE_MARKS = ('"', "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb", "''", "‘‘", "’’")


def as_double_quotes(text: str) -> str:
    """`text` with the single quotation marks of an article that quotes in single marks turned into
    double ones, mark for mark (the same length, so every offset holds). An article holding any
    double mark is returned as it is: there, single marks are quotes within quotes or apostrophes."""
    if any(mark in text for mark in _DOUBLE_MARKS) or not ("‘" in text or "'" in text):
        return text
    chars = list(text)
    for para in re.finditer(r"[^\n]+", text):
        opened = None
        for m in re.finditer(r"[‘’']", para.group()):
            at = para.start() + m.start()
            if opened is None and _SINGLE_OPEN.match(text, at):
                opened = at
            elif opened is not None and _SINGLE_CLOSE.match(text, at) and at - opened > 2:
                chars[opened], chars[at] = "\u201c", "\u201d"
                opened = None
        if opened is not None and opened == para.start():
            chars[opened] = "\u201c"  # a quote running on into the next paragraph
    doubled = "".join(chars)
    return text if doubled == text else doubled


def extract_claims(text: str) -> list[Claim]:
    """Every attributed claim in `text`, in order of start offset (ids c1, c2, ...)."""
    if not text or not text.strip():
        return []
    shadow = as_double_quotes(text)
    if shadow is not text:
        return restore_text(extract_claims(shadow), text)
    paras, sents = split(text)
    found = []
    claim_filter = _claim_filter()
    for f in candidate_claims(text, sents, paras):
        if _refers_to_an_account(text, f):
            continue  # found all the same, so that ", saying ..." after it knows its speaker
        p = claim_filter.value_probability(claim_values(text, f))
        if p >= claim_filter.threshold:
            f.confidence = p
            found.append(f)
    sent_starts = [s for s, _ in sents]
    claims = []
    for k, f in enumerate(found, 1):
        s_idx = max(0, bisect_right(sent_starts, f.start) - 1)
        e_idx = max(s_idx, bisect_right(sent_starts, f.end - 1) - 1)
        claims.append(
            Claim(
                text=text[f.start : f.end],
                start=f.start,
                end=f.end,
                speaker=f.speaker,
                speaker_span=list(f.speaker_span) if f.speaker_span else None,
                cue=text[f.cue_span[0] : f.cue_span[1]] if f.cue_span else None,
                cue_span=list(f.cue_span) if f.cue_span else None,
                kind=f.kind,
                confidence=round(f.confidence, 3),
                id=f"c{k}",
                sentence_span=[sents[s_idx][0], sents[e_idx][1]] if sents else None,
                speaker_resolved_from=f.resolved_from,
            )
        )
    return claims


def restore_text(claims: list[Claim], text: str) -> list[Claim]:
    """Claims found in `as_double_quotes(text)`, with their words read back from `text`."""
    for claim in claims:
        claim.text = text[claim.start : claim.end]
        if claim.cue_span:
            claim.cue = text[claim.cue_span[0] : claim.cue_span[1]]
    return claims


def candidate_claims(
    text: str,
    sents: list[tuple[int, int]] | None = None,
    paras: list[tuple[int, int]] | None = None,
) -> list[_Found]:
    """Every claim the patterns find, speakers resolved, before the learnt claim filter."""
    if sents is None or paras is None:
        paras, sents = split(text)
    quotes = _find_quotes(text, paras)
    found: list[_Found] = []
    in_quote = _quote_index(quotes)
    # One token stream for the whole article, kept as columns; only sentences holding a
    # candidate cue word are looked at, through their slice of the columns.
    starts, ends, words, lows = _token_columns(text, 0, len(text))
    cands = list(compress(count(), map(_CUE_FORM.__contains__, lows)))
    c = 0
    for s_start, s_end in sents:
        if c >= len(cands):
            break
        first = bisect_left(starts, s_start, cands[c - 1] if c else 0)
        last = bisect_left(starts, s_end, first)
        while c < len(cands) and cands[c] < first:
            c += 1
        here = []
        while c < len(cands) and cands[c] < last:
            here.append(cands[c] - first)
            c += 1
        if not here or last - first < 2:
            continue
        cols = (starts, ends, words, lows)
        if (first and ends[first - 1] > s_start) or ends[last - 1] > s_end:
            # A token runs over the sentence boundary: tokenise the sentence on its own.
            cols = _token_columns(text, s_start, s_end)
            first, last = 0, len(cols[0])
            here = [k for k, low in enumerate(cols[3]) if low in _CUE_FORM]
        if last - first >= 2 and here:
            _cues_in_sentence(text, cols, first, last, here, (s_start, s_end), quotes, in_quote, found)
    _attach_quotes(text, quotes, found, paras)
    _colon_speakers(text, paras, found)
    _dash_speakers(text, paras, found)
    found = _dedupe(found)
    found.sort(key=lambda f: (f.start, f.end))
    _resolve_speakers(text, found, sents)
    return found


def claim_features(text: str, f: _Found) -> list[str]:
    """What the claim filter sees: the pattern, the cue, the speaker's form, the content's shape."""
    return claim_feature_strings(claim_values(text, f))


def claim_values(text: str, f: _Found) -> tuple[str, ...]:
    """The values the claim filter's features are made of, in `CLAIM_TEMPLATES` order's terms:
    (how, kind, cue, cue_p, size, spk_words, sentences, spk, first, quote_start, has_quote,
    ends_sentence)."""
    content = text[f.start : f.end]
    words = _WORDS_RE.findall(content)
    n = len(words)
    first = words[0].lower() if words else ""
    cue = (f.cue or "").lower()
    cue = _CUE_FORM.get(cue, cue)
    mention = text[f.speaker_span[0] : f.speaker_span[1]] if f.speaker_span else ""
    mention_words = mention.split()
    if f.speaker_span is None:
        spk = "none"
    elif f.resolved_from is not None:
        spk = "pronoun"
    else:
        spk = (
            "name" if mention[:1].isupper() or any(w[:1].isupper() for w in mention_words[1:]) else "nominal"
        )
    size = (
        "1"
        if n <= 1
        else "3"
        if n <= 3
        else "7"
        if n <= 7
        else "15"
        if n <= 15
        else "30"
        if n <= 30
        else "60+"
    )
    return (
        f.how,
        f.kind,
        cue,
        str(int(f.cue_p * 20)),
        size,
        str(min(4, len(mention_words))),
        str(min(3, content.count(". ") + content.count("? ") + 1)),
        spk,
        first if first in _CLAIM_FIRST_WORDS else shape(words[0]) if words else "-",
        str(content[:1] in _QUOTE_CHARS or (f.start > 0 and text[f.start - 1] in _QUOTE_CHARS)),
        str(_QUOTE_MARK_RE.search(content) is not None),
        str(f.end >= len(text) or text[f.end : f.end + 2].strip()[:1] in ("", ".", "!", "?", "”", '"')),
    )


def claim_feature_strings(values: tuple[str, ...]) -> list[str]:
    """The claim filter's feature strings from `claim_values`."""
    how, kind, cue, cue_p, size, spk_words, sentences, spk, first, quote_start, has_quote, ends = values
    return [
        "bias",
        "how=" + how,
        "kind=" + kind,
        "cue=" + cue,
        "how|cue=" + how + "|" + cue,
        "cue_p=" + cue_p,
        "cue|len=" + cue + "|" + size,
        "spk_words=" + spk_words,
        "sentences=" + sentences,
        "spk=" + spk,
        "how|spk=" + how + "|" + spk,
        "len=" + size,
        "how|len=" + how + "|" + size,
        "first=" + first,
        "quote_start=" + quote_start,
        "has_quote=" + has_quote,
        "ends_sentence=" + ends,
    ]


_CLAIM_FIRST_WORDS = frozenset(
    """that the a an it he she they we i you there this to if whether what how why when his her
    their its our my in on for of about as by with no not yes so all some many""".split()
)


_COLON_SPEAKER = re.compile(
    r"[A-Z][\w’'.-]*(?:[ \t]+[\w’'.-]+){0,5}(?:[ \t]*\([^()\n]{1,24}\))?[ \t]*:[ \t]*(?=[\"“‘'A-Z])"
)
# Lower-case words a headline speaker may hold: "Clinton to voters:", "Ex-AG Lee at RNC:".
_COLON_LINKS = frozenset("to at of on for in and".split())


def _colon_name_ok(name: str) -> bool:
    """Capitalised words, joined by a few small words; it may end on a noun that speaks ("Lee camp")."""
    words = name.split()
    if len(words) > 6 or words[-1] in _COLON_LINKS:
        return False
    inner = all(w[:1].isupper() or w in _COLON_LINKS for w in words[1:-1])
    last = words[-1][:1].isupper() or (len(words) > 1 and words[-1] in _SPEAKER_HEADS)
    return inner and last


_NOT_SPEAKERS = frozenset(
    """update updated note editor related photo photos source sources read watch click video
    listen see also correction clarification disclosure full transcript warning advertisement
    subscribe follow share by""".split()
)


def _colon_speakers(text: str, paras: list[tuple[int, int]], found: list[_Found]) -> None:
    """Transcript and headline style: a paragraph opening "Ann Lee: ..." is Ann Lee's words."""
    for p_start, p_end in paras:
        if text.find(":", p_start, p_end) < 0:
            continue  # no colon, no match (a quicker test than the failed match)
        m = _COLON_SPEAKER.match(text, p_start, p_end)
        if m is None:
            continue
        name = text[p_start : m.end()].split(":")[0].strip()
        if not _colon_name_ok(name.split("(")[0]) or (
            name.lower() in _NOT_SPEAKERS
            or name.split()[0].lower() in _NOT_SPEAKERS
            or (name.isupper() and len(name) > 1)
        ):
            continue
        span = _clean(text, m.end(), p_end)
        if span is None or len(_WORDS_RE.findall(text, span[0], span[1])) < 4:
            continue
        if any(f.start <= span[0] < f.end for f in found):
            continue
        colon = text.index(":", p_start)
        kind = "direct" if text[span[0]] in '"“' else "indirect"
        found.append(
            _Found(
                span[0],
                span[1],
                kind,
                ":",
                (colon, colon + 1),
                (p_start, p_start + len(name)),
                0.55,
                how="colon",
            )
        )


# A pull quote: a paragraph that is one quotation and, after a dash, the name of who said it
# ('"We will not sign a deal that ..." — Ingrid Saele').
_DASH_SPEAKER = re.compile(
    r"[ \t]*([\"“])([^\"“”\n]{12,600})[\"”][ \t]*[—–-][ \t]*"
    r"([A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,4})(?:,[^\n]{0,80})?[ \t]*"
)


def _dash_speakers(text: str, paras: list[tuple[int, int]], found: list[_Found]) -> None:
    """Pull quotes: a paragraph '"..." — Ann Lee' is Ann Lee's words."""
    for p_start, p_end in paras:
        if p_end - p_start > 800 or not any(d in text[p_start:p_end] for d in "—–-"):
            continue
        m = _DASH_SPEAKER.fullmatch(text, p_start, p_end)
        if m is None or any(f.start <= m.start(2) < f.end for f in found):
            continue
        dash = (
            m.end(2)
            + 1
            + len(text[m.end(2) + 1 : m.start(3)])
            - len(text[m.end(2) + 1 : m.start(3)].lstrip())
        )
        found.append(
            _Found(
                m.start(2),
                m.end(2),
                "direct",
                text[dash],
                (dash, dash + 1),
                (m.start(3), m.end(3)),
                0.55,
                how="colon",  # the same kind of pattern to the claim filter: a name set beside the words
            )
        )


def _quote_index(quotes: list[_Quote]):
    starts = [q.open_at for q in quotes]

    def inside(pos: int) -> _Quote | None:
        k = bisect_right(starts, pos) - 1
        if k >= 0:
            q = quotes[k]
            for s, e in q.parts:
                if s <= pos < e:
                    return q
        return None

    return inside


def _cues_in_sentence(text, cols, first, last, candidates, sent, quotes, in_quote, found) -> None:
    """Try each candidate cue word (token indices into the sentence, the token columns' slice
    [first, last)).

    The cue model reads the columns; the sentence's `_Tok`s are built only once a candidate
    needs the clause walkers (about a quarter of the sentences looked at never do).
    """
    starts, ends, words, lows = cols
    toks = None
    has_quote = None
    asides = None
    a, b = 0, last - first
    for i in candidates:
        k = first + i
        low = lows[k]
        if in_quote(starts[k]) is not None:
            continue
        if (
            (low[-2:] == "ed" or low in _IRREGULAR_PARTICIPLES)
            and k > first
            and lows[k - 1] in _ATTRIBUTIVE_BEFORE
        ):
            continue  # "a disputed shoal", "the alleged plot", "a written statement": no verb
        if low[-3:] == "ing" and k > first and lows[k - 1] in _DEGREE_WORDS:
            continue  # "all the more worrying", "deeply troubling": an adjective, no verb
        if _inside_a_name(words, first, last, k):
            continue  # "The International Medical Relief Committee": a word of a name
        if asides is None:
            asides = _anonymity_asides(text, sent, lows[first:last])
        if asides and any(start <= starts[k] < end for start, end in asides):
            continue
        if low == "according":
            if i + 1 < b and lows[k + 1] == "to":
                if toks is None:
                    toks = _as_tokens(
                        starts[first:last], ends[first:last], words[first:last], lows[first:last]
                    )
                _according_to(text, toks, i, a, b, sent, 0.95, found)
            continue
        if has_quote is None:
            has_quote = _QUOTE_MARK_RE.search(text, sent[0], sent[1]) is not None
        p = _CUE_MODEL.window_probability(
            _CUE_FORM[low],
            _shape_at(words, lows, k - 2, first, last),
            _shape_at(words, lows, k - 1, first, last),
            _shape_at(words, lows, k + 1, first, last),
            _shape_at(words, lows, k + 2, first, last),
            has_quote,
            "first" if i == a else "last" if i >= b - 2 else "mid",
        )
        if low != "asked" and p < _CUE_THRESHOLD:
            continue
        if toks is None:
            toks = _as_tokens(starts[first:last], ends[first:last], words[first:last], lows[first:last])
        if low == "asked" and _asked_question(text, toks, i, a, b, p, in_quote, found):
            continue
        if p >= _CUE_THRESHOLD:
            _verb_cue(text, toks, i, a, b, sent, p, quotes, in_quote, found, asides)


# Words that may stand before "asked" in a question put to the speaker ("And when asked if ...").
_ASKED_OPENERS = frozenset("when and but if once after later".split())
_QUESTION_WORDS = frozenset("if whether what who whom how why when where which about".split())


def _asked_question(text, toks, i, a, b, p, in_quote, found) -> bool:
    """ "Asked whether the plan would pass, she said ...": the question is an attributed claim.

    PolNeAR annotates the question itself, usually with no source ("Asked if ..."), or with
    the asker after "by" ("Asked by a reporter how ..."). The question runs from its
    question word to the first comma outside quotes; "..., when asked why ..." counts too.
    """
    opening = all(t.low in _ASKED_OPENERS for t in toks[a:i])
    if not (opening or (i > a and toks[i - 1].low == "when")):
        return False
    k = i + 1
    speaker = None
    if k < b and toks[k].low == "by":
        np = _np_after(toks, k + 1, b)
        if np is None:
            return False
        speaker = (toks[np[0]].start, toks[np[1]].end)
        k = np[1] + 1
    q = k
    while q < b and q - k < 8 and toks[q].low not in _QUESTION_WORDS and toks[q].text not in ",.;:":
        q += 1
    if q >= b or toks[q].low not in _QUESTION_WORDS:
        return False
    c_start = toks[q + 1].start if toks[q].low == "about" and q + 1 < b else toks[q].start
    end = next((t.start for t in toks[q + 1 : b] if t.text == "," and in_quote(t.start) is None), None)
    if end is None:
        if opening:
            return False  # "Asked if X he said no": no comma, no telling where the question ends
        end = toks[b - 1].end
    span = _clean(text, c_start, end)
    if span is None:
        return False
    cue = toks[i]
    found.append(
        _Found(
            *span, "indirect", cue.text, (cue.start, cue.end), speaker, 0.45 + 0.5 * p, how="asked", cue_p=p
        )
    )
    return True


def _asked_before(found: list[_Found], s_start: int, end: int) -> bool:
    """Is there an "Asked if ..." question in text[s_start:end]? Only this sentence's claims,
    the last ones found, are looked at."""
    for f in reversed(found):
        if f.cue_span is None or f.cue_span[0] < s_start:
            return False
        if f.how == "asked" and s_start <= f.start < end:
            return True
    return False


def _shape_at(words: list[str], lows: list[str], k: int, a: int, b: int) -> str:
    """The classifier's word class of token k of the columns' slice [a, b): names keep their
    capital, except sentence-initially."""
    if k < a:
        return "<s>"
    if k >= b:
        return "</s>"
    w = words[k]
    word = w if (k > a and w[:1].isupper()) else lows[k]
    cls = _SHAPES.get(word)
    if cls is None:
        if len(_SHAPES) > 100_000:
            _SHAPES.clear()
        cls = _SHAPES[word] = sys.intern(shape(word))
    return cls


_SHAPES: dict[str, str] = {}  # word -> its class, memoised (the same words recur all the time)


def _according_to(text, toks, i, a, b, sent, p, found) -> None:
    s_start, s_end = sent
    cue_span = (toks[i].start, toks[i + 1].end)
    np = _np_after(toks, i + 2, b)
    if np is None:
        return
    spk = (toks[np[0]].start, toks[np[1]].end)
    after = spk[1]
    # "According to X, CONTENT." or "CONTENT, according to X." (or both halves).
    if i == a or (i == a + 1 and not _WORD_RE.match(toks[a].text)) or toks[i - 1].low in ("but", "and"):
        c_start, c_end = after, s_end
    else:
        c_start, c_end = s_start, toks[i].start
        if s_end - after > c_end - c_start:
            c_start, c_end = after, s_end
    span = _clean(text, c_start, c_end)
    if span:
        found.append(
            _Found(*span, "according_to", "according to", cue_span, spk, 0.6 + 0.35 * p, how="according")
        )


_TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight earlier
    later recently week month year morning afternoon evening night""".split()
)
# What may stand between a subject and its verb: "X on Friday said", "X last week told".
_TIME_ADJUNCT = _TIME_WORDS | {"on", "last", "this", "late", "early"}


def _opening_subject(toks, a: int, j: int):
    """The noun phrase opening the sentence, when it ends before toks[j] (a name, pronoun or "the X")."""
    a = _after_dateline(toks, a, j)
    if not (_is_cap(toks[a]) or toks[a].low in _PRONOUNS or toks[a].low in _ARTICLES):
        return None
    np = _np_after(toks, a, j)
    if np and np[1] < j and toks[a].low not in ("it", "which", "who"):
        # "North Korea's foreign minister held a news conference in Hanoi, insisting ...": the
        # phrase ends on a person's title followed by a lower-case word that is neither "of",
        # "for" ... nor another title ("prime minister").
        for k in range(np[0], np[1]):
            after = toks[k + 1]
            if (
                after.text.islower()
                and after.low not in _NP_LINKS
                and after.low not in _SPEAKER_TITLES
                and (
                    toks[k].low in _TITLE_HEADS
                    # "Hillary Clinton descended on ...", "The SMA put the volume at ...": a name,
                    # then a verb in -ed or a verb of the cue lexicon
                    or (
                        _is_cap(toks[k])
                        and toks[k].low not in _ARTICLES
                        and not _POSSESSIVE.search(toks[k].text)
                        and (after.low.endswith("ed") or after.low in _CUE_FORM)
                    )
                )
            ):
                return (np[0], k)
        return np
    return None


_DASHES = frozenset(("-", "\u2014", "\u2013"))


def _after_dateline(toks, a: int, j: int) -> int:
    """The first token after a dateline opening the sentence ("SEOUL \u2014", "CAIRO, Egypt (AP) -"),
    else `a`: capitalised words, commas and a parenthesised agency up to a dash."""
    k = a
    while k < j and k - a < 8 and toks[k].text not in _DASHES:
        if not (_is_cap(toks[k]) or toks[k].text in ",()"):
            return a
        k += 1
    return k + 1 if k > a and k < j and toks[k].text in _DASHES else a


def _subject_before(toks, j: int, a: int):
    """Token range of the subject ending at toks[j], hopping over "on Friday" and "who"."""
    # "X on Friday said", "X last week told": skip a time adjunct between subject and verb.
    k = j
    while k >= a and toks[k].low in _TIME_ADJUNCT:
        k -= 1
    if k != j and k >= a and k < j:
        np = _np_before(toks, k, a)
        if np:
            return np
    prev = toks[j]
    if prev.text in ("—", "–") and j - 1 > a:
        # "Many speakers — including X and Y — said": the phrase before the dashes.
        k = j - 1
        while k > a and toks[k].text not in ("—", "–") and j - k < 16:
            k -= 1
        if k > a and toks[k].text == prev.text:
            np = _np_before(toks, k - 1, a)
            return (np[0], j - 1) if np else None
        return None
    if prev.text == ")":
        # "Sen. Ann Lee (D-Ore.) said": the name before the parenthesis.
        k = j - 1
        while k > a and toks[k].text != "(" and j - k < 10:
            k -= 1
        if k > a and toks[k].text == "(":
            np = _np_before(toks, k - 1, a)
            return (np[0], j) if np else None
        return None
    if prev.low in ("who", "which") and j - 1 >= a:
        jj = j - 1 - (toks[j - 1].text == ",")
        return _np_before(toks, jj, a) if jj >= a else None
    if not _WORD_RE.match(prev.text):
        return None
    np = _np_before(toks, j, a)
    if np and toks[np[0]].low in _NP_STOP and toks[np[0]].low not in _PRONOUNS:
        return None
    return np


_ABBREVIATED_TITLES = frozenset("dr mr mrs ms gen sen rep gov lt col capt prof sgt maj adm st".split())


def _named_apposition(toks, np: tuple[int, int], end_idx: int) -> tuple[int, int] | None:
    """The name in apposition after a description ("the union's chairwoman, Ingrid Saele."): a run
    of capitalised words after a comma that ends the sentence or the clause."""
    if _is_cap(toks[np[0]]) or not toks[np[1]].text.islower():  # "a voter in Derry, N.H." is no name
        return None
    if np[1] + 2 >= end_idx or toks[np[1] + 1].text != ",":
        return None
    first = k = np[1] + 2
    while k < end_idx and (
        (_is_cap(toks[k]) and _WORD_RE.match(toks[k].text))
        or (
            toks[k].text == "."
            and (len(toks[k - 1].text) == 1 or toks[k - 1].low in _ABBREVIATED_TITLES)
            and k + 1 < end_idx
            and _is_cap(toks[k + 1])
        )
    ):
        k += 1  # "John J. Ferriola", "Dr. Gabor Nagy": a full stop inside the name
    if k == first or k - first > 5 or (k < end_idx and toks[k].text not in (".", ",", ";")):
        return None
    return (first, k - 1)


def _quote_closing_before(text: str, quotes: list[_Quote], pos: int) -> _Quote | None:
    """The quote whose closing mark is the last thing before `pos` (white space aside)."""
    k = pos - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    if k < 0 or text[k] not in '”"':
        return None
    for q in reversed(quotes):
        if q.close_at == k:
            return q
        if q.open_at < k - 2000:
            break
    return None


def _quote_opening_in(text: str, quotes: list[_Quote], start: int, end: int) -> _Quote | None:
    """The first quote opening in text[start:end] right after a comma or colon."""
    for q in quotes:
        if q.open_at >= end:
            break
        if q.open_at >= start:
            return q if text[start : q.open_at].rstrip()[-1:] in (",", ":") else None
    return None


def _quote_after(text: str, quotes: list[_Quote], pos: int) -> tuple[int, int] | None:
    for q in quotes:
        if q.open_at >= pos:
            return (q.start, q.end) if not text[pos : q.open_at].strip() else None
    return None


def _verb_cue(text, toks, i, a, b, sent, p, quotes, in_quote, found, asides=()) -> None:
    s_start, s_end = sent
    cue_tok = toks[i]
    cue_end_idx = i
    if i + 1 < b and toks[i + 1].low in ("out", "to", "for", "on") and cue_tok.low in _PARTICLE_VERBS:
        cue_end_idx = i + 1
    # Auxiliaries and adverbs between subject and cue: "has also said", "repeatedly warned".
    j = i - 1
    aux_start = i
    while j >= a and (toks[j].low in _AUX or (toks[j].low.endswith("ly") and len(toks[j].low) > 4)):
        aux_start = j
        j -= 1
    if asides:
        # the aside may end on what looked like an adverb: "who was not authorized to speak publicly said"
        subject_end = _before_aside(toks, i - 1, a, asides)
        j = subject_end if subject_end != i - 1 else _before_aside(toks, j, a, asides)
    cue_start = toks[aux_start].start if toks[aux_start].low in ("has", "have", "had") else cue_tok.start
    cue_span = (cue_start, toks[cue_end_idx].end)
    participle = cue_tok.low.endswith("ing")
    after_cue = cue_end_idx + 1

    speaker_np = None
    inverted = False
    spk_span = None
    mention = None
    prev_text = toks[j].text if j >= a else ""
    if j >= a and prev_text not in (",", "”", '"', "’", "''"):
        speaker_np = _subject_before(toks, j, a)
        if (
            speaker_np is not None
            and speaker_np[0] > a
            and toks[speaker_np[0] - 1].low == "in"
            and toks[speaker_np[1]].low in _DOCUMENTS
            and cue_tok.low.endswith("ed")
        ):
            return  # "In a statement issued on Monday, ...": a participle inside an adjunct
        if speaker_np is None and j >= a and toks[j].low in ("and", "but", "then"):
            spk_span, mention = _speaker_going_on(text, found, toks, a, i)
            if spk_span is None:
                speaker_np = _opening_subject(toks, a, j)
    elif j >= a and prev_text == "," and not participle:
        # Appositive: "X, a former adviser, said".
        k = j - 1
        while k > a and toks[k].text != "," and j - k < 14:
            k -= 1
        after_np = _np_after(toks, after_cue, b) if cue_tok.low in _SPEECH else None
        said_x = after_np is not None and (after_np[1] + 1 >= b or toks[after_np[1] + 1].text in ".,;")
        head = _np_before(toks, k - 1, a) if k >= a and toks[k].text == "," and k > a else None
        if head is None and k > a + 2 and toks[k].text == "," and toks[k - 1].text == ")":
            # "The International Medical Relief Committee (IMRC), which runs ..., said"
            h = k - 2
            while h > a and toks[h].text != "(" and k - h < 8:
                h -= 1
            named = _np_before(toks, h - 1, a) if toks[h].text == "(" else None
            head = (named[0], k - 1) if named else None
        if head is not None and head[0] > a and toks[head[0] - 1].low in _POSSESSIVES:
            head = (head[0] - 1, head[1])  # "Its spokesman, Colonel Long Shaohua, said"
        if (
            head is not None
            and head[0] == head[1]
            and toks[head[0]].text.isdigit()
            and len(toks[head[0]].text) <= 3
            and head[0] - 2 >= a
            and toks[head[0] - 1].text == ","
        ):
            head = _np_before(toks, head[0] - 2, a)  # "Tanya Reeves, 41, who lives nearby, said": her age
        # "Ann Lee, the mayor's daughter, noted the rule": a name opening the sentence, then an
        # apposition, is the subject even when a noun phrase follows the cue.
        opens_with_name = head is not None and head[0] == a and _is_cap(toks[head[0]])
        speaks = head is not None and (
            any(_is_cap(t) for t in toks[head[0] : head[1] + 1]) or toks[head[0]].low in _PRONOUNS
        )
        if not speaks:
            # "Lena Lindqvist, whose brother Johan, an aid worker, is held there, said ...": a name
            # opening the sentence before a relative clause, however many commas that clause holds
            opening = _np_after(toks, a, j)
            if (
                opening is not None
                and _is_cap(toks[a])
                and opening[1] + 2 < k
                and toks[opening[1] + 1].text == ","
                and toks[opening[1] + 2].low in ("who", "whose", "which")
            ):
                head, speaks, opens_with_name = opening, True, True
        if speaks and (not said_x or opens_with_name):
            speaker_np = (head[0], j - 1)
            # "Her campaign manager, Ann Lee, said": the name may sit in the apposition.
            named = (
                any(_is_cap(t) for t in toks[head[0] + 1 : head[1] + 1])
                or head[0] > a
                or all(_is_cap(t) for t in toks[head[0] : head[1] + 1])  # "Kim, a veteran diplomat ..."
            )
            # "Trump, who leads in delegates, said" and "Vega, speaking to Cadena SER, denied": a
            # relative clause or a participle never names anyone.
            relative = toks[k + 1].low in ("who", "whose", "which") or toks[k + 1].text.endswith("ing")
            part = head if named or relative else (k + 1, j - 1)
            mention = text[toks[part[0]].start : toks[part[1]].end]
    if (
        speaker_np is None
        and spk_span is None
        and not participle
        and j >= a
        and prev_text in (",", "”", '"', "’", "''")
        and cue_tok.low in _SPEECH
    ):
        np = _np_after(toks, after_cue, b)
        if np:
            speaker_np, inverted = np, True
            named = _named_apposition(toks, np, b)
            if named is not None:
                # ", said the union's chairwoman, Ingrid Saele.": the name in apposition speaks
                speaker_np = (np[0], named[1])
                mention = text[toks[named[0]].start : toks[named[1]].end]
    if speaker_np is None and spk_span is None and j < a and not participle and cue_tok.low in _SPEECH:
        # “This is our town!” said Ann Lee: the quote ended its own sentence on "!" or "?".
        # Or the sentence opens on the cue and the quote follows: Said Ann Lee, a baker, “...”
        quote = _quote_closing_before(text, quotes, s_start)
        np = _np_after(toks, after_cue, b)
        if quote is None and np is not None:
            quote = _quote_opening_in(text, quotes, toks[np[1]].end, s_end)
        if quote is not None and np is not None:
            spk = (toks[np[0]].start, toks[np[1]].end)
            found.append(
                _Found(
                    quote.start,
                    quote.end,
                    "indirect",
                    cue_tok.text,
                    cue_span,
                    spk,
                    0.45 + 0.5 * p,
                    text[spk[0] : spk[1]],
                    how="before_inverted",
                    cue_p=p,
                )
            )
            return
    if speaker_np is None and spk_span is None and (participle or j < a or prev_text == ","):
        spk_span, mention = _speaker_going_on(text, found, toks, a, i)
        if spk_span is None and participle:
            # "Smith, the front-runner, saying ...": the sentence's opening noun phrase speaks.
            speaker_np = _opening_subject(toks, a, i - 1)
    if speaker_np is not None:
        spk_span = (toks[speaker_np[0]].start, toks[speaker_np[1]].end)
    if spk_span is None:
        return

    # Content: after the cue ("X said that ...") or before it ("..., X said.").
    nxt = speaker_np[1] + 1 if inverted else after_cue
    if cue_tok.low in _ADDRESS and not inverted:
        nxt = _skip_addressee(toks, nxt, b)
    nxt = _skip_adjuncts(toks, nxt, b)
    rest_words = _content_words(toks, nxt, b)
    first_rest = toks[nxt].text if nxt < b else "."
    before_end = cue_span[0] if inverted else spk_span[0]
    if speaker_np is None:
        before_end = cue_span[0]
    lead = text[s_start:before_end].rstrip()
    before_ok = (
        before_end > s_start
        and lead[-1:] in (",", "”", '"', "’", "—", "–", ":")
        and (
            len(_WORDS_RE.findall(lead, 0, 60)) >= 3
            # A whole short quote before its speaker: “The bullying,” the host said.
            or (lead[:1] in '“"' and lead[-1:] in '”"' and _WORD_RE.search(lead) is not None)
        )
        and not participle
        # "Asked if ..., she replied": the opening is the question put to her, not her words.
        and not _asked_before(found, s_start, before_end)
    )
    second_rest = toks[nxt + 1].text if nxt + 1 < b else "."
    quote_follows = first_rest in _QUOTE_TOKENS or (first_rest in (",", ":") and second_rest in _QUOTE_TOKENS)
    if (
        nxt < b
        and toks[nxt].low in ("yes", "no", "so")
        and (nxt + 1 >= b or not toks[nxt + 1].text[0].isalnum())
    ):
        rest_words = 3  # "75 percent said yes", "he said so."
    rest_is_clause = (
        rest_words >= 3
        and first_rest not in (",", ".", ";", "!", "?", "—", "–")
        and not (before_ok and toks[nxt].low in _ADJUNCT_CLAUSE and not _approximates(toks, nxt, b))
    )
    parenthetical = (
        before_ok
        and first_rest == ","
        and rest_words >= 3
        and not quote_follows
        and lead[-1:] == ","
        and lead[-2:-1] not in _QUOTE_CHARS
        and nxt + 1 < b
        and toks[nxt + 1].low not in _ADJUNCT_CLAUSE
        and not toks[nxt + 1].low.endswith("ing")
    )
    how = "inverted" if inverted else "after"
    if parenthetical:
        # "The trouble, Frank writes, began in the 1970s": the cue interrupts its content.
        span = _clean(text, s_start, _content_end(text, toks[nxt].end, s_end, in_quote))
        how = "parenthetical"
    elif (
        before_ok
        and (
            inverted
            or not rest_is_clause
            or (lead[-2:] in (",”", '"', ',"', ",’") and lead[:1] in _QUOTE_CHARS)
        )
        and not ((first_rest == ":" or quote_follows) and rest_words >= 3)
    ):
        span = _clean(text, s_start, before_end)
        how = "before_inverted" if inverted else "before"
        if span and text[span[0]] in '“"' and in_quote(span[0] + 1) is not None:
            span = (span[0] + 1, span[1])
    elif rest_is_clause or ((first_rest == ":" or quote_follows) and rest_words >= 3):
        c_start = toks[nxt].end if first_rest in (",", ":") else toks[nxt].start
        c_end = _content_end(text, c_start, s_end, in_quote)
        if _RELATIVE_BEFORE.search(text, max(s_start, cue_span[0] - 60), cue_span[0]):
            c_end = _relative_end(text, c_start, c_end, in_quote)
        span = _clean(text, c_start, c_end)
    elif (
        first_rest == ","
        and rest_words >= 3
        and not inverted
        and cue_tok.low in _SPEECH
        and lead[-1:] == ","
        and nxt + 1 < b
        and _WORD_RE.match(toks[nxt + 1].text)
        and toks[nxt + 1].low not in _ADJUNCT_CLAUSE
        and toks[nxt + 1].low != "according"
        and not toks[nxt + 1].low.endswith("ing")
    ):
        # "In particular, he said, the fund paid nothing": a short opener, the cue, then the clause.
        span = _clean(text, toks[nxt].end, _content_end(text, toks[nxt].end, s_end, in_quote))
        how = "parenthetical"
    elif first_rest in (":", ",") and rest_words == 0:
        # "He said:" closing a paragraph: the quote that opens the next one is what was said.
        span = _quote_after(text, quotes, s_end)
        how = "next_quote"
        if span is None:
            return
    else:
        return
    if not span:
        return
    found.append(
        _Found(
            span[0],
            span[1],
            "indirect",
            cue_tok.text,
            cue_span,
            spk_span,
            0.45 + 0.5 * p,
            mention,
            how=how,
            cue_p=p,
        )
    )


_QUOTE_CHARS = frozenset("\"“”„«»’'")
# "Stam denied that, saying ...": a pronoun alone reports nothing (the participle's claim does).
_PRONOUN_CONTENTS = frozenset("that it this them these those".split())
# "rejected the North's version", "disputed those figures": a report whose content only points at
# another account says nothing of its own.
_ACCOUNT_CONTENT_RE = re.compile(
    r"(?i)(?:(?:the|that|this|those|these|his|her|its|their)\s+)?(?:[\w.’'-]+\s+){0,2}?"
    r"(?:versions?|accounts?|claims?|reports?|allegations?|accusations?|charges?|assertions?"
    r"|statements?|figures?|numbers?|estimates?|characteri[sz]ations?|descriptions?|suggestions?"
    r"|remarks?|comments?)"
    r"(?:[ \t]+(?:of|on|about|over)[ \t]+(?:[\w.’'-]+[ \t]+){0,5}?[\w.’'-]+)?[.!]?"  # "account of the summit"
)


_ACCOUNT_SPEAKER_RE = re.compile(r"(?i)(?:a|an|the)[ \t]+(?:" + _CHARGE_NOUNS + r")s?[ \t]+\S")


def _refers_to_an_account(text: str, f: _Found) -> bool:
    """Is the content of f only a pronoun ("denied that") or a pointer to another account ("rejected
    the North's version")? Or is its speaker one ("..., a charge the company called false")?"""
    if f.speaker_span is not None and _ACCOUNT_SPEAKER_RE.match(text, f.speaker_span[0], f.speaker_span[1]):
        return True
    if f.end - f.start < 6:
        return text[f.start : f.end].lower() in _PRONOUN_CONTENTS
    return (
        f.end - f.start < 80
        and f.kind != "direct"
        and _ACCOUNT_CONTENT_RE.fullmatch(text, f.start, f.end) is not None
    )


_QUOTE_TOKENS = frozenset(["“", '"', "''", "‘‘", "«", "„"])
# Words that open an adjunct after "..., X said": the content is before the cue, not after.
_ADJUNCT_CLAUSE = frozenset(
    """when as after before while during in on at of about about in to from with without because
    since referring pointing citing adding noting speaking explaining""".split()
)
_DOCUMENTS = frozenset(
    """statement statements report reports letter letters memo email emails release filing
    document documents speech interview video post tweet message notice ruling""".split()
)


def _inside_a_name(words: list[str], first: int, last: int, k: int) -> bool:
    """Is word k capitalised between two capitalised words, in a sentence not in title case?"""
    if not (first < k < last - 1 and words[k][:1].isupper()):
        return False
    if not (words[k - 1][:1].isupper() and words[k + 1][:1].isupper()):
        return False
    capitals = sum(w[:1].isupper() for w in words[first:last] if w[:1].isalpha())
    return capitals < 0.6 * sum(w[:1].isalpha() for w in words[first:last])


def _approximates(toks, k: int, b: int) -> bool:
    """ "said about 1,200 cubic metres had leaked": "about" before a number is no adjunct."""
    return toks[k].low in ("about", "around") and k + 1 < b and toks[k + 1].text[:1].isdigit()


_PARTICLE_VERBS = frozenset("pointed points pointing referring referred refers called calling calls".split())


def _skip_addressee(toks, k, b) -> int:
    """Skip "reporters", "The Post", "him", "the crowd" after told/asked/urged."""
    start = k
    if k < b and toks[k].low in ("him", "her", "them", "us", "me", "you", "reporters", "journalists"):
        return k + 1
    while k < b and k - start < 6:
        t = toks[k]
        if t.low in (
            "that",
            ":",
            ",",
            "“",
            '"',
            "to",
            "about",
            "of",
            "in",
            "on",
            "at",
            "during",
            "he",
            "she",
            "they",
        ):
            break
        if not _WORD_RE.match(t.text) or (k > start and t.low in _CLAUSE_OPENERS):
            break
        k += 1
    if k > start and (
        k >= b
        or toks[k].low in ("that", ",", ":", "“", '"', "in", "on", "at", "during", "he", "she", "they", ".")
    ):
        return k
    # "told AFP the request had been delivered", "told the BBC it ...": a name, then the clause
    # without "that".
    k = start + (start < b and toks[start].low == "the")
    name = k
    while k < b and k - name < 4 and _is_cap(toks[k]):
        k += 1
    if k > name and k < b and toks[k].low in _CLAUSE_OPENERS:
        return k
    return start


# Words that open a reported clause straight after the addressee's name ("told Reuters it ...").
_CLAUSE_OPENERS = frozenset("the a an it its we i there his her their this these those".split())


_ADJUNCT_HEADS = frozenset("in on at during after before late early earlier last this".split())


_ASIDES = frozenset("however though too also again then meanwhile instead nonetheless though".split())


def _skip_adjuncts(toks, k, b) -> int:
    """Skip "on Friday", "in a statement", ", however," between the cue and its content."""
    if (
        k + 2 < b
        and toks[k].text == ","
        and toks[k + 2].text == ","
        and (toks[k + 1].low in _ASIDES or toks[k + 1].low.endswith("ly"))
    ):
        k += 3
    start = k
    while k < b and toks[k].low in _TIME_WORDS:
        k += 1
    if k < b and toks[k].low in _ADJUNCT_HEADS:
        m = k + 1
        while m < b and m - k < 8 and toks[m].low not in ("that", ",", ":", "“", '"', "."):
            m += 1
        if m < b and toks[m].low in ("that", ":", "“", '"', ",", "."):
            return m
        return start
    return k


def _content_words(toks, k, b) -> int:
    """Word tokens in toks[k:b], capped at 3 (callers only ask "at least three?")."""
    n = 0
    for idx in range(k, b):  # no slice: the answer is usually known after a few tokens
        first = toks[idx].text[0]
        if first.isalnum() or first == "_":
            n += 1
            if n == 3:
                return 3
    return n


# "Kim, who said last year that he wanted peace, did not attend": a report inside a relative clause
# ends where the clause does, at a comma before the main clause's verb.
_RELATIVE_BEFORE = re.compile(r",[ \t]+(?:who|which)[ \t]+(?:[\w’'-]+[ \t]+){0,3}\Z")
_RELATIVE_CLOSE = re.compile(
    r",[ \t]+(?=[a-z]+(?:ed|s)?\b)(?!(?:and|but|or|that|which|who|as|if|and|because|saying|adding)\b)"
)


def _relative_end(text: str, c_start: int, c_end: int, in_quote=None) -> int:
    """The end of a report made in a relative clause: the first comma (outside quotes) before a
    lower-case word that is no conjunction, else `c_end`."""
    for m in _RELATIVE_CLOSE.finditer(text, c_start, c_end):
        if in_quote is None or in_quote(m.start()) is None:
            return m.start()
    return c_end


def _content_end(text: str, c_start: int, s_end: int, in_quote=None) -> int:
    """Where content starting at c_start stops: a clause boundary outside quotes, or the sentence end.

    A boundary in the first 15 characters is passed over ("Yes, he said, ...") unless it is one
    of _EARLY_CUT_RE's: "denied the report, saying no shells were fired" says two things, and the
    second has its own cue.
    """
    for m in _CONTENT_CUTS.finditer(text, c_start + 1, s_end):
        if m.start() - c_start <= 15 and _EARLY_CUT_RE.match(text, m.start()) is None:
            continue
        if in_quote is not None and in_quote(m.start()) is not None:
            continue
        return m.start()
    return s_end


# A dateline opening a sentence: "BRUSSELS, June 3 (Reuters) - ", "CAIRO (AP) — ".
_DATELINE = re.compile(
    r"[A-Z][A-Z .'’/-]{1,40}(?:,[ \t]+[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?(?:[ \t]+\([A-Za-z .]{2,30}\))?"
    r"[ \t]+(?:-|--|—|–)[ \t]+"
)


def _clean(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and text[s] in _LEAD:
        s += 1
    dateline = _DATELINE.match(text, s, e) if text[s : s + 1].isupper() else None
    if dateline is not None:
        s = dateline.end()  # a report's content never holds the dateline before it
    while e > s and text[e - 1] in _TRAIL:
        e -= 1
    if e - s < 3 or not _WORD_RE.search(text, s, e):
        return None
    return (s, e)


def _speaker_going_on(
    text: str, found: list[_Found], toks, a: int, i: int
) -> tuple[tuple[int, int] | None, str | None]:
    """(speaker span, speaker as read) of _previous_speaker: "Trump, who relishes a fight, said
    ... and added ..." goes on with "Trump", not with the span's whole apposition."""
    previous = _previous_speaker(text, found, toks, a, i)
    return (previous.speaker_span, previous.speaker) if previous is not None else (None, None)


def _previous_speaker(text: str, found: list[_Found], toks, a: int, i: int) -> _Found | None:
    """The last claim whose cue is earlier in this sentence, and whose speaker can speak ("said in
    a preliminary report that ... but noted ...": not "a preliminary"): its speaker goes on."""
    cue_start = toks[i].start
    sent_start = toks[a].start
    for f in reversed(found):
        if f.cue_span and sent_start <= f.cue_span[0] < cue_start and f.speaker_span:
            mention = text[f.speaker_span[0] : f.speaker_span[1]]
            if mention.lower() in _PRONOUNS or _can_speak(mention):
                return f
    return None


# --- quotes joined to their speakers -------------------------------------------------------


def _attach_quotes(text, quotes, found, paras) -> None:
    """Turn claims whose content is a quote into direct claims spanning the whole quote.

    "“...,” X said": the content ends where the quote closes -> it starts where the quote opens.
    "X said: “...”": the content starts at the quote -> it runs to the quote's end (even over
    paragraphs). A quote of three words or more opening a sentence with no cue joins the
    attributed quote just before it in the paragraph ("“A,” he said. “B.”"); shorter
    unattributed quotes, and those inside a sentence, are scare quotes.
    """
    by_start = sorted(found, key=lambda f: f.start)
    # A claim can only own a quote if it starts between the quote's opening mark and its end;
    # quotes come in text order and a claim is only ever moved inside the quote it joins, so
    # the claims' first starts bound the window to look in.
    first_starts = [f.start for f in by_start]
    direct: list[_Found] = []
    unowned: list[_Quote] = []
    for q in quotes:
        owner = None
        k = bisect_left(first_starts, q.open_at - 1)
        stop = bisect_right(first_starts, q.end, k)
        for f in by_start[k:stop]:
            if f.kind == "according_to":
                continue
            if (
                abs(f.end - q.end) <= 2
                and q.open_at - 1 <= f.start <= q.end
                and (f.cue_span is None or f.cue_span[0] >= q.end)
            ):
                f.start = q.start
                owner = f
            elif q.open_at <= f.start <= q.start + 1 and (f.cue_span is None or f.cue_span[1] <= q.open_at):
                f.end = max(f.end, q.end) if f.end <= q.end + 2 else f.end
                owner = f
            if owner is not None:
                if owner.start >= q.start - 1 and owner.end <= q.end + 2:
                    owner.start, owner.end = q.start, q.end
                    owner.kind = "direct"
                    owner.confidence = max(owner.confidence, 0.9)
                direct.append(owner)
                break
        if owner is None:
            unowned.append(q)
            if _starts_sentence(text, q.open_at) and len(_WORDS_RE.findall(text, q.start, q.end)) >= 3:
                direct.append(_Found(q.start, q.end, "direct", None, None, None, 0.5, how="running_quote"))
    _join_split_quotes(text, unowned, direct)
    _merge_running_quotes(text, direct, found, paras)


_SPLIT_GAP = re.compile(r"[\s,—–-]*")
_SPLIT_TAIL = re.compile(r"[^.!?\n“”\"]{0,60}?,\s*")


def _join_split_quotes(text: str, unowned: list[_Quote], direct: list[_Found]) -> None:
    """“The strike is over,” the leader said, “and trains will run.”: one claim from both halves."""
    for f in direct:
        if f.cue_span is None or f.speaker_span is None or f.kind != "direct":
            continue
        first = min(f.speaker_span[0], f.cue_span[0])
        last = max(f.speaker_span[1], f.cue_span[1])
        if f.start >= first:
            for q in unowned:
                if (
                    q.close_at is not None
                    and q.close_at < first
                    and _SPLIT_GAP.fullmatch(text, q.close_at + 1, first)
                ):
                    f.start = q.start
                    break
        elif f.end <= first:
            # “A,” he said of the plan, “and B.”: the second half follows the attribution.
            for q in unowned:
                if q.open_at >= last and _SPLIT_TAIL.fullmatch(text, last, q.open_at):
                    f.end = q.end
                    break


def _starts_sentence(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\r\n":
        k -= 1
    return k < 0 or text[k] in ".!?:" or "\n\n" in text[k:pos]


def _merge_running_quotes(text: str, direct: list[_Found], found: list[_Found], paras) -> None:
    """Speakerless full-sentence quotes belong to the quoted speaker just before them.

    In the same paragraph ("“A,” he said. “B.”") the quote extends that claim; a quote
    paragraph right after a paragraph that ends on someone's quote is a claim of theirs.
    """
    para_starts = [s for s, _ in paras]

    def para_of(pos: int) -> int:
        return bisect_right(para_starts, pos) - 1

    for q in direct:
        if q.cue_span is not None:
            continue
        pq = para_of(q.start)
        prev = None
        for f in found:
            if f.end <= q.start and f.cue_span is not None and (prev is None or f.end > prev.end):
                prev = f
        if prev is None or para_of(prev.end - 1) < pq - 1:
            continue
        quoted = prev.kind == "direct" or text[prev.end - 1] in _QUOTE_CLOSE + '"'
        if quoted and para_of(prev.end - 1) == pq:
            prev.end = q.end
        elif prev.speaker_span:
            q.speaker_span = prev.speaker_span
            q.speaker = prev.speaker
            q.confidence = 0.55
            found.append(q)


def _dedupe(found: list[_Found]) -> list[_Found]:
    out: list[_Found] = []
    seen = set()
    # Kept claims by (speaker span, cue span): a claim lying wholly inside a kept claim with
    # the same speaker and cue adds nothing.
    kept: dict[tuple, list[tuple[int, int]]] = {}
    for f in sorted(found, key=lambda f: -f.confidence):
        key = (f.start, f.end)
        if key in seen:
            continue
        same = kept.setdefault((f.speaker_span, f.cue_span), [])
        if any(s <= f.start and f.end <= e for s, e in same):
            continue
        seen.add(key)
        same.append(key)
        out.append(f)
    return out


# --- speakers ------------------------------------------------------------------------------

# Runs of capitalised words. The first capital is matched before the word-boundary test
# ((?<!\w[A-Z]) after it is \b before it): a pattern that opens on a character class lets the
# regex engine skip to the next capital instead of trying every position.
_NAME_RE = re.compile(
    r"[A-Z](?<!\w[A-Z])[\w’'-]*(?:(?:[ \t]+|\n(?!\s*\n))(?:[A-Z][\w’'-]*|(?:de|van|von|bin|al)\b[\w-]*))+\b"
)


def _resolve_speakers(text: str, found: list[_Found], sents: list[tuple[int, int]] | None = None) -> None:
    # Capitalised runs as (start, text); the fullest name holding a word is looked up once
    # per word that a speaker needs expanded.
    names = _Names(text)
    fullest: dict[str, list[str] | None] = {}
    # A mention's fullest name depends only on the mention and the article: once per mention.
    speaker_of: dict[str, str] = {}
    for f in found:
        if f.speaker_span is None:
            continue
        mention = " ".join((f.speaker or text[f.speaker_span[0] : f.speaker_span[1]]).split())
        low = mention.lower()
        if low in _PRONOUNS:
            subject = _subject_just_before(text, sents, found, f) if low in _PERSON_PRONOUNS else None
            if subject is not None:
                target = _fullest(_name_of(subject), names, fullest)
            else:
                target = _antecedent(text, names, found, f, low)
            f.resolved_from = mention
            f.speaker = target or mention
            continue
        its = _ITS_BEFORE.search(text, max(0, f.speaker_span[0] - 5), f.speaker_span[0])
        if its is not None and mention.islower():
            # "Its irrigation minister said": the minister of whatever "it" points back to
            owner = _antecedent(text, names, found, f, "it")
            if owner is not None and owner.lower() not in _PRONOUNS and _plain_nominal(owner.split()):
                f.resolved_from = its.group(1) + " " + mention
                f.speaker = owner + ("'" if owner.endswith("s") else "'s") + " " + mention
                continue
        mention = _after_title_of(text, f.speaker_span[0], mention)
        speaker = speaker_of.get(mention)
        if speaker is None:
            speaker = speaker_of[mention] = _fullest(_name_of(mention), names, fullest)
        f.speaker = speaker
        if low.startswith("the ") and mention[1:].islower() and not _another_place(text, f, low):
            # "The official" opening a sentence too
            f.speaker = _earlier_nominal(found, f) or _introduced_before(text, f) or f.speaker


_NAME = r"[A-Z][\w’'-]+(?:[ \t]+(?:[A-Z]\.|[A-Z][\w’'-]+)){0,3}"
# The named person opening a sentence as its subject: "Ethiopia's water minister, Habtamu Itefa,
# rejected ...", "Foreign Minister Sameh Shoukry walked out ...", "Habtamu rejected ...".
_APPOSED_SUBJECT_RE = re.compile(
    r"(?:[\w’'.-]+[ \t]+){0,4}?(?:" + "|".join(sorted(_TITLE_HEADS)) + r"),[ \t]+(" + _NAME + r"),[ \t]+[a-z]"
)
_TITLED_SUBJECT_RE = re.compile(
    r"(?:(?:[A-Z][\w’'-]+[ \t]+){0,2}(?:"
    + "|".join(sorted(t.capitalize() for t in _TITLE_HEADS))
    + r")[ \t]+)"
    r"(" + _NAME + r")[ \t]+[a-z]"
)
_BARE_SUBJECT_RE = re.compile(r"(" + _NAME + r")(?:,[ \t]+\d{1,3},)?[ \t]+[a-z]")  # "Okafor, 27, tested"


def _subject_just_before(
    text: str, sents: list[tuple[int, int]] | None, found: list[_Found], f: _Found
) -> str | None:
    """For "He said ..." opening a sentence: the person named as the subject of the sentence just
    before, when that sentence reports nothing ("Ethiopia's water minister, Habtamu Itefa, rejected
    that account. He said ..."). A bare name counts only if it speaks elsewhere in the article."""
    if not sents:
        return None
    pos = f.speaker_span[0]
    k = bisect_right(sents, (pos, len(text) + 1)) - 1
    if k < 1 or sents[k][0] > pos:
        return None
    if text[sents[k][0] : pos].strip(" \t\n\"“‘'"):
        return None  # "He said ..." opens the sentence
    start, end = sents[k - 1]
    if any(g.speaker_span is not None and start <= g.speaker_span[0] < end for g in found):
        return None
    sentence = text[start:end]
    for pattern in (_APPOSED_SUBJECT_RE, _TITLED_SUBJECT_RE):
        m = pattern.match(sentence)
        if m and _may_be_a_person(m.group(1)):
            return m.group(1)
    m = _BARE_SUBJECT_RE.match(sentence)
    if m and len(m.group(1).split()) <= 3 and _may_be_a_person(m.group(1)):
        name = m.group(1)
        last = name.split()[-1]
        for g in found:
            if g is not f and g.speaker_span is not None:
                mention = (
                    g.speaker or text[g.speaker_span[0] : g.speaker_span[1]]
                )  # later ones unresolved yet
                if last in mention.split():
                    return name
    return None


# Words that open a sentence without naming anyone ("The", "If", "His"), and the last words of
# organisations' names, which "he" or "she" never stands for.
_NOT_A_FIRST_NAME = (
    _NP_STOP | _NP_LINKS | _DETERMINERS | _PRONOUNS | _POSSESSIVES | {"his", "her", "my", "your"}
)
_ORGANISATION_HEADS = frozenset(
    """initiative foundation committee association department ministry agency office council party
    union group times post news institute center centre bank company corporation inc university
    court commission service campaign network journal press organization organisation
    administration government house states nations club league federation board bureau movement
    front alliance coalition""".split()
)


def _may_be_a_person(name: str) -> bool:
    words = name.split()
    return (
        words[0].lower() not in _NOT_A_FIRST_NAME
        and words[-1].lower() not in _ORGANISATION_HEADS
        and not _POSSESSIVE.search(words[-1])
        and not any(w.isupper() and len(w) > 1 for w in words)  # "CNN", "US": not a person's name
    )


# Heads of speakers that are things, never "he" or "she".
_THING_HEADS = frozenset(
    """statement statements report reports poll polls survey surveys study studies letter document
    documents ad ads video post tweet email emails memo book article editorial analysis data figures
    records filing complaint lawsuit ruling release website""".split()
)
_ITS_BEFORE = re.compile(r"\b([Ii]ts)\s+\Z")


class _Names:
    """The article's capitalised runs, each read as a name (`_after_title_of`) only when used.

    Most runs are never looked at (a word is looked up only in runs that hold it), and reading
    one costs a search in the text before it.
    """

    def __init__(self, text: str):
        self.text = text
        self.raw = [(m.start(), m.group()) for m in _NAME_RE.finditer(text)]
        self._read: dict[int, str] = {}

    def name(self, k: int) -> str:
        """The k-th run as a name: `_after_title_of` its text."""
        name = self._read.get(k)
        if name is None:
            start, raw = self.raw[k]
            name = self._read[k] = _after_title_of(self.text, start, raw)
        return name

    def holding(self, key: str):
        """The runs, as names, that may hold the word `key`: those whose text holds it
        (a name's words are words of its run, so no other run can)."""
        return (self.name(k) for k, (_s, raw) in enumerate(self.raw) if key in raw)

    def last_before(self, pos: int, person: bool = False) -> str | None:
        """The last run starting before `pos`, as a name; with `person`, the last of the five runs
        before it that may name a person ("Sylke Tempel", not "On Tuesday" or "Germany's")."""
        k = bisect_left(self.raw, pos, key=itemgetter(0)) - 1
        if not person:
            return self.name(k) if k >= 0 else None
        for j in range(k, max(-1, k - 5), -1):
            name = self.name(j)
            if _may_be_a_person(name):
                return name
        return None


_TITLE_OF = re.compile(r"\b(?:" + "|".join(sorted(_SPEAKER_TITLES)) + r")\.?\s+of\s+\Z", re.IGNORECASE)


def _after_title_of(text: str, start: int, mention: str) -> str:
    """A capitalised run that opens on a title's object loses it: after "Secretary of", "State Ann
    Lee" is Ann Lee (runs of three words or more only)."""
    words = mention.split()
    if len(words) >= 3 and _TITLE_OF.search(text[max(0, start - 40) : start]):
        return " ".join(words[1:])
    return mention


def _earlier_nominal(found: list[_Found], f: _Found) -> str | None:
    """ "the official" -> "a senior US official" said earlier: the fullest mention of the same speaker."""
    head = f.speaker.split()[-1].lower()
    for g in reversed(found):
        if g is f or g.speaker_span is None or g.speaker_span[0] >= f.speaker_span[0] or not g.speaker:
            continue
        words = g.speaker.split()
        # "the agency" -> "North Korea's official Korean Central News Agency (KCNA)": the head is
        # the last word before a bracketed short name, in any case
        last = words[-2] if len(words) > 1 and words[-1].startswith("(") else words[-1]
        if last.lower() in (head, head + "s") and len(g.speaker) > len(f.speaker) and _plain_nominal(words):
            return g.speaker
    return None


# "In Seoul, the foreign ministry said": the place opening the sentence owns what follows.
_LOCATIVE_OPENING = re.compile(
    r"(?:\A|[.!?\n][ \t\n]*)In[ \t]+([A-Z][\w’'-]*(?:[ \t]+[A-Z][\w’'-]*){0,2}),[ \t]+\Z"
)


def locative_opening(text: str, pos: int) -> str | None:
    """The place of "In Seoul, " when it opens the sentence just before `pos` (not "In May, ")."""
    m = _LOCATIVE_OPENING.search(text, max(0, pos - 50), pos)
    return m.group(1) if m and m.group(1).split()[0].lower() not in CALENDAR_WORDS else None


def _another_place(text: str, f: _Found, low: str) -> bool:
    """ "In Seoul, the foreign ministry said": a body of the place named, not the last ministry."""
    return low.split()[-1] in _ORGANISATION_HEADS and locative_opening(text, f.speaker_span[0]) is not None


NOMINAL_REACH = 600  # characters back to where "a senior official" was introduced
# People an article introduces unnamed and then calls "the official", "the diplomat".
_UNNAMED_HEADS = (
    "official|diplomat|source|aide|spokes(?:man|woman|person)|witness|resident|officer|analyst"
    "|negotiator|advis[eo]r|executive|lawyer|nurse|doctor|employee|worker|member"
)
# Such a person opening a sentence: "A senior Armenian military official, speaking on ..."
_INTRODUCED_RE = re.compile(
    r"(?:(?<=[.!?\n])|(?<=[.!?][\"”’'])|(?<=[.!?][\"”’'] ))[ \t]*"
    r"((?:An?|One)[ \t]+(?:[\w’'.-]+[ \t]+){0,4}?(" + _UNNAMED_HEADS + r"))\b"
)


def _introduced_before(text: str, f: _Found) -> str | None:
    """ "the official" -> "A senior Armenian military official", who opened a sentence just before
    that reported nothing of its own ("..., speaking on condition of anonymity, denied that.")."""
    head = f.speaker.split()[-1].lower()
    last = None
    for m in _INTRODUCED_RE.finditer(text, max(0, f.speaker_span[0] - NOMINAL_REACH), f.speaker_span[0]):
        if m.group(2) == head:
            last = m
    if last is None or not _plain_nominal(last.group(1).split()):
        return None
    return last.group(1)


_ARTICLES = frozenset(("a", "an", "the", "this", "that"))  # and demonstratives
_NOMINAL_PREPOSITIONS = frozenset(("of", "for", "at", "from", "in", "on", "with", "over"))


def _plain_nominal(words: list[str]) -> bool:
    """A speaker phrase fit to stand for a later "the official": a short noun phrase ("a senior US
    official", "multiple intelligence sources", "the prime minister's spokesman"), not a mis-cut
    span holding a verb or a quote ("published a letter", "Trump held a lead in the race",
    "'' the former president"). A determiner inside it must follow a preposition."""
    if (
        len([w for w in words if not w.startswith("(")]) > 7
        or not words[0][:1].isalpha()
        or words[0].endswith("ed")
    ):
        return False
    if len({w.lower() for w in words}) < len(words):
        return False
    for k, word in enumerate(words):
        if any(q in word for q in ("''", '"', "\u201c", "\u201d")):
            return False
        if k and word.lower() in _ARTICLES and words[k - 1].lower() not in _NOMINAL_PREPOSITIONS:
            return False
    return True


_POSSESSIVE = re.compile(r"[’']s$")


_JOINED_NAMES = re.compile(
    r"(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*\s+and\s+the\s+(?:[A-Z][\w’'.-]*\s*){1,4}"
)


@lru_cache(maxsize=4096)  # a pure function of the mention, and speakers recur
def _name_of(mention: str) -> str:
    """The nearest full mention inside a speaker phrase.

    'the North Korean foreign minister' stays as it is; 'an unusually downbeat Smith' ->
    'Smith'; 'Ann Lee of the X Institute' -> 'Ann Lee'; 'Former US envoy to Ruritania Ann Lee'
    -> 'Ann Lee' (a run of capitalised words ending the phrase keeps its last two after titles).
    """
    words = mention.split()
    if not words:
        return mention
    if _JOINED_NAMES.fullmatch(mention):
        return mention  # "North Korea and the United States": both speak
    # "Ann Lee of the Institute", "Ann Lee and Bo Chan of the X project": a name, then "of ...".
    for k, w in enumerate(words):
        if w in ("of", "at", "from", "for", "with") and k > 0:
            head = words[:k]
            if _is_title(head[-1]) and w == "of":
                continue  # "Secretary of State Ann Lee": a title phrase, not a name then "of ..."
            if (
                head[-1][:1].isupper()
                and k + 1 < len(words)
                and (
                    (head[-1].lower() in _ORGANISATION_HEADS and words[k + 1][:1].isupper())
                    # "The Superintendency of the Environment", "The Columbus Division of
                    # Police": one body's name
                    or (
                        2 <= len(head) <= 4
                        and head[0] == "The"
                        and w == "of"
                        and all(x[:1].isupper() for x in head)
                    )
                )
            ):
                # "The United Party for National Development", "The Club for Growth": one name, to
                # its last capitalised word
                last = max(i for i, x in enumerate(words) if x[:1].isupper() or x[:1] == "(")
                return " ".join(words[: last + 1])
            if len(head) == 1 and head[0].lower() in _SPEAKER_HEADS and w == "of":
                return mention  # "Leaders of the Aymara community", "Supporters of Sanders"
            if all(x[:1].isupper() or x == "and" for x in head):
                words = head
            break
    if len(words) > 1 and words[-1][:1].isupper() and not _POSSESSIVE.search(words[-1]):
        k = len(words) - 1
        while (
            k > 0
            and (
                words[k - 1][:1].isupper()
                or words[k - 1] == "and"
                or (words[k - 1] == "of" and k > 1 and _is_title(words[k - 2]))
            )
            and not _POSSESSIVE.search(words[k - 1])
        ):
            k -= 1
        if (
            k > 0
            and len(words) - k <= 3
            and words[-1].lower() in _ORGANISATION_HEADS
            and _POSSESSIVE.search(words[k - 1])
        ):
            # "Armenia's Defence Ministry", "the Clark County Coroner's Office": a body is its
            # owner's (a person is not: "Germany's Ann Lee"); the owner is a name of up to 3 words
            start = k - 1
            while start > 0 and words[start - 1][:1].isupper() and k - start < 3:
                start -= 1
            start -= start > 0 and words[start - 1].lower() == "the"
            return " ".join(words[start:])
        if k > 0 and words[k - 1] in _PLACE_PREPOSITIONS:
            return mention  # "A Western diplomat in Seoul": the place is where, not who
        run = _strip_titles(words[k:])
        if run[0] == "of":
            # "Secretary of State Ann Lee", "Director of National Intelligence Ann Lee": the title's
            # "of ..." goes with it; a title alone ("Secretary of State") stays whole
            # (most such titles take one word: State, Defence, Finance)
            rest = run[1:]
            run = rest[1:] if 3 <= len(rest) <= 4 else rest[-2:] if len(rest) > 4 else words[k:]
        if len(run) == 1 and len(words[k:]) > 1:
            run = words[k:][-2:]  # "Senator Ruiz" keeps its title rather than shrink to "Ruiz"
        # "The Nordic Pilots Association": "The" and a three-word name stay whole
        if (
            "and" not in run
            and len(run) - (run[0] == "The") > 3
            and run[-1].lower() not in _ORGANISATION_HEADS
        ):
            # "Foreign Minister Ri Yong Ho": the name is what follows the last title ("The
            # International Medical Relief Committee" is one body's name)
            titled = [t for t, w in enumerate(run) if _is_title(w)]
            rest = run[titled[-1] + 1 :] if titled else []
            if rest[:1] == ["of"]:
                rest = rest[2:]
            run = rest if 1 <= len(rest) <= 4 else run[-2:]
        if k > 0 or len(run) < len(words):
            return " ".join(run)
    return " ".join(words)


def _fullest(mention: str, names: _Names, fullest: dict[str, list[str] | None]) -> str:
    """A bare surname ("Okoro", "President Okoro") becomes the longest name holding it in the article.

    `fullest` memoises the answer per word for the article: speakers repeat.
    """
    words = mention.split()
    if not words or not words[-1][:1].isupper() or len(_strip_titles(words)) > 1:
        return mention
    key = words[-1]
    if key not in fullest:
        fullest[key] = _fullest_name(key, names)
    best = fullest[key]
    return " ".join(best) if best else mention


def _fullest_name(key: str, names: _Names) -> list[str] | None:
    """The longest name (titles dropped, at most two words kept around `key`) holding `key`,
    the first such name on ties."""
    best = None
    for name in names.holding(key):
        if key not in name:  # a quick test on the text before the word-by-word one
            continue
        parts = name.split()
        if key not in parts:
            continue
        core = _strip_titles(parts)
        if len(core) > 3:
            # "Foreign Minister Ri Yong Ho": the name after the last title, when it holds `key`
            named = _name_of(name).split()
            core = named if key in named else core[-2:] if core[-1] == key else core[:2]
        if key in core and len(core) > 1 and (best is None or len(core) > len(best)):
            best = core
    return best


def _is_title(word: str) -> bool:
    return word.lower().rstrip(".") in _SPEAKER_TITLES


def _strip_titles(parts: list[str]) -> list[str]:
    """Drop titles and all-capitals tags before a name ("US President", "Sen.")."""
    k = 0
    while k < len(parts) - 1 and (
        parts[k].lower().rstrip(".") in _SPEAKER_TITLES or (parts[k].isupper() and len(parts[k]) <= 4)
    ):
        k += 1
    return parts[k:]


def _antecedent(text: str, names: _Names, found: list[_Found], f: _Found, pronoun: str) -> str | None:
    """The last speaker before this claim (for he/she/they/it), else the last capitalised name.

    "they" takes the latest plural mention that can speak: an earlier plural speaker that is
    a group of people or organisations, or a plural group named in the text ("the Democrats
    had demanded ..."), never an abstract noun phrase ("more recent restrictions").
    """
    pos = f.speaker_span[0]
    best = None
    for g in reversed(found):
        if g is f or g.speaker_span is None or g.speaker_span[1] > pos or not g.speaker:
            continue  # an antecedent ends before the pronoun ("The other five, it said, ...")
        if pos - g.speaker_span[1] > 1500:
            break
        if g.resolved_from is not None and g.resolved_from.lower() != pronoun:
            continue
        if pronoun in _PERSON_PRONOUNS and (
            _looks_plural(g.speaker)
            or not _can_speak(g.speaker)
            or _head_word(g.speaker) in _THING_HEADS
            or _head_word(g.speaker) in _ORGANISATION_HEADS
        ):
            continue  # "In a statement released through his lawyers, he said": not the statement
        if (
            pronoun == "they"
            and g.resolved_from is None
            and not (_looks_plural(g.speaker) and _can_speak(g.speaker))
        ):
            continue
        best = g
        break
    if pronoun == "they":
        after = best.speaker_span[1] if best is not None else pos - 1500
        group = _last_group(text, max(0, after), pos)
        if group is not None:
            return group
        return best.speaker if best is not None else None
    if best is not None:
        return best.speaker
    if pronoun in _PERSON_PRONOUNS:
        name = names.last_before(pos, person=True)
        if name is not None:
            return " ".join(_strip_titles(name.split()))
    return None


_HEAD_ENDS = frozenset(("of", "for", "at", "from", "with"))
_PLACE_PREPOSITIONS = frozenset(("in", "at", "near", "outside", "inside", "across", "throughout"))


def _head_word(phrase: str) -> str:
    """The head of a speaker phrase, lower case: the word before "of"/"for"/... ("A spokeswoman for
    Sweden's foreign ministry" is a spokeswoman), else its last word."""
    words = phrase.lower().split()
    for k, word in enumerate(words):
        if k and word in _HEAD_ENDS:
            # only a short noun phrase of its own: "the head of ...", not "Trump reiterated many of"
            if k <= 4 and words[0] in ("a", "an", "the", "one"):
                return words[k - 1]
            break
    return words[-1] if words else ""


_SPEAKER_HEADS = load_speaker_heads()
# "the North Koreans had ...", "the Democrats have ...": a capitalised plural after "the",
# followed by a verb that agrees with a plural subject.
_GROUP_RE = re.compile(
    r"\b[Tt]he[ \t\n]+((?:[A-Z][\w’'-]*[ \t\n]+){0,2}[A-Z][a-z’'-]*[a-rt-z]s)[ \t\n]+"
    r"(?:had|have|were|are|would|will|could|did|do|may|might|should|must|said|say|[a-z]+ed)\b"
)


def _last_group(text: str, start: int, end: int) -> str | None:
    """The last plural group mention in text[start:end] that is the subject of a plural verb.

    The mention must also occur in the singular in the article ("Democrats" beside
    "Democrat", "North Koreans" beside "North Korean"): a plural-looking name ("United
    States") does not.
    """
    for m in reversed(list(_GROUP_RE.finditer(text, start, end))):
        words = m.group(1).split()
        singular = r"[ \t\n]+".join(map(re.escape, words))[:-1]
        if re.search(r"\b" + singular + r"\b", text):
            return " ".join(words)
    return None


def _can_speak(mention: str) -> bool:
    """A name or a group of people/organisations: a capitalised word, or a head noun seen speaking."""
    words = mention.split()
    if any(w[:1].isupper() for w in words[1:]) or (words and words[0][:1].isupper() and len(words) == 1):
        return True
    return bool(words) and words[-1].lower() in _SPEAKER_HEADS


def _looks_plural(speaker: str) -> bool:
    words = speaker.split()
    if " and " in speaker:
        return True
    if not words:
        return False
    last = words[-1]
    if last.islower():
        return last.endswith("s")
    # "Residents say ...", "Officials said ...": a plural speaking noun, capitalised because it
    # opens the sentence (a name such as "Reuters" or "Francis" is none of these nouns).
    low = last.lower()
    return (
        len(words) == 1
        and len(low) > 3
        and low in _SPEAKER_HEADS
        and low.endswith("s")
        and not low.endswith(("is", "us", "ss"))
    )
