"""Each criterion on its own: pass, fail and unknown, with the evidence it records."""

from __future__ import annotations

from typing import Any

import pytest

from fundwatch.config.profile import Profile
from fundwatch.models import Call
from fundwatch.rules import predicates as P
from fundwatch.rules.compiled import compile_profile
from fundwatch.rules.facts import call_facts
from fundwatch.rules.feedback import Feedback
from fundwatch.rules.verdict import Outcome, Reason, Result
from tests.rules.helpers import NOW, TORINO, make_call, make_profile


def run(predicate: P.Predicate, profile: Profile, call: Call, **feedback: Any) -> Outcome | None:
    cp = compile_profile(profile, Feedback(**feedback) if feedback else None)
    return predicate(cp, call_facts(call, NOW))


def only(outcome: Outcome | None) -> tuple[Result, Reason]:
    assert outcome is not None and len(outcome.reasons) == 1
    return outcome.result, outcome.reasons[0]


# -- status -------------------------------------------------------------------------------


def test_status_open_forthcoming_closed_unknown() -> None:
    profile = make_profile()
    result, reason = only(run(P.status, profile, make_call(days=10)))
    assert (result, reason.code, reason.args["status"]) == (Result.PASS, "status.ok", "open")
    assert reason.args["deadline"] == "2026-05-14T08:00:00+00:00"
    result, _ = only(run(P.status, profile, make_call(days=40, opens_in=5)))
    assert result is Result.PASS
    result, reason = only(run(P.status, profile, make_call(days=-1)))
    assert (result, reason.code, reason.args["allowed"]) == (
        Result.FAIL,
        "status.not_allowed",
        ["open", "forthcoming"],
    )
    result, reason = only(run(P.status, profile, make_call(days=None)))
    assert (result, reason.code) == (Result.UNKNOWN, "status.unknown")
    result, _ = only(run(P.status, profile, make_call(days=None, rolling=True)))
    assert result is Result.PASS


def test_status_only_open() -> None:
    profile = make_profile(gates={"status": ["open"]})
    assert only(run(P.status, profile, make_call(days=40, opens_in=5)))[0] is Result.FAIL


# -- lead time ----------------------------------------------------------------------------


def test_lead_time() -> None:
    profile = make_profile(gates={"min_lead_days": 14})
    result, reason = only(run(P.lead_time, profile, make_call(days=20)))
    assert (result, reason.args["days"], reason.args["min"]) == (Result.PASS, 20, 14)
    assert only(run(P.lead_time, profile, make_call(days=14)))[0] is Result.PASS
    result, reason = only(run(P.lead_time, profile, make_call(days=13.9)))
    assert (result, reason.code, reason.args["days"]) == (Result.FAIL, "lead_time.short", 13)
    assert only(run(P.lead_time, profile, make_call(days=-2)))[1].code == "lead_time.past"
    result, reason = only(run(P.lead_time, profile, make_call(days=None, rolling=True)))
    assert (result, reason.code) == (Result.PASS, "lead_time.rolling")
    result, reason = only(run(P.lead_time, profile, make_call(days=None)))
    assert (result, reason.code) == (Result.UNKNOWN, "lead_time.no_deadline")
    assert run(P.lead_time, make_profile(), make_call(days=1)) is None


# -- call type ----------------------------------------------------------------------------


def test_call_type_excludes_tenders_by_default() -> None:
    profile = make_profile()
    result, reason = only(run(P.call_type, profile, make_call(call_type="Procurement")))
    assert (result, reason.code, reason.args["type"]) == (
        Result.FAIL,
        "call_type.excluded",
        "Procurement",
    )
    assert only(run(P.call_type, profile, make_call(call_type="Grant")))[0] is Result.PASS
    assert only(run(P.call_type, profile, make_call()))[1].code == "call_type.none"
    assert (
        run(
            P.call_type,
            make_profile(gates={"exclude_call_types": []}),
            make_call(call_type="procurement"),
        )
        is None
    )


# -- audience -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_type", "audiences", "expected"),
    [
        ("comune", ("comune",), Result.PASS),
        ("comune", ("ente_pubblico",), Result.PASS),  # broader term covers it
        ("comune", ("ente_locale", "impresa"), Result.PASS),
        ("comune", ("impresa", "pmi"), Result.FAIL),  # "only companies may apply"
        ("cooperativa_sociale", ("ente_terzo_settore",), Result.PASS),
        ("cooperativa_sociale", ("impresa",), Result.PASS),  # via cooperativa
        ("cooperativa_sociale", ("pmi",), Result.FAIL),
        ("micro_impresa", ("pmi",), Result.PASS),
        ("grande_impresa", ("pmi",), Result.FAIL),
        ("comune", (), Result.UNKNOWN),
    ],
)
def test_audience(org_type: str, audiences: tuple[str, ...], expected: Result) -> None:
    profile = make_profile(organisation={"type": org_type})
    outcome = run(P.audience, profile, make_call(audiences=audiences))
    assert outcome is not None and outcome.result is expected


def test_audience_evidence_and_also() -> None:
    profile = make_profile(organisation={"type": "comune"})
    result, reason = only(run(P.audience, profile, make_call(audiences=("impresa", "pmi"))))
    assert reason == Reason("audience.only", {"audiences": ["impresa", "pmi"], "org": "comune"})
    also = make_profile(organisation={"type": "cooperativa_sociale", "also": ["pmi"]})
    result, reason = only(run(P.audience, also, make_call(audiences=("pmi",))))
    assert (result, reason.args) == (Result.PASS, {"audience": "pmi", "org": "pmi"})


def test_audience_gate_needs_a_type() -> None:
    assert run(P.audience, make_profile(), make_call(audiences=("impresa",))) is None
    off = make_profile(organisation={"type": "comune"}, gates={"audience": False})
    assert run(P.audience, off, make_call(audiences=("impresa",))) is None


# -- grant size and co-financing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "code"),
    [
        ({"min_grant_eur": 10000, "max_grant_eur": 50000}, "grant_size.ok"),
        ({"max_grant_eur": 15000}, "grant_size.small"),
        ({"min_grant_eur": 600000}, "grant_size.large"),
        ({"total_eur": 15000}, "grant_size.total_small"),
        ({"total_eur": 5000000}, "grant_size.unknown"),
        ({}, "grant_size.unknown"),
        ({"min_grant_eur": 30000, "total_eur": 100000}, "grant_size.ok"),
    ],
)
def test_grant_size(budget: dict[str, int], code: str) -> None:
    profile = make_profile(gates={"grant_min_eur": 20000, "grant_max_eur": 500000})
    result, reason = only(run(P.grant_size, profile, make_call(budget=budget)))
    assert reason.code == code
    expected = {"ok": Result.PASS, "unknown": Result.UNKNOWN}.get(code.split(".")[1], Result.FAIL)
    assert result is expected


def test_cofinancing() -> None:
    profile = make_profile(gates={"max_own_share": 0.2})
    result, reason = only(run(P.cofinancing, profile, make_call(budget={"cofinancing_rate": 0.8})))
    assert (result, reason.args) == (Result.PASS, {"rate": 0.8, "own": 0.2, "max": 0.2})
    result, _ = only(run(P.cofinancing, profile, make_call(budget={"cofinancing_rate": 0.5})))
    assert result is Result.FAIL
    result, _ = only(run(P.cofinancing, profile, make_call()))
    assert result is Result.UNKNOWN
    assert run(P.cofinancing, make_profile(), make_call()) is None


# -- interests ----------------------------------------------------------------------------


def test_interest_hits_and_points() -> None:
    profile = make_profile(
        interests={
            "funds": ["FSE+"],
            "programmes": ["EaSI"],
            "themes": ["inclusione sociale"],
            "keywords": {"any": ["giovani", "anziani"]},
            "phrases": ["terzo settore"],
        }
    )
    call = make_call(
        title="Progetti per i giovani",
        summary="Rivolto agli enti del Terzo Settore",
        funds=("ESF+",),
        programmes=(("43254027", "ESF+ Social Innovation+ (EaSI)"),),
        themes=("Inclusione sociali",),
    )
    outcome = run(P.interest, profile, call)
    assert outcome is not None and outcome.result is Result.PASS
    assert [r.code for r in outcome.reasons] == [
        "interest.programme",
        "interest.fund",
        "interest.theme",
        "interest.keyword",
        "interest.phrase",
    ]
    assert outcome.reasons[3].args == {"term": "giovani", "where": "title"}
    assert outcome.reasons[4].args == {"term": "terzo settore", "where": "summary"}
    assert outcome.points == 100  # 35 + 35 + 20 + 20 + 15, capped


def test_programme_by_code_or_words() -> None:
    by_code = make_profile(interests={"programmes": ["43254019"]})
    call = make_call(programmes=(("43254019", "European Social Fund Plus (ESF+)"),))
    assert only(run(P.interest, by_code, call))[1].args["code"] == "43254019"
    by_name = make_profile(interests={"programmes": ["European Social Fund"]})
    assert only(run(P.interest, by_name, call))[0] is Result.PASS
    other = make_profile(interests={"programmes": ["Horizon Europe"]})
    assert only(run(P.interest, other, call))[1].code == "interest.none"


def test_themes_only_look_at_tags() -> None:
    profile = make_profile(interests={"themes": ["ambiente"]})
    in_title = make_call(title="Ambiente e territorio")
    assert only(run(P.interest, profile, in_title))[0] is Result.FAIL
    tagged = make_call(keywords=("Ambiente",))
    assert only(run(P.interest, profile, tagged))[1].args == {
        "term": "ambiente",
        "where": "keywords",
    }


def test_no_interests_means_everything_is_of_interest() -> None:
    outcome = run(P.interest, make_profile(), make_call())
    assert outcome is not None
    assert (outcome.result, outcome.points) == (Result.PASS, P.NO_INTEREST_POINTS)


def test_keywords_all_and_none() -> None:
    profile = make_profile(
        interests={"keywords": {"all": ["giovani", "lavoro"], "none": ["agricoltura"]}}
    )
    both = make_call(title="Lavoro per i giovani")
    one = make_call(title="Giovani e sport")
    farm = make_call(title="Giovani in agricoltura", summary="lavoro")
    assert only(run(P.keywords_all, profile, both))[0] is Result.PASS
    result, reason = only(run(P.keywords_all, profile, one))
    assert (result, reason.args) == (Result.FAIL, {"terms": ["lavoro"]})
    assert only(run(P.keywords_none, profile, both))[0] is Result.PASS
    result, reason = only(run(P.keywords_none, profile, farm))
    assert (result, reason.args) == (Result.FAIL, {"term": "agricoltura", "where": "title"})


# -- relevance and feedback ---------------------------------------------------------------


def test_relevance_with_fewer_like_this() -> None:
    profile = make_profile(interests={"keywords": {"any": ["giovani"]}})
    call = make_call(title="Formazione per giovani")
    cp = compile_profile(profile, Feedback(fewer=("formazione",)))
    outcome, score = P.relevance(cp, call_facts(call, NOW), 20)
    assert score == 0 and outcome.result is Result.FAIL
    assert [r.code for r in outcome.reasons] == ["relevance.score", "relevance.fewer"]
    outcome, score = P.relevance(cp, call_facts(call, NOW), 45)
    assert score == 15 and outcome.result is Result.PASS


def test_feedback_exclusion() -> None:
    call = make_call("x1")
    assert run(P.feedback, make_profile(), call) is None
    result, reason = only(run(P.feedback, make_profile(), call, excluded={"test:x1": NOW}))
    assert (result, reason.args) == (Result.FAIL, {"at": "2026-05-04T08:00:00+00:00"})


def test_organisation_territory_gate_uses_torino() -> None:
    outcome = run(P.territory, make_profile(organisation=TORINO), make_call(territories=("EU",)))
    assert outcome is not None
    assert outcome.reasons[0] == Reason("territory.covers", {"call": "EU", "org": "001272"})
