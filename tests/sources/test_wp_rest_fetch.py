"""wp_rest fetch: paging by headers and without them, errors, shape guards, and a new site
added by configuration alone. HTTP is mocked at the transport with payloads cut from the
recorded fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from fundwatch.errors import FetchError, ParseError, ShapeChanged
from fundwatch.http import HttpClient
from fundwatch.models import Status, status
from fundwatch.sources import FetchContext, get_kind
from fundwatch.sources.wp_rest import KIND, WpRestParams, fetch
from tests.sources.test_wp_rest import BASILICATA, LAZIO, NOW, dump, posts_of, site

BASIL_ENDPOINT = "https://portalebandi.regione.basilicata.it/wp-json/wp/v2/avvisi-e-bandi"
FIELDS = (  # the shipped `_fields`, URL-encoded
    "id%2Cdate%2Cdate_gmt%2Cmodified%2Cmodified_gmt%2Ctype%2Clink%2Ctitle%2Ccontent%2Cexcerpt"
    "%2Cclass_list"
)

Handler = Callable[[int], httpx.Response]


def basilicata(**overrides: Any) -> WpRestParams:
    return KIND.parse_params({**site("basilicata-bandi").model_dump(), **overrides})


def ctx(http: HttpClient, **kwargs: Any) -> FetchContext:
    return FetchContext(source_id="basilicata-bandi", now=NOW, client=http, **kwargs)


def json_page(items: list[Any], headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        200, content=dump(items), headers={"content-type": "application/json", **(headers or {})}
    )


def serve(mock: respx.MockRouter, endpoint: str, handler: Handler) -> list[str]:
    """Answer GETs of `endpoint` by page number; returns the URLs requested, in order."""
    seen: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return handler(int(request.url.params["page"]))

    mock.get(url__startswith=endpoint).mock(side_effect=respond)
    return seen


def test_pages_follow_the_wp_headers(http: HttpClient) -> None:
    items = posts_of(BASILICATA)
    pages = {1: items[:2], 2: items[2:]}
    headers = {"X-WP-Total": "3", "X-WP-TotalPages": "2"}
    with respx.mock() as mock:
        seen = serve(mock, BASIL_ENDPOINT, lambda n: json_page(pages[n], headers))
        harvest = fetch(basilicata(per_page=2), ctx(http))
    assert seen == [
        f"{BASIL_ENDPOINT}?_fields={FIELDS}&per_page=2&page=1",
        f"{BASIL_ENDPOINT}?_fields={FIELDS}&per_page=2&page=2",
    ]
    assert [c.source_id for c in harvest.calls] == ["102357", "102348", "102319"]
    assert (harvest.complete, harvest.expected, harvest.notes) == (True, 3, [])


def test_headers_win_over_a_short_page(http: HttpClient) -> None:
    # A page can come back short (a post hidden after counting); the headers still say 2 pages.
    items = posts_of(BASILICATA)
    pages = {1: items[:1], 2: items[1:3]}
    headers = {"x-wp-total": "3", "x-wp-totalpages": "2"}
    with respx.mock() as mock:
        seen = serve(mock, BASIL_ENDPOINT, lambda n: json_page(pages[n], headers))
        harvest = fetch(basilicata(per_page=2), ctx(http))
    assert len(seen) == 2
    assert [c.source_id for c in harvest.calls] == ["102357", "102348", "102319"]
    assert harvest.complete


@pytest.mark.parametrize(
    ("last", "requests"),
    [
        ([2], 2),  # a short page ends the list
        ([], 2),  # an empty page ends the list
    ],
)
def test_without_headers_stop_after_a_short_or_empty_page(
    http: HttpClient, last: list[int], requests: int
) -> None:
    items = posts_of(BASILICATA)
    pages = {1: items[:2], 2: [items[i] for i in last]}
    with respx.mock() as mock:
        seen = serve(mock, BASIL_ENDPOINT, lambda n: json_page(pages[n]))
        harvest = fetch(basilicata(per_page=2), ctx(http))
    assert len(seen) == requests
    assert len(harvest.calls) == 2 + len(last)
    assert (harvest.complete, harvest.expected) == (True, None)


def test_without_headers_a_400_past_a_full_last_page_ends_the_list(http: HttpClient) -> None:
    items = posts_of(BASILICATA)
    invalid_page = {
        "code": "rest_post_invalid_page_number",
        "message": "Il numero di pagina richiesto è maggiore del numero di pagine disponibili.",
        "data": {"status": 400},
    }

    def handler(n: int) -> httpx.Response:
        return json_page(items[:2]) if n == 1 else httpx.Response(400, json=invalid_page)

    with respx.mock() as mock:
        seen = serve(mock, BASIL_ENDPOINT, handler)
        harvest = fetch(basilicata(per_page=2), ctx(http))
    assert len(seen) == 2
    assert [c.source_id for c in harvest.calls] == ["102357", "102348"]
    assert harvest.complete


def test_a_failing_first_page_is_a_fetch_error(http: HttpClient) -> None:
    with respx.mock() as mock:
        serve(mock, BASIL_ENDPOINT, lambda n: httpx.Response(404, json={"code": "rest_no_route"}))
        with pytest.raises(FetchError, match="HTTP 404"):
            fetch(basilicata(), ctx(http))


def test_a_failing_later_page_keeps_what_was_read_as_incomplete(http: HttpClient) -> None:
    items = posts_of(BASILICATA)
    headers = {"X-WP-Total": "3", "X-WP-TotalPages": "2"}

    def handler(n: int) -> httpx.Response:
        return json_page(items[:2], headers) if n == 1 else httpx.Response(503)

    with respx.mock() as mock:
        seen = serve(mock, BASIL_ENDPOINT, handler)
        harvest = fetch(basilicata(per_page=2), ctx(http))
    assert len(seen) == 1 + 4  # page 2 tried once and retried three times
    assert [c.source_id for c in harvest.calls] == ["102357", "102348"]
    assert harvest.complete is False
    assert harvest.notes == [
        f"page 2 failed, run incomplete: HTTP 503 after 4 attempts "
        f"({BASIL_ENDPOINT}?_fields={FIELDS}&per_page=2&page=2)"
    ]


def test_max_pages_stops_short_and_says_so(http: HttpClient) -> None:
    items = posts_of(BASILICATA)
    headers = {"X-WP-Total": "3", "X-WP-TotalPages": "2"}
    with respx.mock() as mock:
        seen = serve(mock, BASIL_ENDPOINT, lambda n: json_page(items[:2], headers))
        harvest = fetch(basilicata(per_page=2, max_pages=1), ctx(http))
    assert len(seen) == 1
    assert harvest.complete is False
    assert harvest.notes == ["stopped at max_pages=1 with more pages announced"]


def test_fewer_posts_than_announced_is_incomplete(http: HttpClient) -> None:
    headers = {"X-WP-Total": "5", "X-WP-TotalPages": "1"}
    with respx.mock() as mock:
        serve(mock, BASIL_ENDPOINT, lambda n: json_page(posts_of(BASILICATA), headers))
        harvest = fetch(basilicata(), ctx(http))
    assert len(harvest.calls) == 3
    assert (harvest.complete, harvest.expected) == (False, 5)
    assert harvest.notes == ["X-WP-Total announced 5 posts, 3 arrived"]


def test_an_html_page_served_with_200_is_a_parse_error_naming_the_url(http: HttpClient) -> None:
    page = b"<!DOCTYPE html><html><head><title>Sito in manutenzione</title></head></html>"
    with respx.mock() as mock:
        serve(
            mock,
            BASIL_ENDPOINT,
            lambda n: httpx.Response(200, content=page, headers={"content-type": "text/html"}),
        )
        with pytest.raises(ParseError) as caught:
            fetch(basilicata(), ctx(http))
    assert str(caught.value) == (
        "an HTML page came back instead of JSON "
        f"({BASIL_ENDPOINT}?_fields={FIELDS}&per_page=100&page=1)"
    )


def test_no_posts_where_there_were_many_is_a_shape_change(http: HttpClient) -> None:
    with respx.mock() as mock:
        serve(mock, BASIL_ENDPOINT, lambda n: json_page([], {"X-WP-Total": "0"}))
        with pytest.raises(ShapeChanged, match="no items where the last complete run had 12"):
            fetch(basilicata(), ctx(http, last_good_count=12))


def test_no_posts_after_a_small_run_is_believable(http: HttpClient) -> None:
    with respx.mock() as mock:
        serve(mock, BASIL_ENDPOINT, lambda n: json_page([], {"X-WP-Total": "0"}))
        harvest = fetch(basilicata(), ctx(http, last_good_count=1))
    assert (harvest.calls, harvest.complete, harvest.expected) == ([], True, 0)


def test_a_post_repeated_across_pages_is_kept_once(http: HttpClient) -> None:
    # A post published during the run shifts the date-ordered pages by one.
    items = posts_of(BASILICATA)
    pages: dict[int, list[Any]] = {1: items[:2], 2: items[1:3], 3: []}
    with respx.mock() as mock:
        serve(mock, BASIL_ENDPOINT, lambda n: json_page(pages[n]))
        harvest = fetch(basilicata(per_page=2), ctx(http))
    assert [c.source_id for c in harvest.calls] == ["102357", "102348", "102319"]


def test_raw_pages_are_saved_when_asked(http: HttpClient, tmp_path: Path) -> None:
    body = b" \xef\xbb\xbf" + BASILICATA.read_bytes()
    with respx.mock() as mock:
        serve(mock, BASIL_ENDPOINT, lambda n: httpx.Response(200, content=body))
        harvest = fetch(basilicata(), ctx(http, raw_dir=tmp_path))
    assert len(harvest.calls) == 3
    saved = tmp_path / "001_avvisi-e-bandi_page1.json"
    assert saved.read_bytes() == body


# -- a new site, by configuration alone ----------------------------------------------------------

NEW_SITE = {
    "base_url": "https://www.agenzia-sviluppo.example.it/",
    "route": "opportunita",
    "api_path": "/wp-json/wp/v2/",
    "post_types": ["opportunita_finanziamento"],
    "query": {"orderby": "date", "order": "desc"},
    "per_page": 1,
    "timezone": "Europe/Rome",
    "issuer": "Agenzia di sviluppo (esempio)",
    "territories": ["ITC1"],
    "funds": ["ESF+"],
    "fields": {"deadline": "acf.data_chiusura", "budget": "acf.dotazione_finanziaria"},
    "class_list": [
        {"prefix": "beneficiari-", "to": "audiences"},
        {"prefix": "ambito-", "to": "themes"},
        {"prefix": "stato-", "to": "status"},
    ],
    "call_types": [{"call_type": "procurement", "patterns": [r"\bgara\b"]}],
}


def new_site_pages() -> dict[int, bytes]:
    """Two pages derived from the recorded posts, as another WordPress site would serve them.

    Page 1 is the Lazio Innova post with: host and route moved to the new site; type
    ``opportunita_finanziamento``; ``date_gmt`` added two hours before the local ``date``
    (CEST), as WordPress writes them; ``class_list`` prefixes renamed ``destinatari-`` ->
    ``beneficiari-`` and ``tematiche-`` -> ``ambito-`` plus ``stato-aperto``; an ACF block
    with a Ymd deadline and an Italian budget string; the payload starting with a space.
    Page 2 is Basilicata's post 102348 (the timber auction, a "gara" here) with the same host
    and type moves and an unchanged title.
    """
    lazio = posts_of(LAZIO)[0]
    lazio["link"] = lazio["link"].replace(
        "www.lazioinnova.it/bandi", "www.agenzia-sviluppo.example.it/opportunita"
    )
    lazio["type"] = "opportunita_finanziamento"
    lazio["date_gmt"] = "2026-04-30T08:55:47"
    lazio["class_list"] = [
        c.replace("destinatari-", "beneficiari-").replace("tematiche-", "ambito-")
        for c in lazio["class_list"]
    ] + ["stato-aperto"]
    lazio["acf"] = {"data_chiusura": "20260630", "dotazione_finanziaria": "€ 1.100.000,00"}
    auction = posts_of(BASILICATA)[1]
    auction["link"] = auction["link"].replace(
        "portalebandi.regione.basilicata.it/avvisi-e-bandi",
        "www.agenzia-sviluppo.example.it/opportunita",
    )
    auction["type"] = "opportunita_finanziamento"
    auction["title"]["rendered"] = "Gara: " + auction["title"]["rendered"]
    return {1: b" " + dump([lazio]), 2: dump([auction])}


def test_a_new_site_needs_only_configuration(http: HttpClient) -> None:
    kind = get_kind("wp_rest")
    params = kind.parse_params(NEW_SITE)
    endpoint = "https://www.agenzia-sviluppo.example.it/wp-json/wp/v2/opportunita"
    pages = new_site_pages()
    headers = {"X-WP-Total": "2", "X-WP-TotalPages": "2"}
    with respx.mock() as mock:
        seen = serve(
            mock, endpoint, lambda n: httpx.Response(200, content=pages[n], headers=headers)
        )
        harvest = kind.fetch(params, FetchContext(source_id="nuova-agenzia", now=NOW, client=http))
    assert seen == [
        f"{endpoint}?orderby=date&order=desc&per_page=1&page=1",
        f"{endpoint}?orderby=date&order=desc&per_page=1&page=2",
    ]
    assert (harvest.complete, harvest.expected) == (True, 2)
    grant, auction = harvest.calls
    assert grant.source == "nuova-agenzia" and grant.source_id == "59390"
    assert (
        grant.url
        == "https://www.agenzia-sviluppo.example.it/opportunita/avviso-integrativo-preciseu/"
    )
    assert grant.issuer == "Agenzia di sviluppo (esempio)"
    # the ACF deadline (end of 30 June, Rome) wins over the excerpt's 24 June 17:00
    assert [d.at for d in grant.deadlines] == [datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC)]
    assert grant.opens_at == datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
    assert str(grant.budget.total_eur) == "1100000"
    assert [a.code for a in grant.audiences] == ["media_impresa", "piccola_impresa"]
    assert grant.themes == ("ricerca rs", "scienze della vita")
    assert grant.funds == ("ESF+", "ERDF")
    assert grant.territories[0].code == "ITC1"
    assert grant.stated_status == "open"
    assert grant.extra["published_at"] == "2026-04-30T08:55:47+00:00"
    assert status(grant, NOW) is Status.OPEN
    assert (grant.call_type, auction.call_type) == ("grant", "procurement")


@pytest.mark.parametrize("source_id", ["lazio-innova", "basilicata-bandi"])
def test_shipped_sites_fetch_their_recorded_payloads(http: HttpClient, source_id: str) -> None:
    params = site(source_id)
    fixture = LAZIO if source_id == "lazio-innova" else BASILICATA
    count = len(json.loads(fixture.read_bytes()))
    headers = {"X-WP-Total": str(count), "X-WP-TotalPages": "1"}
    body = fixture.read_bytes()
    with respx.mock() as mock:
        seen = serve(
            mock, params.endpoint, lambda n: httpx.Response(200, content=body, headers=headers)
        )
        harvest = fetch(params, FetchContext(source_id=source_id, now=NOW, client=http))
    assert seen == [f"{params.endpoint}?_fields={FIELDS}&per_page=100&page=1"]
    assert (len(harvest.calls), harvest.complete) == (count, True)
    assert harvest.calls == KIND.parse(fixture.read_bytes(), params, source_id)
