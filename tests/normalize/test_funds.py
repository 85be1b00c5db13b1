"""Fund tags on the real wording of the fixtures in ../shared/fixtures: Piemonte "Risorse"
(detail pages and the listing filter), Lombardia "Fonti di finanziamento", Lazio Innova post
text, PA digitale 2026, the EU portal's facet labels and topic identifiers, a Basilicata slug."""

from __future__ import annotations

import pytest

from fundwatch.models import Programme
from fundwatch.normalize.funds import FUNDS, fund_label, funds_from_text


def codes(text: str) -> list[str]:
    return [p.code for p in funds_from_text(text)]


@pytest.mark.parametrize(
    "text",
    [
        "PR FSE+ 2021-2027",
        "Fse Plus",  # Piemonte "Risorse"
        "FSE+",
        "FSE +",
        "FSE",  # Piemonte filter: the 2014-2020 fund, folded into its successor
        "POR FSE 2014/2020",
        "Fondo Sociale Europeo Plus",
        "fondo sociale europeo +",
        "European Social Fund Plus",
        "European Social Fund   (ESF) ",  # EU facet label, URL-mangled
        "ESF+",
        "ESF-2026-SE-INCUBATION",  # EU topic identifier
        "ESF Project Grants",  # EU actionType
        "EaSI",
        "fse-plus",  # a slug
    ],
)
def test_every_spelling_of_esf_plus(text: str) -> None:
    assert codes(text) == ["ESF+"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PR FESR", ["ERDF"]),
        ("PR Lombardia FESR 2021-2027", ["ERDF"]),  # Lombardia "Fonti di finanziamento"
        ("richiesta di Contributo PR FESR Lazio", ["ERDF"]),  # Lazio Innova
        ("PROGRAMMA FESR Lazio 2021-2027", ["ERDF"]),
        ("European Research Development Fund (ERDF)", ["ERDF"]),  # sic, EU topic text
        ("Fondo europeo di sviluppo regionale", ["ERDF"]),
        ("PNRR", ["PNRR"]),
        ("Missione 5", ["PNRR"]),
        ("PNRR M1C3I1.3 - Obiettivi 2 e 3", ["PNRR"]),
        ("nell'ambito del PNRR, Missione 1 - Digitalizzazione", ["PNRR"]),
        ("NextGenerationEU", ["PNRR"]),  # Piemonte filter
        ("FSC", ["FSC"]),
        ("avviso-per-manifestazioni-di-interesse-per-comuni-fragili-fsc-21-27", ["FSC"]),
        ("Fondo per lo Sviluppo e la Coesione 2021-2027", ["FSC"]),
        ("FEASR/PSR/CSR", ["EAFRD"]),  # Piemonte filter
        ("Bandi FEASR", ["EAFRD"]),
        ("Misura 13 PSR 2014-2022 - 13.1.1 Indennità compensativa", ["EAFRD"]),
        ("CSR 2023-2027", ["EAFRD"]),
        ("FEAG", ["EAGF"]),
        ("OCM", ["EAGF"]),
        ("FEAMP", ["EMFAF"]),
        ("FEAMPA", ["EMFAF"]),
        ("FAMI", ["AMIF"]),
        ("JTF", ["JTF"]),
        ("Just Transition Fund", ["JTF"]),
        ("Fondo di coesione", ["CF"]),
        ("Technical assistance for ERDF, CF and JTF (ERDF-TA)", ["ERDF", "CF", "JTF"]),
        ("Risorse statali", ["NATIONAL"]),
        ("Risorse regionali", ["REGIONAL"]),
        # a Piemonte detail page lists several sources of money
        ("Fse Plus; Risorse statali; Risorse regionali", ["ESF+", "NATIONAL", "REGIONAL"]),
        ("PR FESR e FSE+ 2021-2027", ["ERDF", "ESF+"]),
    ],
)
def test_funds_from_text(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "Fondi europei",  # Lazio "tipologie-fondi-europei": no fund named
        "ESFRI research infrastructures",
        "Altro",
        "la fse",  # an acronym in lower case inside prose
        "Horizon Europe",
        "codice fiscale CF del richiedente",
        "Agricoltura e sviluppo delle aree rurali",  # Emilia-Romagna theme, not a fund
    ],
)
def test_no_fund(text: str) -> None:
    assert codes(text) == []


def test_programmes_with_labels() -> None:
    assert funds_from_text("PR FSE+ 2021-2027") == (
        Programme(code="ESF+", label="FSE+", kind="fund"),
    )
    assert funds_from_text("European Social Fund Plus", lang="en") == (
        Programme(code="ESF+", label="ESF+", kind="fund"),
    )


def test_vocabulary_and_labels() -> None:
    for code in (
        "ESF+",
        "ERDF",
        "FSC",
        "PNRR",
        "EAFRD",
        "EMFAF",
        "CF",
        "JTF",
        "NATIONAL",
        "REGIONAL",
    ):
        assert code in FUNDS
    assert fund_label("ESF+", "it") == "FSE+"
    assert fund_label("ESF+", "en") == "ESF+"
    assert fund_label("ERDF", "it") == "FESR"
    assert fund_label("EAFRD", "it") == "FEASR"
    assert fund_label("EMFAF", "it") == "FEAMPA"
    assert fund_label("ESF+", "it", full=True) == "Fondo sociale europeo Plus"
    assert fund_label("ERDF", "en", full=True) == "European Regional Development Fund"
    assert fund_label("XYZ") == "XYZ"
    for fund in FUNDS.values():  # every full name reads back as its own code
        assert codes(fund.it_full) == [fund.code]
        assert codes(fund.en_full) == [fund.code]
