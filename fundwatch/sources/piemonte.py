"""Regione Piemonte calls: bandi.regione.piemonte.it (Drupal 9, server-rendered).

Endpoints:
- RSS ``/<section>/rss.xml`` (the 10 newest items): a cheap change signal; an item whose
  pubDate moved gets its detail page read again.
- Listing ``/<section>?field_stato_target_id=19&page=N`` (19 = "Aperto"), optionally filtered by
  audience (``field_target_target_id``) and fund (``field_risorse_target_id``, 85 = FSE+); the
  ids come from the listing's own filter ``<select>``s. Teasers carry title, status, procedure
  and themes, never dates.
- Detail page per call: "Domande dal" and "Scadenza" (``<time datetime="…Z">`` in UTC beside
  the local text), "Dotazione finanziaria", "Rivolto a", "Risorse" (funds), attachments. Read
  only for new or changed items, with a conditional GET; other items reuse the copy of the
  last run kept in the source cache.
Quirks: Drupal clamps a page number past the end to the last page (paging stops when a page
brings nothing new, and at the header's "pagina 1 di N"); "Bando a sportello" calls have no
deadline (rolling); pre-information pages are another node type (``avviso-preinformazione-ue``,
status "pre-informazione") whose opening is free text ("metà Giugno 2026", kept in
``extra['opening_text']``); procurement pages ("Gare d'appalto") are kept with
``call_type="procurement"`` so profiles can exclude them.
Fixtures: ``tests/fixtures/piemonte/`` (RSS, one listing page, two detail pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from itertools import product

from pydantic import Field, field_validator

from fundwatch.errors import FetchError, ParseError, ShapeChanged, SourceError
from fundwatch.models import Call
from fundwatch.normalize import ROME
from fundwatch.sources.base import FetchContext, Harvest, SourceKind, SourceParams
from fundwatch.sources.feeds import read_feed
from fundwatch.sources.guards import check_shape
from fundwatch.sources.pages import DetailMemory, Remembered, html_truncated
from fundwatch.sources.piemonte_detail import detail_call
from fundwatch.sources.piemonte_pages import (
    BASE_URL,
    Teaser,
    feed_calls,
    parse_listing,
    payload_kind,
    soup_of,
    source_path,
    teaser_call,
)

# Ids of the listing's exposed filters, as the <select>s of the listing page give them.
STATUS_IDS = {
    "aperto": "19",
    "pre-informazione": "87",
    "scaduto": "20",
    "esito": "21",
    "annullato": "22",
    "sospeso": "23",
}
AUDIENCE_IDS = {
    "cittadini": "1",
    "imprese": "2",
    "enti-pubblici": "3",
    "terzo-settore": "4",
}
FUND_IDS = {
    "FSE+": "85",
    "JTF": "84",
    "NextGenerationEU": "86",
    "risorse-statali": "17",
    "risorse-regionali": "16",
    "FSC": "14",
    "FSE": "15",
    "FESR": "13",
    "FEASR": "12",
    "FAMI": "10",
    "FEAG": "11",
    "FEAMP": "49",
    "FEAMPA": "89",
    "OCM": "79",
    "altro": "18",
}
MIN_DETAILS_FOR_RATIO = 5


def _check(values: list[str], table: dict[str, str], what: str) -> list[str]:
    by_lower = {k.lower(): k for k in table}
    out = []
    for value in values:
        name = by_lower.get(value.strip().lower())
        if name is None:
            raise ValueError(f"unknown {what} {value!r}; valid: {', '.join(table)}")
        out.append(name)
    return out


class PiemonteParams(SourceParams):
    base_url: str = Field(default=BASE_URL, description="Site root, without trailing slash.")
    section: str = Field(
        default="contributi-finanziamenti",
        pattern=r"^[a-z0-9-]+$",
        description="Listing section: contributi-finanziamenti, gare-appalto, tutti, ...",
    )
    statuses: list[str] = Field(
        default_factory=lambda: ["aperto"],
        description=f"Listing status filters, one walk each: {', '.join(STATUS_IDS)}.",
    )
    audiences: list[str] = Field(
        default_factory=list,
        description=f"Audience filters (empty: all), one walk each: {', '.join(AUDIENCE_IDS)}.",
    )
    funds: list[str] = Field(
        default_factory=list,
        description=f"Fund filters (empty: all), one walk each: {', '.join(FUND_IDS)}.",
    )
    rss: bool = Field(default=True, description="Read the section's RSS feed as change signal.")
    details: bool = Field(
        default=True, description="Read detail pages (dates, money, audiences, funds)."
    )
    refresh_days: int = Field(
        default=7, ge=1, description="Re-read an unchanged detail page after this many days."
    )
    max_pages: int = Field(
        default=30, ge=1, le=500, description="Most listing pages read per filter combination."
    )

    @field_validator("base_url")
    @classmethod
    def _no_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one status is needed")
        return _check(value, STATUS_IDS, "status")

    @field_validator("audiences")
    @classmethod
    def _audiences(cls, value: list[str]) -> list[str]:
        return _check(value, AUDIENCE_IDS, "audience")

    @field_validator("funds")
    @classmethod
    def _funds(cls, value: list[str]) -> list[str]:
        return _check(value, FUND_IDS, "fund")


def _parse(raw: bytes, params: PiemonteParams, source: str) -> list[Call]:
    """Any of the three payloads: RSS feed, listing page or detail page (detected)."""
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<rss")) and b"<html" not in head:
        return feed_calls(raw, source)
    soup = soup_of(raw)
    kind = payload_kind(raw, soup)
    if kind == "listing":
        listing = parse_listing(raw, params.base_url + "/", soup)
        return [teaser_call(t, source) for t in listing.teasers]
    if kind == "detail":
        return [detail_call(raw, source, soup=soup)]
    raise ParseError(
        "neither the RSS feed nor a listing or detail page of bandi.regione.piemonte.it "
        "(an error page?)"
    )


# -- fetch ----------------------------------------------------------------------------------


def _queries(params: PiemonteParams) -> Iterator[dict[str, str]]:
    audiences: list[str | None] = [*params.audiences] or [None]
    funds: list[str | None] = [*params.funds] or [None]
    for status, audience, fund in product(params.statuses, audiences, funds):
        query = {"field_stato_target_id": STATUS_IDS[status]}
        if audience:
            query["field_target_target_id"] = AUDIENCE_IDS[audience]
        if fund:
            query["field_risorse_target_id"] = FUND_IDS[fund]
        yield query


class _Run:
    """One fetch: the listing walk, the feed signal and the detail hop, with its notes."""

    def __init__(self, params: PiemonteParams, ctx: FetchContext) -> None:
        self.params = params
        self.ctx = ctx
        self.notes: list[str] = []
        self.complete = True
        self.memory = DetailMemory(ctx.cache, "piemonte")

    def incomplete(self, note: str) -> None:
        self.complete = False
        self.notes.append(note)

    def feed_dates(self) -> dict[str, str]:
        """source_id -> pubDate of the items in the section feed; {} when it cannot be read
        (the feed is only a signal: the listing decides what exists)."""
        url = f"{self.params.base_url}/{self.params.section}/rss.xml"
        try:
            resp = self.ctx.client.get(url, conditional=True)
            self.ctx.save_raw("rss.xml", resp.body)
            feed = read_feed(resp.body, url, ROME)
        except SourceError as exc:
            self.notes.append(f"feed not read, change signal missing: {exc}")
            return {}
        return {
            source_path(it.link): it.published.isoformat() if it.published else ""
            for it in feed.items
            if it.link
        }

    def walk(self, query: dict[str, str]) -> tuple[dict[str, Teaser], int | None]:
        url = f"{self.params.base_url}/{self.params.section}"
        teasers: dict[str, Teaser] = {}
        announced: int | None = None
        page = 0
        while True:
            if page == self.params.max_pages:
                self.incomplete(f"stopped after {page} listing pages ({query})")
                break
            try:
                resp = self.ctx.client.get(url, params={**query, "page": page}, conditional=True)
            except FetchError as exc:
                if page == 0:
                    raise
                self.incomplete(f"listing page {page} not read: {exc}")
                break
            self.ctx.save_raw(f"listing_{'_'.join(query.values())}_{page}.html", resp.body)
            listing = parse_listing(resp.body, resp.url)
            if page == 0:
                announced = listing.total
                if listing.total and not listing.teasers:
                    raise ShapeChanged(
                        f"the listing announces {listing.total} results but shows no teaser",
                        url=resp.url,
                    )
            if html_truncated(resp.body):
                self.incomplete(f"listing page {page} truncated ({resp.url})")
            new = {t.path: t for t in listing.teasers if t.path not in teasers}
            teasers.update(new)
            self.ctx.progress(f"listing page {page}: {len(listing.teasers)} teasers")
            page += 1
            if not new or (listing.pages is not None and page >= listing.pages):
                break
        if announced is not None and len(teasers) < announced:
            self.incomplete(f"the listing announced {announced} results, {len(teasers)} read")
        return teasers, announced

    def call_for(self, teaser: Teaser, feed_date: str) -> tuple[Call, bool | None]:
        """The call of one teaser, and whether its detail page was parsed (None: not fetched
        this run)."""
        remembered = self.memory.recall(teaser.path)
        meta = {"teaser": teaser.fingerprint, "feed": feed_date}
        if remembered is not None:
            meta["feed"] = feed_date or remembered.meta.get("feed", "")
            fresh = (
                teaser.path in self.ctx.known
                and remembered.meta.get("teaser") == teaser.fingerprint
                and (not feed_date or remembered.meta.get("feed") == feed_date)
                and self.ctx.now - remembered.fetched_at < timedelta(days=self.params.refresh_days)
            )
            if fresh:
                try:
                    return detail_call(remembered.body, self.ctx.source_id, teaser.url), None
                except ParseError:
                    pass  # the kept copy no longer parses: fetch it again
        try:
            resp = self.ctx.client.get(teaser.url, conditional=True)
        except SourceError as exc:
            self.incomplete(f"detail page not read: {exc}")
            return self._fallback(teaser, remembered), None
        self.ctx.save_raw(f"detail_{teaser.path}.html", resp.body)
        if html_truncated(resp.body):  # its deadline or status may be in the part cut off
            self.incomplete(f"detail page truncated ({resp.url})")
            return self._fallback(teaser, remembered), False
        try:
            call = detail_call(resp.body, self.ctx.source_id, teaser.url)
        except ParseError as exc:
            self.incomplete(f"detail page unreadable: {exc}")
            return self._fallback(teaser, remembered), False
        self.memory.keep(teaser.path, resp.body, meta, self.ctx.now)
        return call, True

    def _fallback(self, teaser: Teaser, remembered: Remembered | None) -> Call:
        """The last run's copy of the page if there is one, else what the listing says."""
        if remembered is not None:
            try:
                return detail_call(remembered.body, self.ctx.source_id, teaser.url)
            except ParseError:
                pass
        return teaser_call(teaser, self.ctx.source_id)


def _fetch(params: PiemonteParams, ctx: FetchContext) -> Harvest:
    run = _Run(params, ctx)
    feed_dates = run.feed_dates() if params.rss else {}
    teasers: dict[str, Teaser] = {}
    announced: list[int | None] = []
    for query in _queries(params):
        found, total = run.walk(query)
        announced.append(total)
        for path, teaser in found.items():
            teasers.setdefault(path, teaser)
    listing_url = f"{params.base_url}/{params.section}"
    check_shape(len(teasers), len(teasers), ctx.last_good_count, listing_url)
    calls: list[Call] = []
    parsed = failed = 0
    for teaser in teasers.values():
        if not params.details:
            calls.append(teaser_call(teaser, ctx.source_id))
            continue
        call, ok = run.call_for(teaser, feed_dates.get(teaser.path, ""))
        parsed += ok is True
        failed += ok is False
        calls.append(call)
    if parsed + failed >= MIN_DETAILS_FOR_RATIO:  # one odd page is not a new layout
        check_shape(parsed, parsed + failed, None, listing_url)
    expected = announced[0] if len(announced) == 1 else None
    return Harvest(calls=calls, complete=run.complete, expected=expected, notes=run.notes)


KIND: SourceKind[PiemonteParams] = SourceKind(
    name="piemonte",
    description="Regione Piemonte, bandi.regione.piemonte.it: listing, RSS and detail pages.",
    params=PiemonteParams,
    fetch=_fetch,
    parse=_parse,
)
