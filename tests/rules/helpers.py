"""Builders for rules tests: calls and profiles with only the fields a test cares about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fundwatch.config.profile import Profile
from fundwatch.models import Audience, Budget, Call, Deadline, Programme, Territory

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def make_call(
    source_id: str = "c1",
    *,
    title: str = "Bando di prova",
    lang: str = "it",
    summary: str = "",
    territories: tuple[str, ...] = ("ITC1",),
    audiences: tuple[str, ...] = ("ente_pubblico",),
    funds: tuple[str, ...] = (),
    programmes: tuple[tuple[str, str], ...] = (),
    days: float | None = 60,
    opens_in: float | None = None,
    rolling: bool = False,
    call_type: str = "",
    keywords: tuple[str, ...] = (),
    themes: tuple[str, ...] = (),
    budget: dict[str, Any] | None = None,
    source: str = "test",
) -> Call:
    """A call open until `days` from NOW (None: no deadline)."""
    return Call(
        source=source,
        source_id=source_id,
        url=f"https://example.org/{source_id}",
        language=lang,
        titles={lang: title},
        summary=summary,
        territories=tuple(Territory(code=t) for t in territories),
        audiences=tuple(Audience(code=a) for a in audiences),
        programmes=tuple(Programme(code=f, label=f, kind="fund") for f in funds)
        + tuple(Programme(code=c, label=label) for c, label in programmes),
        deadlines=(Deadline(at=NOW + timedelta(days=days)),) if days is not None else (),
        opens_at=NOW + timedelta(days=opens_in) if opens_in is not None else None,
        rolling=rolling,
        call_type=call_type,
        keywords=keywords,
        themes=themes,
        budget=Budget(**{k: Decimal(str(v)) for k, v in (budget or {}).items()}),
    )


def make_profile(**data: Any) -> Profile:
    """A profile from keyword blocks: make_profile(organisation={...}, gates={...})."""
    data.setdefault("id", "p")
    data.setdefault("name", "Profilo di prova")
    return Profile.model_validate(data)


TORINO = {"type": "comune", "territory": "001272"}
