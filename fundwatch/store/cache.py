"""Store-backed caches: per-source key/value memory and HTTP validators."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from fundwatch.http import CachedResponse
from fundwatch.store.tables import CacheEntry

_MAX_KEY = 500


def _key(key: str) -> str:
    if len(key) <= _MAX_KEY:
        return key
    return key[:400] + "#sha256:" + hashlib.sha256(key.encode()).hexdigest()


class StoreCache:
    """A KeyValueCache on the cache_entry table, one namespace per source."""

    def __init__(self, engine: Engine, namespace: str, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._ns = namespace
        self._clock = clock

    def get(self, key: str) -> bytes | None:
        with Session(self._engine) as s:
            row = s.get(CacheEntry, (self._ns, _key(key)))
            return row.value if row else None

    def put(self, key: str, value: bytes) -> None:
        with Session(self._engine) as s:
            row = s.get(CacheEntry, (self._ns, _key(key)))
            if row is None:
                row = CacheEntry(
                    namespace=self._ns, key=_key(key), value=value, updated_at=self._clock()
                )
            else:
                row.value = value
                row.updated_at = self._clock()
            s.add(row)
            s.commit()


class StoreHttpCache:
    """An HttpCache (conditional GET validators and bodies) on the cache_entry table."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._kv = StoreCache(engine, "http", clock)

    def get(self, url: str) -> CachedResponse | None:
        raw = self._kv.get(url)
        if raw is None:
            return None
        head, _, body = raw.partition(b"\n")
        meta = json.loads(head)
        return CachedResponse(meta.get("etag"), meta.get("last_modified"), body)

    def put(self, url: str, entry: CachedResponse) -> None:
        head = json.dumps({"etag": entry.etag, "last_modified": entry.last_modified}).encode()
        self._kv.put(url, head + b"\n" + entry.body)
