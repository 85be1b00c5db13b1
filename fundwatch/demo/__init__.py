"""`fundwatch demo`: the whole pipeline, offline, on real recorded payloads, to digests.

The shipped configuration is loaded as is; the database and output folders move under the
demo folder (``var/demo/`` by default) and every portal host is answered by a loopback server
from the recordings in ``tests/fixtures/``. The fetch code is the real one. Then each profile's
digest is built, rendered to HTML (``digests/``) and delivered as .eml files (``outbox/``), and
every feed and calendar is written (``feeds/``).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fundwatch.config import Config, Settings
from fundwatch.demo.routes import DEMO_SOURCES, ROUTES
from fundwatch.demo.server import serve_recordings
from fundwatch.digest.matching import default_matcher
from fundwatch.digest.publish import PublishReport, publish
from fundwatch.errors import FundwatchError
from fundwatch.pipeline import Progress, SourceOutcome, make_client, run_sources
from fundwatch.store import Store

DEFAULT_RECORDINGS = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


@dataclass(frozen=True)
class DemoReport:
    workdir: Path
    database_url: str
    outcomes: Sequence[SourceOutcome]
    stored_calls: int
    open_calls: int
    requests_served: Sequence[str]
    requests_missed: Sequence[str]
    published: PublishReport
    settings: Settings
    skipped: Sequence[str]


DEMO_SECRET = "demo-only-link-secret"
"""Signs the demo's unsubscribe, "not relevant" and private-feed links (unless
$FUNDWATCH_SECRET is set), so that `fundwatch serve` on the demo's database accepts them."""


def demo_secret() -> str:
    return os.environ.get("FUNDWATCH_SECRET") or DEMO_SECRET


def demo_config(config: Config, workdir: Path) -> Config:
    """The shipped config with every path moved under `workdir` and no real mail server."""
    settings = config.settings.model_copy(
        update={
            "database_url": f"sqlite:///{workdir / 'fundwatch.db'}",
            "outbox_dir": str(workdir / "outbox"),
            "feed_dir": str(workdir / "feeds"),
            "feedback_dir": str(workdir / "feedback"),
            "smtp": config.settings.smtp.model_copy(update={"host": None}),
        }
    )
    return dataclasses.replace(config, settings=settings)


def run_demo(
    config: Config,
    workdir: Path,
    now: datetime,
    *,
    recordings: Path = DEFAULT_RECORDINGS,
    progress: Progress | None = None,
) -> DemoReport:
    if not recordings.is_dir():
        raise FundwatchError(
            f"demo recordings not found in {recordings}; run from a fundwatch checkout "
            "or pass --recordings DIR"
        )
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    cfg = demo_config(config, workdir)
    hosts = sorted({r.host for r in ROUTES})
    chosen = [s.id for s in cfg.sources if s.id in DEMO_SOURCES]
    skipped = [s.id for s in cfg.sources if s.enabled and s.id not in DEMO_SOURCES]
    store = Store.open(cfg.settings.database_url, clock=lambda: now)
    try:
        with serve_recordings(recordings, ROUTES) as server:
            client = make_client(
                cfg.settings,
                offline=True,
                cache=store.http_cache(),
                host_overrides=server.overrides(hosts),
                min_interval=0,
            )
            with client:
                outcomes = run_sources(
                    cfg, store, client, clock=lambda: now, progress=progress, only=chosen
                )
            served, missed = list(server.log), list(server.missed)
        environ = {
            **os.environ,
            "FUNDWATCH_SECRET": demo_secret(),
        }
        published = publish(
            cfg,
            store,
            now,
            matcher=default_matcher(cfg),
            preview_dir=workdir / "digests",
            environ=environ,
        )
        stored = store.calls()
        open_calls = store.calls(open_at=now)
    finally:
        store.close()
    return DemoReport(
        workdir,
        cfg.settings.database_url,
        outcomes,
        len(stored),
        len(open_calls),
        served,
        missed,
        published,
        cfg.settings,
        skipped,
    )
