"""Progress of a run: a live display on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.status import Status

from fundwatch.config import SourceConfig
from fundwatch.models import SourceResult
from fundwatch.store import RunSummary


def describe(result: SourceResult, summary: RunSummary) -> str:
    if result.status == "error":
        return f"{result.error_kind}: {result.error}"
    text = (
        f"{summary.seen} calls ({summary.new} new, {summary.changed} changed), "
        f"{summary.events} events, {result.requests} requests"
    )
    if result.status == "incomplete":
        text += f" — INCOMPLETE: {result.error or 'partial fetch'}"
    return text


class ConsoleProgress:
    """Writes one line per source; on a terminal the current source shows as a spinner."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._console = Console(file=self._stream, highlight=False)
        self._live = self._console.is_terminal
        self._status: Status | None = None

    def started(self, source: SourceConfig, index: int, total: int) -> None:
        label = f"[{index}/{total}] {source.id} ({source.kind})"
        if self._live:
            self._status = self._console.status(f"{label}: fetching…")
            self._status.start()
        else:
            print(f"{label}: fetching", file=self._stream, flush=True)

    def note(self, source: SourceConfig, message: str) -> None:
        if self._live and self._status is not None:
            self._status.update(f"{source.id}: {message}")
        else:
            print(f"  {source.id}: {message}", file=self._stream, flush=True)

    def finished(self, source: SourceConfig, result: SourceResult, summary: RunSummary) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        mark = {"ok": "ok", "incomplete": "partial", "error": "error"}[result.status]
        if self._live:
            colour = {"ok": "green", "partial": "yellow", "error": "red"}[mark]
            self._console.print(f"[{colour}]{mark:>7}[/] {source.id}: {describe(result, summary)}")
        else:
            print(
                f"{mark:>7} {source.id}: {describe(result, summary)}", file=self._stream, flush=True
            )
