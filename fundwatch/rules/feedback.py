"""Reader feedback: a per-profile exclusion list that the engine applies.

One YAML file per profile, ``<folder>/<profile-id>.yaml`` (the folder comes from the
settings; ``var/feedback`` by default)::

    excluded_calls:            # "not relevant": never show this call again
      - call: eu_ft:ESF-2026-EASI-01
        at: 2026-03-02T09:15:00+00:00
        note: not our sector
    fewer_like_this:           # lower the score of calls mentioning the term
      - term: formazione professionale
        at: 2026-03-02T09:16:00+00:00

The digest's "not relevant" link writes here through `FeedbackStore`; staff may edit the file
by hand. Writes are atomic (a temporary file renamed over the old one) and serialised by an
advisory lock, so two clicks at once do not lose an entry. `Feedback` is the pure value the
engine reads.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fundwatch.config.loader import read_yaml, validate

__all__ = ["Feedback", "FeedbackFile", "FeedbackStore"]

_PROFILE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExcludedCall(_Strict):
    """One call the readers marked as not relevant."""

    call: str = Field(min_length=1, description="The call as source:source_id.")
    at: AwareDatetime | None = Field(default=None, description="When it was marked.")
    note: str = Field(default="", description="Free text: why.")


class FewerLikeThis(_Strict):
    """A term whose calls should rank lower."""

    term: str = Field(min_length=1, description="Words; stemmed and accent-folded like keywords.")
    at: AwareDatetime | None = Field(default=None, description="When it was asked for.")


class FeedbackFile(_Strict):
    """The content of ``<folder>/<profile>.yaml``."""

    excluded_calls: list[ExcludedCall] = Field(
        default_factory=list, description="Calls never to match again."
    )
    fewer_like_this: list[FewerLikeThis] = Field(
        default_factory=list, description="Terms that lower a call's relevance score."
    )


@dataclass(frozen=True)
class Feedback:
    """What the engine applies: excluded call references (with when) and 'fewer' terms."""

    excluded: dict[str, datetime | None] = field(default_factory=dict)
    fewer: tuple[str, ...] = ()

    @classmethod
    def from_file(cls, data: FeedbackFile) -> Feedback:
        return cls(
            {e.call.strip(): e.at for e in data.excluded_calls},
            tuple(dict.fromkeys(f.term.strip() for f in data.fewer_like_this)),
        )


class FeedbackStore:
    """The feedback files under one folder. Reading a profile without a file gives empty
    feedback; a malformed file is a ConfigError naming the file and the path inside it."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, profile_id: str) -> Path:
        if not _PROFILE_ID.match(profile_id):
            raise ValueError(f"not a profile id: {profile_id!r}")
        return self.folder / f"{profile_id}.yaml"

    def read(self, profile_id: str) -> FeedbackFile:
        path = self.path(profile_id)
        if not path.exists():
            return FeedbackFile()
        return validate(FeedbackFile, read_yaml(path, str(path)), str(path))

    def load(self, profile_id: str) -> Feedback:
        return Feedback.from_file(self.read(profile_id))

    def exclude_call(self, profile_id: str, ref: str, at: datetime, note: str = "") -> bool:
        """Add `ref` to the profile's excluded calls; False when it was already there."""
        with self._editing(profile_id) as data:
            if any(e["call"] == ref for e in data["excluded_calls"]):
                return False
            item: dict[str, Any] = {"call": ref, "at": at.isoformat()}
            if note:
                item["note"] = note
            data["excluded_calls"].append(item)
            return True

    def include_call(self, profile_id: str, ref: str) -> bool:
        """Take `ref` off the excluded calls (undo); False when it was not there."""
        with self._editing(profile_id) as data:
            before = len(data["excluded_calls"])
            data["excluded_calls"] = [e for e in data["excluded_calls"] if e["call"] != ref]
            return len(data["excluded_calls"]) < before

    def fewer_like_this(self, profile_id: str, term: str, at: datetime) -> bool:
        """Add a 'fewer like this' term; False when it was already there."""
        clean = " ".join(term.split())
        if not clean:
            raise ValueError("empty term")
        with self._editing(profile_id) as data:
            if any(f["term"].casefold() == clean.casefold() for f in data["fewer_like_this"]):
                return False
            data["fewer_like_this"].append({"term": clean, "at": at.isoformat()})
            return True

    @contextmanager
    def _editing(self, profile_id: str) -> Iterator[dict[str, Any]]:
        path = self.path(profile_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / f".{profile_id}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self.read(profile_id).model_dump(mode="json", exclude_none=True)
            yield current
            FeedbackFile.model_validate(current)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{profile_id}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    yaml.safe_dump(current, handle, allow_unicode=True, sort_keys=False)
                Path(tmp).replace(path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
