from __future__ import annotations

from collections.abc import Iterator

import pytest

from fundwatch.http import HttpClient, HttpSettings


@pytest.fixture
def http() -> Iterator[HttpClient]:
    """A real HttpClient with no politeness delay and no robots.txt look-up, for respx tests."""
    slept: list[float] = []
    client = HttpClient(
        HttpSettings(contact="tests@example.org", min_interval=0, respect_robots=False, backoff=0.01),
        sleep=slept.append,
    )
    client.slept = slept  # type: ignore[attr-defined]
    with client:
        yield client
