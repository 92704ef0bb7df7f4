"""The party registry: which side a speaker stands for.

A registry is data (`{party_id: {"name": ..., "aliases": [...]}}`), never code.
A speaker belongs to a party when its mention, or the name it resolves to,
contains an alias as whole words, in possessive, plural or adjectival form
("North Korea's", "North Korean", "US officials"); the longest alias wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.attribution import locative_opening
from stance.cues import load_person_titles
from stance.document import Claim

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_PARTIES = 500
MAX_ALIASES = 500


class RegistryError(ValueError):
    """The registry given is not a valid `{id: {name, aliases}}` mapping."""


def _variants(alias: str) -> set[str]:
    """Surface forms an alias takes in running text."""
    forms = {alias}
    last = alias[-1:]
    forms |= {alias + "'s", alias + "’s", alias + "'", alias + "’"}
    if last.isalpha() and not alias.isupper():
        forms.add(alias + ("es" if alias.endswith(("s", "sh", "ch", "x")) else "s"))
        if alias.endswith("y") and len(alias) > 2 and alias[-2] not in "aeiou":
            forms.add(alias[:-1] + "ies")
        # Adjectival forms of place names: Korea -> Korean, Iran -> Iranian, Israel -> Israeli.
        if alias[:1].isupper():
            if alias.endswith("a"):
                forms |= {alias + "n", alias + "ns"}
            elif alias.endswith(("n", "l")):
                forms |= {alias + "ian", alias + "i", alias + "ians", alias + "is"}
    return forms


def _spellings(alias: str) -> set[str]:
    """A name of two to four capitalised words as written with hyphens or spaces between its words
    ("Ri Yong Ho", "Ri Yong-ho", "Moon Jae-in", "Moon Jae In"): romanised names are spelt both ways."""
    words = alias.replace("-", " ").split()
    if not 2 <= len(words) <= 4 or not all(w.isalpha() for w in words):
        return {alias}
    if not all(w[:1].isupper() for w in alias.split()):  # "Jae-in" may have a lower-case part
        return {alias}
    spellings = set()
    for joins in range(2 ** (len(words) - 1)):
        spelling = words[0]
        for k, word in enumerate(words[1:]):
            spelling += ("-" if joins >> k & 1 else " ") + word
        spellings.add(spelling)
    return spellings


_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}")


def _undotted(text: str) -> str:
    """ "U.S." and "US", "U.N." and "UN" are one name to the matcher."""
    return _DOTTED.sub(lambda m: m.group().replace(".", ""), text) if "." in text else text


# Words as the alias matcher sees them: hyphenated and possessive forms stay one word
# ("Washington-based" is not "Washington"), other punctuation stands alone.
_WORD = re.compile(r"[\w'’-]+|[^\w\s]")


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    aliases: tuple[str, ...]


class Registry:
    """Parties and their aliases, with a matcher compiled once."""

    def __init__(self, parties: Mapping[str, Any]):
        self.parties = validate(parties)
        self._compile()
        self._seen: dict[str, tuple[tuple[int, int], str, str] | None] = {}

    def _compile(self) -> None:
        """An index of every alias form by its first word (in capitals for acronyms, in any case
        otherwise), with the alias each form stands for: a mention is matched word by word."""
        index: dict[bool, dict[str, list[tuple[tuple[str, ...], tuple[int, int], str]]]] = {
            True: {},
            False: {},
        }
        # (party, word of a full name) -> the party's full names holding it ("kim" -> kim jong un)
        full_names: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for order, (party, alias) in enumerate(
            (p, " ".join(a.split())) for p in self.parties.values() for a in (p.name, *p.aliases)
        ):
            if not alias:
                continue
            exact = _is_acronym(alias)
            rank = (len(alias), -order)  # the longest alias wins; then the one listed first
            name = _name_words(alias)
            if len(name) > 1 and _looks_like_a_persons_name(alias):
                for word in name:
                    full_names.setdefault((party.id, word), []).append(name)
            for form in (v for spelling in _spellings(alias) for v in _variants(spelling)):
                form = _undotted(form)
                words = tuple(_WORD.findall(form if exact else form.casefold()))
                if words:
                    index[exact].setdefault(words[0], []).append((words, rank, party.id))
        self._index = index
        self._full_names = full_names

    def _best_in(self, mention: str) -> tuple[tuple[int, int], str, str] | None:
        hit = self._seen.get(mention, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        key, mention = mention, _undotted(mention)
        found = list(_WORD.finditer(mention))
        words = [m.group(0) for m in found]
        folded = [w.casefold() for w in words]
        best = None
        for i in range(len(words)):
            for exact, seq in ((True, words), (False, folded)):
                for form, rank, party_id in self._index[exact].get(seq[i], ()):
                    end = i + len(form)
                    if tuple(seq[i:end]) == form and (best is None or rank > best[0]):
                        if len(form) == 1 and self._another_name(party_id, words, i):
                            continue
                        best = (rank, party_id, mention[found[i].start() : found[end - 1].end()])
        if len(self._seen) > 50_000:
            self._seen.clear()
        self._seen[key] = best
        return best

    def _another_name(self, party_id: str, words: list[str], i: int) -> bool:
        """Is words[i], the family name that opens a party's full name, the start of someone else's
        name here? The alias "Kim" stands for "Kim Jong Un", not for "Kim Eui-kyeom" of the other
        side. (A family name written last, "Okafor" of "Daniel Okafor", is left alone: "Sprinter
        Okafor" in a headline looks like another person's name.)"""
        names = [
            n
            for n in self._full_names.get((party_id, words[i].casefold()), ())
            if n[0] == words[i].casefold()
        ]
        if not names or not words[i][:1].isupper() or (i > 0 and _in_name(words[i - 1])):
            return False
        end = i
        while end + 1 < len(words) and _in_name(words[end + 1]):
            end += 1
        run_text = " ".join(words[i : end + 1])
        run = _name_words(run_text)
        if len(run) < 2 or not _looks_like_a_persons_name(run_text):
            return False
        return not any(_holds(run, name) for name in names)

    def match(self, *mentions: str | None) -> tuple[str | None, str | None]:
        """The party whose longest alias occurs in any mention, with that alias."""
        best = None
        for mention in mentions:
            if mention:
                hit = self._best_in(mention)
                if hit is not None and (best is None or hit[0] > best[0]):
                    best = hit
        return (best[1], best[2]) if best else (None, None)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {p.id: {"name": p.name, "aliases": list(p.aliases)} for p in self.parties.values()}

    def name(self, party_id: str | None) -> str | None:
        party = self.parties.get(party_id or "")
        return party.name if party else None

    def __contains__(self, party_id: object) -> bool:
        return party_id in self.parties

    def __len__(self) -> int:
        return len(self.parties)


def _name_words(text: str) -> tuple[str, ...]:
    """A name's words, case and hyphens aside ("Kim Jong-un" -> kim, jong, un)."""
    return tuple(text.replace("-", " ").casefold().split())


def _in_name(word: str) -> bool:
    """A capitalised word of a person's name: not a title ("President", "Mr") nor a common word
    capitalised at the start of a sentence ("Former", "Some", "For")."""
    from stance.relations import lexicons

    low = word.casefold().rstrip(".")
    return word[:1].isupper() and low not in _NOT_IN_A_NAME and low not in lexicons()["function_words"]


# Capitalised words that are no part of a person's name: titles, a monarch's too (which the
# shared list leaves out, as extraction must read "Rep. Peter T. King"), and sentence openers.
_NOT_IN_A_NAME = load_person_titles() | frozenset(
    """king queen prince the a an team if while when but and as after before because though
    although since so yet top young senior new old late first maybe never""".split()
)


def _holds(run: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """Does the run of capitalised words name the person? Whole, or with a middle name between
    ("Hillary Rodham Clinton" for "Hillary Clinton")."""
    if any(run[k : k + len(name)] == name for k in range(len(run) - len(name) + 1)):
        return True
    return len(name) == 2 and name[0] in run and name[1] in run[run.index(name[0]) + 1 :]


# Last words of organisations', places' and things' names: a run ending so is no person's name.
_NOT_PERSON_HEADS = frozenset(
    """party committee convention congress council association union university college school
    tower grill hotel casino group company corporation inc foundation institute center centre
    agency ministry department office house senate court times post news network campaign
    administration government force one world train world states nations republic""".split()
)


def _looks_like_a_persons_name(text: str) -> bool:
    """Two to four capitalised words, none of them ending the name of an organisation."""
    words = text.replace("-", " ").split()
    return (
        2 <= len(words) <= 4
        and all(w[:1].isupper() for w in text.split())  # "Eui-kyeom": a part after a hyphen may not be
        and not any(w.casefold().strip(".,'’s") in _NOT_PERSON_HEADS for w in words)
    )


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(alias.split()) == 1


def validate(parties: Any) -> dict[str, Party]:
    """Check a registry's shape and return it as Party objects; raise RegistryError otherwise."""
    if not isinstance(parties, Mapping):
        raise RegistryError("the registry must be an object mapping party ids to {name, aliases}")
    if len(parties) > MAX_PARTIES:
        raise RegistryError(f"at most {MAX_PARTIES} parties")
    out: dict[str, Party] = {}
    for party_id, entry in parties.items():
        if not isinstance(party_id, str) or not _ID.fullmatch(party_id):
            raise RegistryError(f"party id {party_id!r} must be 1-64 letters, digits, '_', '-' or '.'")
        if not isinstance(entry, Mapping):
            raise RegistryError(f"party {party_id!r} must be an object with 'name' and 'aliases'")
        name = entry.get("name", party_id)
        aliases = entry.get("aliases", [])
        if not isinstance(name, str) or not name.strip():
            raise RegistryError(f"party {party_id!r}: 'name' must be a non-empty string")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise RegistryError(f"party {party_id!r}: 'aliases' must be a list of strings")
        if len(aliases) > MAX_ALIASES:
            raise RegistryError(f"party {party_id!r}: at most {MAX_ALIASES} aliases")
        cleaned = tuple(dict.fromkeys(" ".join(a.split()) for a in aliases if a.strip()))
        if any(len(a) > 200 for a in cleaned):
            raise RegistryError(f"party {party_id!r}: aliases are at most 200 characters")
        out[party_id] = Party(party_id, name.strip(), cleaned)
    return out


def load_registry(path: str | Path) -> Registry:
    """Read a registry file: the bare mapping, or a gold file's `parties` object."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, dict) and isinstance(data.get("parties"), dict):
        data = data["parties"]
    return Registry(data)


# What ends the clause that introduces someone; " and " too: "the summit between Kim Jong Un and
# Donald Trump" does not say whom Kim speaks for.
_CLAUSE_END = re.compile(r"[,;:.!?()\u2014\u2013\n\"\u201c\u201d]| - | and ")


def introduction(text: str, name: str) -> str:
    """The clause in which the article first names someone ("Chris Green of the X Group").

    Articles say once who a person speaks for and then use the bare name;
    matching the registry against that first clause tags the later mentions.
    """
    at = text.find(name)
    if at < 0 or not name.strip():
        return ""
    left = max(0, at - 80)
    before = text[left:at]
    cut = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
    after = text[at + len(name) : at + len(name) + 80]
    stop = _CLAUSE_END.search(after)
    return before[cut:] + name + (after[: stop.start()] if stop else after)


def _head(mention: str) -> str:
    """The head noun of a mention, singular: "senior US officials" -> "official"."""
    words = re.findall(r"[^\W\d_]+", mention.lower())
    head = words[-1] if words else ""
    return head[:-1] if len(head) > 3 and head.endswith("s") and not head.endswith("ss") else head


_DEFINITE = re.compile(r"^(?:the|this|that|these|those)\s+(?:[a-z-]+\s+)?[a-z-]+$", re.IGNORECASE)


# Words that open a speaker phrase which is no name to look up where it was introduced ("His
# account", "The agency"): the clause around them names others.
_NOT_A_NAME = frozenset("his her its their our my your the a an this that these those".split())


def tag_claims(claims: Iterable[Claim], registry: Registry, text: str | None = None) -> None:
    """Set each claim's party from its speaker, the clause that introduced the speaker, or
    for a definite description ("the official") the last tagged speaker with the same head noun."""
    party_of_head: dict[str, str] = {}
    introduced: dict[str, str | None] = {}  # speaker -> party of its introduction (speakers repeat)
    for claim in sorted(claims, key=lambda c: c.start):
        if _speaks_for_several(claim.speaker, registry):
            claim.party = None  # "Egypt and Ethiopia gave conflicting accounts": no one side's claim
            continue
        party, _ = registry.match(claim.speaker)
        if party is None and text and claim.speaker_span and claim.speaker_resolved_from is None:
            # "Kim said": the registry's "Kim", though the name was read out as another Kim's
            mention = text[claim.speaker_span[0] : claim.speaker_span[1]]
            if mention != claim.speaker and set(mention.split()) < set(claim.speaker.split()):
                party, _ = registry.match(mention)
        if (
            party is None
            and text
            and claim.speaker
            and claim.speaker[:1].isupper()
            and claim.speaker.split()[0].lower() not in _NOT_A_NAME
        ):
            if claim.speaker not in introduced:
                introduced[claim.speaker] = registry.match(introduction(text, claim.speaker))[0]
            party = introduced[claim.speaker]
        if party is None and claim.speaker and _DEFINITE.match(claim.speaker.strip()):
            place = locative_opening(text, claim.speaker_span[0]) if text and claim.speaker_span else None
            # "In Seoul, the foreign ministry said": Seoul's, not the last ministry's
            party = registry.match(place)[0] if place else party_of_head.get(_head(claim.speaker))
        if party is not None and claim.speaker:
            party_of_head[_head(claim.speaker)] = party
        claim.party = party


_CONJUNCTS = re.compile(r",?\s+(?:and|&)\s+|,\s+")


def _speaks_for_several(speaker: str | None, registry: Registry) -> bool:
    """A speaker joining mentions of different parties ("Egypt and Ethiopia", "Pilots and Skyway")."""
    if not speaker or (" and " not in speaker and "&" not in speaker):
        return False
    parties = {registry.match(part)[0] for part in _CONJUNCTS.split(speaker)}
    parties.discard(None)
    return len(parties) > 1
