"""Rules: which calls matter to which organisation, and why.

    profile (config) + feedback ─> compile_profile ─┐
    call + now ─> call_facts ───────────────────────┴─> evaluate ─> Verdict ─> explain

- `predicates`: one small function per criterion (status, lead time, call type, territory,
  audience, grant size, co-financing, interests, keywords, relevance), with evidence;
- `scoring`: where terms occur and what a call scores (the decisions predicates and the bulk
  path share); `text`: folding, stems, token spaces;
- `engine.evaluate`: the verdict of one pair; `engine.match_pairs`: the naive all-pairs loop;
- `index.ProfileIndex` (with `plan` deciders): the same matches and scores for many profiles
  without the all-pairs loop;
- `explain` and `messages`: reasons in Italian and English, as text or JSON;
- `feedback`: the per-profile exclusion list ("not relevant", "fewer like this");
- `preview`: what an edit of the profiles would change, on current and past calls.

Pure apart from `feedback.FeedbackStore` (small YAML files): no clock, no network, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fundwatch.config.profile import Profile
from fundwatch.models import Call
from fundwatch.rules.compiled import CompiledProfile, compile_profile
from fundwatch.rules.engine import evaluate, match_pairs
from fundwatch.rules.explain import explain_lines, reason_text, short_reasons, verdict_to_json
from fundwatch.rules.facts import CallFacts, call_facts, call_ref
from fundwatch.rules.feedback import Feedback, FeedbackStore
from fundwatch.rules.index import ProfileIndex, Scores
from fundwatch.rules.verdict import Outcome, Reason, Result, Verdict

__all__ = [
    "CallFacts",
    "CompiledProfile",
    "Feedback",
    "FeedbackStore",
    "Outcome",
    "ProfileIndex",
    "Reason",
    "Result",
    "Scores",
    "Verdict",
    "call_facts",
    "call_ref",
    "compile_profile",
    "evaluate",
    "explain_lines",
    "judge",
    "match_pairs",
    "reason_text",
    "short_reasons",
    "verdict_to_json",
]


def judge(
    profile: Profile, calls: Iterable[Call], now: datetime, feedback: Feedback | None = None
) -> list[Verdict]:
    """Full verdicts (every criterion traced) of each call for one profile, in call order."""
    cp = compile_profile(profile, feedback)
    return [evaluate(cp, call_facts(call, now)) for call in calls]
