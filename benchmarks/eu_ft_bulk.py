"""Benchmark: the `eu_ft_bulk` parser on a catalogue of the real size.

The real grantsTenders.json is about 130 MB with about 11,000 records (~12 KB each). This
builds a synthetic file of that shape in a temporary directory (never committed) from the
records of tests/fixtures/eu_ft/constructed_bulk_grantsTenders.json: the records are cycled
with numbered identifiers, and each is brought to the average real record size by repeating
its own (real) `latestInfos` entries, which the parser reads past. Every record is selected,
so every record becomes a Call: the worst case for memory.

Each measurement runs in a fresh interpreter so that its peak RSS is its own:

- stream: read the file into bytes (as `fetch` holds the downloaded body) and run the kind's
  `parse`, which streams the records with ijson;
- baseline: `json.load` of the same file, the obvious alternative.

It prints peak RSS, wall time and records/s of both and their ratios, and exits with status 1
when the streaming parse peaks at 300 MB or more.

    uv run python -m benchmarks.eu_ft_bulk [--size-mb 130] [--records 11000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "fixtures" / "eu_ft" / "constructed_bulk_grantsTenders.json"
LIMIT_MB = 300.0
_FILLER_FALLBACK = {
    "approvalDate": "",
    "lastChangeDate": "2024-09-17T11:56:57.661",
    "content": "The submission session is now available.",
}


def build(path: Path, size_mb: float, records: int) -> tuple[int, int]:
    """Write the synthetic catalogue; return (records, bytes)."""
    base = json.loads(SOURCE.read_bytes())["fundingData"]["GrantTenderObj"]
    target = int(size_mb * 1024 * 1024 / records)
    written = 0
    with path.open("wb") as out:
        out.write(b'{"fundingData":{"GrantTenderObj":[')
        for n in range(records):
            record: dict[str, Any] = copy.deepcopy(base[n % len(base)])
            record["identifier"] = f"{record['identifier']}-S{n:05d}"
            infos = record.get("latestInfos") or [_FILLER_FALLBACK]
            record["latestInfos"] = list(infos)
            body = json.dumps(record, ensure_ascii=False).encode("utf-8")
            while len(body) < target:
                record["latestInfos"].append(infos[len(record["latestInfos"]) % len(infos)])
                body = json.dumps(record, ensure_ascii=False).encode("utf-8")
            out.write((b"," if n else b"") + body)
            written += 1
        out.write(b"]}}")
    return written, path.stat().st_size


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(mode: str, path: Path) -> dict[str, float]:
    """Run one measurement in this process (called in a fresh interpreter)."""
    start = time.perf_counter()
    if mode == "stream":
        from fundwatch.sources.eu_ft_bulk import EuFtBulkParams, parse

        raw = path.read_bytes()
        params = EuFtBulkParams(programmes=(), types=(), statuses=())
        count = len(parse(raw, params, "bench"))
    else:
        with path.open("rb") as fh:
            count = len(json.load(fh)["fundingData"]["GrantTenderObj"])
    seconds = time.perf_counter() - start
    return {"records": count, "seconds": seconds, "peak_mb": _peak_mb()}


def _run(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.eu_ft_bulk", "--measure", mode, str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=130.0)
    ap.add_argument("--records", type=int, default=11_000)
    ap.add_argument("--keep", type=Path, help="write the synthetic file here and keep it")
    ap.add_argument("--measure", choices=["stream", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("file", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.file)))
        return 0

    with tempfile.TemporaryDirectory(prefix="fundwatch-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "grantsTenders.synthetic.json"
        records, size = build(path, args.size_mb, args.records)
        print(f"synthetic catalogue: {records} records, {size / 1024 / 1024:.1f} MB")
        stream, baseline = _run("stream", path), _run("baseline", path)
    print(f"{'':10} {'peak RSS':>10} {'seconds':>9} {'records/s':>11}")
    for name, r in (("stream", stream), ("json.load", baseline)):
        rate = r["records"] / r["seconds"] if r["seconds"] else float("inf")
        print(f"{name:10} {r['peak_mb']:>7.0f} MB {r['seconds']:>9.2f} {rate:>11.0f}")
    print(
        f"stream / json.load: peak RSS x{stream['peak_mb'] / baseline['peak_mb']:.2f}, "
        f"time x{stream['seconds'] / baseline['seconds']:.2f} "
        f"(the stream also builds {int(stream['records'])} Call objects)"
    )
    ok = stream["peak_mb"] < LIMIT_MB
    print(f"peak RSS limit {LIMIT_MB:.0f} MB: {'OK' if ok else 'EXCEEDED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
