"""Text clean-up shared by every source: HTML to text, invisible characters, whitespace."""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCKS = (
    *["p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "ul", "ol"],
    *["dl", "dt", "dd", "details", "summary", "article", "main", "blockquote"],
)


def clean_text(text: str | None) -> str:
    """Remove invisible characters, fold runs of spaces, normalise line ends; NFC."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(text: str | None) -> str:
    """Clean text folded onto one line (titles, labels)."""
    return " ".join(clean_text(text).split())


def html_to_text(html: str | None) -> str:
    """Readable plain text from an HTML fragment: block elements become line breaks,
    entities are decoded, Office markup and highlighting tags disappear."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "head", "title", "meta", "xml"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return clean_text(soup.get_text())
