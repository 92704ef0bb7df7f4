"""Ingest: turn what a client sends (plain text, HTML, bytes) into article text.

The text returned here is the text every offset refers to, so all clean-up
happens once, here: line endings, control characters, lone surrogates.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from stance.document import Article

MAX_TEXT_CHARS = 500_000
MAX_FIELD_CHARS = 2_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class InputError(ValueError):
    """The input cannot be analysed; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


def clean_text(text: str) -> str:
    """Normalise line endings, drop control characters and lone surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def decode(body: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8 (with BOM), else an error."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    for encoding in filter(None, [charset, "utf-8"]):
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError("the body is not valid UTF-8 (or the declared charset)", status=400)


def html_to_text(html: str) -> tuple[str, dict[str, str | None]]:
    """Extract an article's main text and metadata from a page, with trafilatura."""
    import trafilatura

    text = None
    meta: dict[str, str | None] = {}
    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
        doc = trafilatura.extract_metadata(html)
        if doc is not None:
            meta = {"title": doc.title, "source": doc.sitename, "published": doc.date, "url": doc.url}
    except Exception:  # trafilatura raises many kinds on broken markup; fall back below
        text = None
    if not text:
        # Pages too small for trafilatura's heuristics: keep every text node.
        from lxml import html as lxml_html

        try:
            tree = lxml_html.fromstring(html)
            for bad in tree.xpath("//script|//style|//noscript|//template"):
                bad.drop_tree()
            text = "\n\n".join(
                " ".join(t.split()) for t in tree.xpath("//body//text()|/html/text()") if t.strip()
            )
        except Exception:
            text = ""
    return text, meta


def make_article(fields: dict[str, Any], *, html: bool = False) -> Article:
    """Validate the fields a client sent and build the Article to analyse."""
    if not isinstance(fields, dict):
        raise InputError("each article must be a JSON object with a 'text' field")
    text = fields.get("text")
    if "html" in fields and text is None:
        text, html = fields.get("html"), True
    if not isinstance(text, str):
        raise InputError("'text' is required and must be a string", field="text")
    if len(text) > MAX_TEXT_CHARS * 4:
        raise InputError(f"'text' is longer than {MAX_TEXT_CHARS} characters", status=413, field="text")
    meta: dict[str, str | None] = {}
    if html:
        text, meta = html_to_text(text)
    text = clean_text(text)
    if not text.strip():
        raise InputError("'text' is empty", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"'text' is longer than {MAX_TEXT_CHARS} characters", status=413, field="text")
    values: dict[str, str | None] = {}
    for name in ("title", "source", "published", "url"):
        value = fields.get(name, meta.get(name))
        if value is not None and not isinstance(value, str):
            raise InputError(f"'{name}' must be a string", field=name)
        if value is not None:
            value = clean_text(value).strip()[:MAX_FIELD_CHARS] or None
        values[name] = value
    if values["title"] is None:
        values["title"] = guess_title(text)
    return Article(text=text, **values)


HTML_SUFFIXES = (".html", ".htm")


def read_article_file(path: Path) -> Article:
    """An article file as the service would ingest it: text, or a whole HTML page by its suffix."""
    return make_article({"text": decode(path.read_bytes())}, html=path.suffix.lower() in HTML_SUFFIXES)


def guess_title(text: str) -> str:
    """The first line, when it reads like a headline."""
    first = text.strip().split("\n", 1)[0].strip()
    return first[:200] if 0 < len(first) <= 200 else first[:120] + "…"
