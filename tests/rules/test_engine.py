"""Verdicts: gates, interests and score together; the unknown-facts policy; fast = traced."""

from __future__ import annotations

from fundwatch.rules import Feedback, compile_profile, evaluate, judge
from fundwatch.rules.facts import call_facts
from fundwatch.rules.verdict import Result
from tests.rules.helpers import NOW, TORINO, make_call, make_profile

TORINO_ESF = make_profile(
    id="torino",
    organisation=TORINO,
    interests={"funds": ["ESF+"], "keywords": {"any": ["innovazione sociale"]}},
    gates={"min_lead_days": 10},
)


def test_matching_call_has_score_and_every_criterion() -> None:
    call = make_call(title="Innovazione sociale nei quartieri", funds=("ESF+",))
    (verdict,) = judge(TORINO_ESF, [call], NOW)
    assert verdict.matched and verdict.score == 55
    assert [o.criterion for o in verdict.outcomes] == [
        "status",
        "lead_time",
        "call_type",
        "territory",
        "audience",
        "interest",
        "relevance",
    ]
    assert all(o.result is Result.PASS for o in verdict.outcomes)
    assert verdict.excluded_by == () and verdict.flags == ()


def test_every_failure_is_listed_when_traced() -> None:
    call = make_call(title="Bando", territories=("ITC4",), audiences=("impresa",), days=3)
    (verdict,) = judge(TORINO_ESF, [call], NOW)
    assert not verdict.matched and verdict.score == 0
    assert verdict.excluded_by == ("lead_time", "territory", "audience", "interest", "relevance")


def test_fast_verdict_stops_early_but_agrees() -> None:
    cp = compile_profile(TORINO_ESF)
    for call in [
        make_call(title="Innovazione sociale", funds=("ESF+",)),
        make_call(title="Bando", territories=("ITC4",)),
        make_call(title="Innovazione sociale", days=-1),
    ]:
        f = call_facts(call, NOW)
        full, fast = evaluate(cp, f), evaluate(cp, f, trace=False)
        assert (full.matched, full.score) == (fast.matched, fast.score)
        assert len(fast.outcomes) <= len(full.outcomes)
        if not full.matched:
            assert fast.excluded_by == full.excluded_by[:1]


def test_unknown_passes_and_is_flagged_by_default() -> None:
    call = make_call(title="Innovazione sociale", territories=(), audiences=())
    (verdict,) = judge(TORINO_ESF, [call], NOW)
    assert verdict.matched
    assert verdict.flags == ("territory", "audience")


def test_strict_excludes_unknowns() -> None:
    call = make_call(title="Innovazione sociale", territories=(), audiences=("comune",))
    strict = TORINO_ESF.model_copy(
        update={"gates": TORINO_ESF.gates.model_copy(update={"unknown_facts": "strict"})}
    )
    (verdict,) = judge(strict, [call], NOW)
    assert not verdict.matched and verdict.excluded_by == ("territory",)
    only_territory = make_profile(organisation=TORINO, gates={"strict_on": ["audience"]})
    (verdict,) = judge(only_territory, [call], NOW)
    assert verdict.matched and verdict.flags == ("territory",)


def test_score_threshold_and_feedback() -> None:
    call = make_call("f1", title="Formazione e innovazione sociale")
    (verdict,) = judge(TORINO_ESF, [call], NOW, Feedback(fewer=("formazione",)))
    assert not verdict.matched and verdict.excluded_by == ("relevance",)
    (verdict,) = judge(TORINO_ESF, [call], NOW, Feedback(excluded={"test:f1": None}))
    assert not verdict.matched and verdict.excluded_by[0] == "feedback"
    (verdict,) = judge(TORINO_ESF, [call], NOW)
    assert verdict.matched and verdict.score == 20


def test_profile_without_criteria_takes_open_non_tender_calls() -> None:
    bare = make_profile()
    verdicts = judge(
        bare, [make_call(), make_call(days=-1), make_call(call_type="procurement")], NOW
    )
    assert [v.matched for v in verdicts] == [True, False, False]
    assert verdicts[0].score == 50
