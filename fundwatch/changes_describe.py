"""A change event in words, in Italian or English, for digests, feeds and `fundwatch history`.

Dates are shown in the reader's zone (Europe/Rome unless told) with babel: day and month, the
year only when it is not the year of the event, the time only when it says something (not
midnight or 23:59) or when the day alone would not show the change. Money is euro in the
reader's locale. Italian prepositions follow the number ("dal 12 marzo", "dall'8 marzo",
"dal 1° marzo"). Re-exported by `fundwatch.changes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency, format_percent

from fundwatch.models import ChangeEvent, ChangeKind

_STATUS = {
    "en": {
        "open": "open",
        "forthcoming": "forthcoming",
        "closed": "closed",
        "unknown": "unknown",
        "withdrawn": "withdrawn",
    },
    "it": {
        "open": "aperto",
        "forthcoming": "di prossima apertura",
        "closed": "chiuso",
        "unknown": "non determinato",
        "withdrawn": "ritirato",
    },
}
_CAUSE = {
    "en": {"by_date": " (by its dates)", "by_source": " (as the source states)"},
    "it": {"by_date": " (in base alle date)", "by_source": " (secondo la fonte)"},
}
_BUDGET = {
    "en": {
        "total_eur": "budget",
        "min_grant_eur": "minimum grant",
        "max_grant_eur": "maximum grant",
        "cofinancing_rate": "co-financing rate",
    },
    "it": {
        "total_eur": "dotazione",
        "min_grant_eur": "contributo minimo",
        "max_grant_eur": "contributo massimo",
        "cofinancing_rate": "tasso di cofinanziamento",
    },
}
_TEXT = {
    "en": {
        "new": "new call: {title}",
        "new_deadline": "new call: {title}, deadline {at}",
        "extended": "deadline{label} moved from {a} to {b}",
        "now_rolling": "deadline{label} of {a} removed: no fixed deadline any more",
        "forward": "deadline{label} brought forward from {a} to {b}",
        "cut_removed": "cut-off{label} of {a} removed",
        "cut_added": "new deadline{label}: {b}",
        "status": "status changed from {a} to {b}{cause}",
        "reopened": "reopened: now {b}{cause}",
        "back": "published again by the source: now {b}",
        "closed_date": "closed: the deadline has passed",
        "closed_source": "closed, as the source states",
        "withdrawn": "withdrawn: the source now says “{b}”",
        "vanished": "no longer published by the source (missing from {n} consecutive "
        "complete runs)",
        "money": "{field}: from {a} to {b}",
        "money_new": "{field}: now {b}",
        "money_gone": "{field}: no longer stated (was {a})",
        "eligibility": "eligibility changed — {parts}",
        "audiences+": "audiences added: {x}",
        "audiences-": "audiences removed: {x}",
        "territories+": "territories added: {x}",
        "territories-": "territories removed: {x}",
        "docs+": "documents added: {x}",
        "docs-": "documents removed: {x}",
        "at": "{day} at {time}",
        "quote": "“{x}”",
    },
    "it": {
        "new": "nuovo bando: {title}",
        "new_deadline": "nuovo bando: {title}, scadenza {at}",
        "extended": "scadenza{label} spostata {da}{a} {al}{b}",
        "now_rolling": "eliminata la scadenza{label} {del}{a}: ora senza scadenza fissa",
        "forward": "scadenza{label} anticipata {da}{a} {al}{b}",
        "cut_removed": "eliminata la scadenza{label} {del}{a}",
        "cut_added": "nuova scadenza{label}: {b}",
        "status": "stato cambiato da «{a}» a «{b}»{cause}",
        "reopened": "riaperto: ora «{b}»{cause}",
        "back": "di nuovo pubblicato dalla fonte: ora «{b}»",
        "closed_date": "chiuso: la scadenza è passata",
        "closed_source": "chiuso, secondo la fonte",
        "withdrawn": "ritirato: la fonte ora indica «{b}»",
        "vanished": "non più pubblicato dalla fonte (assente da {n} letture complete consecutive)",
        "money": "{field}: da {a} a {b}",
        "money_new": "{field}: ora {b}",
        "money_gone": "{field}: valore non più indicato (era {a})",
        "eligibility": "requisiti cambiati — {parts}",
        "audiences+": "destinatari aggiunti: {x}",
        "audiences-": "destinatari tolti: {x}",
        "territories+": "territori aggiunti: {x}",
        "territories-": "territori tolti: {x}",
        "docs+": "documenti aggiunti: {x}",
        "docs-": "documenti tolti: {x}",
        "at": "{day} ore {time}",
        "quote": "«{x}»",
    },
}
_ELIDED_DAYS = (8, 11)  # "otto", "undici": dall'8, all'11


def describe(event: ChangeEvent, lang: str = "it", tz: str | ZoneInfo = "Europe/Rome") -> str:
    """One line saying what changed, in `lang` ("it" or "en"; any other reads as "en"),
    with dates in the zone `tz`."""
    lang = _language(lang)
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    words = _Words(lang, zone, event.at.astimezone(zone).year)
    return _KINDS[event.kind](event, words)


class _Words:
    def __init__(self, lang: str, zone: ZoneInfo, year: int) -> None:
        self.lang, self.zone, self.year = lang, zone, year
        self.text = _TEXT[lang]

    def say(self, key: str, **values: Any) -> str:
        return self.text[key].format(**values)

    def label(self, label: str) -> str:
        return " " + self.say("quote", x=label) if label else ""

    def dates(self, *values: str) -> list[str]:
        """The ISO datetimes as the reader reads them, formatted alike."""
        local = [datetime.fromisoformat(v).astimezone(self.zone) for v in values]
        with_year = any(d.year != self.year for d in local)
        same_day = len({d.date() for d in local}) < len(local)
        with_time = same_day or any((d.hour, d.minute) not in ((0, 0), (23, 59)) for d in local)
        out = []
        for d in local:
            day = format_date(d.date(), "d MMMM y" if with_year else "d MMMM", locale=self.lang)
            if self.lang == "it" and d.day == 1:
                day = "1°" + day[1:]
            out.append(self.say("at", day=day, time=f"{d:%H:%M}") if with_time else day)
        return out

    def prepositions(self, first: str, second: str) -> dict[str, str]:
        """Italian articulated prepositions for the dates that follow them."""
        if self.lang != "it":
            return {}
        elide1 = _elides(first)
        elide2 = _elides(second)
        return {
            "da": "dall'" if elide1 else "dal ",
            "al": "all'" if elide2 else "al ",
            "del": "dell'" if elide1 else "del ",
        }

    def money(self, name: str, value: str) -> str:
        amount = Decimal(value)
        if name == "cofinancing_rate":
            return format_percent(amount, locale=self.lang)
        return format_currency(amount, "EUR", locale=self.lang)

    def status(self, code: Any) -> str:
        return _STATUS[self.lang].get(str(code), str(code))

    def quote_all(self, items: Sequence[Mapping[str, Any]]) -> str:
        return ", ".join(self.say("quote", x=i.get("title") or i.get("url", "")) for i in items)


def _elides(formatted_day: str) -> bool:
    number = formatted_day.split(" ", 1)[0]
    return number.isdigit() and int(number) in _ELIDED_DAYS


def _new(event: ChangeEvent, w: _Words) -> str:
    after = event.after if isinstance(event.after, Mapping) else {}
    title = after.get("title", "") or event.source_id
    if after.get("deadline"):
        return w.say("new_deadline", title=title, at=w.dates(after["deadline"])[0])
    return w.say("new", title=title)


def _moved(event: ChangeEvent, w: _Words) -> str:
    label = w.label(event.detail)
    extended = event.kind is ChangeKind.DEADLINE_EXTENDED
    if event.after is None:
        (a,) = w.dates(event.before)
        key = "now_rolling" if extended else "cut_removed"
        return w.say(key, label=label, a=a, **w.prepositions(a, a))
    a, b = w.dates(event.before, event.after)
    return w.say(
        "extended" if extended else "forward", label=label, a=a, b=b, **w.prepositions(a, b)
    )


def _cutoff(event: ChangeEvent, w: _Words) -> str:
    (b,) = w.dates(event.after)
    return w.say("cut_added", label=w.label(event.detail), b=b)


def _status(event: ChangeEvent, w: _Words) -> str:
    cause = _CAUSE[w.lang].get(event.detail, "")
    key = "reopened" if event.kind is ChangeKind.REOPENED else "status"
    if key == "reopened" and event.before == "vanished":
        key = "back"
    return w.say(key, a=w.status(event.before), b=w.status(event.after), cause=cause)


def _closed(event: ChangeEvent, w: _Words) -> str:
    return w.say("closed_source" if event.detail == "by_source" else "closed_date")


def _withdrawn(event: ChangeEvent, w: _Words) -> str:
    return w.say("withdrawn", b=event.after)


def _vanished(event: ChangeEvent, w: _Words) -> str:
    return w.say("vanished", n=event.detail)


def _budget(event: ChangeEvent, w: _Words) -> str:
    before: Mapping[str, Any] = event.before or {}
    after: Mapping[str, Any] = event.after or {}
    parts = []
    for name, field in _BUDGET[w.lang].items():
        if name not in before and name not in after:
            continue
        a, b = before.get(name), after.get(name)
        try:
            shown_a = w.money(name, a) if a is not None else ""
            shown_b = w.money(name, b) if b is not None else ""
        except (InvalidOperation, TypeError, ValueError):
            shown_a, shown_b = str(a), str(b)
        key = "money_new" if a is None else "money_gone" if b is None else "money"
        parts.append(w.say(key, field=field, a=shown_a, b=shown_b))
    return "; ".join(parts)


def _eligibility(event: ChangeEvent, w: _Words) -> str:
    before: Mapping[str, Any] = event.before or {}
    after: Mapping[str, Any] = event.after or {}
    parts = []
    for name in ("audiences", "territories"):
        old, new = list(before.get(name, [])), list(after.get(name, []))
        added = [c for c in new if c not in old]
        removed = [c for c in old if c not in new]
        if added:
            parts.append(w.say(name + "+", x=", ".join(added)))
        if removed:
            parts.append(w.say(name + "-", x=", ".join(removed)))
    return w.say("eligibility", parts="; ".join(parts))


def _documents(event: ChangeEvent, w: _Words) -> str:
    parts = []
    if event.after:
        parts.append(w.say("docs+", x=w.quote_all(event.after)))
    if event.before:
        parts.append(w.say("docs-", x=w.quote_all(event.before)))
    return "; ".join(parts)


_KINDS = {
    ChangeKind.NEW: _new,
    ChangeKind.DEADLINE_EXTENDED: _moved,
    ChangeKind.DEADLINE_BROUGHT_FORWARD: _moved,
    ChangeKind.CUTOFF_ADDED: _cutoff,
    ChangeKind.STATUS_CHANGED: _status,
    ChangeKind.REOPENED: _status,
    ChangeKind.CLOSED: _closed,
    ChangeKind.WITHDRAWN: _withdrawn,
    ChangeKind.VANISHED: _vanished,
    ChangeKind.BUDGET_CHANGED: _budget,
    ChangeKind.ELIGIBILITY_CHANGED: _eligibility,
    ChangeKind.DOCUMENTS_CHANGED: _documents,
}


def _language(lang: str) -> str:
    short = lang.lower().replace("_", "-").split("-", 1)[0]
    return short if short in _TEXT else "en"
