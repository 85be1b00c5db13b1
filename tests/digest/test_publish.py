"""publish(): one digest per profile and period, contiguous coverage, feed files, feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import feedparser

from fundwatch.config import Config
from fundwatch.digest.matching import default_matcher, feedback_store
from fundwatch.digest.publish import PublishReport, publish
from fundwatch.models import Deadline, SourceResult
from fundwatch.pipeline import record
from fundwatch.store import Store, outbox
from tests.digest.calls import INCUBATION, NOW, PEP, POW, TCS
from tests.digest.conftest import ENV, make_config, network, torino, with_profiles

T2 = datetime(2026, 9, 18, 4, 0, tzinfo=UTC)


def run(config: Config, store: Store, now: datetime, **kw: object) -> PublishReport:
    return publish(config, store, now, matcher=default_matcher(config), environ=ENV, **kw)  # type: ignore[arg-type]


def notes(report: PublishReport) -> list[tuple[str, str, str, int]]:
    return [(p.profile_id, p.period, p.note, p.queued) for p in report.profiles]


def eml_subjects(config: Config) -> dict[str, str]:
    out = {}
    for f in sorted(Path(config.settings.outbox_dir).glob("*.eml")):
        msg = message_from_bytes(f.read_bytes(), policy=policy.default)
        out[f.name.rsplit("_", 1)[0]] = str(msg["Subject"])
    return out


def test_one_digest_per_period_and_the_next_starts_where_it_stopped(
    config: Config, store: Store
) -> None:
    first = run(config, store, NOW)
    assert notes(first) == [
        ("comune-torino", "2026-W38", "queued", 2),
        ("ngo-network-brussels", "2026-09-17", "queued", 1),
    ]
    assert first.delivery is not None and len(first.delivery.sent) == 3
    assert notes(run(config, store, NOW + timedelta(hours=3))) == [
        ("comune-torino", "2026-W38", "already queued this period", 0),
        ("ngo-network-brussels", "2026-09-17", "already queued this period", 0),
    ]
    # a third run moves TCS again; the daily profile hears of it the next morning
    later = TCS.model_copy(
        update={"deadlines": (Deadline(at=datetime(2026, 9, 30, 15, 0, tzinfo=UTC)),)}
    )
    record(
        store,
        SourceResult(
            "eu-esf", "ok", calls=(later, POW, INCUBATION, PEP), started_at=T2, finished_at=T2
        ),
        3,
    )
    next_day = NOW + timedelta(days=1)
    assert notes(run(config, store, next_day)) == [
        ("comune-torino", "2026-W38", "already queued this period", 0),
        ("ngo-network-brussels", "2026-09-18", "queued", 1),
    ]
    mark = outbox.delivery_mark(store.engine, "ngo-network-brussels", "email")
    assert mark is not None and mark.covered_until == next_day
    next_week = NOW + timedelta(days=5)  # Tuesday 22 September: Monday's slot has passed
    assert notes(run(config, store, next_week))[0] == ("comune-torino", "2026-W39", "queued", 2)
    subjects = eml_subjects(config)
    network = "European Social Innovation Network (Brussels): "
    assert subjects == {
        "comune-torino_2026-W38_email": "Comune di Torino: 1 modificato",
        "ngo-network-brussels_2026-09-17_email": network + "1 changed",
        "ngo-network-brussels_2026-09-18_email": network + "1 changed",
        # POW (6 October) is now within the 14-day window
        "comune-torino_2026-W39_email": "Comune di Torino: 1 modificato, 1 in scadenza",
        "ngo-network-brussels_2026-09-22_email": network + "2 closing soon",
    }
    body = Path(config.settings.outbox_dir).glob("ngo-network-brussels_2026-09-18_*.eml")
    msg = message_from_bytes(next(body).read_bytes(), policy=policy.default)
    text = msg.get_body(("plain",))
    assert text is not None
    assert "deadline moved from 23 September at 02:00 to 30 September at 17:00" in (
        text.get_content()
    )


def test_empty_digests_are_skipped_or_sent_as_the_profile_says(
    tmp_path: Path, store: Store
) -> None:
    quiet = NOW + timedelta(days=1)
    config = make_config(
        tmp_path,
        torino(frequency="daily", closing_soon_days=1),
        network(empty_digest="send", sections_off=["closing_soon"]),
    )
    run(config, store, NOW)
    report = run(config, store, quiet)
    assert notes(report) == [
        ("comune-torino", "2026-09-18", "empty: skipped", 0),
        ("ngo-network-brussels", "2026-09-18", "queued", 1),
    ]
    assert eml_subjects(config)["ngo-network-brussels_2026-09-18_email"] == (
        "European Social Innovation Network (Brussels): nothing new"
    )
    mark = outbox.delivery_mark(store.engine, "comune-torino", "email")
    assert mark is not None and (mark.last_period, mark.covered_until) == ("2026-09-18", quiet)


def test_a_call_marked_not_relevant_leaves_digest_and_feed(config: Config, store: Store) -> None:
    feedback_store(config).exclude_call("ngo-network-brussels", "eu-esf:ESF-2026-AG-TCS", NOW)
    report = run(config, store, NOW, send=False)
    assert notes(report)[1] == ("ngo-network-brussels", "2026-09-17", "empty: skipped", 0)
    feed = Path(config.settings.feed_dir) / "feeds" / "ngo-network-brussels.atom"
    titles = [e.title for e in feedparser.parse(feed.read_bytes()).entries]
    assert titles and not any(TCS.title in t for t in titles)


def test_feed_files_previews_and_private_feeds(tmp_path: Path, store: Store) -> None:
    config = make_config(tmp_path, torino(private_feeds=True), network(feeds=False))
    report = run(config, store, NOW, send=False, preview_dir=tmp_path / "previews")
    root = Path(config.settings.feed_dir)
    written = sorted(str(p.relative_to(root)) for p in report.feed_files)
    from fundwatch.digest.publish import links_for

    token = links_for(config, ENV).feed_token("comune-torino")
    assert len(token) == 22
    assert written == sorted(
        [
            f"private/{token}/feeds/comune-torino.atom",
            f"private/{token}/feeds/comune-torino.rss",
            f"private/{token}/calendar/comune-torino.ics",
            "feeds/all.atom",
            "feeds/all.rss",
            "feeds/source/eu-esf.atom",
            "feeds/source/eu-esf.rss",
            "feeds/source/piemonte-fse.atom",
            "feeds/source/piemonte-fse.rss",
            "feeds/programme/43254019.atom",
            "feeds/programme/43254019.rss",
            "feeds/programme/43254027.atom",
            "feeds/programme/43254027.rss",
            "feeds/programme/ESF-plus.atom",
            "feeds/programme/ESF-plus.rss",
        ]
    )
    for path in report.feed_files:
        if path.suffix in (".atom", ".rss"):
            assert not feedparser.parse(path.read_bytes()).bozo, path
    assert [p.name for p in report.previews] == [
        "comune-torino-2026-W38.html",
        "ngo-network-brussels-2026-09-17.html",
    ]
    assert "Aggiornamento della settimana 2026-W38" in report.previews[0].read_text()
    # the digest points at the private URLs
    (queued,) = [m for m in outbox.messages(store.engine) if m.recipient.startswith("giunta")]
    assert f"/private/{token}/feeds/comune-torino.atom".encode() in queued.payload.replace(
        b"=\r\n", b""
    )
    # writing again leaves unchanged files untouched (static servers keep their validators)
    stamps = {p: p.stat().st_mtime_ns for p in report.feed_files}
    again = run(
        with_profiles(config, *config.profiles), store, NOW + timedelta(minutes=5), send=False
    )
    assert {p: p.stat().st_mtime_ns for p in again.feed_files} == stamps
