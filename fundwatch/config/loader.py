"""Reading YAML config files into models, with errors that name the file and the path.

Every error is a ConfigError whose message reads
``config/profiles/torino.yaml: at 'recipients[1]': value is not a valid email address``;
invalid YAML gives the line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from fundwatch.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path, display: str) -> Any:
    """Parse one YAML file; an empty file is an empty mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(display, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(display, f"cannot read the file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(display, _yaml_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(display, f"invalid YAML: {exc}") from None
    return {} if data is None else data


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """``invalid YAML at line L, column C: problem``, plus where the unfinished construct
    began when that is elsewhere (an unclosed ``[`` or quote is reported at the end of the
    file, but the mistake is where it opened)."""
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    text = f"invalid YAML{where}: {exc.problem or exc.context or 'unreadable'}"
    ctx = exc.context_mark
    if exc.problem and exc.context and ctx is not None and ctx is not mark:
        text += f" ({exc.context} that starts at line {ctx.line + 1}, column {ctx.column + 1})"
    return text


def validate(model: type[M], data: Any, display: str, *, prefix: str = "") -> M:
    """Validate `data` against `model`; the first error becomes a path-qualified ConfigError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = format_loc((*_split(prefix), *err["loc"]))
        raise ConfigError(display, _message(err), path=path or None) from None


def format_loc(loc: tuple[Any, ...]) -> str:
    """Path text: ``('recipients', 1)`` -> ``recipients[1]``
    and ``('sources', 2, 'kind')`` -> ``sources[2].kind``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _split(prefix: str) -> tuple[Any, ...]:
    if not prefix:
        return ()
    parts: list[Any] = []
    for piece in prefix.replace("]", "").split("."):
        name, *indexes = piece.split("[")
        parts.append(name)
        parts.extend(int(i) for i in indexes)
    return tuple(parts)


def _message(err: Any) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys to values here, found {_kind_of(err.get('input'))}"
    if kind == "list_type":
        return (
            f"expected a list here (lines starting with '- '), found {_kind_of(err.get('input'))}"
        )
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; `fundwatch schema` lists the fields)"
    if kind == "value_error" and "email address" in msg:
        return "value is not a valid email address"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:]


def _kind_of(value: Any) -> str:
    names = {
        list: "a list",
        dict: "a mapping",
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        type(None): "nothing",
    }
    return names.get(type(value), type(value).__name__)
