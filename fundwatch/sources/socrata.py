"""Socrata (SODA 2.1) open-data datasets of calls; shipped for Regione Lombardia.

Site: dati.lombardia.it, dataset ``bukx-h2uy`` "Anagrafica dei bandi regionali": every call
published on the Bandi Online portal since 2015 (about 1,900 rows), no key needed.
Endpoint: ``GET https://www.dati.lombardia.it/resource/bukx-h2uy.json`` with ``$limit``,
``$offset`` and ``$order=:id`` (stable paging), ``$where`` for filters and incremental runs.

Quirks: every value is a string; timestamps are floating (no zone; read in Europe/Rome); a
closing day is written as its midnight (``2026-09-07T00:00:00.000``: the call closes at the end
of that day unless the detail page gives the hour); keys are left out when empty. The wrong
dataset is easy to pick: ``k6cb-4hbm`` holds municipal procurement tenders, not funding calls;
such rows are flagged ``call_type="procurement"`` (or skipped with ``tenders: skip``).

Other Socrata datasets: set ``domain``, ``dataset``, ``fields`` (column names) and
``url_template`` (``{column}`` placeholders, ``{id}`` for the identifier column).

Incremental runs (``updated_field``, default the system field ``:updated_at``): after a full
read, runs ask only for ``$where=:updated_at > '<newest value seen>'`` and merge the answer with
the rows kept from the last complete read, so every run still yields every call; a full read
runs at least every ``full_refresh_hours`` (deleted rows only show then).

Detail hop (``detail: true``, Lombardia only): the Bandi Online page of each new or changed
call (fixed hour of the deadline, status chip, funds, who may apply); see `socrata_detail`.

Fixtures: tests/fixtures/lombardia/ (a real ``bukx-h2uy`` row with detail-page fragments in a
wrapper made by the recording project, accepted as a payload; two real ``k6cb-4hbm`` rows).
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field

from fundwatch.errors import ParseError
from fundwatch.models import Call
from fundwatch.sources.base import FetchContext, Harvest, SourceKind, SourceParams
from fundwatch.sources.socrata_fetch import fetch_socrata
from fundwatch.sources.socrata_payload import read_payload, resource_url, with_recorded
from fundwatch.sources.socrata_rows import rows_to_calls

__all__ = ["KIND", "SocrataFields", "SocrataParams"]


class SocrataFields(SourceParams):
    """Which dataset column holds what. Defaults: Lombardia's ``bukx-h2uy``."""

    id: str = Field(default="codice_bando", description="Column with the call's identifier.")
    title: str = Field(default="titolo_bando", description="Column with the title.")
    opens: str | None = Field(
        default="apertura_adesione", description="Column with the opening date-time."
    )
    closes: str | None = Field(
        default="chiusura_adesione", description="Column with the closing date (the deadline)."
    )
    issuer: str | None = Field(default="ente", description="Column with the issuing body.")
    department: str | None = Field(
        default="direzione_generale", description="Column with the department (kept in extra)."
    )
    instrument: str | None = Field(
        default="tipo_strumento", description="Column with the kind of instrument."
    )
    summary: str | None = Field(default=None, description="Column with a description.")
    url: str | None = Field(default=None, description="Column with the call's page URL.")
    keep: tuple[str, ...] = Field(
        default=("presentato",), description="Further columns copied as they are into extra."
    )


class SocrataParams(SourceParams):
    """Parameters of a `socrata` source."""

    domain: str = Field(default="www.dati.lombardia.it", description="Host of the Socrata portal.")
    dataset: str = Field(
        default="bukx-h2uy",
        pattern=r"^[a-z0-9]{4}-[a-z0-9]{4}$",
        description="Dataset identifier (four-by-four).",
    )
    fields: SocrataFields = Field(
        default_factory=SocrataFields, description="Column mapping of the dataset."
    )
    url_template: str = Field(
        default="https://www.bandi.regione.lombardia.it/servizi/servizio/bandi/dettaglio/{id}",
        description="Page of one call: {column} placeholders, {id} is the identifier column; "
        "'' links to the dataset.",
    )
    issuer: str = Field(default="Regione Lombardia", description="Issuer when the row names none.")
    territory: str = Field(
        default="Lombardia", description="Where the calls apply (read by the territory table)."
    )
    language: str = Field(default="it", description="Language of titles and texts.")
    where: str | None = Field(
        default=None, description="A SoQL condition every request adds ($where)."
    )
    order: str = Field(default=":id", description="SoQL $order: a stable order for paging.")
    page_size: int = Field(default=1000, ge=1, le=50000, description="Rows per request.")
    max_pages: int = Field(default=20, ge=1, description="Stop (incomplete) after this many.")
    updated_field: str | None = Field(
        default=":updated_at",
        description="Column that grows when a row changes, for incremental runs; null: always "
        "read everything.",
    )
    full_refresh_hours: float = Field(
        default=24, gt=0, description="Read the whole dataset at least this often."
    )
    tenders: Literal["flag", "skip"] = Field(
        default="flag",
        description="Procurement-tender rows (k6cb-4hbm shape): flag as call_type "
        "'procurement', or skip.",
    )
    detail: bool = Field(
        default=False,
        description="Fetch the Bandi Online detail page of new or changed calls (Lombardia).",
    )
    detail_refresh_days: float = Field(
        default=7, gt=0, description="Re-check (conditional GET) a cached detail page this often."
    )
    max_details: int = Field(
        default=150, ge=0, description="At most this many detail pages per run; the rest wait."
    )


def parse(raw: bytes, params: SocrataParams, source_id: str) -> list[Call]:
    """Rows of one SODA answer (a JSON array of rows), or a recorded wrapper holding
    ``socrata_row`` and ``detail_fragments`` (the row is read with its page fragments)."""
    url = resource_url(params)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ParseError(f"malformed JSON: {exc}", url=url) from exc
    payload = read_payload(data, url, params.fields.id)
    calls = rows_to_calls(payload.rows, params, source_id).calls
    return [with_recorded(c, payload.details, payload.urls) for c in calls]


def fetch(params: SocrataParams, ctx: FetchContext) -> Harvest:
    """Page through the dataset (or its changes), then the optional detail hop."""
    return fetch_socrata(params, ctx)


KIND: SourceKind[SocrataParams] = SourceKind(
    name="socrata",
    description="Socrata open-data dataset of calls (Regione Lombardia bukx-h2uy by default).",
    params=SocrataParams,
    fetch=fetch,
    parse=parse,
)
