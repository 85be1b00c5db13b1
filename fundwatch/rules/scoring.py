"""Where terms occur, how many points a call earns, and the fast remainder of a verdict.

The predicates (which build evidence) and the bulk path (which does not) take every
decision through the functions here, so a traced verdict and a bulk one cannot disagree:

- `hit` says whether a term occurs, in a title (2) or elsewhere (1): one-word terms by set
  lookups in the call's token spaces, longer ones by `locate` (once their first token is
  known to occur);
- `interest_points`, `all_present`, `first_unwanted`, `fewer_penalty` and `final_score` are
  the interest, keyword and relevance decisions (`engine.rest_score` strings them together
  for the bulk path).

Points: a programme or fund named by the profile 35, a theme 20, a keyword 20 in a title and
10 elsewhere, a phrase 30 in a title and 15 elsewhere; the sum is capped at 100. A profile
without positive interests gives every call 50. Each 'fewer like this' term found takes 30.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from collections.abc import Set as AbstractSet

from fundwatch.rules.compiled import PHRASE, CompiledProfile, Term
from fundwatch.rules.facts import CallFacts, TextField
from fundwatch.rules.text import occurs

__all__ = [
    "all_present",
    "fewer_penalty",
    "final_score",
    "first_unwanted",
    "hit",
    "interest_points",
    "locate",
    "programme_hit",
]

PROGRAMME_POINTS = 35
FUND_POINTS = 35
THEME_POINTS = 20
KEYWORD_POINTS = (20, 10)
PHRASE_POINTS = (30, 15)
NO_INTEREST_POINTS = 50
FEWER_PENALTY = 30
THEME_FIELDS = frozenset({"themes", "keywords"})
_EMPTY: AbstractSet[str] = frozenset()


def locate(term: Term, fields: Sequence[TextField], names: Collection[str] = ()) -> str | None:
    """The name of the first field (titles first) where `term` occurs, else None.

    A stemmed or plain term is looked for only in text of the languages it was prepared
    for (the profile's languages); an exact phrase in text of any language.
    """
    phrase = term.forms.get(PHRASE)
    for fld in fields:
        if names and fld.name not in names:
            continue
        if phrase is not None:
            if occurs(phrase, fld.words, fld.word_set):
                return fld.name
            continue
        seq = term.forms.get(fld.lang)
        if seq is None:
            continue
        if term.stemmed:
            if occurs(seq, fld.stems, fld.stem_set):
                return fld.name
        elif occurs(seq, fld.words, fld.word_set):
            return fld.name
    return None


def hit(term: Term, f: CallFacts, tags_only: bool = False) -> int:
    """2 when `term` occurs in a title, 1 elsewhere, 0 not at all; with `tags_only`, 1 when
    it occurs in the theme or keyword tags."""
    spaces = f.tag_tokens if tags_only else f.text_tokens
    for space, head in term.heads:
        if head in spaces.get(space, _EMPTY):
            break
    else:
        return 0
    if not term.single:
        where = locate(term, f.fields, THEME_FIELDS if tags_only else ())
        if where is None:
            return 0
        return 2 if where == "title" and not tags_only else 1
    if tags_only:
        return 1
    titles = f.title_tokens
    for space, head in term.heads:
        if head in titles.get(space, _EMPTY):
            return 2
    return 1


def programme_hit(cp: CompiledProfile, f: CallFacts, want_index: int) -> int | None:
    """Position in `f.programmes` of the first programme the profile's want matches."""
    want = cp.programmes[want_index]
    for i, prog in enumerate(f.programmes):
        if want.code == prog.code or occurs(want.words, prog.words, prog.word_set):
            return i
    return None


def interest_points(cp: CompiledProfile, f: CallFacts) -> int | None:
    """Points the call earns from the profile's interests (capped at 100), or None when the
    profile names interests and the call hits none of them."""
    if not cp.has_interests:
        return NO_INTEREST_POINTS
    points = 0
    hits = 0
    for i in range(len(cp.programmes)):
        if programme_hit(cp, f, i) is not None:
            points += PROGRAMME_POINTS
            hits += 1
    for fund in cp.funds:
        if fund in f.funds:
            points += FUND_POINTS
            hits += 1
    for term in cp.themes:
        if hit(term, f, tags_only=True):
            points += THEME_POINTS
            hits += 1
    for term in cp.any_terms:
        level = hit(term, f)
        if level:
            points += KEYWORD_POINTS[0] if level == 2 else KEYWORD_POINTS[1]
            hits += 1
    for term in cp.all_terms:
        level = hit(term, f)
        if level:
            points += KEYWORD_POINTS[0] if level == 2 else KEYWORD_POINTS[1]
            hits += 1
    for term in cp.phrases:
        level = hit(term, f)
        if level:
            points += PHRASE_POINTS[0] if level == 2 else PHRASE_POINTS[1]
            hits += 1
    return min(points, 100) if hits else None


def all_present(cp: CompiledProfile, f: CallFacts) -> bool:
    """Every `keywords.all` term occurs."""
    return all(hit(t, f) for t in cp.all_terms)


def first_unwanted(cp: CompiledProfile, f: CallFacts) -> Term | None:
    """The first `keywords.none` term that occurs, else None."""
    for term in cp.none_terms:
        if hit(term, f):
            return term
    return None


def fewer_penalty(cp: CompiledProfile, f: CallFacts) -> list[Term]:
    """The 'fewer like this' terms that occur (each costs `FEWER_PENALTY`)."""
    return [t for t in cp.fewer if hit(t, f)]


def final_score(points: int, fewer: int) -> int:
    """The relevance score: interest points less the penalties, within 0..100."""
    return max(min(points, 100) - FEWER_PENALTY * fewer, 0)
