"""Live check against dati.lombardia.it (not run in CI).

Run with ``uv run pytest -m network tests/sources/test_socrata_live.py``.
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


def test_open_lombardia_calls_read_with_their_detail_pages() -> None:
    kind = get_kind("socrata")
    now = datetime.now(UTC)
    params = kind.parse_params(
        {
            "where": f"chiusura_adesione >= '{now:%Y-%m-%d}T00:00:00'",
            "detail": True,
            "max_details": 3,
        }
    )
    with HttpClient(HttpSettings(contact="fundwatch-tests@example.org")) as client:
        harvest = kind.fetch(
            params, FetchContext(source_id="lombardia-live", now=now, client=client)
        )
    assert harvest.complete, harvest.notes
    assert harvest.calls, "bukx-h2uy lists open calls all year round"
    for call in harvest.calls:
        assert call.source_id and call.title and call.call_type == ""
        assert all(d.at >= now.replace(hour=0, minute=0) for d in call.deadlines)
    enriched = [c for c in harvest.calls if c.stated_status]
    assert enriched, f"no detail page read: {harvest.notes}"
