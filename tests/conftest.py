from __future__ import annotations

from collections.abc import Iterator

import pytest

from fundwatch.http import HttpClient, HttpSettings
from fundwatch.store import Store


@pytest.fixture
def http() -> Iterator[HttpClient]:
    """A real HttpClient with no politeness delay and no robots.txt look-up, for respx tests."""
    slept: list[float] = []
    client = HttpClient(
        HttpSettings(
            contact="tests@example.org", min_interval=0, respect_robots=False, backoff=0.01
        ),
        sleep=slept.append,
    )
    client.slept = slept  # type: ignore[attr-defined]
    with client:
        yield client


# -- databases: every store test runs on SQLite and on a real PostgreSQL server --------------

PG_ENV = "FUNDWATCH_TEST_PG_URL"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server: $FUNDWATCH_TEST_PG_URL, else one started for the session.

    In CI (CI=true) a missing server is a failure, not a skip.
    """
    import os

    from tests import pgserver

    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    if pgserver.bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide PostgreSQL ({PG_ENV} unset, no server binaries)")
        pytest.skip("PostgreSQL server binaries not installed")
    url, data = pgserver.start()
    try:
        yield url
    finally:
        pgserver.stop(data)


def _fresh_pg_database(server_url: str) -> Iterator[str]:
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"fw_test_{uuid.uuid4().hex[:12]}"
    dsn = dict(host=url.host, port=url.port, user=url.username, dbname=url.database or "postgres")
    if url.password:
        dsn["password"] = url.password
    with psycopg.connect(**dsn, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**dsn, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    from pathlib import Path

    if request.param == "sqlite":
        yield f"sqlite:///{Path(str(tmp_path)) / 'fundwatch.db'}"
        return
    server = request.getfixturevalue("pg_server_url")
    yield from _fresh_pg_database(server)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """An empty store on each backend (modules that need a seeded one define their own)."""
    s = Store.open(database_url)
    yield s
    s.close()


@pytest.fixture
def pg_database_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server (for tests that need PostgreSQL)."""
    yield from _fresh_pg_database(pg_server_url)
