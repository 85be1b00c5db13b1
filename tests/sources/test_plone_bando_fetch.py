"""plone_bando fetch against a mocked Plone site (respx): batching.next paging, announced
totals, loops, retries, bad payloads and the shape guards. Pages are built from the 18
recorded Emilia-Romagna items, split the way Plone batches them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from fundwatch.errors import FetchError, ParseError, ShapeChanged
from fundwatch.http import HttpClient
from fundwatch.sources import get_kind
from fundwatch.sources.base import FetchContext, Harvest
from fundwatch.sources.plone_bando import PloneBandoParams
from tests.golden import fixture

NOW = datetime(2026, 6, 12, 8, 0, tzinfo=UTC)
KIND = get_kind("plone_bando")
SITE = "https://politicheterritoriali.regione.emilia-romagna.it"
SEARCH = f"{SITE}/++api++/@search"
RECORDING = "emilia_romagna/mayai_plone_search_bando_politicheterritoriali_trimmed.json"
ITEMS: list[dict[str, Any]] = json.loads(fixture(RECORDING))["items"]


def batch(start: int, size: int, *, total: int = len(ITEMS), host: str = SITE) -> dict[str, Any]:
    """A Plone @search page: items[start:start+size], with `batching.next` when more follow."""
    page: dict[str, Any] = {
        "@id": f"{host}/++api++/@search?b_start={start}",
        "items": ITEMS[start : start + size],
        "items_total": total,
    }
    if start + size < total:
        page["batching"] = {
            "@id": f"{host}/++api++/@search?b_start={start}",
            "first": f"{host}/++api++/@search?b_start=0",
            "next": f"{host}/++api++/@search?portal_type=Bando&fullobjects=1&b_size={size}"
            f"&b_start={start + size}",
        }
    return page


@pytest.fixture
def mocked() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def serve_batches(router: respx.MockRouter, size: int, **kw: Any) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        start = int(request.url.params.get("b_start", "0"))
        return httpx.Response(200, json=batch(start, size, **kw))

    router.get(SEARCH).mock(side_effect=answer)
    return seen


def run(
    http: HttpClient, params: PloneBandoParams | None = None, last_good: int | None = None
) -> Harvest:
    ctx = FetchContext(source_id="emilia-romagna", now=NOW, client=http, last_good_count=last_good)
    return KIND.fetch(params or PloneBandoParams(), ctx)


def test_follows_batching_next_to_the_end(mocked: respx.MockRouter, http: HttpClient) -> None:
    seen = serve_batches(mocked, 7)
    harvest = run(http, PloneBandoParams(page_size=7))
    assert harvest.complete and harvest.expected == 18 and harvest.notes == []
    assert [c.source_id for c in harvest.calls] == [i["UID"] for i in ITEMS]
    first = dict(seen[0].url.params)
    assert first == {
        "portal_type": "Bando",
        "fullobjects": "1",
        "b_size": "7",
        "sort_on": "created",
        "sort_order": "ascending",
    }
    assert seen[0].headers["accept"] == "application/json"
    assert [r.url.params.get("b_start") for r in seen] == [None, "7", "14"]


def test_next_link_on_another_host_is_followed_on_the_configured_one(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    seen = serve_batches(mocked, 10, host="http://backend:8080/Plone")
    harvest = run(http, PloneBandoParams(page_size=10))
    assert len(harvest.calls) == 18
    assert str(seen[1].url).startswith(f"{SEARCH}?portal_type=Bando")


def test_classic_plone_site_without_api_prefix_and_extra_query(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    route = mocked.get("https://www.comune.example.it/@search").respond(
        200, json={"items": ITEMS[:2], "items_total": 2}
    )
    params = PloneBandoParams(
        base_url="https://www.comune.example.it/",
        api_prefix="",
        query={"path.query": "/bandi"},
        issuer="Comune di Esempio",
    )
    harvest = run(http, params)
    assert route.calls.last.request.url.params["path.query"] == "/bandi"
    assert {c.issuer for c in harvest.calls} == {"Comune di Esempio"}


def test_fewer_items_than_announced_is_incomplete(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(SEARCH).respond(200, json={"items": ITEMS[:10], "items_total": 12})
    harvest = run(http)
    assert not harvest.complete and harvest.expected == 12
    assert harvest.notes == ["read 10 of the 12 items the site announces"]


def test_max_pages_stops_short_and_incomplete(mocked: respx.MockRouter, http: HttpClient) -> None:
    serve_batches(mocked, 5)
    harvest = run(http, PloneBandoParams(page_size=5, max_pages=2))
    assert not harvest.complete and len(harvest.calls) == 10
    assert "stopped after 2 pages; raise max_pages" in harvest.notes


def test_a_next_link_pointing_back_stops_the_loop(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    looping = {"items": ITEMS[:3], "items_total": 18, "batching": {"next": f"{SEARCH}?b_start=0"}}
    route = mocked.get(SEARCH).respond(200, json=looping)
    harvest = run(http)
    assert route.call_count == 2
    assert not harvest.complete
    assert harvest.notes[0].startswith("batching.next points back to a page already read")


def test_recorded_wrapper_without_batching_is_one_page(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(SEARCH).respond(200, content=fixture(RECORDING))
    harvest = run(http)
    assert harvest.complete and harvest.expected is None and len(harvest.calls) == 18


def test_5xx_is_retried(mocked: respx.MockRouter, http: HttpClient) -> None:
    mocked.get(SEARCH).mock(
        side_effect=[httpx.Response(502), httpx.Response(200, json=batch(0, 18))]
    )
    assert len(run(http).calls) == 18
    assert len(http.slept) == 1  # type: ignore[attr-defined]


def test_persistent_5xx_is_a_fetch_error(mocked: respx.MockRouter, http: HttpClient) -> None:
    mocked.get(SEARCH).respond(503)
    with pytest.raises(FetchError, match="HTTP 503 after 4 attempts"):
        run(http)


def test_html_error_page_with_200_is_a_parse_error_naming_the_url(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(SEARCH).respond(200, html="<html><body>Site under maintenance</body></html>")
    with pytest.raises(ParseError, match="malformed JSON") as err:
        run(http)
    assert err.value.url is not None and err.value.url.startswith(f"{SEARCH}?portal_type=Bando")


def test_no_items_where_there_were_many_is_a_shape_change(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(SEARCH).respond(200, json={"items": [], "items_total": 0})
    with pytest.raises(ShapeChanged, match="no items where the last complete run had 18"):
        run(http, last_good=18)


def test_items_that_lost_their_fields_are_a_shape_change(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    renamed = [{("name" if k == "title" else k): v for k, v in i.items()} for i in ITEMS]
    mocked.get(SEARCH).respond(200, json={"items": renamed, "items_total": 18})
    with pytest.raises(ShapeChanged, match="only 0 of 18 items could be read"):
        run(http)
