"""Benchmark: the `eu_ft_bulk` parser on a catalogue of the real size.

The real grantsTenders.json is about 130 MB with about 11,000 records (~12 KB each). This
builds a synthetic file of that shape in a temporary directory (never committed) from the
records of tests/fixtures/eu_ft/constructed_bulk_grantsTenders.json: the records are cycled
with numbered identifiers, and each is brought to the average real record size by repeating
its own (real) `latestInfos` entries, which the parser reads past. Every record is selected,
so every record becomes a Call: the worst case for memory.

Each measurement runs in a fresh interpreter so that its peak RSS is its own:

- fetch: the kind's `fetch` (no programme, type or status filter: every record kept) through
  the project's HttpClient, downloading the file from a local HTTP server (the catalogue URL's
  host is overridden, as `fundwatch demo` does): what a user's run costs, download included.
  HttpClient hands over the body as one bytes object, which httpx joins from its chunks, so
  the download alone briefly holds the body twice;
- stream: read the file into bytes and run the kind's `parse`, which streams the records
  with ijson: the parser alone;
- baseline: `json.load` of the same file, the obvious alternative.

It prints peak RSS, wall time and records/s of each and the stream / json.load ratios, and
exits with status 1 when the fetch or the streaming parse peaks at 300 MB or more.

    uv run python -m benchmarks.eu_ft_bulk [--size-mb 130] [--records 11000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
                # add about as many entries as the gap needs, then measure again
                each = max(1, (len(body) - _size_without(record)) // len(record["latestInfos"]))
                for _ in range(max(1, (target - len(body)) // each)):
                    record["latestInfos"].append(infos[len(record["latestInfos"]) % len(infos)])
                body = json.dumps(record, ensure_ascii=False).encode("utf-8")
            out.write((b"," if n else b"") + body)
            written += 1
        out.write(b"]}}")
    return written, path.stat().st_size


def _size_without(record: dict[str, Any]) -> int:
    """The encoded size of a record with an empty `latestInfos`."""
    bare = {**record, "latestInfos": []}
    return len(json.dumps(bare, ensure_ascii=False).encode("utf-8"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(mode: str, path: Path) -> dict[str, float]:
    """Run one measurement in this process (called in a fresh interpreter)."""
    start = time.perf_counter()
    if mode.startswith("fetch="):
        count = _fetch(mode.removeprefix("fetch="))
    elif mode == "stream":
        from fundwatch.sources.eu_ft_bulk import EuFtBulkParams, parse

        raw = path.read_bytes()
        params = EuFtBulkParams(programmes=(), types=(), statuses=())
        count = len(parse(raw, params, "bench"))
    else:
        with path.open("rb") as fh:
            count = len(json.load(fh)["fundingData"]["GrantTenderObj"])
    seconds = time.perf_counter() - start
    return {"records": count, "seconds": seconds, "peak_mb": _peak_mb()}


def _fetch(base: str) -> int:
    """The kind's fetch of the default catalogue URL, its host served from `base`."""
    from datetime import UTC, datetime
    from urllib.parse import urlsplit

    from fundwatch.http import HttpClient, HttpSettings
    from fundwatch.sources import FetchContext, get_kind
    from fundwatch.sources.eu_ft_bulk import BULK_URL

    kind = get_kind("eu_ft_bulk")
    params = kind.parse_params({"programmes": [], "types": [], "statuses": []})
    settings = HttpSettings(host_overrides={urlsplit(BULK_URL).netloc: base})
    with HttpClient(settings) as client:
        ctx = FetchContext(source_id="bench", now=datetime.now(UTC), client=client)
        harvest = kind.fetch(params, ctx)
    return len(harvest.calls)


def _serve(path: Path) -> ThreadingHTTPServer:
    """A local HTTP server answering every GET with the file (robots.txt: 404)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.endswith("/robots.txt"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(path.stat().st_size))
            self.end_headers()
            with path.open("rb") as fh:
                shutil.copyfileobj(fh, self.wfile)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


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
    ap.add_argument("--measure", help=argparse.SUPPRESS)
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
        server = _serve(path)
        try:
            fetched = _run(f"fetch=http://127.0.0.1:{server.server_address[1]}", path)
        finally:
            server.shutdown()
            server.server_close()
        stream, baseline = _run("stream", path), _run("baseline", path)
    print(f"{'':10} {'peak RSS':>10} {'seconds':>9} {'records/s':>11}")
    for name, r in (("fetch", fetched), ("stream", stream), ("json.load", baseline)):
        rate = r["records"] / r["seconds"] if r["seconds"] else float("inf")
        print(f"{name:10} {r['peak_mb']:>7.0f} MB {r['seconds']:>9.2f} {rate:>11.0f}")
    print(
        f"stream / json.load: peak RSS x{stream['peak_mb'] / baseline['peak_mb']:.2f}, "
        f"time x{stream['seconds'] / baseline['seconds']:.2f} "
        f"(the stream also builds {int(stream['records'])} Call objects)"
    )
    ok = True
    for name, r in (("fetch", fetched), ("stream", stream)):
        within = r["peak_mb"] < LIMIT_MB
        ok = ok and within
        print(f"{name}: peak RSS limit {LIMIT_MB:.0f} MB: {'OK' if within else 'EXCEEDED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
