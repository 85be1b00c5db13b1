"""The public URLs fundwatch hands out, in one place: the web app answers exactly these.

    /feeds/<profile>.atom | .rss          a profile's feed
    /calendar/<profile>.ics               a profile's deadline calendar
    /private/<token>/feeds/<profile>.atom (and .rss, /calendar/…) when the profile is private
    /feeds/all.atom | .rss                every watched call
    /feeds/source/<id>.atom | .rss        one source
    /feeds/programme/<slug>.atom | .rss   one programme or fund (`slug` of its code)
    /unsubscribe/<profile>?r=…&t=…        one-click unsubscribe (RFC 8058 POST, GET confirms)
    /not-relevant/<profile>?c=…&t=…       hide one call from a profile (POST; GET confirms)

The same paths, relative to the feed folder, are where `write_feeds` puts the files, so a static
web server rooted there serves the same URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from fundwatch.digest.tokens import Signer, encode

FEED_KINDS = ("atom", "rss")


def web_url(url: str) -> str | None:
    """`url` if it is a web address (http or https), else None. A source's ``javascript:`` or
    ``data:`` URL must never become a clickable link in a digest, a feed or a calendar."""
    url = url.strip()
    return url if url.lower().startswith(("https://", "http://")) else None


def feed_path(profile_id: str, kind: str, feed_token: str | None = None) -> str:
    prefix = f"/private/{feed_token}" if feed_token else ""
    return f"{prefix}/feeds/{profile_id}.{kind}"


def calendar_path(profile_id: str, feed_token: str | None = None) -> str:
    prefix = f"/private/{feed_token}" if feed_token else ""
    return f"{prefix}/calendar/{profile_id}.ics"


def slug(code: str) -> str:
    """A path segment that needs no quoting, neither in a URL nor as a file name:
    ``ESF+`` -> ``ESF-plus``, ``43254019`` -> ``43254019``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", code.replace("+", "-plus")).strip("-.") or "-"


def source_feed_path(source_id: str, kind: str) -> str:
    return f"/feeds/source/{slug(source_id)}.{kind}"


def programme_feed_path(code: str, kind: str) -> str:
    return f"/feeds/programme/{slug(code)}.{kind}"


@dataclass(frozen=True)
class Links:
    """Absolute links for one installation (`base` is settings.public_base_url)."""

    base: str
    signer: Signer

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + path

    def unsubscribe(self, profile_id: str, recipient: str) -> str:
        token = self.signer.token("unsubscribe", profile_id, recipient.lower())
        query = urlencode({"r": encode(recipient.lower()), "t": token})
        return self.url(f"/unsubscribe/{profile_id}?{query}")

    def not_relevant(self, profile_id: str, ref: str) -> str:
        token = self.signer.token("not-relevant", profile_id, ref)
        query = urlencode({"c": encode(ref), "t": token})
        return self.url(f"/not-relevant/{profile_id}?{query}")

    def feed_token(self, profile_id: str) -> str:
        """The private feed token of a profile: unguessable, stable, nothing stored."""
        return self.signer.token("feed", profile_id)

    def token_if(self, profile_id: str, private: bool) -> str | None:
        return self.feed_token(profile_id) if private else None

    def feed(self, profile_id: str, kind: str, private: bool = False) -> str:
        return self.url(feed_path(profile_id, kind, self.token_if(profile_id, private)))

    def calendar(self, profile_id: str, private: bool = False) -> str:
        return self.url(calendar_path(profile_id, self.token_if(profile_id, private)))
