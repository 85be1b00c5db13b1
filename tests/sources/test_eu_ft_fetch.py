"""The `eu_ft` fetch, against the search API mocked at the transport with recorded payloads.

Where a test needs a second page or another total, it serves a recorded page with the envelope
(`totalResults`) edited, or a small body it says is constructed; the records themselves are
always the recorded ones.
"""

from __future__ import annotations

import email
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from httpx import Response

from fundwatch.errors import FetchError, ParseError, ShapeChanged
from fundwatch.http import HttpClient
from fundwatch.sources import FetchContext, eu_ft, get_kind
from fundwatch.sources.base import MemoryCache
from fundwatch.sources.eu_ft import SEARCH_ENDPOINT, EuFtParams
from tests.golden import fixture

NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
KIND = get_kind("eu_ft")
VIABOLAT = fixture("eu_ft/viabolat_sedia_search_apiv2.154_5results_es-en-ro.json")  # 5 results
AARHUS = fixture("eu_ft/aarhusai_portal_search_page_first2.json")  # 2 results, announces 9
DETAILS = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"


def _with_total(raw: bytes, total: int) -> bytes:
    """A recorded page with only its envelope's totalResults changed."""
    data = json.loads(raw)
    data["totalResults"] = total
    return json.dumps(data).encode()


def _ctx(http: HttpClient, **kw: Any) -> FetchContext:
    return FetchContext(source_id="eu-ft", now=NOW, client=http, **kw)


def _parts(request: httpx.Request) -> dict[str, tuple[str | None, str, Any]]:
    """The multipart parts of a request: name -> (file name, content type, decoded JSON)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.content)
    assert message.is_multipart()
    parts = {}
    for part in message.get_payload():  # type: ignore[union-attr]
        name = part.get_param("name", header="content-disposition")
        body = part.get_payload(decode=True)
        parts[name] = (part.get_filename(), part.get_content_type(), json.loads(body))
    return parts


def _search(handler: Callable[[httpx.Request], Response]) -> respx.Route:
    return respx.post(url__startswith=SEARCH_ENDPOINT).mock(side_effect=handler)


def _page(request: httpx.Request) -> int:
    return int(request.url.params["pageNumber"])


@respx.mock
def test_request_is_multipart_json_parts_sorted_by_identifier(http: HttpClient) -> None:
    route = _search(lambda _r: Response(200, content=VIABOLAT))
    harvest = KIND.fetch(EuFtParams(), _ctx(http))
    assert route.call_count == 1  # totalResults 5 reached on page 1: no second request
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.copy_with(query=None) == SEARCH_ENDPOINT
    assert dict(request.url.params) == {
        "apiKey": "SEDIA",
        "text": "***",
        "pageSize": "100",
        "pageNumber": "1",
    }
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert _parts(request) == {
        "query": (
            "blob",
            "application/json",
            {
                "bool": {
                    "must": [
                        {"terms": {"type": ["1", "2", "8"]}},
                        {"terms": {"status": ["31094502", "31094501"]}},
                        {"terms": {"frameworkProgramme": ["43254019"]}},
                    ]
                }
            },
        ),
        "languages": ("blob", "application/json", ["en"]),
        "sort": ("blob", "application/json", {"order": "ASC", "field": "identifier"}),
    }
    # same keys as the sort part the portal's users send (a recorded request part)
    assert set(json.loads(fixture("eu_ft/pm_request_sort.json"))) == {"order", "field"}
    assert harvest.complete
    assert [c.source_id for c in harvest.calls] == [
        "EU4H-2024-PJ-03-5",
        "HORIZON-MISS-2027-02-CANCER-02",
    ]


@respx.mock
def test_divisions_and_languages_go_into_the_query(http: HttpClient) -> None:
    route = _search(lambda _r: Response(200, content=b'{"totalResults": 0, "results": []}'))
    params = EuFtParams(divisions=["EaSI"], languages=["it", "en"], types=["grant"])
    KIND.fetch(params, _ctx(http))
    parts = _parts(route.calls.last.request)
    assert parts["query"][2]["bool"]["must"][-1] == {"terms": {"programmeDivision": ["43254027"]}}
    assert parts["languages"][2] == ["it", "en"]


@respx.mock
def test_pages_until_total_results_and_saves_every_payload(
    http: HttpClient, tmp_path: Path
) -> None:
    bodies = {1: _with_total(VIABOLAT, 7), 2: _with_total(AARHUS, 7)}
    route = _search(lambda r: Response(200, content=bodies[_page(r)]))
    harvest = KIND.fetch(EuFtParams(page_size=5), _ctx(http, raw_dir=tmp_path))
    assert [_page(c.request) for c in route.calls] == [1, 2]
    assert all(c.request.url.params["pageSize"] == "5" for c in route.calls)
    assert harvest.complete
    assert [c.source_id for c in harvest.calls] == [
        "EU4H-2024-PJ-03-5",
        "HORIZON-CL2-2024-TRANSFORMATIONS-01-08",
        "HORIZON-MISS-2027-02-CANCER-02",
        "HORIZON-MISS-2027-05-SOIL-01-two-stage",
    ]
    assert [p.read_bytes() for p in sorted(tmp_path.iterdir())] == [bodies[1], bodies[2]]
    assert "7 records folded into 4 topics" in harvest.notes
    assert harvest.expected == 7  # records announced, copies included


@respx.mock
def test_fewer_records_than_announced_is_incomplete(http: HttpClient) -> None:
    # the recorded page announces 9 results and carries 2; the next page (constructed) is empty
    bodies = {1: AARHUS, 2: b'{"totalResults": 9, "results": []}'}
    route = _search(lambda r: Response(200, content=bodies[_page(r)]))
    harvest = KIND.fetch(EuFtParams(), _ctx(http))
    assert route.call_count == 2
    assert not harvest.complete
    assert "received 2 of 9 announced records" in harvest.notes
    assert (len(harvest.calls), harvest.expected) == (2, 9)


@respx.mock
def test_empty_result_set_is_a_complete_run(http: HttpClient) -> None:
    _search(lambda _r: Response(200, content=b'{"totalResults": 0, "results": []}'))
    harvest = KIND.fetch(EuFtParams(), _ctx(http))
    assert (harvest.calls, harvest.complete) == ([], True)


@respx.mock
def test_empty_result_set_after_many_calls_is_a_shape_change(http: HttpClient) -> None:
    _search(lambda _r: Response(200, content=b'{"totalResults": 0, "results": []}'))
    with pytest.raises(ShapeChanged):
        KIND.fetch(EuFtParams(), _ctx(http, last_good_count=40))


@respx.mock
def test_server_errors_timeouts_and_429_are_retried(http: HttpClient) -> None:
    answers: list[Response | Exception] = [
        Response(503),
        Response(429, headers={"Retry-After": "7"}),
        httpx.ConnectTimeout("timed out"),
        Response(200, content=VIABOLAT),
    ]
    route = respx.post(url__startswith=SEARCH_ENDPOINT).mock(side_effect=answers)
    harvest = KIND.fetch(EuFtParams(), _ctx(http))
    assert route.call_count == 4
    assert 7.0 in http.slept  # type: ignore[attr-defined]
    assert harvest.complete and len(harvest.calls) == 2


@respx.mock
def test_persistent_server_error_is_a_fetch_error(http: HttpClient) -> None:
    route = _search(lambda _r: Response(500))
    with pytest.raises(FetchError, match="HTTP 500 after 4 attempts"):
        KIND.fetch(EuFtParams(), _ctx(http))
    assert route.call_count == 4


@respx.mock
@pytest.mark.parametrize(
    ("body", "message"),
    [(b'{"totalResults": 7, "results": [{"meta', "malformed JSON"), (b"{}", "no 'results'")],
)
def test_bad_page_is_a_parse_error_naming_the_page(
    http: HttpClient, body: bytes, message: str
) -> None:
    bodies = {1: _with_total(VIABOLAT, 7), 2: body}
    _search(lambda r: Response(200, content=bodies[_page(r)]))
    with pytest.raises(ParseError, match=f"search results page 2: {message}") as err:
        KIND.fetch(EuFtParams(page_size=5), _ctx(http))
    assert err.value.url is not None and "pageNumber=2" in err.value.url


@respx.mock
def test_query_past_the_result_window_is_split_by_programme(http: HttpClient) -> None:
    def answer(request: httpx.Request) -> Response:
        programmes = _parts(request)["query"][2]["bool"]["must"][2]["terms"]["frameworkProgramme"]
        if len(programmes) > 1:
            return Response(200, content=_with_total(AARHUS, 12_000))
        return Response(200, content=VIABOLAT if programmes == ["43254019"] else AARHUS)

    # the second part serves the recorded page that announces 9 and carries 2, page 2 empty
    route = _search(
        lambda r: (
            answer(r)
            if _page(r) == 1
            else Response(200, content=b'{"totalResults": 9, "results": []}')
        )
    )
    harvest = KIND.fetch(EuFtParams(programmes=["ESF+", "CERV"]), _ctx(http))
    asked = [
        (
            _parts(c.request)["query"][2]["bool"]["must"][2]["terms"]["frameworkProgramme"],
            _page(c.request),
        )
        for c in route.calls
    ]
    assert asked == [
        (["43254019", "43251589"], 1),
        (["43254019"], 1),
        (["43251589"], 1),
        (["43251589"], 2),
    ]
    assert any("split into 2 queries" in n for n in harvest.notes)
    assert harvest.expected == 5 + 9  # the parts paged; the oversized query's 12,000 is not
    # the first, oversized answer is discarded; the second part came up short
    assert [c.source_id for c in harvest.calls] == [
        "EU4H-2024-PJ-03-5",
        "HORIZON-CL2-2024-TRANSFORMATIONS-01-08",
        "HORIZON-MISS-2027-02-CANCER-02",
        "HORIZON-MISS-2027-05-SOIL-01-two-stage",
    ]
    assert not harvest.complete


@respx.mock
def test_unsplittable_query_reads_the_window_and_is_incomplete(
    http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(eu_ft, "RESULT_WINDOW", 10)
    route = _search(lambda _r: Response(200, content=_with_total(VIABOLAT, 12)))
    params = EuFtParams(statuses=["open"], types=["grant"], page_size=5)
    harvest = KIND.fetch(params, _ctx(http))
    assert [_page(c.request) for c in route.calls] == [1, 2]
    assert not harvest.complete
    assert any("cannot be split further" in n for n in harvest.notes)
    assert "received 10 of 12 announced records" in harvest.notes


# -- enrichment from topicDetails ---------------------------------------------------------

# CONSTRUCTED: no real topicDetails body is available; this follows its documented shape.
CONSTRUCTED_DETAILS = {
    "TopicDetails": {
        "identifier": "constructed",
        "description": "<p>Constructed description&nbsp;<b>text</b>.</p>",
        "conditions": "<div><h4>Constructed conditions</h4><p>Eligible: anyone.</p></div>",
        "keywords": ["constructed keyword"],
        "tags": ["constructed tag"],
    }
}


def _enrich_routes(pages: dict[int, bytes]) -> respx.Route:
    _search(lambda r: Response(200, content=pages[_page(r)]))
    return respx.get(url__startswith=DETAILS).mock(
        return_value=Response(200, json=CONSTRUCTED_DETAILS)
    )


def _asked(route: respx.Route) -> list[str]:
    return sorted(c.request.url.path.rsplit("/", 1)[1] for c in route.calls)


@respx.mock
def test_enrichment_fetches_only_new_or_changed_topics(http: HttpClient) -> None:
    params = EuFtParams(page_size=5, enrich=True)
    pages = {1: _with_total(VIABOLAT, 7), 2: _with_total(AARHUS, 7)}
    cache = MemoryCache()

    details = _enrich_routes(pages)
    first = KIND.fetch(params, _ctx(http, cache=cache))
    assert _asked(details) == [
        "eu4h-2024-pj-03-5.json",
        "horizon-cl2-2024-transformations-01-08.json",
        "horizon-miss-2027-02-cancer-02.json",
        "horizon-miss-2027-05-soil-01-two-stage.json",
    ]
    by_id = {c.source_id: c for c in first.calls}
    legacy = by_id["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"]
    # the legacy copy had no description or conditions: the details fill them
    assert legacy.summary == "Constructed description text."
    assert legacy.extra["conditions"] == "Constructed conditions\n\nEligible: anyone."
    # the current copies had both: nothing they carry is replaced
    assert by_id["EU4H-2024-PJ-03-5"].summary.startswith("Expected Impact:")

    # second run: SOIL is not stored yet (new), CANCER-02's record changed, the others did not
    known = {sid: c.content_hash() for sid, c in by_id.items() if "SOIL" not in sid}
    page1 = json.loads(pages[1])
    for result in page1["results"]:
        if result["metadata"]["identifier"] == ["HORIZON-MISS-2027-02-CANCER-02"]:
            result["metadata"]["deadlineDate"] = ["2027-10-05T00:00:00.000+0000"]
    respx.reset()
    pages[1] = json.dumps(page1).encode()
    details = _enrich_routes(pages)
    second = KIND.fetch(params, _ctx(http, cache=cache, known=known))
    assert _asked(details) == [
        "horizon-miss-2027-02-cancer-02.json",
        "horizon-miss-2027-05-soil-01-two-stage.json",
    ]
    again = {c.source_id: c for c in second.calls}
    # unchanged topics reuse the cached details: same call, same hash, no spurious change
    assert again["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"] == legacy
    assert again["EU4H-2024-PJ-03-5"] == by_id["EU4H-2024-PJ-03-5"]


@respx.mock
def test_failed_details_are_a_note_and_the_call_is_kept(http: HttpClient) -> None:
    _search(lambda _r: Response(200, content=_with_total(AARHUS, 2)))
    respx.get(url__startswith=DETAILS).mock(return_value=Response(404))
    harvest = KIND.fetch(EuFtParams(enrich=True), _ctx(http))
    assert harvest.complete
    assert [c.source_id for c in harvest.calls] == [
        "HORIZON-CL2-2024-TRANSFORMATIONS-01-08",
        "HORIZON-MISS-2027-05-SOIL-01-two-stage",
    ]
    assert any(n.startswith("topic details not read for: HORIZON-CL2") for n in harvest.notes)


@respx.mock
def test_enrichment_off_asks_for_no_details(http: HttpClient) -> None:
    _search(lambda _r: Response(200, content=VIABOLAT))
    details = respx.get(url__startswith=DETAILS).mock(return_value=Response(500))
    KIND.fetch(EuFtParams(), _ctx(http))
    assert details.call_count == 0
