"""Sentence and paragraph splitting keeps exact offsets and never crosses a paragraph break."""

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stance.segment import paragraphs, sentences

SEED = Path(__file__).resolve().parent.parent / "seeds" / "hanoi-afp-2019-03-01.txt"


def _texts(text):
    return [text[s:e] for s, e in sentences(text)]


def test_splits_sentences_with_offsets():
    text = "The minister arrived. She said talks would resume! Did they? Nobody knows."
    assert _texts(text) == [
        "The minister arrived.",
        "She said talks would resume!",
        "Did they?",
        "Nobody knows.",
    ]


def test_blank_line_ends_a_paragraph_even_without_punctuation():
    text = "Rebels reject truce offer\n\nLAGOS, May 2 (Reuters) - The rebels said no.\n\nTalks go on."
    assert _texts(text) == [
        "Rebels reject truce offer",
        "LAGOS, May 2 (Reuters) - The rebels said no.",
        "Talks go on.",
    ]
    assert next(text[s:e] for s, e in paragraphs(text)) == "Rebels reject truce offer"


def test_hard_wrapped_lines_stay_in_one_sentence():
    text = (
        "The opposition leader on Tuesday accused the governing party of rigging\n"
        "the vote in three provinces, a charge the election commission rejected\n"
        "as baseless and politically motivated by people who lost the count.\n"
    )
    assert len(sentences(text)) == 1


def test_single_line_breaks_separate_paragraphs_in_unwrapped_text():
    text = "Mayor Says Budget Is Balanced\nThe mayor said the budget was balanced. Critics disagreed.\nMore soon."
    assert _texts(text) == [
        "Mayor Says Budget Is Balanced",
        "The mayor said the budget was balanced.",
        "Critics disagreed.",
        "More soon.",
    ]


def test_title_opening_a_paragraph_is_not_a_sentence_of_its_own():
    text = "He left early.\n\nMr. Okafor said the bill would pass. Lin agreed."
    assert _texts(text) == ["He left early.", "Mr. Okafor said the bill would pass.", "Lin agreed."]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "...", "“", "😀 ok", "漢字です。 Next one.", "a\r\nb"])
def test_odd_input_gives_valid_spans(text):
    spans = sentences(text)
    for s, e in spans:
        assert 0 <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
    assert spans == sorted(spans)


def test_seed_sentences_are_ordered_disjoint_and_cover_the_words():
    text = SEED.read_text(encoding="utf-8")
    spans = sentences(text)
    assert len(spans) > 30
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2
    covered = "".join(text[s:e] for s, e in spans)
    assert sum(c.isalnum() for c in covered) == sum(c.isalnum() for c in text)


def test_hard_wrap_is_told_by_lines_of_40_to_100_characters_followed_by_another_line():
    """Three of four inner lines at 40-100 characters (the bounds included) is wrapped text, where
    a single line break joins; at 39 or 101 characters the lines are paragraphs of their own."""
    for size, wrapped in ((40, True), (100, True), (39, False), (101, False)):
        line = ("word " * 30)[: size - 1] + "x"
        text = "\n".join([line, line, line, "short", "end"]) + "\n\n"
        assert len(paragraphs(text)) == (1 if wrapped else 5), size


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab. \t\r\n\u00a0", max_size=40))
def test_line_breaks_cut_the_same_paragraphs_as_breaks_with_their_leading_white_space(text):
    """_LINE_BREAK leaves white space before a line break to the paragraph, which is trimmed."""
    import re

    from stance.segment import _LINE_BREAK, _paragraphs

    assert _paragraphs(text, _LINE_BREAK) == _paragraphs(text, re.compile(r"\s*\n\s*"))
