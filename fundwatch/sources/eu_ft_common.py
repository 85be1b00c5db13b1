"""What the two EU Funding & Tenders kinds share: filters, URLs, dates, programmes, budgets.

Dates. The portal stores most dates as calendar days serialised as a midnight, either UTC
midnight (``2027-09-21T00:00:00.000+0000``) or Brussels midnight written in UTC
(``2025-01-21T23:00:00.000+0000``, epoch ms ``1737500400000``); both mean "that day in
Brussels". Such a deadline becomes the end of that Brussels day (23:59:59, the house reading
of a date-only deadline: the portal's usual closing hour, 17:00, is not in the data), an
opening date the start of it. A value carrying a real time of day is kept as the instant it
names.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from pydantic import ConfigDict, Field, field_validator

from fundwatch.models import Budget, Deadline, Document, Programme, Territory
from fundwatch.normalize import BRUSSELS, html_to_text, one_line, parse_datetime, parse_eur
from fundwatch.sources.base import SourceParams
from fundwatch.sources.eu_ft_codes import ESF_PLUS, division_label, programme_label, resolve

_PORTAL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
TOPIC_PAGE = _PORTAL + "topic-details/"
TENDER_PAGE = _PORTAL + "tender-details/"
EU = Territory(code="EU", scheme="eu", label="European Union")
ESF_PLUS_FUND = Programme(code="ESF+", label="European Social Fund Plus", kind="fund")
GRANT_TYPES = ("grant", "call for proposals", "cascade funding")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str | int) else value


class EuFtFilters(SourceParams):
    """Which topics a source instance follows. Names are resolved to portal codes on load."""

    model_config = ConfigDict(validate_default=True)

    programmes: tuple[str, ...] = Field(
        default=("ESF+",),
        description=(
            "Framework programmes, by code (43254019) or name (ESF+, CERV, SOCPL, Erasmus+, "
            "Horizon Europe, Digital Europe, EU4Health, I3, ...). Empty: every programme."
        ),
    )
    divisions: tuple[str, ...] = Field(
        default=(),
        description=(
            "Programme divisions, by code (43254027) or name (EaSI, MSCA, EIC, ...); they narrow "
            "the programmes. Empty: no division filter."
        ),
    )
    types: tuple[str, ...] = Field(
        default=GRANT_TYPES,
        description=(
            "Kinds of opportunity: grant (topics), call for proposals, cascade funding, tender; "
            "or the portal codes 1, 2, 8, 0. Tenders are off by default."
        ),
    )
    statuses: tuple[str, ...] = Field(
        default=("open", "forthcoming"),
        description=(
            "Portal status flags to ask for: open, forthcoming, closed (add closed for a "
            "backfill). The flag only selects; the status shown is derived from dates."
        ),
    )

    @field_validator("programmes", "divisions", "types", "statuses", mode="before")
    @classmethod
    def _one_is_a_list(cls, value: Any) -> Any:
        return _listify(value)

    @field_validator("programmes")
    @classmethod
    def _programmes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(resolve("programme", value))

    @field_validator("divisions")
    @classmethod
    def _divisions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(resolve("division", value))

    @field_validator("types")
    @classmethod
    def _types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(resolve("type", value))

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(resolve("status", value))


def strings(value: Any) -> list[str]:
    """A metadata value as a list of stripped, non-empty strings (lists, scalars and null)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if item is None or isinstance(item, dict | list):
            continue
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def line(text: str) -> str:
    """A title or label on one line, HTML entities decoded (``&amp;``, ``&#8211;``) and markup
    dropped (the search API wraps matched words in ``<b>``; a bare ``<`` is kept)."""
    if "<" in text and _TAG.search(text):
        return one_line(html_to_text(text))
    return one_line(html.unescape(text)) if "&" in text else one_line(text)


def keyword_values(value: Any) -> list[str]:
    """Keywords: a list of strings in current records, one JSON-encoded list in legacy ones."""
    values = strings(value)
    if len(values) == 1 and values[0].startswith("["):
        return strings(embedded_json(values[0]))
    return values


def embedded_json(value: Any) -> Any:
    """JSON serialised inside a string (or a one-string list); None when absent or unreadable.

    The search API cuts nothing, but recorders do, and a broken embedded value must cost
    only that field, never the record.
    """
    if isinstance(value, list):
        if not value:
            return None
        value = value[0]
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def page_url(identifier: str, type_code: str = "1") -> str:
    """The human page of a topic (or of a tender, type 0), built from the identifier because
    result URLs sometimes point at the topicDetails JSON instead."""
    base = TENDER_PAGE if type_code == "0" else TOPIC_PAGE
    return base + quote(identifier, safe="-_.")


def _calendar_day(moment: datetime) -> date | None:
    """The day a date-only value stands for, when its time is a midnight (UTC or Brussels)."""
    local = moment.astimezone(BRUSSELS)
    if local.time() == time(0):
        return local.date()
    if moment.time() == time(0):
        return moment.date()
    return None


_EPOCH_MS_FLOOR = 10**11
"""Epoch ms below this (before March 1973) are placeholders such as 0, never a call's date."""


def _moment(value: Any, *, end_of_day: bool) -> datetime | None:
    if isinstance(value, Decimal):
        value = int(value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    number = value.strip() if isinstance(value, str) else value
    numeric = isinstance(number, int | float) or number.lstrip("-").isdigit()
    if numeric and float(number) < _EPOCH_MS_FLOOR:
        return None
    moment = parse_datetime(value, BRUSSELS)
    if moment is None:
        return None
    day = _calendar_day(moment)
    if day is None:
        return moment
    return parse_datetime(day.isoformat(), BRUSSELS, end_of_day=end_of_day)


def opening_at(value: Any) -> datetime | None:
    return _moment(value, end_of_day=False)


def deadline_at(value: Any) -> datetime | None:
    return _moment(value, end_of_day=True)


def deadlines(values: Iterable[Any], model: str) -> tuple[Deadline, ...]:
    """Deadlines in order, labelled by stage or cut-off when the submission model has several."""
    moments = sorted({m for m in (deadline_at(v) for v in values) if m is not None})
    kind = model.strip().lower()
    if "two" in kind and "stage" in kind:
        pattern = "stage {}"
    elif "cut" in kind and "off" in kind:
        pattern = "cut-off {}"
    else:
        pattern = ""
    return tuple(
        Deadline(at=m, label=pattern.format(i) if pattern else "")
        for i, m in enumerate(moments, start=1)
    )


def programmes(
    framework: Iterable[tuple[str, str]], divisions: Iterable[tuple[str, str]]
) -> tuple[Programme, ...]:
    """Programmes, then divisions, then the ESF+ fund tag when the topic is under ESF+.

    Each input pair is (code, the record's own label or ""); the shipped table's clean label
    wins. A division that repeats a programme code of the topic (Horizon topics list 43108390
    in both) is left out.
    """
    out: list[Programme] = []
    seen: set[str] = set()
    for code, own in framework:
        if code and code not in seen:
            seen.add(code)
            label = programme_label(code)
            label = line(own) if label == code and own else label
            out.append(Programme(code=code, label=label))
    for code, own in divisions:
        if code and code not in seen:
            seen.add(code)
            label = division_label(code)
            label = line(own) if label == code and own else label
            out.append(Programme(code=code, label=label, kind="division"))
    if ESF_PLUS in seen:
        out.append(ESF_PLUS_FUND)
    return tuple(out)


def terms(values: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Clean, de-duplicated (case-insensitively) keywords or tags, in their order."""
    skip = {e.casefold() for e in exclude}
    out: list[str] = []
    for value in values:
        text = line(value)
        if text and text.casefold() not in skip:
            skip.add(text.casefold())
            out.append(text)
    return tuple(out)


def topic_budget(overview: Any, identifier: str) -> tuple[Budget, int | None]:
    """The topic's share of a call's budgetOverview, and the expected number of grants.

    `budgetTopicActionMap` lists every topic of the call; a topic's rows are those whose
    ``action`` starts with its identifier followed by " - ". Yearly amounts (strings or
    numbers) are summed.
    """
    if not isinstance(overview, dict):
        return Budget(), None
    action_map = overview.get("budgetTopicActionMap")
    if not isinstance(action_map, dict):
        return Budget(), None
    total: Decimal | None = None
    lows: list[Decimal] = []
    highs: list[Decimal] = []
    grants: int | None = None
    wanted = identifier.casefold()
    for rows in action_map.values():
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict):
                continue
            action = str(row.get("action") or "")
            if action.split(" - ", 1)[0].strip().casefold() != wanted:
                continue
            years = row.get("budgetYearMap")
            for amount in years.values() if isinstance(years, dict) else ():
                value = parse_eur(amount) if isinstance(amount, str | int | float) else None
                if value is not None:
                    total = (total or Decimal(0)) + value
            for key, bucket in (("minContribution", lows), ("maxContribution", highs)):
                raw = row.get(key)
                value = parse_eur(raw) if isinstance(raw, str | int | float) else None
                if value is not None:
                    bucket.append(value)
            expected = row.get("expectedGrants")
            if isinstance(expected, str) and expected.strip().isdigit():
                expected = int(expected)
            if isinstance(expected, int) and not isinstance(expected, bool):
                grants = (grants or 0) + expected
    budget = Budget(
        total_eur=total,
        min_grant_eur=min(lows) if lows else None,
        max_grant_eur=max(highs) if highs else None,
    )
    return budget, grants


def link_documents(links: Any) -> tuple[Document, ...]:
    """Submission-system links (the `links` value: objects with url and criterionDescription)."""
    out: list[Document] = []
    seen: set[str] = set()
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict):
            continue
        url = str(link.get("url") or "").strip()
        if not url.startswith("http") or url in seen:
            continue
        seen.add(url)
        title = line(str(link.get("criterionDescription") or "")) or "Submission"
        out.append(Document(title=title, url=url, kind="submission"))
    return tuple(out)
