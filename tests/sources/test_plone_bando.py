"""plone_bando parse: the golden output of the Emilia-Romagna recording, and the shapes the
same fields take on other Plone sites (vocabulary objects, lists, rich text, bad payloads)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from fundwatch.errors import ParseError
from fundwatch.models import Status, status
from fundwatch.sources import get_kind
from fundwatch.sources.plone_bando import PloneBandoParams
from tests.golden import FIXTURES, assert_golden, fixture

KIND = get_kind("plone_bando")
RECORDING = "emilia_romagna/mayai_plone_search_bando_politicheterritoriali_trimmed.json"
ITEMS: list[dict[str, Any]] = json.loads(fixture(RECORDING))["items"]
NOW = datetime(2026, 6, 12, 8, 0, tzinfo=UTC)  # the recording's capture date


def parse(payload: Any, **params: Any) -> list[Any]:
    return KIND.parse(json.dumps(payload).encode(), PloneBandoParams(**params), "er")


def test_golden_emilia_romagna_recording() -> None:
    calls = KIND.parse(fixture(RECORDING), PloneBandoParams(), "emilia-romagna")
    assert len(calls) == len(ITEMS) == 18
    assert_golden(calls, FIXTURES / f"{RECORDING}.expected.json", NOW)


def test_naive_dates_are_utc_and_offsets_are_kept() -> None:
    """apertura_bando is naive (stored in UTC), scadenza_bando carries +00:00."""
    call = parse([ITEMS[5]])[0]  # the "uffici di prossimità" notice
    assert call.opens_at == datetime(2026, 1, 20, 14, 45, tzinfo=UTC)
    assert call.deadlines[0].at == datetime(2026, 2, 12, 22, 55, tzinfo=UTC)  # 23:55 in Rome
    local = parse([ITEMS[5]], naive_tz="Europe/Rome")[0]
    assert local.opens_at == datetime(2026, 1, 20, 13, 45, tzinfo=UTC)


def test_state_pair_is_kept_and_in_corso_means_applications_closed() -> None:
    call = parse([ITEMS[1]])[0]
    assert call.stated_status == "In corso"
    assert call.extra["bando_state"] == "inProgress"
    assert status(call, NOW) is Status.CLOSED


def test_open_without_deadline_is_rolling_but_closed_without_deadline_is_not() -> None:
    item = ITEMS[0]
    assert parse([item])[0].rolling
    closed = {**item, "bando_state": ["closed", "Chiuso"]}
    assert not parse([closed])[0].rolling
    assert status(parse([closed])[0], NOW) is Status.UNKNOWN


def test_vocabulary_objects_lists_rich_text_and_html_entities() -> None:
    item = {
        "UID": "u1",
        "@id": "https://www.regione.example.it/++api++/bandi/b1",
        "title": "Bando &quot;Scuole&quot;\u00a0 2026 ",
        "description": None,
        "text": {
            "data": "<p>Contributi FSE+ per le <b>scuole</b>.</p>",
            "content-type": "text/html",
        },
        "apertura_bando": "2026-09-01",
        "scadenza_bando": "2026-10-15T10:00:00",
        "bando_state": {"token": "scheduled", "title": "Programmato"},
        "tipologia_bando": {"token": "bandi", "title": "Agevolazioni, finanziamenti, contributi"},
        "destinatari": [{"token": "scuole", "title": "Scuole"}, "Comuni", "Comuni"],
        "materie": "Istruzione e formazione",
        "ente_bando": ["Settore Istruzione", {"title": "Regione Esempio"}],
    }
    call = parse([item], territory="Lombardia")[0]
    assert call.url == "https://www.regione.example.it/bandi/b1"
    assert call.title == "Bando &quot;Scuole&quot; 2026"
    assert call.summary == "Contributi FSE+ per le scuole."
    assert call.opens_at == datetime(2026, 8, 31, 22, 0, tzinfo=UTC)  # a date: midnight in Rome
    assert call.deadlines[0].at == datetime(2026, 10, 15, 10, 0, tzinfo=UTC)
    assert (call.stated_status, call.extra["bando_state"]) == ("Programmato", "scheduled")
    assert call.call_type == "grant"
    assert call.audience_raw == "Scuole; Comuni"
    assert [a.code for a in call.audiences] == ["scuola", "comune"]
    assert call.themes == ("Istruzione e formazione",)
    assert call.issuer == "Settore Istruzione; Regione Esempio"
    assert [t.code for t in call.territories] == ["ITC4"]


@pytest.mark.parametrize(
    ("tipologia", "call_type"),
    [
        ("Agevolazioni, finanziamenti, contributi", "grant"),
        ("Manifestazioni di interesse", "expression_of_interest"),
        ("Accreditamenti, albi, elenchi", "register"),
        ("Gare d'appalto", "procurement"),
        ("Concorsi e selezioni di personale", "recruitment"),
        ("Altro", ""),
    ],
)
def test_tipologia_to_call_type(tipologia: str, call_type: str) -> None:
    assert parse([{**ITEMS[1], "tipologia_bando": tipologia}])[0].call_type == call_type


def test_items_without_title_or_identity_are_left_out() -> None:
    items = [{**ITEMS[1], "title": ""}, {"UID": "x", "title": "No page"}, ITEMS[2]]
    assert [c.source_id for c in parse(items)] == [ITEMS[2]["UID"]]


def test_search_answer_and_single_object_shapes() -> None:
    answer = {"@id": "https://x/++api++/@search", "items": ITEMS[:2], "items_total": 2}
    assert len(parse(answer)) == 2
    assert [c.source_id for c in parse({**ITEMS[3], "@type": "Bando"})] == [ITEMS[3]["UID"]]


def test_plone_error_object_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="Plone NotFound: Resource not found") as err:
        parse({"type": "NotFound", "message": "Resource not found"})
    assert err.value.url == (
        "https://politicheterritoriali.regione.emilia-romagna.it/++api++/@search"
    )


@pytest.mark.parametrize("body", [b"<!DOCTYPE html><html>Plone</html>", b'{"items": [', b"42"])
def test_malformed_or_unexpected_payloads_are_parse_errors(body: bytes) -> None:
    with pytest.raises(ParseError):
        KIND.parse(body, PloneBandoParams(), "er")


def test_unknown_time_zone_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        PloneBandoParams(naive_tz="Europe/Atlantis")
