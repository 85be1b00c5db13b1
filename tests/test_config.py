"""Every shipped config file loads; every bad input gives its exact, path-qualified message."""

from __future__ import annotations

import shutil
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from fundwatch.config import Profile, Settings, load_config
from fundwatch.config.sources import SourcesFile
from fundwatch.errors import ConfigError
from fundwatch.resolve import ResolutionOverrides
from fundwatch.sources import KINDS, get_kind

SHIPPED = Path(__file__).resolve().parents[1] / "config"


def test_every_shipped_file_loads() -> None:
    cfg = load_config(SHIPPED)
    files = {p.name for p in (SHIPPED / "profiles").glob("*.yaml")}
    assert {f"{p.id}.yaml" for p in cfg.profiles} == files
    assert cfg.settings.timezone == "Europe/Rome"
    for src in cfg.sources:
        assert src.kind in KINDS
        assert src.id in cfg.source_params


def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """`model` and every model nested in its fields, each once."""
    seen: set[type[BaseModel]] = set()
    todo = [model]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for f in current.model_fields.values():
            stack: list[object] = [f.annotation]
            while stack:
                t = stack.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
                stack.extend(typing.get_args(t))


@pytest.mark.parametrize(
    "top",
    [Settings, SourcesFile, Profile, ResolutionOverrides]
    + [get_kind(k).params for k in sorted(KINDS)],
    ids=lambda m: m.__name__,
)
def test_every_config_field_is_described_and_unknown_keys_are_refused(
    top: type[BaseModel],
) -> None:
    for model in _models(top):
        missing = [n for n, f in model.model_fields.items() if not f.description]
        assert missing == [], model.__name__
        assert model.model_config.get("extra") == "forbid", model.__name__


@pytest.fixture
def cfgdir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(SHIPPED, target)
    return target


def _error(root: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(root)
    return str(info.value)


def test_bad_email_names_file_and_path(cfgdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "profiles" / "torino.yaml").write_text(
        "name: Comune di Torino\nrecipients:\n  - ok@example.org\n  - not-an-address\n"
    )
    assert _error(Path("config")) == (
        "config/profiles/torino.yaml: at 'recipients[1]': value is not a valid email address"
    )


def test_invalid_yaml_gives_line_and_column(cfgdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "fundwatch.yaml").write_text("timezone: Europe/Rome\nhttp:\n  contact: [a\n")
    assert _error(Path("config")) == (
        "config/fundwatch.yaml: invalid YAML at line 4, column 1: expected ',' or ']', but got "
        "'<stream end>' (while parsing a flow sequence that starts at line 3, column 12)"
    )
    (cfgdir / "fundwatch.yaml").write_text("timezone: Europe/Rome\n  http: 1\n")
    assert _error(Path("config")) == (
        "config/fundwatch.yaml: invalid YAML at line 2, column 7: mapping values are not "
        "allowed here"
    )
    (cfgdir / "profiles" / "torino.yaml").write_text("name: 'Comune di Torino\n")
    (cfgdir / "fundwatch.yaml").write_text("")
    assert _error(Path("config")) == (
        "config/profiles/torino.yaml: invalid YAML at line 2, column 1: found unexpected end of "
        "stream (while scanning a quoted scalar that starts at line 1, column 7)"
    )


def test_unknown_source_kind_lists_known_ones(
    cfgdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "sources.yaml").write_text("sources:\n  - id: x\n    kind: joomla\n")
    msg = _error(Path("config"))
    assert msg == (
        "config/sources.yaml: at 'sources[0].kind': unknown source kind 'joomla'; known kinds: "
        + ", ".join(sorted(KINDS))
    )


def test_duplicate_profile_id_names_both_files(
    cfgdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "profiles" / "zz-copy.yaml").write_text("id: comune-torino\nname: Copia\n")
    assert _error(Path("config")) == (
        "config/profiles/zz-copy.yaml: at 'id': duplicate profile id 'comune-torino' "
        "(also in config/profiles/comune-torino.yaml)"
    )


def test_duplicate_source_id_names_both_entries(
    cfgdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "sources.yaml").write_text(
        "sources:\n  - {id: eu, kind: eu_ft}\n  - {id: eu, kind: eu_ft}\n"
    )
    assert _error(Path("config")) == (
        "config/sources.yaml: at 'sources[1].id': duplicate source id 'eu' "
        "(also at 'sources[0].id')"
    )


def test_unknown_field_is_refused(cfgdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "fundwatch.yaml").write_text("smtp:\n  hots: mail.example.org\n")
    assert _error(Path("config")) == (
        "config/fundwatch.yaml: at 'smtp.hots': unknown field "
        "(check the spelling; `fundwatch schema` lists the fields)"
    )


def test_bad_schedule_and_bad_timezone(cfgdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "sources.yaml").write_text(
        "sources:\n  - {id: eu, kind: eu_ft, schedule: 'sometimes'}\n"
    )
    assert _error(Path("config")) == (
        "config/sources.yaml: at 'sources[0].schedule': schedule 'sometimes' is neither a cron "
        "expression ('0 6 * * *') nor 'every N[m|h|d]'"
    )
    (cfgdir / "sources.yaml").write_text("sources: []\n")
    (cfgdir / "fundwatch.yaml").write_text("timezone: Europe/Turin\n")
    assert _error(Path("config")) == (
        "config/fundwatch.yaml: at 'timezone': unknown time zone 'Europe/Turin' "
        "(use an IANA name like Europe/Rome)"
    )
    (cfgdir / "fundwatch.yaml").write_text("timezone: Europe/Rome\n")
    (cfgdir / "profiles" / "x.yaml").write_text(
        "name: X\nrecipients: [x@example.org]\ndelivery: {timezone: Brussels}\n"
    )
    assert _error(Path("config")) == (
        "config/profiles/x.yaml: at 'delivery.timezone': unknown time zone 'Brussels' "
        "(use an IANA name like Europe/Rome)"
    )


def test_bad_kind_params_path_points_inside_params(
    cfgdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "sources.yaml").write_text(
        "sources:\n  - {id: eu, kind: eu_ft, params: {no_such_param: 1}}\n"
    )
    assert _error(Path("config")).startswith(
        "config/sources.yaml: at 'sources[0].params.no_such_param': unknown field"
    )


def test_config_folder_from_environment(cfgdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNDWATCH_CONFIG", str(cfgdir))
    assert load_config().root == cfgdir
    monkeypatch.setenv("FUNDWATCH_CONFIG", str(cfgdir / "missing"))
    with pytest.raises(ConfigError, match="configuration folder not found"):
        load_config()


def test_a_folder_without_config_files_is_not_taken_for_an_empty_config(tmp_path: Path) -> None:
    """`--config` pointing at the wrong folder must not pass `check` with 0 sources."""
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == (
        f"{tmp_path}: not a configuration folder: none of fundwatch.yaml, sources.yaml, "
        "profiles/ is here (set --config or $FUNDWATCH_CONFIG)"
    )
    (tmp_path / "sources.yaml").write_text("sources: []\n")
    assert load_config(tmp_path).sources == ()


def test_wrong_shapes_are_named_plainly(cfgdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(cfgdir.parent)
    (cfgdir / "sources.yaml").write_text("sources: {id: eu}\n")
    assert _error(Path("config")) == (
        "config/sources.yaml: at 'sources': expected a list here (lines starting with '- '), "
        "found a mapping"
    )
    (cfgdir / "sources.yaml").write_text("sources: []\n")
    (cfgdir / "profiles" / "x.yaml").write_text("- Comune di Torino\n")
    assert _error(Path("config")) == (
        "config/profiles/x.yaml: expected a mapping of keys to values here, found a list"
    )
