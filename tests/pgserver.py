"""A throw-away PostgreSQL server for the test suite.

Debian's server refuses to run as root, so when we are root the cluster is created and run as
the ``postgres`` user, in a temporary data directory, on a free loopback port, with durability
switched off (it is thrown away). Used two ways:

- ``python -m tests.pgserver start DIR`` prints the database URL (``.ci/run`` exports it as
  FUNDWATCH_TEST_PG_URL); ``python -m tests.pgserver stop DIR`` stops it;
- tests/conftest.py starts one for the session when FUNDWATCH_TEST_PG_URL is not set and the
  server binaries are installed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, if any."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(workdir: Path | None = None) -> tuple[str, Path]:
    """Start a server; returns (SQLAlchemy URL, data folder)."""
    bindir = bin_dir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    base = Path(workdir or tempfile.mkdtemp(prefix="fundwatch-pg-"))
    base.mkdir(parents=True, exist_ok=True)
    data = base / "data"
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    subprocess.run(
        _as_owner(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    opts = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        _as_owner(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-w",
                "-l",
                str(base / "server.log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    (base / "port").write_text(str(port))
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data


def stop(data: Path) -> None:
    bindir = bin_dir()
    if bindir is None or not data.exists():
        return
    subprocess.run(
        _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
        check=False,
        capture_output=True,
    )


if __name__ == "__main__":
    action, folder = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        url, _ = start(folder)
        print(url)
    elif action == "stop":
        stop(folder / "data")
    else:
        sys.exit(f"usage: python -m tests.pgserver start|stop DIR (got {action!r})")
