"""Benchmark: a full re-match of 10,000 profiles against 20,000 calls, indexed vs all-pairs.

The calls and profiles are synthetic but shaped like the real ones. Call texts are drawn from
the words of the real fixture calls (tests/rules/fixture_calls.py: EU topics in English,
regional and national Italian calls), with their themes, keywords, programmes and funds;
territories, audiences, call types and dates follow the mix a store accumulates (EU-wide
topics, regional calls of every region, national measures for companies, a share of tenders,
half the history closed). Profiles are municipalities, third-sector bodies, companies and
EU networks all over Italy and Europe, with the interests and gates the shipped examples use.

A full re-match is: derive every call's facts at `now`, then ask the profile index for each
call's matching profiles (each candidate checked by the real engine), a batch of calls at a
time (`ProfileIndex.match_calls`). It runs on `--workers`
processes (2 by default: the target machine has 2 cores). The naive loop, every profile
against every call, is measured on a sample of calls in the same run and extrapolated; both
must give identical verdicts (same pairs, same scores) on the sample, else exit 1. Exit 1
too when the full re-match takes more than `--target` seconds (10) of wall-clock time.

Beside each wall-clock time the CPU time actually used is printed: on a machine shared with
other work the two part, and CPU seconds / workers is what the re-match would take with the
cores to itself. The ratio to the naive loop is given both ways.

    uv run python -m benchmarks.match [--profiles 10000] [--calls 20000] [--sample 100]
                                      [--workers 2] [--seed 6] [--target 10]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import random
import resource
import sys
import time
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fundwatch.config.profile import Profile
from fundwatch.models import (
    Audience,
    Budget,
    Call,
    Deadline,
    Programme,
    Territory,
)
from fundwatch.normalize.audiences import AUDIENCE_CODES
from fundwatch.normalize.territories import children
from fundwatch.rules import (
    Feedback,
    ProfileIndex,
    Scores,
    call_facts,
    compile_profile,
    evaluate,
)
from fundwatch.rules.compiled import CompiledProfile
from fundwatch.rules.facts import CallFacts
from fundwatch.rules.index import MATCH_BATCH
from fundwatch.rules.text import tokens
from tests.rules.fixture_calls import fixture_calls

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
REGIONS = [r.code for area in children("IT") for r in children(area.code)]
EU_PROGRAMMES = [
    ("43254019", "European Social Fund Plus (ESF+)"),
    ("43254027", "Employment and Social Innovation (EaSI)"),
    ("43108390", "Horizon Europe (HORIZON)"),
    ("43251589", "Citizens, Equality, Rights and Values Programme (CERV)"),
    ("43353764", "Erasmus+ (ERASMUS+)"),
    ("43252405", "Programme for the Environment and Climate Action (LIFE)"),
    ("43152860", "Digital Europe Programme (DIGITAL)"),
    ("43332642", "EU4Health Programme (EU4H)"),
]
FUNDS = ["ESF+", "ERDF", "FSC", "PNRR", "EAFRD", "NATIONAL", "REGIONAL"]
FOREIGN = ["BE10", "BE2", "FR10", "DE30", "ES30", "NL32", "AT13", "PT17", "EL30", "PL91"]
_STOP = """della delle degli dei del dell di da in con per tra fra una uno il lo la le gli i e ed
o a al alla alle ai agli sul sulla nel nella nei che non si come anche piu sono the of and to
for in on with by an or be are is as at from this that which their its will"""
STOPWORDS = frozenset(_STOP.split())


# -- the pools: words and tags of the real fixture calls ----------------------------------

VOCABULARY = 20_000
"""Word types per language: the real words of the fixtures (most frequent first), then a
tail of made-up words. 71 recorded calls hold only ~2,900 Italian and ~1,700 English word
types; drawn from those alone, every call would contain most words a profile looks for, far
from what a real store of 20,000 calls is like."""


class Pools:
    """Per language, a vocabulary ranked by frequency (the fixtures' real words first, then
    made-up ones), drawn from with Zipf's law (weight 1/rank) as natural text is; and the
    fixtures' real theme and keyword tags."""

    def __init__(self, rng: random.Random) -> None:
        counts: dict[str, dict[str, int]] = {"it": {}, "en": {}}
        themes: set[str] = set()
        keywords: set[str] = set()
        for call in fixture_calls():
            lang = "en" if call.language == "en" else "it"
            for text in (call.title, call.summary):
                for word in tokens(text):
                    counts[lang][word] = counts[lang].get(word, 0) + 1
            themes.update(call.themes)
            keywords.update(call.keywords)
        self.vocabulary: dict[str, list[str]] = {}
        self.weights: dict[str, list[float]] = {}
        for lang, seen in counts.items():
            ranked = sorted(seen, key=lambda w: (-seen[w], w))
            known = set(ranked)
            while len(ranked) < VOCABULARY:
                word = _made_up(rng, lang)
                if word not in known:
                    known.add(word)
                    ranked.append(word)
            self.vocabulary[lang] = ranked
            total = 0.0
            cumulative = []
            for rank in range(len(ranked)):
                total += 1.0 / (rank + 1)
                cumulative.append(total)
            self.weights[lang] = cumulative
        # what profiles look for: topical words, neither grammar words nor rarities
        self.terms = {
            lang: [w for w in words[30:6000] if len(w) > 4 and w not in STOPWORDS]
            for lang, words in self.vocabulary.items()
        }
        self.themes = sorted(themes)
        self.keywords = sorted(keywords)

    def text(self, rng: random.Random, lang: str, low: int, high: int) -> str:
        words = rng.choices(
            self.vocabulary[lang], cum_weights=self.weights[lang], k=rng.randint(low, high)
        )
        return " ".join(words)


_EN_SYLLABLES = """bar ben cor dan el fen gar hol in ker lin mor nat on per quin ros sten
tor und ver wal ex ment tion ing ard"""
_SYLLABLES = {
    "it": [c + v for c in "bcdflmnprstvz" for v in "aeiou"],
    "en": _EN_SYLLABLES.split(),
}


def _made_up(rng: random.Random, lang: str) -> str:
    return "".join(rng.choices(_SYLLABLES[lang], k=rng.randint(3, 4)))


# -- synthetic calls -----------------------------------------------------------------------


def make_calls(n: int, pools: Pools, rng: random.Random) -> list[Call]:
    return [_call(i, pools, rng) for i in range(n)]


def _call(i: int, pools: Pools, rng: random.Random) -> Call:
    shape = rng.random()
    if shape < 0.15:
        return _eu_call(i, pools, rng)
    if shape < 0.30:
        return _national_call(i, pools, rng)
    return _regional_call(i, pools, rng)


def _dates(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.50:  # history: closed
        at = NOW - timedelta(days=rng.randint(1, 900))
        return {"deadlines": (Deadline(at=at),), "opens_at": at - timedelta(days=60)}
    if roll < 0.85:  # open
        at = NOW + timedelta(days=rng.randint(1, 180))
        return {"deadlines": (Deadline(at=at),), "opens_at": NOW - timedelta(days=20)}
    if roll < 0.95:  # forthcoming
        opens = NOW + timedelta(days=rng.randint(1, 90))
        return {"deadlines": (Deadline(at=opens + timedelta(days=60)),), "opens_at": opens}
    return {"rolling": rng.random() < 0.5}  # rolling, or no dates at all


def _budget(rng: random.Random) -> Budget:
    if rng.random() < 0.5:
        return Budget()
    high = Decimal(rng.choice([20000, 50000, 150000, 500000, 2000000]))
    rate = Decimal(rng.choice(["0.5", "0.8", "0.9", "1"])) if rng.random() < 0.4 else None
    return Budget(total_eur=high * 20, max_grant_eur=high, cofinancing_rate=rate)


def _eu_call(i: int, pools: Pools, rng: random.Random) -> Call:
    programme = rng.choice(EU_PROGRAMMES)
    programmes = [Programme(code=programme[0], label=programme[1])]
    if programme[0] in ("43254019", "43254027"):
        programmes.append(Programme(code="ESF+", label="European Social Fund Plus", kind="fund"))
    return Call(
        source="eu_ft",
        source_id=f"EU-{i:06d}",
        url=f"https://example.eu/{i}",
        language="en",
        titles={"en": pools.text(rng, "en", 5, 14)},
        summary=pools.text(rng, "en", 40, 160),
        programmes=tuple(programmes),
        territories=(Territory(code="EU", scheme="eu"),),
        call_type=rng.choices(["Grant", "Call for proposals", "Tender"], [70, 20, 10])[0],
        keywords=tuple(rng.sample(pools.keywords, rng.randint(0, 6))),
        themes=tuple(rng.sample(pools.themes, rng.randint(0, 4))),
        budget=_budget(rng),
        **_dates(rng),
    )


def _national_call(i: int, pools: Pools, rng: random.Random) -> Call:
    sizes = ["micro_impresa", "piccola_impresa", "media_impresa", "grande_impresa", "startup"]
    where = (
        [Territory(code="IT", scheme="country")]
        if rng.random() < 0.6
        else [Territory(code=c) for c in rng.sample(REGIONS, rng.randint(2, 8))]
    )
    audiences = rng.sample(sizes, rng.randint(1, 4))
    if rng.random() < 0.2:
        audiences += ["ente_terzo_settore", "cooperativa"]
    return Call(
        source="incentivi",
        source_id=f"IN-{i:06d}",
        url=f"https://example.it/incentivi/{i}",
        titles={"it": pools.text(rng, "it", 4, 12)},
        summary=pools.text(rng, "it", 20, 90),
        territories=tuple(where),
        audiences=tuple(Audience(code=a) for a in audiences),
        programmes=tuple(
            Programme(code=f, label=f, kind="fund") for f in rng.sample(FUNDS, rng.randint(0, 1))
        ),
        keywords=tuple(rng.sample(pools.keywords, rng.randint(0, 20))),
        themes=tuple(rng.sample(pools.themes, rng.randint(1, 3))),
        budget=_budget(rng),
        **_dates(rng),
    )


def _regional_call(i: int, pools: Pools, rng: random.Random) -> Call:
    region = rng.choice(REGIONS)
    where = region
    if rng.random() < 0.15:
        provinces = children(region)
        if provinces:
            where = rng.choice(provinces).code
    audiences: list[str] = []
    if rng.random() < 0.7:
        audiences = rng.sample(sorted(AUDIENCE_CODES), rng.randint(1, 4))
    call_type = rng.choices(
        ["grant", "procurement", "appointment", "register", "expression_of_interest", ""],
        [70, 12, 3, 3, 5, 7],
    )[0]
    return Call(
        source="regione",
        source_id=f"RE-{i:06d}",
        url=f"https://example.it/bandi/{i}",
        titles={"it": pools.text(rng, "it", 4, 14)},
        summary=pools.text(rng, "it", 0, 120),
        territories=(Territory(code=where),),
        audiences=tuple(Audience(code=a) for a in audiences),
        programmes=tuple(
            Programme(code=f, label=f, kind="fund") for f in rng.sample(FUNDS, rng.randint(0, 2))
        ),
        call_type=call_type,
        themes=tuple(rng.sample(pools.themes, rng.randint(0, 3))),
        budget=_budget(rng),
        **_dates(rng),
    )


# -- synthetic profiles ----------------------------------------------------------------------


def make_profiles(n: int, pools: Pools, rng: random.Random) -> list[CompiledProfile]:
    municipalities = [m.code for r in REGIONS for p in children(r) for m in children(p.code)]
    return [_profile(i, pools, municipalities, rng) for i in range(n)]


def _profile(
    i: int, pools: Pools, municipalities: list[str], rng: random.Random
) -> CompiledProfile:
    shape = rng.random()
    lang = "it"
    if shape < 0.40:
        kind, place = "comune", rng.choice(municipalities)
    elif shape < 0.55:
        kind = rng.choice(["ente_terzo_settore", "cooperativa_sociale", "associazione"])
        place = rng.choice(municipalities)
    elif shape < 0.80:
        kind = rng.choice(["pmi", "micro_impresa", "piccola_impresa", "startup"])
        place = rng.choice(municipalities)
    elif shape < 0.90:
        kind = rng.choice(["unione_comuni", "provincia", "regione", "universita_ricerca"])
        place = rng.choice(REGIONS)
    else:
        kind, place, lang = "ente_terzo_settore", rng.choice(FOREIGN), "en"
    languages = [lang] if lang == "en" or rng.random() < 0.7 else ["it", "en"]
    words = [w for language in languages for w in pools.terms[language]]

    def terms(low: int, high: int) -> list[str]:
        return [
            " ".join(rng.sample(words, rng.choice([1, 1, 1, 2])))
            for _ in range(rng.randint(low, high))
        ]

    data: dict[str, Any] = {
        "id": f"p{i:05d}",
        "name": f"Profile {i}",
        "language": lang,
        "organisation": {"type": kind, "territory": place, "languages": languages},
        "interests": {
            "funds": rng.sample(FUNDS, rng.randint(0, 2)),
            "programmes": [
                p[1].split(" (")[0] for p in rng.sample(EU_PROGRAMMES, rng.choice([0, 0, 1]))
            ],
            "themes": rng.sample(pools.themes, rng.randint(0, 2)),
            "keywords": {"any": terms(2, 10), "none": terms(0, 1)},
            "min_score": rng.choice([10, 10, 20]),
        },
        "gates": {
            "min_lead_days": rng.choice([0, 7, 14, 21, 30]),
            "grant_max_eur": rng.choice([None, None, None, 500000]),
            "max_own_share": rng.choice([None, None, None, "0.2"]),
            "unknown_facts": rng.choices(["pass", "strict"], [9, 1])[0],
        },
    }
    feedback = None
    if rng.random() < 0.05:
        feedback = Feedback(fewer=tuple(terms(1, 2)))
    return compile_profile(Profile.model_validate(data), feedback)


# -- the runs ------------------------------------------------------------------------------

Pair = tuple[int, int, int]  # (profile position, call position, score)
_SHARED: dict[str, Any] = {}


def _match_slice(bounds: tuple[int, int]) -> array[int]:
    """Matches of a slice of the calls, flat: profile, call, score, profile, call, ..."""
    index: ProfileIndex = _SHARED["index"]
    calls: list[Call] = _SHARED["calls"]
    out: array[int] = array("l")
    first, end = bounds

    def each(position: int, facts: CallFacts, scores: Scores) -> None:
        for i, score in scores.items():
            out.extend((i, first + position, score))

    index.match_calls(calls[first:end], NOW, each)
    return out


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its reaped children (the workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def full_rematch(
    index: ProfileIndex, calls: list[Call], workers: int
) -> tuple[set[Pair], float, float]:
    """Every matching pair via the index; (pairs, wall seconds, CPU seconds of all workers)."""
    _SHARED.update(index=index, calls=calls)
    # The compiled profiles live as long as the process: keep the cyclic garbage collector
    # from walking them again and again, and the forked workers from copying their pages.
    gc.freeze()
    # one batch of the index's bulk path a slice, handed out one at a time
    slices = [(s, min(s + MATCH_BATCH, len(calls))) for s in range(0, len(calls), MATCH_BATCH)]
    cpu = _cpu_seconds()
    start = time.perf_counter()
    if workers <= 1:
        parts = [_match_slice(b) for b in slices]
    else:
        pool = multiprocessing.get_context("fork").Pool(workers)
        try:
            parts = pool.map(_match_slice, slices, chunksize=1)
        finally:
            pool.close()
            pool.join()  # reaped, so their CPU time counts in RUSAGE_CHILDREN
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    gc.unfreeze()
    pairs = {(p[i], p[i + 1], p[i + 2]) for p in parts for i in range(0, len(p), 3)}
    return pairs, seconds, cpu


def naive(
    profiles: list[CompiledProfile], calls: list[Call], sample: list[int]
) -> tuple[set[Pair], float, float]:
    """Every profile against every sampled call; (pairs, wall seconds, CPU seconds)."""
    cpu = time.process_time()
    start = time.perf_counter()
    out: set[Pair] = set()
    for c in sample:
        facts: CallFacts = call_facts(calls[c], NOW)
        for p, cp in enumerate(profiles):
            verdict = evaluate(cp, facts, trace=False)
            if verdict.matched:
                out.add((p, c, verdict.score))
    return out, time.perf_counter() - start, time.process_time() - cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=100, help="calls for the naive loop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--target", type=float, default=10.0, help="seconds allowed")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    start = time.perf_counter()
    pools = Pools(rng)
    calls = make_calls(args.calls, pools, rng)
    profiles = make_profiles(args.profiles, pools, rng)
    print(
        f"generated {len(profiles):,} profiles and {len(calls):,} calls "
        f"in {time.perf_counter() - start:.1f} s"
    )

    start = time.perf_counter()
    index = ProfileIndex(profiles)
    print(f"index built in {time.perf_counter() - start:.2f} s")

    pairs, seconds, cpu = full_rematch(index, calls, args.workers)
    per_profile = len(pairs) / len(profiles)
    print(
        f"full re-match, indexed, {args.workers} worker(s): {seconds:.2f} s — "
        f"{len(pairs):,} matches ({per_profile:.0f} calls per profile, "
        f"{len(pairs) / (len(profiles) * len(calls)):.2%} of all pairs)"
    )
    busy = cpu / (seconds * args.workers) if seconds else 1.0
    print(
        f"  CPU time {cpu:.2f} s: the workers ran {busy:.0%} of the time; with "
        f"{args.workers} idle core(s) ≈ {cpu / args.workers:.2f} s"
    )

    sample = sorted(rng.sample(range(len(calls)), min(args.sample, len(calls))))
    naive_pairs, naive_seconds, naive_cpu = naive(profiles, calls, sample)
    estimate = naive_seconds * len(calls) / len(sample)
    cpu_estimate = naive_cpu * len(calls) / len(sample)
    print(
        f"naive all-pairs loop on {len(sample)} calls: {naive_seconds:.2f} s, CPU "
        f"{naive_cpu:.2f} s (≈ {estimate:,.0f} s, CPU {cpu_estimate:,.0f} s, for all "
        f"{len(calls):,} calls on one core)"
    )
    checked = sum(len(index.candidates(call_facts(calls[c], NOW))) for c in sample)
    print(
        f"on the sample the index checks {checked:,} of {len(sample) * len(profiles):,} "
        f"pairs ({checked / (len(sample) * len(profiles)):.2%})"
    )
    in_sample = set(sample)
    indexed_sample = {pair for pair in pairs if pair[1] in in_sample}
    same = indexed_sample == naive_pairs
    print(
        f"verdicts on the sample: {len(naive_pairs):,} matches, "
        f"{'identical' if same else 'DIFFERENT'}"
    )
    print(
        f"ratio naive / indexed: ×{estimate / seconds:,.0f} wall-clock "
        f"(×{estimate / (seconds * args.workers):,.0f} per core); "
        f"×{cpu_estimate / cpu if cpu else 0:,.0f} in CPU time"
    )
    if not same:
        only_naive = sorted(naive_pairs - indexed_sample)[:5]
        only_index = sorted(indexed_sample - naive_pairs)[:5]
        print(f"only naive: {only_naive}; only indexed: {only_index}")
        return 1
    if seconds > args.target:
        print(f"target missed: {seconds:.2f} s > {args.target:.0f} s")
        return 1
    print(f"target met: {seconds:.2f} s ≤ {args.target:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
