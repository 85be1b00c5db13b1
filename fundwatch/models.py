"""Domain types. No database, no network, no clock: plain validated values.

A `Call` is what one source says about one funding call at one moment. It is rich enough for
an EU topic (several deadlines, per-language titles, programme codes) and for an Italian
regional call (rolling "a sportello" calls, raw audience text, ISTAT territory codes).
All datetimes are timezone-aware; sources parse them in their own zone and the store keeps
them in UTC.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    """Status derived from dates and `now`; see `status()`."""

    OPEN = "open"
    FORTHCOMING = "forthcoming"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class Programme(_Value):
    """A programme, programme division or fund the call is financed under.

    `code` is the stable key (an EU frameworkProgramme id such as ``43254019``, or a fund tag
    such as ``ESF+``); `label` is for humans.
    """

    code: str
    label: str
    kind: Literal["programme", "division", "fund"] = "programme"


class Audience(_Value):
    """Who may apply: a term of the shared audience vocabulary plus the source's own words."""

    code: str
    raw: str = ""


class Territory(_Value):
    """Where the call applies: a NUTS or ISTAT code (``ITC1``, ``IT``, ``EU``, ``001272``)."""

    code: str
    scheme: Literal["nuts", "istat", "country", "eu"] = "nuts"
    label: str = ""


class Deadline(_Value):
    """One submission deadline. Multi-stage and cut-off calls carry several."""

    at: AwareDatetime
    label: str = ""


class Budget(_Value):
    """Money, in euro. Every field is optional: most sources give only some of them."""

    total_eur: Decimal | None = None
    min_grant_eur: Decimal | None = None
    max_grant_eur: Decimal | None = None
    cofinancing_rate: Decimal | None = Field(
        default=None, ge=0, le=1, description="Share of costs the funder covers, 0..1."
    )


class Document(_Value):
    """An attachment or linked page: call text, annex, FAQ, corrigendum."""

    title: str
    url: str
    kind: str = ""


class Call(_Value):
    """One funding call as one source describes it.

    Identity is ``(source, source_id)``. `titles` maps a language code to the title in that
    language; `language` is the preferred one. `stated_status` is the source's own word and
    is never trusted for decisions: use `status()`.
    """

    source: str
    source_id: str
    url: str
    language: str = "it"
    titles: dict[str, str]
    summary: str = ""
    issuer: str = ""
    programmes: tuple[Programme, ...] = ()
    audiences: tuple[Audience, ...] = ()
    audience_raw: str = ""
    territories: tuple[Territory, ...] = ()
    territory_raw: str = ""
    opens_at: AwareDatetime | None = None
    deadlines: tuple[Deadline, ...] = ()
    rolling: bool = False
    stated_status: str = ""
    budget: Budget = Budget()
    instrument: str = ""
    call_type: str = ""
    identifiers: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    documents: tuple[Document, ...] = ()
    extra: dict[str, str] = Field(default_factory=dict)

    @property
    def title(self) -> str:
        """The title in the preferred language, else any title there is."""
        if self.language in self.titles:
            return self.titles[self.language]
        for lang in ("en", "it"):
            if lang in self.titles:
                return self.titles[lang]
        return next(iter(self.titles.values()), "")

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.source_id)

    @property
    def funds(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.programmes if p.kind == "fund")

    def deadline(self, now: datetime) -> datetime | None:
        """The next deadline at or after `now`, else the last one, else None."""
        ordered = sorted(d.at for d in self.deadlines)
        for at in ordered:
            if at >= now:
                return at
        return ordered[-1] if ordered else None

    def content_hash(self) -> str:
        """A hash over the material content.

        Empty optional values are left out so that a source starting to fill a new optional
        field does not flip the hash of every call it already published.
        """
        material = _drop_empty(self.model_dump(mode="json", exclude={"extra"}))
        blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {}, False)}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def status(call: Call, now: datetime) -> Status:
    """Derive the status from dates and `now`; the source's own flag goes stale.

    - a deadline still ahead: forthcoming if the call has not opened yet, else open;
    - every deadline past: closed;
    - no deadline: a rolling ("a sportello") call is open once opened, forthcoming before;
      a call that only has a future opening date is forthcoming; otherwise unknown.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    not_yet_open = call.opens_at is not None and call.opens_at > now
    if call.deadlines:
        if all(d.at < now for d in call.deadlines):
            return Status.CLOSED
        return Status.FORTHCOMING if not_yet_open else Status.OPEN
    if not_yet_open:
        return Status.FORTHCOMING
    if call.rolling:
        return Status.OPEN
    return Status.UNKNOWN


SourceStatus = Literal["ok", "incomplete", "error"]


@dataclass(frozen=True)
class SourceResult:
    """What one run of one source produced. Failures are values, not exceptions.

    `complete` is True only when the source delivered everything it announced; only complete
    runs may ever lead to "closed" or "vanished" conclusions.
    """

    source_id: str
    status: SourceStatus
    calls: tuple[Call, ...] = ()
    error: str = ""
    error_kind: str = ""
    expected: int | None = None
    notes: tuple[str, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    requests: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.status == "ok"


class ChangeKind(StrEnum):
    NEW = "new"
    DEADLINE_EXTENDED = "deadline_extended"
    DEADLINE_BROUGHT_FORWARD = "deadline_brought_forward"
    CUTOFF_ADDED = "cutoff_added"
    STATUS_CHANGED = "status_changed"
    BUDGET_CHANGED = "budget_changed"
    ELIGIBILITY_CHANGED = "eligibility_changed"
    DOCUMENTS_CHANGED = "documents_changed"
    REOPENED = "reopened"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    VANISHED = "vanished"


class ChangeEvent(_Value):
    """One typed change of one call, with the values before and after (JSON-able)."""

    kind: ChangeKind
    source: str
    source_id: str
    at: AwareDatetime
    before: Any = None
    after: Any = None
    detail: str = ""
