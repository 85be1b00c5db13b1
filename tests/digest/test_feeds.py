"""Atom and RSS, read back with feedparser: stable ids, honest `updated`, escaped titles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from fundwatch.config import Config
from fundwatch.digest.collect import Collector
from fundwatch.digest.links import Links
from fundwatch.digest.matching import default_matcher
from fundwatch.digest.tokens import Signer
from fundwatch.models import SourceResult
from fundwatch.pipeline import record
from fundwatch.store import Store
from tests.digest.calls import EVIL_TITLE, INCUBATION, NOW, PEP, POW, TCS, evil
from tests.digest.conftest import SECRET, SOURCES, T0, T1, seed

LINKS = Links("https://fundwatch.example.org", Signer(SECRET.encode()))


def collector(config: Config, store: Store, now: datetime = NOW) -> Collector:
    return Collector(config, store, LINKS, now, default_matcher(config))


def parse(body: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_profile_atom_reads_back(config: Config, store: Store) -> None:
    feed = collector(config, store).profile_feed(config.profile("comune-torino"), "atom")
    assert feed is not None and feed.content_type.startswith("application/atom+xml")
    parsed = parse(feed.body)
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Bandi per Comune di Torino"
    assert parsed.feed.links[0].href == "https://fundwatch.example.org/feeds/comune-torino.atom"
    entries = [(e.title, e.published, e.updated) for e in parsed.entries]
    # Newest first. Torino is a comune: the Piemonte calls (for citizens and companies) are
    # not for it. Status changes by date carry the instant their date passed.
    changed, closed, new = "Cambiato: ", "Chiuso: ", "Nuovo: "
    assert entries == [
        (changed + TCS.title, "2026-09-16T06:00:00Z", "2026-09-16T06:00:00Z"),  # reopened
        (changed + TCS.title, "2026-09-16T06:00:00Z", "2026-09-16T06:00:00Z"),  # extended
        (closed + TCS.title, "2026-09-09T15:00:00Z", "2026-09-16T06:00:00Z"),
        (closed + INCUBATION.title, "2026-09-02T00:00:00Z", "2026-09-02T00:00:00Z"),
        (changed + PEP.title, "2026-09-01T00:00:00Z", "2026-09-01T00:00:00Z"),
        (new + PEP.title, "2026-08-20T06:00:00Z", "2026-08-20T06:00:00Z"),
        (new + INCUBATION.title, "2026-08-20T06:00:00Z", "2026-08-20T06:00:00Z"),
        (new + POW.title, "2026-08-20T06:00:00Z", "2026-08-20T06:00:00Z"),
        # TCS changed after its "new" entry was published: the entry shows the new deadline
        (new + TCS.title, "2026-08-20T06:00:00Z", "2026-09-16T06:00:00Z"),
    ]
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("tag:fundwatch.example.org,2026:call/") for i in ids)
    moved = next(e for e in parsed.entries if "spostata" in e.summary)
    assert moved.summary.splitlines()[0] == (
        "scadenza spostata dal 9 settembre ore 17:00 al 23 settembre ore 02:00"
    )
    assert moved.link == TCS.url
    assert moved.summary.splitlines()[1:] == [
        "Ente: European Commission",
        "Programma o fondo: European Social Fund (ESF), Employment and Social Innovation "
        "(EaSI), ESF+",
        "Scadenza: 23 settembre 2026, 02:00",
        "Dotazione: 4.700.000 €",
    ]
    assert parsed.feed.updated == "2026-09-16T06:00:00Z"


def test_rss_carries_the_same_entries(config: Config, store: Store) -> None:
    c = collector(config, store)
    profile = config.profile("ngo-network-brussels")
    atom_feed, rss_feed = c.profile_feed(profile, "atom"), c.profile_feed(profile, "rss")
    assert atom_feed is not None and rss_feed is not None
    a, r = parse(atom_feed.body), parse(rss_feed.body)
    assert r.version == "rss20"
    assert [e.id for e in r.entries] == [e.id for e in a.entries]
    assert [e.title for e in r.entries] == [e.title for e in a.entries]
    assert all(e.guidislink is False for e in r.entries)
    assert r.entries[0].published == "Wed, 16 Sep 2026 06:00:00 GMT"
    assert r.feed.title == "Funding calls for European Social Innovation Network (Brussels)"


def test_a_polling_reader_sees_each_event_once(config: Config, tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'poll.db'}")
    try:
        store.sync_sources(SOURCES)
        record(store, SourceResult("eu-esf", "ok", calls=(POW,), started_at=T0, finished_at=T0), 3)
        profile = config.profile("ngo-network-brussels")
        first = parse(collector(config, store, T0).profile_feed(profile, "atom").body)  # type: ignore[union-attr]
        seen = {e.id: e.updated for e in first.entries}
        assert len(seen) == 1
        # polling again with nothing new: the same bytes
        again = collector(config, store, T0 + timedelta(hours=6)).profile_feed(profile, "atom")
        assert again is not None
        assert again.body == collector(config, store, T0).profile_feed(profile, "atom").body  # type: ignore[union-attr]
        record(
            store, SourceResult("eu-esf", "ok", calls=(POW, TCS), started_at=T1, finished_at=T1), 3
        )
        second = parse(collector(config, store, T1).profile_feed(profile, "atom").body)  # type: ignore[union-attr]
        fresh = [e for e in second.entries if e.id not in seen]
        assert [e.title for e in fresh] == [f"New: {TCS.title}"]
        assert {e.id: e.updated for e in second.entries if e.id in seen} == seen
    finally:
        store.close()


def test_entry_ids_do_not_depend_on_the_database(
    config: Config, store: Store, tmp_path: Path
) -> None:
    other = Store.open(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    try:
        seed(other)
        profile = config.profile("comune-torino")
        a = collector(config, store).profile_feed(profile, "atom")
        b = collector(config, other).profile_feed(profile, "atom")
        assert a is not None and b is not None and a.body == b.body
    finally:
        other.close()


def test_markup_in_a_title_is_text_in_atom_and_rss(config: Config, tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'evil.db'}")
    try:
        store.sync_sources(SOURCES)
        record(
            store,
            SourceResult("eu-esf", "ok", calls=(evil(POW),), started_at=T0, finished_at=T0),
            3,
        )
        c = collector(config, store, T0)
        profile = config.profile("ngo-network-brussels")
        atom_body = c.profile_feed(profile, "atom").body  # type: ignore[union-attr]
        rss_body = c.profile_feed(profile, "rss").body  # type: ignore[union-attr]
        for body in (atom_body, rss_body):
            assert b"<script" not in body and b"<img" not in body and b"<b>" not in body
        a = parse(atom_body).entries[0]
        assert a.title == f"New: {EVIL_TITLE}" and a.title_detail.type == "text/plain"
        r = parse(rss_body).entries[0]
        # RSS titles are HTML to readers: ours is escaped HTML, i.e. the text once unescaped
        assert r.title_detail.type == "text/html"
        assert "<script" not in r.title and "&lt;script&gt;" in r.title
    finally:
        store.close()


def test_all_source_and_programme_feeds(config: Config, store: Store) -> None:
    c = collector(config, store)
    everything = parse(c.all_feed("atom").body)
    assert everything.feed.title == "Tutti i bandi seguiti"
    assert len(everything.entries) == 10  # 11 events; IEFP was first seen already closed
    piemonte = c.source_feed("piemonte-fse", "rss")
    assert piemonte is not None
    assert [e.title for e in parse(piemonte.body).entries] == [
        "Nuovo: Contratto di insediamento - Attrazione di investimenti in Piemonte - Grandi "
        "imprese - anno 2024",
    ]
    assert c.source_ids() == ["eu-esf", "piemonte-fse"]
    assert c.programme_codes() == ["43254019", "43254027", "ESF+"]
    esf = c.programme_feed("ESF+", "atom")
    assert esf is not None
    parsed = parse(esf.body)
    assert parsed.feed.title == "Bandi del programma FSE+"
    assert len(parsed.entries) == 9  # the four ESF+ topics' events (IEFP: born closed)
    assert c.source_feed("nowhere", "atom") is None
    assert c.programme_feed("NOPE", "atom") is None


def test_a_non_web_address_is_never_a_link_in_a_feed(config: Config, tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'hostile.db'}")
    try:
        store.sync_sources(SOURCES)
        hostile = POW.model_copy(update={"url": "javascript:alert(document.cookie)"})
        record(
            store, SourceResult("eu-esf", "ok", calls=(hostile,), started_at=T0, finished_at=T0), 3
        )
        c = collector(config, store, T0)
        profile = config.profile("ngo-network-brussels")
        atom_body = c.profile_feed(profile, "atom").body  # type: ignore[union-attr]
        rss_body = c.profile_feed(profile, "rss").body  # type: ignore[union-attr]
        for body in (atom_body, rss_body):
            assert b"javascript:" not in body
        (a,) = parse(atom_body).entries
        assert [link.href for link in a.links] == ["https://fundwatch.example.org"]
        (r,) = parse(rss_body).entries
        assert "link" not in r and r.title == f"New: {POW.title}"
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_empty_feed_is_valid_and_stable(config: Config, tmp_path: Path, kind: str) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        a = collector(config, store).all_feed(kind)
        b = collector(config, store, NOW + timedelta(days=3)).all_feed(kind)
        assert a.body == b.body and a.updated == datetime(2026, 1, 1, tzinfo=UTC)
        assert parse(a.body).entries == []
    finally:
        store.close()
