from stance.analysis import analyze
from stance.document import Article, Claim
from stance.parties import Registry
from stance.voices import assign_voices, carried_voice, is_speech, outermost

TEXT = (
    '"They wanted every checkpoint removed," a senior army officer told reporters.\n\n'
    'In return, they were only offering to disarm "a handful of their fighters", he added.'
)


def claim(text: str, words: str, speaker: str, mention: str, cue: str, sentence: tuple[int, int]) -> Claim:
    start = text.index(words)
    at = text.index(mention)
    cue_at = text.index(cue)
    return Claim(
        text=words, start=start, end=start + len(words), speaker=speaker,
        speaker_span=[at, at + len(mention)], cue=cue, cue_span=[cue_at, cue_at + len(cue)],
        sentence_span=list(sentence),
    )  # fmt: skip


def test_verbs_of_saying_are_told_from_verbs_of_action():
    assert is_speech("said") and is_speech("has told") and is_speech("according to")
    assert not is_speech("offering") and not is_speech("demanded") and not is_speech(None)


def test_a_quoted_fragment_after_a_pronoun_and_an_action_carries_on_the_previous_account():
    first_end = TEXT.index("\n")
    officer = claim(TEXT, "They wanted every checkpoint removed", "a senior army officer",
                    "a senior army officer", "told", (0, first_end))  # fmt: skip
    rebels = claim(TEXT, 'to disarm "a handful of their fighters"', "the rebels", "they",
                   "offering", (first_end + 2, len(TEXT)))  # fmt: skip
    assert carried_voice(rebels, [officer, rebels], TEXT) is officer
    voiced = assign_voices([officer, rebels], TEXT)
    assert voiced[1].speaker == "a senior army officer" and voiced[1].cue == "told"
    assert voiced[1].text == rebels.text and voiced[1].confidence < rebels.confidence
    assert voiced[0] == officer


def test_speech_verbs_named_subjects_unquoted_content_or_a_gap_keep_their_speaker():
    text = TEXT.replace("they were only offering", "the rebels were only offering")
    first_end = text.index("\n")
    officer = claim(text, "They wanted every checkpoint removed", "a senior army officer",
                    "a senior army officer", "told", (0, first_end))  # fmt: skip
    named = claim(text, 'to disarm "a handful of their fighters"', "the rebels", "the rebels",
                  "offering", (first_end + 2, len(text)))  # fmt: skip
    assert carried_voice(named, [officer, named], text) is None
    far = TEXT.replace("\n\nIn return", "\n\nTalks resumed. In return")
    first_end = far.index("\n")
    officer = claim(far, "They wanted every checkpoint removed", "a senior army officer",
                    "a senior army officer", "told", (0, first_end))  # fmt: skip
    late = claim(far, 'to disarm "a handful of their fighters"', "the rebels", "they", "offering",
                 (far.index("In return"), len(far)))  # fmt: skip
    assert carried_voice(late, [officer, late], far) is None


def test_the_whole_analysis_gives_the_carried_on_account_to_its_party():
    text = (
        "The rebels said they would hand over all their heavy weapons.\n\n"
        '"It was every checkpoint in the province," a senior army officer told reporters.\n\n'
        'In return, they were only offering to disarm "a handful of their fighters", a small '
        "part of the force.\n"
    )
    registry = Registry({"army": {"name": "Army", "aliases": ["army officer"]},
                         "rebels": {"name": "Rebels", "aliases": ["rebels"]}})  # fmt: skip
    doc = analyze(Article(text=text), registry)
    fragment = [c for c in doc.claims if "a handful" in c.text]
    assert fragment and all(c.party == "army" for c in fragment)


def test_a_report_nested_in_another_is_the_outer_speakers_account():
    text = "The mayor said the union wanted every depot closed, and the union denied it."
    outer = claim(
        text, "the union wanted every depot closed", "The mayor", "The mayor", "said", (0, len(text))
    )
    inner = claim(text, "every depot closed", "the union", "the union", "wanted", (0, len(text)))
    denial = claim(text, "it", "the union", "the union denied", "denied", (0, len(text)))
    denial.start = text.rindex("it")
    denial.end = denial.start + 2
    assert outermost([inner, outer, denial]) == [outer, denial]


def test_a_quote_inside_its_own_speakers_report_is_a_repeat_but_another_voice_is_kept():
    text = 'The agency reported a "frank exchange", quoting the envoy as saying "we disagree".'
    report = claim(text, 'a "frank exchange", quoting the envoy as saying "we disagree"', "The agency",
                   "The agency", "reported", (0, len(text)))  # fmt: skip
    repeat = claim(text, "frank exchange", "The agency", "The agency", "reported", (0, len(text)))
    envoy = claim(text, "we disagree", "the envoy", "the envoy", "saying", (0, len(text)))
    elsewhere = claim(text, "quoting the envoy", "The agency", "The agency", "reported", (0, len(text)))
    elsewhere.cue_span = [0, 3]  # a cue outside the report: its own statement, not a nested one
    elsewhere.speaker = "someone else"
    kept = outermost([report, repeat, envoy, elsewhere])
    assert kept == [report, elsewhere]


def test_a_report_cut_at_the_attribution_it_overran_is_then_nested_and_dropped():
    """'Ana Lee's new proposal ... is vague ..., experts say': a spurious report ('proposal' as a
    cue) ran past 'experts say'; once cut there it sits inside the experts' claim."""
    text = (
        "Mixed messages on leave plan.\n\nAna Lee's new proposal for paid maternity leave is vague about "
        "who would be eligible, labor-policy experts say, including a provision they say could exclude "
        "single mothers.\n"
    )
    doc = analyze(Article(text=text), Registry({"experts": {"name": "Experts", "aliases": ["experts"]}}))
    assert [c.id for c in doc.claims] == [f"c{n}" for n in range(1, len(doc.claims) + 1)]
    vague = [c for c in doc.claims if "is vague" in c.text or c.text.startswith("for paid")]
    assert [(c.speaker, c.party) for c in vague] == [("labor-policy experts", "experts")]


def test_a_doubtful_holder_does_not_swallow_a_sure_report_inside_it():
    outer = Claim(text="sharply with the account given by Trump, who told reporters that X", start=0, end=80,
                  speaker="The report", cue="contrasted", cue_span=[-11, -1], confidence=0.47)  # fmt: skip
    inner = Claim(
        text="that X", start=60, end=80, speaker="Trump", cue="told", cue_span=[45, 49], confidence=0.9
    )
    assert outermost([outer, inner]) == [outer, inner]
    adverb = Claim(
        text=outer.text,
        start=0,
        end=80,
        speaker="His account",
        cue="flatly",
        cue_span=[-7, -1],
        confidence=0.6,
    )
    assert outermost([adverb, inner]) == [adverb, inner]  # an adverb standing as the cue is no sure report
    sure = Claim(
        text=outer.text, start=0, end=80, speaker="An official", cue="said", cue_span=[-5, -1], confidence=0.9
    )
    assert outermost([sure, inner]) == [sure]  # a nested report is the outer speaker's account


def test_a_question_put_to_a_speaker_is_no_claim_of_the_analysis():
    text = (
        "Transfer\n\nAsked whether the club would consider offers for the striker, Vega said: "
        '"Not for a player who is so important to us."'
    )
    claims = analyze(Article(text=text), Registry({})).claims
    assert [(c.id, c.speaker, c.text) for c in claims] == [
        ("c1", "Vega", "Not for a player who is so important to us.")
    ]
