"""Atom (RFC 4287) and RSS 2.0 feeds of change events. Pure: entries in, bytes out.

One entry per change event of a call (new, deadline moved, closed, …), so a reader that polls
sees each event once, as a new entry; a call first seen already closed gets no "new" entry.
Ids are tag URIs derived from the event's content (source, call id, kind, instant,
before/after), not from database row ids, so they survive a rebuilt database.

`published` is the event's instant. `updated` is the event's instant, or the call's last
material change when that came later (the entry shows the call's current title, deadline and
budget): rendering the feed again never moves it, so the bytes, the ETag and the
Last-Modified of an unchanged feed stay the same.

Built with ElementTree, which escapes every text: a call title carrying markup reaches the
reader as text. Characters XML 1.0 forbids (control characters some portals leak) are dropped.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from fundwatch.changes import describe, is_closure
from fundwatch.digest import i18n
from fundwatch.digest.links import web_url
from fundwatch.models import Call, ChangeEvent, ChangeKind

ATOM_NS = "http://www.w3.org/2005/Atom"
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)
"""`updated` of a feed with no entries (a constant, so an empty feed keeps its ETag)."""
MAX_ENTRIES = 200

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedEvent:
    """A change event with the call it belongs to (plain inputs, like `build.Match`)."""

    event: ChangeEvent
    call: Call
    last_changed: datetime | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    """The call's web page; "" when the source gave no http(s) address."""
    summary: str
    published: datetime
    updated: datetime
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    self_url: str
    alternate_url: str
    language: str
    entries: tuple[Entry, ...]

    @property
    def updated(self) -> datetime:
        return max((e.updated for e in self.entries), default=EMPTY_FEED_UPDATED)


def tag_authority(base_url: str) -> str:
    """The host of the public base URL, for tag URIs (RFC 4151)."""
    return urlsplit(base_url).hostname or "localhost"


def event_tag(authority: str, event: ChangeEvent) -> str:
    """A stable id for one event: same event, same id, on any database."""
    material = json.dumps(
        [
            event.kind.value,
            event.at.astimezone(UTC).isoformat(),
            event.before,
            event.after,
            event.detail,
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:20]
    return (
        f"tag:{authority},2026:call/{quote(event.source, safe='')}/"
        f"{quote(event.source_id, safe='')}/event/{digest}"
    )


def build_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    events: Sequence[FeedEvent],
    language: str,
    zone: ZoneInfo,
    authority: str,
) -> Feed:
    """The newest `MAX_ENTRIES` events, newest first (events of one instant: the later given
    first, so the store's event order is kept)."""
    news = [fe for fe in events if not _born_closed(fe.event)]
    ordered = [
        fe for _, fe in sorted(enumerate(news), key=lambda p: (p[1].event.at, p[0]), reverse=True)
    ]
    entries = tuple(_entry(fe, language, zone, authority) for fe in ordered[:MAX_ENTRIES])
    return Feed(feed_id, _clean(title), self_url, alternate_url, i18n.lang_of(language), entries)


def _born_closed(event: ChangeEvent) -> bool:
    """A call first seen already closed is not news (it may still be matched for history)."""
    after = event.after
    return (
        event.kind is ChangeKind.NEW and isinstance(after, dict) and after.get("status") == "closed"
    )


def _entry(fe: FeedEvent, language: str, zone: ZoneInfo, authority: str) -> Entry:
    ev, call = fe.event, fe.call
    if ev.kind is ChangeKind.NEW:
        key = "entry_new"
    elif is_closure(ev):
        key = "entry_closed"
    else:
        key = "entry_changed"
    lines = [] if ev.kind is ChangeKind.NEW else [describe(ev, language, zone)]
    if call.issuer:
        lines.append(f"{i18n.say(language, 'issuer')}: {call.issuer}")
    programmes = ", ".join(
        dict.fromkeys(" ".join((p.label or p.code).split()) for p in call.programmes)
    )
    if programmes:
        lines.append(f"{i18n.say(language, 'programme')}: {programmes}")
    deadlines = sorted(d.at for d in call.deadlines)
    if deadlines:
        shown = ", ".join(i18n.when(d, language, zone) for d in deadlines)
        lines.append(f"{i18n.say(language, 'deadline')}: {shown}")
    elif call.rolling:
        lines.append(f"{i18n.say(language, 'deadline')}: {i18n.say(language, 'rolling')}")
    budget = call.budget.total_eur
    if budget is not None:
        lines.append(f"{i18n.say(language, 'budget')}: {i18n.money(budget, language)}")
    updated = ev.at
    if fe.last_changed is not None and fe.last_changed > updated:
        updated = fe.last_changed
    return Entry(
        id=event_tag(authority, ev),
        title=_clean(i18n.say(language, key, title=call.title)),
        link=web_url(call.url) or "",
        summary=_clean("\n".join(lines)),
        published=ev.at,
        updated=updated,
        categories=tuple(dict.fromkeys((ev.kind.value, *call.funds))),
    )


def _clean(text: str) -> str:
    return _XML_BAD.sub("", text)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _xml(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def atom(feed: Feed) -> bytes:
    """The feed as an Atom 1.0 document (UTF-8)."""
    a = f"{{{ATOM_NS}}}"
    root = ET.Element(f"{a}feed", {"{http://www.w3.org/XML/1998/namespace}lang": feed.language})
    _sub(root, f"{a}id", feed.id)
    _sub(root, f"{a}title", feed.title, type="text")
    _sub(root, f"{a}updated", _rfc3339(feed.updated))
    _sub(root, f"{a}link", rel="self", type="application/atom+xml", href=feed.self_url)
    _sub(root, f"{a}link", rel="alternate", type="text/html", href=feed.alternate_url)
    author = _sub(root, f"{a}author")
    _sub(author, f"{a}name", "fundwatch")
    _sub(root, f"{a}generator", "fundwatch")
    for e in feed.entries:
        entry = _sub(root, f"{a}entry")
        _sub(entry, f"{a}id", e.id)
        _sub(entry, f"{a}title", e.title, type="text")
        _sub(entry, f"{a}published", _rfc3339(e.published))
        _sub(entry, f"{a}updated", _rfc3339(e.updated))
        # an entry needs an alternate link; without a web page of its own, the site's
        href = e.link or feed.alternate_url
        _sub(entry, f"{a}link", rel="alternate", type="text/html", href=href)
        _sub(entry, f"{a}summary", e.summary, type="text")
        for term in e.categories:
            _sub(entry, f"{a}category", term=term)
    ET.register_namespace("", ATOM_NS)
    return _xml(root)


def rss(feed: Feed) -> bytes:
    """The feed as RSS 2.0 (UTF-8), with an atom:link to itself as validators ask.

    RSS has no content type: readers take titles and descriptions as HTML. So both carry
    HTML-escaped text (escaped once more by the XML): markup in a call title shows as text.
    """
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", html.escape(feed.title, quote=False))
    _sub(channel, "link", feed.alternate_url)
    _sub(channel, "description", html.escape(feed.title, quote=False))
    _sub(channel, "language", feed.language)
    _sub(channel, "lastBuildDate", format_datetime(feed.updated.astimezone(UTC), usegmt=True))
    _sub(channel, "generator", "fundwatch")
    _sub(channel, f"{{{ATOM_NS}}}link", rel="self", type="application/rss+xml", href=feed.self_url)
    for e in feed.entries:
        item = _sub(channel, "item")
        _sub(item, "title", html.escape(e.title, quote=False))
        if e.link:
            _sub(item, "link", e.link)
        _sub(item, "description", html.escape(e.summary, quote=False).replace("\n", "<br>"))
        _sub(item, "guid", e.id, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(e.published.astimezone(UTC), usegmt=True))
        for term in e.categories:
            _sub(item, "category", term)
    return _xml(root)
