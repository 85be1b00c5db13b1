"""Live checks against bandi.regione.piemonte.it (not run in CI).

Run with ``uv run pytest -m network tests/sources/test_piemonte_live.py``. Polite: the real
client (robots.txt, one request per second), FSE+ calls only, so a handful of pages.
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


def test_open_fse_plus_calls_read_with_their_detail_pages() -> None:
    kind = get_kind("piemonte")
    params = kind.parse_params({"funds": ["FSE+"]})
    now = datetime.now(UTC)
    with HttpClient(HttpSettings(contact="fundwatch-tests@example.org")) as client:
        ctx = FetchContext(source_id="piemonte-live", now=now, client=client)
        harvest = kind.fetch(params, ctx)
    assert harvest.complete, harvest.notes
    assert harvest.calls, "no open FSE+ call at all: check the filter id (85) on the site"
    for call in harvest.calls:
        assert call.title and call.url.endswith(call.source_id)
        assert "ESF+" in call.funds, call.source_id
        assert call.deadlines or call.rolling or call.opens_at, call.source_id


def test_the_section_feed_reads_as_a_generic_feed() -> None:
    kind = get_kind("rss")
    url = "https://bandi.regione.piemonte.it/contributi-finanziamenti/rss.xml"
    params = kind.parse_params({"url": url, "issuer": "Regione Piemonte"})
    with HttpClient(HttpSettings(contact="fundwatch-tests@example.org")) as client:
        ctx = FetchContext(source_id="piemonte-rss-live", now=datetime.now(UTC), client=client)
        harvest = kind.fetch(params, ctx)
    assert harvest.complete, harvest.notes
    assert harvest.calls and all(
        c.url.startswith("https://bandi.regione.piemonte.it/") for c in harvest.calls
    )
