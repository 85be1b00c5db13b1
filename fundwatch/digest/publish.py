"""After a run: queue each profile's digest, write the feed files, flush the outbox.

    publish(config, store, now, matcher=...)   # what `fundwatch run` and the demo call

Per profile, at most one digest per period (day or ISO week, in the reader's zone). The digest
reports the change events after the profile's delivery mark and the calls first seen since the
previous digest; queuing the messages and moving the mark happen in one transaction, so a crash
either queues the digest with its mark or neither, and a second publish in the same period
queues nothing. An empty digest is skipped or sent as "nothing new", as the profile says;
either way the mark moves on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fundwatch.config import Config, Profile
from fundwatch.digest.build import Digest, build_digest
from fundwatch.digest.collect import Collector
from fundwatch.digest.deliver import DeliveryReport, deliver, transport_for
from fundwatch.digest.links import (
    FEED_KINDS,
    Links,
    calendar_path,
    feed_path,
    programme_feed_path,
    source_feed_path,
)
from fundwatch.digest.mail import compose
from fundwatch.digest.matching import Matcher
from fundwatch.digest.options import period_for, period_key
from fundwatch.digest.render import render
from fundwatch.digest.tokens import load_signer
from fundwatch.digest.transports import Transport
from fundwatch.store import SourceHealth, Store, StoredEvent, outbox
from fundwatch.store.outbox import DeliveryMark, NewMessage

CHANNEL = "email"


@dataclass(frozen=True)
class ProfileOutcome:
    profile_id: str
    period: str
    queued: int
    note: str  # "queued", "empty: skipped", "already queued this period", "no recipients"
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # new, changed, closing, closed


@dataclass
class PublishReport:
    profiles: list[ProfileOutcome] = field(default_factory=list)
    feed_files: list[Path] = field(default_factory=list)
    previews: list[Path] = field(default_factory=list)
    delivery: DeliveryReport | None = None


def links_for(config: Config, environ: Mapping[str, str] | None = None) -> Links:
    settings = config.settings
    return Links(settings.public_base_url, load_signer(settings.outbox_dir, environ))


def outbox_id(profile_id: str, period: str, channel: str, recipient: str) -> str:
    who = hashlib.sha256(recipient.lower().encode("utf-8")).hexdigest()[:12]
    return f"{profile_id}:{period}:{channel}:{who}"


def publish(
    config: Config,
    store: Store,
    now: datetime,
    *,
    matcher: Matcher,
    only: Sequence[str] = (),
    send: bool = True,
    write_feeds: bool = True,
    preview_dir: Path | None = None,
    transport: Transport | None = None,
    environ: Mapping[str, str] | None = None,
) -> PublishReport:
    """Queue digests for every profile (or those in `only`), write the feed files
    (`write_feeds`), then flush the outbox (`send`)."""
    links = links_for(config, environ)
    collector = Collector(config, store, links, now, matcher)
    health = store.source_health()
    report = PublishReport()
    events_after: dict[int, tuple[int, list[StoredEvent]]] = {}
    chosen = [p for p in config.profiles if not only or p.id in only]
    collector.prepare(p for p in chosen if _due(store, collector, p, now))
    for profile in chosen:
        report.profiles.append(
            _queue_profile(
                config,
                store,
                collector,
                links,
                profile,
                now,
                health,
                events_after,
                preview_dir,
                report,
            )
        )
    if write_feeds:
        report.feed_files = write_feed_files(collector, Path(config.settings.feed_dir))
    if send:
        report.delivery = deliver(
            store.engine, transport or transport_for(config.settings, environ=environ), now
        )
    return report


def preview(
    config: Config,
    store: Store,
    profile: Profile,
    now: datetime,
    *,
    matcher: Matcher,
    environ: Mapping[str, str] | None = None,
) -> Digest:
    """The digest `publish` would queue for `profile` now (nothing is queued or marked)."""
    links = links_for(config, environ)
    collector = Collector(config, store, links, now, matcher)
    mark = outbox.delivery_mark(store.engine, profile.id, CHANNEL)
    digest, _ = _digest(store, collector, profile, now, mark, store.source_health(), {})
    return digest


def _digest(
    store: Store,
    collector: Collector,
    profile: Profile,
    now: datetime,
    mark: DeliveryMark | None,
    health: list[SourceHealth],
    events_after: dict[int, tuple[int, list[StoredEvent]]],
) -> tuple[Digest, int]:
    """The digest since `mark`, and the id of the newest event it covers.

    Events are the entities' (`Collector.digest_events`): one call seen on several sources
    is reported once, through its most authoritative copy. The mark covers every event read,
    including those that say nothing about an entity."""
    opts = collector.options(profile)
    period = period_for(now, opts, since=mark.covered_until if mark else None)
    if mark is not None:
        if mark.last_event_id not in events_after:  # profiles usually share a mark
            raw = store.events(after_id=mark.last_event_id)
            events_after[mark.last_event_id] = (
                max((e.id for e in raw), default=mark.last_event_id),
                collector.digest_events(raw),
            )
        last_id, events = events_after[mark.last_event_id]
    else:
        raw = store.events(since=period.since)
        last_id = max((e.id for e in raw), default=0)
        events = collector.digest_events(raw)
    matches = collector.matches(profile)
    return build_digest(profile, period, matches, events, health, now, opts), last_id


def _due(store: Store, collector: Collector, profile: Profile, now: datetime) -> bool:
    """Whether `profile` has no digest queued for the current period yet."""
    mark = outbox.delivery_mark(store.engine, profile.id, CHANNEL)
    return mark is None or mark.last_period != period_key(now, collector.options(profile))


def _queue_profile(
    config: Config,
    store: Store,
    collector: Collector,
    links: Links,
    profile: Profile,
    now: datetime,
    health: list[SourceHealth],
    events_after: dict[int, tuple[int, list[StoredEvent]]],
    preview_dir: Path | None,
    report: PublishReport,
) -> ProfileOutcome:
    opts = collector.options(profile)
    key = period_key(now, opts)
    mark = outbox.delivery_mark(store.engine, profile.id, CHANNEL)
    if mark is not None and mark.last_period == key:
        return ProfileOutcome(profile.id, key, 0, "already queued this period")
    digest, last_id = _digest(store, collector, profile, now, mark, health, events_after)
    counts = (len(digest.new), len(digest.changed), len(digest.closing), len(digest.closed))
    new_mark = DeliveryMark(profile.id, CHANNEL, key, last_id, now)
    if digest.empty and not opts.send_empty:
        outbox.enqueue(store.engine, [], new_mark, now)
        return ProfileOutcome(profile.id, key, 0, "empty: skipped", counts)
    messages = []
    sender = str(config.settings.smtp.sender)
    for recipient in profile.recipients:
        address = str(recipient)
        rendered = render(digest, links, address)
        mid = outbox_id(profile.id, key, CHANNEL, address)
        payload = compose(
            rendered,
            outbox_id=mid,
            sender=sender,
            recipient=address,
            unsubscribe_url=links.unsubscribe(profile.id, address),
            profile_id=profile.id,
            language=digest.language,
            now=now,
        )
        messages.append(
            NewMessage(mid, profile.id, CHANNEL, key, address, rendered.subject, payload)
        )
    if preview_dir is not None:
        path = preview_dir / f"{profile.id}-{key}.html"
        _write(path, render(digest, links).html.encode("utf-8"))
        report.previews.append(path)
    added = outbox.enqueue(store.engine, messages, new_mark, now)
    note = "queued" if messages else "no recipients"
    return ProfileOutcome(profile.id, key, len(added), note, counts)


def write_feed_files(collector: Collector, folder: Path) -> list[Path]:
    """Every feed and calendar under `folder`, at the paths the web app serves them.

    A file is rewritten only when its bytes change, so a static server's Last-Modified and
    ETag move only when the feed did.
    """
    written: list[Path] = []
    profiles = collector.config.profiles
    collector.prepare(p for p in profiles if collector.options(p).feeds)

    def put(path: str, body: bytes) -> None:
        target = folder / path.lstrip("/")
        _write(target, body)
        written.append(target)

    for profile in profiles:
        opts = collector.options(profile)
        token = collector.links.token_if(profile.id, opts.private_feeds)
        for kind in FEED_KINDS:
            feed = collector.profile_feed(profile, kind)
            if feed is not None:
                put(feed_path(profile.id, kind, token), feed.body)
        calendar = collector.profile_calendar(profile)
        if calendar is not None:
            put(calendar_path(profile.id, token), calendar.body)
    for kind in FEED_KINDS:
        put(f"/feeds/all.{kind}", collector.all_feed(kind).body)
        for source_id in collector.source_ids():
            feed = collector.source_feed(source_id, kind)
            if feed is not None:
                put(source_feed_path(source_id, kind), feed.body)
        for code in collector.programme_codes():
            feed = collector.programme_feed(code, kind)
            if feed is not None:
                put(programme_feed_path(code, kind), feed.body)
    return written


def _write(target: Path, body: bytes) -> None:
    """Atomically, and not at all when the file already holds these bytes."""
    if target.exists() and target.read_bytes() == body:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(body)
    tmp.replace(target)
