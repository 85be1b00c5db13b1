"""Golden-file comparison for parsers: the whole normalized output, not counts.

Expected files live beside the fixtures as ``<fixture>.expected.json``. To (re)write them after
a deliberate change, run the tests with ``FUNDWATCH_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fundwatch.models import Call
from fundwatch.serialize import call_to_json

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def assert_golden(calls: Sequence[Call], expected_path: Path, now: datetime) -> None:
    actual = [call_to_json(c, now) for c in calls]
    text = json.dumps(actual, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("FUNDWATCH_UPDATE_GOLDEN") == "1" or not expected_path.exists():
        if os.environ.get("CI") and not expected_path.exists():
            raise AssertionError(f"missing golden file {expected_path}")
        expected_path.write_text(text, encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected, f"output differs from {expected_path.name}"
