"""Words for matching: accent folding, tokens, snowball stems, term occurrence.

Folding is `fundwatch.normalize.territories.fold_name` (lower case, accents and punctuation
dropped), so "Attività" and "attivita" are the same token and "dell'innovazione" gives
"dell", "innovazione". Stems come from the snowball stemmer of the text's language (Italian
"imprese" and "impresa" both give "impres"); a language without a stemmer keeps its tokens.
A term (one or more words) occurs in a text when its token sequence appears contiguously.

Folding and stemming are memoised (per language for stems): call texts share most of their
vocabulary. The stemmers are snowballstemmer's, which runs PyStemmer's C build of the same
Snowball algorithms when it is installed (a dependency: the same stems as the pure-Python ones,
checked word for word on the fixtures' and the match benchmark's vocabulary, at a fraction of
the ~35 µs a word the pure-Python stemmers take). One-word terms are
looked up in "token spaces": the stems of one language (`stem_space`), its plain words
(`word_space`), or the words of any language (`PHRASE_SPACE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from itertools import pairwise

import snowballstemmer

from fundwatch.normalize.territories import fold_name

__all__ = [
    "PHRASE_SPACE",
    "SEP",
    "joined_tokens",
    "occurs",
    "pair_space",
    "pairs",
    "stem_space",
    "stem_tokens",
    "tokens",
    "word_space",
]

SEP = "\x00"
"""A token that never matches: put between the segments of a list (keywords, themes) so
that a term cannot run across two of them."""

_ALGORITHMS = {
    "it": "italian",
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "de": "german",
    "pt": "portuguese",
    "nl": "dutch",
    "ro": "romanian",
}
_MEMO: dict[str, dict[str, str]] = {}
_FOLD_MEMO: dict[str, tuple[str, ...]] = {}
_MEMO_LIMIT = 500_000


def tokens(text: str) -> tuple[str, ...]:
    """Folded tokens of `text`: ``"Attività d'impresa"`` -> ``("attivita", "d", "impresa")``.

    The same as ``fold_name(text).split()`` (folding works character by character and
    whitespace folds to a space), computed per whitespace-separated piece with a memo:
    call texts repeat their words, and folding is the costly part of preparing a call.
    """
    out: list[str] = []
    memo = _FOLD_MEMO
    for piece in text.split():
        folded = memo.get(piece)
        if folded is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            folded = memo[piece] = tuple(fold_name(piece).split())
        out.extend(folded)
    return tuple(out)


def joined_tokens(segments: Iterable[str]) -> tuple[str, ...]:
    """Tokens of several segments with `SEP` between them."""
    out: list[str] = []
    for segment in segments:
        words = tokens(segment)
        if not words:
            continue
        if out:
            out.append(SEP)
        out.extend(words)
    return tuple(out)


@cache
def _stemmer(lang: str) -> snowballstemmer.BaseStemmer | None:
    algorithm = _ALGORITHMS.get(lang)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


def stem_tokens(words: Sequence[str], lang: str) -> tuple[str, ...]:
    """The stems of folded `words` in language `lang` (`SEP` stays as it is)."""
    stemmer = _stemmer(lang)
    if stemmer is None:
        return tuple(words)
    memo = _MEMO.setdefault(lang, {})
    try:
        return tuple(map(memo.__getitem__, words))  # every word seen before: the usual case
    except KeyError:
        pass
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    for word in words:
        if word not in memo:
            memo[word] = word if word == SEP else stemmer.stemWord(word)
    return tuple(map(memo.__getitem__, words))


def occurs(needle: Sequence[str], hay: Sequence[str], hay_set: frozenset[str]) -> bool:
    """True when the token sequence `needle` appears contiguously in `hay` (`hay_set` is
    `set(hay)`, passed in so that one-word terms cost one lookup)."""
    if not needle:
        return False
    first = needle[0]
    if first not in hay_set:
        return False
    size = len(needle)
    if size == 1:
        return True
    for i in range(len(hay) - size + 1):
        if hay[i] == first and tuple(hay[i : i + size]) == tuple(needle):
            return True
    return False


PHRASE_SPACE = "p"
"""Token space of folded words of any language (exact phrases)."""


def stem_space(lang: str) -> str:
    """Token space of the stems of text in language `lang`."""
    return f"s:{lang}"


def word_space(lang: str) -> str:
    """Token space of the folded, unstemmed words of text in language `lang`."""
    return f"w:{lang}"


def pair_space(space: str) -> str:
    """Space of the pairs of adjacent tokens (``"innov social"``) of a stem space: a two-word
    stemmed term occurs exactly when its pair does."""
    return f"2{space}"


def pairs(seq: Sequence[str]) -> set[str]:
    """Adjacent tokens of `seq` joined by a space (`SEP` never pairs with a term's token)."""
    return {f"{a} {b}" for a, b in pairwise(seq)}
