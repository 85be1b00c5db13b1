"""incentivi.gov.it (MIMIT): the national catalogue of incentives, national and regional.

Endpoint: the site's Solr core, ``GET https://www.incentivi.gov.it/solr/coredrupal/select
?q=index_id:incentivi&wt=json&rows=100&start=N&sort=id asc&fl=…`` paged with ``start`` until
``response.numFound`` documents are read. ``fl`` lists the index fields read (the default
leaves out the rendered teaser HTML, a third of each document).

Quirks (details in `incentivi_docs`): three field vocabularies (index ``zs_``/``zm_`` names,
``fl`` alias names, and recording wrappers around the documents); opening dates such as
``2019-12-31T23:00:00`` are local midnight stored as UTC; a close date of 2030-12-31 means
"a sportello" (rolling); several records share one official link; the same measure may be
indexed once per language (folded by node id).

Network: the host refuses connections from some datacenter networks. The outbound proxy is the
HTTP client's setting (``http.proxy`` in config/fundwatch.yaml), deliberately not a parameter
of this source: every fetch uses the one shared client (politeness per host, conditional-GET
cache, the demo's host overrides, the tests' mocked transport), so a per-source proxy would
need a second client outside that contract. Run the installation behind the proxy, or give
the client per-host proxy mounts if one day only some hosts need it.

Fixtures: tests/fixtures/incentivi/ (a raw one-document Solr answer; three documents in a
wrapper made by the recording project, ``{"_note", "_source", …, "docs": [...]}``, accepted
as a payload; four documents requested with ``fl`` aliases).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from fundwatch.errors import ParseError
from fundwatch.models import Call
from fundwatch.normalize import one_line
from fundwatch.sources.base import FetchContext, Harvest, SourceKind, SourceParams
from fundwatch.sources.guards import check_shape
from fundwatch.sources.incentivi_docs import ALIASES, docs_to_calls

__all__ = ["DEFAULT_FIELDS", "KIND", "IncentiviParams", "SolrPage", "read_page"]

DEFAULT_FIELDS: tuple[str, ...] = (
    "id",
    "ss_search_api_id",
    "ss_search_api_language",
    "zs_url",
    *ALIASES,
    *("zs_" + name[3:] for name in ALIASES if name.startswith("zm_")),
)


class IncentiviParams(SourceParams):
    """Parameters of an `incentivi` source."""

    endpoint: str = Field(
        default="https://www.incentivi.gov.it/solr/coredrupal/select",
        description="The Solr select URL.",
    )
    query: str = Field(default="index_id:incentivi", description="Solr q.")
    filters: tuple[str, ...] = Field(
        default=(), description="Solr fq filters, e.g. 'ss_search_api_language:it'."
    )
    fields: tuple[str, ...] = Field(
        default=DEFAULT_FIELDS, description="Solr fl: the fields to ask for; [] asks for all."
    )
    sort: str = Field(default="id asc", description="Solr sort: a stable order for paging.")
    rows: int = Field(default=100, ge=1, le=1000, description="Documents per request.")
    max_pages: int = Field(default=50, ge=1, description="Stop (incomplete) after this many.")
    language: str = Field(default="it", description="Preferred language of titles.")


@dataclass(frozen=True)
class SolrPage:
    """The documents of one answer and the total it announces (None when it does not)."""

    docs: list[Mapping[str, Any]]
    found: int | None


def read_page(data: Any, url: str) -> SolrPage:
    """A Solr ``select`` answer, a recorded wrapper with ``docs`` (the recording project's
    own envelope) or a bare list of documents; a Solr error object is a ParseError."""
    if isinstance(data, list):
        return SolrPage([d for d in data if isinstance(d, Mapping)], len(data))
    if not isinstance(data, Mapping):
        raise ParseError(f"unexpected payload: {type(data).__name__}", url=url)
    error = data.get("error")
    if isinstance(error, Mapping):
        msg = one_line(str(error.get("msg") or error.get("trace") or ""))[:300]
        raise ParseError(f"Solr error {error.get('code', '')}: {msg}".strip(), url=url)
    response = data.get("response")
    if isinstance(response, Mapping) and isinstance(response.get("docs"), list):
        found = response.get("numFound")
        docs = [d for d in response["docs"] if isinstance(d, Mapping)]
        return SolrPage(docs, found if isinstance(found, int) else None)
    if isinstance(data.get("docs"), list):
        return SolrPage([d for d in data["docs"] if isinstance(d, Mapping)], None)
    raise ParseError("unexpected payload: no response.docs list", url=url)


def parse(raw: bytes, params: IncentiviParams, source_id: str) -> list[Call]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ParseError(f"malformed JSON: {exc}", url=params.endpoint) from exc
    page = read_page(data, params.endpoint)
    return docs_to_calls(page.docs, source_id, params.language)[0]


def fetch(params: IncentiviParams, ctx: FetchContext) -> Harvest:
    """Page with ``start`` until ``numFound`` documents are read; short = incomplete."""
    docs: list[Mapping[str, Any]] = []
    found: int | None = None
    notes: list[str] = []
    last = params.endpoint
    complete = False
    for page_no in range(params.max_pages):
        resp = ctx.client.get(params.endpoint, params=_query(params, len(docs)))
        last = resp.url
        ctx.save_raw(f"select_start_{len(docs)}.json", resp.body)
        page = read_page(resp.json(), resp.url)
        if found is None:
            found = page.found
        docs.extend(page.docs)
        ctx.progress(f"page {page_no + 1}: {len(page.docs)} documents")
        if found is None or len(docs) >= found:
            complete = True
            break
        if not page.docs:
            notes.append(f"an empty page at start={len(docs)} before the {found} announced")
            break
    else:
        notes.append(f"stopped after {params.max_pages} pages of {params.rows}; raise max_pages")
    calls, unreadable = docs_to_calls(docs, ctx.source_id, params.language)
    check_shape(len(docs) - unreadable, len(docs), ctx.last_good_count, last)
    return Harvest(calls, complete=complete, expected=found, notes=notes)


def _query(params: IncentiviParams, start: int) -> dict[str, str | int]:
    query: dict[str, str | int] = {
        "q": params.query,
        "wt": "json",
        "rows": params.rows,
        "start": start,
        "sort": params.sort,
    }
    if params.fields:
        query["fl"] = ",".join(params.fields)
    if params.filters:
        query["fq"] = (
            params.filters[0]
            if len(params.filters) == 1
            else " AND ".join(f"({f})" for f in params.filters)
        )
    return query


KIND: SourceKind[IncentiviParams] = SourceKind(
    name="incentivi",
    description="incentivi.gov.it national catalogue (Solr select), national and regional.",
    params=IncentiviParams,
    fetch=fetch,
    parse=parse,
)
