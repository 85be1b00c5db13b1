"""Socrata fetch against a mocked dati.lombardia.it (respx): $limit/$offset paging,
incremental $where runs, retries, bad payloads, shape guards, and the Bandi Online detail hop
with conditional GETs. Rows are the recorded bukx-h2uy row with the code (and where a test
needs it, the title) changed; detail pages are the recorded fragments in a page shell."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from fundwatch.errors import FetchError, ParseError, ShapeChanged
from fundwatch.http import HttpClient
from fundwatch.sources import get_kind
from fundwatch.sources.base import FetchContext, Harvest, MemoryCache
from fundwatch.sources.socrata import SocrataParams
from tests.golden import fixture

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
KIND = get_kind("socrata")
RESOURCE = "https://www.dati.lombardia.it/resource/bukx-h2uy.json"
DETAIL = "https://www.bandi.regione.lombardia.it/servizi/servizio/bandi/dettaglio/"
RECORDED = json.loads(fixture("lombardia/lombardia_bukx-h2uy_row_and_detail_fixture.json"))
ROW: dict[str, str] = RECORDED["socrata_row"]
FRAGMENTS: dict[str, str] = RECORDED["detail_fragments"]
PAGE = (
    "<html><head><title>Bando | Bandi Online</title></head><body>"
    + "".join(FRAGMENTS.values())
    + "</body></html>"
).encode()


def row(n: int, *, updated: str = "2026-08-01T10:00:00.000Z", **changes: str) -> dict[str, str]:
    return {
        **ROW,
        "codice_bando": f"RLP{n:05d}",
        ":id": f"row-{n}",
        ":updated_at": updated,
        **changes,
    }


@dataclass
class Portal:
    """A mocked Socrata resource: `rows` served by $offset/$limit, the rows matching a
    `:updated_at > '…'` condition for incremental requests, and Bandi Online detail pages
    with ETags."""

    rows: list[dict[str, Any]]
    detail_status: dict[str, int] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def resource(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        q = request.url.params
        rows = self.rows
        since = re.search(r":updated_at > '([^']+)'", q.get("$where", ""))
        if since:
            rows = [r for r in rows if r[":updated_at"] > since[1]]
        offset, limit = int(q["$offset"]), int(q["$limit"])
        return httpx.Response(200, json=rows[offset : offset + limit])

    def detail(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        code = request.url.path.rsplit("/", 1)[1]
        if code in self.detail_status:
            return httpx.Response(self.detail_status[code])
        etag = f'"{code}-v1"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        return httpx.Response(
            200, content=PAGE, headers={"ETag": etag, "Content-Type": "text/html"}
        )

    def queries(self) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests if r.url.path.startswith("/resource")]

    def detail_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/servizi")]


@pytest.fixture
def mocked() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def serve(router: respx.MockRouter, portal: Portal) -> Portal:
    router.get(RESOURCE).mock(side_effect=portal.resource)
    router.get(url__startswith=DETAIL).mock(side_effect=portal.detail)
    return portal


def run(
    http: HttpClient,
    params: SocrataParams,
    *,
    now: datetime = NOW,
    cache: MemoryCache | None = None,
    known: dict[str, str] | None = None,
    last_good: int | None = None,
) -> Harvest:
    ctx = FetchContext(
        source_id="lombardia",
        now=now,
        client=http,
        cache=cache if cache is not None else MemoryCache(),
        known=known or {},
        last_good_count=last_good,
    )
    return KIND.fetch(params, ctx)


# -- paging ---------------------------------------------------------------------------------


def test_pages_by_offset_until_a_short_page(mocked: respx.MockRouter, http: HttpClient) -> None:
    portal = serve(mocked, Portal([row(i) for i in range(5)]))
    harvest = run(http, SocrataParams(page_size=2))
    assert harvest.complete and harvest.notes == []
    assert [c.source_id for c in harvest.calls] == [f"RLP{i:05d}" for i in range(5)]
    assert portal.queries() == [
        {"$limit": "2", "$offset": str(offset), "$order": ":id", "$select": ":*, *"}
        for offset in (0, 2, 4)
    ]


def test_a_full_last_page_costs_one_empty_request(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = serve(mocked, Portal([row(i) for i in range(4)]))
    assert len(run(http, SocrataParams(page_size=2)).calls) == 4
    assert [q["$offset"] for q in portal.queries()] == ["0", "2", "4"]


def test_stopping_at_max_pages_is_incomplete(mocked: respx.MockRouter, http: HttpClient) -> None:
    serve(mocked, Portal([row(i) for i in range(7)]))
    harvest = run(http, SocrataParams(page_size=2, max_pages=2))
    assert not harvest.complete
    assert len(harvest.calls) == 4
    assert harvest.notes == ["stopped after 2 pages of 2 rows; raise max_pages"]


def test_configured_where_and_no_system_fields(mocked: respx.MockRouter, http: HttpClient) -> None:
    portal = serve(mocked, Portal([row(1)]))
    params = SocrataParams(where="chiusura_adesione >= '2026-01-01'", updated_field=None)
    run(http, params)
    assert portal.queries() == [
        {
            "$limit": "1000",
            "$offset": "0",
            "$order": ":id",
            "$where": "chiusura_adesione >= '2026-01-01'",
        }
    ]


# -- incremental runs -----------------------------------------------------------------------


def test_incremental_run_asks_only_for_changed_rows_and_merges(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = serve(mocked, Portal([row(1), row(2, updated="2026-08-20T06:00:00.000Z"), row(3)]))
    cache = MemoryCache()
    params = SocrataParams(where="tipo_strumento = 'Bando'")
    first = run(http, params, cache=cache)
    assert len(first.calls) == 3
    # one row changes, one is added, after the first read
    portal.rows[0] = row(1, updated="2026-08-31T09:00:00.000Z", titolo_bando="Bando Tertium bis")
    portal.rows.append(row(4, updated="2026-08-31T10:00:00.000Z"))
    portal.requests.clear()
    second = run(http, params, cache=cache, now=NOW + timedelta(hours=6))
    assert second.complete
    assert portal.queries() == [
        {
            "$limit": "1000",
            "$offset": "0",
            "$order": ":id",
            "$select": ":*, *",
            "$where": "(tipo_strumento = 'Bando') AND :updated_at > '2026-08-20T06:00:00.000Z'",
        }
    ]
    by_id = {c.source_id: c.title for c in second.calls}
    assert by_id == {
        "RLP00001": "Bando Tertium bis",
        "RLP00002": "Bando Tertium",
        "RLP00003": "Bando Tertium",
        "RLP00004": "Bando Tertium",
    }
    portal.requests.clear()
    run(http, params, cache=cache, now=NOW + timedelta(hours=7))
    assert portal.queries()[0]["$where"].endswith(":updated_at > '2026-08-31T10:00:00.000Z'")


def test_full_read_again_after_full_refresh_hours(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = serve(mocked, Portal([row(1), row(2)]))
    cache = MemoryCache()
    run(http, SocrataParams(), cache=cache)
    portal.rows.pop()  # a deleted row only shows on a full read
    portal.requests.clear()
    harvest = run(http, SocrataParams(), cache=cache, now=NOW + timedelta(hours=25))
    assert "$where" not in portal.queries()[0]
    assert [c.source_id for c in harvest.calls] == ["RLP00001"]


def test_rejected_incremental_request_falls_back_to_a_full_read(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = Portal([row(1)])
    cache = MemoryCache()
    serve(mocked, portal)
    run(http, SocrataParams(), cache=cache)

    def strict(request: httpx.Request) -> httpx.Response:
        if "$where" in request.url.params:
            return httpx.Response(400, json={"error": True, "message": "bad where"})
        return portal.resource(request)

    mocked.get(RESOURCE).mock(side_effect=strict)
    harvest = run(http, SocrataParams(), cache=cache, now=NOW + timedelta(hours=1))
    assert harvest.complete and [c.source_id for c in harvest.calls] == ["RLP00001"]
    assert harvest.notes[0].startswith("incremental read failed, read everything instead: HTTP 400")


def test_incomplete_read_keeps_the_last_complete_state(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = serve(mocked, Portal([row(i) for i in range(3)]))
    cache = MemoryCache()
    run(http, SocrataParams(page_size=2, max_pages=1), cache=cache)  # stops short
    portal.requests.clear()
    run(http, SocrataParams(page_size=2, max_pages=1), cache=cache, now=NOW + timedelta(hours=1))
    assert "$where" not in portal.queries()[0]  # no mark was kept from the incomplete run


# -- errors ---------------------------------------------------------------------------------


def test_5xx_is_retried(mocked: respx.MockRouter, http: HttpClient) -> None:
    mocked.get(RESOURCE).mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json=[row(1)])]
    )
    harvest = run(http, SocrataParams())
    assert [c.source_id for c in harvest.calls] == ["RLP00001"]
    assert len(http.slept) == 2  # type: ignore[attr-defined]


def test_5xx_after_the_retries_is_a_fetch_error(mocked: respx.MockRouter, http: HttpClient) -> None:
    mocked.get(RESOURCE).respond(500)
    with pytest.raises(FetchError, match="HTTP 500 after 4 attempts"):
        run(http, SocrataParams())


def test_malformed_json_is_a_parse_error_naming_the_url(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(RESOURCE).respond(200, text="<html><body>Manutenzione</body></html>")
    with pytest.raises(ParseError) as err:
        run(http, SocrataParams())
    assert err.value.url is not None and err.value.url.startswith(RESOURCE + "?%24limit=1000")


def test_socrata_error_with_status_200_is_a_parse_error(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(RESOURCE).respond(200, json={"error": True, "message": "Dataset is private"})
    with pytest.raises(ParseError, match="Socrata error: Dataset is private"):
        run(http, SocrataParams())


# -- shape guards ---------------------------------------------------------------------------


def test_empty_answer_where_there_were_many_is_a_shape_change(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    serve(mocked, Portal([]))
    with pytest.raises(ShapeChanged, match="no items where the last complete run had 1900"):
        run(http, SocrataParams(), last_good=1900)


def test_renamed_columns_are_a_shape_change(mocked: respx.MockRouter, http: HttpClient) -> None:
    renamed = [
        {("titolo" if k == "titolo_bando" else k): v for k, v in row(i).items()} for i in range(8)
    ]
    serve(mocked, Portal([row(100), row(101), *renamed]))
    with pytest.raises(ShapeChanged, match="only 2 of 10 items could be read"):
        run(http, SocrataParams())


# -- the detail hop -------------------------------------------------------------------------


def test_detail_hop_reads_new_calls_then_reuses_the_cache(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = serve(mocked, Portal([row(1), row(2)]))
    cache = MemoryCache()
    params = SocrataParams(detail=True)
    first = run(http, params, cache=cache)
    assert [r.url.path.rsplit("/", 1)[1] for r in portal.detail_requests()] == [
        "RLP00001",
        "RLP00002",
    ]
    call = first.calls[0]
    assert (call.stated_status, call.deadlines[0].at) == (
        "Aperto",
        datetime(2026, 9, 7, 10, 0, tzinfo=UTC),
    )
    assert [p.code for p in call.programmes] == ["ERDF"]
    assert [a.code for a in call.audiences] == ["pmi"]

    known = {c.source_id: c.content_hash() for c in first.calls}
    portal.requests.clear()
    second = run(http, params, cache=cache, known=known, now=NOW + timedelta(hours=6))
    assert portal.detail_requests() == []
    assert second.calls == first.calls


def test_changed_row_gets_its_page_again(mocked: respx.MockRouter, http: HttpClient) -> None:
    portal = serve(mocked, Portal([row(1), row(2)]))
    cache = MemoryCache()
    params = SocrataParams(detail=True, updated_field=None)
    first = run(http, params, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls}
    portal.rows[1] = row(2, titolo_bando="Bando Tertium - riapertura")
    portal.requests.clear()
    run(http, params, cache=cache, known=known, now=NOW + timedelta(hours=6))
    assert [r.url.path.rsplit("/", 1)[1] for r in portal.detail_requests()] == ["RLP00002"]


def test_stale_cached_page_is_rechecked_with_a_conditional_get(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = serve(mocked, Portal([row(1)]))
    cache = MemoryCache()
    params = SocrataParams(detail=True, detail_refresh_days=7)
    first = run(http, params, cache=cache)
    known = {c.source_id: c.content_hash() for c in first.calls}
    portal.requests.clear()
    later = run(http, params, cache=cache, known=known, now=NOW + timedelta(days=8))
    (request,) = portal.detail_requests()
    assert request.headers["if-none-match"] == '"RLP00001-v1"'
    assert later.calls == first.calls  # the 304 re-read the cached page


def test_failed_or_error_pages_keep_the_listing_complete(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(f"{DETAIL}RLP00002").respond(
        200, html="<html><head><title>Errore | Bandi Online</title></head><body/></html>"
    )
    portal = serve(mocked, Portal([row(1), row(2)], detail_status={"RLP00001": 404}))
    harvest = run(http, SocrataParams(detail=True))
    assert harvest.complete
    assert [c.stated_status for c in harvest.calls] == ["", ""]  # row data only
    assert harvest.notes == [
        f"detail page of RLP00001 not read: HTTP 404 ({DETAIL}RLP00001)",
        f"detail page of RLP00002 is an error page or unreadable ({DETAIL}RLP00002)",
    ]
    assert len(portal.detail_requests()) == 1  # the 404 is not retried


def test_failed_page_falls_back_to_the_last_good_reading(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    portal = serve(mocked, Portal([row(1)]))
    cache = MemoryCache()
    params = SocrataParams(detail=True)
    first = run(http, params, cache=cache)
    portal.detail_status["RLP00001"] = 503
    later = run(http, params, cache=cache, now=NOW + timedelta(days=8))
    assert later.calls == first.calls
    assert later.notes == [
        f"detail page of RLP00001 not read: HTTP 503 after 4 attempts ({DETAIL}RLP00001)"
    ]


def test_long_closed_calls_and_tenders_get_no_hop(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    tender = json.loads(fixture("lombardia/mayai_socrata_k6cb-4hbm_tenders_rows.json"))[0]
    old = row(9, chiusura_adesione="2021-03-31T00:00:00.000")
    portal = serve(mocked, Portal([old, tender]))
    harvest = run(http, SocrataParams(detail=True))
    assert portal.detail_requests() == []
    assert [c.call_type for c in harvest.calls] == ["", "procurement"]


def test_max_details_defers_the_rest(mocked: respx.MockRouter, http: HttpClient) -> None:
    portal = serve(mocked, Portal([row(i) for i in range(3)]))
    harvest = run(http, SocrataParams(detail=True, max_details=1))
    assert len(portal.detail_requests()) == 1
    assert harvest.complete
    assert harvest.notes == ["2 detail pages left for the next runs (max_details)"]
