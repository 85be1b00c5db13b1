"""Socrata rows to calls: the configured field mapping, and tender rows flagged as procurement.

SODA rows are flat JSON objects whose values are all strings (numbers too), timestamps are
"floating" (no zone: ``2026-06-16T00:00:00.000``, read in Europe/Rome), a midnight timestamp
is a whole day (a closing day is read as its end), and any key may be missing.

Rows shaped like Lombardia's procurement dataset ``k6cb-4hbm`` (``cig``,
``stazione_appaltante``, ``oggetto_dell_appalto``) are public tenders, not funding calls: they
are read with their own mapping and flagged ``call_type="procurement"`` so profiles can leave
them out, or skipped (``tenders: skip``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fundwatch.models import Budget, Call, Deadline
from fundwatch.normalize import ROME, one_line, parse_datetime, parse_eur
from fundwatch.normalize.funds import funds_from_text
from fundwatch.normalize.territories import territories_from_text

if TYPE_CHECKING:
    from fundwatch.sources.socrata import SocrataParams

__all__ = ["RowsRead", "floating", "is_tender", "row_id", "rows_to_calls", "text"]

_TENDER_KEYS = ("cig", "stazione_appaltante", "oggetto_dell_appalto")
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


@dataclass(frozen=True)
class RowsRead:
    """The calls read from some rows; `unreadable` rows had no identifier or no title."""

    calls: tuple[Call, ...]
    unreadable: int
    skipped_tenders: int


def rows_to_calls(
    rows: Sequence[Mapping[str, Any]], params: SocrataParams, source: str
) -> RowsRead:
    calls: list[Call] = []
    unreadable = skipped = 0
    for row in rows:
        if is_tender(row):
            if params.tenders == "skip":
                skipped += 1
                continue
            call = _tender_call(row, params, source)
        else:
            call = _grant_call(row, params, source)
        if call is None:
            unreadable += 1
        else:
            calls.append(call)
    return RowsRead(tuple(calls), unreadable, skipped)


def is_tender(row: Mapping[str, Any]) -> bool:
    return any(key in row for key in _TENDER_KEYS)


def row_id(row: Mapping[str, Any], params: SocrataParams) -> str:
    """The source_id a row gets (empty when it has none)."""
    if is_tender(row):
        lot = text(row.get("n_lotto"))
        return text(row.get("cig")) or (
            f"{text(row.get('codice_bando'))}-{lot}" if lot else text(row.get("codice_bando"))
        )
    return text(row.get(params.fields.id))


def text(value: Any) -> str:
    """A SODA value as one line of text: URL columns are objects, a few values are lists."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, Mapping):
        return text(value.get("url") or value.get("description") or "")
    if isinstance(value, list):
        return "; ".join(t for t in (text(v) for v in value) if t)
    return one_line(str(value))


def floating(value: Any, *, end_of_day: bool) -> datetime | None:
    """A floating timestamp read in Europe/Rome; midnight means the whole day."""
    raw = text(value)
    if not raw:
        return None
    midnight = _MIDNIGHT.match(raw)
    if midnight:
        return parse_datetime(midnight[1], ROME, end_of_day=end_of_day)
    return parse_datetime(raw, ROME)


def _grant_call(row: Mapping[str, Any], params: SocrataParams, source: str) -> Call | None:
    f = params.fields
    source_id = row_id(row, params)
    title = text(row.get(f.title))
    if not source_id or not title:
        return None
    closes = floating(row.get(f.closes), end_of_day=True) if f.closes else None
    extra = {key: text(row[key]) for key in f.keep if text(row.get(key))}
    department = text(row.get(f.department)) if f.department else ""
    if department:
        extra["department"] = department
    return Call(
        source=source,
        source_id=source_id,
        url=_url(row, params, source_id),
        language=params.language,
        titles={params.language: title},
        summary=text(row.get(f.summary)) if f.summary else "",
        issuer=(text(row.get(f.issuer)) if f.issuer else "") or params.issuer,
        programmes=funds_from_text(title),
        territories=territories_from_text(params.territory) if params.territory else (),
        territory_raw=params.territory,
        opens_at=floating(row.get(f.opens), end_of_day=False) if f.opens else None,
        deadlines=(Deadline(at=closes),) if closes else (),
        instrument=text(row.get(f.instrument)) if f.instrument else "",
        extra=extra,
    )


def _tender_call(row: Mapping[str, Any], params: SocrataParams, source: str) -> Call | None:
    source_id = row_id(row, params)
    title = text(row.get("oggetto_dell_appalto"))
    if not source_id or not title:
        return None
    closes = floating(row.get("data_presentazioni_offerte"), end_of_day=True)
    town, province = text(row.get("comune")), text(row.get("provincia"))
    place = ", ".join(p for p in (town, province) if p)
    cued = ", ".join(
        p
        for p in (
            f"Comune di {town}" if town else "",
            f"Provincia di {province}" if province else "",
        )
        if p
    )
    extra = {
        key: text(row[key])
        for key in (
            "codice_bando",
            "n_lotto",
            "numero_lotti",
            "codice_cpv",
            "importo_lotto",
            "codice_fiscale",
            "settore",
            "codice_tipologia_appalto",
        )
        if text(row.get(key))
    }
    published = floating(row.get("data_pubblicazione"), end_of_day=False)
    if published is not None:
        extra["published"] = published.isoformat()
    identifiers = tuple(
        f"{label}:{text(row[key])}"
        for key, label in (("cig", "CIG"), ("cup", "CUP"))
        if text(row.get(key))
    )
    return Call(
        source=source,
        source_id=source_id,
        url=f"https://{params.domain}/resource/{params.dataset}.json?cig={text(row.get('cig'))}"
        if text(row.get("cig"))
        else _dataset_page(params),
        language=params.language,
        titles={params.language: title},
        issuer=text(row.get("stazione_appaltante")),
        territories=territories_from_text(cued) if cued else (),
        territory_raw=place,
        deadlines=(Deadline(at=closes),) if closes else (),
        stated_status=text(row.get("stato_bando")),
        budget=Budget(total_eur=parse_eur(text(row.get("importo_complessivo_base")) or None)),
        instrument=text(row.get("procedura_gara")),
        call_type="procurement",
        identifiers=identifiers,
        extra=extra,
    )


class _RowFormatter(string.Formatter):
    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        value = text(kwargs.get(str(key)))
        if not value:
            raise KeyError(key)
        return quote(value, safe="")


def _url(row: Mapping[str, Any], params: SocrataParams, source_id: str) -> str:
    if params.fields.url:
        link = text(row.get(params.fields.url))
        if link.startswith(("http://", "https://")):
            return link
    if params.url_template:
        try:
            return _RowFormatter().format(params.url_template, **{**row, "id": source_id})
        except (KeyError, IndexError, ValueError):
            pass
    return _dataset_page(params)


def _dataset_page(params: SocrataParams) -> str:
    return f"https://{params.domain}/d/{params.dataset}"
