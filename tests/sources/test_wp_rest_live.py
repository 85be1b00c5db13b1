"""Live check of the shipped WordPress sites (not run in CI).

Run with ``uv run pytest -m network tests/sources/test_wp_rest_live.py``. One short page per
site: it tells whether the route still exists, still answers JSON and still reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from fundwatch.http import HttpClient, HttpSettings
from fundwatch.sources import FetchContext
from fundwatch.sources.wp_rest import KIND, fetch
from tests.sources.test_wp_rest import site_entries

pytestmark = pytest.mark.network


@pytest.mark.parametrize("entry", site_entries(), ids=lambda e: str(e["id"]))
def test_first_page_reads(entry: dict[str, object]) -> None:
    params = KIND.parse_params({**entry["params"], "per_page": 5, "max_pages": 1})  # type: ignore[dict-item]
    now = datetime.now(UTC)
    with HttpClient(HttpSettings(contact="fundwatch-tests@example.org")) as client:
        harvest = fetch(params, FetchContext(source_id=str(entry["id"]), now=now, client=client))
    assert harvest.calls, harvest.notes
    host = urlsplit(params.base_url).netloc
    for call in harvest.calls:
        assert call.title and urlsplit(call.url).netloc == host
        assert "published_at" in call.extra
