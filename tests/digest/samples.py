"""Digest inputs as the pipeline and the rules engine hand them over, for pure tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fundwatch.digest.build import Digest, Match, build_digest
from fundwatch.digest.options import DigestOptions, period_for
from fundwatch.models import ChangeEvent, ChangeKind
from fundwatch.store import SourceHealth
from tests.digest.calls import IEFP, INCUBATION, INSEDIAMENTO, NOW, PEP, POW, TCS
from tests.digest.conftest import T0, T1, network, torino

PIEMONTE_LATER = timedelta(minutes=4)
"""The Piemonte run finished a few minutes after the EU one."""

MATCHES = [
    Match(TCS, 1, T0, ("fondo FSE+",)),
    Match(POW, 2, T0),
    Match(INCUBATION, 3, T0),
    Match(PEP, 4, T0),
    Match(IEFP, 5, T1 + PIEMONTE_LATER),
    Match(INSEDIAMENTO, 6, T1 + PIEMONTE_LATER, ("territorio: Piemonte",)),
]


def ev(
    call_id: str,
    kind: ChangeKind,
    before: object,
    after: object,
    detail: str = "",
    source: str = "eu-esf",
    at: datetime = T1,
) -> ChangeEvent:
    return ChangeEvent(
        kind=kind,
        source=source,
        source_id=call_id,
        at=at,
        before=before,
        after=after,
        detail=detail,
    )


# What the pipeline recorded at T1 for these calls (see conftest.seed), in id order.
EVENTS = [
    ev("ESF-2026-AG-TCS", ChangeKind.CLOSED, "open", "closed", "by_date"),
    ev("ESF-2026-SE-INCUBATION", ChangeKind.CLOSED, "open", "closed", "by_date"),
    ev("ESF-2027-PEP-ENGAGEMENT", ChangeKind.STATUS_CHANGED, "forthcoming", "open", "by_date"),
    ev(
        "ESF-2026-AG-TCS",
        ChangeKind.DEADLINE_EXTENDED,
        "2026-09-09T15:00:00+00:00",
        "2026-09-23T00:00:00+00:00",
    ),
    ev("ESF-2026-AG-TCS", ChangeKind.REOPENED, "closed", "open", "by_date"),
    ev(IEFP.source_id, ChangeKind.NEW, None, {"title": IEFP.title}, source="piemonte-fse"),
    ev(
        INSEDIAMENTO.source_id,
        ChangeKind.NEW,
        None,
        {"title": INSEDIAMENTO.title},
        source="piemonte-fse",
    ),
]

HEALTH = [
    SourceHealth(
        "eu-esf", "eu_ft", "EU Funding & Tenders (ESF+)", True, 4, T1, None, "", 0, "ok", T1
    ),
    SourceHealth(
        "lombardia",
        "socrata",
        "Regione Lombardia",
        True,
        0,
        datetime(2026, 9, 2, 6, 0, tzinfo=UTC),
        T1,
        "fetch_error: 503",
        3,
        "error",
        T1,
        datetime(2026, 9, 8, 6, 0, tzinfo=UTC),  # the failure streak began on 8 September
    ),
    SourceHealth(
        "piemonte-fse", "piemonte", "Regione Piemonte", True, 2, T1, None, "", 0, "incomplete", T1
    ),
    SourceHealth("old", "rss", "Disabled feed", False, 0, None, None, "", 0, "never", None),
]


def sample_digest(
    opts: DigestOptions, matches: list[Match] = MATCHES, events: list[ChangeEvent] = EVENTS
) -> Digest:
    profile = torino() if opts.language == "it" else network()
    return build_digest(profile, period_for(NOW, opts), matches, events, HEALTH, NOW, opts)
