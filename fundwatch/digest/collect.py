"""Read what digests, feeds and calendars need from the store, and make them. I/O at the edge.

`publish`, `fundwatch serve` and the CLI all go through here, so a feed written to the feed
folder and the same feed served over HTTP are the same bytes.

Matching is a parameter (`fundwatch.digest.matching.Matcher`), asked once for all the profiles
a run needs (`Collector.prepare`), or for the one profile a web request names. A profile whose
delivery says `feeds: false` has no feeds or calendar: those answer None (404 on the web).

Readers are told about entities, not copies (`fundwatch.digest.entities`): profile digests,
feeds and calendars, the feed of all calls and the programme feeds show one item per entity,
in its most authoritative source's words and dates. A source's own feed stays what that source
says, copies included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from fundwatch.config import Config, Profile
from fundwatch.digest import i18n
from fundwatch.digest.build import Match
from fundwatch.digest.entities import Entities
from fundwatch.digest.feeds import (
    EMPTY_FEED_UPDATED,
    Feed,
    FeedEvent,
    atom,
    build_feed,
    rss,
    tag_authority,
)
from fundwatch.digest.ics import CalendarCall, calendar
from fundwatch.digest.links import Links, programme_feed_path, source_feed_path
from fundwatch.digest.matching import Matcher
from fundwatch.digest.options import DigestOptions, options_for
from fundwatch.normalize.funds import fund_label
from fundwatch.store import Store, StoredCall, StoredEvent

FEED_DAYS = 90
"""Feeds carry the events of the last 90 days (and at most feeds.MAX_ENTRIES of them); the
calendar leaves out calls whose last deadline is older than that."""
PUBLIC_LANGUAGE: Literal["it", "en"] = "it"
"""Language of the feeds that belong to no profile (all, per source, per programme)."""


@dataclass(frozen=True)
class Artefact:
    """A rendered feed or calendar with what HTTP caching needs."""

    body: bytes
    content_type: str
    updated: datetime


class Collector:
    """Reads the store once per request or run, then answers for any profile."""

    def __init__(
        self, config: Config, store: Store, links: Links, now: datetime, matcher: Matcher
    ) -> None:
        self.config = config
        self.store = store
        self.links = links
        self.now = now
        self.matcher = matcher
        self._calls: list[StoredCall] | None = None
        self._entities: Entities | None = None
        self._recent: list[StoredEvent] | None = None
        self._recent_entities: list[StoredEvent] | None = None
        self._deadline_events: dict[int, list[StoredEvent]] | None = None
        self._matches: dict[str, list[Match]] = {}
        self._position: dict[int, int] | None = None

    # inputs ------------------------------------------------------------------------------------

    @property
    def calls(self) -> list[StoredCall]:
        if self._calls is None:
            self._calls = self.store.calls(include_gone=True)
        return self._calls

    @property
    def entities(self) -> Entities:
        """The stored calls folded by entity, as `resolve_entities` last recorded them."""
        if self._entities is None:
            self._entities = Entities(self.calls, self.config.authority)
        return self._entities

    def recent_events(self) -> list[StoredEvent]:
        if self._recent is None:
            self._recent = self.store.events(since=self.now - timedelta(days=FEED_DAYS))
        return self._recent

    def _recent_of_entities(self) -> list[StoredEvent]:
        if self._recent_entities is None:
            self._recent_entities = self.entities.events(self.recent_events())
        return self._recent_entities

    def digest_events(self, events: list[StoredEvent]) -> list[StoredEvent]:
        """`events` as the entities' events, keyed by their representatives (for
        `build_digest`; see `Entities.events`)."""
        return self.entities.events(events, rekey=True)

    def options(self, profile: Profile) -> DigestOptions:
        return options_for(profile, self.config.settings.timezone)

    def prepare(self, profiles: Iterable[Profile]) -> None:
        """Match every profile of `profiles` not matched yet, all in one pass of the matcher
        (`publish` and `write_feed_files` ask for all their profiles up front)."""
        todo = list({p.id: p for p in profiles if p.id not in self._matches}.values())
        if not todo:
            return
        calls = self.entities.calls
        if self._position is None:
            self._position = {c.id: i for i, c in enumerate(calls)}
        position = self._position
        for profile, verdicts in zip(
            todo, self.matcher.match(todo, calls, self.now, self.entities.aliases), strict=True
        ):
            chosen = sorted(position[i] for i in verdicts if i in position)
            self._matches[profile.id] = [
                Match(c.call, c.id, c.first_seen, tuple(verdicts[c.id]), c.last_changed, c.gone)
                for c in (calls[n] for n in chosen)
            ]

    def matches(self, profile: Profile) -> list[Match]:
        """The profile's matches, one per entity, in the order of `calls` (computed once per
        collector)."""
        if profile.id not in self._matches:
            self.prepare([profile])
        return self._matches[profile.id]

    # feeds ---------------------------------------------------------------------------------------

    def profile_feed(self, profile: Profile, kind: str) -> Artefact | None:
        opts = self.options(profile)
        if not opts.feeds:
            return None
        matches = self.matches(profile)
        feed = self._feed(
            feed_id=f"profile/{profile.id}",
            title_key="feed_title",
            name=profile.name,
            self_url=self.links.feed(profile.id, kind, opts.private_feeds),
            calls={m.call_id: (m, m.last_changed) for m in matches},
            events=self._recent_of_entities(),
            opts=opts,
        )
        return _as(feed, kind)

    def all_feed(self, kind: str) -> Artefact:
        return self._public_feed(
            "all",
            "feed_all",
            "",
            self.links.url(f"/feeds/all.{kind}"),
            self.entities.calls,
            kind,
            self._recent_of_entities(),
        )

    def source_feed(self, source_id: str, kind: str) -> Artefact | None:
        chosen = [c for c in self.calls if c.call.source == source_id]
        known = {s.id: s.name for s in self.config.sources}
        if not chosen and source_id not in known:
            return None
        return self._public_feed(
            f"source/{source_id}",
            "feed_source",
            known.get(source_id) or source_id,
            self.links.url(source_feed_path(source_id, kind)),
            chosen,
            kind,
            self.recent_events(),
        )

    def programme_feed(self, code: str, kind: str) -> Artefact | None:
        """The entities any of whose members names programme `code`."""
        listed = [c for c in self.calls if any(p.code == code for p in c.call.programmes)]
        if not listed:
            return None
        entities = self.entities
        wanted = {entities.representative(c.id) for c in listed}
        return self._public_feed(
            f"programme/{code}",
            "feed_programme",
            _programme_label(code, listed),
            self.links.url(programme_feed_path(code, kind)),
            [c for c in entities.calls if c.id in wanted],
            kind,
            self._recent_of_entities(),
        )

    def programme_codes(self) -> list[str]:
        return sorted({p.code for c in self.calls for p in c.call.programmes})

    def source_ids(self) -> list[str]:
        return sorted({s.id for s in self.config.sources} | {c.call.source for c in self.calls})

    def _public_feed(
        self,
        feed_id: str,
        title_key: str,
        name: str,
        self_url: str,
        chosen: Sequence[StoredCall],
        kind: str,
        events: Sequence[StoredEvent],
    ) -> Artefact:
        settings = self.config.settings
        opts = DigestOptions(language=PUBLIC_LANGUAGE, timezone=settings.timezone)
        pairs = {c.id: (Match(c.call, c.id, c.first_seen), c.last_changed) for c in chosen}
        feed = self._feed(
            feed_id=feed_id,
            title_key=title_key,
            name=name,
            self_url=self_url,
            calls=pairs,
            events=events,
            opts=opts,
        )
        return _as(feed, kind)

    def _feed(
        self,
        *,
        feed_id: str,
        title_key: str,
        name: str,
        self_url: str,
        calls: Mapping[int, tuple[Match, datetime | None]],
        events: Sequence[StoredEvent],
        opts: DigestOptions,
    ) -> Feed:
        authority = tag_authority(self.links.base)
        chosen = [
            FeedEvent(se.event, calls[se.call_id][0].call, calls[se.call_id][1])
            for se in events
            if se.call_id in calls
        ]
        return build_feed(
            feed_id=f"tag:{authority},2026:fundwatch/{feed_id}",
            title=i18n.say(opts.language, title_key, name=name),
            self_url=self_url,
            alternate_url=self.links.base,
            events=chosen,
            language=opts.language,
            zone=opts.zone,
            authority=authority,
        )

    # calendar ------------------------------------------------------------------------------------

    def profile_calendar(self, profile: Profile) -> Artefact | None:
        opts = self.options(profile)
        if not opts.feeds:
            return None
        if self._deadline_events is None:
            grouped: dict[int, list[StoredEvent]] = {}
            kinds = [
                "deadline_extended",
                "deadline_brought_forward",
                "cutoff_added",
                "withdrawn",
                "vanished",
                "reopened",
            ]
            if self.entities.has_late_primary():
                kinds.append("new")  # a late primary's `new` may say the dates changed
            for se in self.entities.events(self.store.events(kinds=kinds)):
                grouped.setdefault(se.call_id, []).append(se)
            self._deadline_events = grouped
        horizon = self.now - timedelta(days=FEED_DAYS)
        items = [
            CalendarCall(
                m.call,
                m.first_seen,
                tuple(se.event for se in self._deadline_events.get(m.call_id, [])),
                uid_key=self.entities.first_key(m.call_id),
            )
            for m in self.matches(profile)
            if any(d.at >= horizon for d in m.call.deadlines)
        ]
        body = calendar(
            items,
            name=profile.name,
            language=opts.language,
            zone=opts.zone,
            reminder_days=opts.reminder_days,
        )
        stamps = [i.first_seen for i in items] + [e.at for i in items for e in i.events]
        updated = max(stamps, default=EMPTY_FEED_UPDATED)
        return Artefact(body, "text/calendar; charset=utf-8", updated)


def _programme_label(code: str, calls: Sequence[StoredCall]) -> str:
    """A fund by the shared vocabulary's label; a programme by its most used label."""
    labels = Counter(
        (p.kind, " ".join(p.label.split()) or code)
        for c in calls
        for p in c.call.programmes
        if p.code == code
    )
    (kind, label), _ = max(labels.items(), key=lambda kv: (kv[1], kv[0][1]))
    return fund_label(code, PUBLIC_LANGUAGE) if kind == "fund" else label


def _as(feed: Feed, kind: str) -> Artefact:
    if kind == "atom":
        return Artefact(atom(feed), "application/atom+xml; charset=utf-8", feed.updated)
    if kind == "rss":
        return Artefact(rss(feed), "application/rss+xml; charset=utf-8", feed.updated)
    raise ValueError(f"unknown feed kind {kind!r}")
