"""Which recording answers which portal request in the demo (paths under tests/fixtures/)."""

from __future__ import annotations

from fundwatch.demo.server import Route

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "api.tech.ec.europa.eu",
        "/search-api/prod/rest/search",
        "eu_ft/viabolat_sedia_search_apiv2.154_5results_es-en-ro.json",
    ),
)
