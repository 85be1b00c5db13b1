"""Text clean-up shared by every source: HTML to text, invisible characters, whitespace, and
the decoding of pages whose bytes do not match the charset they claim."""

from __future__ import annotations

import codecs
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


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf-8-sig"})


def _cp1252_bytes(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return err.object[err.start : err.end].decode("cp1252", errors="replace"), err.end


codecs.register_error("fundwatch-cp1252", _cp1252_bytes)


def decode_lenient(raw: bytes, declared: str | None = None) -> str:
    """Text from bytes whose encoding may not be what they claim. Bytes that are valid UTF-8
    are UTF-8 (whatever is declared); otherwise a `declared` charset other than UTF-8 (and
    known to Python) is used; otherwise each byte that is not valid UTF-8 is read as
    Windows-1252, the encoding Italian CMSs most often really send while claiming UTF-8 (a
    whole document in cp1252, or one pasted paragraph). "all’intervento" stays itself,
    instead of "all\ufffdintervento" or, were a whole feed decoded as cp1252 for one stray
    byte, "allâ\x80\x99intervento" in every other title."""
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared.strip().lower() not in _UTF8_NAMES:
        try:
            return raw.decode(declared.strip(), errors="replace")
        except LookupError:
            pass
    return body.decode("utf-8", errors="fundwatch-cp1252")


def decode_html(raw: bytes) -> str:
    """The text of an HTML page's bytes, by its ``<meta>`` charset (see `decode_lenient`)."""
    declared = _META_CHARSET.search(raw[:4096])
    return decode_lenient(raw, declared.group(1).decode("ascii", "replace") if declared else None)


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
