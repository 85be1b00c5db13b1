"""Bulk deciders: one small closure per profile that scores a call without building evidence.

`engine.evaluate` checks one pair and explains it; the index checks thousands of candidate
pairs per call and needs only the score of those that match. `make_decider(cp)` returns a
function of `CallFacts` giving what `evaluate` gives for the criteria the index does not
decide with bitsets (interests, `keywords.all` / `.none`, 'fewer like this', `min_score`):
the score of a match, else None. Grant size and co-financing depend only on the call and on
the gate's settings: `money_blocks` decides them once per call for each group of profiles
sharing those settings, and the index drops the group from the candidates.

It takes the same decisions through the same helpers (`scoring.hit`, `grant_check`,
`cofinancing_check`), finds programme names in `CallFacts.programme_text`, and lays the
profile's one- and two-word terms out per token space as a set of heads (each standing for
one or more of the profile's terms): the heads a call holds come from one set intersection
done in C, and only those are weighed. A term of a profile
reading several languages has a head per language and hits when any of them occurs;
counting heads would count it twice on a call with text in two of those languages, so on
such calls the decider falls back to `scoring`, term by term. `tests/rules/test_index.py`
compares the index with the all-pairs loop of `evaluate` on random profiles and calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet

from fundwatch.rules.compiled import CompiledProfile, Term
from fundwatch.rules.facts import CallFacts
from fundwatch.rules.predicates import cofinancing_check, grant_check
from fundwatch.rules.scoring import (
    FEWER_PENALTY,
    FUND_POINTS,
    KEYWORD_POINTS,
    NO_INTEREST_POINTS,
    PHRASE_POINTS,
    PROGRAMME_POINTS,
    THEME_POINTS,
    all_present,
    fewer_penalty,
    final_score,
    first_unwanted,
    hit,
    interest_points,
)
from fundwatch.rules.text import PHRASE_SPACE, pair_space
from fundwatch.rules.verdict import Result

__all__ = ["Decider", "make_decider", "money_blocks"]

Decider = Callable[[CallFacts], "int | None"]
Table = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
"""(token space, ((head, number of terms), ...)), ...: only spaces with heads."""
Heads = tuple[tuple[str, frozenset[str]], ...]
"""(token space, heads), ...: a `Table` as sets, for C-level subset and disjointness tests."""
Weighed = tuple[tuple[str, frozenset[str], dict[str, tuple[int, int, int]]], ...]
"""(token space, heads, head -> (points in a title, points elsewhere, number of terms)), ...:
the heads a call holds are found by one set intersection, their points looked up after."""
Layout = tuple[Weighed, Weighed, Heads, Heads, Weighed]
"""What a decider reads for one active stem language: themes, keywords and phrases, the
`all` heads, the `none` heads, the 'fewer like this' heads."""

_EMPTY: AbstractSet[str] = frozenset()
_PAIR = pair_space("")
_PHRASE_SPACES = (PHRASE_SPACE, pair_space(PHRASE_SPACE))


def _tables(terms: Iterable[Term], spaces: tuple[str, ...]) -> tuple[Table, tuple[Term, ...]]:
    """The heads of the one-head terms in `spaces`, and the terms a head cannot decide."""
    heads: dict[str, dict[str, int]] = {}
    long: list[Term] = []
    for term in terms:
        if not term.single:
            long.append(term)
            continue
        for space, head in term.heads:
            if space in spaces:
                table = heads.setdefault(space, {})
                table[head] = table.get(head, 0) + 1
    return tuple((s, tuple(h.items())) for s, h in heads.items()), tuple(long)


def _strict(cp: CompiledProfile, gate: str, result: Result | None) -> bool:
    """True when `result` of `gate` keeps the call out (as `engine.excludes` decides)."""
    if result is None or result is Result.PASS:
        return False
    return result is Result.FAIL or cp.profile.gates.strict(gate)


def money_blocks(cp: CompiledProfile, gate: str, f: CallFacts) -> bool:
    """True when the grant size (`gate` "grant") or the co-financing ("cofinancing") keeps
    `f` out for `cp`. It depends only on the call and on the gate's settings, so the index
    decides it once per call for all the profiles sharing them."""
    if gate == "grant":
        return _strict(cp, "grant_size", _result(grant_check(cp, f)))
    return _strict(cp, "cofinancing", cofinancing_check(cp, f))


def make_decider(cp: CompiledProfile) -> Decider:
    """The bulk decider of `cp`; see the module docstring for what it decides."""
    interests = cp.profile.interests
    funds = cp.funds
    wants = tuple((w.code, f" {' '.join(w.words)} " if w.words else "") for w in cp.programmes)
    has_interests, min_score = cp.has_interests, interests.min_score
    searched = (*cp.any_terms, *cp.all_terms, *cp.themes, *cp.none_terms, *cp.fewer)
    bases = tuple(sorted({space.removeprefix(_PAIR) for t in searched for space, _ in t.heads}))
    phrases, long_phrases = _tables(cp.phrases, _PHRASE_SPACES)
    per_base: dict[str, Layout] = {}
    for base in bases:
        spaces = (base, pair_space(base))
        keywords = _tables((*cp.any_terms, *cp.all_terms), spaces)[0]
        per_base[base] = (
            _weighed(_tables(cp.themes, spaces)[0], (THEME_POINTS, THEME_POINTS)),
            _weighed(keywords, KEYWORD_POINTS) + _weighed(phrases, PHRASE_POINTS),
            _heads(_tables(cp.all_terms, spaces)[0]),
            _heads(_tables(cp.none_terms, spaces)[0]),
            _weighed(_tables(cp.fewer, spaces)[0], (0, 0)),
        )
    inactive: Layout = ((), _weighed(phrases, PHRASE_POINTS), (), (), ())
    long_themes = _tables(cp.themes, ())[1]
    long_scored = tuple(
        (term, *points)
        for terms, points in (
            (_tables((*cp.any_terms, *cp.all_terms), ())[1], KEYWORD_POINTS),
            (long_phrases, PHRASE_POINTS),
        )
        for term in terms
    )
    long_all = _tables(cp.all_terms, ())[1]
    long_none = _tables(cp.none_terms, ())[1]
    long_fewer = _tables(cp.fewer, ())[1]
    single_all = any(t.single for t in cp.all_terms)
    single_none = any(t.single for t in cp.none_terms)
    single_fewer = any(t.single for t in cp.fewer)

    def slow(f: CallFacts) -> int | None:
        points = interest_points(cp, f)
        if points is None:
            return None
        if cp.all_terms and not all_present(cp, f):
            return None
        if cp.none_terms and first_unwanted(cp, f) is not None:
            return None
        score = final_score(points, len(fewer_penalty(cp, f)) if cp.fewer else 0)
        return score if score >= min_score else None

    tail = bool(single_all or long_all or single_none or long_none or single_fewer or long_fewer)
    longs = bool(long_themes or long_scored)

    # Everything a call reads is bound as a default: one tuple per profile instead of a cell
    # per name, read as fast locals (candidates are scattered: what a decider touches is
    # mostly out of the CPU caches).
    def decide(
        f: CallFacts,
        bases: tuple[str, ...] = bases,
        per_base: Mapping[str, Layout] = per_base,
        inactive: Layout = inactive,
        wants: tuple[tuple[str, str], ...] = wants,
        funds: tuple[str, ...] = funds,
        longs: bool = longs,
        tail: bool = tail,
        has_interests: bool = has_interests,
        min_score: int = min_score,
    ) -> int | None:
        text, titles = f.text_tokens, f.title_tokens
        active = ""
        for base in bases:
            if base in text:
                if active:
                    return slow(f)
                active = base
        themes, scored, required, unwanted, fewer_t = per_base[active] if active else inactive
        points = hits = 0
        if wants:
            codes, labels = f.programme_codes, f.programme_text
            for code, name in wants:
                if code in codes or (name and name in labels):
                    points += PROGRAMME_POINTS
                    hits += 1
        for fund in funds:
            if fund in f.funds:
                points += FUND_POINTS
                hits += 1
        for space, heads, weights in themes:
            tags = f.tag_tokens.get(space)
            if tags:
                for head in heads.intersection(tags):
                    _, low, n = weights[head]
                    points += low
                    hits += n
        for space, heads, weights in scored:
            found = text.get(space)
            if found:
                common = heads.intersection(found)
                if common:
                    in_title = titles.get(space, _EMPTY)
                    for head in common:
                        high, low, n = weights[head]
                        points += high if head in in_title else low
                        hits += n
        if longs:
            for term in long_themes:
                if hit(term, f, tags_only=True):
                    points += THEME_POINTS
                    hits += 1
            for term, high, low in long_scored:
                level = hit(term, f)
                if level:
                    points += high if level == 2 else low
                    hits += 1
        if not has_interests:
            points = NO_INTEREST_POINTS
        elif not hits:
            return None
        fewer = 0
        if tail:
            if single_all:
                if not active:
                    return None
                for space, heads in required:
                    if not heads.issubset(text.get(space, _EMPTY)):
                        return None
            for term in long_all:
                if not hit(term, f):
                    return None
            if single_none and active:
                for space, heads in unwanted:
                    found = text.get(space)
                    if found and not heads.isdisjoint(found):
                        return None
            for term in long_none:
                if hit(term, f):
                    return None
            if single_fewer and active:
                fewer = _count(fewer_t, text)
            for term in long_fewer:
                if hit(term, f):
                    fewer += 1
        score = (points if points < 100 else 100) - FEWER_PENALTY * fewer
        if score < 0:
            score = 0
        return score if score >= min_score else None

    return decide


def _weighed(table: Table, points: tuple[int, int]) -> Weighed:
    """`table` as sets of heads, with the points each head earns in a title and elsewhere
    (`points` per term, times the terms it stands for) and the number of terms."""
    high, low = points
    return tuple(
        (space, frozenset(h for h, _ in items), {h: (high * n, low * n, n) for h, n in items})
        for space, items in table
    )


def _heads(table: Table) -> Heads:
    return tuple((space, frozenset(h for h, _ in items)) for space, items in table)


def _result(check: tuple[Result, str, object] | None) -> Result | None:
    return None if check is None else check[0]


def _count(table: Weighed, text: Mapping[str, AbstractSet[str]]) -> int:
    """How many of the terms behind `table`'s heads occur in `text`."""
    count = 0
    for space, heads, weights in table:
        found = text.get(space)
        if found:
            count += sum(weights[head][2] for head in heads.intersection(found))
    return count
