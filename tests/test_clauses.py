from stance.clauses import split_claim, split_claims
from stance.document import Claim

TEXT = (
    "The union said it had only asked for a modest raise, and that its offer to end the strike "
    'was the best it could make. Owners said "wages and that pension" were both off the table.'
)


def claim_of(text, words, kind="indirect"):
    start = text.index(words)
    return Claim(text=words, start=start, end=start + len(words), speaker="The union", kind=kind)


def test_coordinated_that_clauses_become_two_claims():
    content = TEXT[15 : TEXT.index(".")]
    parts = split_claim(claim_of(TEXT, content), TEXT)
    assert [p.text for p in parts] == [
        "it had only asked for a modest raise",
        "its offer to end the strike was the best it could make",
    ]
    for part in parts:
        assert TEXT[part.start : part.end] == part.text and part.speaker == "The union"


def test_direct_quotes_short_parts_and_quoted_and_that_stay_whole():
    quote = claim_of(TEXT, "it had only asked for a modest raise, and that its offer", kind="direct")
    assert split_claim(quote, TEXT) == [quote]
    short = "They said yes, and that was it."
    assert len(split_claim(claim_of(short, "yes, and that was it"), short)) == 1
    inside = claim_of(TEXT, '"wages and that pension" were both off the table')
    assert split_claim(inside, TEXT) == [inside]


def test_split_claims_renumbers_in_text_order():
    content = TEXT[15 : TEXT.index(".")]
    later = claim_of(TEXT, '"wages and that pension" were both off the table')
    claims = split_claims([claim_of(TEXT, content), later], TEXT)
    assert [c.id for c in claims] == ["c1", "c2", "c3"]
    assert [c.start for c in claims] == sorted(c.start for c in claims)


def span(text: str, words: str) -> list[int]:
    at = text.index(words)
    return [at, at + len(words)]


def test_a_quote_running_across_its_attribution_becomes_two_quotes():
    text = (
        '"The strike cost the port every shipment this week," a union spokeswoman told reporters. '
        '"It adds up to millions of dollars."'
    )
    quote = text[1:-1]
    claim = Claim(
        text=quote, start=1, end=len(text) - 1, speaker="a union spokeswoman", kind="direct",
        speaker_span=[text.index("a union"), text.index(" told")],
        cue="told", cue_span=[text.index("told"), text.index("told") + 4],
    )  # fmt: skip
    parts = split_claims([claim], text)
    assert [p.text for p in parts] == [
        "The strike cost the port every shipment this week",
        "It adds up to millions of dollars.",
    ]
    assert all(p.kind == "direct" and text[p.start : p.end] == p.text for p in parts)
    assert all(p.speaker == "a union spokeswoman" for p in parts)


def test_a_quote_resuming_after_an_attribution_with_an_apposition_becomes_two_quotes():
    text = (
        '"The agency acted first and looked for reasons afterwards," said Helen Marsh, the '
        'company\'s lawyer, 52, of Leeds. "Not a single case of harm has been reported."'
    )
    claim = Claim(
        text=text[1:-1], start=1, end=len(text) - 1, kind="direct", speaker="Helen Marsh",
        speaker_span=span(text, "Helen Marsh"), cue="said", cue_span=span(text, "said"),
    )  # fmt: skip
    assert [p.text for p in split_claims([claim], text)] == [
        "The agency acted first and looked for reasons afterwards",
        "Not a single case of harm has been reported.",
    ]


def test_an_aside_with_a_full_stop_inside_one_sentence_is_no_apposition():
    text = "The thing he most needs, aides said, is for Gov. Kasich of Ohio to quit the campaign."
    claim = Claim(
        text=text[:-1], start=0, end=len(text) - 1, speaker="aides", speaker_span=span(text, "aides"),
        cue="said", cue_span=span(text, "said"),
    )  # fmt: skip
    assert [p.text for p in split_claims([claim], text)] == [claim.text]


def test_reported_speech_running_past_its_attribution_splits_at_the_conjunction():
    text = (
        "Wages rose less than anyone expected, she said, and the new contract had failed to end the dispute."
    )
    claim = Claim(
        text=text[:-1], start=0, end=len(text) - 1, speaker="she", speaker_span=span(text, "she"),
        cue="said", cue_span=span(text, "said"),
    )  # fmt: skip
    assert [p.text for p in split_claims([claim], text)] == [
        "Wages rose less than anyone expected",
        "the new contract had failed to end the dispute",
    ]


def test_an_attribution_inside_one_quoted_sentence_leaves_it_whole():
    text = '"We are," the mayor said, "ready to talk to anyone who wants to end this."'
    claim = Claim(
        text=text[1:-1], start=1, end=len(text) - 1, kind="direct", speaker="the mayor",
        speaker_span=span(text, "the mayor"), cue="said", cue_span=span(text, "said"),
    )  # fmt: skip
    assert split_claims([claim], text) == [claim]


def test_a_report_that_overran_another_claims_attribution_is_cut_there_but_nested_reports_stay():
    text = "The mayor had urged the union to accept the offer, the spokesman said."
    outer = Claim(
        text=text[: text.index(",")], start=0, end=text.index(","), speaker="the spokesman",
        speaker_span=span(text, "the spokesman"), cue="said", cue_span=span(text, "said"),
    )  # fmt: skip
    inner_start = text.index("the union")
    inner = Claim(
        text=text[inner_start:-1], start=inner_start, end=len(text) - 1, speaker="The mayor",
        speaker_span=span(text, "The mayor"), cue="had urged", cue_span=span(text, "had urged"),
    )  # fmt: skip
    parts = split_claims([outer, inner], text)
    assert [p.text for p in parts] == [
        "The mayor had urged the union to accept the offer",
        "the union to accept the offer",
    ]


def test_claim_to_dict_is_asdict():
    from dataclasses import asdict, fields

    claim = Claim(text="x", start=0, end=1, speaker="s", speaker_span=[0, 1], cue="said", cue_span=[2, 6],
                  sentence_span=[0, 9], speaker_resolved_from="he", party="p", issue="i1", id="c1")  # fmt: skip
    data = claim.to_dict()
    assert data == asdict(claim) and list(data) == [f.name for f in fields(Claim)]
    data["speaker_span"].append(5)
    assert claim.speaker_span == [0, 1]  # a copy, as asdict gives


def test_a_report_overrunning_another_claims_attribution_keeps_only_what_comes_before():
    from stance.analysis import analyze
    from stance.document import Article
    from stance.parties import Registry

    text = (
        "Doping\n\nDaniel Okafor tested positive in June. In a statement released through his lawyers "
        'on Wednesday, he said: "I have never knowingly taken a banned substance. I fought for clean sport."'
    )
    claims = analyze(Article(text=text), Registry({})).claims
    quote = next(c for c in claims if "never knowingly" in c.text)
    assert quote.kind == "direct" and quote.text.endswith("clean sport.")
    assert all("never knowingly" not in c.text for c in claims if c is not quote)
