"""The WSGI app behind `fundwatch serve`: feeds, calendars, unsubscribe and "not relevant".

Routes are those of `fundwatch.digest.links`. Feeds and calendars are rendered from the store
on each request (the same code writes the feed folder) and answered with a strong ETag (hash
of the body) and Last-Modified (the newest entry's `updated`), so a polling reader gets
``304 Not Modified`` until something changed. A profile with a private feed token is served
only under ``/private/<token>/…``; its public URLs answer 404, as if it did not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs

from fundwatch import ops
from fundwatch.config import Config, Profile
from fundwatch.digest.collect import Artefact, Collector
from fundwatch.digest.links import FEED_KINDS, Links, slug
from fundwatch.digest.matching import Matcher, feedback_store
from fundwatch.digest.tokens import decode
from fundwatch.store import Store, outbox
from fundwatch.web import pages

log = logging.getLogger("fundwatch.web")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

_FEED = re.compile(r"^/feeds/(?P<name>[A-Za-z0-9._-]+)\.(?P<kind>atom|rss)$")
_GROUP = re.compile(
    r"^/feeds/(?P<group>source|programme)/(?P<slug>[A-Za-z0-9._-]+)\."
    r"(?P<kind>atom|rss)$"
)
_CAL = re.compile(r"^/calendar/(?P<name>[A-Za-z0-9._-]+)\.ics$")
_PRIVATE = re.compile(r"^/private/(?P<token>[^/]+)(?P<rest>/(feeds|calendar)/.+)$")
_ACTION = re.compile(r"^/(?P<action>unsubscribe|not-relevant)/(?P<name>[A-Za-z0-9_-]+)$")
_PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_MAX_BODY = 64 * 1024


@dataclass
class Response:
    status: str
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


class FeedApp:
    """A WSGI application. Build with the loaded config, an open store and a clock."""

    def __init__(
        self,
        config: Config,
        store: Store,
        links: Links,
        *,
        matcher: Matcher,
        clock: Callable[[], datetime],
        scheduler_alive: Callable[[], bool] | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.links = links
        self.matcher = matcher
        self.clock = clock
        self.scheduler_alive = scheduler_alive
        """Set by the daemon; `/healthz` then also reports whether its scheduler runs."""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO", "") or "/"
        try:
            response = self.route(method, path, environ)
        except Exception:
            log.error("%s %s failed:\n%s", method, path, traceback.format_exc())
            response = Response(
                "500 Internal Server Error",
                b"internal error\n",
                [("Content-Type", "text/plain; charset=utf-8")],
            )
        headers = [*response.headers, ("X-Content-Type-Options", "nosniff")]
        if not any(k.lower() == "content-length" for k, _ in headers):
            headers.append(("Content-Length", str(len(response.body))))
        start_response(response.status, headers)
        return [b""] if method == "HEAD" else [response.body]

    # routing ----------------------------------------------------------------------------------

    def route(self, method: str, path: str, environ: dict[str, Any]) -> Response:
        if path == "/healthz":
            return self.health()
        if path == "/metrics":
            return Response(
                "200 OK", ops.metrics_text(self.store), [("Content-Type", ops.METRICS_CONTENT_TYPE)]
            )
        if m := _ACTION.match(path):
            if method not in ("GET", "HEAD", "POST"):
                return _not_allowed("GET, HEAD, POST")
            return self.action(method, m["action"], m["name"], environ)
        if method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        private = None
        if m := _PRIVATE.match(path):
            private, path = m["token"], m["rest"]
        artefact = self.artefact(path, private)
        if artefact is None:
            return self.missing()
        return _conditional(artefact, environ, private=private is not None)

    def health(self) -> Response:
        """200 when the database answers and the scheduler (if any) runs, else 503; the body
        says which, and which sources are failing."""
        alive = self.scheduler_alive() if self.scheduler_alive else None
        state = ops.health(self.store, alive, self.config.settings.daemon.alert_after_failures)
        body = json.dumps(state.as_dict(), indent=2).encode() + b"\n"
        status = "200 OK" if state.ok else "503 Service Unavailable"
        return Response(
            status, body, [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
        )

    def artefact(self, path: str, private: str | None) -> Artefact | None:
        collector = Collector(self.config, self.store, self.links, self.clock(), self.matcher)
        if private is None and (m := _GROUP.match(path)):
            if m["group"] == "source":
                ids = {slug(s): s for s in collector.source_ids()}
                return (
                    collector.source_feed(ids[m["slug"]], m["kind"]) if m["slug"] in ids else None
                )
            codes = {slug(c): c for c in collector.programme_codes()}
            return (
                collector.programme_feed(codes[m["slug"]], m["kind"])
                if m["slug"] in codes
                else None
            )
        if (m := _FEED.match(path)) and m["kind"] in FEED_KINDS:
            if m["name"] == "all" and private is None:
                return collector.all_feed(m["kind"])
            profile = self._profile(m["name"], private, collector)
            return collector.profile_feed(profile, m["kind"]) if profile else None
        if m := _CAL.match(path):
            profile = self._profile(m["name"], private, collector)
            return collector.profile_calendar(profile) if profile else None
        return None

    def _profile(
        self, profile_id: str, private: str | None, collector: Collector
    ) -> Profile | None:
        """The profile if this URL may show it: public URL for a public profile, the right
        token for a private one."""
        profile = next((p for p in self.config.profiles if p.id == profile_id), None)
        if profile is None:
            return None
        if not collector.options(profile).private_feeds:
            return profile if private is None else None
        if private is None:
            return None
        token = self.links.feed_token(profile.id)
        return profile if hmac.compare_digest(private.encode(), token.encode()) else None

    # actions -----------------------------------------------------------------------------------

    def action(
        self, method: str, action: str, profile_id: str, environ: dict[str, Any]
    ) -> Response:
        profile = next((p for p in self.config.profiles if p.id == profile_id), None)
        query = parse_qs(environ.get("QUERY_STRING", ""))
        token = (query.get("t") or [""])[0]
        lang = profile.language if profile else "en"
        signer = self.links.signer
        if action == "unsubscribe":
            address = decode((query.get("r") or [""])[0])
            if (
                profile is None
                or not address
                or not signer.check(token, "unsubscribe", profile.id, address)
            ):
                return _page(
                    "403 Forbidden", pages.page(lang, "bad_title", [pages.say(lang, "bad_line")])
                )
            values = {"email": address, "name": profile.name}
            if method == "POST":
                _read_body(environ)  # RFC 8058 sends "List-Unsubscribe=One-Click"; any POST does
                outbox.unsubscribe(self.store.engine, profile.id, address, self.clock())
                return _page(
                    "200 OK",
                    pages.page(lang, "unsub_done", [pages.say(lang, "unsub_done_line", **values)]),
                )
            return _page(
                "200 OK",
                pages.page(
                    lang,
                    "unsub_title",
                    [pages.say(lang, "unsub_line", **values)],
                    action=_self_url(environ),
                    button_key="unsub_button",
                ),
            )
        ref = decode((query.get("c") or [""])[0])
        if profile is None or not ref or not signer.check(token, "not-relevant", profile.id, ref):
            return _page(
                "403 Forbidden", pages.page(lang, "bad_title", [pages.say(lang, "bad_line")])
            )
        stored = self.store.find_call(ref)
        values = {"title": stored.call.title if stored else ref, "name": profile.name}
        if method == "POST":
            _read_body(environ)
            feedback_store(self.config).exclude_call(
                profile.id, ref, self.clock(), note="not relevant (digest link)"
            )
            return _page(
                "200 OK", pages.page(lang, "nr_done", [pages.say(lang, "nr_done_line", **values)])
            )
        return _page(
            "200 OK",
            pages.page(
                lang,
                "nr_title",
                [pages.say(lang, "nr_line", **values)],
                action=_self_url(environ),
                button_key="nr_button",
            ),
        )

    def missing(self) -> Response:
        return _page(
            "404 Not Found", pages.page("en", "missing_title", [pages.say("en", "missing_line")])
        )


# -- HTTP caching -------------------------------------------------------------------------------


def _conditional(artefact: Artefact, environ: dict[str, Any], *, private: bool) -> Response:
    etag = '"' + hashlib.sha256(artefact.body).hexdigest()[:32] + '"'
    updated = artefact.updated.replace(microsecond=0)
    headers = [
        ("Content-Type", artefact.content_type),
        # a 304 (and a HEAD) states the length of the representation, not of its empty body
        ("Content-Length", str(len(artefact.body))),
        ("ETag", etag),
        ("Last-Modified", format_datetime(updated, usegmt=True)),
        ("Cache-Control", ("private" if private else "public") + ", max-age=300"),
    ]
    if private:
        headers.append(("X-Robots-Tag", "noindex"))
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if etag in tags or "*" in tags:
            return Response("304 Not Modified", b"", headers)
        return Response("200 OK", artefact.body, headers)
    since = _http_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is not None and updated <= since:
        return Response("304 Not Modified", b"", headers)
    return Response("200 OK", artefact.body, headers)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


# -- helpers --------------------------------------------------------------------------------------


def _page(status: str, body: bytes) -> Response:
    return Response(
        status,
        body,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Security-Policy", _PAGE_CSP),
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "no-referrer"),
        ],
    )


def _not_allowed(allow: str) -> Response:
    return Response(
        "405 Method Not Allowed",
        b"method not allowed\n",
        [("Allow", allow), ("Content-Type", "text/plain; charset=utf-8")],
    )


def _self_url(environ: dict[str, Any]) -> str:
    query = environ.get("QUERY_STRING", "")
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"{path}?{query}" if query else path


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if stream is None or length <= 0:
        return b""
    data: bytes = stream.read(min(length, _MAX_BODY))
    return data
