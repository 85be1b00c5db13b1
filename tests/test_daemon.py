"""The daemon as a process: SIGTERM finishes the current source; two daemons on a real
PostgreSQL server split the work (no source fetched twice, no message sent twice); a daemon
killed with SIGKILL has its lease taken over."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, select

from fundwatch.demo.routes import ROUTES
from fundwatch.demo.server import Route, RunningServer, serve_recordings
from fundwatch.store import Store, outbox
from fundwatch.store.outbox import DeliveryMark, NewMessage
from fundwatch.store.tables import Lease, SourceRun
from tests.cli.helpers import ROOT, SCRIPT
from tests.digest.smtpd import SmtpServer
from tests.golden import FIXTURES

EU_HOST = "api.tech.ec.europa.eu"
LAZIO_HOST = "www.lazioinnova.it"


def _slow(delay: float) -> list[Route]:
    """The demo routes, with the EU search answering after `delay` seconds."""
    return [
        Route(
            r.method,
            r.host,
            r.path,
            r.file,
            r.query,
            r.content_type,
            delay if r.host == EU_HOST else 0.0,
        )
        for r in ROUTES
    ]


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    delay = getattr(request, "param", 0.0)
    with serve_recordings(FIXTURES, _slow(delay)) as running:
        yield running


def _config(
    tmp_path: Path, server: RunningServer, db_url: str, listen: str = "", smtp_port: int = 0
) -> Path:
    root = tmp_path / "config"
    (root / "profiles").mkdir(parents=True)
    overrides = server.overrides([EU_HOST, LAZIO_HOST])
    smtp = f"smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none}}\n" if smtp_port else ""
    (root / "fundwatch.yaml").write_text(
        f"database_url: '{db_url}'\n"
        "http: {min_interval: 0, respect_robots: false, retries: 0, timeout: 20,\n"
        f"       host_overrides: {{'{EU_HOST}': '{overrides[EU_HOST]}',"
        f" '{LAZIO_HOST}': '{overrides[LAZIO_HOST]}'}}}}\n"
        "daemon: {stagger_seconds: 0, lease_seconds: 30, outbox_interval_seconds: 10, "
        + (f"listen: '{listen}'}}\n" if listen else "serve_http: false}\n")
        + f"outbox_dir: '{tmp_path / 'outbox'}'\nfeed_dir: '{tmp_path / 'feeds'}'\n"
        + smtp
    )
    shipped = (ROOT / "config" / "sources.yaml").read_text()
    lazio = shipped[shipped.index("  - id: lazio-innova") : shipped.index("  # The WP-REST")]
    (root / "sources.yaml").write_text(
        "sources:\n"
        "  - id: eu-ft-esf\n    kind: eu_ft\n    schedule: every 1m\n"
        "    params: {programmes: [ESF+], enrich: false}\n"
        + lazio.replace("schedule: every 12h", "schedule: every 1m")
    )
    return root


def _daemon(config: Path, name: str, *flags: str, serve: bool = False) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "FUNDWATCH_CONFIG": str(config),
        "FUNDWATCH_SECRET": "daemon-test-link-secret-0123456789",
    }
    env.pop("FUNDWATCH_DATABASE_URL", None)
    return subprocess.Popen(
        [str(SCRIPT), "daemon", "--instance-id", name, *flags, *([] if serve else ["--no-serve"])],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _runs(db_url: str) -> list[tuple[str, str]]:
    store = Store.open(db_url)
    try:
        with Session(store.engine) as s:
            return [(r.source_id, r.status) for r in s.exec(select(SourceRun)).all()]
    finally:
        store.close()


def _queue_mail(db_url: str, count: int) -> set[str]:
    """Put `count` messages in the outbox, as a digest run would; returns their ids."""
    now = datetime.now(UTC)
    messages = []
    for i in range(count):
        msg = EmailMessage()
        msg["From"], msg["To"] = "fundwatch@example.org", f"reader{i}@example.org"
        msg["Subject"] = f"digest {i}"
        msg["X-Fundwatch-Outbox-Id"] = f"m{i:03d}"
        msg.set_content(f"digest number {i}\n")
        messages.append(
            NewMessage(
                f"m{i:03d}", "p", "email", "2026-W48", msg["To"], msg["Subject"], msg.as_bytes()
            )
        )
    store = Store.open(db_url)
    try:
        outbox.enqueue(store.engine, messages, DeliveryMark("p", "email", "2026-W48", 0, now), now)
    finally:
        store.close()
    return {m.id for m in messages}


def _outbox_and_leases(db_url: str) -> tuple[dict[str, str], list[str]]:
    store = Store.open(db_url)
    try:
        with Session(store.engine) as s:
            held = [lease.name for lease in s.exec(select(Lease)).all()]
        return {m.id: m.status for m in outbox.messages(store.engine)}, held
    finally:
        store.close()


def _wait_for(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"not reached within {timeout}s")


def _stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return out


@pytest.mark.parametrize("server", [3.0], indirect=True)
def test_sigterm_finishes_the_current_source_and_exits_cleanly(
    tmp_path: Path, server: RunningServer
) -> None:
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    port, unused = _free_port(), _free_port()
    config = _config(tmp_path, server, db, listen=f"127.0.0.1:{unused}")
    proc = _daemon(config, "solo", "--listen", f"127.0.0.1:{port}", serve=True)  # flag wins
    try:
        _wait_for(lambda: any("search-api" in line for line in server.log), 30)
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert (health.status_code, health.json()["scheduler"]) == (200, "alive")
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert "fundwatch_calls_stored" in {f.name for f in text_string_to_metric_families(metrics)}
        proc.send_signal(signal.SIGTERM)  # mid-fetch: the EU answer takes 3 s
        out = _stop(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "received SIGTERM" in out and "stopped" in out
    # the signal came mid-fetch, and the source still finished before the daemon stopped
    assert out.index("received SIGTERM") < out.index("eu-ft-esf: ok") < out.index("stopped")
    runs = _runs(db)
    assert ("eu-ft-esf", "ok") in runs  # the source in flight was finished and written whole
    assert len(Store.open(db).calls(source="eu-ft-esf")) == 2
    assert _outbox_and_leases(db)[1] == []  # every lease given back: nothing left claimed


@pytest.mark.postgres
def test_two_daemons_on_postgresql_split_the_work(
    tmp_path: Path, server: RunningServer, pg_database_url: str
) -> None:
    with SmtpServer() as smtp:
        config = _config(tmp_path, server, pg_database_url, smtp_port=smtp.port)
        queued = _queue_mail(pg_database_url, 30)
        procs = [_daemon(config, "a"), _daemon(config, "b")]
        try:
            _wait_for(
                lambda: (
                    {s for s, _ in _runs(pg_database_url)} == {"eu-ft-esf", "lazio-innova"}
                    and set(_outbox_and_leases(pg_database_url)[0].values()) == {"sent"}
                ),
                90,
            )
            time.sleep(12)  # both instances have had their first slot and outbox flush by now
        finally:
            outs = [_stop(p) for p in procs]
        received = [r.message()["X-Fundwatch-Outbox-Id"] for r in smtp.received]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert "daemon a started" in outs[0] and "daemon b started" in outs[1]
    assert sorted(_runs(pg_database_url)) == [("eu-ft-esf", "ok"), ("lazio-innova", "ok")]
    fetched = [line for line in server.log if "robots.txt" not in line]
    assert len([line for line in fetched if "search-api" in line]) == 1, fetched
    assert len([line for line in fetched if "wp-json" in line]) == 1, fetched
    assert sorted(received) == sorted(queued)  # every message arrived, none twice
    statuses, held = _outbox_and_leases(pg_database_url)
    assert statuses == dict.fromkeys(queued, "sent") and held == []


@pytest.mark.postgres
@pytest.mark.parametrize("server", [8.0], indirect=True)
def test_a_killed_daemons_lease_is_taken_over(
    tmp_path: Path, server: RunningServer, pg_database_url: str
) -> None:
    config = _config(tmp_path, server, pg_database_url)
    first = _daemon(config, "doomed")
    try:
        _wait_for(lambda: any("search-api" in line for line in server.log), 30)
        first.kill()  # SIGKILL mid-fetch, holding the eu-ft-esf lease
        first.communicate(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    second = _daemon(config, "heir")
    try:
        # the lease (30 s) outlives heir's first slot; its next slot (1 min) takes it over
        _wait_for(lambda: ("eu-ft-esf", "ok") in _runs(pg_database_url), 120)
    finally:
        out = _stop(second)
    assert second.returncode == 0, out
    assert "another instance holds its lease" in out
    assert _runs(pg_database_url).count(("eu-ft-esf", "ok")) == 1
