"""Reading RSS 2.0, RSS 1.0 (RDF) and Atom documents into plain values, with lxml.

Used by the generic ``rss`` kind and by the site kinds that also publish a feed (Piemonte).
Quirks handled: a BOM or blank lines before the XML declaration; a declared encoding the bytes
do not honour (decoded leniently, then parsed with lxml's recover mode); titles and
descriptions carrying escaped HTML and entities; RFC 822 dates with zone names, W3C dates,
dates without zone (read in the zone given); items without guid (the link is the id); a
document cut before its root closes (kept, marked `Feed.truncated`). An HTML page served
instead of the feed, or bytes that are no XML at all, are a ParseError.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import etree

from fundwatch.errors import ParseError
from fundwatch.normalize import canonical_url, html_to_text, one_line, parse_datetime
from fundwatch.normalize.text import decode_lenient

__all__ = ["Feed", "FeedItem", "read_feed"]


@dataclass(frozen=True)
class FeedItem:
    """One item or entry, as plain values. Dates are aware (UTC) or None."""

    title: str
    link: str
    guid: str
    description_html: str
    content_html: str
    published: datetime | None
    updated: datetime | None
    categories: tuple[str, ...]

    @property
    def key(self) -> str:
        """The stable id: the guid (a URL guid in canonical form), else the canonical link."""
        guid = self.guid.strip()
        if guid:
            return canonical_url(guid) if guid.startswith(("http://", "https://")) else guid
        if self.link:
            return canonical_url(self.link)
        return ""

    @property
    def stamp(self) -> str:
        """What changes when the publisher updates the item."""
        when = self.updated or self.published
        text = f"{self.title}\n{self.description_html}\n{self.content_html}"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return f"{when.isoformat() if when else ''}|{digest}"


@dataclass(frozen=True)
class Feed:
    title: str
    link: str
    items: tuple[FeedItem, ...]
    next_url: str | None
    found: int
    """How many item elements the document held, readable or not."""
    truncated: bool = False
    """The document stops before its root element closes (a cut transfer): what was read is
    kept, but the feed cannot be taken as complete."""


_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_RECOVER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
_BOM = b"\xef\xbb\xbf"
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DECLARED = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)[\"']")
_FEED_ROOTS = {"rss", "RDF", "feed"}
_CLOSED = re.compile(rb"</\s*(?:[\w.-]+:)?(?:rss|RDF|feed)\s*>[\s\x00]*$")


def read_feed(raw: bytes, url: str = "", tz: ZoneInfo | None = None) -> Feed:
    """Read an RSS 2.0, RSS 1.0 (RDF) or Atom document.

    Raises ParseError when the bytes are not a feed (an HTML error page, garbage, nothing).
    Items without a title and without a link are counted in `found` but left out.
    """
    zone = tz or ZoneInfo("UTC")
    root = _xml_root(raw, url)
    name = etree.QName(root).localname
    if name not in _FEED_ROOTS:
        raise ParseError(f"not an RSS or Atom feed (the document is <{name}>)", url=url)
    base = url or _base_of(root)
    channel = _child(root, "channel")
    holder = channel if channel is not None and name == "rss" else root
    elements = [el for el in root.iter() if _local(el) in ("item", "entry")]
    items = [it for it in (_item(el, base, zone) for el in elements) if it is not None]
    return Feed(
        title=one_line(html_to_text(_text(_child(holder, "title")))),
        link=_link(holder, base),
        items=tuple(items),
        next_url=_rel_link(holder, "next", base),
        found=len(elements),
        truncated=_CLOSED.search(raw[-200:]) is None,
    )


def _xml_root(raw: bytes, url: str) -> etree._Element:
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    body = body.lstrip()
    if not body:
        raise ParseError("empty feed", url=url)
    try:
        return etree.fromstring(body, _STRICT)
    except etree.XMLSyntaxError:
        pass
    text = _DECLARATION.sub("", _decode_leniently(body), count=1)
    try:
        root = etree.fromstring(text, _RECOVER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"unreadable XML: {exc}", url=url) from exc
    if root is None:
        raise ParseError("unreadable XML: nothing could be recovered", url=url)
    return root


def _decode_leniently(body: bytes) -> str:
    """Decode bytes whose declared encoding may be wrong (see `decode_lenient`)."""
    declared = _DECLARED.search(body[:200])
    return decode_lenient(body, declared.group(1).decode("ascii") if declared else None)


def _item(el: etree._Element, base: str, tz: ZoneInfo) -> FeedItem | None:
    title = one_line(html_to_text(_text(_child(el, "title"))))
    link = _link(el, base)
    guid = _text(_child(el, "guid")) or _text(_child(el, "id"))
    about = el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") or ""
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    if not link and about:
        link = about
    if not title and not link:
        return None
    published = _date(el, ("pubDate", "published", "issued", "created"), tz)
    updated = _date(el, ("updated", "modified"), tz)
    if published is None:
        published = _date(el, ("date",), tz)
    categories = tuple(
        c
        for c in (
            one_line(html_to_text(cat.get("label") or cat.get("term") or _text(cat)))
            for cat in el
            if _local(cat) in ("category", "subject")
        )
        if c
    )
    return FeedItem(
        title=title,
        link=link,
        guid=guid,
        description_html=_text(_child(el, "description")) or _text(_child(el, "summary")),
        content_html=_text(_child(el, "encoded")) or _text(_child(el, "content")),
        published=published,
        updated=updated,
        categories=categories,
    )


def _date(el: etree._Element, names: tuple[str, ...], tz: ZoneInfo) -> datetime | None:
    for name in names:
        value = _text(_child(el, name))
        if not value:
            continue
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return (when if when.tzinfo else when.replace(tzinfo=tz)).astimezone(UTC)
        parsed = parse_datetime(value, tz)
        if parsed is not None:
            return parsed
    return None


def _link(el: etree._Element, base: str) -> str:
    """RSS ``<link>text</link>``, else Atom ``<link rel="alternate" href>`` (or one without rel)."""
    for child in el:
        if _local(child) != "link":
            continue
        href = child.get("href")
        if href is None:
            text = _text(child)
            if text:
                return urljoin(base, text)
            continue
        if child.get("rel", "alternate") == "alternate":
            return urljoin(base, href.strip())
    return ""


def _rel_link(el: etree._Element, rel: str, base: str) -> str | None:
    for child in el:
        if _local(child) == "link" and child.get("rel") == rel and child.get("href"):
            return urljoin(base, (child.get("href") or "").strip())
    return None


def _base_of(root: etree._Element) -> str:
    return root.get("{http://www.w3.org/XML/1998/namespace}base") or ""


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    for child in el:
        if _local(child) == name:
            return child
    return None


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    if el.get("type") in ("xhtml", "application/xhtml+xml"):
        return "".join(str(etree.tostring(c, encoding="unicode")) for c in el).strip()
    return "".join(str(t) for t in el.itertext()).strip()
