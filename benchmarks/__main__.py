"""Run every benchmark in turn, each in its own interpreter; exit 1 if any failed its target.

uv run python -m benchmarks [NAME ...]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))
    failed = []
    for name in names:
        print(f"=== benchmarks.{name} ===", flush=True)
        code = subprocess.call([sys.executable, "-m", f"benchmarks.{name}"], cwd=HERE.parent)
        if code != 0:
            failed.append(name)
        print(flush=True)
    if failed:
        print(f"failed or missed their target: {', '.join(failed)}")
        return 1
    print(f"all {len(names)} benchmarks met their targets")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
