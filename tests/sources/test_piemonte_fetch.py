"""Piemonte fetch against a mocked site (respx): paging, the detail hop, 304s, bad pages,
shape guards. Pages are the recorded ones, with paths or headers edited where a test needs
a second page or a broken one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from fundwatch.errors import FetchError, ParseError, ShapeChanged
from fundwatch.http import HttpClient
from fundwatch.sources import get_kind
from fundwatch.sources.base import FetchContext, Harvest, MemoryCache
from fundwatch.sources.piemonte import PiemonteParams
from tests.golden import fixture

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
KIND = get_kind("piemonte")
SITE = "https://bandi.regione.piemonte.it"
LISTING = fixture("piemonte/mayai_piemonte_listing_stato19.html")
FEED = fixture("piemonte/piemonte_tutti_rss.xml")
DETAILS = (
    fixture("piemonte/piemonte_detail_aperto_18454.html"),
    fixture("piemonte/piemonte_detail_esito_150489.html"),
)
SECTION = "/contributi-finanziamenti"


def listing_page(n: int, *, pages: int | None = 2, total: int | None = 18) -> bytes:
    """Page `n` of a listing: the recorded page, with its 9 paths made unique to page n and
    the header saying `total` results on `pages` pages (no header when None)."""
    raw = LISTING
    if n:
        raw = raw.replace(b'"/contributi-finanziamenti/', f'"{SECTION}/p{n}-'.encode())
    if pages is None or total is None:
        start = raw.index(b'<div class="view-header">')
        end = raw.index(b'<div class="view-content">')
        return raw[:start] + raw[end:]
    return raw.replace(b"54 risultati", f"{total} risultati".encode()).replace(
        b"pagina 1 di 6", f"pagina {n + 1} di {pages}".encode()
    )


@dataclass
class Site:
    """A mocked bandi.regione.piemonte.it. `pages[n]` answers page=n (Drupal answers the last
    page for any page past the end); detail pages alternate between the two recordings."""

    pages: list[bytes] = field(default_factory=lambda: [listing_page(0), listing_page(1)])
    feed: bytes = FEED
    feed_status: int = 200
    details: dict[str, httpx.Response] = field(default_factory=dict)
    page_status: dict[int, int] = field(default_factory=dict)
    log: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        path = request.url.path
        if path == f"{SECTION}/rss.xml":
            return httpx.Response(self.feed_status, content=self.feed)
        if path == SECTION:
            page = int(request.url.params.get("page", "0"))
            if page in self.page_status:
                return httpx.Response(self.page_status[page])
            return httpx.Response(200, content=self.pages[min(page, len(self.pages) - 1)])
        if path in self.details:
            return self.details[path]
        if path.startswith(SECTION + "/"):
            etag = f'"{path}"'
            if request.headers.get("if-none-match") == etag:
                return httpx.Response(304, headers={"ETag": etag})
            body = DETAILS[len(path) % 2]
            return httpx.Response(200, content=body, headers={"ETag": etag})
        return httpx.Response(404)

    def paths(self, kind: str) -> list[str]:
        out = []
        for r in self.log:
            if (
                kind == "detail"
                and r.url.path.startswith(SECTION + "/")
                and "rss" not in r.url.path
            ):
                out.append(r.url.path)
            elif kind == "listing" and r.url.path == SECTION:
                out.append(str(r.url.params.get("page")))
            elif kind == "feed" and r.url.path.endswith("rss.xml"):
                out.append(r.url.path)
        return out


@pytest.fixture
def site() -> Iterator[Site]:
    mocked = Site()
    with respx.mock(assert_all_called=False) as router:
        router.route(host="bandi.regione.piemonte.it").mock(side_effect=mocked.handle)
        yield mocked


def run(
    http: HttpClient,
    *,
    params: PiemonteParams | None = None,
    cache: MemoryCache | None = None,
    known: dict[str, str] | None = None,
    last_good: int | None = None,
    now: datetime = NOW,
) -> Harvest:
    ctx = FetchContext(
        source_id="piemonte",
        now=now,
        client=http,
        cache=cache or MemoryCache(),
        known=known or {},
        last_good_count=last_good,
    )
    return KIND.fetch(params or PiemonteParams(), ctx)


def test_walks_the_pages_the_header_announces_and_reads_every_detail(
    site: Site, http: HttpClient
) -> None:
    harvest = run(http)
    assert harvest.complete and harvest.notes == []
    assert harvest.expected == 18
    assert site.paths("listing") == ["0", "1"]
    assert site.paths("feed") == [f"{SECTION}/rss.xml"]
    assert len(site.paths("detail")) == 18
    ids = [c.source_id for c in harvest.calls]
    assert len(set(ids)) == 18
    assert (
        ids[0] == "contributi-finanziamenti/programmazione-offerta-formativa-its-academy-2026-2029"
    )
    assert (
        ids[9]
        == "contributi-finanziamenti/p1-programmazione-offerta-formativa-its-academy-2026-2029"
    )
    # the detail page gives the dates; the listing's URL gives the identity
    assert all(c.opens_at is not None for c in harvest.calls)
    assert all(c.url == f"{SITE}/{c.source_id}" for c in harvest.calls)


def test_listing_requests_carry_the_filters(site: Site, http: HttpClient) -> None:
    run(http, params=PiemonteParams(funds=["FSE+"], audiences=["enti-pubblici"]))
    first = next(r for r in site.log if r.url.path == SECTION)
    assert dict(first.url.params) == {
        "field_stato_target_id": "19",
        "field_target_target_id": "3",
        "field_risorse_target_id": "85",
        "page": "0",
    }


def test_paging_stops_when_drupal_repeats_the_last_page(site: Site, http: HttpClient) -> None:
    site.pages = [listing_page(0, pages=None), listing_page(1, pages=None)]
    harvest = run(http)
    # page 2 does not exist: Drupal answers page 1 again, which brings nothing new
    assert site.paths("listing") == ["0", "1", "2"]
    assert len(harvest.calls) == 18 and harvest.complete


def test_paging_stops_on_a_page_without_teasers(site: Site, http: HttpClient) -> None:
    empty = listing_page(0, pages=None).split(b'<div class="view-content">')[0] + b"</html>"
    site.pages = [listing_page(0, pages=None), empty]
    harvest = run(http)
    assert site.paths("listing") == ["0", "1"]
    assert len(harvest.calls) == 9 and harvest.complete


def test_a_failed_later_page_keeps_what_was_read(site: Site, http: HttpClient) -> None:
    site.page_status[1] = 404
    harvest = run(http, params=PiemonteParams(details=False))
    assert len(harvest.calls) == 9 and not harvest.complete
    assert any("listing page 1 not read: HTTP 404" in n for n in harvest.notes)


def test_a_failed_first_page_fails_the_run(site: Site, http: HttpClient) -> None:
    site.page_status[0] = 404
    with pytest.raises(FetchError, match="HTTP 404"):
        run(http)


def test_paging_is_bounded(site: Site, http: HttpClient) -> None:
    site.pages = [listing_page(n, pages=None) for n in range(10)]
    harvest = run(http, params=PiemonteParams(max_pages=3, details=False))
    assert site.paths("listing") == ["0", "1", "2"]
    assert not harvest.complete
    assert "stopped after 3 listing pages" in harvest.notes[0]


def test_second_run_fetches_no_detail_for_known_unchanged_items(
    site: Site, http: HttpClient
) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls}
    site.log.clear()
    second = run(http, cache=cache, known=known)
    assert site.paths("detail") == []
    assert second.calls == first.calls and second.complete


def test_new_items_and_items_changed_in_the_listing_are_fetched_again(
    site: Site, http: HttpClient
) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls[1:]}  # the first one is new
    changed = "Piani integrati di welfare per la vita e il lavoro"
    site.pages[0] = site.pages[0].replace(
        f"<h2>{changed}</h2>".encode(), f"<h2>{changed} (rettifica)</h2>".encode()
    )
    site.log.clear()
    run(http, cache=cache, known=known)
    assert site.paths("detail") == [
        f"{SECTION}/programmazione-offerta-formativa-its-academy-2026-2029",
        f"{SECTION}/piani-integrati-welfare-vita-lavoro",
    ]


def test_an_item_whose_feed_date_moved_is_fetched_again(site: Site, http: HttpClient) -> None:
    path = "contributi-finanziamenti/piani-integrati-welfare-vita-lavoro"
    feed_item = (
        f"<item><title>Piani integrati</title><link>{SITE}/{path}</link>"
        "<description/><pubDate>{date}</pubDate></item></channel>"
    )
    site.feed = FEED.replace(
        b"</channel>", feed_item.replace("{date}", "Tue, 15 Sep 2026 10:00:00 +0200").encode()
    )
    cache = MemoryCache()
    first = run(http, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls}
    site.log.clear()
    run(http, cache=cache, known=known)
    assert site.paths("detail") == []
    site.feed = FEED.replace(
        b"</channel>", feed_item.replace("{date}", "Fri, 18 Sep 2026 10:00:00 +0200").encode()
    )
    run(http, cache=cache, known=known)
    assert site.paths("detail") == [f"/{path}"]


def test_old_copies_are_checked_with_a_conditional_get(site: Site, http: HttpClient) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls}
    site.log.clear()
    later = run(http, cache=cache, known=known, now=NOW + timedelta(days=8))
    details = [
        r for r in site.log if r.url.path.startswith(SECTION + "/") and "rss" not in str(r.url)
    ]
    assert len(details) == 18
    assert all(r.headers.get("if-none-match") for r in details)
    assert later.calls == first.calls and later.complete


def test_a_failed_detail_page_marks_the_run_incomplete_and_keeps_the_rest(
    site: Site, http: HttpClient
) -> None:
    broken = f"{SECTION}/fondo-rotativo-foncooper"
    site.details[broken] = httpx.Response(404)
    harvest = run(http)
    assert not harvest.complete
    assert len(harvest.calls) == 18
    assert any("detail page not read" in n and "foncooper" in n for n in harvest.notes)
    call = next(c for c in harvest.calls if c.source_id.endswith("/fondo-rotativo-foncooper"))
    assert call.title == "Fondo rotativo Foncooper"  # what the listing says
    assert call.rolling and call.stated_status == "Aperto"


def test_a_failed_detail_page_falls_back_to_the_last_copy(site: Site, http: HttpClient) -> None:
    cache = MemoryCache()
    first = run(http, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls}
    site.details[f"{SECTION}/fondo-rotativo-foncooper"] = httpx.Response(404)
    later = run(http, cache=cache, known=known, now=NOW + timedelta(days=8))
    assert not later.complete
    assert later.calls == first.calls


ERROR_PAGE = b"""<!DOCTYPE html><html><head><title>Errore</title></head><body>
<h1>Servizio temporaneamente non disponibile</h1><p>Riprova pi&ugrave; tardi.</p></body></html>"""


def test_an_error_page_served_as_listing_is_a_parse_error(site: Site, http: HttpClient) -> None:
    site.pages = [ERROR_PAGE]
    with pytest.raises(ParseError, match="not a listing page"):
        run(http)


def test_an_error_page_served_as_detail_marks_the_run_incomplete(
    site: Site, http: HttpClient
) -> None:
    site.details[f"{SECTION}/realizzazione-di-case-rifugio"] = httpx.Response(
        200, content=ERROR_PAGE
    )
    harvest = run(http)
    assert not harvest.complete
    assert any("detail page unreadable" in n for n in harvest.notes)
    assert len(harvest.calls) == 18


def test_a_truncated_detail_page_is_not_trusted_and_the_last_copy_stays(
    site: Site, http: HttpClient
) -> None:
    """A page cut part way (here before "Rivolto a") would read as a call without its
    audience, deadline or money: it is neither used nor kept; the run is incomplete and the
    last whole copy stands."""
    path = f"{SECTION}/fondo-rotativo-foncooper"
    cache = MemoryCache()
    first = run(http, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls}
    whole = DETAILS[len(path) % 2]
    site.details[path] = httpx.Response(200, content=whole[: whole.index(b"Rivolto a")])
    later = run(http, cache=cache, known=known, now=NOW + timedelta(days=8))
    assert not later.complete
    assert any("detail page truncated" in n and "foncooper" in n for n in later.notes)
    assert later.calls == first.calls
    del site.details[path]  # whole again: read, kept, and the run is complete
    again = run(http, cache=cache, known=known, now=NOW + timedelta(days=16))
    assert again.complete and again.calls == first.calls


def test_most_detail_pages_unreadable_is_a_shape_change(site: Site, http: HttpClient) -> None:
    for n in range(2):
        for line in listing_page(n).split(b'about="')[1:]:
            path = line.split(b'"')[0].decode()
            site.details[path] = httpx.Response(200, content=ERROR_PAGE)
    with pytest.raises(ShapeChanged, match="only 0 of 18 items"):
        run(http)


def test_a_truncated_listing_page_is_kept_but_incomplete(site: Site, http: HttpClient) -> None:
    cut = LISTING.index(b"/contributi-finanziamenti/fondo-rotativo-foncooper")
    site.pages = [LISTING[:cut]]
    harvest = run(http, params=PiemonteParams(details=False))
    assert not harvest.complete
    assert len(harvest.calls) == 6
    assert any("truncated" in n for n in harvest.notes)
    assert any("announced 54 results, 6 read" in n for n in harvest.notes)


def test_no_teasers_where_the_last_run_had_many_is_a_shape_change(
    site: Site, http: HttpClient
) -> None:
    empty = listing_page(0, pages=None).split(b'<div class="view-content">')[0] + b"</html>"
    site.pages = [empty]
    assert run(http).calls == []  # nothing open and nothing known: a legitimate empty listing
    with pytest.raises(ShapeChanged, match="last complete run had 40"):
        run(http, last_good=40)


def test_a_listing_announcing_results_without_teasers_is_a_shape_change(
    site: Site, http: HttpClient
) -> None:
    page = LISTING.replace(b"node--view-mode-teaser", b"node--view-mode-card")
    site.pages = [page]
    with pytest.raises(ShapeChanged, match="announces 54 results"):
        run(http)


@pytest.mark.parametrize("problem", [404, "html"])
def test_the_feed_is_only_a_signal(site: Site, http: HttpClient, problem: int | str) -> None:
    if problem == "html":
        site.feed = ERROR_PAGE
    else:
        site.feed_status = 404
    harvest = run(http)
    assert harvest.complete and len(harvest.calls) == 18
    assert harvest.notes and harvest.notes[0].startswith("feed not read")


def test_raw_payloads_are_saved_when_asked(site: Site, http: HttpClient, tmp_path: Path) -> None:
    ctx = FetchContext(source_id="piemonte", now=NOW, client=http, raw_dir=tmp_path)
    KIND.fetch(PiemonteParams(details=False), ctx)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["001_rss.xml", "002_listing_19_0.html", "003_listing_19_1.html"]
