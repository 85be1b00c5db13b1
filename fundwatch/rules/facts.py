"""What the rules need to know about one call at one instant, computed once per call.

Every profile reads the same `CallFacts`, so the costly parts (status from dates, canonical
territory codes, folded and stemmed text) are paid once per call, not once per pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime

from fundwatch.models import Call, Status, status
from fundwatch.normalize.territories import ancestors, lookup
from fundwatch.rules.text import (
    PHRASE_SPACE,
    joined_tokens,
    pair_space,
    pairs,
    stem_space,
    stem_tokens,
    tokens,
    word_space,
)

__all__ = [
    "CallFacts",
    "ProgrammeFact",
    "TextField",
    "call_facts",
    "call_ref",
    "canonical_territory",
]

_DAY = 86400.0
_TAGS = ("themes", "keywords")
_SPACE_NAMES: dict[str, tuple[str, str, str]] = {}


@dataclass(frozen=True, slots=True)
class TextField:
    """One searchable text of the call in one language: folded words and their stems."""

    name: str
    lang: str
    words: tuple[str, ...]
    word_set: frozenset[str]
    stems: tuple[str, ...]
    stem_set: frozenset[str]
    stem_pairs: AbstractSet[str]


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
    past; None without deadlines). `programme_text` holds the programme labels' words, each
    label as `` word word `` between ``|``: a programme name occurs in a label exactly when
    `` name `` is a substring. `title_tokens`, `text_tokens` and `tag_tokens` map each
    token space (see `fundwatch.rules.text`) to the tokens of the titles, of all fields, and
    of the theme and keyword tags: a one-word term is found with one set lookup.
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
    programme_codes: frozenset[str]
    programme_text: str
    fields: tuple[TextField, ...]
    title_tokens: Mapping[str, AbstractSet[str]]
    text_tokens: Mapping[str, AbstractSet[str]]
    tag_tokens: Mapping[str, AbstractSet[str]]


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
    fields = _fields(call)
    title, text, tags = _levels(fields)
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
        programme_codes=frozenset(p.code for p in programmes),
        programme_text="|".join(f" {' '.join(p.words)} " for p in programmes),
        fields=fields,
        title_tokens=title,
        text_tokens=text,
        tag_tokens=tags,
    )


def _levels(
    fields: Iterable[TextField],
) -> tuple[dict[str, AbstractSet[str]], dict[str, AbstractSet[str]], dict[str, AbstractSet[str]]]:
    """Token spaces of the titles, of every field, and of the tags, in one pass. A space
    with a single contributing field shares that field's set; sets are merged (copied) only
    when a second field contributes."""
    title: dict[str, AbstractSet[str]] = {}
    text: dict[str, AbstractSet[str]] = {}
    tags: dict[str, AbstractSet[str]] = {}
    for fld in fields:
        names = _SPACE_NAMES.get(fld.lang)
        if names is None:
            stems = stem_space(fld.lang)
            names = _SPACE_NAMES[fld.lang] = (stems, pair_space(stems), word_space(fld.lang))
        contributions = (
            (names[0], fld.stem_set),
            (names[1], fld.stem_pairs),
            (names[2], fld.word_set),
            (PHRASE_SPACE, fld.word_set),
        )
        targets = [text]
        if fld.name == "title":
            targets.append(title)
        elif fld.name in _TAGS:
            targets.append(tags)
        for target in targets:
            for space, items in contributions:
                existing = target.get(space)
                target[space] = items if existing is None else existing | items
    return title, text, tags


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
    return TextField(name, lang, words, frozenset(words), stems, frozenset(stems), pairs(stems))
