"""Source kinds: one module per kind, found through one explicit registry.

The registry maps a kind name to the module that defines it; modules are imported on first
use. An unknown name fails loudly and lists the valid ones.
"""

from __future__ import annotations

import importlib
from typing import Any

from fundwatch.sources.base import FetchContext, Harvest, SourceKind, SourceParams

__all__ = ["KINDS", "FetchContext", "Harvest", "SourceKind", "SourceParams", "get_kind"]

KINDS: dict[str, str] = {
    "eu_ft": "fundwatch.sources.eu_ft",
    "eu_ft_bulk": "fundwatch.sources.eu_ft_bulk",
    "piemonte": "fundwatch.sources.piemonte",
    "socrata": "fundwatch.sources.socrata",
    "plone_bando": "fundwatch.sources.plone_bando",
    "incentivi": "fundwatch.sources.incentivi",
    "wp_rest": "fundwatch.sources.wp_rest",
    "rss": "fundwatch.sources.rss",
}


class UnknownKind(KeyError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown source kind {self.name!r}; known kinds: {', '.join(sorted(KINDS))}"


def get_kind(name: str) -> SourceKind[Any]:
    """The SourceKind registered under `name`; UnknownKind lists the valid names."""
    try:
        module_name = KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None
    kind: SourceKind[Any] = importlib.import_module(module_name).KIND
    return kind
