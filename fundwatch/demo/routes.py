"""Which recording answers which portal request in the demo (paths under tests/fixtures/).

`DEMO_SOURCES` lists the shipped sources the demo runs; a shipped source with no recording
(Sviluppo Toscana and Calabria Europa have none yet) is named in the summary as skipped
rather than shown as a portal with no calls.
"""

from __future__ import annotations

from fundwatch.demo.server import Route

_WP_FIELDS = "id,date,date_gmt,modified,modified_gmt,type,link,title,content,excerpt,class_list"

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "api.tech.ec.europa.eu",
        "/search-api/prod/rest/search",
        "eu_ft/viabolat_sedia_search_apiv2.154_5results_es-en-ro.json",
        query={"pageNumber": "1"},
    ),
    Route(
        "GET",
        "www.lazioinnova.it",
        "/wp-json/wp/v2/bandi",
        "wp_rest/mayai_lazioinnova_wp_bandi_trimmed.json",
        query={"page": "1", "_fields": _WP_FIELDS},
    ),
    Route(
        "GET",
        "portalebandi.regione.basilicata.it",
        "/wp-json/wp/v2/avvisi-e-bandi",
        "wp_rest/mayai_basilicata_wp_avvisi-e-bandi_first3.json",
        query={"page": "1", "_fields": _WP_FIELDS},
    ),
    Route(
        "GET",
        "www.dati.lombardia.it",
        "/resource/bukx-h2uy.json",
        "lombardia/lombardia_bukx-h2uy_row_and_detail_fixture.json",
        query={"$offset": "0"},
    ),
    Route(
        "GET",
        "politicheterritoriali.regione.emilia-romagna.it",
        "/++api++/@search",
        "emilia_romagna/mayai_plone_search_bando_politicheterritoriali_trimmed.json",
        query={"portal_type": "Bando"},
    ),
    Route(
        "GET",
        "www.incentivi.gov.it",
        "/solr/coredrupal/select",
        "incentivi/mayai_incentivi_solr_docs_wrapped_first3.json",
        query={"start": "0"},
    ),
    # Piemonte: the first listing page is recorded; the other five listing pages and the
    # teasers' detail pages are not, so the demo run is honestly "partial". The two recorded
    # detail pages (piemonte_detail_*.html) belong to calls that neither this listing nor the
    # feed links to, so no request of the run can be answered with them. The section feed is
    # not recorded either: the site-wide feed (`/tutti/rss.xml`, the same Drupal RSS) stands
    # in for it; the source reads it only as a change signal for teasers, and none of its
    # items is a teaser of this listing, so it changes no call.
    Route(
        "GET",
        "bandi.regione.piemonte.it",
        "/contributi-finanziamenti/rss.xml",
        "piemonte/piemonte_tutti_rss.xml",
        content_type="application/rss+xml; charset=utf-8",
    ),
    Route(
        "GET",
        "bandi.regione.piemonte.it",
        "/contributi-finanziamenti",
        "piemonte/mayai_piemonte_listing_stato19.html",
        query={"field_stato_target_id": "19", "page": "0"},
        content_type="text/html; charset=utf-8",
    ),
)

DEMO_SOURCES: tuple[str, ...] = (
    "eu-ft-esf",
    "piemonte",
    "lombardia-bandi",
    "emilia-romagna-bandi",
    "incentivi-gov",
    "lazio-innova",
    "basilicata-bandi",
)
