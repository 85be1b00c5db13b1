"""EU Funding & Tenders portal, bulk catalogue of every grant topic and tender (full backfill).

Site:      https://ec.europa.eu/info/funding-tenders/opportunities/portal/
Endpoint:  GET https://ec.europa.eu/info/funding-tenders/opportunities/data/referenceData/
           grantsTenders.json, about 130 MB and 11,000 records:
           ``{"fundingData": {"GrantTenderObj": [...]}}``.
Records:   `type` (0 tender, 1 grant topic, 2 call for proposals, 8 cascade funding),
           `identifier`, `title`, `callIdentifier`, `callTitle`, `frameworkProgramme`
           {id, abbreviation, description}, `programmeDivision` [{id, abbreviation,
           description}], `status` {id, abbreviation, description}, `sumbissionProcedure`
           (sic) {abbreviation: single-stage / two-stage / multiple cut-off},
           `deadlineDatesLong`, `plannedOpeningDateLong`, `publicationDateLong` (epoch ms,
           numbers or strings), `tags`, `keywords`, `links`, `actions`, `latestInfos`.
           No budget and no description: the `eu_ft` kind gives those.
Parsing:   streamed with ijson, one record decoded at a time, and filtered by the instance's
           programmes / divisions / types / statuses: parsing a body of the real size peaks
           near 235 MB, the body included. The download itself is still held whole
           (HttpClient returns one bytes object, which httpx joins from its chunks), so a
           whole fetch peaks near 310 MB; a streaming download into a temporary file would
           bring it near 105 MB (benchmarks/eu_ft_bulk.py measures both paths).
Dates:     epoch-ms midnights stand for Brussels days, as in the search API (eu_ft_common).
Fixtures:  no real capture of this file is available. tests/fixtures/eu_ft/
           constructed_bulk_grantsTenders.json is built by hand in the documented shape from
           the values of the real search records; its PROVENANCE.md row says so.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import ijson
from pydantic import Field

from fundwatch.errors import ParseError, ShapeChanged
from fundwatch.models import Call
from fundwatch.normalize import html_to_text
from fundwatch.sources.base import FetchContext, Harvest, SourceKind
from fundwatch.sources.eu_ft_codes import status_label, type_label
from fundwatch.sources.eu_ft_common import (
    EU,
    EuFtFilters,
    deadlines,
    keyword_values,
    line,
    link_documents,
    opening_at,
    page_url,
    programmes,
    strings,
    terms,
)
from fundwatch.sources.guards import check_shape

BULK_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/data/referenceData/grantsTenders.json"
)
_ITEMS = "fundingData.GrantTenderObj.item"


class EuFtBulkParams(EuFtFilters):
    """Params of an `eu_ft_bulk` source: which records of the catalogue to keep."""

    statuses: tuple[str, ...] = Field(
        default=("open", "forthcoming", "closed"),
        description=(
            "Portal status flags to keep: open, forthcoming, closed (all three by default: this "
            "kind is for backfills). Empty: no status filter."
        ),
    )
    url: str = Field(default=BULK_URL, description="URL of the grantsTenders.json catalogue.")


def _code(value: Any) -> str:
    """The id of a code object ({id, abbreviation, description}) or a bare code."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


def _pairs(value: Any) -> list[tuple[str, str]]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        code = _code(item)
        if code:
            own = item.get("description") if isinstance(item, dict) else None
            out.append((code, str(own or "")))
    return out


def _selected(record: dict[str, Any], params: EuFtFilters) -> bool:
    if params.types and _code(record.get("type")) not in params.types:
        return False
    if params.statuses and _code(record.get("status")) not in params.statuses:
        return False
    if params.programmes and not {c for c, _ in _pairs(record.get("frameworkProgramme"))} & set(
        params.programmes
    ):
        return False
    divisions = {c for c, _ in _pairs(record.get("programmeDivision"))}
    return not params.divisions or bool(divisions & set(params.divisions))


def _model(record: dict[str, Any]) -> str:
    for key in ("sumbissionProcedure", "submissionProcedure"):
        value = record.get(key)
        if isinstance(value, dict) and value.get("abbreviation"):
            return str(value["abbreviation"])
        if isinstance(value, str) and value:
            return value
    return str(record.get("deadlineModel") or "")


def _instrument(record: dict[str, Any]) -> str:
    names = strings(record.get("typesOfAction"))
    actions = record.get("actions")
    if not names and isinstance(actions, list):
        for action in actions:
            types = action.get("types") if isinstance(action, dict) else None
            for action_type in types if isinstance(types, list) else []:
                if isinstance(action_type, dict):
                    names += strings(action_type.get("typeOfAction"))
    return "; ".join(terms(names))


def _iso(value: Any) -> str:
    moment = opening_at(value)
    return moment.isoformat() if isinstance(moment, datetime) else ""


def to_call(record: dict[str, Any], source_id: str) -> Call | None:
    """The call of one catalogue record; None when the record has no identifier."""
    identifier = str(record.get("identifier") or "").strip()
    if not identifier:
        return None
    type_code = _code(record.get("type"))
    status = record.get("status")
    status_code = _code(status)
    stated = status_label(status_code) if status_code else ""
    if stated == status_code and isinstance(status, dict) and status.get("abbreviation"):
        stated = line(str(status["abbreviation"]))
    call_id = str(record.get("callIdentifier") or "").strip()
    model = _model(record)
    dates = record.get("deadlineDatesLong")
    description = record.get("description")
    extra = {
        "call_identifier": call_id,
        "call_title": line(str(record.get("callTitle") or "")),
        "deadline_model": model,
        "type": type_code,
        "published_at": _iso(record.get("publicationDateLong")),
    }
    return Call(
        source=source_id,
        source_id=identifier,
        url=page_url(identifier, type_code),
        language="en",
        titles={"en": line(str(record.get("title") or "")) or identifier},
        summary=html_to_text(description) if isinstance(description, str) else "",
        programmes=programmes(
            _pairs(record.get("frameworkProgramme")), _pairs(record.get("programmeDivision"))
        ),
        territories=(EU,),
        opens_at=opening_at(record.get("plannedOpeningDateLong")),
        deadlines=deadlines(dates if isinstance(dates, list) else [dates], model),
        stated_status=stated,
        instrument=_instrument(record),
        call_type=type_label(type_code) if type_code else "",
        identifiers=tuple(dict.fromkeys(i for i in (identifier, call_id) if i)),
        keywords=terms(keyword_values(record.get("keywords")), [identifier, call_id]),
        themes=terms(strings(record.get("tags"))),
        documents=link_documents(record.get("links")),
        extra={k: v for k, v in extra.items() if v},
    )


def iter_records(stream: IO[bytes], *, url: str | None = None) -> Iterator[dict[str, Any]]:
    """The catalogue's records, one at a time; ParseError when the JSON breaks off or is bad."""
    try:
        for record in ijson.items(stream, _ITEMS):
            if isinstance(record, dict):
                yield record
    except ijson.JSONError as exc:
        raise ParseError(f"grantsTenders catalogue: malformed JSON: {exc}", url=url) from exc


@dataclass
class Tally:
    """How many records a parse saw, and how many of them had an identifier."""

    seen: int = 0
    identified: int = 0


def iter_calls(
    stream: IO[bytes],
    params: EuFtFilters,
    source_id: str,
    *,
    url: str | None = None,
    tally: Tally | None = None,
) -> Iterator[Call]:
    """Calls of the selected records, streamed; see `parse` for the shape checks."""
    tally = tally if tally is not None else Tally()
    for record in iter_records(stream, url=url):
        tally.seen += 1
        tally.identified += bool(record.get("identifier"))
        if _selected(record, params):
            call = to_call(record, source_id)
            if call is not None:
                yield call
    if tally.seen == 0 and not _mentions(stream, b'"GrantTenderObj"'):
        raise ShapeChanged("no fundingData.GrantTenderObj array in the catalogue", url=url)
    if tally.seen and not tally.identified:
        raise ShapeChanged(f"none of the {tally.seen} catalogue records has an identifier", url=url)


def _mentions(stream: IO[bytes], needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether `needle` occurs in the stream, read from the start in chunks."""
    stream.seek(0)
    tail = b""
    while block := stream.read(chunk):
        if needle in tail + block:
            return True
        tail = block[-len(needle) :]
    return False


def parse(raw: bytes, params: EuFtBulkParams, source_id: str) -> list[Call]:
    """The selected calls of a recorded catalogue. An empty array is valid; a file without the
    array is ShapeChanged; broken JSON is ParseError."""
    return list(iter_calls(io.BytesIO(raw), params, source_id))


def fetch(params: EuFtBulkParams, ctx: FetchContext) -> Harvest:
    """Download the catalogue once into a temporary file (no conditional GET: the cache would
    keep 130 MB; never held in memory whole) and parse it as a stream from there."""
    ctx.progress(f"eu_ft_bulk: downloading {params.url}")
    tally = Tally()
    with tempfile.TemporaryFile() as body:
        resp = ctx.client.download(params.url, body)
        body.seek(0)
        ctx.save_raw("grantsTenders.json", body)
        body.seek(0)
        calls = list(iter_calls(body, params, ctx.source_id, url=resp.url, tally=tally))
    check_shape(tally.identified, tally.seen, ctx.last_good_count, resp.url)
    notes = [f"{len(calls)} of {tally.seen} catalogue records selected"]
    return Harvest(calls=calls, complete=True, notes=notes)


KIND: SourceKind[EuFtBulkParams] = SourceKind(
    name="eu_ft_bulk",
    description="EU Funding & Tenders bulk catalogue grantsTenders.json (full backfill)",
    params=EuFtBulkParams,
    fetch=fetch,
    parse=parse,
)
