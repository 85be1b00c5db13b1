"""One call seen on two sources is one item in digests, feeds and calendars, with the issuer's
dates; the issuer's copy arriving after the aggregator's is no second "new".

The issuer's copy is the real Piemonte IeFP 2026/2030 page (tests/digest/calls.py: deadline
"Scadenza" 30/07/2026 17:00, 2026-07-30T15:00:00Z), here without the fund, which only the
aggregator's copy (`IEFP_INCENTIVI`: the close day as the end of the local day, the region's
page as its official link) states. Both go through the real pipeline (`record`,
`resolve_entities`) into a real store (SQLite and PostgreSQL).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

from fundwatch.config import Config, SourceConfig
from fundwatch.digest.build import Digest
from fundwatch.digest.collect import Collector
from fundwatch.digest.entities import Entities
from fundwatch.digest.matching import default_matcher
from fundwatch.digest.publish import PublishReport, links_for, preview, publish
from fundwatch.models import Call, SourceResult
from fundwatch.pipeline import record, resolve_entities
from fundwatch.rules import FeedbackStore
from fundwatch.store import Store, StoredCall
from tests.digest.calls import IEFP, IEFP_INCENTIVI
from tests.digest.conftest import ENV, SOURCES, make_config, network

ISSUER_DEADLINE = datetime(2026, 7, 30, 15, 0, tzinfo=UTC)
AGGREGATOR_DEADLINE = datetime(2026, 7, 30, 21, 59, 59, tzinfo=UTC)
A0 = datetime(2026, 7, 24, 20, 0, tzinfo=UTC)
"""The aggregator's run, an evening: the call has been open since 23 July."""
A1 = datetime(2026, 7, 25, 6, 0, tzinfo=UTC)
"""The region's run, the next morning (another day for a daily digest)."""

INCENTIVI = SourceConfig(id="incentivi", kind="incentivi", name="Incentivi.gov.it", authority=10)
ISSUER = IEFP.model_copy(update={"programmes": ()})  # the fund only the aggregator states
AGGREGATED = IEFP_INCENTIVI


@pytest.fixture
def config(tmp_path: Path) -> Config:
    base = make_config(tmp_path, network())
    return dataclasses.replace(base, sources=(*SOURCES, INCENTIVI))


@pytest.fixture
def store(database_url: str, config: Config) -> Iterator[Store]:
    s = Store.open(database_url, clock=lambda: A0)
    s.sync_sources(config.sources)
    yield s
    s.close()


def arrive(config: Config, store: Store, call: Call, at: datetime) -> None:
    """One source run publishing `call`, as `run_sources` records and resolves it."""
    record(store, SourceResult(call.source, "ok", (call,), started_at=at, finished_at=at), 1)
    resolve_entities(config, store)


def run(config: Config, store: Store, now: datetime) -> PublishReport:
    return publish(config, store, now, matcher=default_matcher(config), environ=ENV, send=False)


def digest_at(config: Config, store: Store, now: datetime) -> Digest:
    """The digest `publish` would queue now (nothing queued)."""
    return preview(
        config, store, config.profiles[0], now, matcher=default_matcher(config), environ=ENV
    )


def collector(config: Config, store: Store, now: datetime) -> Collector:
    return Collector(config, store, links_for(config, ENV), now, default_matcher(config))


def feed_entries(config: Config, kind: str) -> list[tuple[str, str, str]]:
    body = (Path(config.settings.feed_dir) / "feeds" / f"ngo-network-brussels.{kind}").read_bytes()
    return [(e.id, e.title, e.link) for e in feedparser.parse(body).entries]


def vevents(config: Config) -> list[tuple[str, datetime, int, str]]:
    body = (Path(config.settings.feed_dir) / "calendar" / "ngo-network-brussels.ics").read_bytes()
    return [
        (str(e["SUMMARY"]), e["DTSTART"].dt, int(e["SEQUENCE"]), str(e["URL"]))
        for e in Calendar.from_ical(body).walk("VEVENT")
    ]


def vevent_uids(config: Config) -> list[str]:
    body = (Path(config.settings.feed_dir) / "calendar" / "ngo-network-brussels.ics").read_bytes()
    return [str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")]


def test_both_copies_are_one_item_with_the_issuers_deadline(config: Config, store: Store) -> None:
    arrive(config, store, AGGREGATED, A0)
    arrive(config, store, ISSUER, A1)
    ids = {s.call.source: s.entity_id for s in store.calls()}
    assert ids["incentivi"] == ids["piemonte-fse"] != ""

    now = A1 + timedelta(hours=1)
    digest = digest_at(config, store, now)
    assert run(config, store, now).profiles[0].counts == (1, 0, 0, 0)
    (item,) = digest.new.items
    assert (item.ref, item.title, item.url, item.deadline) == (
        f"piemonte-fse:{IEFP.source_id}",
        IEFP.title,
        IEFP.url,
        ISSUER_DEADLINE,
    )
    # one entity in the feeds: the first sighting is its "new", the issuer's dates a change
    for kind in ("atom", "rss"):
        entries = feed_entries(config, kind)
        assert [(title, link) for _, title, link in entries] == [
            (f"Changed: {IEFP.title}", IEFP.url),
            (f"New: {IEFP.title}", IEFP.url),
        ]
    # one VEVENT, at the issuer's deadline, moved once from the aggregator's
    assert vevents(config) == [
        (f"Deadline: {IEFP.title}", ISSUER_DEADLINE, 1, IEFP.url),
    ]


def test_the_issuer_arriving_late_is_a_change_not_a_second_new(
    config: Config, store: Store
) -> None:
    arrive(config, store, AGGREGATED, A0)
    first = run(config, store, A0 + timedelta(hours=1))
    assert first.profiles[0].counts == (1, 0, 0, 0)
    told = feed_entries(config, "atom")
    assert [t for _, t, _ in told] == [f"New: {AGGREGATED.title}"]
    assert vevents(config)[0][1:3] == (AGGREGATOR_DEADLINE, 0)
    [uid] = vevent_uids(config)

    arrive(config, store, ISSUER, A1)
    now = A1 + timedelta(hours=1)
    digest = digest_at(config, store, now)
    assert (len(digest.new), len(digest.changed)) == (0, 1)
    (item,) = digest.changed.items
    assert (item.ref, item.deadline) == (f"piemonte-fse:{IEFP.source_id}", ISSUER_DEADLINE)
    assert item.changes == ("deadline brought forward from 30 July at 23:59 to 30 July at 17:00",)
    assert run(config, store, now).profiles[0].counts == (0, 1, 0, 0)

    entries = feed_entries(config, "atom")
    assert len(entries) == 2
    assert entries[1][0] == told[0][0]  # the "new" entry keeps its id: no second announcement
    assert [t for _, t, _ in entries] == [f"Changed: {IEFP.title}", f"New: {IEFP.title}"]
    assert vevents(config) == [(f"Deadline: {IEFP.title}", ISSUER_DEADLINE, 1, IEFP.url)]
    assert vevent_uids(config) == [uid]  # the calendar moves its event, it does not replace it


def test_copies_agreeing_on_the_dates_say_nothing_when_the_issuer_arrives(
    config: Config, store: Store
) -> None:
    arrive(config, store, AGGREGATED.model_copy(update={"deadlines": IEFP.deadlines}), A0)
    run(config, store, A0 + timedelta(hours=1))
    arrive(config, store, ISSUER, A1)
    report = run(config, store, A1 + timedelta(hours=1))
    assert report.profiles[0].counts == (0, 0, 1, 0)  # closing soon, as before: nothing new
    assert [t for _, t, _ in feed_entries(config, "atom")] == [f"New: {IEFP.title}"]


def test_an_aggregator_dropping_its_copy_closes_nothing(config: Config, store: Store) -> None:
    arrive(config, store, AGGREGATED, A0)
    arrive(config, store, ISSUER, A1)
    run(config, store, A1 + timedelta(hours=1))
    later = A1 + timedelta(days=1)
    other = AGGREGATED.model_copy(update={"source_id": "9999", "extra": {}})
    arrive(config, store, other, later)  # a complete run without the call: vanished
    gone = store.find_call("incentivi:5120")
    assert gone is not None and gone.gone
    assert gone.entity_id == store.find_call(f"piemonte-fse:{IEFP.source_id}").entity_id  # type: ignore[union-attr]
    digest = digest_at(config, store, later + timedelta(hours=1))
    assert (len(digest.new), len(digest.changed), len(digest.closed)) == (0, 0, 0)
    assert [i.ref for i in digest.closing.items] == [f"piemonte-fse:{IEFP.source_id}"]
    assert [t for _, t, _ in feed_entries(config, "atom")] == [
        f"Changed: {IEFP.title}",
        f"New: {IEFP.title}",
    ]


def test_matching_judges_the_entity_with_the_fields_only_a_member_gives(
    config: Config, store: Store
) -> None:
    arrive(config, store, AGGREGATED, A0)
    arrive(config, store, ISSUER, A1)
    c = collector(config, store, A1)
    (match,) = c.matches(config.profiles[0])
    assert match.call.key == ISSUER.key
    assert match.call.programmes == AGGREGATED.programmes  # merged from the aggregator
    assert match.call.deadlines == ISSUER.deadlines
    assert match.first_seen == A0
    # the feed of all calls and the fund's feed show the entity once; the source's feed is
    # what the aggregator itself says
    assert [e.title for e in feedparser.parse(c.all_feed("atom").body).entries] == [
        f"Cambiato: {IEFP.title}",
        f"Nuovo: {IEFP.title}",
    ]
    fund = c.programme_feed("ESF+", "atom")
    assert fund is not None
    assert len(feedparser.parse(fund.body).entries) == 2
    source = c.source_feed("incentivi", "atom")
    assert source is not None
    assert [e.title for e in feedparser.parse(source.body).entries] == [
        f"Nuovo: {AGGREGATED.title}"
    ]


def test_calls_alone_in_their_entity_pass_through_untouched() -> None:
    at = datetime(2026, 7, 1, tzinfo=UTC)
    calls = [
        StoredCall(1, ISSUER, at, at, at, False, "e1"),
        StoredCall(2, AGGREGATED, at, at, at, False, ""),
    ]
    view = Entities(calls, {})
    assert view.calls == calls and view.shared == 0
    assert view.representative(2) == 2 and view.represents(1)


def test_a_copy_marked_not_relevant_keeps_its_entity_out_when_the_issuer_takes_over(
    config: Config, store: Store
) -> None:
    arrive(config, store, AGGREGATED, A0)
    assert run(config, store, A0 + timedelta(hours=1)).profiles[0].counts == (1, 0, 0, 0)
    # the reader follows the digest's "not relevant" link on the aggregator's copy
    feedback = FeedbackStore(Path(config.settings.feedback_dir))
    feedback.exclude_call(network().id, f"incentivi:{AGGREGATED.source_id}", A0)

    arrive(config, store, ISSUER, A1)
    now = A1 + timedelta(hours=1)
    assert [m.call.source for m in collector(config, store, now).matches(network())] == []
    digest = digest_at(config, store, now)
    assert (len(digest.new), len(digest.changed), len(digest.closing)) == (0, 0, 0)
    # without the mark, the issuer's copy stands for the entity and is matched
    feedback.include_call(network().id, f"incentivi:{AGGREGATED.source_id}")
    assert [m.call.source for m in collector(config, store, now).matches(network())] == [
        "piemonte-fse"
    ]
