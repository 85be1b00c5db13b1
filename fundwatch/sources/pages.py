"""Item and detail pages: remembered between runs, fetched again only when needed.

`DetailMemory` keeps each page in the source's KeyValueCache with a few strings saying what it
was fetched for; `item_page_text` reads a page from that memory when the item is known,
unchanged and the copy recent, and otherwise fetches it with a conditional GET. `page_text`
turns a page into its readable main text and refuses an error page served with status 200;
`html_truncated` tells a page cut before its end. Used by the ``rss`` kind (``follow_links``)
and by Piemonte's listing and detail pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup

from fundwatch.errors import ParseError
from fundwatch.normalize import html_to_text, one_line
from fundwatch.normalize.text import decode_html
from fundwatch.sources.base import FetchContext, KeyValueCache

__all__ = ["DetailMemory", "Remembered", "html_truncated", "item_page_text", "page_text"]


@dataclass(frozen=True)
class Remembered:
    body: bytes
    meta: dict[str, str]
    fetched_at: datetime


class DetailMemory:
    """Item pages kept in the source's KeyValueCache between runs, with a few strings that
    say what the page was fetched for (the caller compares them to decide on a refetch).

    Stored as one value per page: a JSON header line, then the body bytes.
    """

    def __init__(self, cache: KeyValueCache, prefix: str = "detail") -> None:
        self._cache = cache
        self._prefix = prefix

    def recall(self, key: str) -> Remembered | None:
        blob = self._cache.get(f"{self._prefix}:{key}")
        if not blob or b"\n" not in blob:
            return None
        head, body = blob.split(b"\n", 1)
        try:
            header: Any = json.loads(head)
            fetched_at = datetime.fromisoformat(header["fetched_at"])
            meta = {str(k): str(v) for k, v in dict(header.get("meta", {})).items()}
        except (ValueError, KeyError, TypeError):
            return None
        if fetched_at.tzinfo is None:
            return None
        return Remembered(body=body, meta=meta, fetched_at=fetched_at)

    def keep(self, key: str, body: bytes, meta: Mapping[str, str], fetched_at: datetime) -> None:
        header = json.dumps(
            {"fetched_at": fetched_at.isoformat(), "meta": dict(meta)}, sort_keys=True
        ).encode("utf-8")
        self._cache.put(f"{self._prefix}:{key}", header + b"\n" + body)


# Titles of error pages served with status 200; narrow on purpose, since a call's own title
# may well say "500 imprese" or "manutenzione delle strade".
_ERROR_TITLE = re.compile(
    r"^\s*(?:errore?|error|[45]\d\d)\b"
    r"|\b(?:page|pagina)\s+(?:not\s+found|non\s+trovata)|\bnot\s+found\b|\bnon\s+trovat[ao]\b"
    r"|\b(?:sito|site|servizio|service)\s+(?:temporaneamente\s+)?"
    r"(?:in\s+manutenzione|under\s+maintenance|non\s+disponibile|unavailable)"
    r"|\baccess\s+denied\b|\bforbidden\b",
    re.I,
)


_HTML_START = re.compile(rb"<html[\s>]", re.I)
_HTML_END = re.compile(rb"</html\s*>", re.I)


def html_truncated(body: bytes) -> bool:
    """Whether an HTML page stops before its closing ``</html>`` (a server error part way
    through the page, a cut connection). Such a page may lack its deadline or its status, so
    it is not kept as the item's copy. Bytes that are no HTML page are never "truncated"."""
    return _HTML_START.search(body[:4096]) is not None and not _HTML_END.search(body[-4096:])


def page_text(html: bytes, url: str = "") -> str:
    """The readable text of an item's page: its main content, without menus and footers.
    ParseError when the page is an error page served with status 200 (its title says so)."""
    soup = BeautifulSoup(decode_html(html), "lxml")
    title = one_line(soup.title.get_text()) if soup.title is not None else ""
    if _ERROR_TITLE.search(title):
        raise ParseError(f"an error page, not the item's page ({title!r})", url=url)
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript"]):
        tag.decompose()
    main = soup.select_one("main, article, [role=main], #content, .content") or soup.body
    return html_to_text(str(main)) if main is not None else ""


def item_page_text(
    key: str, url: str, stamp: str, ctx: FetchContext, memory: DetailMemory, refresh: timedelta
) -> str:
    """The text of an item's page: fetched (conditionally) when the item `key` is new, its
    `stamp` changed or its remembered copy is older than `refresh`; otherwise read from
    memory without a request. An empty, truncated or error page is a ParseError."""
    remembered = memory.recall(key)
    fresh = (
        remembered is not None
        and key in ctx.known
        and remembered.meta.get("stamp") == stamp
        and ctx.now - remembered.fetched_at < refresh
    )
    if remembered is not None and fresh:
        return page_text(remembered.body, url)
    resp = ctx.client.get(url, conditional=True)
    ctx.save_raw(f"page_{key}", resp.body)
    if not resp.body.strip():
        raise ParseError("empty item page", url=url)
    if html_truncated(resp.body):
        raise ParseError("item page truncated (no closing </html>)", url=url)
    text = page_text(resp.body, url)
    memory.keep(key, resp.body, {"stamp": stamp}, ctx.now)
    return text
