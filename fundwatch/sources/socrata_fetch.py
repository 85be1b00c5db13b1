"""The I/O of the `socrata` kind: paging, incremental runs and the detail hop.

Paging: ``$limit`` rows from ``$offset`` 0, 1000, … in a stable ``$order`` until a page comes
back short; after ``max_pages`` the run stops and is incomplete.

Incremental runs keep the rows of the last complete read in the source's cache (key
``socrata:rows``) with the newest `updated_field` value seen (the mark), and ask only for
rows past the mark; the merge gives the whole dataset again, so the run is complete and the
shape guard compares like with like. A failed incremental request falls back to a full read.

Detail hop: for each call that is not long closed, the cached page reading (key
``detail:<id>``) is reused while the call it produces still hashes to what the store holds
(``ctx.known``) and is younger than ``detail_refresh_days``; otherwise the page is fetched
with a conditional GET (a 304 re-reads the cached body). A page that cannot be fetched or
read leaves the call with its last good reading (or none) and a note: the listing is complete,
so the run stays complete; a missing page must not stop "vanished" detection for good.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from fundwatch.errors import FetchError, SourceError
from fundwatch.models import Call
from fundwatch.sources.base import FetchContext, Harvest
from fundwatch.sources.guards import check_shape
from fundwatch.sources.socrata_detail import BandiOnlineDetail, apply_detail, parse_detail
from fundwatch.sources.socrata_payload import read_payload, resource_url, with_recorded
from fundwatch.sources.socrata_rows import row_id, rows_to_calls, text

if TYPE_CHECKING:
    from fundwatch.sources.socrata import SocrataParams

__all__ = ["fetch_socrata"]

_STATE_KEY = "socrata:rows"
_CLOSED_LONG_AGO = timedelta(days=30)


@dataclass
class _Read:
    rows: list[dict[str, Any]] = field(default_factory=list)
    unreadable: int = 0
    details: dict[str, BandiOnlineDetail] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    notes: list[str] = field(default_factory=list)
    last_url: str = ""


@dataclass(frozen=True)
class _State:
    query: str
    full_at: datetime
    mark: str | None
    rows: list[dict[str, Any]]

    @classmethod
    def load(cls, raw: bytes | None, query: str) -> _State | None:
        """The kept state, or None when there is none, it is unreadable or for another query."""
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            state = cls(
                query=str(data["query"]),
                full_at=datetime.fromisoformat(data["full_at"]),
                mark=data["mark"] if isinstance(data["mark"], str) else None,
                rows=[dict(r) for r in data["rows"] if isinstance(r, Mapping)],
            )
        except (ValueError, KeyError, TypeError):
            return None
        return state if state.query == query else None

    def dump(self) -> bytes:
        data = {
            "query": self.query,
            "full_at": self.full_at.isoformat(),
            "mark": self.mark,
            "rows": self.rows,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def fetch_socrata(params: SocrataParams, ctx: FetchContext) -> Harvest:
    query = json.dumps(
        [resource_url(params), params.where, params.order, params.updated_field, params.fields.id]
    )
    state = _State.load(ctx.cache.get(_STATE_KEY), query)
    notes: list[str] = []
    read: _Read | None = None
    if (
        state is not None
        and state.mark is not None
        and params.updated_field is not None
        and ctx.now - state.full_at < timedelta(hours=params.full_refresh_hours)
    ):
        since = f"{params.updated_field} > '{state.mark.replace(chr(39), chr(39) * 2)}'"
        try:
            read = _read_pages(params, ctx, _and(params.where, since))
        except FetchError as exc:
            notes.append(f"incremental read failed, read everything instead: {exc}")
        else:
            ctx.progress(f"{len(read.rows)} rows changed since {state.mark}")
            read.rows = _merge(state.rows, read.rows, params)
    full_at = state.full_at if read is not None and state is not None else ctx.now
    if read is None:
        read = _read_pages(params, ctx, params.where)
    result = rows_to_calls(read.rows, params, ctx.source_id)
    check_shape(
        len(result.calls) + result.skipped_tenders,
        len(read.rows) + read.unreadable,
        ctx.last_good_count,
        read.last_url,
    )
    calls = [with_recorded(c, read.details, read.urls) for c in result.calls]
    if params.detail:
        calls = _detail_hop(calls, set(read.details), params, ctx, notes)
    if read.complete:
        mark = _mark(read.rows, params.updated_field)
        ctx.cache.put(_STATE_KEY, _State(query, full_at, mark, read.rows).dump())
    return Harvest(calls, complete=read.complete, notes=read.notes + notes)


def _read_pages(params: SocrataParams, ctx: FetchContext, where: str | None) -> _Read:
    url = resource_url(params)
    read = _Read()
    for page in range(params.max_pages):
        query: dict[str, str | int] = {
            "$limit": params.page_size,
            "$offset": page * params.page_size,
            "$order": params.order,
        }
        if params.updated_field and params.updated_field.startswith(":"):
            query["$select"] = ":*, *"
        if where:
            query["$where"] = where
        resp = ctx.client.get(url, params=query)
        read.last_url = resp.url
        ctx.save_raw(f"{params.dataset}_offset_{page * params.page_size}.json", resp.body)
        payload = read_payload(resp.json(), resp.url, params.fields.id)
        read.rows.extend(payload.rows)
        read.unreadable += payload.unreadable
        read.details.update(payload.details)
        read.urls.update(payload.urls)
        ctx.progress(f"page {page + 1}: {len(payload.rows)} rows")
        if len(payload.rows) + payload.unreadable < params.page_size:
            return read
    read.complete = False
    read.notes.append(
        f"stopped after {params.max_pages} pages of {params.page_size} rows; raise max_pages"
    )
    return read


def _and(where: str | None, condition: str) -> str:
    return f"({where}) AND {condition}" if where else condition


def _merge(
    kept: Sequence[dict[str, Any]], changed: Sequence[dict[str, Any]], params: SocrataParams
) -> list[dict[str, Any]]:
    rows = {row_id(r, params) or f"#{i}": r for i, r in enumerate(kept)}
    for i, r in enumerate(changed):
        rows[row_id(r, params) or f"#new{i}"] = r
    return list(rows.values())


def _mark(rows: Sequence[Mapping[str, Any]], updated_field: str | None) -> str | None:
    if updated_field is None:
        return None
    values = [text(r.get(updated_field)) for r in rows]
    return max((v for v in values if v), default=None)


def _detail_hop(
    calls: list[Call],
    recorded: set[str],
    params: SocrataParams,
    ctx: FetchContext,
    notes: list[str],
) -> list[Call]:
    out: list[Call] = []
    fetched = deferred = 0
    for call in calls:
        if call.call_type == "procurement" or call.source_id in recorded:
            out.append(call)
            continue
        key = f"detail:{call.source_id}"
        cached = _load_cached(ctx.cache.get(key))
        best = apply_detail(call, cached[1]) if cached else call
        if _closed_long_ago(call, ctx.now) or (
            cached is not None
            and ctx.known.get(call.source_id) == best.content_hash()
            and ctx.now - cached[0] < timedelta(days=params.detail_refresh_days)
        ):
            out.append(best)
            continue
        if fetched >= params.max_details:
            deferred += 1
            out.append(best)
            continue
        fetched += 1
        detail = _fetch_detail(call, ctx, notes)
        if detail is None:
            out.append(best)
            continue
        ctx.cache.put(key, _dump_cached(ctx.now, detail))
        out.append(apply_detail(call, detail))
    if fetched:
        ctx.progress(f"{fetched} detail pages read")
    if deferred:
        notes.append(f"{deferred} detail pages left for the next runs (max_details)")
    return out


def _fetch_detail(call: Call, ctx: FetchContext, notes: list[str]) -> BandiOnlineDetail | None:
    try:
        resp = ctx.client.get(call.url, conditional=True)
        ctx.save_raw(f"detail_{call.source_id}.html", resp.body)
        detail = parse_detail(resp.text)
    except SourceError as exc:
        notes.append(f"detail page of {call.source_id} not read: {exc}")
        return None
    if detail is None:
        notes.append(f"detail page of {call.source_id} is an error page or unreadable ({call.url})")
    return detail


def _closed_long_ago(call: Call, now: datetime) -> bool:
    return bool(call.deadlines) and max(d.at for d in call.deadlines) < now - _CLOSED_LONG_AGO


def _load_cached(raw: bytes | None) -> tuple[datetime, BandiOnlineDetail] | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return datetime.fromisoformat(data["at"]), BandiOnlineDetail.from_json(data["detail"])
    except (ValueError, KeyError, TypeError):
        return None


def _dump_cached(at: datetime, detail: BandiOnlineDetail) -> bytes:
    return json.dumps({"at": at.isoformat(), "detail": detail.to_json()}).encode("utf-8")
