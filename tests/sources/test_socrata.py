"""Socrata parse: golden outputs of the Lombardia recordings, the Bandi Online detail-page
parser on the recorded fragments, and payloads that must fail loudly or be tolerated."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fundwatch.errors import ParseError
from fundwatch.models import Status, status
from fundwatch.sources import get_kind
from fundwatch.sources.socrata import SocrataParams
from fundwatch.sources.socrata_detail import BandiOnlineDetail, parse_detail
from tests.golden import FIXTURES, assert_golden, fixture

KIND = get_kind("socrata")
WRAPPED = "lombardia/lombardia_bukx-h2uy_row_and_detail_fixture.json"
TENDERS = "lombardia/mayai_socrata_k6cb-4hbm_tenders_rows.json"
RECORDED = json.loads(fixture(WRAPPED))
ROW: dict[str, str] = RECORDED["socrata_row"]
FRAGMENTS: dict[str, str] = RECORDED["detail_fragments"]


def page(*fragments: str, title: str = "Bando Tertium | Bandi Online") -> str:
    return f"<html><head><title>{title}</title></head><body>{''.join(fragments)}</body></html>"


def test_golden_recorded_row_with_its_detail_fragments() -> None:
    now = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)  # the recording's own date
    calls = KIND.parse(fixture(WRAPPED), SocrataParams(), "lombardia")
    assert_golden(calls, FIXTURES / f"{WRAPPED}.expected.json", now)


def test_golden_procurement_rows_are_flagged() -> None:
    now = datetime(2026, 6, 4, 8, 0, tzinfo=UTC)  # captured 2026-06-04
    params = SocrataParams(dataset="k6cb-4hbm")
    calls = KIND.parse(fixture(TENDERS), params, "lombardia-gare")
    assert [c.call_type for c in calls] == ["procurement", "procurement"]
    assert_golden(calls, FIXTURES / f"{TENDERS}.expected.json", now)


def test_procurement_rows_can_be_skipped() -> None:
    params = SocrataParams(dataset="k6cb-4hbm", tenders="skip")
    assert KIND.parse(fixture(TENDERS), params, "lombardia") == []


def test_row_alone_closes_at_the_end_of_its_day_in_rome() -> None:
    """Without the page, the floating midnight of chiusura_adesione is the whole day."""
    calls = KIND.parse(json.dumps([ROW]).encode(), SocrataParams(), "lombardia")
    (call,) = calls
    assert call.url == (
        "https://www.bandi.regione.lombardia.it/servizi/servizio/bandi/dettaglio/RLP12026052483"
    )
    assert call.opens_at == datetime(2026, 6, 15, 22, 0, tzinfo=UTC)
    assert [d.at for d in call.deadlines] == [datetime(2026, 9, 7, 21, 59, 59, tzinfo=UTC)]
    assert call.extra == {
        "presentato": "44",
        "department": "TURISMO, MARKETING TERRITORIALE E MODA",
    }
    assert not call.rolling and call.stated_status == ""


def test_rows_tolerate_missing_keys_numbers_nulls_and_odd_whitespace() -> None:
    rows = [
        {"codice_bando": "A1", "titolo_bando": "  Bando\u00a0 A &amp; B ", "presentato": 12},
        {
            "codice_bando": "A2",
            "titolo_bando": "Bando B",
            "chiusura_adesione": None,
            "apertura_adesione": "2026-03-02T09:30:00.000",
            "ente": "",
        },
        {"titolo_bando": "no code"},
        "not a row",
    ]
    calls = KIND.parse(json.dumps(rows).encode(), SocrataParams(), "lombardia")
    assert [c.source_id for c in calls] == ["A1", "A2"]
    assert calls[0].title == "Bando A &amp; B"
    assert calls[0].extra == {"presentato": "12"}
    assert calls[1].opens_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert calls[1].deadlines == () and calls[1].issuer == "Regione Lombardia"


def test_other_datasets_by_field_mapping_and_url_template() -> None:
    params = SocrataParams.model_validate(
        {
            "domain": "data.example.org",
            "dataset": "abcd-1234",
            "fields": {
                "id": "id_avviso",
                "title": "oggetto",
                "opens": None,
                "closes": "scadenza",
                "issuer": None,
                "department": None,
                "instrument": None,
                "summary": "descrizione",
                "keep": [],
            },
            "url_template": "https://example.org/avvisi/{id}?anno={anno}",
            "issuer": "Comune di Esempio",
            "territory": "Comune di Torino",
        }
    )
    rows = [
        {
            "id_avviso": "7/B",
            "oggetto": "Avviso",
            "scadenza": "2026-05-31T12:00:00.000",
            "descrizione": "Testo",
            "anno": "2026",
        },
        {"id_avviso": "8", "oggetto": "Senza anno"},
    ]
    first, second = KIND.parse(json.dumps(rows).encode(), params, "esempio")
    assert first.url == "https://example.org/avvisi/7%2FB?anno=2026"
    assert first.deadlines[0].at == datetime(2026, 5, 31, 10, 0, tzinfo=UTC)
    assert (first.summary, first.issuer) == ("Testo", "Comune di Esempio")
    assert [t.code for t in first.territories] == ["001272"]
    assert second.url == "https://data.example.org/d/abcd-1234"


def test_socrata_error_object_is_a_parse_error_with_its_message() -> None:
    body = b'{"code": "query.soql.no-such-column", "error": true, "message": "No such column"}'
    with pytest.raises(ParseError, match=r"Socrata error \[query.soql.no-such-column\]: No such"):
        KIND.parse(body, SocrataParams(), "lombardia")


@pytest.mark.parametrize("body", [b"<html>Service unavailable</html>", b'[{"a": 1}', b""])
def test_malformed_payload_is_a_parse_error_naming_the_endpoint(body: bytes) -> None:
    with pytest.raises(ParseError) as err:
        KIND.parse(body, SocrataParams(), "lombardia")
    assert err.value.url == "https://www.dati.lombardia.it/resource/bukx-h2uy.json"


def test_unexpected_json_shape_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="a JSON array of rows was expected"):
        KIND.parse(b'{"rows": []}', SocrataParams(), "lombardia")


# -- the detail page ------------------------------------------------------------------------


def test_detail_fragments_read_whole() -> None:
    detail = parse_detail(page(*FRAGMENTS.values()))
    assert detail == BandiOnlineDetail(
        status_label="Aperto",
        published=datetime(2026, 5, 14, 7, 16, tzinfo=UTC),
        opens_at=datetime(2026, 6, 16, 8, 0, tzinfo=UTC),
        deadline=datetime(2026, 9, 7, 10, 0, tzinfo=UTC),
        funding=("PR Lombardia FESR 2021-2027",),
        eligibility=detail.eligibility if detail else "",
        eligibility_lead=(
            "possono presentare domanda di partecipazione le PMI secondo la definizione "
            "dell’allegato I del Regolamento (UE) n. 651/2014 del 17\ngiugno 2014 e s.m.i. "
            "(di seguito, il Regolamento GBER):"
        ),
    )
    assert detail is not None
    assert detail.eligibility.startswith(detail.eligibility_lead + "\n\nche siano regolarmente")
    assert detail.eligibility.endswith("al momento della presentazione della domanda;")


def test_dates_written_twice_for_mobile_and_desktop_count_once() -> None:
    twice = page(FRAGMENTS["dates"], FRAGMENTS["dates"], FRAGMENTS["fonti_finanziamento"] * 2)
    detail = parse_detail(twice)
    assert detail is not None
    assert detail.deadline == datetime(2026, 9, 7, 10, 0, tzinfo=UTC)
    assert detail.funding == ("PR Lombardia FESR 2021-2027",)
    assert detail.conflicts == ()


def test_two_different_deadlines_on_one_page_are_not_trusted() -> None:
    other = FRAGMENTS["dates"].replace("07/09/2026", "14/09/2026")
    detail = parse_detail(page(FRAGMENTS["dates"], other))
    assert detail is not None
    assert detail.deadline is None
    assert detail.conflicts == ("chiusura: 2026-09-07T10:00:00+00:00 / 2026-09-14T10:00:00+00:00",)
    assert detail.opens_at == datetime(2026, 6, 16, 8, 0, tzinfo=UTC)


def test_hidden_close_date_disagreeing_with_the_visible_one_is_not_trusted() -> None:
    chip = FRAGMENTS["status_chip"].replace("2026-09-07 12:00", "2026-09-08 12:00")
    detail = parse_detail(page(chip, FRAGMENTS["dates"]))
    assert detail is not None and detail.deadline is None
    assert detail.conflicts[0].startswith("chiusura: ")


def test_a_deadline_without_time_is_the_end_of_that_day() -> None:
    html = page('<p>Scade il: <strong data-entity="chiusura"> 30/10/2026 ,</strong></p>')
    detail = parse_detail(html)
    assert detail is not None
    assert detail.deadline == datetime(2026, 10, 30, 22, 59, 59, tzinfo=UTC)


def test_error_page_and_unknown_layout_read_as_none() -> None:
    assert (
        parse_detail(page("<p>Il bando richiesto non esiste</p>", title="Errore | Bandi")) is None
    )
    assert parse_detail(page("<div class='nuovo-layout'>Scadenza 1/1/2027</div>")) is None


def test_open_chip_without_any_closing_date_means_rolling() -> None:
    row = {k: v for k, v in ROW.items() if k != "chiusura_adesione"}
    chip_only = {
        "socrata_row": row,
        "detail_fragments": {
            "chip": FRAGMENTS["status_chip"].replace(
                '<input type="hidden" class="checkCloseDate" value="2026-09-07 12:00" />', ""
            )
        },
    }
    (call,) = KIND.parse(json.dumps(chip_only).encode(), SocrataParams(), "lombardia")
    assert call.rolling and call.deadlines == ()
    assert status(call, datetime(2026, 7, 1, tzinfo=UTC)) is Status.OPEN


def test_detail_reading_survives_a_cache_round_trip() -> None:
    detail = parse_detail(page(*FRAGMENTS.values()))
    assert detail is not None
    assert BandiOnlineDetail.from_json(detail.to_json()) == detail
