"""The criteria, one small function each: (compiled profile, call facts) -> Outcome or None.

None means the criterion does not apply to this profile (e.g. no minimum lead time set).
A gate that cannot be decided because the call does not state the fact answers UNKNOWN; the
engine applies the profile's unknown-facts policy. Interests give points towards the
relevance score instead of excluding on their own (except that a profile naming interests
needs at least one hit).

Points: a programme or fund named by the profile 35, a theme 20, a keyword 20 in a title and
10 elsewhere, a phrase 30 in a title and 15 elsewhere; the sum is capped at 100. A profile
without positive interests gives every call 50. Each 'fewer like this' term found takes 30.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fundwatch.models import Status
from fundwatch.rules.compiled import CompiledProfile
from fundwatch.rules.facts import CallFacts
from fundwatch.rules.scoring import (
    FEWER_PENALTY,
    NO_INTEREST_POINTS,
    THEME_FIELDS,
    fewer_penalty,
    final_score,
    first_unwanted,
    hit,
    interest_points,
    locate,
    programme_hit,
)
from fundwatch.rules.verdict import Outcome, Reason, Result

__all__ = ["GATES", "NO_INTEREST_POINTS", "Predicate", "interest", "locate", "relevance"]

Predicate = Callable[[CompiledProfile, CallFacts], "Outcome | None"]

PASS, FAIL, UNKNOWN = Result.PASS, Result.FAIL, Result.UNKNOWN


def _iso(value: object) -> str | None:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if isoformat is not None else None


def _one(criterion: str, result: Result, code: str, /, **args: object) -> Outcome:
    return Outcome(criterion, result, (Reason(code, args),))


def feedback(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """Readers marked this call as not relevant."""
    if f.ref not in cp.excluded_calls:
        return None
    return _one("feedback", FAIL, "feedback.excluded", at=_iso(cp.excluded_calls[f.ref]))


def status(cp: CompiledProfile, f: CallFacts) -> Outcome:
    """The status derived from the call's dates must be one the profile allows."""
    args: dict[str, object] = {
        "status": f.status.value,
        "deadline": _iso(f.deadline),
        "opens": _iso(f.call.opens_at),
    }
    if f.status is Status.UNKNOWN:
        return _one("status", UNKNOWN, "status.unknown")
    allowed = cp.profile.gates.status
    if f.status.value in allowed:
        return _one("status", PASS, "status.ok", **args)
    return _one("status", FAIL, "status.not_allowed", allowed=list(allowed), **args)


def lead_time(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """Enough days must remain before the next deadline to prepare an application."""
    minimum = cp.profile.gates.min_lead_days
    if minimum <= 0:
        return None
    if f.days_left is None:
        if f.call.rolling:
            return _one("lead_time", PASS, "lead_time.rolling", min=minimum)
        return _one("lead_time", UNKNOWN, "lead_time.no_deadline", min=minimum)
    args: dict[str, object] = {
        "deadline": _iso(f.deadline),
        "days": int(f.days_left // 1),
        "min": minimum,
    }
    if f.days_left >= minimum:
        return _one("lead_time", PASS, "lead_time.ok", **args)
    if f.days_left < 0:
        return _one("lead_time", FAIL, "lead_time.past", **args)
    return _one("lead_time", FAIL, "lead_time.short", **args)


def call_type(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """Call types the profile leaves out (tenders by default)."""
    if not cp.excluded_types:
        return None
    if not f.call_type:
        return _one("call_type", PASS, "call_type.none")
    if f.call_type in cp.excluded_types:
        return _one("call_type", FAIL, "call_type.excluded", type=f.call.call_type)
    return _one("call_type", PASS, "call_type.ok", type=f.call.call_type)


def territory(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """The call's territory must cover the organisation's."""
    if not cp.territory_gate():
        return None
    org = cp.profile.organisation.territory
    if not f.territories:
        return _one("territory", UNKNOWN, "territory.unknown", org=org, raw=f.call.territory_raw)
    for code in f.territories:
        if code in cp.territory_keys:
            return _one("territory", PASS, "territory.covers", call=code, org=org)
    return _one("territory", FAIL, "territory.outside", call=list(f.territories), org=org)


def audience(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """The organisation's type (or a broader term) must be among the call's applicants."""
    if not cp.audience_gate():
        return None
    if not f.audiences:
        return _one(
            "audience", UNKNOWN, "audience.unknown", org=cp.types[0], raw=f.call.audience_raw
        )
    for code in f.audiences:
        if code in cp.eligible:
            return _one(
                "audience", PASS, "audience.open", audience=code, org=_covered_type(cp, code)
            )
    return _one("audience", FAIL, "audience.only", audiences=list(f.audiences), org=cp.types[0])


def _covered_type(cp: CompiledProfile, offered: str) -> str:
    from fundwatch.normalize.audiences import audience_covers

    for code in cp.types:
        if audience_covers(offered, code):
            return code
    return cp.types[0]


def grant_check(cp: CompiledProfile, f: CallFacts) -> tuple[Result, str, Decimal | None] | None:
    """The grant-size decision: (result, message code, the call's amount it rests on), or
    None when the profile sets no range."""
    gates = cp.profile.gates
    want_min, want_max = gates.grant_min_eur, gates.grant_max_eur
    if want_min is None and want_max is None:
        return None
    budget = f.call.budget
    low, high = budget.min_grant_eur, budget.max_grant_eur
    if low is None and high is None:
        total = budget.total_eur
        if total is not None and want_min is not None and total < want_min:
            return FAIL, "grant_size.total_small", total
        return UNKNOWN, "grant_size.unknown", None
    top = high if high is not None else budget.total_eur
    if want_min is not None and top is not None and top < want_min:
        return FAIL, "grant_size.small", top
    if want_max is not None and low is not None and low > want_max:
        return FAIL, "grant_size.large", low
    return PASS, "grant_size.ok", None


def grant_size(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """The call's grant range must meet the range the organisation can use."""
    check = grant_check(cp, f)
    if check is None:
        return None
    result, code, amount = check
    gates, budget = cp.profile.gates, f.call.budget
    args: dict[str, object] = {
        "want_min": _num(gates.grant_min_eur),
        "want_max": _num(gates.grant_max_eur),
    }
    if code == "grant_size.ok":
        args.update(low=_num(budget.min_grant_eur), high=_num(budget.max_grant_eur))
    elif code != "grant_size.unknown":
        args[{"grant_size.total_small": "total", "grant_size.small": "high"}.get(code, "low")] = (
            _num(amount)
        )
    return Outcome("grant_size", result, (Reason(code, args),))


def cofinancing_check(cp: CompiledProfile, f: CallFacts) -> Result | None:
    """The co-financing decision, or None when the profile sets no maximum own share."""
    carry = cp.profile.gates.max_own_share
    if carry is None:
        return None
    rate = f.call.budget.cofinancing_rate
    if rate is None:
        return UNKNOWN
    return PASS if Decimal(1) - rate <= carry else FAIL


def cofinancing(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """The share of costs left to the organisation must not exceed what it can carry."""
    result = cofinancing_check(cp, f)
    if result is None:
        return None
    carry = cp.profile.gates.max_own_share
    rate = f.call.budget.cofinancing_rate
    if rate is None:
        return _one("cofinancing", UNKNOWN, "cofinancing.unknown", max=_num(carry))
    args: dict[str, object] = {
        "rate": _num(rate),
        "own": _num(Decimal(1) - rate),
        "max": _num(carry),
    }
    code = "cofinancing.ok" if result is PASS else "cofinancing.too_high"
    return _one("cofinancing", result, code, **args)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def interest(cp: CompiledProfile, f: CallFacts) -> Outcome:
    """At least one positive interest must appear; each hit adds points."""
    points = interest_points(cp, f)
    if not cp.has_interests:
        return Outcome("interest", PASS, (Reason("interest.unrestricted"),), NO_INTEREST_POINTS)
    if points is None:
        return _one("interest", FAIL, "interest.none")
    reasons: list[Reason] = []
    for i, want in enumerate(cp.programmes):
        found = programme_hit(cp, f, i)
        if found is not None:
            prog = f.programmes[found]
            reasons.append(
                Reason(
                    "interest.programme",
                    {"want": want.text, "label": prog.label, "code": prog.code},
                )
            )
    reasons.extend(Reason("interest.fund", {"fund": fund}) for fund in cp.funds if fund in f.funds)
    for code, terms, names in (
        ("interest.theme", cp.themes, THEME_FIELDS),
        ("interest.keyword", (*cp.any_terms, *cp.all_terms), frozenset()),
        ("interest.phrase", cp.phrases, frozenset()),
    ):
        for term in terms:
            where = locate(term, f.fields, names)
            if where is not None:
                reasons.append(Reason(code, {"term": term.text, "where": where}))
    return Outcome("interest", PASS, tuple(reasons), points)


def keywords_all(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """Every `keywords.all` term must appear."""
    if not cp.all_terms:
        return None
    missing = [t.text for t in cp.all_terms if not hit(t, f)]
    if missing:
        return _one("keywords_all", FAIL, "keywords_all.missing", terms=missing)
    return _one("keywords_all", PASS, "keywords_all.present", terms=[t.text for t in cp.all_terms])


def keywords_none(cp: CompiledProfile, f: CallFacts) -> Outcome | None:
    """No `keywords.none` term may appear."""
    if not cp.none_terms:
        return None
    term = first_unwanted(cp, f)
    if term is not None:
        where = locate(term, f.fields)
        return _one("keywords_none", FAIL, "keywords_none.found", term=term.text, where=where)
    return _one(
        "keywords_none", PASS, "keywords_none.absent", terms=[t.text for t in cp.none_terms]
    )


def relevance(cp: CompiledProfile, f: CallFacts, points: int) -> tuple[Outcome, int]:
    """The score (interest points less 'fewer like this' penalties) against `min_score`."""
    found = fewer_penalty(cp, f)
    reasons = [
        Reason(
            "relevance.fewer",
            {"term": t.text, "where": locate(t, f.fields), "penalty": FEWER_PENALTY},
        )
        for t in found
    ]
    score = final_score(points, len(found))
    minimum = cp.profile.interests.min_score
    result = PASS if score >= minimum else FAIL
    reasons.insert(0, Reason("relevance.score", {"score": score, "min": minimum}))
    return Outcome("relevance", result, tuple(reasons)), score


GATES: tuple[Predicate, ...] = (
    feedback,
    status,
    lead_time,
    call_type,
    territory,
    audience,
    grant_size,
    cofinancing,
)
"""Hard gates, in the order the engine checks and explains them."""

AFTER_INTEREST: tuple[Predicate, ...] = (keywords_all, keywords_none)
