"""EU Funding & Tenders portal, through its search API (the API the portal's own pages call).

Site:      https://ec.europa.eu/info/funding-tenders/opportunities/portal/
Endpoint:  POST https://api.tech.ec.europa.eu/search-api/prod/rest/search
           ?apiKey=SEDIA&text=***&pageSize=100&pageNumber=N
           multipart/form-data; the parts `query` (Elasticsearch-like bool/terms),
           `languages` and `sort` are JSON with content type application/json and the file
           name "blob", as the portal's browser code sends them (sent as plain form fields
           the API answers 500).
Paging:    sorted by identifier (relevance paging skips and repeats); stop once the records
           received reach `totalResults`. Elasticsearch serves at most 10,000 results per
           query, so a query announcing more is split (by programme, then status, then type)
           and each part paged on its own. Fewer records than announced: incomplete harvest.
Quirks:    every metadata value is a list of strings; `actions`, `budgetOverview`, `links`
           are JSON inside strings; one topic comes once per language and again as a legacy
           SEDIA_PRD_CENTRICITY copy (folded by identifier, see eu_ft_search); result URLs
           may point at the topicDetails JSON (the page URL is built from the identifier);
           the status flag goes stale (kept as stated_status, the status is derived from
           dates); dates are days serialised as midnights (see eu_ft_common).
Details:   optional enrichment from data/topicDetails/<identifier>.json, for new or changed
           topics only, cached (eu_ft_details).
Fixtures:  tests/fixtures/eu_ft/ (real search responses, apiVersion 2.151 and 2.154; the
           facet values the code table in eu_ft_codes was built from); PROVENANCE.md there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from pydantic import Field, field_validator

from fundwatch.errors import FetchError, ParseError
from fundwatch.models import Call
from fundwatch.sources.base import FetchContext, Harvest, SourceKind
from fundwatch.sources.eu_ft_common import EuFtFilters
from fundwatch.sources.eu_ft_details import (
    DETAILS_BASE,
    cache_key,
    details_url,
    dump_cached,
    enrich,
    load_cached,
    parse_details,
)
from fundwatch.sources.eu_ft_search import fold, identified, read_page
from fundwatch.sources.guards import check_shape

SEARCH_ENDPOINT = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
RESULT_WINDOW = 10_000
"""Elasticsearch's max_result_window: no page may reach past this many results."""
SORT = {"order": "ASC", "field": "identifier"}


class EuFtParams(EuFtFilters):
    """Params of an `eu_ft` source: which topics, in which languages, from where."""

    languages: tuple[str, ...] = Field(
        default=("en",),
        description=(
            "Languages to ask for (ISO 639-1). Each topic comes back once per language; the "
            "copies are folded into one call with a title per language."
        ),
    )
    language: str = Field(
        default="en",
        description="Preferred language: title, summary and conditions come from that copy.",
    )
    page_size: int = Field(
        default=100, ge=1, le=100, description="Results per page (the API allows at most 100)."
    )
    enrich: bool = Field(
        default=False,
        description=(
            "Also read each new or changed topic's topicDetails JSON to fill a missing "
            "description or conditions (current search records usually carry both)."
        ),
    )
    endpoint: str = Field(default=SEARCH_ENDPOINT, description="Search API URL, without query.")
    api_key: str = Field(default="SEDIA", description="The public API key the portal itself uses.")
    details_base: str = Field(
        default=DETAILS_BASE, description="Base URL of the per-topic topicDetails JSON files."
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _one_language_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one language is needed")
        return tuple(_language(v) for v in value)

    @field_validator("language")
    @classmethod
    def _preferred(cls, value: str) -> str:
        return _language(value)


def _language(value: str) -> str:
    code = value.strip().lower()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"{value!r} is not a two-letter language code")
    return code


@dataclass(frozen=True)
class _Slice:
    """One query: the filters of a source instance, or a part of them after a split."""

    programmes: tuple[str, ...]
    divisions: tuple[str, ...]
    types: tuple[str, ...]
    statuses: tuple[str, ...]

    def query(self) -> dict[str, Any]:
        must: list[dict[str, Any]] = []
        for field, values in (
            ("type", self.types),
            ("status", self.statuses),
            ("frameworkProgramme", self.programmes),
            ("programmeDivision", self.divisions),
        ):
            if values:
                must.append({"terms": {field: list(values)}})
        return {"bool": {"must": must}}

    def split(self) -> list[_Slice]:
        """Smaller queries covering the same results; empty when there is nothing to split."""
        for field in ("programmes", "statuses", "types"):
            values: tuple[str, ...] = getattr(self, field)
            if len(values) > 1:
                return [replace(self, **{field: (v,)}) for v in values]
        return []


def _request_parts(sl: _Slice, languages: tuple[str, ...]) -> dict[str, tuple[str, bytes, str]]:
    def part(value: Any) -> tuple[str, bytes, str]:
        return ("blob", json.dumps(value).encode("utf-8"), "application/json")

    return {"query": part(sl.query()), "languages": part(list(languages)), "sort": part(SORT)}


@dataclass
class _Run:
    records: list[dict[str, Any]]
    notes: list[str]
    complete: bool = True
    slices: int = 0
    announced: int | None = 0
    """The sum of totalResults over the queries paged (None once one did not say)."""


def _page_through(sl: _Slice, params: EuFtParams, ctx: FetchContext, run: _Run) -> list[_Slice]:
    """Fetch every page of one query into `run`; return sub-queries instead when it is too big."""
    run.slices += 1
    received = 0
    total: int | None = None
    page = 1
    while True:
        query_params: dict[str, str | int] = {
            "apiKey": params.api_key,
            "text": "***",
            "pageSize": params.page_size,
            "pageNumber": page,
        }
        resp = ctx.client.post(
            params.endpoint, params=query_params, files=_request_parts(sl, params.languages)
        )
        ctx.save_raw(f"search_q{run.slices}_p{page}.json", resp.body)
        result = read_page(resp.body, where=f"search results page {page}", url=resp.url)
        total = result.total
        if page == 1 and total is not None and total > RESULT_WINDOW:
            parts = sl.split()
            if parts:
                run.notes.append(
                    f"a query announced {total} results, past the {RESULT_WINDOW} window; "
                    f"split into {len(parts)} queries"
                )
                return parts
            run.notes.append(
                f"a query announced {total} results and cannot be split further; "
                f"only the first {RESULT_WINDOW} can be read"
            )
        run.records.extend(result.records)
        received += len(result.records)
        ctx.progress(f"eu_ft: query {run.slices} page {page}: {received} of {total} records")
        if total is not None and received >= total:
            break
        if not result.records or (total is None and len(result.records) < params.page_size):
            break
        if (page + 1) * params.page_size > RESULT_WINDOW:
            break
        page += 1
    run.announced = None if total is None or run.announced is None else run.announced + total
    if total is None:
        run.complete = False
        run.notes.append("the response carries no totalResults; cannot tell whether all arrived")
    elif received < total:
        run.complete = False
        run.notes.append(f"received {received} of {total} announced records")
    return []


def _enrich_all(
    calls: list[Call], params: EuFtParams, ctx: FetchContext
) -> tuple[list[Call], list[str]]:
    """Calls with topicDetails gaps filled, and notes; fetches only new, changed or
    never-enriched topics.

    A failed details fetch is a note, not an incomplete run: the details only fill free text,
    while the search listing (complete or not on its own) is what dates and presence rest on.
    The last details cached for the topic, if any, are used meanwhile.
    """
    out: list[Call] = []
    failed: list[str] = []
    for call in calls:
        basis = call.content_hash()
        cached = load_cached(ctx.cache.get(cache_key(call.source_id)))
        if cached is not None and cached[0] == basis and call.source_id in ctx.known:
            out.append(enrich(call, cached[1]))
            continue
        url = details_url(params.details_base, call.source_id)
        try:
            resp = ctx.client.get(url)
            ctx.save_raw(f"topicDetails_{call.source_id}.json", resp.body)
            details = parse_details(resp.body, url=resp.url)
        except (FetchError, ParseError) as exc:
            failed.append(f"{call.source_id} ({exc})")
            out.append(enrich(call, cached[1]) if cached is not None else call)
            continue
        ctx.cache.put(cache_key(call.source_id), dump_cached(basis, details))
        out.append(enrich(call, details))
    notes = [f"topic details not read for: {', '.join(failed)}"] if failed else []
    return out, notes


def fetch(params: EuFtParams, ctx: FetchContext) -> Harvest:
    """Page through every query, fold the topics, optionally enrich new or changed ones."""
    run = _Run(records=[], notes=[])
    queue = [_Slice(params.programmes, params.divisions, params.types, params.statuses)]
    while queue:
        queue = _page_through(queue[0], params, ctx, run) + queue[1:]
    check_shape(identified(run.records), len(run.records), ctx.last_good_count, params.endpoint)
    calls = fold(run.records, language=params.language, source_id=ctx.source_id)
    if params.enrich:
        calls, notes = _enrich_all(calls, params, ctx)
        run.notes.extend(notes)
    run.notes.append(f"{len(run.records)} records folded into {len(calls)} topics")
    return Harvest(calls=calls, complete=run.complete, expected=run.announced, notes=run.notes)


def parse(raw: bytes, params: EuFtParams, source_id: str) -> list[Call]:
    """The calls of one recorded search response (one page), copies folded by identifier."""
    page = read_page(raw, where="search response")
    return fold(page.records, language=params.language, source_id=source_id)


KIND: SourceKind[EuFtParams] = SourceKind(
    name="eu_ft",
    description="EU Funding & Tenders portal search API (topics of the configured programmes)",
    params=EuFtParams,
    fetch=fetch,
    parse=parse,
)
