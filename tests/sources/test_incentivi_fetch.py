"""incentivi fetch against a mocked Solr select (respx): start/rows paging up to numFound,
short pages, retries, bad payloads and the shape guards. Documents are the recorded ones
(alias vocabulary), with node ids changed where a test needs more of them."""

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
from fundwatch.sources.incentivi import DEFAULT_FIELDS, IncentiviParams
from tests.golden import fixture

NOW = datetime(2026, 6, 4, 8, 0, tzinfo=UTC)
KIND = get_kind("incentivi")
SELECT = "https://www.incentivi.gov.it/solr/coredrupal/select"
DOCS: list[dict[str, Any]] = json.loads(
    fixture("incentivi/agevolamatch_incentivi_solr_aliases_prefix4.json")
)["response"]["docs"]


def docs(n: int) -> list[dict[str, Any]]:
    return [{**DOCS[i % len(DOCS)], "ID_Incentivo": str(5000 + i)} for i in range(n)]


@pytest.fixture
def mocked() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def serve(
    router: respx.MockRouter, catalogue: list[dict[str, Any]], found: int | None = None
) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        start, rows = int(request.url.params["start"]), int(request.url.params["rows"])
        body = {
            "responseHeader": {"status": 0},
            "response": {
                "numFound": len(catalogue) if found is None else found,
                "start": start,
                "docs": catalogue[start : start + rows],
            },
        }
        return httpx.Response(200, json=body)

    router.get(SELECT).mock(side_effect=answer)
    return seen


def run(
    http: HttpClient, params: IncentiviParams | None = None, last_good: int | None = None
) -> Harvest:
    ctx = FetchContext(source_id="incentivi", now=NOW, client=http, last_good_count=last_good)
    return KIND.fetch(params or IncentiviParams(), ctx)


def test_pages_with_start_until_num_found(mocked: respx.MockRouter, http: HttpClient) -> None:
    seen = serve(mocked, docs(5))
    harvest = run(http, IncentiviParams(rows=2))
    assert harvest.complete and harvest.expected == 5 and harvest.notes == []
    assert [c.source_id for c in harvest.calls] == [str(5000 + i) for i in range(5)]
    assert [r.url.params["start"] for r in seen] == ["0", "2", "4"]
    first = dict(seen[0].url.params)
    assert first == {
        "q": "index_id:incentivi",
        "wt": "json",
        "rows": "2",
        "start": "0",
        "sort": "id asc",
        "fl": ",".join(DEFAULT_FIELDS),
    }
    assert "zs_rendered_item" not in first["fl"] and "zm_field_regions_value" in first["fl"]


def test_filters_and_all_fields(mocked: respx.MockRouter, http: HttpClient) -> None:
    seen = serve(mocked, docs(1))
    run(http, IncentiviParams(fields=(), filters=("ss_search_api_language:it", "zs_nid:[* TO *]")))
    params = dict(seen[0].url.params)
    assert "fl" not in params
    assert params["fq"] == "(ss_search_api_language:it) AND (zs_nid:[* TO *])"


def test_an_empty_page_before_num_found_is_incomplete(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    serve(mocked, docs(3), found=5)
    harvest = run(http, IncentiviParams(rows=3))
    assert not harvest.complete and harvest.expected == 5 and len(harvest.calls) == 3
    assert harvest.notes == ["an empty page at start=3 before the 5 announced"]


def test_max_pages_stops_short_and_incomplete(mocked: respx.MockRouter, http: HttpClient) -> None:
    serve(mocked, docs(7))
    harvest = run(http, IncentiviParams(rows=2, max_pages=2))
    assert not harvest.complete and len(harvest.calls) == 4
    assert harvest.notes == ["stopped after 2 pages of 2; raise max_pages"]


def test_recorded_wrapper_is_one_complete_page(mocked: respx.MockRouter, http: HttpClient) -> None:
    mocked.get(SELECT).respond(
        200, content=fixture("incentivi/mayai_incentivi_solr_docs_wrapped_first3.json")
    )
    harvest = run(http)
    assert harvest.complete and harvest.expected is None
    assert [c.source_id for c in harvest.calls] == ["3400", "3265", "7828"]


def test_5xx_is_retried(mocked: respx.MockRouter, http: HttpClient) -> None:
    body = json.loads(fixture("incentivi/mayai_incentivi_solr_raw_doc.json"))
    mocked.get(SELECT).mock(side_effect=[httpx.Response(503), httpx.Response(200, json=body)])
    assert [c.source_id for c in run(http).calls] == ["3400"]
    assert len(http.slept) == 1  # type: ignore[attr-defined]


def test_refused_request_is_a_fetch_error(mocked: respx.MockRouter, http: HttpClient) -> None:
    mocked.get(SELECT).respond(403, text="Forbidden")
    with pytest.raises(FetchError, match="HTTP 403"):
        run(http)


def test_block_page_served_with_200_is_a_parse_error_naming_the_url(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    mocked.get(SELECT).respond(200, html="<html><title>Access denied</title></html>")
    with pytest.raises(ParseError, match="malformed JSON") as err:
        run(http)
    assert err.value.url is not None and err.value.url.startswith(f"{SELECT}?q=index_id")


def test_solr_error_is_a_parse_error(mocked: respx.MockRouter, http: HttpClient) -> None:
    mocked.get(SELECT).respond(200, json={"error": {"msg": "Cannot parse sort", "code": 400}})
    with pytest.raises(ParseError, match="Solr error 400: Cannot parse sort"):
        run(http)


def test_nothing_found_where_there_were_many_is_a_shape_change(
    mocked: respx.MockRouter, http: HttpClient
) -> None:
    serve(mocked, [])
    with pytest.raises(ShapeChanged, match="no items where the last complete run had 37"):
        run(http, last_good=37)


def test_renamed_fields_are_a_shape_change(mocked: respx.MockRouter, http: HttpClient) -> None:
    renamed = [{("Title" if k == "Titolo" else k): v for k, v in d.items()} for d in docs(5)]
    serve(mocked, renamed)
    with pytest.raises(ShapeChanged, match="only 0 of 5 items could be read"):
        run(http)
