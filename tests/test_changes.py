"""Typed change events from before/after pairs of calls shaped like the real captures.

The calls are built by hand with the values of real recorded payloads (no parser involved):
- Piemonte IeFP 2026/2030, piemonte/piemonte_detail_esito_150489.html: opens 23/07/2026 09:00,
  deadline 30/07/2026 17:00, FSE+, five "Allegato" PDFs of D.D. 431/2026;
- Piemonte "Contratto di insediamento", piemonte/piemonte_detail_aperto_18454.html: "Bando a
  sportello" (rolling, no deadline), opens 24/05/2024 09:00, € 10.605.000,00, CUP J11C24000040003;
- EU ESF-2026-AG-TCS, eu_ft/mn_grants_feed_2026-08-22_esf_records.json: opens 2026-06-18,
  deadline 2026-09-23, EUR 4 700 000, ESF+ / EaSI.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from fundwatch.changes import (
    absence_events,
    changed_fields,
    closure_allowed,
    describe,
    diff,
    is_closure,
    material_equal,
    reappeared,
    status_transitions,
)
from fundwatch.models import (
    Audience,
    Budget,
    Call,
    ChangeEvent,
    ChangeKind,
    Deadline,
    Document,
    Programme,
    SourceResult,
    Territory,
)

K = ChangeKind
PIEMONTE = "https://bandi.regione.piemonte.it"
FILES = PIEMONTE + "/system/files/"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def iefp(**changes: Any) -> Call:
    base: dict[str, Any] = dict(
        source="piemonte",
        source_id="150489",
        url=PIEMONTE + "/contributi-finanziamenti/"
        "autorizzazione-finanziamento-offerta-formativa-iefp-ciclo-formativo-20262030",
        titles={
            "it": "Autorizzazione e finanziamento offerta formativa di IeFP – ciclo "
            "formativo 2026/2030"
        },
        issuer="Regione Piemonte",
        programmes=(Programme(code="ESF+", label="Fse Plus", kind="fund"),),
        audiences=(
            Audience(code="citizens", raw="Cittadini"),
            Audience(code="companies", raw="Imprese e liberi professionisti"),
        ),
        territories=(Territory(code="ITC1"),),
        opens_at=at("2026-07-23T07:00:00Z"),
        deadlines=(Deadline(at=at("2026-07-30T15:00:00Z")),),
        stated_status="Aperto",
        documents=(
            Document(
                title="DD-A15_354_2026 - File primario",
                url=FILES + "DD-A15_354_2026%20-%20File%20primario%20-%20DD-A15-354-2026.pdf",
            ),
        ),
    )
    base.update(changes)
    return Call(**base)


def insediamento(**changes: Any) -> Call:
    base: dict[str, Any] = dict(
        source="piemonte",
        source_id="18454",
        url=PIEMONTE + "/contributi-finanziamenti/"
        "contratto-insediamento-attrazione-investimenti-piemonte-grandi-imprese-anno-2024",
        titles={
            "it": "Contratto di insediamento - Attrazione di investimenti in Piemonte - "
            "Grandi imprese - anno 2024"
        },
        issuer="Regione Piemonte",
        audiences=(Audience(code="companies", raw="Imprese e liberi professionisti"),),
        opens_at=at("2024-05-24T07:00:00Z"),
        rolling=True,
        stated_status="Aperto",
        budget=Budget(total_eur=Decimal("10605000.00")),
        identifiers=("J11C24000040003",),
    )
    base.update(changes)
    return Call(**base)


def tcs(**changes: Any) -> Call:
    base: dict[str, Any] = dict(
        source="eu_ft",
        source_id="ESF-2026-AG-TCS",
        url="https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
        "topic-details/ESF-2026-AG-TCS",
        language="en",
        titles={"en": "Transaction Costs Support for social finance intermediaries"},
        issuer="European Commission",
        programmes=(
            Programme(code="43254019", label="European Social Fund (ESF)"),
            Programme(
                code="43254027", label="Employment and Social Innovation (EaSI)", kind="division"
            ),
        ),
        opens_at=at("2026-06-18T00:00:00Z"),
        deadlines=(Deadline(at=at("2026-09-23T00:00:00Z")),),
        stated_status="31094502",
        budget=Budget(total_eur=Decimal("4700000")),
        identifiers=("ESF-2026-AG-TCS",),
    )
    base.update(changes)
    return Call(**base)


JULY = at("2026-07-25T08:00:00Z")  # IeFP open, TCS open, insediamento open (rolling)
AUGUST = at("2026-08-01T08:00:00Z")  # IeFP closed by its deadline


def pairs(events: list[ChangeEvent]) -> list[tuple[str, Any, Any, str]]:
    return [(e.kind.value, e.before, e.after, e.detail) for e in events]


# --- diff: every event kind -------------------------------------------------------------------


def test_new_call_is_one_event_with_a_summary() -> None:
    events = diff(None, iefp(), JULY)
    assert pairs(events) == [
        (
            "new",
            None,
            {
                "title": "Autorizzazione e finanziamento offerta formativa di IeFP – "
                "ciclo formativo 2026/2030",
                "url": iefp().url,
                "status": "open",
                "deadline": "2026-07-30T15:00:00+00:00",
            },
            "",
        )
    ]
    assert (events[0].source, events[0].source_id, events[0].at) == ("piemonte", "150489", JULY)


def test_same_content_means_no_events_and_material_equality() -> None:
    assert diff(iefp(), iefp(), JULY) == []
    assert material_equal(iefp(), iefp(extra={"fetched_from": "listing"}))


def test_a_non_material_field_changes_the_hash_but_says_nothing() -> None:
    renamed = iefp(summary="Avviso IeFP, testo aggiornato")
    assert not material_equal(iefp(), renamed)
    assert diff(iefp(), renamed, JULY) == []


def test_changed_fields_name_what_a_new_version_changed() -> None:
    assert changed_fields(iefp(), iefp(extra={"fetched_from": "listing"})) == []
    assert changed_fields(iefp(), iefp(summary="")) == []  # empty is the same as absent
    moved = iefp(
        summary="Avviso IeFP, testo aggiornato",
        deadlines=(Deadline(at=at("2026-08-06T15:00:00Z")),),
        budget=Budget(total_eur=Decimal("2500000")),
    )
    assert changed_fields(iefp(), moved) == ["summary", "deadlines", "budget"]


def test_deadline_extended() -> None:
    later = tcs(deadlines=(Deadline(at=at("2026-10-07T00:00:00Z")),))
    assert pairs(diff(tcs(), later, JULY)) == [
        ("deadline_extended", "2026-09-23T00:00:00+00:00", "2026-10-07T00:00:00+00:00", ""),
    ]


def test_deadline_brought_forward_keeps_the_label() -> None:
    before = tcs(deadlines=(Deadline(at=at("2026-09-23T00:00:00Z"), label="Single stage"),))
    after = tcs(deadlines=(Deadline(at=at("2026-09-16T00:00:00Z"), label="Single stage"),))
    assert pairs(diff(before, after, JULY)) == [
        (
            "deadline_brought_forward",
            "2026-09-23T00:00:00+00:00",
            "2026-09-16T00:00:00+00:00",
            "Single stage",
        ),
    ]


def test_an_earlier_cutoff_is_added_not_a_cascade_of_moves() -> None:
    after = tcs(
        deadlines=(Deadline(at=at("2026-07-30T00:00:00Z")), Deadline(at=at("2026-09-23T00:00:00Z")))
    )
    assert pairs(diff(tcs(), after, JULY)) == [
        ("cutoff_added", None, "2026-07-30T00:00:00+00:00", ""),
    ]


def test_deadlines_match_by_label_before_order() -> None:
    first = Deadline(at=at("2026-09-23T00:00:00Z"), label="First stage")
    second = Deadline(at=at("2027-03-04T00:00:00Z"), label="Second stage")
    moved = Deadline(at=at("2027-03-18T00:00:00Z"), label="Second stage")
    before = tcs(deadlines=(first, second))
    after = tcs(deadlines=(moved, first))  # listed in another order
    assert pairs(diff(before, after, JULY)) == [
        (
            "deadline_extended",
            "2027-03-04T00:00:00+00:00",
            "2027-03-18T00:00:00+00:00",
            "Second stage",
        ),
    ]
    added = tcs(
        deadlines=(first, second, Deadline(at=at("2027-09-01T00:00:00Z"), label="Third stage"))
    )
    assert pairs(diff(before, added, JULY)) == [
        ("cutoff_added", None, "2027-09-01T00:00:00+00:00", "Third stage"),
    ]


def test_a_removed_cutoff_is_brought_forward_with_no_after() -> None:
    before = tcs(
        deadlines=(Deadline(at=at("2026-09-23T00:00:00Z")), Deadline(at=at("2027-01-20T00:00:00Z")))
    )
    assert pairs(diff(before, tcs(), JULY)) == [
        ("deadline_brought_forward", "2027-01-20T00:00:00+00:00", None, ""),
    ]


def test_a_deadline_dropped_for_rolling_is_extended_and_a_silent_drop_is_nothing() -> None:
    rolling = iefp(deadlines=(), rolling=True)
    assert pairs(diff(iefp(), rolling, JULY)) == [
        ("deadline_extended", "2026-07-30T15:00:00+00:00", None, ""),
    ]
    # The page stopped stating a date: a new version is stored, nobody is told.
    assert diff(iefp(), iefp(deadlines=()), JULY) == []


def test_status_changed_by_date_when_the_opening_is_postponed() -> None:
    postponed = iefp(opens_at=at("2026-07-27T07:00:00Z"))
    assert pairs(diff(iefp(), postponed, JULY)) == [
        ("status_changed", "open", "forthcoming", "by_date"),
    ]


def test_reopened_by_a_new_later_deadline() -> None:
    extended = iefp(deadlines=(Deadline(at=at("2026-08-06T15:00:00Z")),))
    assert pairs(diff(iefp(), extended, AUGUST)) == [
        ("deadline_extended", "2026-07-30T15:00:00+00:00", "2026-08-06T15:00:00+00:00", ""),
        ("reopened", "closed", "open", "by_date"),
    ]


def test_closed_by_a_deadline_brought_into_the_past() -> None:
    shortened = iefp(deadlines=(Deadline(at=at("2026-07-24T15:00:00Z")),))
    assert pairs(diff(iefp(), shortened, JULY)) == [
        ("deadline_brought_forward", "2026-07-30T15:00:00+00:00", "2026-07-24T15:00:00+00:00", ""),
        ("closed", "open", "closed", "by_date"),
    ]


def test_rolling_call_closed_and_reopened_by_the_sources_word() -> None:
    closed = insediamento(stated_status="Chiuso")
    assert pairs(diff(insediamento(), closed, JULY)) == [
        ("closed", "open", "closed", "by_source"),
    ]
    assert pairs(diff(closed, insediamento(), JULY)) == [
        ("reopened", "closed", "open", "by_source"),
    ]


def test_sources_word_catching_up_with_the_dates_says_nothing() -> None:
    assert diff(iefp(), iefp(stated_status="Esito"), AUGUST) == []


def test_sources_word_against_the_dates_is_a_soft_status_change() -> None:
    early = iefp(stated_status="Chiuso")
    events = diff(iefp(), early, JULY)
    assert pairs(events) == [("status_changed", "open", "closed", "by_source")]
    assert is_closure(events[0])


@pytest.mark.parametrize(
    "word",
    [
        "Annullato",
        "BANDO REVOCATO",
        "Ritirata",
        "Cancelled",
        "Withdrawn",
        "annullamento in autotutela",
    ],
)
def test_withdrawn_by_the_sources_word(word: str) -> None:
    assert pairs(diff(insediamento(), insediamento(stated_status=word), JULY)) == [
        ("withdrawn", "Aperto", word, "by_source"),
    ]


def test_budget_changed_lists_the_changed_fields_as_strings() -> None:
    bigger = insediamento(
        budget=Budget(total_eur=Decimal("12000000.00"), max_grant_eur=Decimal("3000000"))
    )
    assert pairs(diff(insediamento(), bigger, JULY)) == [
        (
            "budget_changed",
            {"total_eur": "10605000.00", "max_grant_eur": None},
            {"total_eur": "12000000.00", "max_grant_eur": "3000000"},
            "",
        ),
    ]


def test_same_amount_written_differently_is_no_budget_event() -> None:
    same = insediamento(budget=Budget(total_eur=Decimal("10605000")))
    assert diff(insediamento(), same, JULY) == []


def test_eligibility_changed_audiences_and_territories() -> None:
    narrower = iefp(
        audiences=(Audience(code="training_bodies", raw="Agenzie formative"),),
        territories=(Territory(code="ITC1"), Territory(code="ITC11")),
    )
    assert pairs(diff(iefp(), narrower, JULY)) == [
        (
            "eligibility_changed",
            {"audiences": ["citizens", "companies"], "territories": ["ITC1"]},
            {"audiences": ["training_bodies"], "territories": ["ITC1", "ITC11"]},
            "",
        ),
    ]


def test_raw_audience_wording_alone_is_no_eligibility_event() -> None:
    reworded = iefp(
        audiences=(
            Audience(code="citizens", raw="Cittadini e cittadine"),
            Audience(code="companies", raw="Imprese"),
        )
    )
    assert diff(iefp(), reworded, JULY) == []


ESITO_DOCS = (
    Document(
        title="Approvazione e autorizzazione delle attività formative - D.D. 431",
        url=FILES + "DD-A15_431_2026%20-%20File%20primario%20%28vers.%20con%20omissis%29"
        "%20-%20DD-A15-431-2026-TESTO_ATTO_ver_per_pubbl.pdf",
    ),
    Document(
        title="Allegato 1 - Elenco attività ammissibili",
        url=FILES + "DD-A15_431_2026%20-%20Allegato%20N%C2%B0%201%20-%20DD-A15-431-2026-"
        "All_1-Allegato_A_elenco_attivit%C3%A0_ammissibili.pdf",
    ),
)


def test_documents_changed_by_url_with_titles() -> None:
    old = iefp().documents[0]
    after = iefp(documents=ESITO_DOCS)
    assert pairs(diff(iefp(), after, JULY)) == [
        (
            "documents_changed",
            [{"title": old.title, "url": old.url}],
            [{"title": d.title, "url": d.url} for d in ESITO_DOCS],
            "",
        ),
    ]


def test_same_document_behind_a_tracking_link_is_no_change() -> None:
    old = iefp().documents[0]
    tracked = Document(
        title=old.title, url=old.url.replace("https://", "http://www.") + "?utm_source=newsletter"
    )
    assert diff(iefp(), iefp(documents=(tracked,)), JULY) == []


def test_several_changes_at_once_in_a_fixed_order() -> None:
    after = tcs(
        deadlines=(Deadline(at=at("2026-10-07T00:00:00Z")),),
        budget=Budget(total_eur=Decimal("5200000")),
        territories=(Territory(code="EU", scheme="eu"),),
    )
    assert [e.kind for e in diff(tcs(), after, JULY)] == [
        K.DEADLINE_EXTENDED,
        K.BUDGET_CHANGED,
        K.ELIGIBILITY_CHANGED,
    ]


def test_closures_are_held_back_on_an_untrusted_run() -> None:
    withdrawn = insediamento(stated_status="Annullato", budget=Budget(total_eur=Decimal("1")))
    assert [e.kind for e in diff(insediamento(), withdrawn, JULY, closures=False)] == [
        K.BUDGET_CHANGED,
    ]
    assert diff(insediamento(), insediamento(stated_status="Chiuso"), JULY, closures=False) == []
    assert diff(iefp(), iefp(stated_status="Chiuso"), JULY, closures=False) == []


def test_diff_refuses_two_different_calls_and_naive_now() -> None:
    with pytest.raises(ValueError, match="different calls"):
        diff(iefp(), tcs(), JULY)
    with pytest.raises(ValueError, match="aware"):
        diff(None, iefp(), datetime(2026, 7, 25))


# --- the clock's share ------------------------------------------------------------------------


def test_opened_by_date_between_two_instants() -> None:
    events = status_transitions(iefp(), at("2026-07-22T00:00:00Z"), JULY)
    assert pairs(events) == [("status_changed", "forthcoming", "open", "by_date")]
    assert events[0].at == at("2026-07-23T07:00:00Z")


def test_closed_by_date_between_two_instants() -> None:
    events = status_transitions(iefp(), JULY, AUGUST)
    assert pairs(events) == [("closed", "open", "closed", "by_date")]
    assert events[0].at == at("2026-07-30T15:00:00Z")


def test_opened_and_closed_in_one_window_is_one_closure() -> None:
    events = status_transitions(iefp(), at("2026-07-01T00:00:00Z"), AUGUST)
    assert pairs(events) == [("closed", "forthcoming", "closed", "by_date")]


def test_no_transition_without_a_crossing_or_for_withdrawn_calls() -> None:
    assert status_transitions(iefp(), JULY, JULY + timedelta(hours=6)) == []
    assert status_transitions(iefp(), AUGUST, JULY) == []
    assert status_transitions(iefp(stated_status="Revocato"), JULY, AUGUST) == []


def test_rolling_call_opens_by_date_but_never_closes_by_date() -> None:
    opened = status_transitions(insediamento(), at("2024-05-01T00:00:00Z"), JULY)
    assert pairs(opened) == [("status_changed", "forthcoming", "open", "by_date")]
    assert status_transitions(insediamento(), JULY, at("2030-01-01T00:00:00Z")) == []


# --- no false closures ------------------------------------------------------------------------


def result(status: str = "ok", calls: tuple[Call, ...] = (iefp(),), **kw: Any) -> SourceResult:
    return SourceResult("piemonte", status, calls=calls, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("run", "allowed"),
    [
        (result(), True),
        (result("incomplete", error="page 3 of 5 failed"), False),
        (result("error", calls=(), error="timeout", error_kind="fetch_error"), False),
        (result("error", calls=(), error="no teasers", error_kind="shape_changed"), False),
        (result("ok", error="listing looks truncated", error_kind="shape_changed"), False),
        (result("ok", calls=()), False),
    ],
)
def test_closure_allowed_only_for_a_complete_non_empty_run(
    run: SourceResult, allowed: bool
) -> None:
    assert closure_allowed(run) is allowed


def test_vanished_after_n_consecutive_complete_runs_once() -> None:
    gone = [iefp()]
    counts: dict[str, int] = {}
    seen: list[list[ChangeEvent]] = []
    for _ in range(4):
        events, counts = absence_events(gone, counts, True, 3, JULY)
        seen.append(events)
    assert [len(e) for e in seen] == [0, 0, 1, 0]
    assert pairs(seen[2]) == [("vanished", "open", None, "3")]
    assert counts == {"150489": 4}


def test_incomplete_runs_neither_count_nor_close() -> None:
    events, counts = absence_events([iefp()], {"150489": 2}, False, 3, JULY)
    assert (events, counts) == ([], {"150489": 2})
    events, counts = absence_events([iefp()], counts, True, 3, JULY)
    assert pairs(events) == [("vanished", "open", None, "3")]


def test_a_call_seen_again_starts_counting_afresh() -> None:
    events, counts = absence_events([], {"150489": 2, "18454": 1}, True, 3, JULY)
    assert (events, counts) == ([], {})
    events, counts = absence_events([insediamento()], {"150489": 2, "18454": 1}, False, 3, JULY)
    assert (events, counts) == ([], {"18454": 1})


def test_vanished_says_what_status_the_call_had() -> None:
    events, _ = absence_events(
        [iefp(), insediamento(stated_status="Revocato")], {"150489": 1, "18454": 1}, True, 2, AUGUST
    )
    assert pairs(events) == [
        ("vanished", "closed", None, "2"),
        ("vanished", "withdrawn", None, "2"),
    ]


def test_a_vanished_call_back_and_live_is_reopened() -> None:
    assert pairs(reappeared(iefp(), JULY)) == [("reopened", "vanished", "open", "by_source")]
    forthcoming = reappeared(tcs(), at("2026-06-01T00:00:00Z"))
    assert pairs(forthcoming) == [("reopened", "vanished", "forthcoming", "by_source")]
    assert forthcoming[0].at == at("2026-06-01T00:00:00Z")
    assert not any(is_closure(e) for e in forthcoming)


@pytest.mark.parametrize(
    "back",
    [
        iefp(),  # back as a closed call (AUGUST): an archive page, not news
        iefp(deadlines=(), opens_at=None),  # no dates: status unknown
        insediamento(stated_status="Revocato"),  # back as withdrawn
    ],
)
def test_a_vanished_call_back_closed_undated_or_withdrawn_says_nothing(back: Call) -> None:
    assert reappeared(back, AUGUST) == []


def test_absence_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="threshold"):
        absence_events([], {}, True, 0, JULY)
    with pytest.raises(ValueError, match="one source"):
        absence_events([iefp(), tcs()], {}, True, 3, JULY)


# --- describe ---------------------------------------------------------------------------------


def event(
    kind: ChangeKind, before: Any = None, after: Any = None, detail: str = "", when: datetime = JULY
) -> ChangeEvent:
    return ChangeEvent(
        kind=kind,
        source="piemonte",
        source_id="150489",
        at=when,
        before=before,
        after=after,
        detail=detail,
    )


MARCH_12 = "2026-03-12T22:59:59+00:00"  # 23:59:59 in Rome
MARCH_26 = "2026-03-26T22:59:59+00:00"


@pytest.mark.parametrize(
    ("ev", "en", "it"),
    [
        (
            event(K.DEADLINE_EXTENDED, MARCH_12, MARCH_26),
            "deadline moved from 12 March to 26 March",
            "scadenza spostata dal 12 marzo al 26 marzo",
        ),
        (
            event(
                K.DEADLINE_BROUGHT_FORWARD,
                "2026-09-23T00:00:00+00:00",
                "2026-09-08T00:00:00+00:00",
                "First stage",
            ),
            "deadline “First stage” brought forward from 23 September at 02:00 "
            "to 8 September at 02:00",
            "scadenza «First stage» anticipata dal 23 settembre ore 02:00 "
            "all'8 settembre ore 02:00",
        ),
        (
            event(K.DEADLINE_EXTENDED, "2026-07-30T15:00:00+00:00", "2026-07-30T20:00:00+00:00"),
            "deadline moved from 30 July at 17:00 to 30 July at 22:00",
            "scadenza spostata dal 30 luglio ore 17:00 al 30 luglio ore 22:00",
        ),
        (
            event(K.DEADLINE_EXTENDED, "2026-10-31T22:59:59+00:00", "2027-03-01T22:59:59+00:00"),
            "deadline moved from 31 October 2026 to 1 March 2027",
            "scadenza spostata dal 31 ottobre 2026 al 1° marzo 2027",
        ),
        (
            event(K.DEADLINE_EXTENDED, "2026-08-11T21:59:59+00:00", None),
            "deadline of 11 August removed: no fixed deadline any more",
            "eliminata la scadenza dell'11 agosto: ora senza scadenza fissa",
        ),
        (
            event(K.DEADLINE_BROUGHT_FORWARD, "2027-01-20T22:59:59+00:00", None),
            "cut-off of 20 January 2027 removed",
            "eliminata la scadenza del 20 gennaio 2027",
        ),
        (
            event(K.CUTOFF_ADDED, None, "2026-11-04T22:59:59+00:00", "Second cut-off"),
            "new deadline “Second cut-off”: 4 November",
            "nuova scadenza «Second cut-off»: 4 novembre",
        ),
        (
            event(
                K.NEW,
                None,
                {
                    "title": "Bando IeFP",
                    "url": "u",
                    "status": "open",
                    "deadline": "2026-07-30T15:00:00+00:00",
                },
            ),
            "new call: Bando IeFP, deadline 30 July at 17:00",
            "nuovo bando: Bando IeFP, scadenza 30 luglio ore 17:00",
        ),
        (
            event(
                K.NEW, None, {"title": "Bando IeFP", "url": "u", "status": "open", "deadline": None}
            ),
            "new call: Bando IeFP",
            "nuovo bando: Bando IeFP",
        ),
        (
            event(K.STATUS_CHANGED, "forthcoming", "open", "by_date"),
            "status changed from forthcoming to open (by its dates)",
            "stato cambiato da «di prossima apertura» a «aperto» (in base alle date)",
        ),
        (
            event(K.STATUS_CHANGED, "open", "closed", "by_source"),
            "status changed from open to closed (as the source states)",
            "stato cambiato da «aperto» a «chiuso» (secondo la fonte)",
        ),
        (
            event(K.REOPENED, "closed", "open", "by_date"),
            "reopened: now open (by its dates)",
            "riaperto: ora «aperto» (in base alle date)",
        ),
        (
            event(K.CLOSED, "open", "closed", "by_date"),
            "closed: the deadline has passed",
            "chiuso: la scadenza è passata",
        ),
        (
            event(K.CLOSED, "open", "closed", "by_source"),
            "closed, as the source states",
            "chiuso, secondo la fonte",
        ),
        (
            event(K.WITHDRAWN, "Aperto", "Annullato", "by_source"),
            "withdrawn: the source now says “Annullato”",
            "ritirato: la fonte ora indica «Annullato»",
        ),
        (
            event(K.VANISHED, "open", None, "3"),
            "no longer published by the source (missing from 3 consecutive complete runs)",
            "non più pubblicato dalla fonte (assente da 3 letture complete consecutive)",
        ),
        (
            event(
                K.BUDGET_CHANGED,
                {"total_eur": "10605000.00", "max_grant_eur": None, "cofinancing_rate": "0.5"},
                {"total_eur": "12000000.00", "max_grant_eur": "3000000", "cofinancing_rate": None},
            ),
            "budget: from €10,605,000.00 to €12,000,000.00; maximum grant: now €3,000,000.00; "
            "co-financing rate: no longer stated (was 50%)",
            "dotazione: da 10.605.000,00\xa0€ a 12.000.000,00\xa0€; contributo massimo: ora "
            "3.000.000,00\xa0€; tasso di cofinanziamento: valore non più indicato (era 50%)",
        ),
        (
            event(
                K.ELIGIBILITY_CHANGED,
                {"audiences": ["citizens", "companies"]},
                {"audiences": ["companies", "training_bodies"]},
            ),
            "eligibility changed — audiences added: training_bodies; audiences removed: citizens",
            "requisiti cambiati — destinatari aggiunti: training_bodies; destinatari tolti: "
            "citizens",
        ),
        (
            event(
                K.DOCUMENTS_CHANGED,
                [{"title": "Avviso", "url": "a"}],
                [{"title": "FAQ", "url": "f"}, {"title": "", "url": "https://x.it/c.pdf"}],
            ),
            "documents added: “FAQ”, “https://x.it/c.pdf”; documents removed: “Avviso”",
            "documenti aggiunti: «FAQ», «https://x.it/c.pdf»; documenti tolti: «Avviso»",
        ),
    ],
)
def test_describe_in_english_and_italian(ev: ChangeEvent, en: str, it: str) -> None:
    assert describe(ev, "en") == en
    assert describe(ev, "it") == it


def test_a_call_back_after_vanishing_is_described_as_back() -> None:
    ev = event(K.REOPENED, "vanished", "open", "by_source")
    assert describe(ev, "en") == "published again by the source: now open"
    assert describe(ev, "it") == "di nuovo pubblicato dalla fonte: ora «aperto»"


def test_describe_uses_the_readers_zone_and_language_tags() -> None:
    ev = event(K.CUTOFF_ADDED, None, "2026-11-04T23:30:00+00:00")
    assert describe(ev, "it-IT") == "nuova scadenza: 5 novembre ore 00:30"
    assert describe(ev, "en_GB", tz="Europe/Dublin") == "new deadline: 4 November at 23:30"
    assert describe(ev, "fr") == "new deadline: 5 November at 00:30"


def test_every_diff_event_can_be_described() -> None:
    after = iefp(
        deadlines=(
            Deadline(at=at("2026-08-06T15:00:00Z")),
            Deadline(at=at("2026-09-01T15:00:00Z")),
        ),
        stated_status="Chiuso",
        documents=ESITO_DOCS,
        budget=Budget(total_eur=Decimal("2500000")),
    )
    events = diff(iefp(), after, AUGUST)
    assert [describe(e, "it") for e in events] == [
        "scadenza spostata dal 30 luglio ore 17:00 al 6 agosto ore 17:00",
        "nuova scadenza: 1° settembre ore 17:00",
        "riaperto: ora «aperto» (in base alle date)",
        "dotazione: ora 2.500.000,00\xa0€",  # babel puts a no-break space before €
        "documenti aggiunti: «Approvazione e autorizzazione delle attività formative - D.D. "
        "431», «Allegato 1 - Elenco attività ammissibili»; documenti tolti: "
        "«DD-A15_354_2026 - File primario»",
    ]
