"""Why and why not, in Italian and English: reasons rendered as sentences.

`reason_text` renders one `Reason`; `explain_lines` the whole trace of a verdict (every
criterion with ✓ pass, ✗ fail, ? unknown); `verdict_to_json` the same as data;
`short_reasons` the two or three reasons a digest shows beside a matched call.
Dates are shown in the reader's zone, amounts in euro, vocabulary codes by their labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

from fundwatch.data.italy import EU_MEMBERS
from fundwatch.normalize.audiences import audience_label
from fundwatch.normalize.funds import fund_label
from fundwatch.normalize.territories import lookup
from fundwatch.rules.messages import CRITERIA, MESSAGES, STATUS, WHERE
from fundwatch.rules.verdict import Outcome, Reason, Result, Verdict

__all__ = [
    "CRITERIA",
    "MESSAGES",
    "explain_lines",
    "outcome_lines",
    "reason_text",
    "short_reasons",
    "verdict_to_json",
]

ROME = ZoneInfo("Europe/Rome")

_MARK = {Result.PASS: "✓", Result.FAIL: "✗", Result.UNKNOWN: "?"}


def _i(lang: str) -> int:
    return 0 if lang.startswith("it") else 1


def reason_text(reason: Reason, lang: str = "it", zone: ZoneInfo = ROME) -> str:
    """One reason as a sentence in `lang` (it or en)."""
    templates = MESSAGES.get(reason.code)
    if templates is None:
        return reason.code
    return templates[_i(lang)].format_map(_Args(reason, lang, zone))


class _Args(dict[str, str]):
    """Display values of a reason's arguments, computed on demand by name."""

    def __init__(self, reason: Reason, lang: str, zone: ZoneInfo) -> None:
        super().__init__()
        self.reason, self.lang, self.zone = reason, lang, zone

    def __missing__(self, key: str) -> str:
        value = _display(key, self.reason, self.lang, self.zone)
        self[key] = value
        return value


def _display(key: str, reason: Reason, lang: str, zone: ZoneInfo) -> str:
    args, i, family = reason.args, _i(lang), reason.code.split(".")[0]
    special: dict[str, Callable[[], str]] = {
        "at_it": lambda: f" il {_date(args.get('at'), lang, zone)}" if args.get("at") else "",
        "at_en": lambda: f" on {_date(args.get('at'), lang, zone)}" if args.get("at") else "",
        "raw_it": lambda: f" (dice: «{args['raw']}»)" if args.get("raw") else "",
        "raw_en": lambda: f" (it says: '{args['raw']}')" if args.get("raw") else "",
        "status_text": lambda: _status_text(args, lang, zone),
        "range": lambda: _range(args, lang),
        "which_it": lambda: "che non comprende" if _single(args) else "nessuno dei quali comprende",
        "which_en": lambda: "which does not contain" if _single(args) else "none of which contains",
    }
    if key in special:
        return special[key]()
    value = args.get(key)
    if key == "where":
        return WHERE.get(str(value), (str(value), str(value)))[i]
    if key in ("deadline", "opens", "at"):
        return _date(value, lang, zone)
    if key in ("want_min", "want_max", "total", "high", "low"):
        return _money(value, lang)
    if key in ("rate", "own", "max") and family == "cofinancing":
        return f"{round(float(value) * 100)}%" if value is not None else "—"
    if key == "status":
        return STATUS.get(str(value), (str(value), str(value)))[i]
    if key == "allowed":
        return ", ".join(STATUS.get(str(v), (str(v), str(v)))[i] for v in value or ())
    if family == "territory" and key in ("call", "org"):
        codes = value if isinstance(value, list) else [value]
        return _join([_territory(str(c), lang) for c in codes], lang)
    if family == "audience" and key in ("audience", "audiences", "org"):
        codes = value if isinstance(value, list) else [value]
        return _join([audience_label(str(c), lang) for c in codes], lang)
    if key == "fund":
        return fund_label(str(value), lang)
    if key == "terms":
        quote = "«{}»" if i == 0 else "'{}'"
        return _join([quote.format(t) for t in value or ()], lang)
    return "" if value is None else str(value)


def _single(args: Mapping[str, Any]) -> bool:
    value = args.get("call")
    return not isinstance(value, list) or len(value) <= 1


def _status_text(args: Mapping[str, Any], lang: str, zone: ZoneInfo) -> str:
    i = _i(lang)
    status, deadline, opens = args.get("status"), args.get("deadline"), args.get("opens")
    if status == "forthcoming":
        text = ("in apertura", "forthcoming")[i]
        if opens:
            text += (" dal {}", ", opens {}")[i].format(_date(opens, lang, zone))
    elif status == "open":
        text = ("aperto", "open")[i]
        if deadline:
            text += (", scadenza {}", ", deadline {}")[i].format(_date(deadline, lang, zone))
        else:
            text += (", a sportello", ", rolling")[i]
    else:
        text = STATUS.get(str(status), (str(status), str(status)))[i]
        if deadline:
            text += (", scaduto il {}", ", closed on {}")[i].format(_date(deadline, lang, zone))
    return text


def _range(args: Mapping[str, Any], lang: str) -> str:
    low, high = args.get("low"), args.get("high")
    if low is not None and high is not None:
        return f"{_money(low, lang)} – {_money(high, lang)}"
    if high is not None:
        return ("fino a {}", "up to {}")[_i(lang)].format(_money(high, lang))
    return ("da {}", "from {}")[_i(lang)].format(_money(low, lang))


def _date(value: object, lang: str, zone: ZoneInfo) -> str:
    if not value:
        return "—"
    moment = datetime.fromisoformat(str(value))
    return format_datetime(moment, "d MMM y, HH:mm", tzinfo=zone, locale=lang[:2])


def _money(value: object, lang: str) -> str:
    if value is None:
        return "—"
    amount = format_decimal(float(str(value)), format="#,##0", locale=lang[:2])
    return f"€ {amount}" if lang.startswith("it") else f"€{amount}"


def _territory(code: str, lang: str) -> str:
    if code == "EU":
        return ("l'Unione europea", "the European Union")[_i(lang)]
    if code == "IT":
        return ("l'Italia", "Italy")[_i(lang)]
    info = lookup(code)
    if info is not None:
        return f"{info.label} ({info.code})"
    country = _country(code[:2], lang)
    if country is None:
        return code
    return f"{country} ({code})" if len(code) == 2 else f"{code} ({country})"


def _country(code: str, lang: str) -> str | None:
    """The name of the member state of a NUTS code outside Italy (``BE`` -> Belgium; NUTS
    writes Greece ``EL``, ISO ``GR``), else None."""
    if code.upper() not in EU_MEMBERS:
        return None
    iso = {"EL": "GR"}.get(code.upper(), code.upper())
    name = Locale.parse(lang[:2]).territories.get(iso)
    return str(name) if name else None


def _join(items: Sequence[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" e ", " and ")[_i(lang)] + items[-1]


def _criterion(name: str, lang: str) -> str:
    return CRITERIA.get(name, (name, name))[_i(lang)]


def _outcome_note(verdict: Verdict, outcome: Outcome, lang: str) -> str:
    if outcome.result is not Result.UNKNOWN:
        return ""
    if outcome.criterion in verdict.excluded_by:
        return (
            " — esclusa (profilo rigoroso sui dati mancanti)",
            " — excluded (the profile is strict about missing facts)",
        )[_i(lang)]
    return (" — ammessa, da verificare", " — let through, to be checked")[_i(lang)]


def explain_lines(verdict: Verdict, lang: str = "it", zone: ZoneInfo = ROME) -> list[str]:
    """The whole trace: a verdict line, then one line per reason of every criterion."""
    i = _i(lang)
    if verdict.matched:
        head = ("PERTINENTE, punteggio {}", "MATCHED, score {}")[i].format(verdict.score)
    else:
        head = ("NON PERTINENTE: {}", "NOT MATCHED: {}")[i].format(
            ", ".join(_criterion(c, lang) for c in verdict.excluded_by)
        )
    if verdict.flags:
        head += (" (da verificare: {})", " (to check: {})")[i].format(
            ", ".join(_criterion(c, lang) for c in verdict.flags)
        )
    lines = [head]
    for outcome in verdict.outcomes:
        lines.extend(outcome_lines(verdict, outcome, lang, zone))
    return lines


def outcome_lines(
    verdict: Verdict, outcome: Outcome, lang: str = "it", zone: ZoneInfo = ROME
) -> list[str]:
    """One criterion of a trace: ``  ✓ territorio: …`` and its further reasons below."""
    lead = f"  {_MARK[outcome.result]} {_criterion(outcome.criterion, lang)}: "
    texts = [reason_text(r, lang, zone) for r in outcome.reasons]
    if not texts:
        return []
    lines = [lead + texts[0] + _outcome_note(verdict, outcome, lang)]
    lines.extend(" " * len(lead) + text for text in texts[1:])
    return lines


def verdict_to_json(verdict: Verdict, lang: str = "it", zone: ZoneInfo = ROME) -> dict[str, Any]:
    """The verdict as data, every reason with its code, arguments and text."""
    return {
        "profile": verdict.profile_id,
        "call": verdict.call_ref,
        "matched": verdict.matched,
        "score": verdict.score,
        "excluded_by": list(verdict.excluded_by),
        "flags": list(verdict.flags),
        "outcomes": [
            {
                "criterion": o.criterion,
                "result": o.result.value,
                "points": o.points,
                "reasons": [
                    {"code": r.code, "args": dict(r.args), "text": reason_text(r, lang, zone)}
                    for r in o.reasons
                ],
            }
            for o in verdict.outcomes
        ],
    }


def short_reasons(
    verdict: Verdict, lang: str = "it", zone: ZoneInfo = ROME, limit: int = 3
) -> list[str]:
    """The few reasons a digest shows beside a matched call: interest hits first, then the
    territory, then what is still to be checked."""
    picked: list[Reason] = []
    interest = verdict.outcome("interest")
    if interest is not None and interest.result is Result.PASS:
        picked.extend(r for r in interest.reasons if r.code != "interest.unrestricted")
    territory = verdict.outcome("territory")
    if territory is not None and territory.result is Result.PASS:
        picked.extend(territory.reasons)
    texts = [reason_text(r, lang, zone) for r in picked[:limit]]
    if verdict.flags:
        texts.append(
            ("da verificare: {}", "to check: {}")[_i(lang)].format(
                ", ".join(_criterion(c, lang) for c in verdict.flags)
            )
        )
    return texts
