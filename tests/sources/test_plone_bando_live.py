"""Live check against the Emilia-Romagna Plone site (not run in CI).

Run with ``uv run pytest -m network tests/sources/test_plone_bando_live.py``.
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


def test_every_announced_bando_is_read() -> None:
    kind = get_kind("plone_bando")
    params = kind.parse_params({"page_size": 10})
    now = datetime.now(UTC)
    with HttpClient(HttpSettings(contact="fundwatch-tests@example.org")) as client:
        harvest = kind.fetch(params, FetchContext(source_id="er-live", now=now, client=client))
    assert harvest.complete, harvest.notes
    assert harvest.expected == len(harvest.calls) > 0
    for call in harvest.calls:
        assert call.url.startswith("https://") and "++api++" not in call.url
        assert call.extra.get("bando_state") in {"open", "inProgress", "closed", "scheduled"}
