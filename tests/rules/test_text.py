"""Accent folding, tokens, stems and term occurrence, as keyword matching sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from fundwatch.rules.compiled import compile_profile
from fundwatch.rules.facts import call_facts
from fundwatch.rules.predicates import locate
from fundwatch.rules.text import SEP, joined_tokens, occurs, stem_tokens, tokens
from tests.rules.helpers import NOW, make_call, make_profile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_tokens_fold_accents_case_and_elisions() -> None:
    assert tokens("Attività d'impresa, PIÙ Innovazione!") == (
        "attivita",
        "d",
        "impresa",
        "piu",
        "innovazione",
    )
    assert tokens("dell’inclusione sociale") == ("dell", "inclusione", "sociale")
    assert tokens("") == ()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("attività", "attivita"),
        ("imprese", "impresa"),
        ("cooperative sociali", "cooperativa sociale"),
        ("giovani", "giovane"),
        ("comuni", "comune"),
        ("politiche attive", "politica attiva"),
    ],
)
def test_italian_plurals_and_accents_share_stems(a: str, b: str) -> None:
    assert stem_tokens(tokens(a), "it") == stem_tokens(tokens(b), "it")


@pytest.mark.parametrize(
    ("a", "b"),
    [("networks", "network"), ("innovations", "innovation"), ("employment", "employ")],
)
def test_english_stems(a: str, b: str) -> None:
    assert stem_tokens(tokens(a), "en") == stem_tokens(tokens(b), "en")


def test_unrelated_words_keep_apart() -> None:
    assert stem_tokens(("sociale",), "it") != stem_tokens(("societa",), "it")
    assert stem_tokens(("lavoro",), "it") != stem_tokens(("lavagna",), "it")


def test_language_without_stemmer_keeps_tokens() -> None:
    assert stem_tokens(("xyzzies",), "fi") == ("xyzzies",)
    assert stem_tokens(("xyzzies",), "zz") == ("xyzzies",)


def test_occurs_needs_contiguous_tokens() -> None:
    hay = ("bando", "innovazione", "sociale", "e", "digitale")
    assert occurs(("innovazione", "sociale"), hay, frozenset(hay))
    assert not occurs(("innovazione", "digitale"), hay, frozenset(hay))
    assert occurs(("digitale",), hay, frozenset(hay))
    assert not occurs((), hay, frozenset(hay))


def test_list_segments_do_not_run_together() -> None:
    words = joined_tokens(["Innovazione", "sociale"])
    assert words == ("innovazione", SEP, "sociale")
    assert not occurs(("innovazione", "sociale"), words, frozenset(words))


def test_keyword_found_through_plural_accent_and_case() -> None:
    profile = make_profile(interests={"keywords": {"any": ["attività culturale", "impresa"]}})
    cp = compile_profile(profile)
    call = make_call(title="ATTIVITA CULTURALI per le Imprese del territorio")
    f = call_facts(call, NOW)
    assert [locate(t, f.fields) for t in cp.any_terms] == ["title", "title"]


def test_stemming_off_compares_folded_words() -> None:
    profile = make_profile(interests={"keywords": {"any": ["impresa"]}, "stemming": False})
    cp = compile_profile(profile)
    assert locate(cp.any_terms[0], call_facts(make_call(title="Imprese"), NOW).fields) is None
    assert locate(cp.any_terms[0], call_facts(make_call(title="Impresà"), NOW).fields) == "title"


def test_keywords_only_searched_in_the_profiles_languages() -> None:
    italian = compile_profile(make_profile(interests={"keywords": {"any": ["social"]}}))
    both = compile_profile(
        make_profile(
            organisation={"languages": ["it", "en"]}, interests={"keywords": {"any": ["social"]}}
        )
    )
    english_call = call_facts(make_call(title="Social innovation", lang="en"), NOW)
    assert locate(italian.any_terms[0], english_call.fields) is None
    assert locate(both.any_terms[0], english_call.fields) == "title"


def test_phrases_are_exact_and_any_language() -> None:
    cp = compile_profile(make_profile(interests={"phrases": ["Next Generation EU"]}))
    assert (
        locate(
            cp.phrases[0],
            call_facts(make_call(summary="Finanziato da NextGeneration EU"), NOW).fields,
        )
        is None
    )
    assert (
        locate(
            cp.phrases[0],
            call_facts(make_call(summary="Funded by Next Generation EU", lang="en"), NOW).fields,
        )
        == "summary"
    )


def test_memoised_tokens_equal_folding_the_whole_text() -> None:
    """`tokens` folds piece by piece with a memo; on every real fixture text (odd spaces,
    U+00A0, entities, accents, apostrophes) that gives what folding the whole text gives."""
    from fundwatch.normalize.territories import fold_name
    from tests.rules.fixture_calls import fixture_calls

    texts = [t for c in fixture_calls() for t in (*c.titles.values(), c.summary, *c.keywords)]
    texts += ["Attività\u00a0d’impresa", "a\u2007b\u202fc", "ß-Straße", "L'Aquila—Pescara"]
    for text in texts:
        assert tokens(text) == tuple(fold_name(text).split()), text


@pytest.mark.parametrize("lang", ["it", "en", "fr", "es", "de"])
def test_the_c_stemmers_give_the_pure_python_stems(lang: str) -> None:
    """The match speed rests on PyStemmer's C stemmers (through snowballstemmer); they must be
    the ones in use and stem exactly as the pure-Python Snowball stemmers do."""
    import importlib

    import Stemmer

    from fundwatch.rules.text import _ALGORITHMS, _stemmer

    algorithm = _ALGORITHMS[lang]
    assert isinstance(_stemmer(lang), Stemmer.Stemmer)
    module = importlib.import_module(f"snowballstemmer.{algorithm}_stemmer")
    pure = getattr(module, f"{algorithm.capitalize()}Stemmer")()
    words = {
        w
        for path in FIXTURES.rglob("*.json")
        for w in tokens(path.read_text(encoding="utf-8", errors="replace"))
    }
    assert len(words) > 5000
    assert [w for w in words if stem_tokens([w], lang)[0] != pure.stemWord(w)] == []
