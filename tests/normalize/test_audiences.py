"""The audience vocabulary on the real wording of the fixtures in ../shared/fixtures:
Piemonte "Rivolto a" (detail pages and the listing filter), Lazio Innova `class_list` slugs,
Emilia-Romagna `destinatari`, incentivi.gov.it `Tipologia_Soggetto` / `Dimensioni`, PA digitale
2026 `soggetti_destinatari`, the Trentino FEASR calendar "BENEFICIARI", Lombardia "Chi può
partecipare", and EU English wording."""

from __future__ import annotations

import pytest

from fundwatch.models import Audience
from fundwatch.normalize.audiences import (
    AUDIENCE_CODES,
    audience_covers,
    audience_label,
    audiences_from_text,
    broader,
)


def pairs(text: str) -> list[tuple[str, str]]:
    return [(a.code, a.raw) for a in audiences_from_text(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the examples of the vocabulary's brief
        ("Enti locali", [("ente_locale", "Enti locali")]),
        ("Comuni", [("comune", "Comuni")]),
        ("destinatari-imprese", [("impresa", "destinatari-imprese")]),
        ("PMI", [("pmi", "PMI")]),
        ("Terzo settore", [("ente_terzo_settore", "Terzo settore")]),
        ("ETS", [("ente_terzo_settore", "ETS")]),
        ("APS", [("associazione", "APS")]),
        ("ODV", [("associazione", "ODV")]),
        ("cooperative sociali", [("cooperativa_sociale", "cooperative sociali")]),
        ("Università", [("universita_ricerca", "Università")]),
        ("Persone fisiche", [("persona_fisica", "Persone fisiche")]),
        ("Soggetti pubblici", [("ente_pubblico", "Soggetti pubblici")]),
        # Piemonte detail pages and listing filter, "Rivolto a"
        (
            "Imprese e liberi professionisti",
            [("impresa", "Imprese"), ("libero_professionista", "liberi professionisti")],
        ),
        ("Cittadini", [("persona_fisica", "Cittadini")]),
        ("Enti pubblici", [("ente_pubblico", "Enti pubblici")]),
        # Lazio Innova class_list
        ("destinatari-medie-imprese", [("media_impresa", "destinatari-medie-imprese")]),
        ("destinatari-piccole-imprese", [("piccola_impresa", "destinatari-piccole-imprese")]),
        # Emilia-Romagna destinatari (a list, joined by the parser)
        (
            "Enti del Terzo settore; Enti pubblici; Scuole; Università; Enti di formazione",
            [
                ("ente_terzo_settore", "Enti del Terzo settore"),
                ("ente_pubblico", "Enti pubblici"),
                ("scuola", "Scuole"),
                ("universita_ricerca", "Università"),
                ("organismo_formazione", "Enti di formazione"),
            ],
        ),
        ("Cooperative", [("cooperativa", "Cooperative")]),
        # incentivi.gov.it Tipologia_Soggetto and Dimensioni
        (
            "Impresa - SU/PMI innovativa",
            [
                ("impresa", "Impresa"),
                ("startup", "SU/PMI innovativa"),
                ("pmi", "SU/PMI innovativa"),
            ],
        ),
        ("Impresa da costituire - Altro", [("startup", "Impresa da costituire")]),
        (
            "Cooperative/Associazioni Non Profit",
            [
                ("cooperativa", "Cooperative"),
                ("associazione", "Associazioni"),
                ("ente_terzo_settore", "Non Profit"),
            ],
        ),
        ("Università/Ente di Ricerca", [("universita_ricerca", "Università")]),
        ("Ente Pubblico", [("ente_pubblico", "Ente Pubblico")]),
        (
            "Microimpresa; Media Impresa; Grande Impresa; Non classificabile/classificato; "
            "Piccola Impresa",
            [
                ("micro_impresa", "Microimpresa"),
                ("media_impresa", "Media Impresa"),
                ("grande_impresa", "Grande Impresa"),
                ("piccola_impresa", "Piccola Impresa"),
            ],
        ),
        # PA digitale 2026 soggetti_destinatari
        (
            "Province;Citta Metropolitane",
            [("provincia", "Province"), ("citta_metropolitana", "Citta Metropolitane")],
        ),
        ("ASL;Aziende Ospedaliere", [("azienda_sanitaria", "ASL")]),
        (
            "PA Centrali;Altri enti;Istituti di ricerca e AFAM;AOO",
            [
                ("ente_pubblico", "PA Centrali"),
                ("universita_ricerca", "Istituti di ricerca"),
                ("azienda_sanitaria", "AOO"),
            ],
        ),
        ("Enti Regionali", [("regione", "Enti Regionali")]),
        # Trentino FEASR calendar BENEFICIARI
        ("Giovani agricoltori", [("impresa_agricola", "Giovani agricoltori")]),
        (
            "Imprenditori agricoli singoli o associati",
            [("impresa_agricola", "Imprenditori agricoli")],
        ),
        (
            "Agricoltori singoli o associati, enti pubblici gestori di aziende agricole",
            [("impresa_agricola", "Agricoltori"), ("ente_pubblico", "enti pubblici")],
        ),
        (
            "Soggetti pubblici, privati, associazioni, titolari di superfici forestali, PMI",
            [
                ("ente_pubblico", "Soggetti pubblici"),
                ("associazione", "associazioni"),
                ("pmi", "PMI"),
            ],
        ),
        ("Enti di formazione accreditati", [("organismo_formazione", "Enti di formazione")]),
        # Emilia-Romagna summary text and Lazio post text
        (
            "Rivolto ai Comuni e alle Unioni di Comuni per l'attivazione dei punti di accesso",
            [("comune", "Comuni"), ("unione_comuni", "Unioni di Comuni")],
        ),
        (
            "rivolto a enti pubblici, imprese, PMI, enti di ricerca, start-up, ecc.",
            [
                ("ente_pubblico", "enti pubblici"),
                ("impresa", "imprese"),
                ("pmi", "PMI"),
                ("universita_ricerca", "enti di ricerca"),
                ("startup", "start-up"),
            ],
        ),
        # Lombardia "Chi può partecipare": the Registro delle Imprese is no audience
        (
            "possono presentare domanda di partecipazione le PMI secondo la definizione "
            "dell'allegato I del Regolamento (UE) n. 651/2014, iscritte e dichiarate attive "
            "nel Registro delle Imprese (come risultante da visura camerale)",
            [("pmi", "PMI")],
        ),
        ("Micro, piccole e medie imprese", [("pmi", "Micro, piccole e medie imprese")]),
        ("MPMI", [("pmi", "MPMI")]),
        # EU English
        (
            "SMEs, NGOs and public bodies",
            [("pmi", "SMEs"), ("ente_terzo_settore", "NGOs"), ("ente_pubblico", "public bodies")],
        ),
        ("local and regional authorities", [("ente_locale", "local and regional authorities")]),
        ("universities and research organisations", [("universita_ricerca", "universities")]),
        ("social economy enterprises", [("impresa_sociale", "social economy enterprises")]),
        # French (Aides-territoires "perimeter" / audiences)
        ("Communes littorales", [("comune", "Communes")]),
        (
            "Collectivités territoriales, entreprises et PME",
            [
                ("ente_locale", "Collectivités territoriales"),
                ("impresa", "entreprises"),
                ("pmi", "PME"),
            ],
        ),
    ],
)
def test_audiences_from_text(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "Regione Piemonte",  # the issuer, not an applicant
        "Non classificabile/classificato",
        "Altri enti",
        "la pa e le ets",  # acronyms count only in capitals
        "Gruppi Operativi",
    ],
)
def test_no_audience(text: str) -> None:
    assert pairs(text) == []


def test_places_are_not_applicants() -> None:
    assert pairs("imprese con sede nei comuni della provincia di Cuneo") == [("impresa", "imprese")]
    assert pairs("Comuni della Regione Piemonte") == [("comune", "Comuni")]


# Basilicata WordPress post 102348 (tests/fixtures/wp_rest/mayai_basilicata_wp_avvisi-e-bandi_
# first3.json): an auction of timber from three municipalities, open to buyers of any kind
BASILICATA_102348 = (
    "AVVISO DI ASTA PUBBLICA PER VENDITA DI LEGNAME DA CIPPARE DISPOSTO IN PARTE IN CATASTE E "
    "PARTE NON ACCATASTATE RIVENIENTE DAL IL PROGETTO DI FORESTAZIONE “AREE DEMANIALI DI "
    "COMPETENZA REGIONALE” COMUNI DI POLICORO, PISTICCI E NOVA SIRI (MATERA)."
)
# Piemonte feed item "Programmazione dell'offerta formativa di Istruzione e Formazione Tecnica
# Superiore 2026-2029" (tests/fixtures/piemonte/piemonte_tutti_rss.xml), its description as
# html_to_text reads it
PIEMONTE_IFTS = (
    "Contributi e finanziamenti\n\nAperto\n\nL’ Avviso è finalizzato a individuare:\n\n"
    "- l’elenco delle Associazioni Temporanee di Scopo (ATS)…"
)


def test_named_municipalities_are_places_not_applicants() -> None:
    assert pairs(BASILICATA_102348) == []
    assert pairs("Il Comune di Torino promuove un bando per le associazioni") == [
        ("associazione", "associazioni")
    ]
    assert pairs("La Provincia di Cuneo indice un avviso") == []
    assert pairs("Città metropolitana di Torino") == []


@pytest.mark.parametrize(
    "text",
    [
        "Rivolto ai Comuni di Alba, Bra e Asti",
        "Destinatari: Comuni di Alba e Bra",
        "Possono partecipare i Comuni di Policoro, Pisticci e Nova Siri",
        "Beneficiari: i Comuni di Policoro e Pisticci (MT)",
    ],
)
def test_named_municipalities_after_an_applicant_cue_are_applicants(text: str) -> None:
    assert pairs(text) == [("comune", "Comuni")]


def test_named_municipalities_in_a_list_of_applicant_kinds_are_applicants() -> None:
    assert pairs("Imprese, associazioni e Comuni di Alba e Bra") == [
        ("impresa", "Imprese"),
        ("associazione", "associazioni"),
        ("comune", "Comuni"),
    ]
    # a sentence ends the list: the Comune there is the place of the office
    assert pairs("Bando rivolto alle imprese. Comune di Torino, via Roma 1") == [
        ("impresa", "imprese")
    ]


def test_temporary_partnerships_are_no_association_and_ats_no_health_agency() -> None:
    assert pairs(PIEMONTE_IFTS) == []
    assert pairs("ATS") == []
    # "Associazione Temporanea di Imprese" (ATI) groups enterprises
    assert pairs("Associazioni Temporanee di Imprese (ATI)") == [
        ("impresa", "Associazioni Temporanee di Imprese")
    ]
    # ATS is Lombardy's health agency only where the text says so
    assert pairs("Agenzia di Tutela della Salute (ATS) della Montagna") == [
        ("azienda_sanitaria", "Agenzia di Tutela della Salute")
    ]
    assert pairs("ASL e Agenzie di Tutela della Salute") == [("azienda_sanitaria", "ASL")]


def test_result_type() -> None:
    assert audiences_from_text("Comuni") == (Audience(code="comune", raw="Comuni"),)


def test_vocabulary_is_documented_and_closed() -> None:
    for code, term in AUDIENCE_CODES.items():
        assert term.code == code
        assert term.it and term.en and term.description
        assert all(parent in AUDIENCE_CODES for parent in term.parents)
    for required in (
        "comune",
        "unione_comuni",
        "citta_metropolitana",
        "provincia",
        "regione",
        "ente_pubblico",
        "ente_terzo_settore",
        "cooperativa_sociale",
        "impresa",
        "pmi",
        "micro_impresa",
        "grande_impresa",
        "universita_ricerca",
        "scuola",
        "persona_fisica",
    ):
        assert required in AUDIENCE_CODES
    found = {a.code for text in _EVERY_CODE_TEXTS for a in audiences_from_text(text)}
    assert found == set(AUDIENCE_CODES)


_EVERY_CODE_TEXTS = (
    "enti pubblici, enti locali, comuni, unioni di comuni, città metropolitane, province",
    "regioni, ASL, scuole, università, enti di formazione, ETS, associazioni, fondazioni",
    "imprese sociali, cooperative sociali, imprese, cooperative, PMI, microimprese",
    "piccole imprese, medie imprese, grandi imprese, startup, imprese agricole",
    "liberi professionisti, persone fisiche",
)


def test_broader_and_covers() -> None:
    assert broader("micro_impresa") == ("pmi", "impresa")
    assert broader("comune") == ("ente_locale", "ente_pubblico")
    assert broader("cooperativa_sociale") == ("ente_terzo_settore", "cooperativa", "impresa")
    assert broader("impresa") == ()
    assert broader("unknown") == ()
    assert audience_covers("impresa", "micro_impresa")
    assert audience_covers("pmi", "piccola_impresa")
    assert not audience_covers("pmi", "grande_impresa")
    assert audience_covers("ente_pubblico", "comune")
    assert not audience_covers("comune", "unione_comuni")
    assert audience_covers("ente_terzo_settore", "cooperativa_sociale")
    assert not audience_covers("cooperativa_sociale", "ente_terzo_settore")
    assert audience_covers("comune", "comune")


def test_labels() -> None:
    assert audience_label("cooperativa_sociale", "it") == "Cooperativa sociale"
    assert audience_label("cooperativa_sociale", "en") == "Social cooperative"
    assert audience_label("pmi", "it-IT") == "PMI"
    assert audience_label("pmi", "fr") == "SME"
    assert audience_label("unknown_code", "it") == "unknown_code"
    assert audience_label("comune") == "Comune"
