"""`fundwatch match`, `explain` and `preview` through the console script, on a store filled
with the calls of the real fixtures."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fundwatch.config import SourceConfig
from fundwatch.models import Call, SourceResult
from fundwatch.store import Store
from tests.cli.helpers import ROOT, fundwatch
from tests.rules.fixture_calls import fixture_calls

NOW = "2026-05-04T08:00:00Z"
SEEN = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
SHELTERS = "piemonte:contributi-finanziamenti/realizzazione-di-case-rifugio"
ITS = "piemonte:contributi-finanziamenti/programmazione-offerta-formativa-its-academy-2026-2029"


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder with the shipped config and a SQLite store of the fixture calls; the
    shelters call has an older version whose title said nothing of shelters."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    url = f"sqlite:///{tmp_path / 'fw.db'}"
    by_source: dict[str, list[Call]] = defaultdict(list)
    for call in fixture_calls():
        by_source[call.source].append(call)
    store = Store.open(url)
    try:
        store.sync_sources([SourceConfig(id=s, kind="rss") for s in by_source])
        for source, calls in by_source.items():
            if source == "piemonte":
                older = [
                    c.model_copy(update={"titles": {"it": "Avviso 2026"}})
                    if f"{c.source}:{c.source_id}" == SHELTERS
                    else c
                    for c in calls
                ]
                store.save_run(
                    SourceResult(
                        source, "ok", calls=tuple(older), started_at=SEEN, finished_at=SEEN
                    )
                )
            at = SEEN + timedelta(days=7)
            store.save_run(
                SourceResult(source, "ok", calls=tuple(calls), started_at=at, finished_at=at)
            )
    finally:
        store.close()
    return tmp_path, {"FUNDWATCH_DATABASE_URL": url}


def test_match_lists_the_matches_best_first(site: tuple[Path, dict[str, str]]) -> None:
    cwd, env = site
    result = fundwatch("match", "ngo-network-brussels", "--now", NOW, "--json", cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["call"], r["score"]) for r in rows] == [
        ("eu_ft_bulk:ESF-2026-SE-INCUBATION", 90),  # same score: nearest deadline first
        ("eu_ft_bulk:ESF-2026-AG-TCS", 90),
        ("eu_ft_bulk:ESF-2027-PEP-ENGAGEMENT", 90),
        ("eu_ft_bulk:ESF-2026-POW", 70),
    ]
    assert rows[0]["reasons"] == [
        "programme 'EaSI': Employment and Social Innovation (EaSI)",
        "fund ESF+",
        "keyword 'entrepreneurs' in the title",
        "to check: eligibility",
    ]
    assert rows[0]["status"] == "forthcoming" and rows[0]["flags"] == ["audience"]


def test_match_all_shows_why_not(site: tuple[Path, dict[str, str]]) -> None:
    cwd, env = site
    result = fundwatch("match", "comune-torino", "--all", "--now", NOW, "--json", cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    rows = {r["call"]: r for r in json.loads(result.stdout)}
    assert len(rows) == len(fixture_calls())
    assert sum(r["matched"] for r in rows.values()) == 8
    tertium = rows["socrata:RLP12026052483"]
    assert tertium["reasons"] == [
        "esclusa: il bando è per Regione Lombardia (ITC4), che non comprende Comune di Torino "
        "(001272)",
        "esclusa: possono partecipare solo PMI (Comune no)",
    ]
    table = fundwatch("match", "comune-torino", "--now", NOW, cwd=cwd, env=env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[-1] == (
        f"comune-torino: 8 of {len(fixture_calls())} stored calls match"
    )


def test_explain_prints_the_whole_trace(site: tuple[Path, dict[str, str]]) -> None:
    cwd, env = site
    result = fundwatch(
        "explain",
        "comune-torino",
        "socrata:RLP12026052483",
        "--now",
        NOW,
        "--lang",
        "en",
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Comune di Torino (comune-torino)",
        "socrata:RLP12026052483 [" + _id(cwd, env, "socrata:RLP12026052483") + "]: Bando Tertium",
        next(c.url for c in fixture_calls() if c.source_id == "RLP12026052483"),
        "NOT MATCHED: territory, eligibility",
        "  ✓ status: forthcoming, opens 16 Jun 2026, 10:00",
        "  ✓ lead time: deadline 7 Sep 2026, 12:00, 126 days away (at least 14 wanted)",
        "  ✓ call type: not stated",
        "  ✗ territory: excluded: the call is for Regione Lombardia (ITC4), which does not "
        "contain Comune di Torino (001272)",
        "  ✗ eligibility: excluded: only SME may apply (not Municipality)",
        "  ✓ interests: fund ERDF",
        "  ✓ relevance: score 35 (minimum 10)",
    ]


def test_explain_unknown_call_exits_2(site: tuple[Path, dict[str, str]]) -> None:
    cwd, env = site
    result = fundwatch("explain", "comune-torino", "nope:1", cwd=cwd, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("fundwatch: error: no stored call 'nope:1'")
    result = fundwatch("match", "nobody", cwd=cwd, env=env)
    assert result.returncode == 2
    assert "no profile 'nobody' (known: " in result.stderr


def test_preview_shows_calls_entering_and_leaving(site: tuple[Path, dict[str, str]]) -> None:
    cwd, env = site
    shipped = (cwd / "config" / "profiles" / "comune-torino.yaml").read_text()
    edited = shipped.replace(
        "  themes: [politiche sociali, inclusione sociale, lavoro, diritti, rigenerazione urbana]",
        "  themes: [inclusione sociale, lavoro, rigenerazione urbana]",
    ).replace("      - cities\n", "      - cities\n      - ITS Academy\n")
    assert edited != shipped
    (cwd / "edited").mkdir()
    (cwd / "edited" / "comune-torino.yaml").write_text(edited)
    result = fundwatch(
        "preview",
        "--profiles",
        "edited/comune-torino.yaml",
        "--now",
        NOW,
        "--json",
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    assert (report["profile"], report["kind"]) == ("comune-torino", "changed")
    assert (report["before_count"], report["after_count"]) == (8, 7)
    moves = [(c["direction"], c["call"], c["current"]) for c in report["changes"]]
    autism = (
        "piemonte:contributi-finanziamenti/progetti-e-iniziative-dedicati-alle-persone-"
        "con-disturbi-del-neuro"
    )
    # the versions seen on 8 April are the current states and move the same way: not
    # repeated; the shelters call's older version (1 April, another title) is listed
    assert moves == [
        ("enters", ITS, True),
        ("leaves", autism, True),
        ("leaves", SHELTERS, True),
        ("leaves", SHELTERS, False),
    ]
    past = [c["at"] for c in report["changes"] if not c["current"]]
    assert past == ["2026-04-01T06:00:00+00:00"]
    text = fundwatch("preview", "--profiles", "edited", "--now", NOW, "--no-past", cwd=cwd, env=env)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "comune-torino (modificato): 8 → 7 bandi pertinenti ora (+1 −2)"
    assert lines[1] == f"  + {ITS}: Programmazione offerta formativa ITS Academy 2026-2029"
    assert lines[2:5] == [
        "      prima: non pertinente",
        "        ✗ interessi: esclusa: nessun programma, fondo, tema o parola chiave del profilo",
        "        ✗ pertinenza: punteggio 0 (minimo 10)",
    ]
    assert lines[5:7] == [
        "      dopo: pertinente, punteggio 20",
        "        ✓ interessi: parola chiave «ITS Academy» nel titolo",
    ]


def _id(cwd: Path, env: dict[str, str], ref: str) -> str:
    store = Store.open(env["FUNDWATCH_DATABASE_URL"])
    try:
        found = store.find_call(ref)
    finally:
        store.close()
    assert found is not None
    return str(found.id)


def test_reader_feedback_is_applied(site: tuple[Path, dict[str, str]]) -> None:
    """A "not relevant" mark written by the digest's link takes the call out of the matches."""
    from fundwatch.rules import FeedbackStore

    cwd, env = site
    store = FeedbackStore(cwd / "var" / "feedback")
    store.exclude_call("ngo-network-brussels", "eu_ft_bulk:ESF-2026-POW", SEEN)
    result = fundwatch("match", "ngo-network-brussels", "--now", NOW, "--json", cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    assert [r["call"] for r in json.loads(result.stdout)] == [
        "eu_ft_bulk:ESF-2026-SE-INCUBATION",
        "eu_ft_bulk:ESF-2026-AG-TCS",
        "eu_ft_bulk:ESF-2027-PEP-ENGAGEMENT",
    ]
    why = fundwatch(
        "explain", "ngo-network-brussels", "eu_ft_bulk:ESF-2026-POW", "--now", NOW, cwd=cwd, env=env
    )
    assert why.returncode == 0, why.stderr
    assert why.stdout.splitlines()[3:5] == [
        "NOT MATCHED: feedback (to check: eligibility)",
        "  ✗ feedback: excluded: marked as not relevant on 1 Apr 2026, 08:00",
    ]
