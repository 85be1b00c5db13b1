"""The generic feed kind against a mocked site (respx): rel=next paging, the item-page hop for
new items only, 304 answers, error pages, truncated feeds and the shape guards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from fundwatch.errors import ParseError, ShapeChanged
from fundwatch.http import HttpClient
from fundwatch.sources import get_kind
from fundwatch.sources.base import FetchContext, Harvest, MemoryCache
from fundwatch.sources.rss import RssParams
from tests.golden import fixture

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
KIND = get_kind("rss")
FEED_URL = "https://bandi.regione.piemonte.it/tutti/rss.xml"
FEED = fixture("piemonte/piemonte_tutti_rss.xml")
DETAIL = fixture("piemonte/piemonte_detail_esito_150489.html")


def second_page_of(feed: bytes) -> bytes:
    """The recorded feed with other item links, as a second page would carry."""
    return feed.replace(
        b"https://bandi.regione.piemonte.it/", b"https://bandi.regione.piemonte.it/p2/"
    )


def with_next(feed: bytes, href: str) -> bytes:
    link = f'<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="next" href="{href}"/>'
    return feed.replace(b"<language>it</language>", b"<language>it</language>" + link.encode())


@dataclass
class Site:
    """Feed pages by URL; every other path is an item page (the recorded detail page) with an
    ETag, answered 304 when the client sends it back."""

    feeds: dict[str, httpx.Response] = field(
        default_factory=lambda: {FEED_URL: httpx.Response(200, content=FEED)}
    )
    pages: dict[str, httpx.Response] = field(default_factory=dict)
    log: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        url = str(request.url)
        if url in self.feeds:
            return self.feeds[url]
        if url in self.pages:
            return self.pages[url]
        etag = f'"{request.url.path}"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        return httpx.Response(200, content=DETAIL, headers={"ETag": etag})

    def page_requests(self) -> list[httpx.Request]:
        return [r for r in self.log if str(r.url) not in self.feeds]


@pytest.fixture
def site() -> Iterator[Site]:
    mocked = Site()
    with respx.mock(assert_all_called=False) as router:
        router.route(host="bandi.regione.piemonte.it").mock(side_effect=mocked.handle)
        yield mocked


def run(
    http: HttpClient,
    *,
    cache: MemoryCache | None = None,
    known: dict[str, str] | None = None,
    last_good: int | None = None,
    now: datetime = NOW,
    **params: object,
) -> Harvest:
    ctx = FetchContext(
        source_id="feed",
        now=now,
        client=http,
        cache=cache or MemoryCache(),
        known=known or {},
        last_good_count=last_good,
    )
    return KIND.fetch(RssParams.model_validate({"url": FEED_URL, **params}), ctx)


def test_one_page_feed(site: Site, http: HttpClient) -> None:
    harvest = run(http)
    assert harvest.complete and harvest.notes == []
    assert len(harvest.calls) == 10
    assert site.page_requests() == []  # follow_links is off by default


def test_rel_next_pages_are_followed(site: Site, http: HttpClient) -> None:
    second = "https://bandi.regione.piemonte.it/tutti/rss.xml?page=1"
    site.feeds[FEED_URL] = httpx.Response(200, content=with_next(FEED, second))
    site.feeds[second] = httpx.Response(200, content=second_page_of(FEED))
    harvest = run(http)
    assert [str(r.url) for r in site.log] == [FEED_URL, second]
    assert len(harvest.calls) == 20 and harvest.complete


def test_paging_stops_at_a_loop_and_at_max_pages(site: Site, http: HttpClient) -> None:
    site.feeds[FEED_URL] = httpx.Response(200, content=with_next(FEED, FEED_URL))
    assert len(run(http).calls) == 10 and len(site.log) == 1  # next points back: stop
    pages = [f"{FEED_URL}?page={n}" for n in range(1, 6)]
    site.feeds[FEED_URL] = httpx.Response(200, content=with_next(FEED, pages[0]))
    for n, url in enumerate(pages):
        body = second_page_of(FEED).replace(b"/p2/", f"/p{n + 2}/".encode())
        site.feeds[url] = httpx.Response(200, content=with_next(body, f"{FEED_URL}?page={n + 2}"))
    harvest = run(http, max_pages=3)
    assert len(harvest.calls) == 30
    assert not harvest.complete and "stopped after 3 feed pages" in harvest.notes[0]


def test_item_pages_are_read_once_for_new_items(site: Site, http: HttpClient) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache, follow_links=True)
    assert len(site.page_requests()) == 10
    # the recorded page says "entro le ore 17,00 del 30 luglio 2026": the item text had none
    assert {d.at for c in first.calls for d in c.deadlines} == {
        datetime(2026, 7, 30, 15, 0, tzinfo=UTC)
    }
    known = {c.source_id: c.content_hash() for c in first.calls[1:]}  # the first one is new
    site.log.clear()
    second = run(http, cache=cache, known=known, follow_links=True)
    assert [str(r.url) for r in site.page_requests()] == [first.calls[0].url]
    assert second.calls == first.calls


def test_a_changed_item_is_read_again(site: Site, http: HttpClient) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache, follow_links=True)
    known = {c.source_id: c.content_hash() for c in first.calls}
    changed = FEED.replace(
        b"<pubDate>Wed, 16 Sep 2026 11:06:43 +0200</pubDate>",
        b"<pubDate>Fri, 18 Sep 2026 08:00:00 +0200</pubDate>",
    )
    site.feeds[FEED_URL] = httpx.Response(200, content=changed)
    site.log.clear()
    run(http, cache=cache, known=known, follow_links=True)
    assert [r.url.path for r in site.page_requests()] == [
        "/contributi-finanziamenti/contributo-2026-promozione-libro-lettura-dei-premi-dei-concorsi-letterari"
    ]


def test_old_copies_are_checked_with_a_conditional_get(site: Site, http: HttpClient) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache, follow_links=True)
    known = {c.source_id: c.content_hash() for c in first.calls}
    site.log.clear()
    later = run(http, cache=cache, known=known, now=NOW + timedelta(days=8), follow_links=True)
    requests = site.page_requests()
    assert len(requests) == 10 and all(r.headers.get("if-none-match") for r in requests)
    assert later.calls == first.calls and later.complete


def test_a_304_feed_is_read_from_the_cache(site: Site, http: HttpClient) -> None:
    site.feeds[FEED_URL] = httpx.Response(200, content=FEED, headers={"ETag": '"v1"'})
    first = run(http)
    site.feeds[FEED_URL] = httpx.Response(304, headers={"ETag": '"v1"'})
    second = run(http)
    assert site.log[-1].headers["if-none-match"] == '"v1"'
    assert second.calls == first.calls and second.complete


def test_a_failed_item_page_marks_the_run_incomplete(site: Site, http: HttpClient) -> None:
    broken = "https://bandi.regione.piemonte.it/nomine/consorzio-residenze-reali-sabaude-designazione-presidente-consorzio"
    site.pages[broken] = httpx.Response(404)
    harvest = run(http, follow_links=True)
    assert not harvest.complete and len(harvest.calls) == 10
    assert any("item page not read" in n and "consorzio" in n for n in harvest.notes)


ERROR_PAGE = b"""<!DOCTYPE html><html><head><title>Errore</title></head>
<body><h1>Servizio non disponibile</h1></body></html>"""


def test_an_error_page_served_as_an_item_page_marks_the_run_incomplete(
    site: Site, http: HttpClient
) -> None:
    broken = "https://bandi.regione.piemonte.it/gare-appalto/adozioni-internazionali-brasile-avviso-indagine-mercato"
    site.pages[broken] = httpx.Response(200, content=ERROR_PAGE)
    harvest = run(http, follow_links=True)
    assert not harvest.complete and len(harvest.calls) == 10
    assert any("an error page" in n and "brasile" in n for n in harvest.notes)


def test_a_truncated_item_page_marks_the_run_incomplete_and_keeps_the_last_copy(
    site: Site, http: HttpClient
) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache, follow_links=True)
    known = {c.source_id: c.content_hash() for c in first.calls}
    cut = "https://bandi.regione.piemonte.it/gare-appalto/adozioni-internazionali-brasile-avviso-indagine-mercato"
    site.pages[cut] = httpx.Response(200, content=DETAIL[: DETAIL.index(b"Scadenza")])
    later = run(http, cache=cache, known=known, follow_links=True, now=NOW + timedelta(days=30))
    assert not later.complete
    assert any("item page truncated" in n and "brasile" in n for n in later.notes)
    assert later.calls == first.calls


def test_an_error_page_served_as_the_feed_is_a_parse_error(site: Site, http: HttpClient) -> None:
    site.feeds[FEED_URL] = httpx.Response(200, content=ERROR_PAGE)
    with pytest.raises(ParseError, match="not an RSS or Atom feed"):
        run(http)


def test_a_truncated_feed_is_kept_but_incomplete(site: Site, http: HttpClient) -> None:
    site.feeds[FEED_URL] = httpx.Response(200, content=FEED[:6000])
    harvest = run(http)
    assert not harvest.complete
    assert len(harvest.calls) == 6
    assert "truncated" in harvest.notes[0]


def test_an_empty_feed_where_the_last_run_had_many_is_a_shape_change(
    site: Site, http: HttpClient
) -> None:
    empty = b"<rss version='2.0'><channel><title>Bandi</title></channel></rss>"
    site.feeds[FEED_URL] = httpx.Response(200, content=empty)
    assert run(http).calls == []
    with pytest.raises(ShapeChanged, match="last complete run had 12"):
        run(http, last_good=12)


def test_a_feed_of_unreadable_items_is_a_shape_change(site: Site, http: HttpClient) -> None:
    broken = FEED.replace(b"<title>", b"<name>").replace(b"</title>", b"</name>")
    broken = broken.replace(b"<link>", b"<href>").replace(b"</link>", b"</href>")
    broken = broken.replace(b"<guid", b"<ref").replace(b"</guid>", b"</ref>")
    site.feeds[FEED_URL] = httpx.Response(200, content=broken)
    with pytest.raises(ShapeChanged, match="only 0 of 10 items"):
        run(http)
