"""wp_rest: parsing recorded WordPress REST pages under the shipped site configurations."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from fundwatch.config import load_config
from fundwatch.errors import ConfigError, ParseError, ShapeChanged
from fundwatch.models import Status, status
from fundwatch.sources import get_kind
from fundwatch.sources.wp_rest import KIND, WpRestParams, parse
from tests.golden import FIXTURES, assert_golden

HERE = FIXTURES / "wp_rest"
SITES_FILE = HERE / "sites.yaml"
LAZIO = HERE / "mayai_lazioinnova_wp_bandi_trimmed.json"
BASILICATA = HERE / "mayai_basilicata_wp_avvisi-e-bandi_first3.json"

# Lazio Innova was captured on 2026-06-06, Basilicata on 2026-06-12: a fixed `now` just after.
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def site_entries() -> list[dict[str, Any]]:
    data = yaml.safe_load(SITES_FILE.read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["sources"]
    return entries


def site(source_id: str) -> WpRestParams:
    for entry in site_entries():
        if entry["id"] == source_id:
            return KIND.parse_params(entry["params"])
    raise KeyError(source_id)


def posts_of(path: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(path.read_bytes())
    return data


def dump(items: Any) -> bytes:
    return json.dumps(items, ensure_ascii=False).encode("utf-8")


def params(**overrides: Any) -> WpRestParams:
    base: dict[str, Any] = {"base_url": "https://www.example.org", "route": "bandi"}
    return KIND.parse_params({**base, **overrides})


# -- the shipped configurations ----------------------------------------------------------------


def test_sites_file_loads_through_the_config_loader(tmp_path: Path) -> None:
    shutil.copy(SITES_FILE, tmp_path / "sources.yaml")
    config = load_config(tmp_path)
    assert [s.id for s in config.sources] == [
        "lazio-innova",
        "sviluppo-toscana",
        "basilicata-bandi",
        "calabria-europa",
    ]
    assert {s.kind for s in config.sources} == {"wp_rest"}
    endpoints = {sid: p.endpoint for sid, p in config.source_params.items()}  # type: ignore[attr-defined]
    assert endpoints == {
        "lazio-innova": "https://www.lazioinnova.it/wp-json/wp/v2/bandi",
        "sviluppo-toscana": "https://www.sviluppo.toscana.it/wp-json/wp/v2/bando",
        "basilicata-bandi": "https://portalebandi.regione.basilicata.it/wp-json/wp/v2/avvisi-e-bandi",
        "calabria-europa": "https://calabriaeuropa.regione.calabria.it/wp-json/wp/v2/bando",
    }


def test_shipped_config_carries_these_sites_unchanged() -> None:
    """config/sources.yaml ships the same wp_rest entries the goldens are made with."""
    shipped = Path(__file__).parents[2] / "config" / "sources.yaml"
    entries = yaml.safe_load(shipped.read_text(encoding="utf-8"))["sources"]
    assert [e for e in entries if e["kind"] == "wp_rest"] == site_entries()


def test_registry_serves_the_kind() -> None:
    assert get_kind("wp_rest") is KIND


def test_lazio_golden() -> None:
    calls = parse(LAZIO.read_bytes(), site("lazio-innova"), "lazio-innova")
    assert_golden(calls, LAZIO.with_suffix(".expected.json"), NOW)


def test_basilicata_golden() -> None:
    calls = parse(BASILICATA.read_bytes(), site("basilicata-bandi"), "basilicata-bandi")
    assert_golden(calls, BASILICATA.with_suffix(".expected.json"), NOW)


def test_lazio_reads_the_excerpt_window_not_the_partner_call_deadline() -> None:
    # The body first names the international call's deadline (14 June, 17:00 CET); the
    # excerpt gives this call's own window, 12 May 12:00 to 24 June 17:00, Rome time.
    (call,) = parse(LAZIO.read_bytes(), site("lazio-innova"), "lazio-innova")
    assert call.opens_at == datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
    assert [d.at for d in call.deadlines] == [datetime(2026, 6, 24, 15, 0, tzinfo=UTC)]
    assert status(call, NOW) is Status.OPEN
    assert call.extra["published_at"] == "2026-04-30T08:55:47+00:00"  # `date` is Rome time


def test_basilicata_marks_procurement_and_auction() -> None:
    calls = parse(BASILICATA.read_bytes(), site("basilicata-bandi"), "basilicata-bandi")
    assert [(c.source_id, c.call_type) for c in calls] == [
        ("102357", "procurement"),  # "Servizio di vigilanza ambientale marina …"
        ("102348", "other"),  # "Avviso di asta pubblica per vendita di legname …"
        ("102319", "grant"),  # "Contributi a fondo perduto … impianti da fonti rinnovabili"
    ]


def test_drop_call_types_leaves_them_out() -> None:
    shipped = site("basilicata-bandi").model_dump()
    dropping = KIND.parse_params({**shipped, "drop_call_types": ["procurement", "other"]})
    calls = parse(BASILICATA.read_bytes(), dropping, "basilicata-bandi")
    assert [c.source_id for c in calls] == ["102319"]


def test_toscana_shape_with_empty_content_parses() -> None:
    # Sviluppo Toscana's `bando` route gives id, link and title with empty content (no
    # recording at hand). Derived from the Basilicata posts: only those keys kept, the link
    # moved to the Toscana host.
    derived = [
        {
            "id": p["id"],
            "link": p["link"].replace(
                "portalebandi.regione.basilicata.it/avvisi-e-bandi", "www.sviluppo.toscana.it/bando"
            ),
            "title": p["title"],
            "content": {"rendered": "", "protected": False},
        }
        for p in posts_of(BASILICATA)
    ]
    calls = parse(dump(derived), site("sviluppo-toscana"), "sviluppo-toscana")
    assert [c.source_id for c in calls] == ["102357", "102348", "102319"]
    assert calls[1].title.startswith("AVVISO DI ASTA PUBBLICA PER VENDITA DI LEGNAME DA CIPPARE –")
    assert {(c.summary, c.deadlines, c.issuer) for c in calls} == {("", (), "Sviluppo Toscana")}
    assert {c.territories[0].code for c in calls} == {"ITI1"}


def test_calabria_accepts_its_post_type_only() -> None:
    # Calabria Europa: route `bando`, posts of type `cem_procedure`. Derived from the
    # Basilicata posts with the type changed; one keeps another type and is left out.
    derived = posts_of(BASILICATA)
    for p in derived[:2]:
        p["type"] = "cem_procedure"
    calls = parse(dump(derived), site("calabria-europa"), "calabria-europa")
    assert [c.source_id for c in calls] == ["102357", "102348"]
    assert calls[0].extra["wp_type"] == "cem_procedure"


def test_calabria_all_posts_of_another_type_is_a_shape_change() -> None:
    with pytest.raises(ShapeChanged, match="accepted type"):
        parse(BASILICATA.read_bytes(), site("calabria-europa"), "calabria-europa")


# -- payload quirks ------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [b" ", b"\n\n", b"\xef\xbb\xbf", b" \xef\xbb\xbf\r\n"])
def test_leading_whitespace_and_bom(prefix: bytes) -> None:
    plain = parse(LAZIO.read_bytes(), site("lazio-innova"), "lazio-innova")
    assert parse(prefix + LAZIO.read_bytes(), site("lazio-innova"), "lazio-innova") == plain


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Manutenzione</body></html>", "HTML page"),
        (b"  <html><head><title>403</title></head></html>", "HTML page"),
        (b"", "empty answer"),
        (b'[{"id": 1, "title": ', "malformed JSON"),
        (
            b'{"code":"rest_no_route","message":"Nessun percorso","data":{"status":404}}',
            "rest_no_route",
        ),
        (b'{"posts": []}', "JSON object"),
        (b'"ok"', "got str"),
        (b"\xff\xfe[]", "not UTF-8"),
    ],
)
def test_bad_payloads_are_parse_errors_naming_the_url(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse(body, params(), "x")
    assert "https://www.example.org/wp-json/wp/v2/bandi" in str(caught.value)


def test_mostly_unreadable_posts_are_a_shape_change() -> None:
    derived = [{"id": 1, "slug": "x"}, {"title": {"rendered": "T"}}, "junk", posts_of(LAZIO)[0]]
    with pytest.raises(ShapeChanged, match="only 1 of 4"):
        parse(dump(derived), params(), "x")


def test_empty_list_is_no_calls() -> None:
    assert parse(b"[]", params(), "x") == []


def test_dates_gmt_wins_and_local_date_is_site_time() -> None:
    post: dict[str, Any] = {
        "id": 7,
        "link": "https://www.example.org/bandi/x/",
        "title": {"rendered": "Bando &#8220;Impresa&#8221; &amp; territorio"},
        "date": "2026-01-10T10:00:00",
        "date_gmt": "2026-01-10T09:00:00",
        "modified": "2026-07-01T12:30:00",
    }
    (call,) = parse(dump([post]), params(), "x")
    assert call.title == "Bando “Impresa” & territorio"
    assert call.extra["published_at"] == "2026-01-10T09:00:00+00:00"
    assert call.extra["modified_at"] == "2026-07-01T10:30:00+00:00"  # CEST, no modified_gmt


def test_missing_optional_keys_and_odd_values() -> None:
    post: dict[str, Any] = {
        "id": "42",
        "guid": {"rendered": "https://www.example.org/?post_type=bandi&p=42"},
        "title": "Avviso\u00a0pubblico  per\r\nle imprese",
        "excerpt": None,
        "content": {"rendered": "<p>segreto</p>", "protected": True},
        "class_list": "post-42 bandi destinatari-imprese",
        "acf": [],
    }
    p = params(class_list=[{"prefix": "destinatari-", "to": "audiences"}], detect_in_text=False)
    (call,) = parse(dump([post]), p, "x")
    assert call.url == "https://www.example.org/?post_type=bandi&p=42"
    assert call.title == "Avviso pubblico per le imprese"
    assert call.summary == ""  # protected content is not read
    assert [a.code for a in call.audiences] == ["impresa"]
    assert call.audience_raw == "imprese"


def test_php_object_class_list_relative_link_and_excerpt_tail() -> None:
    # PHP encodes a list whose keys have gaps as an object; some sites give root-relative
    # links; automatic excerpts end in "[&hellip;]".
    post: dict[str, Any] = {
        "id": 9,
        "link": "/bandi/voucher-export/",
        "title": {"rendered": "Voucher export"},
        "excerpt": {"rendered": "<p>Contributi per le imprese esportatrici [&hellip;]</p>\n"},
        "class_list": {"0": "post-9", "3": "destinatari-micro-imprese", "5": "hentry"},
    }
    p = params(class_list=[{"prefix": "destinatari-", "to": "audiences"}])
    (call,) = parse(dump([post]), p, "x")
    assert call.url == "https://www.example.org/bandi/voucher-export/"
    assert call.summary == "Contributi per le imprese esportatrici"
    assert [(a.code, a.raw) for a in call.audiences] == [("micro_impresa", "micro imprese")]


def test_structured_deadline_field_beats_text_cues() -> None:
    post = {
        "id": 1,
        "link": "https://www.example.org/bandi/x/",
        "title": {"rendered": "Bando X"},
        "excerpt": {"rendered": "<p>Scadenza: 30/09/2026</p>"},
        "acf": {"data_scadenza": "20260630", "dotazione": "€ 1.500.000,00"},
    }
    p = params(fields={"deadline": "acf.data_scadenza", "budget": "acf.dotazione"})
    (call,) = parse(dump([post]), p, "x")
    assert [d.at for d in call.deadlines] == [datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC)]
    assert str(call.budget.total_eur) == "1500000"
    assert "deadline_evidence" not in call.extra


def test_rolling_status_words_and_documents() -> None:
    post = {
        "id": 5,
        "link": "https://www.example.org/bandi/voucher/",
        "title": {"rendered": "[CHIUSO] Voucher digitali"},
        "content": {
            "rendered": "<p>Procedura a sportello, fino ad esaurimento delle risorse.</p>"
            '<p><a href="/app/uploads/2026/01/Avviso.pdf">Testo dell&#8217;avviso</a> '
            '<a href="https://www.example.org/faq/">FAQ</a> '
            '<a href="/app/uploads/2026/01/Allegato_A.docx?ver=2"></a></p>'
        },
    }
    (call,) = parse(dump([post]), params(), "x")
    assert call.rolling is True
    assert call.stated_status == "closed"
    assert [(d.title, d.url, d.kind) for d in call.documents] == [
        ("Testo dell’avviso", "https://www.example.org/app/uploads/2026/01/Avviso.pdf", "pdf"),
        (
            "Allegato_A.docx",
            "https://www.example.org/app/uploads/2026/01/Allegato_A.docx?ver=2",
            "docx",
        ),
    ]


def test_class_list_rules_map_and_only_mapped() -> None:
    post = posts_of(LAZIO)[0]
    post["class_list"] += ["stato-chiuso", "fondo-fse-plus"]
    p = params(
        detect_in_text=False,
        class_list=[
            {
                "prefix": "destinatari-",
                "to": "audiences",
                "map": {"medie-imprese": "media_impresa"},
            },
            {
                "prefix": "tipologie-",
                "to": "call_type",
                "only_mapped": True,
                "map": {"agevolazioni-a-fondo-perduto": "grant"},
            },
            {"prefix": "stato-", "to": "status"},
            {"prefix": "fondo-", "to": "funds", "map": {"fse-plus": "ESF+"}},
        ],
    )
    (call,) = parse(dump([post]), p, "x")
    assert (call.audiences[0].code, call.audiences[0].raw) == ("media_impresa", "medie imprese")
    assert call.audience_raw == "medie imprese; piccole imprese"
    assert call.call_type == "grant"
    assert call.stated_status == "closed"
    assert call.funds == ("ESF+",)


@pytest.mark.parametrize(
    "bad",
    [
        {"base_url": "lazioinnova.it", "route": "bandi"},
        {"base_url": "https://www.lazioinnova.it", "route": "bandi?x=1"},
        {"base_url": "https://www.lazioinnova.it", "route": "bandi", "per_page": 500},
        {"base_url": "https://www.lazioinnova.it", "route": "bandi", "timezone": "Europe/Roma"},
        {"base_url": "https://www.lazioinnova.it", "route": "bandi", "audiences": ["imprese"]},
        {"base_url": "https://www.lazioinnova.it", "route": "bandi", "territories": ["LAZIO"]},
        {"base_url": "https://www.lazioinnova.it", "route": "bandi", "typo": 1},
        {
            "base_url": "https://www.lazioinnova.it",
            "route": "bandi",
            "call_types": [{"call_type": "other", "patterns": ["(unclosed"]}],
        },
    ],
)
def test_bad_params_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        KIND.parse_params(bad)


def test_bad_params_in_a_config_file_name_the_path(tmp_path: Path) -> None:
    entries = site_entries()
    entries[2]["params"]["per_page"] = 0
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources\[2\]\.params\.per_page"):
        load_config(tmp_path)
