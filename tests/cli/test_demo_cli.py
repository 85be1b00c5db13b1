"""`fundwatch demo` as a new user runs it: offline, real fetch code, a summary at the end."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.helpers import ROOT, SCRIPT, fundwatch


def test_demo_runs_offline_and_stores_the_recorded_calls(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = fundwatch("demo", "--dir", str(out), "--now", "2026-11-25T08:00:00+00:00")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "fundwatch demo — 2026-11-25 08:00 UTC, 7 sources" in result.stdout
    assert any(line.split()[:3] == ["ok", "eu-ft-esf", "2"] for line in lines)
    assert any(line.split()[:3] == ["ok", "lazio-innova", "1"] for line in lines)
    assert any(line.split()[:3] == ["ok", "basilicata-bandi", "3"] for line in lines)
    assert any(line.split()[:3] == ["ok", "lombardia-bandi", "1"] for line in lines)
    # one listing page of six is recorded, and no detail page of its teasers: honestly partial
    assert any(line.split()[:3] == ["partial", "piemonte", "9"] for line in lines)
    assert any(line.split()[:3] == ["ok", "emilia-romagna-bandi", "18"] for line in lines)
    assert any(line.split()[:3] == ["ok", "incentivi-gov", "3"] for line in lines)
    assert "not in the demo (no recording yet): sviluppo-toscana, calabria-europa" in result.stdout
    assert "stored: 37 calls" in result.stdout
    assert (out / "fundwatch.db").exists()
    # digests: rendered, delivered as .eml files (no SMTP configured), feeds written
    assert "digest comune-torino" in result.stdout
    emls = sorted((out / "outbox").glob("*.eml"))
    assert emls, result.stdout
    assert f"e-mail: {len(emls)} digests written as .eml files" in result.stdout
    assert (out / "feeds").is_dir() and any((out / "feeds").rglob("*.atom"))
    assert any((out / "feeds").rglob("*.ics"))
    assert sorted((out / "digests").glob("*.html"))

    db = f"sqlite:///{out / 'fundwatch.db'}"
    listed = fundwatch("calls", "--json", env={"FUNDWATCH_DATABASE_URL": db})
    assert listed.returncode == 0, listed.stderr
    calls = json.loads(listed.stdout)
    assert sorted((c["source"], c["source_id"]) for c in calls)[:2] == [
        ("basilicata-bandi", "102319"),
        ("basilicata-bandi", "102348"),
    ]
    assert {c["source"] for c in calls} == {
        "eu-ft-esf",
        "piemonte",
        "lombardia-bandi",
        "emilia-romagna-bandi",
        "incentivi-gov",
        "lazio-innova",
        "basilicata-bandi",
    }
    eu = {c["source_id"]: c for c in calls if c["source"] == "eu-ft-esf"}
    assert set(eu) == {"EU4H-2024-PJ-03-5", "HORIZON-MISS-2027-02-CANCER-02"}
    assert eu["HORIZON-MISS-2027-02-CANCER-02"]["url"].endswith(
        "/topic-details/HORIZON-MISS-2027-02-CANCER-02"
    )

    # the "look next" commands work as printed, from the folder the demo ran in
    [look] = [line.strip() for line in lines if line.strip().endswith(" calls --open")]
    script = SCRIPT.resolve()
    shown_script = script.relative_to(ROOT) if script.is_relative_to(ROOT) else script
    assert look == f"FUNDWATCH_DATABASE_URL={db} {shown_script} calls --open"
    shown = subprocess.run(look, shell=True, cwd=ROOT, capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-1].endswith(" calls")
    # serving the demo's feeds needs the secret its links were signed with: the hint says it
    [serve] = [line.strip() for line in lines if " serve " in line]
    assert serve.startswith(f"FUNDWATCH_SECRET=demo-only-link-secret FUNDWATCH_DATABASE_URL={db} ")

    health = fundwatch("sources", "--json", env={"FUNDWATCH_DATABASE_URL": db})
    rows = {r["id"]: r for r in json.loads(health.stdout)}
    assert rows["eu-ft-esf"]["last_run_status"] == "ok"
    assert rows["sviluppo-toscana"]["last_run_status"] == "never"
