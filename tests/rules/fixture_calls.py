"""The real recorded payloads of every source kind, parsed as the shipped config reads them.

Kinds whose defaults fit are parsed with their default params (``get_kind(kind).params``);
the generic ``wp_rest`` sites and the generic ``rss`` feed of Piemonte (which marks the
feed's tenders as procurement) with their params from the shipped ``config/sources.yaml``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fundwatch.config import load_config
from fundwatch.models import Call
from fundwatch.sources import get_kind
from tests.golden import fixture

ROOT = Path(__file__).resolve().parents[2]

# (kind or shipped source id, fixture path, params or None for the defaults)
FIXTURES: tuple[tuple[str, str, dict[str, Any] | None], ...] = (
    ("eu_ft", "eu_ft/viabolat_sedia_search_apiv2.154_5results_es-en-ro.json", None),
    ("eu_ft", "eu_ft/aarhusai_portal_search_page_first2.json", None),
    ("eu_ft_bulk", "eu_ft/constructed_bulk_grantsTenders.json", None),
    ("piemonte", "piemonte/mayai_piemonte_listing_stato19.html", None),
    ("piemonte", "piemonte/piemonte_detail_aperto_18454.html", None),
    ("piemonte", "piemonte/piemonte_detail_esito_150489.html", None),
    ("piemonte", "piemonte/piemonte_tutti_rss.xml", None),
    ("piemonte-tutti-feed", "piemonte/piemonte_tutti_rss.xml", None),
    ("socrata", "lombardia/lombardia_bukx-h2uy_row_and_detail_fixture.json", None),
    ("socrata", "lombardia/mayai_socrata_k6cb-4hbm_tenders_rows.json", None),
    (
        "plone_bando",
        "emilia_romagna/mayai_plone_search_bando_politicheterritoriali_trimmed.json",
        None,
    ),
    ("incentivi", "incentivi/mayai_incentivi_solr_docs_wrapped_first3.json", None),
    ("incentivi", "incentivi/agevolamatch_incentivi_solr_aliases_prefix4.json", None),
    ("lazio-innova", "wp_rest/mayai_lazioinnova_wp_bandi_trimmed.json", None),
    ("basilicata-bandi", "wp_rest/mayai_basilicata_wp_avvisi-e-bandi_first3.json", None),
)


@cache
def fixture_calls() -> tuple[Call, ...]:
    """Every call of every fixture above, in order; one call per (source, source_id)."""
    cfg = load_config(ROOT / "config")
    out: dict[tuple[str, str], Call] = {}
    for name, path, raw_params in FIXTURES:
        if name in cfg.source_params:
            kind = get_kind(cfg.source(name).kind)
            params = cfg.source_params[name]
        else:
            kind = get_kind(name)
            params = kind.params.model_validate(raw_params or {})
        for call in kind.parse(fixture(path), params, name):
            out.setdefault(call.key, call)
    return tuple(out.values())
