"""Whose account a claim is: nested reports, and quoted fragments after an action.

A report inside another report is the outer speaker's account: in "Trump said Pyongyang wanted all
sanctions lifted", what Pyongyang wanted is Trump's claim about Pyongyang, not Pyongyang's. Attribution
corpora annotate the inner report too (the extractor finds it), but comparing accounts needs it as part
of the outer claim only, so `outermost` drops it.

And a quoted fragment can carry on an earlier account, when its sentence reports an action:

    "It was all the sanctions," an official told reporters.
    In return, they were only offering to close "a portion of the complex".

Attribution corpora tag "offering" as a cue and "they" as its source, and the extractor follows
them. But the second sentence is not the other side speaking: it carries on the official's account,
and the words in quotation marks are the official's. Comparing accounts needs the claim on the
official's side, so this stage hands it over when all of these hold:

- the claim's cue is not a verb of saying (it reports an action or an intention), and no other
  claim of its sentence is made with one;
- its subject is a pronoun (the sentence leans on what came before);
- it quotes words (quotation marks inside its text);
- the sentence just before it holds a claim made with a verb of saying, by someone else.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path

from stance.document import Claim

_PRONOUNS = frozenset({"he", "she", "they", "it", "we"})
_QUOTED = re.compile(r"[\"“][^\"“”]+[\"”]")


@cache
def speech_verbs() -> frozenset[str]:
    """Every form of the verbs of saying (stance/data/speech_verbs.txt)."""
    path = Path(__file__).parent / "data" / "speech_verbs.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def is_speech(cue: str | None) -> bool:
    """Whether a cue ("has told", "according to") reports words rather than deeds."""
    return bool(cue) and any(word in speech_verbs() for word in cue.casefold().split())


def _mention(claim: Claim, text: str) -> str:
    return text[claim.speaker_span[0] : claim.speaker_span[1]].casefold() if claim.speaker_span else ""


def _voice_before(claim: Claim, claims: list[Claim], text: str) -> Claim | None:
    """The claim made with a verb of saying in the sentence right before `claim`'s."""
    if not claim.sentence_span:
        return None
    start = claim.sentence_span[0]
    before = [
        c for c in claims
        if c.sentence_span and c.sentence_span[1] <= start and not text[c.sentence_span[1] : start].strip()
    ]  # fmt: skip
    spoken = [c for c in before if is_speech(c.cue) and c.speaker]
    return max(spoken, key=lambda c: c.end) if spoken else None


def carried_voice(claim: Claim, claims: list[Claim], text: str) -> Claim | None:
    """The earlier claim whose account `claim` carries on, if it does (see the module's rules)."""
    if is_speech(claim.cue) or _mention(claim, text) not in _PRONOUNS or not _QUOTED.search(claim.text):
        return None
    if any(c.sentence_span == claim.sentence_span and is_speech(c.cue) for c in claims):
        return None
    voice = _voice_before(claim, claims, text)
    if voice is None or voice.speaker == claim.speaker:
        return None
    return voice


# The claim filter's confidences below which a claim is a doubtful report, and above which a sure one.
DOUBTFUL_HOLDER = 0.5
SURE_REPORT = 0.75


def outermost(claims: list[Claim]) -> list[Claim]:
    """The claims that no other claim's content holds: nested reports and repeats dropped."""
    ordered = sorted(claims, key=lambda c: (c.start, -c.end))
    kept: list[Claim] = []
    reach = -1  # the furthest end of a kept claim so far
    holder: Claim | None = None
    for claim in ordered:
        if (
            holder is not None
            and claim.end <= reach
            and claim.start >= holder.start
            and _reports(claim, holder)
        ):
            continue
        kept.append(claim)
        if claim.end > reach:
            reach, holder = claim.end, claim
    return sorted(kept, key=lambda c: (c.start, c.end))


def _reports(inner: Claim, outer: Claim) -> bool:
    """Whether `inner` (inside `outer`'s span) adds nothing of its own: a report whose cue sits inside the
    outer content, a bare quote, or the same speaker's words again."""
    if not inner.cue_span or inner.speaker == outer.speaker:
        return True
    doubtful = outer.confidence < DOUBTFUL_HOLDER or (outer.cue or "").lower().endswith("ly")  # "flatly"
    if doubtful and inner.confidence >= SURE_REPORT:
        # "The report contrasted sharply with the account given by Trump, who told reporters that
        # ...": a doubtful holder does not swallow a surer report inside it
        return False
    return outer.start <= inner.cue_span[0] and inner.cue_span[1] <= outer.end


# Speakers that sum up both sides: "India and China gave conflicting accounts, each accusing the
# other of crossing the line" is the writer's summary, not either side's claim.
_RECIPROCAL_SPEAKERS = frozenset("each both either neither".split())


def without_narration(claims: list[Claim]) -> list[Claim]:
    """The claims less the writer's narration: the questions put to a speaker ("Asked whether the recall would be lifted,
    ..."), and less the writer's summaries of both sides ("each accusing the other of ..."): the
    extractor finds them, as PolNeAR annotates them, but they state nothing that a party could be
    compared on, and in grouping they pull one side's claim away from the other's."""
    return [
        c
        for c in claims
        if not (c.speaker is None and (c.cue or "").lower() in ("asked", "asking"))
        and (c.speaker or "").lower() not in _RECIPROCAL_SPEAKERS
    ]


def assign_voices(claims: list[Claim], text: str) -> list[Claim]:
    """The claims, each one that carries on an earlier account given to that account's speaker."""
    out = []
    for claim in claims:
        voice = carried_voice(claim, claims, text)
        if voice is None:
            out.append(claim)
            continue
        out.append(
            replace(
                claim,
                speaker=voice.speaker,
                speaker_span=voice.speaker_span,
                speaker_resolved_from=voice.speaker_resolved_from,
                cue=voice.cue,
                cue_span=voice.cue_span,
                confidence=round(min(claim.confidence, voice.confidence) * 0.8, 4),
            )
        )
    return out
