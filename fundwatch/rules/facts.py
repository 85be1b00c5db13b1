"""What the rules need to know about one call at one instant, computed once per call.

Every profile reads the same `CallFacts`, so the costly parts (status from dates, canonical
territory codes, folded and stemmed text) are paid once per call, not once per pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fundwatch.models import Call, Status, status
from fundwatch.normalize.territories import ancestors, lookup
from fundwatch.rules.text import joined_tokens, stem_tokens, tokens

__all__ = [
    "CallFacts",
    "ProgrammeFact",
    "TextField",
    "call_facts",
    "call_ref",
    "canonical_territory",
]

_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class TextField:
    """One searchable text of the call in one language: folded words and their stems."""

    name: str
    lang: str
    words: tuple[str, ...]
    word_set: frozenset[str]
    stems: tuple[str, ...]
    stem_set: frozenset[str]


@dataclass(frozen=True, slots=True)
class ProgrammeFact:
    """A programme or strand the call is financed under (funds are in `CallFacts.funds`)."""

    code: str
    label: str
    words: tuple[str, ...]
    word_set: frozenset[str]


@dataclass(frozen=True, slots=True)
class CallFacts:
    """The call plus everything derived from it and `now`.

    `territories` holds the canonical codes of the call's territories that the hierarchy
    knows (unknown codes are dropped: a call naming none is "territory unknown").
    `days_left` is the time to the next deadline in days (negative once every deadline is
    past; None without deadlines).
    """

    call: Call
    ref: str
    now: datetime
    status: Status
    deadline: datetime | None
    days_left: float | None
    call_type: str
    territories: tuple[str, ...]
    audiences: tuple[str, ...]
    funds: tuple[str, ...]
    programmes: tuple[ProgrammeFact, ...]
    fields: tuple[TextField, ...]


def call_ref(call: Call) -> str:
    """The reference used in exclusion lists and command lines: ``source:source_id``."""
    return f"{call.source}:{call.source_id}"


def canonical_territory(code: str) -> str | None:
    """The canonical code of a territory the hierarchy knows (``1272`` -> ``001272``,
    ``01`` -> ``ITC1``, ``BE10`` as it is), else None."""
    info = lookup(code)
    if info is not None:
        return info.code
    upper = code.strip().upper()
    if upper == "EU" or ancestors(upper):
        return upper
    return None


def call_facts(call: Call, now: datetime) -> CallFacts:
    """Derive the facts of `call` at `now` (aware)."""
    deadline = call.deadline(now)
    days_left = (deadline - now).total_seconds() / _DAY if deadline is not None else None
    territories: list[str] = []
    for territory in call.territories:
        code = canonical_territory(territory.code)
        if code is not None and code not in territories:
            territories.append(code)
    programmes = tuple(
        ProgrammeFact(p.code.strip().upper(), p.label, words, frozenset(words))
        for p in call.programmes
        for words in (tokens(p.label),)
        if p.kind != "fund"
    )
    return CallFacts(
        call=call,
        ref=call_ref(call),
        now=now,
        status=status(call, now),
        deadline=deadline,
        days_left=days_left,
        call_type=" ".join(tokens(call.call_type)),
        territories=tuple(territories),
        audiences=tuple(dict.fromkeys(a.code for a in call.audiences)),
        funds=tuple(dict.fromkeys(call.funds)),
        programmes=programmes,
        fields=_fields(call),
    )


def _fields(call: Call) -> tuple[TextField, ...]:
    out: list[TextField] = []
    for lang, title in call.titles.items():
        out.append(_field("title", lang.lower(), tokens(title)))
    lang = call.language.lower()
    if call.summary:
        out.append(_field("summary", lang, tokens(call.summary)))
    if call.keywords:
        out.append(_field("keywords", lang, joined_tokens(call.keywords)))
    if call.themes:
        out.append(_field("themes", lang, joined_tokens(call.themes)))
    return tuple(f for f in out if f.words)


def _field(name: str, lang: str, words: tuple[str, ...]) -> TextField:
    stems = stem_tokens(words, lang)
    return TextField(name, lang, words, frozenset(words), stems, frozenset(stems))
