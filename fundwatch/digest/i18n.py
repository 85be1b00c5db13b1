"""Words and formats of digests, feeds and pages, in Italian and English.

Dates and amounts go through babel so that they read as the language writes them
("30 luglio 2026, 17:00" / "30 July 2026 at 17:00"; "126.110.000 €" / "€126,110,000").
`TEXT` is handed to templates as `t`; a missing key fails the render (StrictUndefined).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from fundwatch.models import Status

TEXT: dict[str, dict[str, str]] = {
    "it": {
        "heading": "Bandi per {name}",
        "period_daily": "Aggiornamento del {day}",
        "period_weekly": "Aggiornamento della settimana {week}",
        "covering": "Novità dal {since} al {until}.",
        "new": "Nuovi bandi per voi",
        "changed": "Cambiati da quando ve ne abbiamo parlato",
        "closing_soon": "In scadenza entro {days} giorni",
        "closed": "Chiusi o ritirati",
        "nothing": "Nessuna novità in questo periodo.",
        "more": "…e altri {n}: li trovate tutti nel feed.",
        "more_nofeed": "…e altri {n}.",
        "issuer": "Ente",
        "programme": "Programma o fondo",
        "deadline": "Scadenza",
        "budget": "Dotazione",
        "max_grant": "Contributo massimo",
        "why": "Perché vi riguarda",
        "what_changed": "Cosa è cambiato",
        "official": "Pagina ufficiale",
        "not_relevant": "Non pertinente",
        "not_relevant_hint": "non mostrarlo più a {name}",
        "rolling": "a sportello (senza scadenza fissa)",
        "no_deadline": "non indicata",
        "today": "oggi",
        "in_days_1": "tra 1 giorno",
        "in_days": "tra {n} giorni",
        "health": "Stato delle fonti",
        "health_ok": "{n} fonti controllate, tutte regolari.",
        "health_some": "{n} fonti controllate: {ok} senza problemi, {bad} con problemi.",
        "last_check": "Ultimo controllo: {at}.",
        "failing": "{name}: non raggiungibile da {runs} letture; ultima lettura riuscita {at}.",
        "failing_never": "{name}: non raggiungibile da {runs} letture; nessuna lettura riuscita.",
        "failing_since": "{name}: non raggiungibile {since} ({runs} letture); "
        "ultima lettura riuscita {at}.",
        "failing_never_since": "{name}: non raggiungibile {since} ({runs} letture); "
        "nessuna lettura riuscita.",
        "partial": "{name}: ultima lettura incompleta, alcuni bandi possono mancare.",
        "never": "{name}: non ancora letta.",
        "silence": "Se una fonte non risponde, i suoi bandi possono mancare da questo "
        "riepilogo: il silenzio non significa che non ci siano bandi.",
        "why_receive": "Ricevete questo riepilogo perché {email} è iscritto al profilo «{name}».",
        "unsubscribe": "Annulla l'iscrizione",
        "feeds": "Feed e calendario",
        "subject": "{name}: {parts}",
        "subject_empty": "{name}: nessuna novità",
        "n_new_1": "1 nuovo bando",
        "n_new": "{n} nuovi bandi",
        "n_changed_1": "1 modificato",
        "n_changed": "{n} modificati",
        "n_closing_1": "1 in scadenza",
        "n_closing": "{n} in scadenza",
        "n_closed_1": "1 chiuso",
        "n_closed": "{n} chiusi",
        "status_open": "aperto",
        "status_forthcoming": "di prossima apertura",
        "status_closed": "chiuso",
        "status_unknown": "stato non determinato",
        "feed_title": "Bandi per {name}",
        "feed_all": "Tutti i bandi seguiti",
        "feed_source": "Bandi della fonte {name}",
        "feed_programme": "Bandi del programma {name}",
        "entry_new": "Nuovo: {title}",
        "entry_changed": "Cambiato: {title}",
        "entry_closed": "Chiuso: {title}",
        "cal_deadline": "Scadenza: {title}",
        "cal_alarm": "Tra {n} giorni scade: {title}",
        "cal_name": "Scadenze dei bandi per {name}",
    },
    "en": {
        "heading": "Funding calls for {name}",
        "period_daily": "Update of {day}",
        "period_weekly": "Update for week {week}",
        "covering": "What happened from {since} to {until}.",
        "new": "New calls for you",
        "changed": "Changed since we told you",
        "closing_soon": "Closing within {days} days",
        "closed": "Closed or withdrawn",
        "nothing": "Nothing new in this period.",
        "more": "…and {n} more: the feed has them all.",
        "more_nofeed": "…and {n} more.",
        "issuer": "Issuer",
        "programme": "Programme or fund",
        "deadline": "Deadline",
        "budget": "Budget",
        "max_grant": "Maximum grant",
        "why": "Why it matters to you",
        "what_changed": "What changed",
        "official": "Official page",
        "not_relevant": "Not relevant",
        "not_relevant_hint": "stop showing it to {name}",
        "rolling": "rolling (no fixed deadline)",
        "no_deadline": "not stated",
        "today": "today",
        "in_days_1": "in 1 day",
        "in_days": "in {n} days",
        "health": "Source health",
        "health_ok": "{n} sources checked, all fine.",
        "health_some": "{n} sources checked: {ok} fine, {bad} with problems.",
        "last_check": "Last check: {at}.",
        "failing": "{name}: failing for {runs} runs; last good fetch {at}.",
        "failing_never": "{name}: failing for {runs} runs; never fetched successfully.",
        "failing_since": "{name}: failing {since} ({runs} runs); last good fetch {at}.",
        "failing_never_since": "{name}: failing {since} ({runs} runs); never fetched successfully.",
        "partial": "{name}: last fetch incomplete, some calls may be missing.",
        "never": "{name}: not checked yet.",
        "silence": "When a source fails, its calls may be missing here: silence does not "
        "mean there are no calls.",
        "why_receive": "You receive this digest because {email} subscribes to the profile "
        "“{name}”.",
        "unsubscribe": "Unsubscribe",
        "feeds": "Feeds and calendar",
        "subject": "{name}: {parts}",
        "subject_empty": "{name}: nothing new",
        "n_new_1": "1 new call",
        "n_new": "{n} new calls",
        "n_changed_1": "1 changed",
        "n_changed": "{n} changed",
        "n_closing_1": "1 closing soon",
        "n_closing": "{n} closing soon",
        "n_closed_1": "1 closed",
        "n_closed": "{n} closed",
        "status_open": "open",
        "status_forthcoming": "forthcoming",
        "status_closed": "closed",
        "status_unknown": "status unknown",
        "feed_title": "Funding calls for {name}",
        "feed_all": "All watched funding calls",
        "feed_source": "Calls from {name}",
        "feed_programme": "Calls under {name}",
        "entry_new": "New: {title}",
        "entry_changed": "Changed: {title}",
        "entry_closed": "Closed: {title}",
        "cal_deadline": "Deadline: {title}",
        "cal_alarm": "Closes in {n} days: {title}",
        "cal_name": "Funding call deadlines for {name}",
    },
}


def lang_of(language: str) -> str:
    return language if language in TEXT else "en"


def say(language: str, key: str, **values: object) -> str:
    return TEXT[lang_of(language)][key].format(**values)


def count(language: str, key: str, n: int) -> str:
    """``n_new`` with n=1 reads "1 new call", otherwise "{n} new calls"."""
    return say(language, f"{key}_1") if n == 1 else say(language, key, n=n)


def day(value: datetime, language: str, zone: ZoneInfo) -> str:
    """The date alone: "30 luglio 2026"."""
    return format_date(value.astimezone(zone).date(), "d MMMM y", locale=lang_of(language))


def when(value: datetime, language: str, zone: ZoneInfo) -> str:
    """Date and time in the reader's zone; the time is left out at midnight."""
    local = value.astimezone(zone)
    if (local.hour, local.minute) == (0, 0):
        return day(value, language, zone)
    lang = lang_of(language)
    pattern = "d MMMM y, HH:mm" if lang == "it" else "d MMMM y 'at' HH:mm"
    return format_datetime(local, pattern, tzinfo=zone, locale=lang)


def money(amount: Decimal, language: str) -> str:
    """Euro without cents when the amount is whole."""
    lang = lang_of(language)
    if amount == amount.to_integral_value():
        pattern = "#,##0 ¤" if lang == "it" else "¤#,##0"
        return format_currency(amount, "EUR", format=pattern, currency_digits=False, locale=lang)
    return format_currency(amount, "EUR", locale=lang)


def status_word(value: Status, language: str) -> str:
    return say(language, f"status_{value.value}")


def days_left(n: int, language: str) -> str:
    if n <= 0:
        return say(language, "today")
    return say(language, "in_days_1") if n == 1 else say(language, "in_days", n=n)
