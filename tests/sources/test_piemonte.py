"""Piemonte parsing: golden files for the four recorded payloads, and the documented quirks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fundwatch.errors import ParseError, ShapeChanged
from fundwatch.models import Status, status
from fundwatch.sources import get_kind
from fundwatch.sources.piemonte import PiemonteParams
from fundwatch.sources.piemonte_detail import detail_call
from fundwatch.sources.piemonte_pages import parse_listing, payload_kind
from tests.golden import FIXTURES, assert_golden, fixture

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
KIND = get_kind("piemonte")
PARAMS = PiemonteParams()

RECORDINGS = [
    "piemonte_tutti_rss.xml",
    "mayai_piemonte_listing_stato19.html",
    "piemonte_detail_aperto_18454.html",
    "piemonte_detail_esito_150489.html",
]


@pytest.mark.parametrize("name", RECORDINGS)
def test_golden(name: str) -> None:
    calls = KIND.parse(fixture(f"piemonte/{name}"), PARAMS, "piemonte")
    assert_golden(calls, FIXTURES / "piemonte" / f"{name}.expected.json", NOW)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("piemonte_tutti_rss.xml", "feed"),
        ("mayai_piemonte_listing_stato19.html", "listing"),
        ("piemonte_detail_aperto_18454.html", "detail"),
        ("piemonte_detail_esito_150489.html", "detail"),
    ],
)
def test_payload_kind_is_detected(name: str, kind: str) -> None:
    assert payload_kind(fixture(f"piemonte/{name}")) == kind


def test_detail_prefers_utc_time_attribute_over_local_text() -> None:
    call = KIND.parse(fixture("piemonte/piemonte_detail_esito_150489.html"), PARAMS, "p")[0]
    # <time datetime="2026-07-30T15:00:00Z">Gio, 30/07/2026 - 17:00</time>: same instant
    assert [d.at for d in call.deadlines] == [datetime(2026, 7, 30, 15, 0, tzinfo=UTC)]
    assert call.opens_at == datetime(2026, 7, 23, 7, 0, tzinfo=UTC)
    assert call.budget.total_eur == Decimal("126110000")
    assert "ESF+" in call.funds


def test_sportello_call_is_rolling_without_deadline() -> None:
    call = KIND.parse(fixture("piemonte/piemonte_detail_aperto_18454.html"), PARAMS, "p")[0]
    assert call.rolling and call.deadlines == ()
    assert status(call, NOW) is Status.OPEN
    assert call.identifiers == ("CUP:J11C24000040003", "CIG:B189B6E5D3")


def test_time_text_is_read_when_the_attribute_is_missing() -> None:
    raw = fixture("piemonte/piemonte_detail_esito_150489.html").replace(
        b' datetime="2026-07-30T15:00:00Z"', b""
    )
    call = detail_call(raw, "p", "https://bandi.regione.piemonte.it/contributi-finanziamenti/x")
    # "Gio, 30/07/2026 - 17:00" in Rome (CEST) is 15:00 UTC
    assert [d.at for d in call.deadlines] == [datetime(2026, 7, 30, 15, 0, tzinfo=UTC)]


# A pre-information page has its own node type, a lower-case status and a free-text opening.
# Built from the structure of the site's "avviso-preinformazione-ue" pages (node 2940).
PRE_INFORMATION = """<!DOCTYPE html><html><head><title>Servizio di controllo | Bandi Regione
Piemonte</title></head><body class="page-node-2509 path-node node--type-avviso-preinformazione-ue">
<main><article class="node node--type-avviso-preinformazione-ue node--view-mode-full">
<div class="node__content"><div class="field field--name-field-display-title field__item">
<h1>Servizio di controllo su progetti per il rafforzamento del Welfare territoriale</h1></div>
<div class="content-type"><dl class="field field--name-field-tipo-servizio">
<dt class="field__label visually-hidden">Tipologia di contenuto</dt>
<dd class="field__item">Pre informazione Fondi UE</dd></dl></div>
<dl class="stato-pre-informazione field field--name-field-stato-preinf field--label-inline">
<dt class="field__label">Stato</dt><dd class="field__item">pre-informazione</dd></dl>
<span class="a2a_kit"><a class="a2a_dd addtoany_share"
href="https://www.addtoany.com/share#url=https%3A%2F%2Fbandi.regione.piemonte.it%2F{path}&amp;t=x">
</a></span><div class="box-info"><div class="PrimoSottogruppoInfo">
<dl class="field field--name-field-data-apertura field--type-string field--label-above">
<dt class="field__label">Data presunta di apertura del bando</dt>
<dd class="field__item">{opening}</dd></dl>
<dl class="field field--name-field-risorse field--label-above">
<dt class="field__label">Fondo europeo di co-finanziamento</dt><dd class="field__item">Fse Plus</dd>
</dl><dl class="field field--name-field-tipologia-bando field--label-above">
<dt class="field__label">Tipologia bando</dt><dd class="field__item">Gare d'appalto</dd></dl>
</div></div><div class="gruppoDetails">
<details><summary>Tipologia di richiedenti ammissibili</summary><div class="details-wrapper">
<div class="clearfix text-formatted field field--name-field-chi-puo-partecipare field__item">
<p>Tutti gli operatori economici interessati</p></div></div></details>
<details><summary>Importo totale del sostegno o misura</summary><div class="details-wrapper">
<div class="clearfix text-formatted field field--name-field-importo field__item">
<p><span>€. 213.774,00 o.f.e.</span></p></div></div></details>
<details><summary>Area geografica interessata</summary><div class="details-wrapper">
<div class="clearfix text-formatted field field--name-field-area-geografica field__item">
<p>Piemonte</p></div></div></details></div></div></article></main></body></html>"""


def _pre_information(opening: str) -> bytes:
    path = "pre-informazione-fondi-ue%2Fservizio-controllo"
    return PRE_INFORMATION.replace("{opening}", opening).replace("{path}", path).encode()


def test_pre_information_keeps_free_text_opening() -> None:
    raw = _pre_information("metà Giugno 2026")
    [call] = KIND.parse(raw, PARAMS, "p")
    assert call.source_id == "pre-informazione-fondi-ue/servizio-controllo"
    assert call.opens_at is None
    assert call.extra["opening_text"] == "metà Giugno 2026"
    assert call.extra["pre_information"] == "true"
    assert call.stated_status == "pre-informazione"
    assert call.call_type == "procurement"
    assert call.budget.total_eur == Decimal("213774")
    assert call.funds == ("ESF+",)
    assert call.territory_raw == "Piemonte"
    assert [t.code for t in call.territories] == ["ITC1"]


def test_pre_information_with_a_real_date_opens_then() -> None:
    raw = _pre_information("15 giugno 2026")
    [call] = KIND.parse(raw, PARAMS, "p")
    assert call.opens_at == datetime(2026, 6, 14, 22, 0, tzinfo=UTC)  # Rome midnight
    assert call.extra["opening_text"] == "15 giugno 2026"


def test_feed_keeps_procurement_with_its_type() -> None:
    calls = KIND.parse(fixture("piemonte/piemonte_tutti_rss.xml"), PARAMS, "p")
    types = {c.source_id.split("/")[0]: c.call_type for c in calls}
    assert types == {
        "gare-appalto": "procurement",
        "nomine": "appointment",
        "contributi-finanziamenti": "grant",
        "avvisi-beni-regionali": "public_notice",
    }


ERROR_PAGE = b"""<!DOCTYPE html><html><head><title>Sito in manutenzione</title></head>
<body><h1>Il sito &egrave; temporaneamente in manutenzione</h1></body></html>"""


@pytest.mark.parametrize("raw", [ERROR_PAGE, b"", b"\x00\x01garbage", b'{"error": 1}'])
def test_anything_else_is_a_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError):
        KIND.parse(raw, PARAMS, "p")


def test_listing_with_unreadable_teasers_is_a_shape_change() -> None:
    raw = fixture("piemonte/mayai_piemonte_listing_stato19.html")
    # a redesign that moved the links out of the teasers
    broken = raw.replace(b'about="', b'data-about="').replace(
        b'href="/contributi-finanziamenti/', b'data-href="/contributi-finanziamenti/'
    )
    with pytest.raises(ShapeChanged):
        parse_listing(broken, "https://bandi.regione.piemonte.it/contributi-finanziamenti")


@pytest.mark.parametrize(
    "name", ["mayai_piemonte_listing_stato19.html", "piemonte_detail_esito_150489.html"]
)
def test_a_page_in_cp1252_claiming_utf8_reads_the_same(name: str) -> None:
    """Otherwise "all’intervento" would read "all\ufffdintervento": a false title change."""
    raw = fixture(f"piemonte/{name}")
    cp1252 = raw.decode("utf-8").encode("cp1252", errors="strict")
    assert KIND.parse(cp1252, PARAMS, "piemonte") == KIND.parse(raw, PARAMS, "piemonte")


def test_listing_header_announces_total_and_pages() -> None:
    listing = parse_listing(fixture("piemonte/mayai_piemonte_listing_stato19.html"))
    assert (listing.found, len(listing.teasers), listing.total, listing.pages) == (9, 9, 54, 6)


def test_params_name_the_valid_filter_values() -> None:
    with pytest.raises(ValueError, match="valid: FSE\\+"):
        PiemonteParams(funds=["ESF"])
    assert PiemonteParams(funds=["fse+"], audiences=["Enti-Pubblici"]).funds == ["FSE+"]
