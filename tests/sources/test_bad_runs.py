"""Bad input from a regional source, end to end: each answer below is a recorded, named source
error, an incomplete run or (a page in the wrong encoding) read as meant, never a crash,
never a closure or a false change, however often it repeats.

The sources run through the real pipeline and store, fetched with the real HTTP client mocked
at the transport; the good answers are the recorded payloads, the bad ones are derived from
them (a changed layout, a truncated page, an HTML error page served with 200, bytes in the
wrong encoding).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import respx

from fundwatch.config import Config, load_config
from fundwatch.http import HttpClient
from fundwatch.pipeline import run_sources
from fundwatch.store import Store
from tests.golden import fixture

T1 = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
# the recorded first page, its header saying it is the only one
LISTING = (
    fixture("piemonte/mayai_piemonte_listing_stato19.html")
    .replace(b"54 risultati", b"9 risultati")
    .replace(b"pagina 1 di 6", b"pagina 1 di 1")
)
PLONE = fixture("emilia_romagna/mayai_plone_search_bando_politicheterritoriali_trimmed.json")
ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    b"<body><h1>Servizio temporaneamente non disponibile</h1></body></html>"
)

SOURCES = """sources:
  - id: piemonte
    kind: piemonte
    params: {rss: false, details: false}
  - id: emilia-romagna
    kind: plone_bando
    params: {base_url: 'https://politicheterritoriali.regione.emilia-romagna.it'}
"""


def _no_teasers(raw: bytes) -> bytes:
    """The listing after a redesign: the same page, its teasers renamed to cards."""
    return raw.replace(b"node--view-mode-teaser", b"node--view-mode-card")


def _cut(raw: bytes) -> bytes:
    return raw[: len(raw) // 2]


def _cut_listing(raw: bytes) -> bytes:
    """The listing cut off after its sixth teaser."""
    return raw[: raw.index(b"/contributi-finanziamenti/fondo-rotativo-foncooper")]


def _cp1252(raw: bytes) -> bytes:
    """The same answer in Windows-1252 while the server still says UTF-8."""
    return raw.decode("utf-8").encode("cp1252", errors="replace")


def _emptied(raw: bytes) -> bytes:
    return raw.split(b'"items"')[0] + b'"items": []}'


@pytest.fixture
def config(tmp_path: Path) -> Config:
    root = tmp_path / "config"
    (root / "profiles").mkdir(parents=True)
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    return load_config(root)


def _run(
    config: Config, store: Store, http: HttpClient, source: str, body: bytes, at: datetime
) -> tuple[str, str, list[str]]:
    """One run of `source` answered with `body`: (status, error kind, new event kinds)."""
    before = {e.id for e in store.events()}
    with respx.mock:
        respx.get(url__startswith="https://").respond(200, content=body)
        [outcome] = run_sources(config, store, http, only=[source], clock=lambda: at)
    events = [e.event.kind.value for e in store.events() if e.id not in before]
    return outcome.result.status, outcome.result.error_kind, events


CASES: list[tuple[str, bytes, Callable[[bytes], bytes], str, str]] = [
    ("piemonte", LISTING, _no_teasers, "error", "shape_changed"),
    ("piemonte", LISTING, lambda _raw: ERROR_PAGE, "error", "parse_error"),
    ("piemonte", LISTING, _cut_listing, "incomplete", ""),
    ("piemonte", LISTING, _cut, "error", "shape_changed"),  # cut before the first teaser
    ("piemonte", LISTING, _cp1252, "ok", ""),  # read as it is meant: no false change
    ("emilia-romagna", PLONE, _emptied, "error", "shape_changed"),
    ("emilia-romagna", PLONE, lambda _raw: ERROR_PAGE, "error", "parse_error"),
    ("emilia-romagna", PLONE, _cut, "error", "parse_error"),
    ("emilia-romagna", PLONE, _cp1252, "error", "parse_error"),
]


@pytest.mark.parametrize(
    ("source", "good", "spoil", "status", "error_kind"),
    CASES,
    ids=[f"{c[0]}-{c[2].__name__}" for c in CASES],
)
def test_a_bad_answer_is_a_named_error_and_closes_nothing(
    config: Config,
    store: Store,
    http: HttpClient,
    source: str,
    good: bytes,
    spoil: Callable[[bytes], bytes],
    status: str,
    error_kind: str,
) -> None:
    first = _run(config, store, http, source, good, T1)
    assert first[0] == "ok" and set(first[2]) == {"new"}
    stored = {s.call.source_id for s in store.calls(source=source)}
    bad = spoil(good)
    runs = config.settings.vanish_after_runs + 1
    for day in range(1, runs + 1):
        outcome = _run(config, store, http, source, bad, T1 + timedelta(days=day))
        assert outcome == (status, error_kind, [])
    assert {s.call.source_id for s in store.calls(source=source)} == stored
    assert set(store.miss_counts(source).values()) == {0}
    health = {h.id: h for h in store.source_health()}[source]
    assert health.last_run_status == status
    if status == "error":
        assert health.consecutive_failures == runs
