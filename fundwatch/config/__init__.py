"""Configuration: a folder holding ``fundwatch.yaml``, ``sources.yaml`` and ``profiles/*.yaml``.

The folder comes from ``--config DIR``, else ``$FUNDWATCH_CONFIG``, else ``./config``.
Everything is validated when loaded; errors name the file and the path inside it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from fundwatch.config.loader import read_yaml, validate
from fundwatch.config.profile import Profile
from fundwatch.config.settings import HttpConfig, Settings, SmtpSettings
from fundwatch.config.sources import SourceConfig, SourcesFile
from fundwatch.errors import ConfigError
from fundwatch.resolve import ResolutionOverrides
from fundwatch.sources import UnknownKind, get_kind

__all__ = [
    "Config",
    "ConfigError",
    "HttpConfig",
    "Profile",
    "Settings",
    "SmtpSettings",
    "SourceConfig",
    "config_dir",
    "load_config",
    "load_profiles",
]

ENV_VAR = "FUNDWATCH_CONFIG"


@dataclass(frozen=True)
class Config:
    """A loaded, validated configuration folder."""

    root: Path
    settings: Settings
    sources: tuple[SourceConfig, ...]
    source_params: Mapping[str, BaseModel]
    profiles: tuple[Profile, ...]
    resolution: ResolutionOverrides = field(default_factory=ResolutionOverrides)

    @property
    def authority(self) -> dict[str, int]:
        """Source id -> authority, for entity resolution."""
        return {s.id: s.authority for s in self.sources}

    def source(self, source_id: str) -> SourceConfig:
        for src in self.sources:
            if src.id == source_id:
                return src
        known = ", ".join(s.id for s in self.sources) or "none"
        raise ConfigError(
            self._display("sources.yaml"), f"no source {source_id!r} (known: {known})"
        )

    def profile(self, profile_id: str) -> Profile:
        for prof in self.profiles:
            if prof.id == profile_id:
                return prof
        known = ", ".join(p.id for p in self.profiles) or "none"
        raise ConfigError(self._display("profiles"), f"no profile {profile_id!r} (known: {known})")

    def _display(self, name: str) -> str:
        return _display(self.root / name)


def config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else Path("config")


def load_config(root: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate the whole folder; raises the first ConfigError found."""
    base = config_dir(root)
    if not base.is_dir():
        raise ConfigError(
            _display(base), f"configuration folder not found (set --config or ${ENV_VAR})"
        )
    known = ("fundwatch.yaml", "sources.yaml", "resolution.yaml", "profiles")
    if not any((base / name).exists() for name in known):
        raise ConfigError(
            _display(base),
            "not a configuration folder: none of fundwatch.yaml, sources.yaml, profiles/ "
            f"is here (set --config or ${ENV_VAR})",
        )
    settings_path = base / "fundwatch.yaml"
    settings = (
        validate(
            Settings, read_yaml(settings_path, _display(settings_path)), _display(settings_path)
        )
        if settings_path.exists()
        else Settings()
    )
    sources, params = _load_sources(base / "sources.yaml")
    profiles = load_profiles(base / "profiles")
    resolution_path = base / "resolution.yaml"
    resolution = (
        validate(
            ResolutionOverrides,
            read_yaml(resolution_path, _display(resolution_path)),
            _display(resolution_path),
        )
        if resolution_path.exists()
        else ResolutionOverrides()
    )
    return Config(base, settings, sources, params, profiles, resolution)


def _load_sources(path: Path) -> tuple[tuple[SourceConfig, ...], dict[str, BaseModel]]:
    display = _display(path)
    if not path.exists():
        return (), {}
    parsed = validate(SourcesFile, read_yaml(path, display), display)
    seen: dict[str, int] = {}
    params: dict[str, BaseModel] = {}
    for i, src in enumerate(parsed.sources):
        if src.id in seen:
            raise ConfigError(
                display,
                f"duplicate source id {src.id!r} (also at 'sources[{seen[src.id]}].id')",
                path=f"sources[{i}].id",
            )
        seen[src.id] = i
        try:
            kind = get_kind(src.kind)
        except UnknownKind as exc:
            raise ConfigError(display, str(exc), path=f"sources[{i}].kind") from None
        params[src.id] = validate(kind.params, src.params, display, prefix=f"sources[{i}].params")
        _check_schedule(src.schedule, display, f"sources[{i}].schedule")
    return tuple(parsed.sources), params


def load_profiles(folder: Path) -> tuple[Profile, ...]:
    """Every ``*.yaml`` profile in `folder`, validated; duplicate ids name both files."""
    if not folder.is_dir():
        return ()
    profiles: list[Profile] = []
    origin: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        display = _display(path)
        data: Any = read_yaml(path, display)
        if isinstance(data, dict):
            data.setdefault("id", path.stem)
        profile = validate(Profile, data, display)
        if profile.id in origin:
            raise ConfigError(
                display,
                f"duplicate profile id {profile.id!r} (also in {origin[profile.id]})",
                path="id",
            )
        origin[profile.id] = display
        profiles.append(profile)
    return tuple(profiles)


def _check_schedule(schedule: str, display: str, path: str) -> None:
    from fundwatch.schedule import parse_schedule

    try:
        parse_schedule(schedule)
    except ValueError as exc:
        raise ConfigError(display, str(exc), path=path) from None


def _display(path: Path) -> str:
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
    return str(path.resolve()) if shown == "." else shown
