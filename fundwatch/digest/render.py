"""Render a Digest as e-mail HTML and plain text, in the profile's language.

Templates live in ``templates/``: jinja2 with StrictUndefined (a missing value fails the render
instead of printing nothing) and autoescape on every ``.html.j2`` (a call title carrying markup
is shown as text). The HTML is built for mail clients: one 640 px column of tables with inline
CSS, no images, no scripts, readable at phone width, headings and `lang` for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from fundwatch.digest import i18n
from fundwatch.digest.build import Digest, Item
from fundwatch.digest.links import Links, web_url
from fundwatch.models import Status


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("fundwatch.digest", "templates"),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def subject(digest: Digest) -> str:
    """ "Comune di Torino: 3 nuovi bandi, 1 modificato, 2 in scadenza"."""
    lang = digest.language
    parts = [
        i18n.count(lang, key, len(section))
        for key, section in (
            ("n_new", digest.new),
            ("n_changed", digest.changed),
            ("n_closing", digest.closing),
            ("n_closed", digest.closed),
        )
        if len(section)
    ]
    if not parts:
        return i18n.say(lang, "subject_empty", name=digest.profile_name)
    return i18n.say(lang, "subject", name=digest.profile_name, parts=", ".join(parts))


def render(digest: Digest, links: Links, recipient: str | None = None) -> Rendered:
    """Subject, HTML and text of `digest`; `recipient` adds the unsubscribe link and the
    "why you receive this" line (a preview has none)."""
    view = _View(digest, links, recipient)
    env = environment()
    context = {"d": digest, "v": view, "t": i18n.TEXT[i18n.lang_of(digest.language)]}
    return Rendered(
        subject=subject(digest),
        html=env.get_template("digest.html.j2").render(context),
        text=env.get_template("digest.txt.j2").render(context),
    )


class _View:
    """Formatting for templates: every date, amount and link goes through here."""

    def __init__(self, digest: Digest, links: Links, recipient: str | None) -> None:
        self.digest = digest
        self.links = links
        self.recipient = recipient
        self.lang = i18n.lang_of(digest.language)
        self.zone = digest.options.zone
        private = digest.options.private_feeds
        self.feeds = digest.options.feeds
        self.feed_url = links.feed(digest.profile_id, "atom", private)
        self.rss_url = links.feed(digest.profile_id, "rss", private)
        self.calendar_url = links.calendar(digest.profile_id, private)
        self.unsubscribe_url = links.unsubscribe(digest.profile_id, recipient) if recipient else ""

    def say(self, key: str, **values: object) -> str:
        return i18n.say(self.lang, key, **values)

    def when(self, value: datetime) -> str:
        return i18n.when(value, self.lang, self.zone)

    def day(self, value: datetime) -> str:
        return i18n.day(value, self.lang, self.zone)

    def _since(self, value: datetime) -> str:
        """ "since 3 November" / "dal 3 novembre", "dall'8 novembre" (Italian elision)."""
        day = self.day(value)
        if self.lang != "it":
            return f"since {day}"
        first = day.split(" ", 1)[0]
        return f"dall'{day}" if first in ("8", "11") else f"dal {day}"

    def money(self, value: Decimal) -> str:
        return i18n.money(value, self.lang)

    def status(self, value: Status) -> str:
        return i18n.status_word(value, self.lang)

    def deadline(self, item: Item) -> str:
        if item.deadline is None:
            return self.say("rolling") if item.rolling else self.say("no_deadline")
        text = self.when(item.deadline)
        if item.days_left is not None:
            text += f" ({i18n.days_left(item.days_left, self.lang)})"
        return text

    def href(self, url: str) -> str:
        """Only web links are clickable: a source's ``javascript:`` URL becomes inert."""
        return web_url(url) or "#"

    def not_relevant(self, item: Item) -> str:
        return self.links.not_relevant(self.digest.profile_id, item.ref)

    def period(self) -> str:
        p = self.digest.period
        if "W" in p.key:
            return self.say("period_weekly", week=p.key)
        return self.say("period_daily", day=self.day(p.until))

    def covering(self) -> str:
        p = self.digest.period
        return self.say("covering", since=self.when(p.since), until=self.when(p.until))

    def health_lines(self) -> list[str]:
        out = []
        for note in self.digest.health.problems:
            at = self.when(note.last_success_at) if note.last_success_at else ""
            if note.state == "failing":
                key = "failing" if note.last_success_at else "failing_never"
                since = self._since(note.failing_since) if note.failing_since else ""
                if since:
                    key += "_since"
                out.append(
                    self.say(key, name=note.name, runs=max(note.failures, 1), at=at, since=since)
                )
            elif note.state == "partial":
                out.append(self.say("partial", name=note.name))
            else:
                out.append(self.say("never", name=note.name))
        return out

    def health_summary(self) -> str:
        h = self.digest.health
        if not h.problems:
            return self.say("health_ok", n=h.checked)
        return self.say("health_some", n=h.checked, ok=h.ok, bad=len(h.problems))

    def sections(self) -> list[tuple[str, str, list[Item], int]]:
        """(key, heading, items, omitted) of the sections with something to show."""
        d = self.digest
        out = []
        for key, section in (
            ("new", d.new),
            ("changed", d.changed),
            ("closing_soon", d.closing),
            ("closed", d.closed),
        ):
            if len(section):
                heading = self.say(key, days=d.options.closing_days)
                out.append((key, heading, list(section.items), section.omitted))
        return out
