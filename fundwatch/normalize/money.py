"""Euro amounts as Italian and EU sources write them.

``3.200.000,00``, ``€. 213.774,00 o.f.e.``, ``€ 1.500.000,00``, ``1,5 milioni``,
``2 mln``, ``EUR 500000``, ``1 500 000``, ``12000000`` and JSON numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"\d[\d.,' \u00a0]*\d|\d")
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
    m = _NUMBER.search(value)
    if not m:
        return None
    amount = _to_decimal(m.group(0).strip())
    if amount is None:
        return None
    scale = _SCALE.match(value[m.end() :])
    if scale:
        amount *= _SCALES[scale.group(1).lower()]
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount.normalize()


def _to_decimal(raw: str) -> Decimal | None:
    raw = raw.replace("'", "").replace("\u00a0", " ")
    if " " in raw:
        raw = raw.replace(" ", "")
    if "," in raw and "." in raw:
        # whichever comes last is the decimal separator
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    elif "," in raw:
        # one comma is the Italian decimal separator; several are English thousands
        raw = raw.replace(",", ".") if raw.count(",") == 1 else raw.replace(",", "")
    elif "." in raw:
        parts = raw.split(".")
        if len(parts) > 2 or len(parts[-1]) == 3:
            raw = raw.replace(".", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None
