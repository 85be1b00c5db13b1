"""incentivi parse: golden outputs of the three recordings (one per field vocabulary /
envelope) and the catalogue's quirks: local midnights stored as UTC, the 2030-12-31
"a sportello" placeholder, language copies, shared official links, bad payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from fundwatch.errors import ParseError
from fundwatch.models import Status, status
from fundwatch.sources import get_kind
from fundwatch.sources.incentivi import IncentiviParams
from tests.golden import FIXTURES, assert_golden, fixture

KIND = get_kind("incentivi")
RAW = "incentivi/mayai_incentivi_solr_raw_doc.json"
WRAPPED = "incentivi/mayai_incentivi_solr_docs_wrapped_first3.json"
ALIASED = "incentivi/agevolamatch_incentivi_solr_aliases_prefix4.json"
NOW = datetime(2026, 6, 4, 8, 0, tzinfo=UTC)  # the wrapped recording's capture date
RAW_DOC: dict[str, Any] = json.loads(fixture(RAW))["response"]["docs"][0]
ALIAS_DOCS: list[dict[str, Any]] = json.loads(fixture(ALIASED))["response"]["docs"]


def parse(docs: list[dict[str, Any]]) -> list[Any]:
    body = {"response": {"numFound": len(docs), "start": 0, "docs": docs}}
    return KIND.parse(json.dumps(body).encode(), IncentiviParams(), "incentivi")


@pytest.mark.parametrize("recording", [RAW, WRAPPED, ALIASED])
def test_golden(recording: str) -> None:
    calls = KIND.parse(fixture(recording), IncentiviParams(), "incentivi")
    assert_golden(calls, FIXTURES / f"{recording}.expected.json", NOW)


def test_the_same_document_reads_the_same_in_every_envelope() -> None:
    raw = KIND.parse(fixture(RAW), IncentiviParams(), "incentivi")
    wrapped = KIND.parse(fixture(WRAPPED), IncentiviParams(), "incentivi")
    assert raw[0] == wrapped[0]
    assert KIND.parse(json.dumps([RAW_DOC]).encode(), IncentiviParams(), "incentivi") == raw


def test_index_names_and_alias_names_read_alike() -> None:
    aliased = {
        alias: RAW_DOC[name]
        for name, alias in (
            ("zs_nid", "ID_Incentivo"),
            ("zs_title", "Titolo"),
            ("zs_field_open_date", "Data_apertura"),
            ("zs_field_close_date", "Data_chiusura"),
            ("zm_field_regions_value", "Regioni"),
            ("zm_field_subject_type_value", "Tipologia_Soggetto"),
            ("zm_field_dimensions_value", "Dimensioni"),
            ("zs_field_budget_allocation", "Stanziamento_incentivo"),
        )
    }
    indexed = {
        k: RAW_DOC[k]
        for k in (
            "zs_nid",
            "zs_title",
            "zs_field_open_date",
            "zs_field_close_date",
            "zm_field_regions_value",
            "zm_field_subject_type_value",
            "zm_field_dimensions_value",
            "zs_field_budget_allocation",
        )
    }
    (a,), (b,) = parse([aliased]), parse([indexed])
    assert a == b
    assert a.url == "https://www.incentivi.gov.it/it/node/3400"  # aliases carry no page path


@pytest.mark.parametrize(
    ("stored", "opens"),
    [
        ("2019-12-31T23:00:00", datetime(2019, 12, 31, 23, 0, tzinfo=UTC)),  # 1 Jan, Rome
        ("2024-06-30T22:00:00Z", datetime(2024, 6, 30, 22, 0, tzinfo=UTC)),  # 1 Jul, summer
        ("2024-02-23T00:00:00", datetime(2024, 2, 22, 23, 0, tzinfo=UTC)),  # the day itself
        ("2024-02-23T09:30:00Z", datetime(2024, 2, 23, 9, 30, tzinfo=UTC)),  # a real instant
    ],
)
def test_opening_dates_are_local_days(stored: str, opens: datetime) -> None:
    (call,) = parse([{**ALIAS_DOCS[0], "Data_apertura": stored}])
    assert call.opens_at == opens


def test_close_date_is_the_end_of_that_day_in_rome() -> None:
    (call,) = parse([{**ALIAS_DOCS[0], "Data_chiusura": "2026-10-30T23:00:00"}])
    assert call.deadlines[0].at == datetime(2026, 10, 31, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("stored", ["2030-12-31T00:00:00", "2030-12-30T23:00:00Z"])
def test_2030_12_31_means_a_sportello(stored: str) -> None:
    (call,) = parse([{**ALIAS_DOCS[2], "Data_chiusura": stored}])
    assert call.rolling and call.deadlines == ()
    assert call.extra["close_date"] == "2030-12-31 (a sportello)"
    assert status(call, NOW) is Status.OPEN


def test_closing_note_gives_the_hour_and_rolling() -> None:
    wrapped = KIND.parse(fixture(WRAPPED), IncentiviParams(), "incentivi")
    voucher, competenze = wrapped[1], wrapped[2]
    assert voucher.rolling  # "fino a esaurimento delle risorse disponibili"
    assert voucher.deadlines[0].at == datetime(2027, 12, 31, 22, 59, 59, tzinfo=UTC)
    # "a partire dalle ore 12.00 del 21/04/2026 fino alle ore 12.00 del 23/06/2026"
    assert competenze.opens_at == datetime(2026, 4, 21, 10, 0, tzinfo=UTC)
    assert competenze.deadlines[0].at == datetime(2026, 6, 23, 10, 0, tzinfo=UTC)


def test_a_note_about_another_day_does_not_move_the_deadline() -> None:
    doc = {**ALIAS_DOCS[0], "Note_di_apertura_chiusura": "Domande entro le ore 12.00 del 2/5/2024"}
    (call,) = parse([doc])
    assert call.deadlines[0].at == datetime(2024, 5, 23, 21, 59, 59, tzinfo=UTC)


def test_language_copies_fold_into_one_call() -> None:
    en = {
        **RAW_DOC,
        "id": "t9gcjo-incentivi-entity:node/3400:en",
        "ss_search_api_language": "en",
        "zs_title": "Access to digitalisation services by SoE AP EDIH",
    }
    calls = parse([en, RAW_DOC])
    assert [c.source_id for c in calls] == ["3400"]
    assert calls[0].titles == {
        "it": "Manifestazione d'interesse per l'accesso ai servizi per la digitalizzazione "
        "forniti da SoE AP EDIH",
        "en": "Access to digitalisation services by SoE AP EDIH",
    }
    assert calls[0].language == "it"


def test_records_sharing_an_official_link_stay_apart() -> None:
    second = {**ALIAS_DOCS[0], "ID_Incentivo": "1171", "Titolo": "Terzo avviso"}
    calls = parse([ALIAS_DOCS[0], second])
    assert [c.source_id for c in calls] == ["1170", "1171"]
    assert calls[0].documents == calls[1].documents
    assert calls[0].identifiers == calls[1].identifiers == ()


def test_company_sizes_narrow_the_generic_enterprise_term() -> None:
    """Tipologia_Soggetto is "Impresa da costituire - Altro; Impresa" in this record."""
    (call,) = parse([{**ALIAS_DOCS[3], "Dimensioni": ["Microimpresa"]}])
    assert [a.code for a in call.audiences] == ["startup", "micro_impresa"]
    (call,) = parse([{**ALIAS_DOCS[3], "Dimensioni": []}])
    assert [a.code for a in call.audiences] == ["startup", "impresa"]


def test_every_region_listed_is_national_and_abroad_is_ignored() -> None:
    (call,) = parse([ALIAS_DOCS[2]])
    assert [t.code for t in call.territories] == ["IT"]
    (call,) = parse([ALIAS_DOCS[0]])
    assert [t.code for t in call.territories] == ["ITH4", "04", "ITH3"]
    assert call.territory_raw.endswith("; Estero")


def test_missing_optional_fields_nulls_and_scalars_for_lists() -> None:
    doc = {
        "ID_Incentivo": 55,
        "Titolo": " Misura\u00a0 minima ",
        "Regioni": "Piemonte",
        "Data_apertura": None,
        "Data_chiusura": "",
        "Tipologia_Soggetto": None,
        "Stanziamento_incentivo": "0",
    }
    (call,) = parse([doc])
    assert (call.source_id, call.title) == ("55", "Misura minima")
    assert call.opens_at is None and call.deadlines == () and not call.rolling
    assert [t.code for t in call.territories] == ["ITC1"]
    assert call.budget.total_eur is None and call.audiences == ()


def test_documents_without_node_id_or_title_are_left_out() -> None:
    docs = [{"Titolo": "no id"}, {"ID_Incentivo": "9"}, ALIAS_DOCS[1]]
    assert [c.source_id for c in parse(docs)] == ["790"]


def test_solr_error_object_is_a_parse_error() -> None:
    body = b'{"responseHeader":{"status":400},"error":{"msg":"undefined field zs_x","code":400}}'
    with pytest.raises(ParseError, match="Solr error 400: undefined field zs_x") as err:
        KIND.parse(body, IncentiviParams(), "incentivi")
    assert err.value.url == "https://www.incentivi.gov.it/solr/coredrupal/select"


@pytest.mark.parametrize(
    "body",
    [b"<html>Access denied</html>", b'{"response": {"docs": [', b'{"response": {"numFound": 3}}'],
)
def test_malformed_or_unexpected_payloads_are_parse_errors(body: bytes) -> None:
    with pytest.raises(ParseError):
        KIND.parse(body, IncentiviParams(), "incentivi")
