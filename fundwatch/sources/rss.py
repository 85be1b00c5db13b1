"""Generic RSS 2.0 / RSS 1.0 / Atom feed of calls, configured entirely in ``config/sources.yaml``.

Site: any portal that publishes its calls as a feed (agencies, chambers of commerce, regions).
Endpoint: ``params.url``, GET with conditional validators; paged only when the feed carries an
RFC 5005 ``<link rel="next">`` (Atom, or ``atom:link`` inside RSS). With ``follow_links`` the
item's page is fetched once (new or changed items only, conditional GET) and its text read
for a deadline.
Quirks handled: those of any feed (BOM, wrong declared encodings, escaped HTML, dates with and
without zone, items without guid: see `fundwatch.sources.feeds`); an HTML page served instead
of the feed, or bytes that are no XML at all, are a ParseError; an error page served with 200
as an item's page is an error for that item (`fundwatch.sources.pages`).
Fixtures: ``tests/fixtures/piemonte/piemonte_tutti_rss.xml`` (a real RSS 2.0 feed of calls).

The feed reader lives in `fundwatch.sources.feeds`, the between-runs page memory in
`fundwatch.sources.pages`; this module is the ``rss`` kind: its params, items to calls, fetch.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import Field

from fundwatch.errors import SourceError
from fundwatch.models import Audience, Call, Deadline, Programme, Territory
from fundwatch.normalize import html_to_text
from fundwatch.normalize.audiences import audiences_from_text
from fundwatch.normalize.cues import CueResult, find_deadline, status_from_words
from fundwatch.normalize.funds import funds_from_text
from fundwatch.normalize.territories import territories_from_text
from fundwatch.sources.base import FetchContext, Harvest, SourceKind
from fundwatch.sources.feeds import Feed, FeedItem, read_feed
from fundwatch.sources.guards import check_shape
from fundwatch.sources.pages import DetailMemory, item_page_text, page_text
from fundwatch.sources.site_defaults import SiteDefaults, TypeRule

__all__ = ["KIND", "RssParams"]

StatusCode = Literal["open", "forthcoming", "closed", "withdrawn"]


FeedPart = Literal["title", "link", "categories", "description"]


def _feed_parts() -> list[FeedPart]:
    return ["title", "link", "categories"]


class FeedTypeRule(TypeRule):
    """A feed item re-classified by its texts (see `TypeRule`)."""

    match_in: list[FeedPart] = Field(
        default_factory=_feed_parts, description="Which texts of an item the patterns look at."
    )


class RssParams(SiteDefaults):
    url: str = Field(description="The feed URL (RSS 2.0, RSS 1.0 or Atom).")
    call_type: str = Field(
        default="", description="call_type of every item ('grant', 'procurement', ...)."
    )
    call_types: list[FeedTypeRule] = Field(
        default_factory=list,
        description="Rules that re-classify items by their title, link, categories or "
        "description (e.g. a 'gare-appalto' link is procurement); the first match wins.",
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


# -- items to calls --------------------------------------------------------------------------


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
    tz = params.zone
    summary = html_to_text(item.description_html) or html_to_text(item.content_html)
    body = html_to_text(item.content_html) if item.content_html else summary
    cue = find_deadline(f"{item.title}\n{body}", tz)
    if cue.deadline is None and page_text:
        from_page = find_deadline(page_text, tz)
        cue = CueResult(from_page.deadline, cue.rolling or from_page.rolling, from_page.evidence)
    text = f"{item.title}\n{body}"
    audiences: list[Audience] = params.default_audiences()
    territories: list[Territory] = params.default_territories()
    lang = params.language if params.language in ("it", "en") else "en"
    funds: list[Programme] = params.default_funds(lang)
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
        call_type=_call_type(item, summary, params),
        keywords=_unique(list(item.categories)),
        extra=extra,
    )


def _call_type(item: FeedItem, description: str, params: RssParams) -> str:
    texts = {
        "title": item.title,
        "link": item.link or item.key,
        "categories": "\n".join(item.categories),
        "description": description,
    }
    for rule in params.call_types:
        if rule.matches(texts, rule.match_in):
            return rule.call_type
    return params.call_type


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
    feed = read_feed(raw, params.url, params.zone)
    return _calls(feed, params, source, params.url)


# -- fetching --------------------------------------------------------------------------------


def _fetch(params: RssParams, ctx: FetchContext) -> Harvest:
    tz = params.zone
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
                text = item_page_text(
                    item.key,
                    item.link,
                    item.stamp,
                    ctx,
                    memory,
                    timedelta(days=params.refresh_days),
                )
            except SourceError as exc:
                complete = False
                notes.append(f"item page not read: {exc}")
                kept = memory.recall(item.key)
                text = page_text(kept.body, item.link) if kept is not None else ""
        calls.append(item_call(item, params, ctx.source_id, text))
    return Harvest(calls=calls, complete=complete, notes=notes)


KIND: SourceKind[RssParams] = SourceKind(
    name="rss",
    description="Any RSS 2.0 / RSS 1.0 / Atom feed of calls, configured in sources.yaml.",
    params=RssParams,
    fetch=_fetch,
    parse=_parse,
)
