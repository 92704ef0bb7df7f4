"""Grouping and comparing, checked on the seed's gold claims and on a made-up second story.

The gold claims are given the text an attribution extractor finds (the attributed content, cut from the
seed article), so this measures the issues-and-relations stage on its own.
"""

import json
import re
from itertools import combinations
from pathlib import Path

import pytest

from stance.document import Claim, Issue
from stance.issues import compare, group_claims, issue_label, statement_mates
from stance.modelfile import load_model

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "hanoi-afp-2019-03-01"
MODEL = ROOT / "models" / "stance-relations"

# The attributed content of each gold claim, as it appears in the seed article.
SEED_CONTENT = {
    "us-all-sanctions": "Pyongyang wanted all sanctions imposed on it over its banned weapons programmes lifted",
    "dprk-some-measures": "it had only wanted some of the measures eased",
    "dprk-yongbyon-all": "its offer to close “all the nuclear production facilities” at its Yongbyon complex was "
    "the best it could ever offer",
    "dprk-constructive": "the two leaders had had a “constructive and candid exchange”",
    "dprk-mistrust": "Relations between the two countries — on opposite sides of the technically "
    "still-unfinished Korean War — had been “characterised by mistrust and antagonism” for decades",
    "dprk-successful": "described the Hanoi meeting as “successful” and said Kim had promised Trump another "
    "encounter",
    "us-meet-again": "he hoped to meet Kim again",
    "us-walk": "Sometimes you have to walk and this was just one of those times",
    "us-right-not-fast": "I’d much rather do it right than do it fast",
    "us-warmth": "There’s a warmth that we have and I hope that stays, I think it will.",
    "rok-progress": "The talks had made “meaningful progress”, with Trump and Kim building “more trust” and "
    "“mutual understanding”",
    "analysts-style": "their initial historic meeting in Singapore — which produced only a vague commitment from "
    "Kim to work “toward complete denuclearisation of the Korean peninsula” — was more style over substance",
    "us-effectively-all": "the North Koreans had demanded the lifting of effectively all the UN Security Council "
    "economic sanctions imposed on Pyongyang since March 2016",
    "us-all-but-armaments": "It was basically all the sanctions except for armaments",
    "us-billions": "It tallies up to the tune of many, many billions of dollars.",
    "us-portion-yongbyon": "they were only offering to close “a portion of the Yongbyon complex”",
    "us-all-in": "Trump had urged Kim to go “all in” to secure a deal",
    "us-weapons-table": "The weapons themselves need to be on the table",
    "us-ample-opportunity": "There’s still ample opportunity to talk.",
    "analysts-not-disaster": "I don’t think it’s a disaster and it doesn’t end the dialogue process",
    "analysts-look-tough": "I think it benefits him to look tough, to string this out.",
    "analysts-working-level": "the impasse “highlighted the importance of working-level talks”",
    "analysts-sanctions-emphasis": "Kim put “more emphasis” on sanctions relief than most observers predicted",
    "analysts-opposite": "Trump “was going to give away the store, he did just the opposite, holding out for a "
    "better deal”",
    "analysts-rollercoaster": "this failed summit will just be one more chapter in the rollercoaster ride that is "
    "the Trump presidency",
}


def _fold(text: str) -> str:
    text = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    return re.sub(r"\s+", " ", text).lower()


def seed_claims(gold: dict, article: str) -> list[Claim]:
    """Claim objects for the gold claims, located in the article (white space folded)."""
    claims = []
    flat = re.sub(r"\s+", " ", article)
    for number, gc in enumerate(gold["claims"], start=1):
        content = SEED_CONTENT[gc["id"]]
        assert _fold(gc["key"]) in _fold(content), gc["id"]
        start = flat.find(content)
        assert start >= 0, gc["id"]
        claims.append(Claim(text=content, start=start, end=start + len(content), party=gc["party"],
                            speaker=gc["speaker"], kind=gc["kind"], id=f"c{number}"))  # fmt: skip
    return claims


def seed_context(claims: list[Claim], article: str) -> dict[str, str]:
    """Each claim's sentence: the text from the sentence break before it to the one after it."""
    flat = re.sub(r"\s+", " ", article)
    context = {}
    for claim in claims:
        left = max(flat.rfind(". ", 0, claim.start), flat.rfind("\u201d ", 0, claim.start - 1), 0)
        right = flat.find(". ", claim.end)
        context[claim.id] = flat[left : right if right > 0 else len(flat)].strip(" .")
    return context


def score_seed(gold: dict, claims: list[Claim], issues, comparisons) -> dict:
    """Grouping F1, conflict precision / recall and relation recall of CONTRACT.md, on gold claims."""
    gold_id = {c.id: gc["id"] for c, gc in zip(claims, gold["claims"], strict=True)}
    gold_issues = {}
    for issue in gold["issues"]:
        for cid in issue["claims"]:
            gold_issues.setdefault(cid, set()).add(issue["id"])
    tp = fp = fn = 0
    for x, y in combinations(claims, 2):
        same_gold = bool(gold_issues.get(gold_id[x.id], set()) & gold_issues.get(gold_id[y.id], set()))
        same_system = x.issue == y.issue
        tp += same_gold and same_system
        fp += same_system and not same_gold
        fn += same_gold and not same_system
    grouping_f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def matches(comparison, relation) -> bool:
        sides = {comparison.a.party: comparison.a.claims, comparison.b.party: comparison.b.claims}
        if set(sides) != {relation["a"], relation["b"]}:
            return False
        a_found = {gold_id[c] for c in sides[relation["a"]]} & set(relation["a_claims"])
        b_found = {gold_id[c] for c in sides[relation["b"]]} & set(relation["b_claims"])
        return bool(a_found and b_found)

    gold_conflicts = [r for r in gold["relations"] if r["relation"] == "conflict"]
    system_conflicts = [k for k in comparisons if k.relation == "conflict"]
    found = [
        r for r in gold["relations"] if any(matches(k, r) for k in comparisons if k.relation == r["relation"])
    ]
    return {
        "grouping_f1": grouping_f1,
        "conflict_recall": sum(r["relation"] == "conflict" for r in found) / len(gold_conflicts),
        "conflict_precision": (
            sum(any(matches(k, r) for r in gold_conflicts) for k in system_conflicts) / len(system_conflicts)
            if system_conflicts
            else 0.0
        ),
        "relation_recall": len(found) / len(gold["relations"]),
    }


@pytest.fixture(scope="module")
def model():
    stance_model, _ = load_model(MODEL)
    return stance_model


@pytest.fixture(scope="module")
def seed():
    gold = json.loads(SEED.with_suffix(".gold.json").read_text(encoding="utf-8"))
    article = SEED.with_suffix(".txt").read_text(encoding="utf-8")
    return gold, article


def analyse_seed(seed, model, with_context: bool):
    gold, article = seed
    claims = seed_claims(gold, article)
    issues = group_claims(claims, model, seed_context(claims, article) if with_context else None)
    return gold, claims, issues, compare(claims, issues, model)


@pytest.mark.parametrize("with_context", [False, True])
def test_seed_targets(seed, model, with_context):
    scores = score_seed(*analyse_seed(seed, model, with_context))
    assert scores["conflict_recall"] == 1.0, scores
    assert scores["conflict_precision"] >= 0.8, scores
    assert scores["relation_recall"] >= 0.8, scores
    assert scores["grouping_f1"] >= 0.7, scores


def test_issues_are_well_formed(seed, model):
    _, claims, issues, comparisons = analyse_seed(seed, model, with_context=True)
    assert [i.id for i in issues] == [f"i{n}" for n in range(1, len(issues) + 1)]
    assert sorted(c for i in issues for c in i.claims) == sorted(c.id for c in claims)
    by_id = {c.id: c for c in claims}
    for issue in issues:
        assert issue.label.strip()
        assert all(by_id[c].issue == issue.id for c in issue.claims)
    for k in comparisons:
        assert k.relation in ("conflict", "agree")
        assert 0.0 < k.score <= 1.0
        assert k.a.party != k.b.party
        issue_claims = next(i.claims for i in issues if i.id == k.issue)
        assert {by_id[c].party for c in k.a.claims} == {k.a.party}
        assert {by_id[c].party for c in k.b.claims} == {k.b.party}
        assert set(k.a.claims + k.b.claims) <= set(issue_claims)
    assert [k.id for k in comparisons] == [f"k{n}" for n in range(1, len(comparisons) + 1)]


def test_scope_conflict_shows_all_versus_some(seed, model):
    _, _claims, _issues, comparisons = analyse_seed(seed, model, with_context=False)
    conflicts = [k for k in comparisons if k.relation == "conflict"]
    phrases = [pair for k in conflicts for pair in k.contrast]
    assert any(
        "all" in a.lower() and ("some" in b.lower() or "portion" in b.lower()) for a, b in phrases
    ) or any("all" in b.lower() and ("some" in a.lower() or "portion" in a.lower()) for a, b in phrases), (
        phrases
    )


STRIKE_A = [  # one outlet's account of a made-up dispute
    ("union", "the strike had shut down every one of the company's 14 warehouses"),
    ("company", "only a few warehouses were affected and deliveries continued"),
    ("union", "the pay talks on Monday collapsed after management walked out"),
    ("company", "Monday's pay talks were productive and a deal is close"),
    ("mayor", "the city would offer to mediate between the two sides"),
]
STRIKE_B = [  # another outlet on the same dispute, different words
    ("company", "most of its warehouses kept working and only some were closed by the strike"),
    ("union", "all the warehouses were closed by the walkout"),
]


def strike_claims():
    claims = []
    for number, (party, text) in enumerate(STRIKE_A + STRIKE_B, start=1):
        claims.append(Claim(text=text, start=0, end=len(text), party=party, id=f"c{number}"))
    return claims


def test_claims_from_two_articles_land_together_and_clash(model):
    claims = strike_claims()
    issues = group_claims(claims, model)
    issue_of = {c.id: c.issue for c in claims}
    assert issue_of["c1"] == issue_of["c2"] == issue_of["c6"] == issue_of["c7"]
    assert issue_of["c3"] == issue_of["c4"]
    assert issue_of["c3"] != issue_of["c1"]
    assert issue_of["c5"] not in (issue_of["c1"], issue_of["c3"])
    comparisons = compare(claims, issues, model)
    conflicts = {
        (k.issue, frozenset((k.a.party, k.b.party))) for k in comparisons if k.relation == "conflict"
    }
    assert (issue_of["c1"], frozenset({"union", "company"})) in conflicts
    assert (issue_of["c3"], frozenset({"union", "company"})) in conflicts
    cross = [k for k in comparisons if k.issue == issue_of["c1"] and k.relation == "conflict"]
    sides = {c for k in cross for c in k.a.claims + k.b.claims}
    assert sides & {"c1", "c2"} and sides & {"c6", "c7"}


def test_unrelated_claims_stay_apart(model):
    texts = ["the bridge will reopen to traffic next spring", "the striker scored twice in the final",
             "inflation eased to 2 percent in October"]  # fmt: skip
    claims = [Claim(text=t, start=0, end=len(t), party=p, id=f"c{n}") for n, (t, p) in
              enumerate(zip(texts, ["city", "club", "bank"], strict=True), start=1)]  # fmt: skip
    issues = group_claims(claims, model)
    assert len(issues) == 3
    assert compare(claims, issues, model) == []


def test_empty_and_partyless_input(model):
    assert group_claims([], model) == []
    claims = [Claim(text="the deal was signed", start=0, end=19, id="c1"),
              Claim(text="the deal was never signed", start=0, end=25, id="c2")]  # fmt: skip
    issues = group_claims(claims, model)
    assert compare(claims, issues, model) == []


def test_issue_label_prefers_shared_rare_words(model):
    label = issue_label(
        ["the tariffs on steel were lifted", "steel tariffs remain", "tariffs hurt steel mills"], model
    )
    assert set(label.split()[:2]) == {"steel", "tariffs"}


def test_one_subject_reporting_two_things_in_a_sentence_is_listed_whole(model):
    text = (
        "The ministry described the round of talks as constructive and said the negotiators would meet "
        "again next month. The union said it hoped to meet the negotiators again soon."
    )

    def claim_at(words, cue, speaker, party, number):
        start = text.index(words)
        subject = text.index(speaker)
        sentence_end = text.index(".") + 1
        sentence = [0, sentence_end] if start < sentence_end else [sentence_end + 1, len(text)]
        return Claim(text=words, start=start, end=start + len(words), party=party, id=f"c{number}",
                     speaker=speaker, speaker_span=[subject, subject + len(speaker)],
                     cue=cue, cue_span=[text.index(cue), text.index(cue) + len(cue)],
                     sentence_span=sentence)  # fmt: skip

    praise = claim_at("the round of talks as constructive", "described", "The ministry", "ministry", 1)
    meet = claim_at("the negotiators would meet again next month", "said the", "The ministry", "ministry", 2)
    hope = claim_at("it hoped to meet the negotiators again soon", "said it", "The union", "union", 3)
    claims = [praise, meet, hope]
    issues = [
        Issue(id="i1", label="talks", claims=["c1"]),
        Issue(id="i2", label="meeting", claims=["c2", "c3"]),
    ]
    agreements = [k for k in compare(claims, issues, model) if k.issue == "i2" and k.relation == "agree"]
    assert agreements, "the two accounts of meeting again agree"
    ministry_side = next(s for k in agreements for s in (k.a, k.b) if s.party == "ministry")
    assert ministry_side.claims == ["c2", "c1"]
    # Another speaker's claim in the same issue is no mate.
    assert statement_mates(claims) == {"c1": ["c2"], "c2": ["c1"]}


def test_fragments_of_three_words_stay_alone(model):
    texts = [
        "the tariff on steel will rise to 25 percent",
        "of the tariff.",
        "steel tariffs will rise next year",
    ]
    claims = [Claim(text=t, start=0, end=len(t), id=f"c{n}") for n, t in enumerate(texts, start=1)]
    group_claims(claims, model)
    assert claims[0].issue == claims[2].issue
    assert claims[1].issue not in (claims[0].issue, claims[2].issue)


def test_an_answer_to_another_partys_claim_joins_its_issue_whatever_its_words(model):
    from stance.analysis import analyze
    from stance.document import Article
    from stance.parties import Registry

    text = (
        "Port strike\n\nAccording to the operator, the union also demanded a 12 percent pay rise over "
        "two years. Stam denied that, saying the union had only asked for wages to keep pace with "
        "inflation. The harbour master said ships were waiting offshore."
    )
    registry = Registry(
        {
            "union": {"name": "Dockworkers' union", "aliases": ["Stam", "the union"]},
            "operator": {"name": "Terminal operator", "aliases": ["the operator"]},
            "port": {"name": "Port authority", "aliases": ["harbour master"]},
        }
    )
    analysis = analyze(Article(text=text), registry, model)
    demanded = next(c for c in analysis.claims if "12 percent" in c.text)
    answer = next(c for c in analysis.claims if "keep pace with inflation" in c.text)
    ships = next(c for c in analysis.claims if "ships were waiting" in c.text)
    assert (demanded.party, answer.party) == ("operator", "union")
    assert demanded.issue == answer.issue != ships.issue
    conflicts = [k for k in analysis.comparisons if k.relation == "conflict"]
    assert [(k.a.claims, k.b.claims) for k in conflicts] in (
        [([demanded.id], [answer.id])],
        [([answer.id], [demanded.id])],
    )


def _answer_labels(text, parties_and_contents):
    """_join_answers's labels for claims (party, content) found in `text`, each its own group."""
    from stance.analysis import leads
    from stance.issues import _join_answers

    claims = []
    for n, (party, content) in enumerate(parties_and_contents, start=1):
        start = text.index(content)
        sentence_start = text.rfind(". ", 0, start) + 2 if ". " in text[:start] else 0
        sentence_end = text.index(".", start + len(content) - 1) + 1
        claims.append(Claim(text=content, start=start, end=start + len(content), party=party,
                            id=f"c{n}", sentence_span=[sentence_start, sentence_end]))  # fmt: skip
    labels = [-1 - i for i in range(len(claims))]
    _join_answers(claims, labels, leads(claims, text))
    return labels


def test_an_answer_may_follow_a_sentence_of_denial_and_a_clause_after_denied_that_is_none():
    # the denial stands in a sentence of its own, with no claim in it
    text = (
        "The company said samples showed no contamination. The residents dispute those tests. "
        "They say the river has been poisoned."
    )
    labels = _answer_labels(
        text, [("company", "samples showed no contamination"), ("residents", "the river has been poisoned")]
    )
    assert labels[1] == labels[0]
    # "denied that the workers had been told": "that" opens the denied clause, nothing answered
    text = "The firm said the plant would close in May. The union denied that the workers had been told."
    labels = _answer_labels(
        text, [("firm", "the plant would close in May"), ("union", "the workers had been told")]
    )
    assert labels == [-1, -2]
    # an answer of the same party answers nobody
    text = "The firm said the plant would close in May. The firm's lawyer disputed that, saying it may not."
    labels = _answer_labels(text, [("firm", "the plant would close in May"), ("firm", "it may not")])
    assert labels == [-1, -2]


def test_the_denials_that_mark_an_answer_name_the_account_they_deny():
    from stance.issues import _ANSWER_RE

    for lead in ("Eriksen rejected that explanation. ", "The ministry disputed the union's figures. ",
                 "Lee dismissed those conclusions, saying "):  # fmt: skip
        assert _ANSWER_RE.search(lead), lead
    assert _ANSWER_RE.search("Lee rejected calls to resign. ") is None
    assert _ANSWER_RE.search("Lee denied that the figures were wrong, saying ") is None  # a clause


def test_claims_of_no_party_are_grouped_apart_from_the_parties_claims(model):
    from stance.analysis import analyze
    from stance.document import Article
    from stance.parties import load_registry
    from stance.paths import default_path

    text = Path(default_path("seeds", "hanoi-afp-2019-03-01.txt")).read_text(encoding="utf-8")
    analysis = analyze(Article(text=text), load_registry(default_path("seeds", "parties.json")), model)
    party_of = {c.id: c.party for c in analysis.claims}
    assert any(p is None for p in party_of.values()) and any(p for p in party_of.values())
    for issue in analysis.issues:
        assert len({party_of[c] is None for c in issue.claims}) == 1, issue


@pytest.mark.parametrize(
    "answer",
    [
        "The union, however, said the rise was 6 percent.",
        "But the union said the rise was 6 percent.",
        "The union responded that the rise was 6 percent.",
    ],
)
def test_a_claim_set_against_the_one_before_it_answers_it(answer):
    text = "The ministry said it had offered a 15 percent rise. " + answer
    labels = _answer_labels(
        text, [("ministry", "it had offered a 15 percent rise"), ("union", "the rise was 6 percent")]
    )
    assert labels[1] == labels[0]


def test_a_but_inside_a_sentence_sets_nothing_against_the_claim_before():
    text = "The ministry said it had offered a 15 percent rise. The union said it was small but fair."
    labels = _answer_labels(
        text, [("ministry", "it had offered a 15 percent rise"), ("union", "it was small but fair")]
    )
    assert labels == [-1, -2]
