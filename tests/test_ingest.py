import pytest

from stance.ingest import InputError, clean_text, decode, html_to_text, make_article


def test_clean_text_normalises_line_endings_controls_and_surrogates():
    assert clean_text("a\r\nb\rc\x00d\x07e") == "a\nb\ncde"
    assert clean_text("x\ud800y") == "x\ufffdy"
    assert clean_text("tab\tkept") == "tab\tkept"


def test_decode_utf8_bom_and_charset():
    assert decode("é".encode()) == "é"
    assert decode(b"\xef\xbb\xbfhi") == "hi"
    assert decode("é".encode("latin-1"), "latin-1") == "é"
    with pytest.raises(InputError) as error:
        decode(b"\xff\xfe\xfa")
    assert error.value.status == 400


def test_make_article_validates_fields():
    article = make_article({"text": "  Talks failed, she said.  ", "source": "AFP"})
    assert article.text == "  Talks failed, she said.  "
    assert article.source == "AFP"
    assert article.title == "Talks failed, she said."
    for bad, status in [
        ({}, 422),
        ({"text": 3}, 422),
        ({"text": "   \n "}, 422),
        ({"text": "x", "title": 5}, 422),
    ]:
        with pytest.raises(InputError) as error:
            make_article(bad)
        assert error.value.status == status
    with pytest.raises(InputError) as error:
        make_article({"text": "a" * 600_000})
    assert error.value.status == 413


def test_html_is_reduced_to_its_text_and_scripts_dropped():
    page = (
        "<html><head><title>Port strike</title><script>alert(1)</script></head><body>"
        "<p>The union said the strike would go on.</p><p>Owners said it was over.</p></body></html>"
    )
    text, _ = html_to_text(page)
    assert "The union said the strike would go on." in text
    assert "alert" not in text
    article = make_article({"text": page}, html=True)
    assert "Owners said it was over." in article.text
