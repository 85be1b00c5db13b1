"""Generic RSS 2.0 / RSS 1.0 / Atom feed of calls, configured entirely in ``config/sources.yaml``.

Site: any portal that publishes its calls as a feed (agencies, chambers of commerce, regions).
Endpoint: ``params.url``, GET with conditional validators; paged only when the feed carries an
RFC 5005 ``<link rel="next">`` (Atom, or ``atom:link`` inside RSS). With ``follow_links`` the
item's page is fetched once (new or changed items only, conditional GET) and its text read
for a deadline.
Quirks handled: a BOM or blank lines before the XML declaration; a declared encoding the bytes
do not honour (decoded leniently, then parsed with lxml's recover mode); titles and
descriptions carrying escaped HTML and entities; RFC 822 dates with zone names, W3C dates,
dates without zone (read in ``params.timezone``); items without guid (the link is the id).
An HTML page served instead of the feed, or bytes that are no XML at all, are a ParseError.
Fixtures: ``tests/fixtures/piemonte/piemonte_tutti_rss.xml`` (a real RSS 2.0 feed of calls).

The feed reader (`read_feed`) and the between-runs page memory (`DetailMemory`) are used by
the site kinds that also publish a feed (Piemonte).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bs4 import BeautifulSoup
from lxml import etree
from pydantic import Field, field_validator

from fundwatch.errors import ParseError, SourceError
from fundwatch.models import Audience, Call, Deadline, Programme, Territory
from fundwatch.normalize import canonical_url, html_to_text, one_line, parse_datetime
from fundwatch.normalize.audiences import AUDIENCE_CODES, audiences_from_text
from fundwatch.normalize.cues import CueResult, find_deadline, status_from_words
from fundwatch.normalize.funds import FUNDS, fund_label, funds_from_text
from fundwatch.normalize.territories import lookup, territories_from_text
from fundwatch.sources.base import (
    FetchContext,
    Harvest,
    KeyValueCache,
    SourceKind,
    SourceParams,
)
from fundwatch.sources.guards import check_shape

__all__ = ["KIND", "DetailMemory", "Feed", "FeedItem", "RssParams", "read_feed"]

StatusCode = Literal["open", "forthcoming", "closed", "withdrawn"]

_FOREIGN_NUTS = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}")


class RssParams(SourceParams):
    url: str = Field(description="The feed URL (RSS 2.0, RSS 1.0 or Atom).")
    language: str = Field(default="it", description="Language of titles and descriptions.")
    timezone: str = Field(
        default="Europe/Rome", description="Zone for dates written without one (IANA name)."
    )
    issuer: str = Field(default="", description="Who publishes the calls, as shown to readers.")
    audiences: list[str] = Field(
        default_factory=list,
        description="Audience codes every item gets (shared vocabulary, e.g. 'impresa').",
    )
    territories: list[str] = Field(
        default_factory=list,
        description="Territory codes every item gets: NUTS ('ITI4'), ISTAT ('058091'), 'IT', 'EU'.",
    )
    funds: list[str] = Field(
        default_factory=list, description="Fund tags every item gets (e.g. 'FESR', 'FSE+')."
    )
    detect_in_text: bool = Field(
        default=True,
        description="Also look for audiences, territories and funds in each item's text.",
    )
    call_type: str = Field(
        default="", description="call_type of every item ('grant', 'procurement', ...)."
    )
    follow_links: bool = Field(
        default=False,
        description="Fetch each new or changed item's page and read its deadline there.",
    )
    refresh_days: int = Field(
        default=7, ge=1, description="With follow_links: re-read an unchanged page after this."
    )
    status_words: dict[StatusCode, list[str]] = Field(
        default_factory=dict,
        description="Site words for the stated status, matched in categories and short lines "
        "of the description; without them the shared Italian/English status words apply.",
    )
    max_pages: int = Field(
        default=10, ge=1, le=200, description="Most feed pages followed through rel=next."
    )

    @field_validator("audiences")
    @classmethod
    def _known_audiences(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in AUDIENCE_CODES]
        if unknown:
            raise ValueError(f"unknown audience {unknown[0]!r}; valid: {', '.join(AUDIENCE_CODES)}")
        return value

    @field_validator("territories")
    @classmethod
    def _known_territories(cls, value: list[str]) -> list[str]:
        for code in value:
            if lookup(code.strip()) is None and not _FOREIGN_NUTS.fullmatch(code.strip().upper()):
                raise ValueError(f"unknown territory {code!r}: use a NUTS, ISTAT or ISO code")
        return value

    @field_validator("funds")
    @classmethod
    def _known_funds(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in FUNDS and not funds_from_text(name):
                raise ValueError(f"unknown fund {name!r}; valid: {', '.join(FUNDS)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


# -- reading feeds ---------------------------------------------------------------------------


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
    """Decode bytes whose declared encoding may be wrong: UTF-8, then the declared one, then
    Windows-1252 (what Italian CMSs most often really send), then Latin-1 (never fails)."""
    declared = _DECLARED.search(body[:200])
    candidates = ["utf-8"]
    if declared:
        candidates.append(declared.group(1).decode("ascii"))
    candidates.append("cp1252")
    for encoding in candidates:
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("latin-1")


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


# -- pages remembered between runs -----------------------------------------------------------


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


# -- items to calls --------------------------------------------------------------------------


def _zone(params: RssParams) -> ZoneInfo:
    return ZoneInfo(params.timezone)


def _territory(code: str) -> Territory:
    """A configured code as a Territory: labelled from the shared table when it is known."""
    info = lookup(code.strip())
    if info is not None:
        return info.as_territory()
    upper = code.strip().upper()
    if upper == "EU":
        return Territory(code="EU", scheme="eu")
    if len(upper) == 2 and upper.isalpha():
        return Territory(code=upper, scheme="country")
    if upper.isdigit():
        return Territory(code=upper, scheme="istat")
    return Territory(code=upper, scheme="nuts")


def _fund(name: str, lang: str) -> Programme:
    """A configured fund as the shared vocabulary names it ("FESR" -> ERDF)."""
    if name in FUNDS:
        return Programme(code=name, label=fund_label(name, lang), kind="fund")
    found = funds_from_text(name, lang)
    if found:
        return found[0]
    return Programme(code=name, label=name, kind="fund")


def _stated_status(item: FeedItem, text: str, params: RssParams) -> str:
    """The site's own status word: from categories, else from a short line of the description
    that is only a status label ("Esito", "Stato: aperto"). Body prose is never read for it."""
    labels = [*item.categories]
    labels += [line for line in text.splitlines() if 0 < len(line) <= 40]
    for label in labels:
        bare = re.sub(r"^(?:stato|status)\s*:\s*", "", label.strip(), flags=re.I).rstrip(".")
        if params.status_words:
            for words in params.status_words.values():
                for word in words:
                    if bare.lower() == word.lower():
                        return bare
        elif len(bare.split()) <= 3 and status_from_words(bare):
            return bare
    return ""


def _unique(values: list[Any]) -> tuple[Any, ...]:
    seen: dict[Any, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return tuple(seen)


def item_call(item: FeedItem, params: RssParams, source: str, page_text: str = "") -> Call:
    """One feed item as a Call. `page_text` is the text of the item's own page, when fetched:
    read for a deadline only when the item itself states none."""
    tz = _zone(params)
    summary = html_to_text(item.description_html) or html_to_text(item.content_html)
    body = html_to_text(item.content_html) if item.content_html else summary
    cue = find_deadline(f"{item.title}\n{body}", tz)
    if cue.deadline is None and page_text:
        from_page = find_deadline(page_text, tz)
        cue = CueResult(from_page.deadline, cue.rolling or from_page.rolling, from_page.evidence)
    text = f"{item.title}\n{body}"
    audiences: list[Audience] = [Audience(code=c) for c in params.audiences]
    territories: list[Territory] = [_territory(c) for c in params.territories]
    lang = params.language if params.language in ("it", "en") else "en"
    funds: list[Programme] = [_fund(name, lang) for name in params.funds]
    if params.detect_in_text:
        audiences += audiences_from_text(text)
        territories += territories_from_text(text)
        funds += funds_from_text(text, lang)
    extra: dict[str, str] = {}
    if item.published:
        extra["published"] = item.published.isoformat()
    if item.updated:
        extra["updated"] = item.updated.isoformat()
    if cue.evidence:
        extra["deadline_evidence"] = cue.evidence
    return Call(
        source=source,
        source_id=item.key,
        url=item.link or item.key,
        language=params.language,
        titles={params.language: item.title or item.key},
        summary=summary,
        issuer=params.issuer,
        programmes=_unique_by_code(funds),
        audiences=_unique_by_code(audiences),
        territories=_unique_by_code(territories),
        deadlines=(Deadline(at=cue.deadline),) if cue.deadline else (),
        rolling=cue.rolling,
        stated_status=_stated_status(item, summary, params),
        call_type=params.call_type,
        keywords=_unique(list(item.categories)),
        extra=extra,
    )


def _unique_by_code(values: list[Any]) -> tuple[Any, ...]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(value.code, value)
    return tuple(seen.values())


def _calls(feed: Feed, params: RssParams, source: str, url: str) -> list[Call]:
    readable = [it for it in feed.items if it.key]
    check_shape(len(readable), feed.found, None, url)
    return [item_call(it, params, source) for it in readable]


def _parse(raw: bytes, params: RssParams, source: str) -> list[Call]:
    feed = read_feed(raw, params.url, _zone(params))
    return _calls(feed, params, source, params.url)


# -- fetching --------------------------------------------------------------------------------


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


def page_text(html: bytes, url: str = "") -> str:
    """The readable text of an item's page: its main content, without menus and footers.
    ParseError when the page is an error page served with status 200 (its title says so)."""
    soup = BeautifulSoup(html, "lxml")
    title = one_line(soup.title.get_text()) if soup.title is not None else ""
    if _ERROR_TITLE.search(title):
        raise ParseError(f"an error page, not the item's page ({title!r})", url=url)
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "noscript"]):
        tag.decompose()
    main = soup.select_one("main, article, [role=main], #content, .content") or soup.body
    return html_to_text(str(main)) if main is not None else ""


def _fetch(params: RssParams, ctx: FetchContext) -> Harvest:
    tz = _zone(params)
    notes: list[str] = []
    complete = True
    items: dict[str, FeedItem] = {}
    found = readable = 0
    url: str | None = params.url
    visited: set[str] = set()
    pages = 0
    while url and url not in visited:
        if pages == params.max_pages:
            complete = False
            notes.append(f"stopped after {pages} feed pages; {url} not read")
            break
        visited.add(url)
        resp = ctx.client.get(url, conditional=True)
        ctx.save_raw(f"feed_{pages}.xml", resp.body)
        feed = read_feed(resp.body, url, tz)
        found += feed.found
        if feed.truncated:
            complete = False
            notes.append(f"feed page {pages} truncated ({url})")
        for item in feed.items:
            if item.key:
                readable += 1
                items.setdefault(item.key, item)
        pages += 1
        url = feed.next_url
    check_shape(readable, found, ctx.last_good_count, params.url)
    calls: list[Call] = []
    memory = DetailMemory(ctx.cache, "rss")
    for item in items.values():
        text = ""
        if params.follow_links and item.link:
            try:
                text = _item_page(item, params, ctx, memory)
            except SourceError as exc:
                complete = False
                notes.append(f"item page not read: {exc}")
                kept = memory.recall(item.key)
                text = page_text(kept.body, item.link) if kept is not None else ""
        calls.append(item_call(item, params, ctx.source_id, text))
    return Harvest(calls=calls, complete=complete, notes=notes)


def _item_page(item: FeedItem, params: RssParams, ctx: FetchContext, memory: DetailMemory) -> str:
    """The text of the item's page: fetched (conditionally) when the item is new, changed or
    its remembered copy is old; otherwise read from memory without a request."""
    remembered = memory.recall(item.key)
    fresh = (
        remembered is not None
        and item.key in ctx.known
        and remembered.meta.get("stamp") == item.stamp
        and ctx.now - remembered.fetched_at < timedelta(days=params.refresh_days)
    )
    if remembered is not None and fresh:
        return page_text(remembered.body, item.link)
    resp = ctx.client.get(item.link, conditional=True)
    ctx.save_raw(f"page_{item.key}", resp.body)
    if not resp.body.strip():
        raise ParseError("empty item page", url=item.link)
    text = page_text(resp.body, item.link)
    memory.keep(item.key, resp.body, {"stamp": item.stamp}, ctx.now)
    return text


KIND: SourceKind[RssParams] = SourceKind(
    name="rss",
    description="Any RSS 2.0 / RSS 1.0 / Atom feed of calls, configured in sources.yaml.",
    params=RssParams,
    fetch=_fetch,
    parse=_parse,
)
