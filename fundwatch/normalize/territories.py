"""Italian territories: the hierarchy EU ⊃ IT ⊃ NUTS1 area ⊃ region ⊃ province ⊃ municipality.

Data: ``fundwatch/data/it_regions.csv`` (20 regions, curated aliases) and ``it_provinces.csv`` /
``it_municipalities.csv``, extracted from ISTAT's "Elenco comuni italiani" (see
``fundwatch/data/PROVENANCE.md`` for the version, the licence and how to rebuild), loaded by
`fundwatch.data.italy` on first use and cached.

Codes accepted everywhere (`lookup`, `contains`, `ancestors`):

- ``EU``; ``IT``; NUTS codes ``ITC`` (NUTS1), ``ITC1`` (NUTS2 = region), ``ITC11`` (NUTS3 =
  province). Italy's NUTS 2021 and NUTS 2024 region and province codes are identical, so either
  version works; ``ITH1`` / ``ITH2`` (NUTS2 Bolzano / Trento) name the two autonomous provinces.
- ISTAT codes: region ``01``..``20``, province ``001``..``111`` (historic) or ``201``..``292``
  (the code of the metropolitan city / "unità territoriale sovracomunale"), municipality
  ``001272`` (leading zeros optional: ``1272``). Cadastral codes (``L219``) and ISO 3166-2 codes
  (``IT-21``, ``IT-TO``) name municipalities, regions and provinces too.
- Codes of other EU countries (``BE``, ``BE10``, ``FR101``) are known only by shape: a NUTS code is
  contained in its prefixes and in ``EU``.

Canonical codes (`TerritoryInfo.code`): NUTS where NUTS has a unit (``ITC1``, ``ITC11``), ISTAT
for municipalities (``001272``) and for Trentino-Alto Adige (``04``), which NUTS splits into its
two provinces. Membership follows the administrative boundaries of the shipped ISTAT list
(Montecopiolo and Sassofeltrio belong to Rimini, ``ITH59``, as in NUTS 2024; NUTS 2021 still
counted them in Pesaro e Urbino).

Names in free text (`territories_from_text`, `place_name_at`) are read by
`fundwatch.normalize.territories_text`; both are re-exported here.
"""

from __future__ import annotations

import re
from functools import cache

from fundwatch.data.italy import EU_MEMBERS, TerritoryInfo, fold_name, fold_with_offsets, italy
from fundwatch.normalize.territories_text import (
    PROVINCE_MARKER,
    place_name_at,
    territories_from_text,
)

__all__ = [
    "TerritoryInfo",
    "ancestors",
    "children",
    "contains",
    "fold_name",
    "fold_with_offsets",
    "lookup",
    "municipality_by_name",
    "place_name_at",
    "province_by_name",
    "region_by_name",
    "territories_from_text",
]

_NUTS_SHAPE = re.compile(r"^([A-Z]{2})([0-9A-Z]{0,3})$")


def _resolve(code: str) -> str | None:
    """The canonical code of a known Italian unit, or None."""
    raw = code.strip().upper()
    if not raw:
        return None
    idx = italy()
    if raw.isdigit():
        if len(raw) == 1:
            raw = raw.zfill(2)
        elif 4 <= len(raw) <= 5:
            raw = raw.zfill(6)
    return idx.codes.get(raw)


def lookup(code: str) -> TerritoryInfo | None:
    """The unit a code names (any accepted scheme, see the module docstring), else None."""
    canonical = _resolve(code)
    return italy().units[canonical] if canonical else None


def ancestors(code: str) -> list[str]:
    """Canonical codes of the units containing `code`, nearest first, ending with ``EU``.

    ``ancestors("001272") == ["ITC11", "ITC1", "ITC", "IT", "EU"]``. A NUTS code of another EU
    country gives its prefixes (``BE10`` -> ``["BE1", "BE", "EU"]``); an unknown code gives ``[]``.
    """
    return list(_ancestors(code))


@cache
def _ancestors(code: str) -> tuple[str, ...]:
    canonical = _resolve(code)
    if canonical is None:
        return _foreign_ancestors(code.strip().upper())
    units = italy().units
    out: list[str] = []
    parent = units[canonical].parent
    while parent is not None:
        out.append(parent)
        parent = units[parent].parent
    return tuple(out)


def _foreign_ancestors(code: str) -> tuple[str, ...]:
    m = _NUTS_SHAPE.match(code)
    if not m or m[1] not in EU_MEMBERS or m[1] == "IT":
        return ()
    return (*(code[:n] for n in range(len(code) - 1, 1, -1)), "EU")


def contains(outer_code: str, inner_code: str) -> bool:
    """True when the unit `outer_code` names covers the unit `inner_code` names (a unit covers
    itself). ``contains("ITC1", "001272")`` (Piemonte covers Torino), ``contains("EU", "ITC4")``;
    not ``contains("ITC4", "001272")``. Unknown codes are contained in nothing."""
    outer = _resolve(outer_code) or outer_code.strip().upper()
    inner = _resolve(inner_code) or inner_code.strip().upper()
    if not outer or not inner:
        return False
    if outer == inner:
        return lookup(inner) is not None or bool(_foreign_ancestors(inner)) or inner == "EU"
    return outer in _ancestors(inner)


def children(code: str) -> tuple[TerritoryInfo, ...]:
    """The units directly below `code` (regions of an area, municipalities of a province…)."""
    canonical = _resolve(code)
    if canonical is None:
        return ()
    idx = italy()
    return tuple(idx.units[c] for c in idx.kids.get(canonical, ()))


def region_by_name(name: str) -> TerritoryInfo | None:
    """A region by its Italian, other-language or English name, with or without "Regione"
    (``"Regione Piemonte"``, ``"Emilia Romagna"``, ``"Vallée d'Aoste"``, ``"Lombardy"``)."""
    folded = re.sub(r"^(?:regione|region|la regione)\s+", "", fold_name(name))
    code = italy().regions.get(folded)
    return italy().units[code] if code else None


def province_by_name(name: str) -> TerritoryInfo | None:
    """A province, metropolitan city or free consortium by name or car-plate abbreviation
    (``"Torino"``, ``"Città metropolitana di Torino"``, ``"Reggio Emilia"``, ``"TO"``)."""
    idx = italy()
    stripped = name.strip()
    if re.fullmatch(r"[A-Z]{2}", stripped):
        code = idx.codes.get(f"IT-{stripped}")
        return idx.units[code] if code else None
    folded = PROVINCE_MARKER.sub("", fold_name(name))
    code = idx.provinces.get(folded)
    return idx.units[code] if code else None


def municipality_by_name(name: str, province: str | None = None) -> TerritoryInfo | None:
    """A municipality by name (``"Torino"``, ``"Comune di Bolzano"``, ``"Bozen"``).

    A name several municipalities share (``Samone``: TO and TN) needs `province` (any code,
    name or abbreviation of the province, or of the region); without it the answer is None.
    """
    idx = italy()
    folded = re.sub(r"^(?:comune|citta|municipality|city)\s+(?:di|of)\s+", "", fold_name(name))
    found = idx.municipalities.get(folded, [])
    if province is not None and len(found) > 1:
        scope = lookup(province) or province_by_name(province) or region_by_name(province)
        if scope is None:
            return None
        found = [c for c in found if contains(scope.code, c)]
    return idx.units[found[0]] if len(found) == 1 else None
