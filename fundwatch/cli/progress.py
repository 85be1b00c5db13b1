"""Progress of a run: a live display on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from rich.console import Console
from rich.markup import escape
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
        why = summarize_notes(result.notes) if result.notes else result.error
        text += f" — INCOMPLETE: {why or 'partial fetch'}"
    return text


def summarize_notes(notes: Sequence[str]) -> str:
    """The notes of a run on one line: notes of one kind (the text before the first ': ')
    are shown once, with how many more there are ("detail page not read: HTTP 404 (…)
    (+8 more like it)"). The full list stays in the stored run."""
    first: dict[str, str] = {}
    count: dict[str, int] = {}
    for note in notes:
        kind = note.split(": ", 1)[0]
        first.setdefault(kind, note)
        count[kind] = count.get(kind, 0) + 1
    return "; ".join(
        first[kind] + (f" (+{count[kind] - 1} more like it)" if count[kind] > 1 else "")
        for kind in first
    )


class ConsoleProgress:
    """Writes one line per source; on a terminal the current source shows as a spinner."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._console = Console(file=self._stream, highlight=False)
        self._live = self._console.is_terminal
        self._status: Status | None = None
        self._label = ""

    def started(self, source: SourceConfig, index: int, total: int) -> None:
        self._label = f"[{index}/{total}] {source.id} ({source.kind})"
        if self._live:
            self._status = self._console.status(f"{escape(self._label)}: fetching…")
            self._status.start()
        else:
            print(f"{self._label}: fetching", file=self._stream, flush=True)

    def note(self, source: SourceConfig, message: str) -> None:
        if self._live and self._status is not None:
            self._status.update(f"{escape(self._label)}: {escape(message)}")
        else:
            print(f"  {source.id}: {message}", file=self._stream, flush=True)

    def finished(self, source: SourceConfig, result: SourceResult, summary: RunSummary) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        mark = {"ok": "ok", "incomplete": "partial", "error": "error"}[result.status]
        line = f"{source.id}: {describe(result, summary)}"
        if self._live:
            colour = {"ok": "green", "partial": "yellow", "error": "red"}[mark]
            self._console.print(f"[{colour}]{mark:>7}[/] {escape(line)}")
        else:
            print(f"{mark:>7} {line}", file=self._stream, flush=True)
