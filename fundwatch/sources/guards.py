"""Shape guards shared by source kinds: tell a changed layout from a quiet day.

A portal that changes its payload rarely fails loudly: it answers 200 with zero items, or with
items whose fields moved so that most of them no longer read. Either must become a
`ShapeChanged` source error (the run is incomplete and nothing is closed), never a run that
looks like "no calls" or "most calls vanished".

The rules, in one place so every kind applies the same ones:

- zero items where the last complete run had many (`MANY` or more) is a changed shape;
- fewer than `MIN_READABLE` (80 %) of the items seen turned into calls is a changed shape.

A source that really went from two calls to none is not flagged: below `MANY` an empty answer
is believable.
"""

from __future__ import annotations

from fundwatch.errors import ShapeChanged

__all__ = ["MANY", "MIN_READABLE", "check_shape"]

MANY = 5
"""How many calls the last complete run must have had for an empty answer to be suspect."""

MIN_READABLE = 0.8
"""The share of items seen that must parse into calls."""


def check_shape(parsed: int, total: int, last_good_count: int | None, url: str) -> None:
    """Raise ShapeChanged when `parsed` of `total` items read looks like a layout change.

    `parsed` is how many items became calls, `total` how many items the payload held (every
    page of the run), `last_good_count` how many calls the last complete run produced (None
    when there was none), `url` the request the payload came from (named in the error).
    """
    if parsed < 0 or total < 0 or parsed > total:
        raise ValueError(f"impossible counts: parsed={parsed}, total={total}")
    if total == 0 or parsed == 0:
        if last_good_count is not None and last_good_count >= MANY:
            seen = "no items" if total == 0 else f"none of {total} items readable"
            raise ShapeChanged(
                f"{seen} where the last complete run had {last_good_count} calls", url=url
            )
        if total == 0:
            return
    if parsed < MIN_READABLE * total:
        raise ShapeChanged(
            f"only {parsed} of {total} items could be read (less than "
            f"{MIN_READABLE:.0%}): the payload layout has probably changed",
            url=url,
        )
