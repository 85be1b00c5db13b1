"""Euro amounts as Italian and EU sources write them.

``3.200.000,00``, ``€. 213.774,00 o.f.e.``, ``€ 1.500.000,00``, ``1,5 milioni``,
``2 mln``, ``EUR 500000``, ``1 500 000``, ``EUR 2,000,000``, ``12000000`` and JSON numbers.

In prose the amount is the first number written next to a currency word or sign (``PR FESR
2021-2027, dotazione € 1.000.000`` gives one million, not 2021); without any, the first number
that is not a percentage.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# space-grouped thousands ("1 500 000") only in groups of three, so that "2021-2027 550.000"
# stays two numbers
_NUMBER = re.compile(
    r"(?<!\d)\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?(?!\d)|\d[\d.,']*\d|\d"
)
_PERCENT = re.compile(r"^\s*(?:%|per ?cento|percent)", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(?:€|\beur|\beuro)\.?\s*$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"^\s*(?:(?:milioni|milione|mln|mio|million|millions|mld|miliardi|miliardo|billion|mila|k)"
    r"\.?\s*(?:di\s+)?)?(?:€|eur\b|euro\b)",
    re.IGNORECASE,
)
_SCALE = re.compile(
    r"^\s*(milioni|milione|mln|mio|million|millions|mld|miliardi|miliardo|billion|mila|k)\b",
    re.IGNORECASE,
)
_SCALES = {
    "milioni": 10**6,
    "milione": 10**6,
    "mln": 10**6,
    "mio": 10**6,
    "million": 10**6,
    "millions": 10**6,
    "mld": 10**9,
    "miliardi": 10**9,
    "miliardo": 10**9,
    "billion": 10**9,
    "mila": 10**3,
    "k": 10**3,
}


def parse_eur(value: str | int | float | Decimal | None) -> Decimal | None:
    """The first amount in `value`, in euro; None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    m = _pick_number(value)
    if not m:
        return None
    amount = _to_decimal(m.group(0).strip(), scaled=bool(_SCALE.match(value[m.end() :])))
    if amount is None:
        return None
    scale = _SCALE.match(value[m.end() :])
    if scale:
        amount *= _SCALES[scale.group(1).lower()]
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount.normalize()


def _pick_number(value: str) -> re.Match[str] | None:
    """The number next to a currency sign or word, else the first that is not a percentage."""
    candidates = [m for m in _NUMBER.finditer(value) if not _PERCENT.match(value[m.end() :])]
    for m in candidates:
        if _CURRENCY_BEFORE.search(value[max(0, m.start() - 8) : m.start()]) or (
            _CURRENCY_AFTER.match(value[m.end() :])
        ):
            return m
    return candidates[0] if candidates else None


def _to_decimal(raw: str, *, scaled: bool = False) -> Decimal | None:
    raw = raw.replace("'", "").replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    if " " in raw:
        raw = raw.replace(" ", "")
    if "," in raw and "." in raw:
        # whichever comes last is the decimal separator
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    elif "," in raw:
        # one comma is the Italian decimal separator ("12,50", "1,5 milioni"), except before
        # exactly three digits and no scale word ("EUR 1,000" in English); several are thousands
        head, _, tail = raw.rpartition(",")
        thousands = raw.count(",") > 1 or (len(tail) == 3 and head != "0" and not scaled)
        raw = raw.replace(",", "") if thousands else raw.replace(",", ".")
    elif "." in raw:
        parts = raw.split(".")
        if len(parts) > 2 and len(parts[-1]) in (1, 2):
            # "1.500.000.00": thousands dots and a decimal dot
            raw = "".join(parts[:-1]) + "." + parts[-1]
        elif len(parts) > 2 or len(parts[-1]) == 3:
            raw = raw.replace(".", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None
