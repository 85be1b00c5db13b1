"""The CLI as users run it: the installed console script, in a subprocess."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fundwatch import __version__
from fundwatch.cli.progress import ConsoleProgress
from fundwatch.config import SourceConfig
from fundwatch.demo.routes import ROUTES
from fundwatch.demo.server import serve_recordings
from fundwatch.models import SourceResult
from fundwatch.store import RunSummary
from tests.cli.helpers import ROOT, fundwatch


def test_version_and_help() -> None:
    assert fundwatch("--version").stdout.strip() == f"fundwatch {__version__}"
    out = fundwatch("--help").stdout
    for command in ("check", "schema", "run", "calls", "sources", "parse", "fetch", "demo"):
        assert command in out
    assert "examples:" in out


def test_check_passes_on_the_shipped_config() -> None:
    result = fundwatch("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("config: ok — ")


def test_check_on_a_broken_config_exits_2_with_the_path(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    (tmp_path / "config" / "profiles" / "torino.yaml").write_text(
        "name: Comune di Torino\nrecipients: [a@example.org, nobody]\n"
    )
    result = fundwatch("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "fundwatch: error: config/profiles/torino.yaml: at 'recipients[1]': "
        "value is not a valid email address"
    )
    assert "Traceback" not in result.stderr


def test_config_folder_from_option_and_environment(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "elsewhere")
    assert fundwatch("--config", str(tmp_path / "elsewhere"), "check", cwd=tmp_path).returncode == 0
    ok = fundwatch("check", cwd=tmp_path, env={"FUNDWATCH_CONFIG": str(tmp_path / "elsewhere")})
    assert ok.returncode == 0, ok.stderr
    missing = fundwatch("check", cwd=tmp_path)
    assert missing.returncode == 2
    assert "configuration folder not found" in missing.stderr


def test_schema_writes_one_schema_per_file_kind(tmp_path: Path) -> None:
    result = fundwatch("schema", "--out", str(tmp_path / "schema"))
    assert result.returncode == 0, result.stderr
    settings = json.loads((tmp_path / "schema" / "fundwatch.schema.json").read_text())
    assert settings["additionalProperties"] is False
    assert "database_url" in settings["properties"]
    assert (tmp_path / "schema" / "sources.schema.json").exists()
    assert (tmp_path / "schema" / "profile.schema.json").exists()


def test_unknown_kind_for_parse_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[]")
    result = fundwatch("parse", "joomla", str(tmp_path / "x.json"))
    assert result.returncode == 2
    assert "unknown source kind 'joomla'; known kinds: eu_ft" in result.stderr


def test_every_core_command_helps_with_an_example() -> None:
    for command in ("check", "schema", "run", "calls", "sources", "parse", "fetch", "demo"):
        out = fundwatch(command, "--help").stdout
        assert "example" in out and f"fundwatch {command}" in out.split("example", 1)[1], command


def test_profile_schema_accepts_the_shipped_profiles(tmp_path: Path) -> None:
    """Editors validate with these files: a shipped file must not break a required key or use
    a key the schema does not know (profile files may leave `id` to their file name)."""
    assert fundwatch("schema", "--out", str(tmp_path)).returncode == 0
    schema = {p.name: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    assert {"resolution.schema.json", "source-params.wp_rest.schema.json"} <= set(schema)
    assert all(
        s["$schema"] == "https://json-schema.org/draft/2020-12/schema" for s in schema.values()
    )
    shipped = {
        "fundwatch.schema.json": [ROOT / "config" / "fundwatch.yaml"],
        "sources.schema.json": [ROOT / "config" / "sources.yaml"],
        "resolution.schema.json": [ROOT / "config" / "resolution.yaml"],
        "profile.schema.json": sorted((ROOT / "config" / "profiles").glob("*.yaml")),
    }
    assert schema["profile.schema.json"]["required"] == ["name"]
    for name, files in shipped.items():
        for file in files:
            data = yaml.safe_load(file.read_text()) or {}
            assert set(schema[name].get("required", [])) <= set(data), file
            assert set(data) <= set(schema[name]["properties"]), file


# -- run --once, calls and sources against a loopback portal ---------------------------------


@pytest.fixture
def portal_config(tmp_path: Path) -> Iterator[Path]:
    """A config folder with two shipped WordPress sources whose hosts point at a loopback
    server: Lazio Innova answers with its recording, Calabria Europa has none (HTTP 404)."""
    shipped = yaml.safe_load((ROOT / "config" / "sources.yaml").read_text())["sources"]
    chosen = [s for s in shipped if s["id"] in ("lazio-innova", "calabria-europa")]
    lazio = [r for r in ROUTES if r.host == "www.lazioinnova.it"]
    with serve_recordings(ROOT / "tests" / "fixtures", lazio) as server:
        cfg = tmp_path / "config"
        cfg.mkdir()
        hosts = ["www.lazioinnova.it", "calabriaeuropa.regione.calabria.it"]
        settings = {
            "http": {
                "min_interval": 0,
                "retries": 0,
                "respect_robots": False,
                "host_overrides": server.overrides(hosts),
            }
        }
        (cfg / "fundwatch.yaml").write_text(yaml.safe_dump(settings))
        (cfg / "sources.yaml").write_text(yaml.safe_dump({"sources": chosen}))
        yield cfg


def test_run_once_reports_each_source_and_one_failure_stops_nothing(
    tmp_path: Path, portal_config: Path
) -> None:
    env = {
        "FUNDWATCH_CONFIG": str(portal_config),
        "FUNDWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'fw.db'}",
    }
    first = fundwatch("run", "--once", "--no-publish", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    # not a terminal: plain lines, one per step, no spinner escapes
    progress = first.stderr.splitlines()
    assert progress[0] == "[1/2] lazio-innova (wp_rest): fetching"
    assert "     ok lazio-innova: 1 calls (1 new, 0 changed), 1 events, 1 requests" in progress
    assert "[2/2] calabria-europa (wp_rest): fetching" in progress
    [failed] = [line for line in progress if line.startswith("  error calabria-europa: ")]
    assert "fetch_error: HTTP 404" in failed
    assert "\x1b[" not in first.stderr
    assert first.stdout.strip() == "2 sources run, 1 failed; 1 new calls, 0 changed, 1 events"

    again = fundwatch(
        "run", "--once", "--no-publish", "--source", "lazio-innova", cwd=tmp_path, env=env
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "1 sources run, 0 failed; 0 new calls, 0 changed, 0 events"

    calls = fundwatch("calls", cwd=tmp_path, env=env)
    assert calls.returncode == 0, calls.stderr
    header, row, total = calls.stdout.splitlines()
    assert header.split() == ["id", "source", "status", "deadline", "title"]
    assert row.split()[:2] == ["1", "lazio-innova"]
    assert total == "1 calls"
    listed = json.loads(
        fundwatch("calls", "--json", "--source", "lazio-innova", cwd=tmp_path, env=env).stdout
    )
    assert [(c["source"], c["id"]) for c in listed] == [("lazio-innova", 1)]

    typo = fundwatch("calls", "--source", "lazio", cwd=tmp_path, env=env)
    assert typo.returncode == 2
    assert "no source 'lazio' (known: lazio-innova, calabria-europa)" in typo.stderr

    health = fundwatch("sources", cwd=tmp_path, env=env)
    rows = {line.split()[0]: line.split() for line in health.stdout.splitlines()[1:]}
    assert rows["lazio-innova"][2:5] == ["yes", "1", "ok"]
    assert rows["calabria-europa"][2:5] == ["yes", "0", "error"]
    assert rows["calabria-europa"][5] == "never"  # last success
    assert rows["calabria-europa"][6] == "1"  # consecutive failures
    assert "HTTP 404" in health.stdout
    as_json = {
        r["id"]: r for r in json.loads(fundwatch("sources", "--json", cwd=tmp_path, env=env).stdout)
    }
    assert as_json["calabria-europa"]["last_error"].startswith("fetch_error: HTTP 404")
    assert as_json["lazio-innova"]["consecutive_failures"] == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_live_on_a_terminal_and_plain_lines_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("NO_COLOR", "TERM", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(var, raising=False)
    src = SourceConfig(id="piemonte", kind="piemonte")
    notes = tuple(f"detail page not read: HTTP 404 (https://x/{i})" for i in range(3))
    result = SourceResult("piemonte", "incomplete", notes=("listing page 1 not read", *notes))
    summary = RunSummary(1, "piemonte", "incomplete", 9, 9, 0, 9)

    plain = io.StringIO()
    progress = ConsoleProgress(plain)
    progress.started(src, 2, 7)
    progress.note(src, "listing page 0: 9 teasers")
    progress.finished(src, result, summary)
    assert plain.getvalue().splitlines() == [
        "[2/7] piemonte (piemonte): fetching",
        "  piemonte: listing page 0: 9 teasers",
        "partial piemonte: 9 calls (9 new, 0 changed), 9 events, 0 requests — INCOMPLETE: "
        "listing page 1 not read; detail page not read: HTTP 404 (https://x/0) "
        "(+2 more like it)",
    ]

    tty = _Terminal()
    progress = ConsoleProgress(tty)
    progress.started(src, 2, 7)
    progress.note(src, "listing page 0: 9 teasers")
    progress.finished(src, result, summary)
    out = tty.getvalue()
    assert "\x1b[" in out  # a live status line and colour, not log lines
    assert "  piemonte: listing page 0" not in out
    assert "[2/7] piemonte (piemonte): listing page 0: 9 teasers" in out  # the count stays
    words = " ".join(out.split())  # rich wraps to the terminal's width
    assert "partial\x1b[0m piemonte: 9 calls" in words and "(+2 more like it)" in words


def test_an_unreachable_database_is_one_line_without_the_password() -> None:
    result = fundwatch(
        "calls", env={"FUNDWATCH_DATABASE_URL": "postgresql://fw:secret@127.0.0.1:1/fundwatch"}
    )
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "fundwatch: error: cannot open the database "
        "postgresql://fw:***@127.0.0.1:1/fundwatch: connection failed: "
    )
    assert "secret" not in line and "sqlalche.me" not in line
