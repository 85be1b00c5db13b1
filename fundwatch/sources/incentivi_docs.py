"""incentivi.gov.it Solr documents to calls: three field vocabularies, dates, rolling calls.

Vocabularies (all three are read; a document may use any):

- the index's own names: ``zs_*`` single strings, ``zm_*`` lists of the same field (``zs_``
  then holds only the first value), ``ds_last_update``, ``id`` = ``<hash>-incentivi-entity:
  node/<nid>:<lang>``, ``zs_url`` = the catalogue page path;
- the open-data aliases a request gets with ``fl=Alias:zs_field`` (``ID_Incentivo``,
  ``Titolo``, ``Data_apertura``, ``Regioni``…), see `ALIASES`; they carry no page path;
- (the wrapper made by a recording project is a payload shape, see `incentivi`).

Dates: ``2019-12-31T23:00:00`` is local midnight stored as UTC, ``2023-03-10T00:00:00`` is
the day itself: both are whole days (the opening at the start, the close at the end of the day,
Europe/Rome). The closing note (``zs_field_close_date_descriptor``) often gives the hour
("fino alle ore 12.00 del 23/06/2026"): it is used when it names the same day, and its
"fino a esaurimento delle risorse" marks a rolling call. A close date of 2030-12-31 is the
catalogue's placeholder for "a sportello": rolling, no deadline.

Several measures share one official link (a ministry page covering several windows): the link
is a document of the call, never its identity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fundwatch.models import Audience, Budget, Call, Deadline, Document, Territory
from fundwatch.normalize import ROME, clean_text, one_line, parse_datetime, parse_eur
from fundwatch.normalize.audiences import audiences_from_text
from fundwatch.normalize.cues import find_deadline, find_opening
from fundwatch.normalize.funds import funds_from_text
from fundwatch.normalize.territories import territories_from_text

__all__ = ["ALIASES", "ROLLING_CLOSE", "SITE", "docs_to_calls", "values_of"]

SITE = "https://www.incentivi.gov.it"
_UTC = ZoneInfo("UTC")
ROLLING_CLOSE = date(2030, 12, 31)

ALIASES: dict[str, str] = {
    "zs_nid": "ID_Incentivo",
    "zs_title": "Titolo",
    "zs_body": "Descrizione",
    "zm_field_scopes_value": "Obiettivo_Finalita",
    "zs_field_open_date": "Data_apertura",
    "zs_field_close_date": "Data_chiusura",
    "zs_field_close_date_descriptor": "Note_di_apertura_chiusura",
    "zm_field_dimensions_value": "Dimensioni",
    "zm_field_subject_type_value": "Tipologia_Soggetto",
    "zm_field_support_form_value": "Forma_agevolazione",
    "zm_field_granted_costs_value": "Costi_Ammessi",
    "zs_field_cost_min": "Spesa_Ammessa_min",
    "zs_field_cost_max": "Spesa_Ammessa_max",
    "zs_field_support_grant_type_min": "Agevolazione_Concedibile_min",
    "zs_field_support_grant_type_max": "Agevolazione_Concedibile_max",
    "zm_field_activity_sector_value": "Settore_Attivita",
    "zs_field_ateco": "Codici_ATECO",
    "zm_field_regions_value": "Regioni",
    "zs_field_comuni": "Comuni",
    "zm_field_special_territory_value": "Ambito_territoriale",
    "zs_field_subject_grant": "Soggetto_Concedente",
    "zs_field_primary_ruleset": "Base_normativa_primaria",
    "zs_field_secondary_ruleset": "Base_normativa_secondaria",
    "zs_field_implementation_ruleset": "Provvedimento_attuativo",
    "zs_field_official_references": "Gazzetta_ufficiale",
    "zs_field_budget_allocation": "Stanziamento_incentivo",
    "zs_field_link": "Link_istituzionale",
    "ds_last_update": "Data_ultimo_aggiornamento",
}
"""Index field -> open-data alias (as published with the catalogue's open data)."""

_NODE_ID = re.compile(r"entity:node/(\d+)(?::(\w+))?")
_WHOLE_REGIONS = 20
_SIZES = frozenset({"micro_impresa", "piccola_impresa", "media_impresa", "grande_impresa"})
_EXTRA = {
    "ds_last_update": "last_update",
    "zs_field_close_date_descriptor": "close_note",
    "zs_field_ateco": "ateco",
    "zs_field_primary_ruleset": "primary_ruleset",
    "zs_field_secondary_ruleset": "secondary_ruleset",
    "zs_field_implementation_ruleset": "implementing_act",
    "zs_field_official_references": "official_journal",
    "zs_field_cost_min": "eligible_cost_min_eur",
    "zs_field_cost_max": "eligible_cost_max_eur",
    "zm_field_granted_costs_value": "eligible_costs",
    "zs_field_comuni": "municipalities",
    "zm_field_special_territory_value": "special_areas",
    "zs_field_link": "official_url",
}


def values_of(doc: Mapping[str, Any], name: str) -> list[str]:
    """The values of index field `name` in `doc`, whichever vocabulary it uses: the ``zm_``
    list, its alias, or the single ``zs_`` value; clean, without empties and repeats."""
    keys = [name, ALIASES.get(name, "")]
    if name.startswith("zm_"):
        keys += ["zs_" + name[3:], ALIASES.get("zs_" + name[3:], "")]
    for key in keys:
        if key and doc.get(key) not in (None, "", []):
            raw = doc[key]
            values = raw if isinstance(raw, list) else [raw]
            texts = (one_line(str(v)) for v in values if v is not None and not isinstance(v, bool))
            return list(dict.fromkeys(t for t in texts if t))
    return []


def docs_to_calls(
    docs: Sequence[Mapping[str, Any]], source: str, language: str = "it"
) -> tuple[list[Call], int]:
    """Calls from Solr documents, one per measure (language copies fold into one call's
    `titles`); also how many documents could not be read (no node id or no title)."""
    groups: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    unreadable = 0
    for doc in docs:
        nid, lang = _node(doc)
        if not nid or not _one(doc, "zs_title"):
            unreadable += 1
            continue
        groups.setdefault(nid, []).append((lang or language, doc))
    calls = [_call(nid, copies, source, language) for nid, copies in groups.items()]
    return calls, unreadable


def _node(doc: Mapping[str, Any]) -> tuple[str, str]:
    lang = _one(doc, "ss_search_api_language")
    m = _NODE_ID.search(_one(doc, "id") or _one(doc, "ss_search_api_id"))
    nid = _one(doc, "zs_nid") or (m[1] if m else "")
    return nid, lang or (m[2] if m and m[2] else "")


def _one(doc: Mapping[str, Any], name: str) -> str:
    values = values_of(doc, name)
    return values[0] if values else ""


def _call(
    nid: str, copies: list[tuple[str, Mapping[str, Any]]], source: str, language: str
) -> Call:
    doc = next((d for lang, d in copies if lang == language), copies[0][1])
    titles = {lang: _one(d, "zs_title") for lang, d in reversed(copies)}
    close_note = _one(doc, "zs_field_close_date_descriptor")
    cue = find_deadline(close_note) if close_note else None
    opens_at = _opening(doc, close_note)
    close_day, close_at = _day_or_instant(_one(doc, "zs_field_close_date"))
    rolling = close_day == ROLLING_CLOSE or bool(cue and cue.rolling)
    deadline: datetime | None = None
    if close_day is not None and close_day != ROLLING_CLOSE:
        deadline = parse_datetime(close_day.isoformat(), ROME, end_of_day=True)
        if cue and cue.deadline and cue.deadline.astimezone(ROME).date() == close_day:
            deadline = cue.deadline
    elif close_at is not None:
        deadline = close_at
    regions = values_of(doc, "zm_field_regions_value")
    subjects = values_of(doc, "zm_field_subject_type_value")
    sizes = values_of(doc, "zm_field_dimensions_value")
    audience_raw = "; ".join(subjects + sizes)
    rules = " ".join(
        _one(doc, n)
        for n in (
            "zs_field_primary_ruleset",
            "zs_field_secondary_ruleset",
            "zs_field_implementation_ruleset",
        )
    )
    link = _one(doc, "zs_field_link")
    extra = {
        key: "; ".join(values_of(doc, name)) for name, key in _EXTRA.items() if values_of(doc, name)
    }
    if close_day == ROLLING_CLOSE:
        extra["close_date"] = f"{ROLLING_CLOSE.isoformat()} (a sportello)"
    return Call(
        source=source,
        source_id=nid,
        url=_page(doc, nid),
        language=language if language in titles else next(iter(titles)),
        titles=titles,
        summary=clean_text(_one(doc, "zs_body")),
        issuer=_one(doc, "zs_field_subject_grant"),
        programmes=funds_from_text(f"{titles.get(language, '')}\n{rules}"),
        audiences=_audiences(subjects, sizes),
        audience_raw=audience_raw,
        territories=_territories(regions),
        territory_raw="; ".join(regions),
        opens_at=opens_at,
        deadlines=(Deadline(at=deadline),) if deadline else (),
        rolling=rolling,
        budget=Budget(
            total_eur=_amount(_one(doc, "zs_field_budget_allocation")),
            min_grant_eur=_amount(_one(doc, "zs_field_support_grant_type_min")),
            max_grant_eur=_amount(_one(doc, "zs_field_support_grant_type_max")),
        ),
        instrument="; ".join(values_of(doc, "zm_field_support_form_value")),
        themes=tuple(values_of(doc, "zm_field_scopes_value")),
        keywords=tuple(values_of(doc, "zm_field_activity_sector_value")),
        documents=(Document(title="Pagina istituzionale", url=link, kind="official"),)
        if link.startswith(("http://", "https://"))
        else (),
        extra=extra,
    )


def _audiences(subjects: list[str], sizes: list[str]) -> tuple[Audience, ...]:
    """Beneficiary types narrowed by company size: "Impresa" with sizes "Microimpresa" means
    micro-enterprises only, so the generic ``impresa`` term (which covers every size) goes."""
    found = list(audiences_from_text("; ".join(subjects)))
    by_size = [a for a in audiences_from_text("; ".join(sizes)) if a.code in _SIZES]
    if by_size:
        found = [a for a in found if a.code != "impresa"]
    out: dict[str, Audience] = {}
    for audience in (*found, *by_size):
        out.setdefault(audience.code, audience)
    return tuple(out.values())


def _opening(doc: Mapping[str, Any], close_note: str) -> datetime | None:
    day, instant = _day_or_instant(_one(doc, "zs_field_open_date"))
    if day is None:
        return instant
    if close_note:
        cue = find_opening(close_note)
        if cue.opens_at and cue.opens_at.astimezone(ROME).date() == day:
            return cue.opens_at
    return parse_datetime(day.isoformat(), ROME)


def _day_or_instant(value: str) -> tuple[date | None, datetime | None]:
    """A stored date-time as a whole day (local midnight in UTC, or UTC midnight) or else as
    an instant; values without a zone are UTC."""
    if not value:
        return None, None
    moment = parse_datetime(value, _UTC)
    if moment is None:
        return None, None
    local = moment.astimezone(ROME)
    if local.time() == time(0):
        return local.date(), None
    if moment.time() == time(0):
        return moment.date(), None
    return None, moment


def _territories(regions: list[str]) -> tuple[Territory, ...]:
    found: dict[str, Territory] = {}
    for name in regions:
        for territory in territories_from_text(name):
            found.setdefault(territory.code, territory)
    if len(found) >= _WHOLE_REGIONS and all(t.scheme != "country" for t in found.values()):
        return territories_from_text("Italia")
    return tuple(found.values())


def _amount(value: str) -> Decimal | None:
    amount = parse_eur(value) if value else None
    return amount if amount else None


def _page(doc: Mapping[str, Any], nid: str) -> str:
    path = _one(doc, "zs_url")
    if path.startswith(("http://", "https://")):
        return path
    if path.startswith("/"):
        return SITE + path
    return f"{SITE}/it/node/{nid}"
