"""`fundwatch serve`'s app through a real HTTP server on a loopback port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest
from icalendar import Calendar
from prometheus_client.parser import text_string_to_metric_families

from fundwatch.config import Config
from fundwatch.digest.collect import Collector
from fundwatch.digest.matching import default_matcher, feedback_store
from fundwatch.digest.publish import links_for, write_feed_files
from fundwatch.models import SourceResult
from fundwatch.pipeline import record
from fundwatch.store import Store, outbox
from fundwatch.web import FeedApp, make_server
from tests.digest.calls import EVIL_TITLE, NOW, POW, evil
from tests.digest.conftest import ENV, SOURCES, T1, make_config, network, seed, torino


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path / 'web.db'}")
    seed(s)
    yield s
    s.close()


class Served:
    def __init__(self, config: Config, store: Store) -> None:
        links = links_for(config, ENV)
        self.config, self.store, self.links = config, store, links
        self.app = FeedApp(config, store, links, matcher=default_matcher(config), clock=lambda: NOW)
        self.server = make_server(self.app, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.http = httpx.Client(base_url=self.base, timeout=10)

    def path(self, url: str) -> str:
        """A public link (https://fundwatch.example.org/...) as a path on this server."""
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def __enter__(self) -> Served:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()
        self.server.shutdown()
        self.server.server_close()


def serve(tmp_path: Path, store: Store, *profiles: object) -> Served:
    return Served(make_config(tmp_path, *profiles), store)  # type: ignore[arg-type]


def test_feeds_with_validators_and_304(tmp_path: Path, store: Store) -> None:
    with serve(tmp_path, store) as web:
        r = web.http.get("/feeds/comune-torino.atom")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
        assert r.headers["last-modified"] == "Wed, 16 Sep 2026 06:00:00 GMT"
        assert r.headers["cache-control"] == "public, max-age=300"
        etag = r.headers["etag"]
        # the same bytes as the file written for a static server
        files = write_feed_files(
            Collector(web.config, store, web.links, NOW, default_matcher(web.config)),
            Path(web.config.settings.feed_dir),
        )
        written = next(f for f in files if f.name == "comune-torino.atom")
        assert r.content == written.read_bytes()
        assert not feedparser.parse(r.content).bozo

        again = web.http.get("/feeds/comune-torino.atom", headers={"If-None-Match": etag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
        assert again.headers["content-length"] == r.headers["content-length"] == str(len(r.content))
        assert (
            web.http.get(
                "/feeds/comune-torino.atom",
                headers={"If-Modified-Since": r.headers["last-modified"]},
            ).status_code
            == 304
        )
        earlier = format_datetime(T1 - timedelta(seconds=1), usegmt=True)
        assert (
            web.http.get(
                "/feeds/comune-torino.atom", headers={"If-Modified-Since": earlier}
            ).status_code
            == 200
        )
        assert (
            web.http.get(
                "/feeds/comune-torino.atom", headers={"If-None-Match": '"other"'}
            ).status_code
            == 200
        )
        head = web.http.head("/feeds/comune-torino.atom")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == etag

        # a new event changes the feed: the old validator no longer matches
        record(
            store,
            SourceResult(
                "eu-esf",
                "ok",
                calls=(
                    POW.model_copy(
                        update={
                            "budget": POW.budget.model_copy(
                                update={"total_eur": Decimal("5000000")}
                            )
                        }
                    ),
                ),
                started_at=NOW - timedelta(hours=1),
                finished_at=NOW - timedelta(hours=1),
            ),
            3,
        )
        changed = web.http.get("/feeds/comune-torino.atom", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_every_feed_kind_is_served(tmp_path: Path, store: Store) -> None:
    with serve(tmp_path, store) as web:
        for path, kind in [
            ("/feeds/ngo-network-brussels.rss", "rss20"),
            ("/feeds/all.atom", "atom10"),
            ("/feeds/all.rss", "rss20"),
            ("/feeds/source/piemonte-fse.atom", "atom10"),
            ("/feeds/programme/ESF-plus.rss", "rss20"),
        ]:
            r = web.http.get(path)
            assert r.status_code == 200, path
            parsed = feedparser.parse(r.content)
            assert (parsed.version, parsed.bozo) == (kind, False), path
        cal = web.http.get("/calendar/comune-torino.ics")
        assert cal.headers["content-type"] == "text/calendar; charset=utf-8"
        assert len(Calendar.from_ical(cal.content).walk("VEVENT")) == 4
        for path in (
            "/feeds/nobody.atom",
            "/feeds/comune-torino.json",
            "/calendar/x.ics",
            "/feeds/source/nowhere.atom",
            "/feeds/programme/NOPE.atom",
            "/",
        ):
            assert web.http.get(path).status_code == 404, path
        post = web.http.post("/feeds/all.atom")
        assert (post.status_code, post.headers["allow"]) == (405, "GET, HEAD")
        health = web.http.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "database": "ok",
            "scheduler": "not running here",
            "failing_sources": [],
        }
        metrics = web.http.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain; version=")
        names = {f.name for f in text_string_to_metric_families(metrics.text)}
        assert {"fundwatch_source_runs", "fundwatch_calls_stored", "fundwatch_events"} <= names


def test_private_feeds_answer_only_under_their_token(tmp_path: Path, store: Store) -> None:
    with serve(tmp_path, store, torino(private_feeds=True), network(feeds=False)) as web:
        token = web.links.feed_token("comune-torino")
        assert web.http.get("/feeds/comune-torino.atom").status_code == 404
        assert web.http.get("/calendar/comune-torino.ics").status_code == 404
        ok = web.http.get(f"/private/{token}/feeds/comune-torino.atom")
        assert ok.status_code == 200
        assert ok.headers["cache-control"] == "private, max-age=300"
        assert web.http.get(f"/private/{token}/calendar/comune-torino.ics").status_code == 200
        assert web.http.get(f"/private/{token[:-1]}x/feeds/comune-torino.atom").status_code == 404
        assert web.http.get(f"/private/{token}/feeds/all.atom").status_code == 404
        # a profile without feeds has none, public or private
        assert web.http.get("/feeds/ngo-network-brussels.atom").status_code == 404
        other = web.links.feed_token("ngo-network-brussels")
        assert web.http.get(f"/private/{other}/feeds/ngo-network-brussels.atom").status_code == 404


def test_one_click_unsubscribe(tmp_path: Path, store: Store) -> None:
    with serve(tmp_path, store) as web:
        link = web.path(web.links.unsubscribe("comune-torino", "giunta@example.org"))
        page = web.http.get(link)
        assert page.status_code == 200
        assert 'method="post"' in page.text and "giunta@example.org" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        assert not outbox.is_unsubscribed(store.engine, "comune-torino", "giunta@example.org")
        # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's URL
        done = web.http.post(
            link,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200 and "Iscrizione annullata" in done.text
        assert outbox.is_unsubscribed(store.engine, "comune-torino", "giunta@example.org")
        # a token for one address does not unsubscribe another
        forged = link.replace("Z2l1bnRh", "Zm9uZGk")
        assert web.http.post(forged).status_code == 403
        assert not outbox.is_unsubscribed(
            store.engine, "comune-torino", "fondi.europei@example.org"
        )
        assert web.http.get("/unsubscribe/comune-torino?r=x&t=y").status_code == 403


def test_not_relevant_escapes_the_title_and_writes_the_feedback(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'evil.db'}")
    try:
        store.sync_sources(SOURCES)
        record(
            store,
            SourceResult("eu-esf", "ok", calls=(evil(POW),), started_at=T1, finished_at=T1),
            3,
        )
        with serve(tmp_path, store) as web:
            link = web.path(web.links.not_relevant("ngo-network-brussels", "eu-esf:ESF-2026-POW"))
            page = web.http.get(link)
            assert page.status_code == 200
            assert "<script" not in page.text and "<img" not in page.text
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
            feed = web.http.get("/feeds/ngo-network-brussels.atom")
            assert "<script" not in feed.text
            assert feedparser.parse(feed.content).entries[0].title == f"New: {EVIL_TITLE}"
            assert web.http.post(link).status_code == 200
            excluded = feedback_store(web.config).load("ngo-network-brussels").excluded
            assert list(excluded) == ["eu-esf:ESF-2026-POW"]
            assert (
                feedparser.parse(web.http.get("/feeds/ngo-network-brussels.atom").content).entries
                == []
            )
            tampered = link.replace("t=", "t=A")
            assert web.http.post(tampered).status_code == 403
    finally:
        store.close()
