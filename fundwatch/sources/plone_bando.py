"""Plone sites of Italian public administrations that publish calls as ``Bando`` content.

Site: Regione Emilia-Romagna (politicheterritoriali.regione.emilia-romagna.it and its sibling
sites; any Plone site with the redturtle.bandi / design.plone.contenttypes ``Bando`` type
works by setting ``base_url``). Endpoint: ``GET <base>/++api++/@search?portal_type=Bando
&fullobjects=1&b_size=50&sort_on=created&sort_order=ascending``, paged by following
``batching.next`` until it is absent; ``items_total`` is what the site announces.

Fields: ``apertura_bando`` (opening), ``scadenza_bando`` (deadline), ``chiusura_procedimento_
bando`` (end of the procedure, a date: kept in extra, not a deadline), ``bando_state`` (a
``[token, label]`` pair: open "Attivo", inProgress "In corso" = applications closed and the
procedure under way, closed "Chiuso", scheduled), ``destinatari`` (who may apply),
``materie`` (themes), ``tipologia_bando`` (mapped to `Call.call_type`: grant, register,
expression_of_interest, procurement, recruitment), ``ente_bando``, ``description``,
``text.data``. A call the site states open (or scheduled) without any deadline is rolling.

Quirks: naive, ``+00:00`` and null dates mixed in one payload. Naive values are UTC: the
REST deserializer of these sites stores naive datetimes in UTC (``naive_tz`` to change it);
``scadenza_bando`` carries its offset (``2026-02-12T22:55:00+00:00`` is 23:55 in Rome).
Vocabulary values come as strings or as ``{"token", "title"}`` objects; ``ente_bando`` may be
null, a string or a list. ``batching.next`` may name another host than the one asked (a
backend behind a proxy): its query is then sent to the configured search URL.

Fixture: tests/fixtures/emilia_romagna/ (18 real items in a wrapper made by the recording
project, ``{"_note", "_source", "_captured", "items"}``; accepted as a payload, it has no
``batching``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from fundwatch.errors import ParseError
from fundwatch.models import Call, Deadline
from fundwatch.normalize import ROME, html_to_text, one_line, parse_datetime
from fundwatch.normalize.audiences import audiences_from_text
from fundwatch.normalize.funds import funds_from_text
from fundwatch.normalize.territories import territories_from_text
from fundwatch.sources.base import FetchContext, Harvest, SourceKind, SourceParams
from fundwatch.sources.guards import check_shape
from fundwatch.sources.site_defaults import known_zone

__all__ = ["KIND", "PloneBandoParams", "PlonePage", "read_page"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# States the site computes for a call that takes applications now or will: without a deadline
# such a call is open-ended (rolling).
_OPEN_ENDED = frozenset({"open", "scheduled"})
_CALL_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"appalt|\bgar[ae]\b|forniture|concessioni", re.I), "procurement"),
    (re.compile(r"manifestazion\w*\s+d(?:i\s+|')\s*interesse", re.I), "expression_of_interest"),
    (re.compile(r"\balbi\b|\belenc\w+|accreditament|iscrizion", re.I), "register"),
    (re.compile(r"concors|personale|incarich", re.I), "recruitment"),
    (
        re.compile(r"agevolazion|finanziament|contribut|sovvenzion|incentiv|premi\b|borse", re.I),
        "grant",
    ),
)


class PloneBandoParams(SourceParams):
    """Parameters of a `plone_bando` source."""

    base_url: str = Field(
        default="https://politicheterritoriali.regione.emilia-romagna.it",
        description="Root of the Plone site (no trailing slash needed).",
    )
    api_prefix: str = Field(
        default="++api++",
        description="Path segment before @search: '++api++' on Volto sites, '' on classic ones.",
    )
    portal_type: str = Field(default="Bando", description="Content type of the calls.")
    query: dict[str, str] = Field(
        default_factory=dict,
        description="Further @search parameters, e.g. {'path.query': '/bandi'}.",
    )
    sort_on: str = Field(default="created", description="Catalog index to sort on (stable).")
    sort_order: str = Field(default="ascending", description="ascending or descending.")
    page_size: int = Field(default=50, ge=1, le=1000, description="Items per page (b_size).")
    max_pages: int = Field(default=40, ge=1, description="Stop (incomplete) after this many.")
    issuer: str = Field(
        default="Regione Emilia-Romagna", description="Issuer when ente_bando is empty."
    )
    territory: str = Field(
        default="Emilia-Romagna", description="Where the calls apply (read by the territory table)."
    )
    language: str = Field(default="it", description="Language of titles and texts.")
    naive_tz: str = Field(
        default="UTC", description="Zone of dates written without an offset (IANA name)."
    )

    @field_validator("naive_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)


class PlonePage:
    """One @search answer: its items, the announced total and the next page, if any."""

    def __init__(
        self, items: list[Mapping[str, Any]], total: int | None, next_url: str | None
    ) -> None:
        self.items = items
        self.total = total
        self.next_url = next_url


def read_page(data: Any, url: str) -> PlonePage:
    """Decoded JSON of an @search answer, a recorded wrapper with ``items``, a list of items
    or one full object; a Plone error object or anything else is a ParseError naming `url`."""
    if isinstance(data, list):
        return PlonePage([i for i in data if isinstance(i, Mapping)], len(data), None)
    if not isinstance(data, Mapping):
        raise ParseError(f"unexpected payload: {type(data).__name__}", url=url)
    if isinstance(data.get("items"), list):
        batching = data.get("batching")
        next_url = batching.get("next") if isinstance(batching, Mapping) else None
        total = data.get("items_total")
        return PlonePage(
            [i for i in data["items"] if isinstance(i, Mapping)],
            total if isinstance(total, int) else None,
            next_url if isinstance(next_url, str) and next_url else None,
        )
    if "UID" in data and "title" in data:
        return PlonePage([data], 1, None)
    if "message" in data or "error" in data:
        kind = data.get("type") or "error"
        raise ParseError(f"Plone {kind}: {one_line(str(data.get('message', '')))}", url=url)
    raise ParseError("unexpected payload: no 'items' list", url=url)


def parse(raw: bytes, params: PloneBandoParams, source_id: str) -> list[Call]:
    url = _search_url(params)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ParseError(f"malformed JSON: {exc}", url=url) from exc
    page = read_page(data, url)
    return [c for c in (_item_call(i, params, source_id) for i in page.items) if c is not None]


def fetch(params: PloneBandoParams, ctx: FetchContext) -> Harvest:
    """Follow ``batching.next`` from the first @search page; stop short = incomplete."""
    url: str | None = _search_url(params)
    query: dict[str, str | int] | None = {
        "portal_type": params.portal_type,
        "fullobjects": 1,
        "b_size": params.page_size,
        "sort_on": params.sort_on,
        "sort_order": params.sort_order,
        **params.query,
    }
    items: list[Mapping[str, Any]] = []
    total: int | None = None
    notes: list[str] = []
    seen: set[str] = set()
    last = ""
    complete = True
    for page_no in range(params.max_pages):
        if url is None:
            break
        resp = ctx.client.get(url, params=query, headers={"Accept": "application/json"})
        last = resp.url
        seen.add(resp.url)
        ctx.save_raw(f"search_{page_no}.json", resp.body)
        page = read_page(resp.json(), resp.url)
        items.extend(page.items)
        if total is None:
            total = page.total
        ctx.progress(f"page {page_no + 1}: {len(page.items)} items")
        url, query = (_on_base(page.next_url, params) if page.next_url else None), None
        if url is not None and url in seen:
            notes.append(f"batching.next points back to a page already read: {url}")
            complete, url = False, None
    if url is not None:
        complete = False
        notes.append(f"stopped after {params.max_pages} pages; raise max_pages")
    calls = [c for c in (_item_call(i, params, ctx.source_id) for i in items) if c is not None]
    check_shape(len(calls), len(items), ctx.last_good_count, last)
    if total is not None and len(items) < total:
        complete = False
        notes.append(f"read {len(items)} of the {total} items the site announces")
    return Harvest(calls, complete=complete, expected=total, notes=notes)


KIND: SourceKind[PloneBandoParams] = SourceKind(
    name="plone_bando",
    description="Plone REST @search of Bando content (Regione Emilia-Romagna by default).",
    params=PloneBandoParams,
    fetch=fetch,
    parse=parse,
)


# -- one item -------------------------------------------------------------------------------


def _item_call(item: Mapping[str, Any], params: PloneBandoParams, source: str) -> Call | None:
    url = _page_url(_text(item.get("@id")))
    source_id = _text(item.get("UID")) or url
    title = _text(item.get("title"))
    if not source_id or not title or not url:
        return None
    naive = ZoneInfo(params.naive_tz)
    destinatari = _texts(item.get("destinatari"))
    description = _text(item.get("description"))
    body = html_to_text(_rich_text(item.get("text")))
    deadline = _when(item.get("scadenza_bando"), naive, end_of_day=True)
    token, label = _state(item.get("bando_state"))
    tipologia = _text(item.get("tipologia_bando"))
    extra = {"bando_state": token} if token else {}
    if tipologia:
        extra["tipologia_bando"] = tipologia
    for key, name in (
        ("chiusura_procedimento_bando", "procedure_closes"),
        ("effective", "published"),
        ("modified", "modified"),
    ):
        moment = _when(item.get(key), naive, end_of_day=key == "chiusura_procedimento_bando")
        if moment is not None:
            extra[name] = moment.isoformat()
    audience_raw = "; ".join(destinatari)
    return Call(
        source=source,
        source_id=source_id,
        url=url,
        language=params.language,
        titles={params.language: title},
        summary="\n\n".join(part for part in (description, body) if part),
        issuer="; ".join(_texts(item.get("ente_bando"))) or params.issuer,
        programmes=funds_from_text(f"{title}\n{description}"),
        audiences=audiences_from_text(audience_raw),
        audience_raw=audience_raw,
        territories=territories_from_text(params.territory) if params.territory else (),
        territory_raw=params.territory,
        opens_at=_when(item.get("apertura_bando"), naive, end_of_day=False),
        deadlines=(Deadline(at=deadline),) if deadline else (),
        rolling=deadline is None and token in _OPEN_ENDED,
        stated_status=label or token,
        call_type=_call_type(tipologia),
        themes=tuple(_texts(item.get("materie"))),
        extra=extra,
    )


def _text(value: Any) -> str:
    """One value as one line: vocabulary terms are ``{"token", "title"}`` objects."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, Mapping):
        return _text(value.get("title") or value.get("token") or "")
    if isinstance(value, list):
        return "; ".join(_texts(value))
    return one_line(str(value))


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(t for t in (_text(v) for v in items) if t))


def _rich_text(value: Any) -> str:
    if isinstance(value, Mapping):
        data = value.get("data")
        return data if isinstance(data, str) else ""
    return value if isinstance(value, str) else ""


def _state(value: Any) -> tuple[str, str]:
    """``["inProgress", "In corso"]`` (or a token/title object, or a bare token)."""
    if isinstance(value, list):
        parts = [_text(v) for v in value]
        return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "")
    if isinstance(value, Mapping):
        return _text(value.get("token")), _text(value.get("title"))
    return _text(value), ""


def _when(value: Any, naive: ZoneInfo, *, end_of_day: bool) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    if _DATE_ONLY.match(text):
        return parse_datetime(text, ROME, end_of_day=end_of_day)
    return parse_datetime(text, naive, end_of_day=end_of_day)


def _call_type(tipologia: str) -> str:
    for pattern, code in _CALL_TYPES:
        if pattern.search(tipologia):
            return code
    return ""


def _page_url(url: str) -> str:
    return url.replace("/++api++", "")


def _search_url(params: PloneBandoParams) -> str:
    prefix = params.api_prefix.strip("/")
    return "/".join(p for p in (params.base_url.rstrip("/"), prefix, "@search") if p)


def _on_base(url: str, params: PloneBandoParams) -> str:
    """`url` when it is on the configured site; otherwise its query on the search URL (a
    next link that names a backend host or another scheme still carries the right batch)."""
    base, parts = urlsplit(_search_url(params)), urlsplit(url)
    if (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
        return url
    return urlunsplit((base.scheme, base.netloc, base.path, parts.query, ""))
