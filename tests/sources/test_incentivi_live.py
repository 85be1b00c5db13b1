"""Live check against incentivi.gov.it (not run in CI; the host refuses some datacenter
networks: set HttpSettings.proxy, ``http.proxy`` in config, where needed).

Run with ``uv run pytest -m network tests/sources/test_incentivi_live.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fundwatch.http import HttpClient, HttpSettings
from fundwatch.sources import FetchContext, get_kind

pytestmark = pytest.mark.network


@pytest.fixture(autouse=True)
def _only_when_selected(request: pytest.FixtureRequest) -> None:
    """A plain `pytest` run never reaches the network: this runs only under ``-m network``."""
    if "network" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("live check: select it with -m network")


def test_first_two_pages_read_in_the_index_vocabulary() -> None:
    kind = get_kind("incentivi")
    params = kind.parse_params({"rows": 20, "max_pages": 2})
    now = datetime.now(UTC)
    with HttpClient(HttpSettings(contact="fundwatch-tests@example.org")) as client:
        harvest = kind.fetch(
            params, FetchContext(source_id="incentivi-live", now=now, client=client)
        )
    assert harvest.expected is not None and harvest.expected > 40
    assert len(harvest.calls) >= 30  # language copies fold, so up to 40
    for call in harvest.calls:
        assert call.source_id.isdigit() and call.title
        assert call.url.startswith("https://www.incentivi.gov.it/")
