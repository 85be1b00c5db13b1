"""The shared shape guard: empty where there were many, or most items unreadable."""

from __future__ import annotations

import pytest

from fundwatch.errors import ShapeChanged
from fundwatch.sources.guards import MANY, check_shape

URL = "https://portal.example/api?page=1"


@pytest.mark.parametrize(
    ("parsed", "total", "last"),
    [
        (10, 10, 12),  # a normal run
        (8, 10, 12),  # exactly 80 % readable
        (0, 0, None),  # a new source that has nothing yet
        (0, 0, MANY - 1),  # a small source going quiet is believable
        (3, 3, 400),  # few items is not "no items": a real shrink stays a value
    ],
)
def test_passes_believable_counts(parsed: int, total: int, last: int | None) -> None:
    check_shape(parsed, total, last, URL)


def test_no_items_where_the_last_good_run_had_many() -> None:
    with pytest.raises(ShapeChanged) as err:
        check_shape(0, 0, 40, URL)
    assert err.value.url == URL
    assert "no items where the last complete run had 40 calls" in str(err.value)


def test_items_but_none_readable_names_both_counts() -> None:
    with pytest.raises(ShapeChanged, match="none of 25 items readable"):
        check_shape(0, 25, 40, URL)


def test_none_readable_on_a_first_run_is_also_a_shape_change() -> None:
    with pytest.raises(ShapeChanged, match="only 0 of 3 items"):
        check_shape(0, 3, None, URL)


def test_fewer_than_80_percent_readable() -> None:
    with pytest.raises(ShapeChanged, match=r"only 7 of 10 items could be read") as err:
        check_shape(7, 10, None, URL)
    assert err.value.url == URL


def test_impossible_counts_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        check_shape(5, 4, None, URL)
