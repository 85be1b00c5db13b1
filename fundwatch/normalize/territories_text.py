"""Territories named in free text: `territories_from_text` reads "Regione Piemonte", "Comuni di
Alba e Bra (CN)" or "tutto il territorio nazionale" as territory codes. Re-exported by
`fundwatch.normalize.territories`, which documents the codes and the hierarchy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple, TypeVar

from fundwatch.data.italy import fold_name, fold_with_offsets, italy
from fundwatch.models import Territory

__all__ = ["PROVINCE_MARKER", "place_name_at", "territories_from_text"]

_T = TypeVar("_T")

# Country and EU scope. Prose mentions "nazionale", "Italia" or "Unione europea" all the time
# ("normativa nazionale", "Regolamento dell'Unione europea") without meaning that the call is
# open everywhere, and a wrong IT or EU would make a regional call match the whole country: so
# the bare words count only as a whole list item ("Nazionale", "Italia"), and only explicit
# phrases count inside prose.
_NATIONWIDE = re.compile(
    r"\b(?:tutte le regioni(?: italiane)?"
    r"|(?:tutto|intero) (?:il )?territorio (?:nazionale|italiano)|sul territorio nazionale"
    r"|in tutta italia|all italian regions|whole of italy|throughout italy)\b"
)
_NATIONWIDE_ITEM = frozenset(
    (
        "nazionale",
        "italia",
        "italy",
        "national",
        "ambito nazionale",
        "livello nazionale",
        "territorio nazionale",
        "tutta italia",
        "tutto il territorio nazionale",
        "it",
    )
)
_EUROPE = re.compile(
    r"\b(?:tutti gli stati membri(?: dell ue| dell unione europea| ue)?"
    r"|stati membri dell (?:ue|unione europea)|all (?:eu )?member states|any eu member state"
    r"|eu member states|all eu countries|tutti i paesi ue)\b"
)
_EUROPE_ITEM = frozenset(
    (
        "unione europea",
        "european union",
        "eu",
        "ue",
        "europa",
        "europe",
        "stati membri",
        "member states",
        "eu 27",
        "ue 27",
        "eu27",
        "ue27",
        "paesi ue",
        "eu countries",
    )
)
_ITEM_SPLIT = re.compile(r"[;,\n|/•·]+")
_SOUTH = re.compile(r"\b(?:mezzogiorno|regioni del sud|sud italia|italia meridionale)\b")
# What stands before a province's own name (folded); `province_by_name` strips it too.
PROVINCE_MARKER = re.compile(
    r"^(?:provincia autonoma di|provincia autonoma|provincia di|provincia del|provincia della"
    r"|provincia dell|provincia|citta metropolitana di|citta metropolitana|libero consorzio"
    r"(?: comunale)? di|area metropolitana di)\s+"
)
_PROVINCE_CUE = re.compile(
    r"\b(?:province autonome di|provincia autonoma di|provincia di|provincia del|provincia della"
    r"|provincia dell|province di|citta metropolitana di|citta metropolitane di"
    r"|libero consorzio comunale di|libero consorzio di)\s+"
)
_MUNICIPALITY_CUE = re.compile(r"\b(?:comune di|comuni di|citta di|municipality of)\s+")
_LIST_GLUE = re.compile(r"^(?:e|ed|o|and)\s+")
_MAX_NAME_WORDS = 7
_REGION_COUNT = 20


def territories_from_text(text: str) -> tuple[Territory, ...]:
    """Territories named in free text or a taxonomy value, in order of appearance.

    - "Tutte le regioni", "intero territorio nazionale", and "Nazionale" or "Italia" as a
      whole list item, give ``IT``; "tutti gli Stati membri", and "Unione europea" or "EU" as
      a whole item, give ``EU`` (see `_NATIONWIDE` for why the bare words are not enough);
      "Mezzogiorno" gives the NUTS1 areas ``ITF`` and ``ITG``;
    - region names and adjectives anywhere ("Regione Piemonte" -> ``ITC1``, "Lombardia" ->
      ``ITC4``, "territorio lucano" -> ``ITF5``); all 20 regions listed give ``IT``;
      "Marche" only capitalised or after "Regione" (it is also a common noun);
    - provinces after a cue ("Provincia di Cuneo", "Città metropolitana di Torino");
    - municipalities after a cue ("Comune di Torino", "Comuni di Alba, Bra e Asti"); a name
      several municipalities share is resolved by a province in the same text, else dropped;
    - a province in parentheses after municipalities ("Comuni di Policoro, Pisticci e Nova
      Siri (MATERA)", "Comune di Samone (TO)") is their province: it picks among homonyms and
      drops a name that is not in it, and is no territory of its own (the call is about those
      municipalities, not the whole province, and "Matera" there is not the city).

    Bare "Torino" is read as nothing: without a cue it may be the city or the province.
    A region name inside a company name ("Aria Lombardia Spa", "… Toscana S.r.l.") is read as
    nothing either: the company's name says nothing of where the call applies.
    """
    if not text or not text.strip():
        return ()
    idx = italy()
    folded, offsets = fold_with_offsets(text)  # the same string as fold_name(text)
    parens = _paren_starts(text, folded, offsets)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    for m in _EUROPE.finditer(folded):
        found.append((m.start(), "EU"))
    for m in _NATIONWIDE.finditer(folded):
        found.append((m.start(), "IT"))
    for pos, item in _items(text):
        if item in _EUROPE_ITEM:
            found.append((pos, "EU"))
        elif item in _NATIONWIDE_ITEM:
            found.append((pos, "IT"))
    for m in _SOUTH.finditer(folded):
        found.extend(((m.start(), "ITF"), (m.start(), "ITG")))

    provinces_here: list[str] = []
    for m in _PROVINCE_CUE.finditer(folded):
        for start, end, code in _names_after(folded, m.end(), idx.provinces, parens):
            found.append((start, code))
            taken.append((m.start(), end))
            provinces_here.append(code)
    for m in _MUNICIPALITY_CUE.finditer(folded):
        if any(s <= m.start() < e for s, e in taken):
            continue
        names, qualifiers = _municipalities_after(text, folded, offsets, m.end(), parens)
        for start, end, codes, province in names:
            if province is None:
                picked = _pick(codes, provinces_here, folded)
            else:
                inside = [c for c in codes if idx.units[c].parent == province]
                picked = inside[0] if len(inside) == 1 else None
            if picked is not None:
                found.append((start, picked))
                taken.append((m.start(), end))
        taken.extend(qualifiers)
        # "Comune di Policoro (Provincia di Matera)": the province cue read it already
        found = [(p, c) for p, c in found if not any(s <= p < e for s, e in qualifiers)]
    for start, end, code in _region_hits(text, folded):
        if any(s <= start < e for s, e in taken):
            continue
        if not _company_name(text, offsets[start], offsets[end - 1] + 1):
            found.append((start, code))

    seen: dict[str, None] = {}
    for _, code in sorted(found, key=lambda item: item[0]):
        seen.setdefault(code, None)
    regions = [c for c in seen if idx.units[c].level == "region"]
    if len(regions) == _REGION_COUNT:  # every region listed one by one: the whole country
        first = min(pos for pos, code in found if code in regions)
        rest = [(pos, c) for pos, c in found if c not in regions] + [(first, "IT")]
        seen = dict.fromkeys(c for _, c in sorted(rest, key=lambda item: item[0]))
    return tuple(idx.units[code].as_territory() for code in seen)


def place_name_at(folded: str, pos: int) -> bool:
    """True when the name of a known municipality or province starts at `pos` of folded text
    (see `fold_name`): ``place_name_at("comuni di policoro e pisticci", 10)``."""
    idx = italy()
    return bool(_names_after(folded, pos, idx.municipalities)) or bool(
        _names_after(folded, pos, idx.provinces)
    )


def _items(text: str) -> Iterable[tuple[int, str]]:
    """The folded items of a list ("Italia; Francia", "Nazionale"), each with a position that
    orders it among the other findings."""
    pos = 0
    for part in _ITEM_SPLIT.split(text):
        folded = fold_name(part)
        if folded:
            yield len(fold_name(text[:pos])), folded
        pos += len(part) + 1


def _paren_starts(text: str, folded: str, offsets: list[int]) -> frozenset[int]:
    """Positions in `folded` of the words that open a parenthesis in `text` ("(MATERA)")."""
    out: set[int] = set()
    for i, ch in enumerate(folded):
        if ch != " " and (i == 0 or folded[i - 1] == " "):
            low = offsets[i - 1] + 1 if i else 0
            if "(" in text[low : offsets[i]]:
                out.add(i)
    return frozenset(out)


def _names_after(
    folded: str, pos: int, names: dict[str, _T], parens: frozenset[int] = frozenset()
) -> list[tuple[int, int, _T]]:
    """Known names starting at `pos`, then after each ``,`` / ``e`` of a list that follows;
    a parenthesis (a word in `parens`) ends the list."""
    out: list[tuple[int, int, _T]] = []
    while pos < len(folded):
        if out and pos in parens:
            break
        words = folded[pos:].split(" ")[:_MAX_NAME_WORDS]
        for n in range(len(words), 0, -1):
            candidate = " ".join(words[:n])
            if candidate in names:
                end = pos + len(candidate)
                out.append((pos, end, names[candidate]))
                break
        else:
            break
        rest = folded[end:].lstrip()
        glue = _LIST_GLUE.match(rest)
        # fold_name turned list commas into spaces: a further known name may follow directly
        if glue:
            rest = rest[glue.end() :]
        pos = len(folded) - len(rest)
        if pos <= end:
            break
    return out


class _Named(NamedTuple):
    start: int
    end: int
    codes: list[str]
    province: str | None  # the province in parentheses after the name or its list


def _municipalities_after(
    text: str, folded: str, offsets: list[int], pos: int, parens: frozenset[int]
) -> tuple[list[_Named], list[tuple[int, int]]]:
    """The municipality names of a list after a cue, each with the province in parentheses
    that follows its group ("Policoro, Pisticci e Nova Siri (MATERA)", "Alba (CN), Bra (CN) e
    Asti (AT)"), plus the spans of those parentheses. After a parenthesis the list goes on
    only past an explicit comma or "e"."""
    out: list[_Named] = []
    spans: list[tuple[int, int]] = []
    while True:
        group = _names_after(folded, pos, italy().municipalities, parens)
        if not group:
            break
        qualifier = _province_in_parens(text, folded, offsets, group[-1][1], parens)
        if qualifier is None:
            out.extend(_Named(start, end, codes, None) for start, end, codes in group)
            break
        province, q_start, q_end = qualifier
        out.extend(_Named(start, end, codes, province) for start, end, codes in group)
        spans.append((q_start, q_end))
        after = text[offsets[q_end - 1] + 1 :]
        glue = re.match(r"\s*\)\s*(?:,|;|\be\b|\bed\b)\s*", after, flags=re.I)
        if glue is None:
            break
        rest = _LIST_GLUE.sub("", folded[q_end:].lstrip(), count=1)
        pos = len(folded) - len(rest)
    return out, spans


def _province_in_parens(
    text: str, folded: str, offsets: list[int], end: int, parens: frozenset[int]
) -> tuple[str, int, int] | None:
    """The province named alone in the parenthesis right after `end` ("(MATERA)", "(TO)",
    "(Provincia di Matera)"): its code and the span of the name, else None."""
    pos = end + 1
    if pos not in parens:
        return None
    idx = italy()
    words = folded[pos:].split(" ")
    marker = PROVINCE_MARKER.match(folded[pos:])
    skip = len(marker.group(0)) if marker else 0
    found: tuple[str, int] | None = None
    plate = text[offsets[pos] : offsets[pos] + 2]
    if len(words[0]) == 2 and plate.isupper() and not skip:  # a car-plate abbreviation
        code = idx.codes.get(f"IT-{words[0].upper()}")
        if code is not None and idx.units[code].level == "province":
            found = (code, pos + 2)
    if found is None:
        hits = _names_after(folded, pos + skip, idx.provinces)
        if hits:
            found = (hits[0][2], hits[0][1])
    if found is None:
        return None
    code, q_end = found
    closing = text[offsets[q_end - 1] + 1 :].lstrip()
    return (code, pos, q_end) if closing.startswith(")") else None


def _company_name(text: str, start: int, end: int) -> bool:
    """True when the region name at `text[start:end]` is part of a company's name: a legal form
    right after it ("Aria Lombardia Spa", "… Toscana S.r.l.", not "Lombardia, S.p.A.") or
    "Aria" right before it (Lombardy's purchasing company, whose Sintel platform other regions
    use too; capitalised, so that the air of "qualità dell'aria" is not read as it)."""
    return bool(_LEGAL_FORM.match(text, end) or _ARIA.search(text, 0, start))


_LEGAL_FORM = re.compile(
    r"\s+(?:s\.?\s?p\.?\s?a|s\.?\s?r\.?\s?l|s\.?\s?c\.?\s?a\.?\s?r\.?\s?l|s\.?\s?c\.?\s?r\.?\s?l"
    r"|s\.?\s?c\.?\s?p\.?\s?a|societ[aà]\s+(?:per\s+azioni|consortile))\b",
    re.IGNORECASE,
)
_ARIA = re.compile(r"\b(?:Aria|ARIA)\s+$")


def _pick(codes: list[str], provinces: list[str], folded: str) -> str | None:
    if len(codes) == 1:
        return codes[0]
    units = italy().units
    inside = [c for c in codes if units[c].parent in provinces]
    if len(inside) == 1:
        return inside[0]
    near = [c for c in codes if units[units[c].parent or ""].abbrev.lower() in folded.split()]
    return near[0] if len(near) == 1 else None


@cache
def _free_pattern() -> re.Pattern[str]:
    names = sorted((n for n in italy().free_text if n != "marche"), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")


def _region_hits(text: str, folded: str) -> Iterable[tuple[int, int, str]]:
    """Regions (by name, other-language name or adjective: "territorio lucano") and the two
    autonomous provinces' common names ("Alto Adige", "Trentino") anywhere in the text."""
    free = italy().free_text
    for m in _free_pattern().finditer(folded):
        yield m.start(), m.end(), free[m.group(0)]
    if re.search(r"\bMarche\b", text) or folded == "marche":
        for m2 in re.finditer(r"\bmarche\b", folded):
            yield m2.start(), m2.end(), free["marche"]
    else:
        for m3 in re.finditer(r"\b(?:regione|region) marche\b", folded):
            yield m3.start(), m3.end(), free["marche"]
