from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fundwatch.models import Budget, Call, Deadline, Status, status

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _call(**kw: object) -> Call:
    data: dict[str, object] = {"titles": {"it": "Bando"}} | kw
    return Call(source="s", source_id="1", url="https://example.org/1", **data)  # type: ignore[arg-type]


def _dl(days: float) -> Deadline:
    return Deadline(at=NOW + timedelta(days=days))


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"deadlines": (_dl(3),)}, Status.OPEN),
        ({"deadlines": (_dl(-3),)}, Status.CLOSED),
        ({"deadlines": (_dl(-30), _dl(40))}, Status.OPEN),  # second stage still ahead
        ({"deadlines": (_dl(40),), "opens_at": NOW + timedelta(days=5)}, Status.FORTHCOMING),
        ({"opens_at": NOW + timedelta(days=5)}, Status.FORTHCOMING),
        ({"rolling": True, "opens_at": NOW - timedelta(days=5)}, Status.OPEN),
        ({"rolling": True}, Status.OPEN),
        ({}, Status.UNKNOWN),
        ({"opens_at": NOW - timedelta(days=5)}, Status.UNKNOWN),
        ({"deadlines": (_dl(-1),), "stated_status": "Open"}, Status.CLOSED),  # stale flag
    ],
)
def test_status_is_derived_from_dates(kw: dict[str, object], expected: Status) -> None:
    assert status(_call(**kw), NOW) is expected


def test_deadline_boundary_is_inclusive() -> None:
    call = _call(deadlines=(Deadline(at=NOW),))
    assert status(call, NOW) is Status.OPEN
    assert status(call, NOW + timedelta(seconds=1)) is Status.CLOSED


def test_status_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        status(_call(), datetime(2026, 1, 1))


def test_next_deadline_after_now_else_last() -> None:
    call = _call(deadlines=(_dl(40), _dl(-30), _dl(10)))
    assert call.deadline(NOW) == NOW + timedelta(days=10)
    assert call.deadline(NOW + timedelta(days=50)) == NOW + timedelta(days=40)
    assert _call().deadline(NOW) is None


def test_title_prefers_the_call_language_then_english() -> None:
    assert _call(titles={"en": "Call", "it": "Bando"}, language="it").title == "Bando"
    assert _call(titles={"es": "Convocatoria", "en": "Call"}, language="ro").title == "Call"


def test_content_hash_ignores_empty_optional_fields() -> None:
    plain = _call(deadlines=(_dl(3),))
    assert (
        plain.content_hash()
        == _call(deadlines=(_dl(3),), summary="", budget=Budget()).content_hash()
    )
    assert plain.content_hash() != _call(deadlines=(_dl(4),)).content_hash()
    assert plain.content_hash() == _call(deadlines=(_dl(3),), extra={"seen": "x"}).content_hash()


def test_naive_deadline_is_rejected() -> None:
    with pytest.raises(ValueError):
        Deadline(at=datetime(2026, 1, 1))  # type: ignore[arg-type]
