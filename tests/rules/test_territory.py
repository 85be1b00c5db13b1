"""The territory gate over the ISTAT/NUTS hierarchy: commune ⊂ province ⊂ region ⊂ IT ⊂ EU."""

from __future__ import annotations

import random

import pytest

from fundwatch.normalize.territories import contains, lookup
from fundwatch.rules.compiled import compile_profile
from fundwatch.rules.facts import call_facts, canonical_territory
from fundwatch.rules.predicates import territory
from fundwatch.rules.verdict import Result
from tests.rules.helpers import NOW, make_call, make_profile


def _result(org: str, call_codes: tuple[str, ...]) -> Result:
    cp = compile_profile(make_profile(organisation={"territory": org}))
    outcome = territory(cp, call_facts(make_call(territories=call_codes), NOW))
    assert outcome is not None
    return outcome.result


@pytest.mark.parametrize(
    ("org", "call", "expected"),
    [
        ("001272", ("ITC1",), Result.PASS),  # Piemonte covers Torino
        ("001272", ("01",), Result.PASS),  # ... written as its ISTAT region code
        ("001272", ("ITC11",), Result.PASS),  # Città metropolitana di Torino
        ("001272", ("201",), Result.PASS),  # ... by its ISTAT UTS code
        ("001272", ("IT",), Result.PASS),
        ("001272", ("EU",), Result.PASS),  # an EU call covers everyone
        ("001272", ("ITC4",), Result.FAIL),  # Lombardia does not
        ("001272", ("ITC4", "ITC1"), Result.PASS),  # any of several
        ("001272", ("001272",), Result.PASS),
        ("1272", ("L219",), Result.PASS),  # short ISTAT code, cadastral code
        ("097008", ("ITC43",), Result.PASS),  # Bellano in the province of Lecco
        ("097008", ("ITC4",), Result.PASS),
        ("097008", ("ITC1",), Result.FAIL),
        ("BE10", ("EU",), Result.PASS),  # Brussels under the EU
        ("BE10", ("BE",), Result.PASS),
        ("BE10", ("IT",), Result.FAIL),
        ("BE10", ("ITC1",), Result.FAIL),
        ("ITC1", ("001272",), Result.FAIL),  # a Torino call does not cover all Piemonte
        ("001272", (), Result.UNKNOWN),
        ("001272", ("XX99",), Result.UNKNOWN),  # nothing recognisable: unknown, not fail
    ],
)
def test_territory_gate(org: str, call: tuple[str, ...], expected: Result) -> None:
    assert _result(org, call) is expected


def test_bellano_is_where_the_example_profile_says() -> None:
    info = lookup("097008")
    assert info is not None and info.name == "Bellano"


def test_gate_agrees_with_contains_on_a_sample_of_municipalities() -> None:
    """The engine's precomputed ancestor sets give the same answers as `contains`."""
    rng = random.Random(6)
    outers = ["EU", "IT", "ITC", "ITC1", "ITC4", "ITC11", "ITC43", "ITF", "ITG2", "04", "ITH10"]
    municipalities = ["001272", "097008", "015146", "058091", "021008", "022205", "092009"]
    municipalities += [f"{rng.randint(1, 111):03d}{rng.randint(1, 60):03d}" for _ in range(40)]
    for inner in municipalities:
        if lookup(inner) is None:
            continue
        cp = compile_profile(make_profile(organisation={"territory": inner}))
        for outer in outers:
            f = call_facts(make_call(territories=(outer,)), NOW)
            outcome = territory(cp, f)
            assert outcome is not None
            assert (outcome.result is Result.PASS) == contains(outer, inner), (outer, inner)


def test_canonical_codes() -> None:
    assert canonical_territory("1272") == "001272"
    assert canonical_territory("01") == "ITC1"
    assert canonical_territory("eu") == "EU"
    assert canonical_territory("BE10") == "BE10"
    assert canonical_territory("nowhere") is None


def test_gate_off_or_no_territory_means_no_outcome() -> None:
    f = call_facts(make_call(territories=("ITC4",)), NOW)
    off = compile_profile(
        make_profile(organisation={"territory": "001272"}, gates={"territory": False})
    )
    assert territory(off, f) is None
    assert territory(compile_profile(make_profile()), f) is None
