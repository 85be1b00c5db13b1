"""A profile prepared for matching: codes expanded, terms tokenised and stemmed, once.

`compile_profile` turns a `Profile` (plus its reader feedback) into the sets and token
sequences the predicates compare with `CallFacts`, so that checking one pair is a handful
of set lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fundwatch.config.profile import Profile
from fundwatch.normalize.audiences import broader
from fundwatch.normalize.territories import ancestors
from fundwatch.rules.feedback import Feedback
from fundwatch.rules.text import (
    PHRASE_SPACE,
    pair_space,
    stem_space,
    stem_tokens,
    tokens,
    word_space,
)

__all__ = ["CompiledProfile", "ProgrammeWant", "Term", "compile_profile"]

PHRASE = "*"
"""The `Term.forms` key of an exact phrase: compared with the folded words of any language."""


@dataclass(frozen=True, slots=True)
class Term:
    """A term as written, and its token sequence per language (stems when stemming; the
    folded words under `PHRASE` for exact phrases and with stemming off). `heads` holds, for
    each form, a (token space, token) that must occur for the term to occur (see
    `fundwatch.rules.text`): the word itself for a one-word term, the pair for a two-word
    stemmed term, the first word otherwise. `single` is True when the head alone
    decides (one word, or a pair)."""

    text: str
    forms: dict[str, tuple[str, ...]]
    stemmed: bool
    heads: tuple[tuple[str, str], ...] = ()
    single: bool = False


@dataclass(frozen=True, slots=True)
class ProgrammeWant:
    """A programme the profile names: its text, the code it may be, its folded words."""

    text: str
    code: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class CompiledProfile:
    profile: Profile
    languages: frozenset[str]
    types: tuple[str, ...]
    eligible: frozenset[str]
    territory_keys: frozenset[str]
    excluded_types: frozenset[str]
    programmes: tuple[ProgrammeWant, ...]
    funds: tuple[str, ...]
    themes: tuple[Term, ...]
    any_terms: tuple[Term, ...]
    all_terms: tuple[Term, ...]
    none_terms: tuple[Term, ...]
    phrases: tuple[Term, ...]
    fewer: tuple[Term, ...]
    excluded_calls: dict[str, datetime | None]

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def has_interests(self) -> bool:
        """True when the profile names at least one positive interest."""
        return bool(
            self.programmes
            or self.funds
            or self.themes
            or self.any_terms
            or self.all_terms
            or self.phrases
        )

    def audience_gate(self) -> bool:
        return self.profile.gates.audience and bool(self.types)

    def territory_gate(self) -> bool:
        return self.profile.gates.territory and bool(self.territory_keys)


def compile_profile(profile: Profile, feedback: Feedback | None = None) -> CompiledProfile:
    """Prepare `profile` (and the reader feedback to apply) for matching."""
    feedback = feedback or Feedback()
    org = profile.organisation
    interests = profile.interests
    languages = frozenset(profile.languages)
    types = tuple(dict.fromkeys(([org.type] if org.type else []) + list(org.also)))
    eligible: set[str] = set()
    for code in types:
        eligible.add(code)
        eligible.update(broader(code))
    keys: frozenset[str] = frozenset()
    if org.territory:
        keys = frozenset([org.territory, *ancestors(org.territory)])

    def terms(texts: list[str] | tuple[str, ...]) -> tuple[Term, ...]:
        return tuple(t for t in (_term(x, languages, interests.stemming) for x in texts) if t.forms)

    return CompiledProfile(
        profile=profile,
        languages=languages,
        types=types,
        eligible=frozenset(eligible),
        territory_keys=keys,
        excluded_types=frozenset(" ".join(tokens(t)) for t in profile.gates.exclude_call_types),
        programmes=tuple(
            ProgrammeWant(p, p.strip().upper(), tokens(p))
            for p in interests.programmes
            if p.strip()
        ),
        funds=tuple(dict.fromkeys(interests.funds)),
        themes=terms(interests.themes),
        any_terms=terms(interests.keywords.any),
        all_terms=terms(interests.keywords.all),
        none_terms=terms(interests.keywords.none),
        phrases=tuple(t for t in (_phrase(p) for p in interests.phrases) if t.forms),
        fewer=terms(feedback.fewer),
        excluded_calls=dict(feedback.excluded),
    )


def _term(text: str, languages: frozenset[str], stemming: bool) -> Term:
    words = tokens(text)
    if not words:
        return Term(text, {}, stemming)
    if not stemming:
        forms = {lang: words for lang in sorted(languages)}
        heads = tuple((word_space(lang), w[0]) for lang, w in forms.items())
        return Term(text, forms, False, heads, len(words) == 1)
    forms = {lang: stem_tokens(words, lang) for lang in sorted(languages)}
    return Term(text, forms, True, *_heads({stem_space(k): v for k, v in forms.items()}))


def _phrase(text: str) -> Term:
    words = tokens(text)
    if not words:
        return Term(text, {}, False)
    return Term(text, {PHRASE: words}, False, ((PHRASE_SPACE, words[0]),), len(words) == 1)


def _heads(forms: dict[str, tuple[str, ...]]) -> tuple[tuple[tuple[str, str], ...], bool]:
    size = len(next(iter(forms.values())))
    if size == 2:
        return tuple((pair_space(space), " ".join(seq)) for space, seq in forms.items()), True
    return tuple((space, seq[0]) for space, seq in forms.items()), size == 1
