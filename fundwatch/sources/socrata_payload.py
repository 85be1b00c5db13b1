"""The payload shapes the `socrata` kind reads.

- a SODA answer: a JSON array of row objects (what the API returns);
- a SODA error: ``{"error": true, "message": …}`` (sometimes with ``code``), served with 200
  by some proxies: a ParseError carrying the message;
- the recorded wrapper of the Lombardia fixture (made by the recording project, not by
  Socrata): ``{"_source": {"detail_url": …}, "socrata_row": {…}, "detail_fragments": {…}}``;
  its row is read with the detail fragments and the recorded page URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fundwatch.errors import ParseError
from fundwatch.models import Call
from fundwatch.sources.socrata_detail import BandiOnlineDetail, apply_detail, parse_detail

if TYPE_CHECKING:
    from fundwatch.sources.socrata import SocrataParams

__all__ = ["Payload", "read_payload", "resource_url", "with_recorded"]


@dataclass(frozen=True)
class Payload:
    """Rows of one answer; `unreadable` counts array members that are not row objects.
    `details` and `urls` are keyed by the row's identifier value (wrapper payloads only)."""

    rows: list[dict[str, Any]]
    unreadable: int = 0
    details: dict[str, BandiOnlineDetail] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)


def resource_url(params: SocrataParams) -> str:
    return f"https://{params.domain}/resource/{params.dataset}.json"


def read_payload(data: Any, url: str, id_field: str = "codice_bando") -> Payload:
    """Read decoded JSON; `url` is named in errors, `id_field` keys the wrapper's extras."""
    if isinstance(data, list):
        rows = [dict(item) for item in data if isinstance(item, Mapping)]
        return Payload(rows, unreadable=len(data) - len(rows))
    if isinstance(data, Mapping):
        if isinstance(data.get("socrata_row"), Mapping):
            return _wrapper(data, id_field)
        if data.get("error") or "message" in data:
            code = f" [{data['code']}]" if data.get("code") else ""
            raise ParseError(f"Socrata error{code}: {data.get('message', '')}".strip(), url=url)
    raise ParseError(
        f"unexpected payload: a JSON array of rows was expected, got {type(data).__name__}",
        url=url,
    )


def with_recorded(
    call: Call, details: Mapping[str, BandiOnlineDetail], urls: Mapping[str, str]
) -> Call:
    """The call with what a recorded wrapper carried beside its row: page URL, detail page."""
    url = urls.get(call.source_id)
    if url:
        call = call.model_copy(update={"url": url})
    detail = details.get(call.source_id)
    return apply_detail(call, detail) if detail else call


def _wrapper(data: Mapping[str, Any], id_field: str) -> Payload:
    row = dict(data["socrata_row"])
    key = str(row.get(id_field) or "")
    details: dict[str, BandiOnlineDetail] = {}
    urls: dict[str, str] = {}
    fragments = data.get("detail_fragments")
    if key and isinstance(fragments, Mapping):
        html = "\n".join(str(v) for v in fragments.values() if isinstance(v, str))
        detail = parse_detail(html)
        if detail is not None:
            details[key] = detail
    source = data.get("_source")
    if key and isinstance(source, Mapping) and isinstance(source.get("detail_url"), str):
        urls[key] = source["detail_url"]
    return Payload([row], details=details, urls=urls)
