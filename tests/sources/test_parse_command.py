"""`fundwatch parse KIND FILE --json` as a user runs it, for every source kind: the printed
calls are the golden output of that kind's parser for the recorded payload.

Each case gives the same parameters the parser tests use, passed on the command line with
``--param KEY=JSON`` (the wp_rest ones straight from the shipped sites file). The command names
the calls after the kind, the parser tests after a source id: only ``source`` is set aside.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from fundwatch.cli import main
from fundwatch.sources import KINDS
from tests.golden import FIXTURES


@dataclass(frozen=True)
class Case:
    kind: str
    payload: str
    golden: str
    now: str
    params: dict[str, Any] = field(default_factory=dict)


def _wp_site(source_id: str) -> dict[str, Any]:
    sites = yaml.safe_load((FIXTURES / "wp_rest" / "sites.yaml").read_text(encoding="utf-8"))
    params: dict[str, Any] = next(s["params"] for s in sites["sources"] if s["id"] == source_id)
    return params


PIEMONTE = ["piemonte_tutti_rss.xml", "mayai_piemonte_listing_stato19.html"]
PIEMONTE += ["piemonte_detail_aperto_18454.html", "piemonte_detail_esito_150489.html"]
INCENTIVI = [
    "mayai_incentivi_solr_raw_doc.json",
    "mayai_incentivi_solr_docs_wrapped_first3.json",
    "agevolamatch_incentivi_solr_aliases_prefix4.json",
]
EU_FT = ["viabolat_sedia_search_apiv2.154_5results_es-en-ro.json"]
EU_FT += ["aarhusai_portal_search_page_first2.json"]
BASILICATA = "wp_rest/mayai_basilicata_wp_avvisi-e-bandi_first3"
LAZIO = "wp_rest/mayai_lazioinnova_wp_bandi_trimmed"
LOMBARDIA = "lombardia/lombardia_bukx-h2uy_row_and_detail_fixture.json"
TENDERS = "lombardia/mayai_socrata_k6cb-4hbm_tenders_rows.json"
EMILIA = "emilia_romagna/mayai_plone_search_bando_politicheterritoriali_trimmed.json"
BULK = "eu_ft/constructed_bulk_grantsTenders"

CASES = [
    *(
        Case("piemonte", f"piemonte/{n}", f"piemonte/{n}.expected.json", "2026-10-01T10:00:00Z")
        for n in PIEMONTE
    ),
    Case("socrata", LOMBARDIA, f"{LOMBARDIA}.expected.json", "2026-09-01T08:00:00Z"),
    Case(
        "socrata",
        TENDERS,
        f"{TENDERS}.expected.json",
        "2026-06-04T08:00:00Z",
        {"dataset": "k6cb-4hbm"},
    ),
    Case("plone_bando", EMILIA, f"{EMILIA}.expected.json", "2026-06-12T08:00:00Z"),
    *(
        Case("incentivi", f"incentivi/{n}", f"incentivi/{n}.expected.json", "2026-06-04T08:00:00Z")
        for n in INCENTIVI
    ),
    Case(
        "wp_rest",
        f"{LAZIO}.json",
        f"{LAZIO}.expected.json",
        "2026-06-15T09:00:00Z",
        _wp_site("lazio-innova"),
    ),
    Case(
        "wp_rest",
        f"{BASILICATA}.json",
        f"{BASILICATA}.expected.json",
        "2026-06-15T09:00:00Z",
        _wp_site("basilicata-bandi"),
    ),
    Case(
        "rss",
        "piemonte/piemonte_tutti_rss.xml",
        "rss/piemonte_tutti_rss.xml.expected.json",
        "2026-09-20T10:00:00Z",
        {
            "url": "https://bandi.regione.piemonte.it/tutti/rss.xml",
            "issuer": "Regione Piemonte",
            "territories": ["ITC1"],
            "status_words": {"open": ["Aperto"], "closed": ["Scaduto", "Esito"]},
        },
    ),
    *(
        Case("eu_ft", f"eu_ft/{n}", f"eu_ft/{n}.expected.json", "2026-08-22T12:00:00Z")
        for n in EU_FT
    ),
    Case("eu_ft_bulk", f"{BULK}.json", f"{BULK}.esf.expected.json", "2026-08-22T12:00:00Z"),
]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _without_source(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if k != "source"} for c in calls]


def test_every_kind_has_a_case() -> None:
    assert {c.kind for c in CASES} == set(KINDS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}:{Path(c.payload).name}")
def test_parse_json_prints_the_golden_calls(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["parse", case.kind, str(FIXTURES / case.payload), "--json", "--now", case.now]
    for key, value in case.params.items():
        args += ["--param", f"{key}={json.dumps(value)}"]
    code, out, err = _run(args, capsys)
    assert (code, err) == (0, "")
    printed = json.loads(out)
    expected = json.loads((FIXTURES / case.golden).read_text(encoding="utf-8"))
    assert printed, "a golden file with calls in it"
    assert {c["source"] for c in printed} == {case.kind}
    assert _without_source(printed) == _without_source(expected)


def test_a_table_without_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "piemonte" / "piemonte_detail_esito_150489.html"
    code, out, _ = _run(["parse", "piemonte", str(path), "--now", "2026-10-01T10:00:00Z"], capsys)
    assert code == 0
    assert out.splitlines()[0].split() == ["source_id", "status", "deadline", "title"]
    assert "2026-07-30T15:00:00+00:00" in out and out.rstrip().endswith("1 calls")


@pytest.mark.parametrize(
    ("kind", "body", "params"),
    [
        ("piemonte", b"<html><head><title>Errore</title></head><body>503</body></html>", []),
        ("socrata", b'[{"codice_bando": "X", "titolo', []),
        ("plone_bando", b"<!DOCTYPE html><html>Plone</html>", []),
        ("incentivi", b"\xff\xfe garbage", []),
        ("wp_rest", b"<html>Service Unavailable</html>", ["base_url=https://x.it", "route=bandi"]),
        ("rss", b"", ["url=https://x.it/feed"]),
    ],
)
def test_a_bad_payload_is_a_named_error_not_a_crash(
    kind: str, body: bytes, params: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "payload"
    path.write_bytes(body)
    args = ["parse", kind, str(path), "--json"]
    for p in params:
        args += ["--param", p]
    code, out, err = _run(args, capsys)
    assert code == 2 and out == ""
    assert err.startswith("fundwatch: error: ") and "Traceback" not in err
