"""Benchmark: the matching a publish does, 10,000 profiles against 20,000 stored calls.

`publish` (and `write_feed_files`, and each web request) asks the digest's matcher for the
stored calls each profile is told about and the short reasons why. The stored calls and the
profiles are those of `benchmarks/match.py` (synthetic, shaped like the real ones: half the
history closed), wrapped as the store returns them (`StoredCall`, a share vanished), with
reader feedback files for a share of the profiles ("not relevant" marks, "fewer like this").

- **indexed** (`rules_matcher`, what publish runs): every profile at once through the profile
  index, each call's facts derived once, only the matches traced for their reasons, and the
  closed or vanished calls judged again through an index of the widened profiles;
- **per profile** (`per_profile_matcher`, the previous way): for each profile, every stored
  call traced, twice for the closed and vanished ones. Measured in the same run on a sample
  of profiles and extrapolated to all of them.

Both must give the same calls with the same reasons, in the same order, for every sampled
profile, else exit 1; exit 1 too when the indexed run takes more than `--target` seconds.

    uv run python -m benchmarks.publish [--profiles 10000] [--calls 20000] [--sample 8]
                                        [--gone 0.03] [--seed 6] [--target 600]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta

from benchmarks.match import NOW, Pools, make_calls, make_profiles
from fundwatch.config import Profile
from fundwatch.digest.matching import per_profile_matcher, rules_matcher
from fundwatch.models import Status, status
from fundwatch.rules import FeedbackStore, call_ref
from fundwatch.rules.compiled import CompiledProfile
from fundwatch.store import StoredCall


def stored_calls(n: int, pools: Pools, rng: random.Random, gone: float) -> list[StoredCall]:
    """`n` calls as the store returns them: newest first, ids not in order, some vanished."""
    calls = make_calls(n, pools, rng)
    ids = rng.sample(range(1, 3 * n + 1), n)
    out = []
    for i, call in zip(ids, calls, strict=True):
        first = NOW - timedelta(days=rng.randint(0, 900), hours=rng.randint(0, 23))
        out.append(StoredCall(i, call, first, NOW, first, rng.random() < gone, ""))
    out.sort(key=lambda c: c.first_seen, reverse=True)
    return out


def write_feedback(
    folder: str,
    compiled: Sequence[CompiledProfile],
    calls: Sequence[StoredCall],
    rng: random.Random,
) -> int:
    """The profiles' "fewer like this" terms, and "not relevant" marks on 3% of the profiles
    (1 to 5 open calls each), as feedback files; returns how many files."""
    store = FeedbackStore(folder)
    open_refs = [call_ref(c.call) for c in calls if status(c.call, NOW) is Status.OPEN]
    files = set()
    for cp in compiled:
        for term in cp.fewer:
            store.fewer_like_this(cp.id, term.text, NOW)
            files.add(cp.id)
        if rng.random() < 0.03:
            for ref in rng.sample(open_refs, rng.randint(1, 5)):
                store.exclude_call(cp.id, ref, NOW)
            files.add(cp.id)
    return len(files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=8, help="profiles for the per-profile way")
    parser.add_argument("--gone", type=float, default=0.03, help="share of vanished calls")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--target", type=float, default=600.0, help="seconds allowed")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    start = time.perf_counter()
    pools = Pools(rng)
    calls = stored_calls(args.calls, pools, rng, args.gone)
    compiled = make_profiles(args.profiles, pools, rng)
    profiles: list[Profile] = [cp.profile for cp in compiled]
    closed = sum(1 for c in calls if c.gone or status(c.call, NOW) is Status.CLOSED)
    with tempfile.TemporaryDirectory(prefix="fundwatch-bench-") as folder:
        files = write_feedback(folder, compiled, calls, rng)
        del compiled
        print(
            f"generated {len(profiles):,} profiles ({files} with feedback files) and "
            f"{len(calls):,} stored calls ({closed:,} closed or vanished) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        feedback = FeedbackStore(folder)

        gc.collect()
        start = time.perf_counter()
        indexed = rules_matcher(feedback).match(profiles, calls, NOW)
        seconds = time.perf_counter() - start
        pairs = sum(len(r) for r in indexed)
        by_id = {c.id: c for c in calls}
        wide = sum(
            1
            for r in indexed
            for i in r
            if by_id[i].gone or status(by_id[i].call, NOW) is Status.CLOSED
        )
        print(
            f"indexed, all profiles at once: {seconds:.1f} s — {pairs:,} matches "
            f"({pairs / len(profiles):.0f} per profile; {wide:,} closed or vanished), "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )

        sample = sorted(rng.sample(range(len(profiles)), min(args.sample, len(profiles))))
        start = time.perf_counter()
        reference = per_profile_matcher(feedback).match([profiles[p] for p in sample], calls, NOW)
        ref_seconds = time.perf_counter() - start
    estimate = ref_seconds * len(profiles) / len(sample)
    print(
        f"per profile, every call traced, on {len(sample)} profiles: {ref_seconds:.1f} s "
        f"({ref_seconds / len(sample):.2f} s per profile; ≈ {estimate:,.0f} s "
        f"= {estimate / 3600:.1f} h for all {len(profiles):,})"
    )
    different = [
        profiles[p].id
        for p, want in zip(sample, reference, strict=True)
        if list(indexed[p].items()) != list(want.items())
    ]
    checked = sum(len(r) for r in reference)
    print(
        f"on the sample: {checked:,} matches with their reasons, "
        f"{'identical' if not different else 'DIFFERENT'}"
    )
    print(f"ratio per profile / indexed: ×{estimate / seconds:,.0f}")
    if different:
        print(f"different for: {', '.join(different[:10])}")
        return 1
    if seconds > args.target:
        print(f"target missed: {seconds:.1f} s > {args.target:.0f} s")
        return 1
    print(f"target met: {seconds:.1f} s ≤ {args.target:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
