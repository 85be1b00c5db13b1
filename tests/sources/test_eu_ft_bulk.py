"""The `eu_ft_bulk` kind: the grantsTenders.json catalogue, streamed.

No real capture of the catalogue exists in our fixtures. `constructed_bulk_grantsTenders.json`
is CONSTRUCTED: `_construct_catalogue()` below turns the real search-API records and the real
ESF+ records of the other fixtures into records of the catalogue's documented shape (code
objects {id, abbreviation, description}, epoch-ms dates, the misspelt `sumbissionProcedure`),
and a test checks that the committed file is exactly that construction.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import respx
from httpx import Response

from fundwatch.errors import FetchError, ParseError, ShapeChanged
from fundwatch.http import HttpClient
from fundwatch.sources import FetchContext, get_kind
from fundwatch.sources.eu_ft_bulk import BULK_URL, EuFtBulkParams, parse, to_call
from tests.golden import FIXTURES, assert_golden, fixture

NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
CONSTRUCTED = FIXTURES / "eu_ft" / "constructed_bulk_grantsTenders.json"
SEARCH_FIXTURES = (
    "eu_ft/viabolat_sedia_search_apiv2.154_5results_es-en-ro.json",
    "eu_ft/aarhusai_portal_search_page_first2.json",
)
ESF_RECORDS = "eu_ft/mn_grants_feed_2026-08-22_esf_records.json"
FACETS = "eu_ft/mn_grants_feed_2026-08-22_facets_prefix.json"


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def _facet_labels(facet: str) -> dict[str, str]:
    """The portal's own labels (as the facet API gives them, mangling included)."""
    values = json.loads(fixture(FACETS))["facets"][facet]
    return {v["rawValue"]: v["value"] for v in values if not v["value"].strip().isdigit()}


def _code_object(code: str, facet: str) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": int(code)}
    label = _facet_labels(facet).get(code)
    if label:
        if label.strip().endswith(")"):
            obj["abbreviation"] = label.rsplit("(", 1)[1].strip().rstrip(")").strip()
        obj["description"] = label
    return obj


def _from_search(md: dict[str, Any]) -> dict[str, Any]:
    actions = json.loads(md["actions"][0]) if md.get("actions") else []
    record: dict[str, Any] = {
        "type": int(md["type"][0]),
        "ccm2Id": int(md["ccm2Id"][0]),
        "cftId": 0,
        "identifier": md["identifier"][0],
        "title": md["title"][0],
        "plannedOpeningDateLong": _ms(md["startDate"][0]),
        "callIdentifier": md["callIdentifier"][0],
        "callTitle": md.get("callTitle", [""])[0],
        "callccm2Id": int(md["callccm2Id"][0]),
        "deadlineDatesLong": [_ms(d) for d in md["deadlineDate"]],
        "frameworkProgramme": _code_object(md["frameworkProgramme"][0], "frameworkProgramme"),
        "programmeDivision": [
            _code_object(c, "programmeDivision") for c in md["programmeDivision"]
        ],
        "status": {
            "id": int(md["status"][0]),
            "abbreviation": {"31094501": "Forthcoming", "31094502": "Open"}[md["status"][0]],
            "description": {"31094501": "Forthcoming", "31094502": "Open"}[md["status"][0]],
        },
        "tags": md.get("tags", []),
        "keywords": md.get("keywords", []),
        "typesOfAction": md.get("typesOfAction", []),
        "actions": actions,
        "latestInfos": json.loads(md["latestInfos"][0]) if md.get("latestInfos") else [],
        "links": json.loads(md["links"][0]) if md.get("links") else [],
    }
    if actions and "submissionProcedure" in actions[0]:
        record["sumbissionProcedure"] = actions[0]["submissionProcedure"]
    return record


def _from_esf(r: dict[str, Any]) -> dict[str, Any]:
    status = {"31094501": "Forthcoming", "31094502": "Open"}[r["status"]["id"]]
    return {
        "type": int(r["kind"]["id"]),
        "identifier": r["identifier"],
        "title": r["title"],
        "plannedOpeningDateLong": _ms(r["startDate"]),
        "callIdentifier": r["callIdentifier"],
        "callTitle": r["callTitle"],
        "deadlineDatesLong": [_ms(r["deadlineDate"])],
        "frameworkProgramme": _code_object(r["frameworkProgrammes"][0]["id"], "frameworkProgramme"),
        "programmeDivision": [
            _code_object(d["id"], "programmeDivision") for d in r["programmeDivisions"]
        ],
        "status": {"id": int(r["status"]["id"]), "abbreviation": status, "description": status},
        "typesOfAction": [r["actionType"]],
        "tags": [],
        "keywords": [],
    }


def _construct_catalogue() -> bytes:
    """The constructed catalogue: the ESF+ records, then one record per real search topic
    (its English current copy, else its first current copy; legacy copies left out)."""
    records = [_from_esf(r) for r in json.loads(fixture(ESF_RECORDS))]
    for name in SEARCH_FIXTURES:
        topics: dict[str, dict[str, Any]] = {}
        for result in json.loads(fixture(name))["results"]:
            md = result["metadata"]
            if md.get("DATASOURCE") == ["SEDIA_PRD_CENTRICITY"]:
                continue
            if md["identifier"][0] not in topics or md["language"] == ["en"]:
                topics[md["identifier"][0]] = md
        records.extend(_from_search(md) for md in topics.values())
    body = {"fundingData": {"GrantTenderObj": records}}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _all() -> EuFtBulkParams:
    return EuFtBulkParams(programmes=(), types=(), statuses=())


def test_constructed_catalogue_is_exactly_derived_from_the_real_records() -> None:
    if not CONSTRUCTED.exists():
        CONSTRUCTED.write_bytes(_construct_catalogue())
    assert CONSTRUCTED.read_bytes() == _construct_catalogue()


def test_golden_default_params_keep_the_esf_plus_topics() -> None:
    calls = parse(CONSTRUCTED.read_bytes(), EuFtBulkParams(), "eu-ft-bulk")
    assert_golden(calls, CONSTRUCTED.with_suffix(".esf.expected.json"), NOW)


def test_golden_every_record() -> None:
    calls = parse(CONSTRUCTED.read_bytes(), _all(), "eu-ft-bulk")
    assert_golden(calls, CONSTRUCTED.with_suffix(".all.expected.json"), NOW)


def test_filters_by_programme_division_type_and_status() -> None:
    raw = CONSTRUCTED.read_bytes()

    def ids(**params: Any) -> list[str]:
        return [c.source_id for c in parse(raw, EuFtBulkParams(**params), "s")]

    assert ids(programmes=["Horizon Europe"], statuses=["forthcoming"]) == [
        "HORIZON-MISS-2027-02-CANCER-02",
        "HORIZON-MISS-2027-05-SOIL-01-two-stage",
    ]
    assert ids(programmes=[], divisions=["EaSI"], statuses=["open"]) == [
        "ESF-2026-AG-TCS",
        "ESF-2026-SE-INCUBATION",
        "ESF-2026-POW",
    ]
    assert ids(programmes=["EU4Health"], statuses=["forthcoming"]) == []
    assert ids(programmes=["EU4Health"]) == ["EU4H-2024-PJ-03-5"]
    assert ids(programmes=[], types=["cascade funding"]) == []


def test_tender_record_gets_the_tender_page_and_type() -> None:
    # CONSTRUCTED record, shaped as the documented type-0 catalogue entries
    record = {
        "type": 0,
        "identifier": "f3a1c2d4-0000-4000-8000-000000000000",
        "title": "  Framework contract for  studies ",
        "status": {"id": 31094502, "abbreviation": "Open", "description": "Open"},
        "deadlineDatesLong": ["1790841600000"],
        "placesOfDeliveryOrPerformance": ["BE"],
    }
    call = to_call(record, "s")
    assert call is not None
    assert call.url.endswith("/tender-details/f3a1c2d4-0000-4000-8000-000000000000")
    assert (call.call_type, call.title, call.stated_status) == (
        "Tender",
        "Framework contract for studies",
        "Open",
    )
    # 1790841600000 = 2026-10-01T08:00:00Z: a real time of day is kept as the instant
    assert [d.at.isoformat() for d in call.deadlines] == ["2026-10-01T08:00:00+00:00"]


def test_multiple_cut_offs_give_labelled_deadlines() -> None:
    # CONSTRUCTED record: three cut-offs as Brussels midnights in epoch ms
    record = {
        "type": 1,
        "identifier": "X-CUTOFF",
        "title": "t",
        "sumbissionProcedure": {"id": 1, "abbreviation": "multiple cut-off"},
        "deadlineDatesLong": [1773097200000, 1757368800000, 1765321200000],
    }
    call = to_call(record, "s")
    assert call is not None
    # Brussels midnights of 2026-03-10, 2025-09-09, 2025-12-10: each the end of that day
    assert [(d.label, d.at.isoformat()) for d in call.deadlines] == [
        ("cut-off 1", "2025-09-09T21:59:59+00:00"),
        ("cut-off 2", "2025-12-10T22:59:59+00:00"),
        ("cut-off 3", "2026-03-10T22:59:59+00:00"),
    ]


def test_legacy_keywords_string_highlighted_title_and_epoch_strings() -> None:
    # CONSTRUCTED record with the quirks the search API shows, should the catalogue carry them
    record = {
        "type": "1",
        "identifier": "X-Q",
        "title": "Social <b>innovation</b> &amp; inclusion",
        "keywords": ['["Social inclusion","Employment"]'],
        "deadlineDatesLong": ["1737500400000"],
        "plannedOpeningDateLong": "1726524000000",
    }
    call = to_call(record, "s")
    assert call is not None
    assert call.title == "Social innovation & inclusion"
    assert call.keywords == ("Social inclusion", "Employment")
    assert [d.at.isoformat() for d in call.deadlines] == ["2025-01-22T22:59:59+00:00"]
    assert call.opens_at is not None and call.opens_at.isoformat() == "2024-09-16T22:00:00+00:00"


def test_a_record_missing_optional_fields_still_parses() -> None:
    call = to_call({"identifier": "X-1", "status": None, "frameworkProgramme": None}, "s")
    assert call is not None
    assert (call.title, call.deadlines, call.programmes, call.stated_status) == ("X-1", (), (), "")


def test_empty_catalogue_is_valid() -> None:
    assert parse(b'{"fundingData": {"GrantTenderObj": []}}', _all(), "s") == []


def test_catalogue_without_the_array_is_a_shape_change() -> None:
    with pytest.raises(ShapeChanged, match="GrantTenderObj"):
        parse(b'{"fundingData": {"Other": []}}', _all(), "s")


def test_records_without_identifiers_are_a_shape_change() -> None:
    with pytest.raises(ShapeChanged, match="identifier"):
        parse(b'{"fundingData": {"GrantTenderObj": [{"id": 1}, {"id": 2}]}}', _all(), "s")


def test_truncated_catalogue_is_a_parse_error() -> None:
    raw = CONSTRUCTED.read_bytes()[:5000]
    with pytest.raises(ParseError, match="malformed JSON"):
        parse(raw, _all(), "s")


def _ctx(http: HttpClient, tmp_path: Path | None = None) -> FetchContext:
    return FetchContext(source_id="eu-ft-bulk", now=NOW, client=http, raw_dir=tmp_path)


@respx.mock
def test_fetch_downloads_once_saves_the_payload_and_parses(
    http: HttpClient, tmp_path: Path
) -> None:
    raw = CONSTRUCTED.read_bytes()
    route = respx.get(BULK_URL).mock(return_value=Response(200, content=raw))
    kind = get_kind("eu_ft_bulk")
    harvest = kind.fetch(kind.parse_params({}), _ctx(http, tmp_path))
    assert route.call_count == 1
    assert harvest.complete
    assert [c.source_id for c in harvest.calls] == [
        "ESF-2027-PEP-ENGAGEMENT",
        "ESF-2026-AG-TCS",
        "ESF-2026-SE-INCUBATION",
        "ESF-2026-POW",
    ]
    assert [p.read_bytes() for p in sorted(tmp_path.iterdir())] == [raw]


@respx.mock
def test_fetch_retries_a_server_error_then_reports_it(http: HttpClient) -> None:
    respx.get(BULK_URL).mock(return_value=Response(503))
    kind = get_kind("eu_ft_bulk")
    with pytest.raises(FetchError, match="503"):
        kind.fetch(kind.parse_params({}), _ctx(http))
    assert len(respx.calls) == http.settings.retries + 1


@respx.mock
def test_fetch_of_a_broken_download_names_the_url(http: HttpClient) -> None:
    respx.get(BULK_URL).mock(return_value=Response(200, content=b'{"fundingData": {"Gra'))
    kind = get_kind("eu_ft_bulk")
    with pytest.raises(ParseError) as err:
        kind.fetch(kind.parse_params({}), _ctx(http))
    assert err.value.url == BULK_URL
