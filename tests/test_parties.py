import json

import pytest

from stance.attribution import extract_claims
from stance.document import Claim
from stance.parties import Registry, RegistryError, introduction, load_registry, tag_claims

REGISTRY = {
    "gov": {"name": "Government", "aliases": ["Ministry of Finance", "finance minister", "Ankara", "Turkey"]},
    "union": {"name": "Dockworkers' union", "aliases": ["ILWU", "union leaders", "the union"]},
    "opp": {"name": "Opposition", "aliases": ["opposition", "Kemal Aydin"]},
}


@pytest.fixture
def registry():
    return Registry(REGISTRY)


@pytest.mark.parametrize(
    "mention, party",
    [
        ("Turkey's finance minister", "gov"),
        ("the Turkish finance minister", "gov"),  # adjective form is not derived for Turkey: alias wins
        ("a Ministry of Finance spokesman", "gov"),
        ("ILWU president Willie Adams", "union"),
        ("union leaders", "union"),
        ("the union's lawyer", "union"),
        ("opposition leader Kemal Aydin", "opp"),
        ("Kemal Aydin's office", "opp"),
        ("a passer-by", None),
        ("unionist", None),  # whole words only
        ("ilwu", None),  # acronyms match in capitals only
    ],
)
def test_match_whole_words_possessive_and_longest(registry, mention, party):
    assert registry.match(mention)[0] == party


def test_adjectival_and_plural_forms():
    registry = Registry({"kr": {"name": "North Korea", "aliases": ["North Korea", "official"]}})
    assert registry.match("the North Korean foreign minister") == ("kr", "North Korean")
    assert registry.match("two officials")[0] == "kr"
    assert Registry({"ir": {"name": "Iran", "aliases": ["Iran"]}}).match("an Iranian diplomat")[0] == "ir"


def test_longest_alias_wins_across_parties():
    registry = Registry(
        {
            "us": {"name": "United States", "aliases": ["US", "US official"]},
            "experts": {"name": "Experts", "aliases": ["former US ambassador"]},
        }
    )
    assert registry.match("Former US ambassador to Seoul Jane Roe")[0] == "experts"
    assert registry.match("a senior US official")[0] == "us"


def test_hyphenated_compound_is_not_the_alias():
    registry = Registry({"us": {"name": "US", "aliases": ["Washington"]}})
    assert registry.match("the Washington-based think tank")[0] is None


def test_tag_claims_uses_the_clause_that_introduced_the_speaker():
    text = "Ana Lima of the dockworkers union ILWU said the deal was dead. Later Lima said more."
    registry = Registry(REGISTRY)
    claim = Claim(text="more", start=80, end=84, speaker="Ana Lima")
    tag_claims([claim], registry, text)
    assert claim.party == "union"
    assert "ILWU" in introduction(text, "Ana Lima")


def test_untagged_speaker_stays_null(registry):
    claim = Claim(text="x", start=0, end=1, speaker="a bystander")
    tag_claims([claim], registry, "x")
    assert claim.party is None


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"": {"name": "x", "aliases": []}},
        {"ok": "not an object"},
        {"ok": {"name": 3, "aliases": []}},
        {"ok": {"name": "x", "aliases": "not a list"}},
        {"ok": {"name": "x", "aliases": [1]}},
        {"bad id!": {"name": "x", "aliases": []}},
        {"x\n": {"name": "x", "aliases": []}},
    ],
)
def test_invalid_registries_are_refused(bad):
    with pytest.raises(RegistryError):
        Registry(bad)


def test_load_registry_reads_bare_or_gold_files(tmp_path):
    bare = tmp_path / "parties.json"
    bare.write_text(json.dumps(REGISTRY))
    gold = tmp_path / "x.gold.json"
    gold.write_text(json.dumps({"parties": REGISTRY, "claims": []}))
    assert load_registry(bare).to_dict() == load_registry(gold).to_dict()
    assert load_registry(bare).to_dict()["union"]["aliases"] == ["ILWU", "union leaders", "the union"]


def test_definite_description_takes_the_party_of_its_antecedent():
    registry = Registry({"gov": {"name": "Government", "aliases": ["Interior Ministry official"]}})
    claims = [
        Claim(text="a", start=0, end=1, speaker="a senior Interior Ministry official"),
        Claim(text="b", start=10, end=11, speaker="the official"),
        Claim(text="c", start=20, end=21, speaker="the spokesman"),
    ]
    tag_claims(claims, registry, "x" * 30)
    assert [c.party for c in claims] == ["gov", "gov", None]


def test_a_romanised_name_matches_with_hyphens_or_spaces_between_its_words():
    registry = Registry(
        {
            "dprk": {"name": "North Korea", "aliases": ["Ri Yong Ho", "Choe Son Hui"]},
            "rok": {"name": "South Korea", "aliases": ["Moon Jae-in"]},
        }
    )
    assert registry.match("Ri Yong-ho")[0] == "dprk"
    assert registry.match("Choe Son-hui, a vice foreign minister")[0] == "dprk"
    assert registry.match("President Moon Jae In")[0] == "rok"
    assert registry.match("Moon Jae-in's office")[0] == "rok"
    assert registry.match("Ri Yong")[0] is None  # a part of the name is not the name


def test_a_speaker_joining_two_parties_speaks_for_neither():
    registry = Registry(
        {
            "egypt": {"name": "Egypt", "aliases": ["Egypt", "Cairo"]},
            "ethiopia": {"name": "Ethiopia", "aliases": ["Ethiopia"]},
        }
    )
    claims = [
        Claim(text="sharply different accounts", start=40, end=66, speaker="Egypt and Ethiopia"),
        Claim(text="the talks had failed", start=80, end=100, speaker="Egypt and its allies"),
        Claim(text="the dam was safe", start=120, end=136, speaker="Cairo and Ethiopian officials"),
    ]
    tag_claims(claims, registry)
    assert [c.party for c in claims] == [None, "egypt", None]


def test_dotted_acronyms_match_their_undotted_aliases():
    registry = Registry({"us": {"name": "United States", "aliases": ["US", "senior US official"]}})
    assert registry.match("A senior U.S. official") == ("us", "senior US official")
    assert registry.match("the U.S.")[0] == "us"


def test_a_family_name_alias_opening_a_full_name_does_not_tag_someone_else_of_that_name():
    registry = Registry(
        {
            "dprk": {"name": "North Korea", "aliases": ["Kim Jong Un", "Kim"]},
            "clinton": {"name": "Clinton campaign", "aliases": ["Hillary Clinton", "Clinton"]},
            "gop": {"name": "Republicans", "aliases": ["Republican", "Republican National Committee"]},
        }
    )
    assert registry.match("Kim Eui-kyeom")[0] is None  # South Korea's spokesman
    assert registry.match("Kim")[0] == "dprk"
    assert registry.match("leader Kim Jong-un")[0] == "dprk"
    assert registry.match("Mr. Kim")[0] == "dprk"
    assert registry.match("Former Clinton aides")[0] == "clinton"
    assert registry.match("Hillary Rodham Clinton")[0] == "clinton"
    assert registry.match("Kim Yo Jong")[0] is None
    # a family name written last is left alone: a headline's "Sprinter Clinton" is no other person
    assert registry.match("Sprinter Clinton")[0] == "clinton"
    assert registry.match("the Republican Party")[0] == "gop"


def test_a_speaker_that_is_no_name_is_not_tagged_by_the_clause_around_it():
    registry = Registry({"us": {"name": "United States", "aliases": ["Donald Trump", "Trump"]}})
    text = "His account flatly contradicted President Donald Trump. The governor praised Trump."
    claims = [
        Claim(text="contradicted President Donald Trump", start=20, end=55, speaker="His account"),
        Claim(text="Trump", start=80, end=85, speaker="The governor"),
    ]
    tag_claims(claims, registry, text)
    assert [c.party for c in claims] == [None, None]


def test_in_a_registered_place_a_definite_body_speaks_for_that_place():
    registry = Registry(
        {
            "sweden": {"name": "Sweden", "aliases": ["Sweden's foreign ministry", "Stockholm"]},
            "rok": {"name": "South Korea", "aliases": ["Seoul"]},
        }
    )
    text = (
        "Talks\n\nSweden's foreign ministry said both sides were invited.\n\n"
        "In Seoul, the foreign ministry said the outcome was regrettable."
    )
    claims = extract_claims(text)
    tag_claims(claims, registry, text)
    assert [(c.speaker, c.party) for c in claims] == [
        ("Sweden's foreign ministry", "sweden"),
        ("the foreign ministry", "rok"),
    ]


def test_a_name_introduced_beside_another_partys_name_is_not_tagged_with_it():
    registry = Registry({"us": {"name": "United States", "aliases": ["Donald Trump", "Trump"]}})
    text = (
        "Talks\n\nThe summit between leader Kim Jong Un and President Donald Trump collapsed in "
        "February.\n\nKim Jong Un said the talks had failed."
    )
    claims = extract_claims(text)
    tag_claims(claims, registry, text)
    assert [(c.speaker, c.party) for c in claims] == [("Kim Jong Un", None)]


def test_the_registry_reads_the_name_the_article_used_when_the_fuller_one_is_unknown():
    # "Kim said" is read out as the article's fullest Kim, Kim Jong Un; the registry knows "Kim"
    registry = Registry({"dprk": {"name": "North Korea", "aliases": ["Kim Myong Gil", "Kim"]}})
    text = (
        "Talks\n\nThe summit with Kim Jong Un collapsed in February.\n\nChief negotiator Kim Myong "
        "Gil read a statement. \u201cThe talks have broken down,\u201d Kim said."
    )
    claims = extract_claims(text)
    tag_claims(claims, registry, text)
    assert [c.party for c in claims if "broken down" in c.text] == ["dprk"]
