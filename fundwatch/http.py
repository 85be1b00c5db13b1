"""The one HTTP client every source uses.

Polite by construction: a User-Agent that carries a contact address, at most one request per
`min_interval` seconds per host, robots.txt respected (RFC 9309: one the server cannot give
means "keep out"), retries with exponential backoff on timeouts, 429 and 5xx (honouring
Retry-After), conditional GET (ETag / Last-Modified) against a cache, and an optional outbound
proxy (incentivi.gov.it refuses some datacenter networks).

`host_overrides` sends every request for a host to another base URL; the demo uses it to
serve recorded payloads from a loopback server through the real fetch code.

Sources never see httpx exceptions: after the retries every failure is a `FetchError`.
"""

from __future__ import annotations

import email.utils
import json
import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from fundwatch import __version__
from fundwatch.errors import FetchError, ParseError


def _retryable(status: int) -> bool:
    """429 and every 5xx: a busy or failing server, or a CDN in front of one (Cloudflare's
    520-524), may answer the next attempt; other 4xx will not change."""
    return status == 429 or 500 <= status <= 599


@dataclass(frozen=True)
class HttpSettings:
    """How the client behaves. `contact` goes into the User-Agent so site owners can reach us."""

    contact: str = "fundwatch@example.org"
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 120.0
    min_interval: float = 1.0
    respect_robots: bool = True
    proxy: str | None = None
    host_overrides: Mapping[str, str] = field(default_factory=dict)
    overridden_hosts_only: bool = False

    @property
    def user_agent(self) -> str:
        return f"fundwatch/{__version__} (+mailto:{self.contact})"


@dataclass(frozen=True)
class Response:
    """A finished exchange. For a 304 answer `body` is the cached body and `not_modified` is set."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    not_modified: bool = False

    @property
    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
        try:
            return self.body.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(
                f"cannot decode the response as {charset}: {exc}", url=self.url
            ) from exc

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ParseError(f"malformed JSON: {exc}", url=self.url) from exc


@dataclass(frozen=True)
class CachedResponse:
    etag: str | None
    last_modified: str | None
    body: bytes


class HttpCache(Protocol):
    """Where conditional-GET validators and bodies live (the store implements it)."""

    def get(self, url: str) -> CachedResponse | None: ...

    def put(self, url: str, entry: CachedResponse) -> None: ...


class MemoryHttpCache:
    """An HttpCache for one process: tests, `fundwatch parse`, one-off fetches."""

    def __init__(self) -> None:
        self._entries: dict[str, CachedResponse] = {}

    def get(self, url: str) -> CachedResponse | None:
        return self._entries.get(url)

    def put(self, url: str, entry: CachedResponse) -> None:
        self._entries[url] = entry


def _with_params(url: str, params: Mapping[str, str | int] | None) -> str:
    """`url` with `params` merged into its query; a query already in `url` is kept (a
    pagination link such as Plone's ``batching.next`` carries its own)."""
    target = httpx.URL(url)
    return str(target.copy_merge_params(dict(params)) if params else target)


class HttpClient:
    """A polite, retrying HTTP client. Use as a context manager or call `close()`."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        cache: HttpCache | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or HttpSettings()
        self.cache: HttpCache = cache if cache is not None else MemoryHttpCache()
        self._sleep = sleep
        self._monotonic = monotonic
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str | None] = {}
        self.requests_made = 0
        self._client = httpx.Client(
            headers={"User-Agent": self.settings.user_agent},
            timeout=self.settings.timeout,
            follow_redirects=True,
            transport=transport,
            proxy=None if transport is not None else self.settings.proxy,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = False,
    ) -> Response:
        """GET `url`. With `conditional`, send the cached validators and accept a 304."""
        full = _with_params(url, params)
        extra = dict(headers or {})
        cached = self.cache.get(full) if conditional else None
        if cached is not None:
            if cached.etag:
                extra["If-None-Match"] = cached.etag
            if cached.last_modified:
                extra["If-Modified-Since"] = cached.last_modified
        resp = self._send("GET", full, headers=extra)
        if resp.status == 304 and cached is not None:
            return Response(full, 304, resp.headers, cached.body, not_modified=True)
        if conditional and (resp.headers.get("etag") or resp.headers.get("last-modified")):
            self.cache.put(
                full,
                CachedResponse(
                    resp.headers.get("etag"), resp.headers.get("last-modified"), resp.body
                ),
            )
        return resp

    def post(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        files: Mapping[str, tuple[str | None, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST; `files` gives multipart parts as (filename, content, content type)."""
        full = _with_params(url, params)
        return self._send("POST", full, headers=dict(headers or {}), files=files, data=data)

    def download(self, url: str, sink: IO[bytes]) -> Response:
        """GET `url`, writing the body into `sink` as it arrives instead of holding it: for
        bodies too large to keep in memory (the EU catalogue is ~130 MB, and a joined body
        would be held twice). Retried like `get`; each attempt starts `sink` over. The
        returned Response has an empty `body`; the content is in `sink`."""
        return self._send("GET", _with_params(url, None), headers={}, sink=sink)

    # -- internals -----------------------------------------------------------------------

    def _send(
        self, method: str, url: str, *, sink: IO[bytes] | None = None, **kwargs: Any
    ) -> Response:
        target = self._rewrite(url)
        if self.settings.overridden_hosts_only and target == url:
            raise FetchError("offline: no override for this host", url=url)
        if self.settings.respect_robots and not self._allowed(url):
            raise FetchError("disallowed by the site's robots.txt", url=url)
        raw, problem = self._attempts(method, url, target, sink=sink, **kwargs)
        if raw is not None and (raw.status_code < 400 or raw.status_code == 304):
            body = raw.content if sink is None else b""
            return Response(url, raw.status_code, dict(raw.headers), body)
        raise FetchError(problem, url=url)

    def _request(
        self, method: str, target: str, sink: IO[bytes] | None, **kwargs: Any
    ) -> httpx.Response:
        """One exchange. With `sink`, a successful body is streamed into it (from its start)
        and never held whole; an error body is read as usual (it is small)."""
        if sink is None:
            return self._client.request(method, target, **kwargs)
        with self._client.stream(method, target, **kwargs) as raw:
            if raw.status_code < 400:
                sink.seek(0)
                sink.truncate()
                for chunk in raw.iter_bytes(1 << 20):
                    sink.write(chunk)
            else:
                raw.read()
        return raw

    def _attempts(
        self,
        method: str,
        url: str,
        target: str,
        *,
        sink: IO[bytes] | None = None,
        **kwargs: Any,
    ) -> tuple[httpx.Response | None, str]:
        """Send, retrying timeouts, 429 and 5xx with backoff: the last answer (None when the
        last attempt got none) and, unless it is a success, what went wrong."""
        attempts = self.settings.retries + 1
        raw: httpx.Response | None = None
        problem = ""
        for attempt in range(attempts):
            self._wait_turn(url)
            try:
                raw = self._request(method, target, sink, **kwargs)
            except httpx.TransportError as exc:
                raw = None
                problem = f"{type(exc).__name__}: {exc}".rstrip(": ")
                delay = self.settings.backoff * 2**attempt
            else:
                self.requests_made += 1
                if not _retryable(raw.status_code):
                    return raw, f"HTTP {raw.status_code}" if raw.status_code >= 400 else ""
                problem = f"HTTP {raw.status_code}"
                delay = self._retry_after(raw) or self.settings.backoff * 2**attempt
            if attempt + 1 < attempts:
                self._sleep(min(delay, self.settings.max_retry_after))
        return raw, f"{problem} after {attempts} attempts"

    def _rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        base = self.settings.host_overrides.get(parts.netloc)
        if base is None:
            return url
        b = urlsplit(base)
        return urlunsplit((b.scheme, b.netloc, b.path.rstrip("/") + parts.path, parts.query, ""))

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        now = self._monotonic()
        last = self._last_request.get(host)
        if last is not None:
            gap = self.settings.min_interval - (now - last)
            if gap > 0:
                self._sleep(gap)
                now = self._monotonic()
        self._last_request[host] = now

    def _retry_after(self, raw: httpx.Response) -> float | None:
        value = raw.headers.get("retry-after")
        if not value:
            return None
        if value.strip().isdigit():
            return float(value.strip())
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, str):
            raise FetchError(f"robots.txt not readable ({rules}): the host is left alone", url=url)
        return rules is None or rules.can_fetch(self.settings.user_agent, url)

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | str | None:
        """Fetch robots.txt once per origin (RFC 9309). A missing one (4xx) allows everything
        (None); one the server cannot give (429, 5xx, no answer, after the retries) means
        complete disallow for the rest of this client's life (the problem, as a string)."""
        url = origin + "/robots.txt"
        target = self._rewrite(url)
        if self.settings.overridden_hosts_only and target == url:
            return None
        raw, problem = self._attempts("GET", url, target)
        if raw is None or _retryable(raw.status_code):
            return problem
        if raw.status_code >= 400:
            return None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(raw.text.splitlines())
        return parser
