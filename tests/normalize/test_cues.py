from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fundwatch.normalize.cues import CueResult, find_deadline, find_opening, status_from_words
from fundwatch.normalize.dates import BRUSSELS, find_dates, parse_datetime


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "deadline", "evidence"),
    [
        # Lazio Innova excerpt (tests/fixtures/wp_rest): a range whose end is "entro le ore … del"
        (
            "<p>Domande online su GeCoWEB Plus dalle ore 12:00 del 12 maggio 2026 ed entro le ore"
            " 17:00 del 24 giugno 2026</p>\n",
            utc(2026, 6, 24, 15, 0),
            "dalle ore 12:00 del 12 maggio 2026 ed entro le ore 17:00 del 24 giugno 2026",
        ),
        (
            "entro le ore 12 del 15.01.2026",
            utc(2026, 1, 15, 11, 0),
            "entro le ore 12 del 15.01.2026",
        ),
        ("Scadenza: 15/01/2026", utc(2026, 1, 15, 22, 59, 59), "Scadenza: 15/01/2026"),
        ("Scadenza\n\n 30/07/2026", utc(2026, 7, 30, 21, 59, 59), "Scadenza 30/07/2026"),
        (
            "Il bando scade il 31 dicembre 2025 ore 12:00.",
            utc(2025, 12, 31, 11, 0),
            "scade il 31 dicembre 2025 ore 12:00",
        ),
        (
            "termine ultimo per la presentazione delle domande: 1° marzo 2026 alle 13.00",
            utc(2026, 3, 1, 12, 0),
            "termine ultimo per la presentazione delle domande: 1° marzo 2026 alle 13.00",
        ),
        (
            "Termine per la presentazione delle domande: giovedì 9/2/2026",
            utc(2026, 2, 9, 22, 59, 59),
            "Termine per la presentazione delle domande: giovedì 9/2/2026",
        ),
        (
            "Le domande possono essere presentate dal 1/10/2025 al 09/2/2026.",
            utc(2026, 2, 9, 22, 59, 59),
            "dal 1/10/2025 al 09/2/2026",
        ),
        (
            "Domande dal 12/05/2026 ore 10:00 fino al 30/06/2026 ore 12:00",
            utc(2026, 6, 30, 10, 0),
            "dal 12/05/2026 ore 10:00 fino al 30/06/2026 ore 12:00",
        ),
        ("Chiusura: 30/06/2026", utc(2026, 6, 30, 21, 59, 59), "Chiusura: 30/06/2026"),
        (
            "da inviare entro e non oltre il 15 gennaio 2026",
            utc(2026, 1, 15, 22, 59, 59),
            "entro e non oltre il 15 gennaio 2026",
        ),
        (
            "Deadline: 15 January 2026 17:00 (Brussels time)",
            utc(2026, 1, 15, 16, 0),
            "Deadline: 15 January 2026 17:00",
        ),
        ("Closing date 3 March 2026", utc(2026, 3, 3, 22, 59, 59), "Closing date 3 March 2026"),
        # the first cue in reading order wins
        (
            "Scadenza 15/01/2026. Il progetto va concluso entro il 30/06/2027.",
            utc(2026, 1, 15, 22, 59, 59),
            "Scadenza 15/01/2026",
        ),
        # typographic apostrophe and non-breaking space
        (
            "Scadenza:\u00a0ore\u00a012:00 dell\u20198 marzo 2026",
            utc(2026, 3, 8, 11, 0),
            "Scadenza: ore 12:00 dell'8 marzo 2026",
        ),
    ],
)
def test_find_deadline(text: str, deadline: datetime, evidence: str) -> None:
    assert find_deadline(text) == CueResult(deadline=deadline, rolling=False, evidence=evidence)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Avviso pubblico per la concessione di contributi",
        # numbers between cue and date that are not a time: not a deadline
        "entro 30 giorni dalla pubblicazione del 15/01/2026",
        "approvato con D.G.R. n. 238/2024 – Finestra annualita' 2027",
        # a sentence break between cue and date
        "Scadenza. Il bando è stato pubblicato il 15/01/2026",
        # a cue with no date, an impossible date
        "Scadenza: da definire",
        "Scadenza: 31/02/2026",
    ],
)
def test_find_deadline_finds_nothing(text: str) -> None:
    assert find_deadline(text) == CueResult()


@pytest.mark.parametrize(
    ("text", "deadline", "evidence"),
    [
        (
            "Contributi concessi fino ad esaurimento delle risorse disponibili",
            None,
            "fino ad esaurimento delle risorse disponibili",
        ),
        ("Procedura a sportello", None, "a sportello"),
        ("sino all'esaurimento dei fondi", None, "sino all'esaurimento dei fondi"),
        ("Applications on a rolling basis", None, "rolling basis"),
        (
            "Bando a sportello: chiusura 31/12/2026",
            utc(2026, 12, 31, 22, 59, 59),
            "chiusura 31/12/2026; a sportello",
        ),
    ],
)
def test_rolling(text: str, deadline: datetime | None, evidence: str) -> None:
    assert find_deadline(text) == CueResult(deadline=deadline, rolling=True, evidence=evidence)


def test_riapertura_sportello_is_not_rolling() -> None:
    # Basilicata title: a window reopening, not an "a sportello" procedure
    assert find_deadline("Riapertura sportello per la presentazione delle istanze") == CueResult()


def test_timezone_is_a_parameter() -> None:
    result = find_deadline("Deadline: 15 January 2026", BRUSSELS)
    assert result.deadline == utc(2026, 1, 15, 22, 59, 59)


@pytest.mark.parametrize(
    ("text", "opens_at", "evidence"),
    [
        (
            "Domande online su GeCoWEB Plus dalle ore 12:00 del 12 maggio 2026 ed entro le ore"
            " 17:00 del 24 giugno 2026",
            utc(2026, 5, 12, 10, 0),
            "dalle ore 12:00 del 12 maggio 2026",
        ),
        ("dal 1/10/2025 al 09/2/2026", utc(2025, 9, 30, 22, 0), "dal 1/10/2025"),
        ("a partire dal 3 febbraio 2026", utc(2026, 2, 2, 23, 0), "a partire dal 3 febbraio 2026"),
        (
            "Apertura sportello: 12/05/2026 ore 10:00. Chiusura: 30/06/2026",
            utc(2026, 5, 12, 8, 0),
            "Apertura sportello: 12/05/2026 ore 10:00",
        ),
        ("Opening date: 5 May 2026", utc(2026, 5, 4, 22, 0), "Opening date: 5 May 2026"),
    ],
)
def test_find_opening(text: str, opens_at: datetime, evidence: str) -> None:
    result = find_opening(text)
    assert (result.opens_at, result.evidence) == (opens_at, evidence)


def test_find_opening_nothing() -> None:
    result = find_opening("Scadenza: 15/01/2026; pubblicato il 2 gennaio 2026")
    assert (result.opens_at, result.evidence) == (None, "")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Aperto", "open"),
        ("Bando aperto", "open"),
        ("In scadenza", "open"),
        ("Chiuso", "closed"),
        ("scaduto", "closed"),
        ("Esito", "closed"),
        ("Graduatoria definitiva", "closed"),
        ("Avviso revocato", "withdrawn"),
        ("Bando annullato", "withdrawn"),
        ("Pre-informazione", "forthcoming"),
        ("pre-informazione", "forthcoming"),
        ("Di prossima apertura", "forthcoming"),
        ("Aperto – graduatoria pubblicata", "closed"),
        ("In corso di valutazione", None),
        ("Avviso pubblico", None),
        ("Riapertura sportello", None),
        ("", None),
    ],
)
def test_status_from_words(text: str, code: str | None) -> None:
    assert status_from_words(text) == code


def test_find_dates_spans() -> None:
    text = "dal 1/10/2025 al 9 febbraio 2026 (D.G.R. n. 238/2024), Apr 27, 2023"
    found = [text[a:b] for a, b in find_dates(text)]
    assert found == ["1/10/2025", "9 febbraio 2026", "Apr 27, 2023"]


def test_acf_compact_date_reads_as_a_day() -> None:
    # parse_datetime learnt the ACF date-picker form (Ymd) for WordPress deadline fields
    assert parse_datetime("20260615", end_of_day=True) == utc(2026, 6, 15, 21, 59, 59)
    assert parse_datetime("20261399") is None


@pytest.mark.parametrize(
    "value", ["0000-00-00T00:00:00", "0000-00-00 00:00:00Z", "2026-02-30", "2026-01-01T25:00:00"]
)
def test_impossible_iso_dates_read_as_none(value: str) -> None:
    # WordPress writes "0000-00-00 00:00:00" for an unset date_gmt; parse_datetime used to raise
    assert parse_datetime(value) is None
