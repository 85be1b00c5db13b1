"""digest, deliver, feeds and serve as users run them: the console script, in a subprocess."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from email import message_from_bytes, policy
from pathlib import Path

import feedparser
import httpx
import pytest

from fundwatch.store import Store
from tests.cli.helpers import ROOT, SCRIPT, fundwatch
from tests.digest.conftest import SECRET, seed
from tests.digest.smtpd import free_port

NOW = "2026-09-17T06:00:00+00:00"
LATER = "2028-01-10T06:00:00+00:00"  # every seeded deadline has passed


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The shipped config, and a database holding two real runs (see tests/digest)."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    # the shipped profiles want weeks of lead time; this one hears of everything ESF+, daily
    (tmp_path / "config" / "profiles" / "esf-daily.yaml").write_text(
        "name: ESF+ watchers\nlanguage: en\nrecipients: [digest@example.org]\n"
        "interests: {funds: [ESF+]}\ndelivery: {frequency: daily}\n",
        encoding="utf-8",
    )
    store = Store.open(f"sqlite:///{tmp_path / 'fw.db'}")
    try:
        seed(store)
    finally:
        store.close()
    return tmp_path


def env(workdir: Path) -> dict[str, str]:
    return {"FUNDWATCH_DATABASE_URL": f"sqlite:///{workdir / 'fw.db'}", "FUNDWATCH_SECRET": SECRET}


def test_preview_writes_html_and_prints_text(workdir: Path) -> None:
    out = workdir / "esf.html"
    r = fundwatch(
        "digest",
        "esf-daily",
        "--preview",
        "--now",
        NOW,
        "--out",
        str(out),
        cwd=workdir,
        env=env(workdir),
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        "Subject: ESF+ watchers: 1 changed\n\nFunding calls for ESF+ watchers\n"
    )
    assert "deadline moved from 9 September at 17:00 to 23 September at 02:00" in r.stdout
    assert r.stderr.strip() == f"HTML: {out}"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # a preview queues nothing: the real digest can still be queued afterwards
    queued = fundwatch("digest", "esf-daily", "--now", NOW, cwd=workdir, env=env(workdir))
    assert queued.stdout.startswith("esf-daily 2026-09-17: queued, 1 messages queued")
    # previewing the queued period says so; later, an empty digest says it would be skipped
    again = fundwatch(
        "digest", "esf-daily", "--preview", "--now", NOW, cwd=workdir, env=env(workdir)
    )
    assert "note: the digest of period 2026-09-17 was already queued" in again.stderr
    later = fundwatch(
        "digest", "esf-daily", "--preview", "--now", LATER, cwd=workdir, env=env(workdir)
    )
    assert later.stdout.startswith("Subject: ESF+ watchers: nothing new\n"), later.stdout
    assert later.stderr.strip().splitlines()[-1] == (
        "note: nothing to report, and the profile skips empty digests (empty_digest: skip)"
    )


def test_queue_then_deliver_writes_eml_files(workdir: Path) -> None:
    r = fundwatch("digest", "comune-torino", "--now", NOW, cwd=workdir, env=env(workdir))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == (
        "comune-torino 2026-W38: queued, 1 messages queued; send them with `fundwatch deliver`"
    )
    again = fundwatch("digest", "comune-torino", "--now", NOW, cwd=workdir, env=env(workdir))
    assert "already queued this period, 0 messages queued" in again.stdout
    d = fundwatch("deliver", "--now", NOW, cwd=workdir, env=env(workdir))
    assert d.returncode == 0, d.stderr
    assert d.stdout.splitlines()[0] == (
        "delivery via eml (files in var/outbox): 1 sent, 0 to retry, 0 failed, 0 suppressed, "
        "0 in doubt, 0 recovered after an interruption"
    )
    assert "outbox: 0 pending, 0 sending, 0 in_doubt, 1 sent, 0 failed, 0 suppressed" in d.stdout
    (eml,) = (workdir / "var" / "outbox").glob("*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"] == "fondi.europei@example.org"
    assert str(msg["Subject"]).startswith("Comune di Torino: ")


def test_feeds_write(workdir: Path) -> None:
    r = fundwatch("feeds", "--write", "--now", NOW, cwd=workdir, env=env(workdir))
    assert r.returncode == 0, r.stderr
    root = workdir / "var" / "feeds"
    assert r.stdout.strip().endswith(f"feed files in {Path('var/feeds')}")
    atom = root / "feeds" / "comune-torino.atom"
    assert not feedparser.parse(atom.read_bytes()).bozo
    assert (root / "calendar" / "comune-torino.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert (root / "feeds" / "all.rss").exists()


def test_unknown_profile_exits_2(workdir: Path) -> None:
    r = fundwatch("digest", "nobody", "--preview", cwd=workdir, env=env(workdir))
    assert r.returncode == 2
    assert "no profile 'nobody'" in r.stderr and "Traceback" not in r.stderr


def test_serve_answers_on_loopback(workdir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [str(SCRIPT), "serve", "--port", str(port)],
        cwd=workdir,
        env={**_base_env(), **env(workdir)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # up to a minute: a busy machine starts Python slowly
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        r = httpx.get(f"{base}/feeds/comune-torino.atom", timeout=10)
        assert r.status_code == 200 and "etag" in r.headers
        assert not feedparser.parse(r.content).bozo
        assert (
            httpx.get(
                f"{base}/feeds/comune-torino.atom",
                timeout=10,
                headers={"If-None-Match": r.headers["etag"]},
            ).status_code
            == 304
        )
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert f"serving on http://127.0.0.1:{port}/" in err
    assert proc.returncode == 130


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "FUNDWATCH_CONFIG"}
