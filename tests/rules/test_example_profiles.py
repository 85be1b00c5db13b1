"""The four shipped profiles on the real recorded payloads of every source kind.

Judged at a fixed instant (4 May 2026) against `fixture_calls()`: each profile's matches are
listed in full, key non-matches are checked with the reason a reader would see, and the whole
verdict table (matched, score, excluding criteria, flags per call) is compared with a golden
file, regenerated with FUNDWATCH_UPDATE_GOLDEN=1 and read by hand.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fundwatch.config import Profile, load_config
from fundwatch.rules import Result, Verdict, judge
from fundwatch.rules.explain import reason_text
from tests.rules.fixture_calls import ROOT, fixture_calls

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent / "golden"
PIEMONTE_KIND = "piemonte:"
PIEMONTE = PIEMONTE_KIND + "contributi-finanziamenti/"
FEED = "piemonte-tutti-feed:https://bandi.regione.piemonte.it/"
ESF_PLUS_EU = {
    "eu_ft_bulk:ESF-2027-PEP-ENGAGEMENT",
    "eu_ft_bulk:ESF-2026-AG-TCS",
    "eu_ft_bulk:ESF-2026-SE-INCUBATION",
    "eu_ft_bulk:ESF-2026-POW",
}
PIEMONTE_SOCIAL = {
    PIEMONTE + "piani-integrati-welfare-vita-lavoro",
    PIEMONTE + "finanziamenti-centri-uomini-autori-potenziali-autori-violenza-genere",
    PIEMONTE + "progetti-e-iniziative-dedicati-alle-persone-con-disturbi-del-neuro",
    PIEMONTE + "realizzazione-di-case-rifugio",
}
# Tenders of Piemonte ("gare-appalto"), typed by the piemonte kind and by the shipped feed's
# call-type rule: their type keeps them out even when they are on a profile's themes.
TENDER_TRATTA = (
    "gare-appalto/interventi-contro-tratta-rete-antitratta-piemonte-valle-daosta-bando-82026"
)
TENDER_WELFARE = (
    "gare-appalto/servizio-controllo-progetti-rafforzamento-welfare-territoriale-sostegno-"
    "persone-piu-vulnerabili"
)

EXPECTED_MATCHES = {
    "comune-torino": ESF_PLUS_EU | PIEMONTE_SOCIAL,
    "coop-sociale-torino": ESF_PLUS_EU
    | PIEMONTE_SOCIAL
    | {PIEMONTE + "autorizzazione-finanziamento-offerta-formativa-iefp-ciclo-formativo-20262030"},
    "comune-lombardia-piccolo": set(),
    "ngo-network-brussels": ESF_PLUS_EU,
}


def _profile(profile_id: str) -> Profile:
    return load_config(ROOT / "config").profile(profile_id)


def _verdicts(profile_id: str) -> dict[str, Verdict]:
    return {v.call_ref: v for v in judge(_profile(profile_id), fixture_calls(), NOW)}


def _why_not(verdict: Verdict, lang: str) -> list[str]:
    out = []
    for criterion in verdict.excluded_by:
        outcome = verdict.outcome(criterion)
        assert outcome is not None
        out.append(reason_text(outcome.reasons[0], lang))
    return out


@pytest.mark.parametrize("profile_id", sorted(EXPECTED_MATCHES))
def test_matches_are_exactly_the_expected_calls(profile_id: str) -> None:
    verdicts = _verdicts(profile_id)
    assert {ref for ref, v in verdicts.items() if v.matched} == EXPECTED_MATCHES[profile_id]


@pytest.mark.parametrize("profile_id", sorted(EXPECTED_MATCHES))
def test_whole_verdict_table_is_golden(profile_id: str) -> None:
    table = {
        ref: {
            "matched": v.matched,
            "score": v.score,
            "excluded_by": list(v.excluded_by),
            "flags": list(v.flags),
        }
        for ref, v in sorted(_verdicts(profile_id).items())
    }
    path = GOLDEN / f"profile.{profile_id}.json"
    text = json.dumps(table, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("FUNDWATCH_UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"missing golden file {path}")
        path.write_text(text, encoding="utf-8")
    assert table == json.loads(path.read_text(encoding="utf-8"))


def test_torino() -> None:
    v = _verdicts("comune-torino")
    welfare = v[PIEMONTE + "piani-integrati-welfare-vita-lavoro"]
    interest = welfare.outcome("interest")
    assert interest is not None
    assert [reason_text(r, "it") for r in interest.reasons] == [
        "tema «lavoro» nei temi",
        "parola chiave «welfare» nel titolo",
    ]
    # the listing gives no dates and no applicants: shown, flagged
    assert welfare.flags == ("status", "lead_time", "audience")
    esf = v["eu_ft_bulk:ESF-2026-SE-INCUBATION"]
    assert esf.score == 70 and esf.flags == ("audience",)
    # only companies (and professionals) may apply
    assert _why_not(
        v[PIEMONTE + "contratto-di-insediamento-attrazione-di-investimenti-piemonte-grandi"], "it"
    )[0] == ("esclusa: possono partecipare solo Impresa e Libero professionista (Comune no)")
    assert _why_not(v["socrata:RLP12026052483"], "it") == [
        "esclusa: il bando è per Regione Lombardia (ITC4), che non comprende Comune di Torino "
        "(001272)",
        "esclusa: possono partecipare solo PMI (Comune no)",
    ]
    assert (
        v[
            "piemonte:gare-appalto/adozioni-internazionali-brasile-avviso-indagine-mercato"
        ].excluded_by[0]
        == "call_type"
    )
    assert _why_not(v["eu_ft:EU4H-2024-PJ-03-5"], "it")[0] == (
        "esclusa: il bando è chiuso (ammessi: aperto, in apertura)"
    )
    assert _why_not(v["eu_ft:HORIZON-MISS-2027-02-CANCER-02"], "it")[0] == (
        "esclusa: nessun programma, fondo, tema o parola chiave del profilo"
    )


@pytest.mark.parametrize("profile_id", ["comune-torino", "coop-sociale-torino"])
def test_tenders_are_left_out_by_type_alone(profile_id: str) -> None:
    """Typed by the piemonte kind (page type) and by the shipped feed's call-type rule (its
    link), a tender on the profile's themes fails on its type and nothing else."""
    v = _verdicts(profile_id)
    for ref in (PIEMONTE_KIND + TENDER_WELFARE, FEED + TENDER_WELFARE, FEED + TENDER_TRATTA):
        assert v[ref].excluded_by[0] == "call_type", ref
        assert _why_not(v[ref], "en")[0] == (
            "excluded: a call of type 'procurement', which the profile leaves out"
        )
    # what the type alone keeps out: on the profile's interests, and for the coop (an
    # impresa) open to it as well
    welfare = v[FEED + TENDER_WELFARE]
    interest = welfare.outcome("interest")
    assert interest is not None and interest.result is Result.PASS
    expected = {"comune-torino": ("call_type", "audience"), "coop-sociale-torino": ("call_type",)}
    assert welfare.excluded_by == expected[profile_id]


def test_social_cooperative() -> None:
    v = _verdicts("coop-sociale-torino")
    iefp = v[
        PIEMONTE + "autorizzazione-finanziamento-offerta-formativa-iefp-ciclo-formativo-20262030"
    ]
    # a cooperativa sociale is an impresa: the IeFP call open to companies admits it (Torino's
    # municipality is refused the same call)
    audience = iefp.outcome("audience")
    assert audience is not None
    assert reason_text(audience.reasons[0], "it") == (
        "aperto a Impresa, che comprende Cooperativa sociale"
    )
    assert iefp.flags == ("grant_size", "cofinancing")
    assert not _verdicts("comune-torino")[iefp.call_ref].matched
    grandi = v[PIEMONTE + "contratto-di-insediamento-attrazione-di-investimenti-piemonte-grandi"]
    assert "keywords_none" in grandi.excluded_by
    assert _why_not(v["eu_ft:HORIZON-MISS-2027-02-CANCER-02"], "it")[0] == (
        "esclusa: contributi da € 7.000.000, sopra il massimo di € 500.000"
    )
    assert _why_not(v["incentivi:3265"], "it")[0] == (
        "esclusa: possono partecipare solo Microimpresa (Cooperativa sociale no)"
    )


def test_small_lombard_municipality() -> None:
    v = _verdicts("comune-lombardia-piccolo")
    # the one Lombardy funding call is for SMEs only
    assert _why_not(v["socrata:RLP12026052483"], "it") == [
        "esclusa: possono partecipare solo PMI (Comune no)"
    ]
    # Lombardy tenders in other municipalities: wrong type and wrong place
    assert v["socrata:BBBF0E778B"].excluded_by[:2] == ("call_type", "territory")
    # a Piemonte call never reaches Bellano
    piemonte = v[PIEMONTE + "piani-integrati-welfare-vita-lavoro"]
    assert _why_not(piemonte, "it")[0] == (
        "esclusa: il bando è per Regione Piemonte (ITC1), che non comprende Comune di Bellano "
        "(097008)"
    )
    # a national call (Italy covers Bellano) open to companies only
    assert _why_not(v["incentivi:1426"], "it") == [
        "esclusa: possono partecipare solo Grande impresa, Media impresa e Piccola impresa "
        "(Comune no)"
    ]


def test_ngo_network_in_brussels() -> None:
    v = _verdicts("ngo-network-brussels")
    poverty = v["eu_ft_bulk:ESF-2027-PEP-ENGAGEMENT"]
    interest = poverty.outcome("interest")
    assert interest is not None
    assert [reason_text(r, "en") for r in interest.reasons] == [
        "programme 'EaSI': Employment and Social Innovation (EaSI)",
        "fund ESF+",
        "keyword 'poverty' in the title",
    ]
    assert poverty.score == 90
    territory = poverty.outcome("territory")
    assert territory is not None
    assert reason_text(territory.reasons[0], "en") == (
        "the call covers the European Union, which contains BE10 (Belgium)"
    )
    assert _why_not(v["eu_ft:HORIZON-MISS-2027-02-CANCER-02"], "en") == [
        "excluded: mentions 'clinical' in the title"
    ]
    assert _why_not(v["lazio-innova:59390"], "en")[0] == (
        "excluded: the call is for Regione Lazio (ITI4), which does not contain BE10 (Belgium)"
    )
    italian = [ref for ref, verdict in v.items() if verdict.matched and not ref.startswith("eu_")]
    assert italian == []
