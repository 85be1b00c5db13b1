"""Live check against the real EU Funding & Tenders search API (not run in CI).

Run with ``uv run pytest -m network tests/sources/test_eu_ft_live.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fundwatch.http import HttpClient, HttpSettings
from fundwatch.models import Status, status
from fundwatch.sources import FetchContext, get_kind

pytestmark = pytest.mark.network


@pytest.fixture(autouse=True)
def _only_when_selected(request: pytest.FixtureRequest) -> None:
    """A plain `pytest` run never reaches the network: this runs only under ``-m network``."""
    if "network" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("live check: select it with -m network")


def test_open_esf_plus_topics_come_back_folded_and_readable() -> None:
    kind = get_kind("eu_ft")
    params = kind.parse_params({"programmes": ["ESF+"], "statuses": ["open"]})
    now = datetime.now(UTC)
    with HttpClient(HttpSettings(contact="fundwatch-tests@example.org")) as client:
        harvest = kind.fetch(params, FetchContext(source_id="eu-ft-live", now=now, client=client))
    assert harvest.complete, harvest.notes
    ids = [c.source_id for c in harvest.calls]
    assert len(ids) == len(set(ids))
    for call in harvest.calls:
        assert call.title and call.url.endswith(call.source_id)
        assert "ESF+" in call.funds and call.programmes[0].code == "43254019"
        assert call.stated_status == "Open"
        assert status(call, now) in (Status.OPEN, Status.CLOSED, Status.FORTHCOMING)
        assert all(d.at.tzinfo is not None for d in call.deadlines)
