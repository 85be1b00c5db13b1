"""What a source kind is, and what it is handed.

A source kind is a module that exports `KIND = SourceKind(...)`:

- `params`: a pydantic model (``extra="forbid"``, a description on every field) for the
  ``params:`` block of a source instance in ``config/sources.yaml``;
- `fetch(params, ctx) -> Harvest`: the I/O. It uses only `ctx.client` for the network and
  `ctx.cache` for anything it wants to remember between runs (detail pages, enrichment);
  it raises SourceError subclasses for failures and reports partial results through
  `Harvest.complete`;
- `parse(raw, params, source_id) -> list[Call]`: pure; takes the bytes of one recorded
  payload (a page of results, a feed, a listing) and returns calls. `fundwatch parse` and the
  golden tests call it directly.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from fundwatch.http import HttpClient
from fundwatch.models import Call

P = TypeVar("P", bound=BaseModel)


class SourceParams(BaseModel):
    """Base for every kind's params model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyValueCache(Protocol):
    """Per-source memory between runs (the store implements it; tests use MemoryCache)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...


class MemoryCache:
    """A KeyValueCache that lives as long as the object."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def put(self, key: str, value: bytes) -> None:
        self.data[key] = value


@dataclass
class FetchContext:
    """Everything a fetch may use besides its params.

    `known` maps the source_id of every call stored for this source to its content hash, so a
    kind can fetch detail pages only for new or changed items. `last_good_count` is how many
    calls the last complete run produced (None when there was none): the shape guards compare
    against it. `raw_dir`, when set, receives every payload fetched (``fundwatch fetch
    --save-raw``).
    """

    source_id: str
    now: datetime
    client: HttpClient
    cache: KeyValueCache = field(default_factory=MemoryCache)
    known: Mapping[str, str] = field(default_factory=dict)
    last_good_count: int | None = None
    raw_dir: Path | None = None
    progress: Callable[[str], None] = lambda _msg: None
    _saved: int = 0

    def save_raw(self, name: str, body: bytes | IO[bytes]) -> None:
        """Record a fetched payload when --save-raw asked for it; numbered in fetch order. A
        file object is copied from its current position in chunks (bodies too large to hold)."""
        if self.raw_dir is None:
            return
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self._saved += 1
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120]
        target = self.raw_dir / f"{self._saved:03d}_{safe}"
        if isinstance(body, bytes):
            target.write_bytes(body)
            return
        with target.open("wb") as out:
            shutil.copyfileobj(body, out)


@dataclass
class Harvest:
    """The calls one fetch produced, and whether they are everything the source has.

    `complete=False` (paging stopped short, some detail pages failed) stores what was read but
    forbids any "closed" or "vanished" conclusion from this run.
    """

    calls: list[Call]
    complete: bool = True
    expected: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceKind(Generic[P]):
    name: str
    description: str
    params: type[P]
    fetch: Callable[[P, FetchContext], Harvest]
    parse: Callable[[bytes, P, str], list[Call]]

    def parse_params(self, raw: Mapping[str, Any]) -> P:
        return self.params.model_validate(dict(raw))
