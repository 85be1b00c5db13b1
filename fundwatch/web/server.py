"""A small threaded HTTP server for the WSGI app (the standard library's wsgiref).

Loopback by default: to publish feeds on the internet, put a reverse proxy (TLS, rate limits)
in front, or write the feed folder and let a static web server serve it.
"""

from __future__ import annotations

import ipaddress
import logging
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.simple_server import make_server as _make_server

from fundwatch.web.app import FeedApp

log = logging.getLogger("fundwatch.web")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    """Request lines go to the logger, not to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s - %s", self.address_string(), format % args)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(app: FeedApp, host: str = "127.0.0.1", port: int = 8080) -> WSGIServer:
    """A server bound to `host`:`port` (port 0 picks a free one); call serve_forever()."""
    return _make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
