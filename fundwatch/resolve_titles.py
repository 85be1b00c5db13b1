"""The title rule of entity resolution: similar titles, same issuer, deadlines within a day.

Titles and issuers are accent-folded, lower-cased, split on anything not a letter or digit, and
stripped of Italian/English stop words; the issuer's own words are dropped from the title
("Regione Piemonte - Bando X" compares as "bando x"). Two titles each with a word the other
lacks (beyond inflection) are sister calls, not one call, however close the letters; a closing
single letter ("Misura A") counts as a number. Calls are put in blocks by (normalised
issuer, UTC day of the last deadline), rolling calls without deadline in one block per issuer,
and compared only within a block and with the next day's block: never all pairs. Used by
`fundwatch.resolve`; see its docstring for the whole set of rules.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from itertools import chain

from rapidfuzz import fuzz, process

from fundwatch.models import Call

Key = tuple[str, str]


def title_links(calls: Iterable[Call], threshold: float) -> Iterable[tuple[Key, Key, float]]:
    """Pairs of calls of different sources the title rule links, with their score."""
    blocks: dict[tuple[str, date | None], list[_Titled]] = defaultdict(list)
    for call in sorted(calls, key=lambda c: c.key):
        titled = _Titled.of(call)
        if titled is not None:
            blocks[(titled.issuer, titled.day)].append(titled)
    for (issuer, day), block in blocks.items():
        nxt = blocks.get((issuer, day + _DAY)) if day is not None else None
        yield from chain(
            _compare(block, block, threshold), _compare(block, nxt, threshold) if nxt else ()
        )


def _compare(
    left: list[_Titled], right: list[_Titled], threshold: float
) -> Iterable[tuple[Key, Key, float]]:
    """Title links between two blocks (or within one), prefiltered in rapidfuzz's C loop
    with token_set_ratio, which is at least the final score."""
    texts = [t.text for t in right]
    same = left is right
    for i, a in enumerate(left):
        start = i + 1 if same else 0
        for _text, _pre, j in process.extract(
            a.text,
            texts[start:],
            scorer=fuzz.token_set_ratio,
            score_cutoff=threshold,
            limit=None,
        ):
            b = right[start + j]
            score = a.score(b)
            if score >= threshold:
                yield a.call.key, b.call.key, score


_DAY = timedelta(days=1)
_STOP_WORDS = """a ad al all allo alla ai agli alle an and at by con d da dal dall dallo dalla
    dai dagli dalle de degli dei del dell della delle dello di e ed for from gli i il in l la le lo
    nel nell nello nella nei negli nelle o od of on or per su sul sull sullo sulla sui sugli sulle
    the to tra fra un una uno with"""
_STOP = frozenset(_STOP_WORDS.split())
_STEM = 5
"""Words that differ only after their first five letters are one word inflected (impresa /
imprese, formativo / formativa); any other word one title has in place of another's is a
substitution that tells two sister calls apart."""


@dataclass(frozen=True)
class _Titled:
    """What the title rule compares, computed once per call."""

    call: Call
    issuer: str
    day: date | None
    words: tuple[str, ...]
    numbers: frozenset[str]

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @classmethod
    def of(cls, call: Call) -> _Titled | None:
        issuer_words = _words(call.issuer)
        if not issuer_words:
            return None
        if call.deadlines:
            last = max(d.at for d in call.deadlines)
            day: date | None = last.astimezone(UTC).date()
        elif call.rolling:
            day = None
        else:
            return None
        raw = _words(call.title, keep_stop_words=True)
        words = tuple(w for w in raw if w not in _STOP and w not in set(issuer_words))
        if not words:
            return None
        numbers = frozenset(w for w in words if any(c.isdigit() for c in w))
        if raw and len(raw[-1]) == 1:  # "Misura A", "Lotto B": a closing letter is a number
            numbers |= {raw[-1]}
        return cls(call, " ".join(issuer_words), day, words, numbers)

    def score(self, other: _Titled) -> float:
        if self.call.source == other.call.source:
            return 0.0
        if self.numbers and other.numbers and self.numbers != other.numbers:
            return 0.0
        if self.day is not None and other.day is not None:
            last_a = max(d.at for d in self.call.deadlines)
            last_b = max(d.at for d in other.call.deadlines)
            if abs(last_a - last_b) > _DAY:
                return 0.0
        if _substituted(self.words, other.words):
            return 0.0
        a, b = self.text, other.text
        short, long_ = sorted((len(self.words), len(other.words)))
        if short * 4 >= long_ * 3:
            return float(fuzz.token_set_ratio(a, b))
        return float(fuzz.token_sort_ratio(a, b))


def _substituted(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether each title has a word in place of one of the other's ("piccole medie" /
    "grandi", "disoccupati" / "occupati"), beyond inflection (`_STEM`). One title adding
    words to the other (an aggregator's prefix) is no substitution."""
    only_a = {w[:_STEM] for w in a} - {w[:_STEM] for w in b}
    only_b = {w[:_STEM] for w in b} - {w[:_STEM] for w in a}
    return bool(only_a) and bool(only_b)


def _words(text: str, *, keep_stop_words: bool = False) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return [w for w in plain.split() if keep_stop_words or w not in _STOP]
