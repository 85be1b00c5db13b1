"""Matching many profiles against many calls without checking every pair.

`ProfileIndex` files the profiles under what a call must share with them: the territory
units containing them, the audience terms admitting them, the statuses, call types and lead
times they accept, and posting lists of their funds, programmes and the head of each of
their terms (the word, the pair of words of a two-word stemmed term, else the first word).
Each posting is a bitset over the profiles (a Python int: bit i = profile i), so narrowing
a call's candidates is a few ANDs and ORs of machine words.

Contract: `match(f)` returns exactly the matches of the all-pairs loop `engine.match_pairs`,
with the same scores. The feedback, status, lead-time, call-type, territory and audience
bitsets mirror their predicates exactly (a profile is in the mask if and only if the
predicate lets the call through under the profile's unknown-facts policy); the interest
postings give a superset (any profile whose terms could hit). Grant size and co-financing
are decided once per call for each group of profiles with the same settings
(`plan.money_blocks`). Everything else (keyword conditions, points and score) is decided
for each candidate by its profile's decider (`plan.make_decider`), through the same
helpers `evaluate` uses. The
tests compare both ways on random profiles and calls, and `benchmarks/match.py` does so at
scale.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import TypeVar

from fundwatch.models import Call, Status
from fundwatch.rules.compiled import CompiledProfile, Term
from fundwatch.rules.facts import CallFacts, call_facts
from fundwatch.rules.plan import make_decider, money_blocks
from fundwatch.rules.verdict import Verdict

__all__ = ["MATCH_BATCH", "ProfileIndex", "Scores", "batched", "collector_paused"]

MATCH_BATCH = 1024
"""Calls per `ProfileIndex.match_many` batch in bulk matching: measured on 10,000 profiles,
1,000 to 2,000 calls a batch take the least time; the batch's `CallFacts` are held at once."""

T = TypeVar("T")


Scores = dict[int, int]
"""The profiles a call matches, as positions in `ProfileIndex.profiles` (ascending) mapped
to their scores. A dict of ints is never tracked by the cyclic garbage collector: the
millions of matches of a bulk run cost it nothing, where a tuple each would be walked."""


def _add(table: dict[str, int], key: str, bit: int) -> None:
    table[key] = table.get(key, 0) | bit


class ProfileIndex:
    """Bitset postings over a fixed sequence of compiled profiles."""

    def __init__(self, profiles: Sequence[CompiledProfile]) -> None:
        self.profiles = tuple(profiles)
        self.deciders = tuple(make_decider(cp) for cp in self.profiles)
        self.all = (1 << len(self.profiles)) - 1
        self._excluded_call: dict[str, int] = {}
        self._status: dict[str, int] = {}
        self._status_strict = 0
        self._call_type: dict[str, int] = {}
        self._lead_free = 0
        self._lead_strict = 0
        self._lead_mins: list[int] = []
        self._lead_cumulative: list[int] = []
        self._terr_free = 0
        self._terr_strict = 0
        self._terr: dict[str, int] = {}
        self._aud_free = 0
        self._aud_strict = 0
        self._aud: dict[str, int] = {}
        self._int_free = 0
        self._fund: dict[str, int] = {}
        self._prog_code: dict[str, int] = {}
        self._prog_word: dict[str, int] = {}
        self._heads: dict[str, dict[str, int]] = {}
        self._money: dict[tuple[str, tuple[object, ...]], tuple[CompiledProfile, int]] = {}
        by_min: dict[int, int] = {}
        for i, cp in enumerate(self.profiles):
            bit = 1 << i
            gates = cp.profile.gates
            for ref in cp.excluded_calls:
                _add(self._excluded_call, ref, bit)
            for value in gates.status:
                _add(self._status, value, bit)
            if gates.strict("status"):
                self._status_strict |= bit
            for kind in cp.excluded_types:
                _add(self._call_type, kind, bit)
            if gates.min_lead_days <= 0:
                self._lead_free |= bit
            else:
                by_min[gates.min_lead_days] = by_min.get(gates.min_lead_days, 0) | bit
                if gates.strict("lead_time"):
                    self._lead_strict |= bit
            self._file_territory(cp, bit)
            self._file_audience(cp, bit)
            self._file_interests(cp, bit)
            self._file_money(cp, bit)
        running = 0
        for minimum in sorted(by_min):
            running |= by_min[minimum]
            self._lead_mins.append(minimum)
            self._lead_cumulative.append(running)

    def _file_territory(self, cp: CompiledProfile, bit: int) -> None:
        if not cp.territory_gate():
            self._terr_free |= bit
            return
        if cp.profile.gates.strict("territory"):
            self._terr_strict |= bit
        for key in cp.territory_keys:
            _add(self._terr, key, bit)

    def _file_audience(self, cp: CompiledProfile, bit: int) -> None:
        if not cp.audience_gate():
            self._aud_free |= bit
            return
        if cp.profile.gates.strict("audience"):
            self._aud_strict |= bit
        for code in cp.eligible:
            _add(self._aud, code, bit)

    def _file_interests(self, cp: CompiledProfile, bit: int) -> None:
        if not cp.has_interests:
            self._int_free |= bit
            return
        for fund in cp.funds:
            _add(self._fund, fund, bit)
        for want in cp.programmes:
            _add(self._prog_code, want.code, bit)
            if want.words:
                _add(self._prog_word, want.words[0], bit)
        for term in (*cp.themes, *cp.any_terms, *cp.all_terms, *cp.phrases):
            self._file_term(term, bit)

    def _file_money(self, cp: CompiledProfile, bit: int) -> None:
        """File `cp` with the profiles sharing its grant-size and co-financing settings."""
        gates = cp.profile.gates
        keys: list[tuple[str, tuple[object, ...]]] = []
        if gates.grant_min_eur is not None or gates.grant_max_eur is not None:
            settings = (gates.grant_min_eur, gates.grant_max_eur, gates.strict("grant_size"))
            keys.append(("grant", settings))
        if gates.max_own_share is not None:
            keys.append(("cofinancing", (gates.max_own_share, gates.strict("cofinancing"))))
        for key in keys:
            first, bits = self._money.get(key, (cp, 0))
            self._money[key] = (first, bits | bit)

    def _file_term(self, term: Term, bit: int) -> None:
        for space, head in term.heads:
            _add(self._heads.setdefault(space, {}), head, bit)

    # -- querying ------------------------------------------------------------------------

    def candidate_mask(self, f: CallFacts) -> int:
        """Bitset of the profiles that may match `f`; every other profile cannot."""
        mask = self.all & ~self._excluded_call.get(f.ref, 0)
        if f.status is Status.UNKNOWN:
            mask &= ~self._status_strict
        else:
            mask &= self._status.get(f.status.value, 0)
        if f.call_type:
            mask &= ~self._call_type.get(f.call_type, 0)
        mask &= self._lead_mask(f)
        if not mask:
            return 0
        mask &= self._territory_mask(f)
        if not mask:
            return 0
        mask &= self._audience_mask(f)
        if not mask:
            return 0
        mask &= self._interest_mask(f)
        for key, (first, bits) in self._money.items():
            if mask & bits and money_blocks(first, key[0], f):
                mask &= ~bits
        return mask

    def _lead_mask(self, f: CallFacts) -> int:
        if f.days_left is None:
            return self.all if f.call.rolling else self.all & ~self._lead_strict
        n = bisect_right(self._lead_mins, f.days_left)
        return self._lead_free | (self._lead_cumulative[n - 1] if n else 0)

    def _territory_mask(self, f: CallFacts) -> int:
        if not f.territories:
            return self.all & ~self._terr_strict
        mask = self._terr_free
        for code in f.territories:
            mask |= self._terr.get(code, 0)
        return mask

    def _audience_mask(self, f: CallFacts) -> int:
        if not f.audiences:
            return self.all & ~self._aud_strict
        mask = self._aud_free
        for code in f.audiences:
            mask |= self._aud.get(code, 0)
        return mask

    def _interest_mask(self, f: CallFacts) -> int:
        mask = self._int_free
        for fund in f.funds:
            mask |= self._fund.get(fund, 0)
        for prog in f.programmes:
            mask |= self._prog_code.get(prog.code, 0)
            for word in prog.word_set:
                mask |= self._prog_word.get(word, 0)
        for space, postings in self._heads.items():
            for token in f.text_tokens.get(space, ()):
                mask |= postings.get(token, 0)
        return mask

    def candidates(self, f: CallFacts) -> list[int]:
        """Positions (in `profiles`) of the candidate profiles of `f`, ascending."""
        return _bits(self.candidate_mask(f))

    def match(self, f: CallFacts) -> Scores:
        """The profiles `f` matches, in profile order, with their scores.

        The bitsets decide the feedback, status, lead-time, call-type, territory and audience
        gates exactly; each candidate's decider (`plan.make_decider`) decides the rest.
        `engine.evaluate` gives the traced verdict of a pair.
        """
        return self.match_many([f])[0]

    def match_many(self, batch: Sequence[CallFacts]) -> list[Scores]:
        """The matches of each call of `batch` (see `match`), computed profile by profile.

        Each call's candidates are scattered over the profiles, and a decider's tables are
        mostly out of the CPU caches when it is reached call by call. Taken profile by
        profile, a decider runs for every call of the batch it is a candidate for while its
        tables are at hand (batches of ~1,000 calls, `MATCH_BATCH`, suit 10,000 profiles).
        """
        with collector_paused():
            calls_of: dict[int, list[int]] = {}
            for c, f in enumerate(batch):
                for i in self.candidates(f):
                    filed = calls_of.get(i)
                    if filed is None:
                        calls_of[i] = [c]
                    else:
                        filed.append(c)
            out: list[Scores] = [{} for _ in batch]
            deciders = self.deciders
            for i in sorted(calls_of):
                decide = deciders[i]
                for c in calls_of[i]:
                    score = decide(batch[c])
                    if score is not None:
                        out[c][i] = score
        return out

    def match_calls(
        self,
        calls: Iterable[Call],
        now: datetime,
        each: Callable[[int, CallFacts, Scores], object],
    ) -> None:
        """The bulk path: `each(position, facts, scores)` for every call, in order, with the
        call's position in `calls`, its facts at `now` and its matches (`Scores`).

        Calls are taken `MATCH_BATCH` at a time: their facts derived, `match_many`, then
        `each` on every call of the batch. The cyclic garbage collector is paused for the
        whole of a batch (see `collector_paused`), `each` included, and the batch's facts are
        dropped before it resumes: resumed while they are alive, its next run would walk every
        token of every set of a thousand calls (~45 ms a batch), for them to be dropped a
        moment later. A callback rather than a generator, so that the pause ends with the
        batch whatever the caller does (a generator left unfinished would keep it).
        """
        position = 0
        for chunk in batched(calls, MATCH_BATCH):
            with collector_paused():
                facts = [call_facts(call, now) for call in chunk]
                for f, scores in zip(facts, self.match_many(facts), strict=True):
                    each(position, f, scores)
                    position += 1
                del facts, f

    def match_all(self, calls: Iterable[CallFacts]) -> Iterator[Verdict]:
        """Every matching (profile, call) pair as a verdict without outcomes, call by call
        (`match_many` on batches of `MATCH_BATCH` calls)."""
        for batch in batched(calls, MATCH_BATCH):
            for f, scores in zip(batch, self.match_many(batch), strict=True):
                for i, score in scores.items():
                    yield Verdict(self.profiles[i].id, f.ref, True, score, ())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bounded piece of bulk work.

    A batch allocates tens of thousands of containers that all live until its end (the
    token sets of the calls' facts); each allocation burst triggers collections that walk
    every one of them and every token in them again: about a quarter of a bulk re-match's
    time. What a batch allocates holds no reference cycles, so nothing waits on the
    collector; reference counting frees it as usual. Leaves the collector as it found it (an
    outer pause, or one turned off by the application, stays)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter): `itertools.batched` of Python 3.12."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _bits(mask: int) -> list[int]:
    """Positions of the set bits of `mask`, ascending: the ones of its binary digits, read
    from the lowest (one C-level search a bit, instead of shifting a long int by words)."""
    digits = bin(mask)[:1:-1]
    find = digits.find
    out: list[int] = []
    i = find("1")
    while i >= 0:
        out.append(i)
        i = find("1", i + 1)
    return out
