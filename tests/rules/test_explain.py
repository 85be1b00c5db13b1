"""Why and why not, rendered: golden traces in Italian and English, JSON, digest reasons."""

from __future__ import annotations

import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fundwatch.rules import Feedback, explain_lines, judge, short_reasons, verdict_to_json
from fundwatch.rules.explain import MESSAGES, reason_text
from fundwatch.rules.verdict import Reason
from tests.rules.helpers import NOW, make_call, make_profile

GOLDEN = Path(__file__).parent / "golden"

PROFILE = make_profile(
    id="torino",
    name="Comune di Torino",
    organisation={"type": "comune", "territory": "001272", "languages": ["it", "en"]},
    interests={
        "funds": ["FSE+"],
        "programmes": ["EaSI"],
        "keywords": {"any": ["innovazione sociale", "social innovation"], "none": ["tender"]},
    },
    gates={"min_lead_days": 14, "grant_min_eur": 20000, "max_own_share": 0.2},
)
MATCHING = make_call(
    "p1",
    title="Innovazione sociale nei quartieri",
    summary="Contributi per progetti di innovazione sociale dei Comuni.",
    funds=("ESF+",),
    territories=("ITC1",),
    audiences=("ente_pubblico",),
    days=45,
    budget={"min_grant_eur": 50000, "max_grant_eur": 200000, "cofinancing_rate": 0.9},
)
FAILING = make_call(
    "l1",
    title="Sostegno alle imprese lombarde",
    territories=("ITC4",),
    audiences=("impresa", "pmi"),
    days=5,
    budget={"max_grant_eur": 15000, "cofinancing_rate": 0.5},
    call_type="Grant",
)
UNKNOWN = make_call(
    "e1",
    title="ESF+ Social Innovation+ call",
    lang="en",
    territories=(),
    audiences=(),
    days=None,
    programmes=(("43254027", "ESF+ Social Innovation+ (EaSI)"),),
    rolling=True,
)


def assert_text_golden(lines: list[str], name: str) -> None:
    path = GOLDEN / name
    text = "\n".join(lines) + "\n"
    if os.environ.get("FUNDWATCH_UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"missing golden file {path}")
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {name}"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_golden_explain(lang: str) -> None:
    verdicts = judge(PROFILE, [MATCHING, FAILING, UNKNOWN], NOW, Feedback(fewer=("quartieri",)))
    lines: list[str] = []
    for verdict in verdicts:
        lines.append(f"== {verdict.call_ref}")
        lines.extend(explain_lines(verdict, lang, ZoneInfo("Europe/Rome")))
    assert_text_golden(lines, f"explain.{lang}.txt")


def test_json_carries_codes_args_and_text() -> None:
    (verdict,) = judge(PROFILE, [FAILING], NOW)
    data = verdict_to_json(verdict, "en")
    json.dumps(data)  # JSON-able as it is
    assert data["matched"] is False
    assert data["excluded_by"] == [
        "lead_time",
        "territory",
        "audience",
        "grant_size",
        "cofinancing",
        "interest",
        "relevance",
    ]
    audience = next(o for o in data["outcomes"] if o["criterion"] == "audience")
    assert audience["reasons"] == [
        {
            "code": "audience.only",
            "args": {"audiences": ["impresa", "pmi"], "org": "comune"},
            "text": "excluded: only Enterprise and SME may apply (not Municipality)",
        }
    ]


def test_short_reasons_for_a_digest() -> None:
    (verdict,) = judge(PROFILE, [UNKNOWN], NOW)
    assert short_reasons(verdict, "en") == [
        "programme 'EaSI': ESF+ Social Innovation+ (EaSI)",
        "keyword 'social innovation' in the title",
        "to check: territory, eligibility, grant size, co-financing",
    ]
    (verdict,) = judge(PROFILE, [MATCHING], NOW)
    assert short_reasons(verdict, "it") == [
        "fondo FSE+",
        "parola chiave «innovazione sociale» nel titolo",
        "il bando copre Regione Piemonte (ITC1), che comprende Comune di Torino (001272)",
    ]


def test_every_message_renders_in_both_languages_with_its_arguments() -> None:
    args = {
        "at": "2026-05-01T10:00:00+00:00",
        "status": "closed",
        "deadline": None,
        "opens": None,
        "allowed": ["open"],
        "days": 3,
        "min": 14,
        "type": "procurement",
        "call": ["ITC4"],
        "org": "001272",
        "raw": "",
        "audience": "comune",
        "audiences": ["impresa"],
        "want_min": 1000.0,
        "want_max": None,
        "total": 500.0,
        "high": 800.0,
        "low": 10.0,
        "rate": 0.5,
        "own": 0.5,
        "max": 0.2,
        "want": "EaSI",
        "label": "EaSI",
        "code": "1",
        "fund": "ESF+",
        "term": "x",
        "where": "title",
        "terms": ["a", "b"],
        "score": 5,
        "penalty": 30,
    }
    for code in MESSAGES:
        for lang in ("it", "en"):
            text = reason_text(Reason(code, args), lang)
            assert text and "{" not in text and "None" not in text, (code, lang, text)


def test_territories_outside_italy_are_named_by_their_country() -> None:
    outcome = Reason("territory.outside", {"call": ["ITC1"], "org": "BE10"})
    assert reason_text(outcome, "en") == (
        "excluded: the call is for Regione Piemonte (ITC1), which does not contain BE10 (Belgium)"
    )
    covers = Reason("territory.covers", {"call": "EL", "org": "EL30"})
    assert reason_text(covers, "it") == "il bando copre Grecia (EL), che comprende EL30 (Grecia)"
