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
