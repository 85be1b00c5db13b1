"""Canonical URLs: the same official page must compare equal however a site links to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_ga|ref|source)$", re.IGNORECASE)
_SESSION = re.compile(r";jsessionid=[^?#]*", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, https, no ``www.``, no fragment, no tracking parameters
    or jsessionid, sorted query, no trailing slash (except the root)."""
    url = _SESSION.sub("", url.strip())
    parts = urlsplit(url)
    scheme = "https" if parts.scheme.lower() in ("http", "https", "") else parts.scheme.lower()
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    if host.endswith(":443") or host.endswith(":80"):
        host = host.rsplit(":", 1)[0]
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k) and k.lower() != "jsessionid"
        )
    )
    return urlunsplit((scheme, host, path, query, ""))
