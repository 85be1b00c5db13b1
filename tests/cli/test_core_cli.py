"""The CLI as users run it: the installed console script, in a subprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fundwatch import __version__
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
