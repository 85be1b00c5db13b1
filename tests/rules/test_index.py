"""The profile index gives exactly the verdicts of the all-pairs loop, checking fewer pairs."""

from __future__ import annotations

import gc
import random
from typing import Any

import pytest

from fundwatch.models import Call
from fundwatch.rules import Feedback, ProfileIndex, Scores, compile_profile, match_pairs
from fundwatch.rules.compiled import CompiledProfile
from fundwatch.rules.facts import call_facts
from fundwatch.rules.index import batched, collector_paused
from tests.rules.helpers import NOW, make_call, make_profile

WORDS = [
    "innovazione",
    "innovazioni",
    "sociale",
    "sociali",
    "giovani",
    "giovane",
    "impresa",
    "imprese",
    "attività",
    "attivita",
    "lavoro",
    "digitale",
    "ambiente",
    "cultura",
    "social",
    "innovation",
    "youth",
    "networks",
    "network",
    "inclusione",
    "formazione",
    "comunità",
]
TERRITORIES = [
    "EU",
    "IT",
    "ITC",
    "ITC1",
    "ITC4",
    "ITC11",
    "ITC43",
    "001272",
    "097008",
    "BE",
    "BE10",
    "ITF",
    "XX1",
]
AUDIENCES = [
    "comune",
    "ente_pubblico",
    "ente_locale",
    "impresa",
    "pmi",
    "cooperativa_sociale",
    "ente_terzo_settore",
    "associazione",
    "micro_impresa",
]
ORG_TERRITORIES = ["001272", "097008", "ITC11", "ITC1", "BE10", "015146"]
FUNDS = ["ESF+", "ERDF", "PNRR", "FSC"]


def _phrase(rng: random.Random, most: int = 2) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, most)))


def random_profile(rng: random.Random, i: int) -> CompiledProfile:
    def some(pool: list[str], most: int) -> list[str]:
        return rng.sample(pool, rng.randint(0, most))

    data: dict[str, Any] = {
        "id": f"p{i}",
        "name": f"P{i}",
        "language": rng.choice(["it", "en"]),
        "organisation": {
            "type": rng.choice([None, *AUDIENCES]),
            "territory": rng.choice([None, *ORG_TERRITORIES]),
            "languages": rng.choice([[], ["it"], ["en"], ["it", "en"]]),
        },
        "interests": {
            "funds": some(FUNDS, 2),
            "programmes": some(["EaSI", "43254019", "Horizon Europe", "social"], 1),
            "themes": [_phrase(rng) for _ in range(rng.randint(0, 1))],
            "keywords": {
                "any": [_phrase(rng) for _ in range(rng.randint(0, 3))],
                "all": [_phrase(rng, 1) for _ in range(rng.choice([0, 0, 1]))],
                "none": [_phrase(rng, 1) for _ in range(rng.choice([0, 0, 1]))],
            },
            "phrases": [_phrase(rng) for _ in range(rng.choice([0, 0, 1]))],
            "stemming": rng.random() < 0.8,
            "min_score": rng.choice([0, 10, 10, 30]),
        },
        "gates": {
            "status": rng.choice([["open", "forthcoming"], ["open"], ["open", "closed"]]),
            "min_lead_days": rng.choice([0, 0, 7, 14, 30]),
            "territory": rng.random() < 0.9,
            "audience": rng.random() < 0.9,
            "exclude_call_types": rng.choice([[], ["procurement"], ["procurement", "grant"]]),
            "grant_min_eur": rng.choice([None, None, 10000]),
            "max_own_share": rng.choice([None, None, 0.3]),
            "unknown_facts": rng.choice(["pass", "pass", "strict"]),
            "strict_on": some(["territory", "audience", "status", "lead_time"], 2),
        },
    }
    feedback = Feedback(
        excluded={f"test:c{rng.randint(0, 150)}": None for _ in range(rng.randint(0, 2))},
        fewer=tuple(_phrase(rng, 1) for _ in range(rng.choice([0, 0, 1]))),
    )
    return compile_profile(make_profile(**data), feedback)


def random_call(rng: random.Random, i: int) -> Call:
    budget: dict[str, float] = {}
    if rng.random() < 0.3:
        budget["max_grant_eur"] = rng.choice([5000, 50000])
    if rng.random() < 0.3:
        budget["cofinancing_rate"] = rng.choice([0.5, 0.8, 1.0])
    call = make_call(
        f"c{i}",
        title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))),
        summary=" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12))),
        lang=rng.choice(["it", "it", "en"]),
        territories=tuple(rng.sample(TERRITORIES, rng.choice([0, 1, 1, 2]))),
        audiences=tuple(rng.sample(AUDIENCES, rng.choice([0, 1, 2]))),
        funds=tuple(rng.sample(FUNDS, rng.choice([0, 0, 1]))),
        programmes=rng.choice(
            [
                (),
                (("43254027", "ESF+ Social Innovation+ (EaSI)"),),
                (("43108390", "Horizon Europe (HORIZON)"),),
            ]
        ),
        days=rng.choice([None, -5, 3, 7, 10, 13.5, 14, 20, 30, 60]),
        opens_in=rng.choice([None, None, 2]),
        rolling=rng.random() < 0.2,
        call_type=rng.choice(["", "", "Grant", "procurement"]),
        keywords=tuple(_phrase(rng) for _ in range(rng.randint(0, 2))),
        budget=budget,
    )
    if rng.random() < 0.2:  # a second title in the other language (EU topics have several)
        other = "en" if call.language == "it" else "it"
        titles = {**call.titles, other: " ".join(rng.choice(WORDS) for _ in range(4))}
        call = call.model_copy(update={"titles": titles})
    return call


@pytest.mark.parametrize("seed", [20260504, 6, 1848])
def test_index_and_naive_loop_agree_on_random_profiles_and_calls(seed: int) -> None:
    rng = random.Random(seed)
    profiles = [random_profile(rng, i) for i in range(300)]
    facts = [call_facts(random_call(rng, i), NOW) for i in range(300)]
    naive = {(v.profile_id, v.call_ref, v.score) for v in match_pairs(profiles, facts)}
    index = ProfileIndex(profiles)
    indexed = {(v.profile_id, v.call_ref, v.score) for v in index.match_all(facts)}
    assert indexed == naive
    assert len(naive) > 500  # the sample really exercises matching
    checked = sum(len(index.candidates(f)) for f in facts)
    assert checked < len(profiles) * len(facts) / 3


def test_a_batch_matches_as_its_calls_one_by_one() -> None:
    rng = random.Random(11)
    profiles = [random_profile(rng, i) for i in range(150)]
    facts = [call_facts(random_call(rng, i), NOW) for i in range(200)]
    index = ProfileIndex(profiles)
    one_by_one = [index.match(f) for f in facts]
    assert sum(map(len, one_by_one)) > 200
    many = index.match_many(facts)
    assert many == one_by_one
    assert all(list(scores) == sorted(scores) for scores in many)  # profile order kept
    assert index.match_many(facts[5:6]) == many[5:6]
    assert index.match_many([]) == []
    seen: list[tuple[int, str, Scores]] = []
    index.match_calls((f.call for f in facts), NOW, lambda i, f, s: seen.append((i, f.ref, s)))
    assert seen == [
        (i, f.ref, scores) for i, (f, scores) in enumerate(zip(facts, many, strict=True))
    ]


def test_batched_keeps_the_order_and_a_short_last_batch() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched(iter("ab"), 2)) == [["a", "b"]]
    assert list(batched([], 3)) == []


def test_the_collector_pause_restores_what_it_found() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves the outer one in place
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # turned off by the application: stays off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_candidates_are_a_superset_of_the_matches() -> None:
    rng = random.Random(7)
    profiles = [random_profile(rng, i) for i in range(120)]
    index = ProfileIndex(profiles)
    for i in range(200):
        f = call_facts(random_call(rng, i), NOW)
        matched = {v.profile_id for v in match_pairs(profiles, [f])}
        assert matched <= {profiles[j].id for j in index.candidates(f)}


def test_territory_and_audience_narrow_the_candidates() -> None:
    torino = compile_profile(
        make_profile(id="torino", organisation={"type": "comune", "territory": "001272"})
    )
    bellano = compile_profile(
        make_profile(id="bellano", organisation={"type": "comune", "territory": "097008"})
    )
    coop = compile_profile(
        make_profile(id="coop", organisation={"type": "cooperativa_sociale", "territory": "001272"})
    )
    index = ProfileIndex([torino, bellano, coop])
    piemonte = call_facts(make_call(territories=("ITC1",), audiences=("ente_pubblico",)), NOW)
    assert index.candidates(piemonte) == [0]
    eu = call_facts(make_call(territories=("EU",), audiences=("ente_terzo_settore",)), NOW)
    assert index.candidates(eu) == [2]
    unknown = call_facts(make_call(territories=(), audiences=()), NOW)
    assert index.candidates(unknown) == [0, 1, 2]


def test_the_benchmark_runs_and_agrees_with_the_naive_loop(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks import match

    code = match.main(
        [
            "--profiles",
            "400",
            "--calls",
            "300",
            "--sample",
            "60",
            "--workers",
            "1",
            "--target",
            "600",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "identical" in out
