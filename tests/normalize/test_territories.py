"""Italian territories: shipped data, the hierarchy, code schemes, names and free text.

Free-text cases are the real wording of the fixtures in ../shared/fixtures: incentivi.gov.it
`zm_field_regions_value` / `Regioni` / `Soggetto_Concedente`, the Trentino FEASR calendar's
"AREA GEOGRAFICA", Basilicata and Lombardia texts, the invitalia listing.
"""

from __future__ import annotations

import pytest

from fundwatch.data.italy import italy
from fundwatch.normalize.territories import (
    ancestors,
    children,
    contains,
    fold_name,
    fold_with_offsets,
    lookup,
    municipality_by_name,
    place_name_at,
    province_by_name,
    region_by_name,
    territories_from_text,
)

# ------------------------------------------------------------------------------------ data

REGIONS_2021 = {
    "ITC1": "Piemonte",
    "ITC2": "Valle d'Aosta/Vallée d'Aoste",
    "ITC3": "Liguria",
    "ITC4": "Lombardia",
    "ITH3": "Veneto",
    "ITH4": "Friuli-Venezia Giulia",
    "ITH5": "Emilia-Romagna",
    "ITI1": "Toscana",
    "ITI2": "Umbria",
    "ITI3": "Marche",
    "ITI4": "Lazio",
    "ITF1": "Abruzzo",
    "ITF2": "Molise",
    "ITF3": "Campania",
    "ITF4": "Puglia",
    "ITF5": "Basilicata",
    "ITF6": "Calabria",
    "ITG1": "Sicilia",
    "ITG2": "Sardegna",
    "04": "Trentino-Alto Adige/Südtirol",
}


def test_every_region_with_its_nuts_2021_code() -> None:
    regions = {u.code: u.name for u in italy().units.values() if u.level == "region"}
    assert regions == REGIONS_2021


def test_counts_of_the_shipped_list() -> None:
    levels = [u.level for u in italy().units.values()]
    assert levels.count("province") == 107
    assert levels.count("municipality") == 7896
    assert sum(len(children(p.code)) for p in italy().units.values() if p.level == "province") == (
        7896
    )


def test_every_municipality_reaches_the_eu_through_a_region() -> None:
    for unit in italy().units.values():
        if unit.level == "municipality":
            chain = ancestors(unit.code)
            assert [lookup(c).level for c in chain] == [  # type: ignore[union-attr]
                "province",
                "region",
                "area",
                "country",
                "eu",
            ], unit


def test_sardinia_ships_the_five_province_level_units() -> None:
    names = sorted(u.name for u in children("ITG2"))
    assert names == ["Cagliari", "Nuoro", "Oristano", "Sassari", "Sud Sardegna"]
    assert lookup("ITG2H") == province_by_name("Sud Sardegna")


# ------------------------------------------------------------------------------ code lookup


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("ITC1", "ITC1"),
        ("01", "ITC1"),
        ("1", "ITC1"),
        ("IT-21", "ITC1"),
        ("itc4", "ITC4"),
        ("ITC11", "ITC11"),
        ("201", "ITC11"),  # Città metropolitana di Torino, ISTAT code of the unit
        ("001", "ITC11"),  # historic province code
        ("IT-TO", "ITC11"),
        ("001272", "001272"),  # Torino
        ("1272", "001272"),
        ("L219", "001272"),  # cadastral code
        ("015146", "015146"),  # Milano
        ("ITH1", "ITH10"),  # NUTS2 Bolzano = the autonomous province
        ("ITH2", "ITH20"),
        ("04", "04"),  # Trentino-Alto Adige has no NUTS2 code of its own
        ("IT", "IT"),
        ("EU", "EU"),
        ("ITC", "ITC"),
    ],
)
def test_lookup_accepts_every_scheme(code: str, canonical: str) -> None:
    unit = lookup(code)
    assert unit is not None
    assert unit.code == canonical


@pytest.mark.parametrize("code", ["", "ZZ", "ITZ9", "999999", "BE10", "IT-XX"])
def test_lookup_unknown(code: str) -> None:
    assert lookup(code) is None


def test_unit_details() -> None:
    torino = lookup("001272")
    assert torino is not None
    assert (torino.name, torino.parent, torino.capital, torino.scheme) == (
        "Torino",
        "ITC11",
        True,
        "istat",
    )
    assert torino.label == "Comune di Torino"
    metro = lookup("ITC11")
    assert metro is not None
    assert (metro.kind, metro.abbrev, metro.istat, metro.label) == (
        "citta_metropolitana",
        "TO",
        "201",
        "Città metropolitana di Torino",
    )
    piemonte = lookup("ITC1")
    assert piemonte is not None
    assert piemonte.as_territory().model_dump() == {
        "code": "ITC1",
        "scheme": "nuts",
        "label": "Regione Piemonte",
    }
    bolzano = lookup("021008")
    assert bolzano is not None
    assert bolzano.names == ("Bolzano", "Bozen")


# -------------------------------------------------------------------------------- hierarchy


def test_ancestors() -> None:
    assert ancestors("001272") == ["ITC11", "ITC1", "ITC", "IT", "EU"]
    assert ancestors("L219") == ["ITC11", "ITC1", "ITC", "IT", "EU"]
    assert ancestors("021008") == ["ITH10", "04", "ITH", "IT", "EU"]  # Bolzano
    assert ancestors("ITC1") == ["ITC", "IT", "EU"]
    assert ancestors("IT") == ["EU"]
    assert ancestors("EU") == []
    assert ancestors("BE10") == ["BE1", "BE", "EU"]
    assert ancestors("nonsense") == []


@pytest.mark.parametrize(
    ("outer", "inner"),
    [
        ("ITC1", "001272"),  # Piemonte covers Torino
        ("01", "1272"),  # the same in ISTAT codes
        ("ITC11", "001272"),
        ("201", "L219"),
        ("IT", "001272"),
        ("EU", "001272"),
        ("EU", "ITC4"),
        ("ITC", "ITC4"),  # Nord-Ovest covers Lombardia
        ("ITC4", "015146"),  # Lombardia covers Milano
        ("04", "ITH1"),  # Trentino-Alto Adige covers the province of Bolzano
        ("04", "022205"),  # … and Trento
        ("ITH2", "022205"),
        ("ITH5", "099030"),  # Montecopiolo: Emilia-Romagna since 2021
        ("ITC1", "ITC1"),
        ("EU", "EU"),
        ("EU", "BE10"),
        ("BE", "BE10"),
    ],
)
def test_contains(outer: str, inner: str) -> None:
    assert contains(outer, inner)


@pytest.mark.parametrize(
    ("outer", "inner"),
    [
        ("ITC4", "001272"),  # a Lombardia call does not cover Torino
        ("001272", "ITC1"),  # nor the other way round
        ("ITC11", "ITC1"),
        ("ITI3", "099030"),  # Montecopiolo left Marche
        ("ITH", "ITC1"),
        ("IT", "EU"),
        ("IT", "BE10"),
        ("ITC1", "nonsense"),
        ("nonsense", "nonsense"),
        ("", ""),
    ],
)
def test_does_not_contain(outer: str, inner: str) -> None:
    assert not contains(outer, inner)


def test_children() -> None:
    assert [u.code for u in children("ITC")] == ["ITC1", "ITC2", "ITC4", "ITC3"]
    assert {u.name for u in children("ITC1")} >= {"Torino", "Cuneo", "Verbano-Cusio-Ossola"}
    assert children("001272") == ()
    assert children("nonsense") == ()


# ------------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Piemonte", "ITC1"),
        ("Regione Piemonte", "ITC1"),
        ("REGIONE LOMBARDIA", "ITC4"),
        ("Emilia Romagna", "ITH5"),
        ("Emilia-Romagna", "ITH5"),
        ("Valle d'Aosta/Vallée d'Aoste", "ITC2"),  # incentivi.gov.it
        ("Vallée d'Aoste", "ITC2"),
        ("Trentino-Alto Adige/Südtirol", "04"),
        ("Friuli Venezia Giulia", "ITH4"),
        ("Lombardy", "ITC4"),
        ("Sardinia", "ITG2"),
    ],
)
def test_region_by_name(name: str, code: str) -> None:
    unit = region_by_name(name)
    assert unit is not None
    assert unit.code == code


def test_region_by_name_unknown() -> None:
    assert region_by_name("Baviera") is None
    assert region_by_name("Torino") is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Torino", "ITC11"),
        ("Città metropolitana di Torino", "ITC11"),
        ("TO", "ITC11"),
        ("Reggio Emilia", "ITH53"),
        ("Reggio nell'Emilia", "ITH53"),
        ("Reggio Calabria", "ITF65"),
        ("Forli-Cesena", "ITH58"),
        ("Provincia autonoma di Bolzano", "ITH10"),
        ("Bozen", "ITH10"),
        ("Monza e della Brianza", "ITC4D"),
        ("Sud Sardegna", "ITG2H"),
    ],
)
def test_province_by_name(name: str, code: str) -> None:
    unit = province_by_name(name)
    assert unit is not None
    assert unit.code == code


def test_municipality_by_name() -> None:
    assert municipality_by_name("Torino") == lookup("001272")
    assert municipality_by_name("Comune di Torino") == lookup("001272")
    assert municipality_by_name("Bozen") == lookup("021008")
    assert municipality_by_name("Forlì") == municipality_by_name("Forli")
    # Samone exists in Torino and in Trento: the province decides, else no answer
    assert municipality_by_name("Samone") is None
    samone_tn = municipality_by_name("Samone", "TN")
    samone_to = municipality_by_name("Samone", "ITC11")
    assert samone_tn is not None and samone_to is not None
    assert (samone_tn.parent, samone_to.parent) == ("ITH20", "ITC11")
    assert municipality_by_name("Atlantide") is None


# -------------------------------------------------------------------------------- free text


def codes(text: str) -> list[str]:
    return [t.code for t in territories_from_text(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Regione Piemonte", ["ITC1"]),
        ("Lombardia", ["ITC4"]),
        ("Tutte le regioni", ["IT"]),
        ("Nazionale", ["IT"]),
        ("Italia", ["IT"]),
        ("intero territorio nazionale", ["IT"]),
        ("imprese operanti sul territorio nazionale", ["IT"]),
        ("Italia", ["IT"]),
        ("IT", ["IT"]),
        ("Unione europea", ["EU"]),
        ("EU", ["EU"]),
        ("Italia; Unione europea", ["IT", "EU"]),
        ("open to entities established in all EU Member States", ["EU"]),
        ("Mezzogiorno", ["ITF", "ITG"]),
        # incentivi.gov.it zm_field_regions_value, joined
        ("Campania; Puglia", ["ITF3", "ITF4"]),
        (
            "Molise; Basilicata; Calabria; Campania; Puglia; Sicilia; Sardegna",
            ["ITF2", "ITF5", "ITF6", "ITF3", "ITF4", "ITG1", "ITG2"],
        ),
        ("Valle d'Aosta/Vallée d'Aoste", ["ITC2"]),
        # incentivi.gov.it "Regioni" with "Estero" (abroad), which is no territory of ours
        (
            "Friuli-Venezia Giulia; Trentino-Alto Adige/Südtirol; Veneto; Estero",
            ["ITH4", "04", "ITH3"],
        ),
        # incentivi.gov.it "Soggetto_Concedente"
        ("Provincia autonoma di Bolzano - Ripartizione Europa", ["ITH10"]),
        # Trentino FEASR calendar "AREA GEOGRAFICA"
        ("Provincia autonoma di Trento", ["ITH20"]),
        ("Südtirol", ["ITH10"]),
        ("Trentino", ["ITH20"]),
        # Basilicata WordPress titles
        (
            "Servizio di vigilanza ambientale marina per le spiagge libere della Basilicata",
            ["ITF5"],
        ),
        ("unità abitative ricadenti nel territorio lucano", ["ITF5"]),
        # invitalia listing: "Marche" capitalised is the region
        ("investimenti nei consorzi industriali di Lazio e Marche", ["ITI4", "ITI3"]),
        ("Regione Marche", ["ITI3"]),
        # Lombardia eligibility text and fund label
        ("che abbiano una Sede operativa in Lombardia", ["ITC4"]),
        ("PR Lombardia FESR 2021-2027", ["ITC4"]),
        ("Contributo PR FESR Lazio", ["ITI4"]),
        # municipalities and provinces after a cue
        ("Comune di Torino", ["001272"]),
        ("Comuni di Alba, Bra e Asti", ["004003", "004029", "005005"]),
        ("Città metropolitana di Torino", ["ITC11"]),
        ("Provincia di Cuneo", ["ITC16"]),
        ("Provincia del Sud Sardegna", ["ITG2H"]),
        ("Comune di Samone (TO)", ["001235"]),
        ("Provincia di Trento, Comune di Samone", ["ITH20", "022165"]),
        ("Comune di Bolzano/Bozen", ["021008"]),
        ("Comune di Reggio Emilia", ["035033"]),  # ISTAT: Reggio nell'Emilia
        ("Comune di Reggio nell'Emilia", ["035033"]),
        ("Città di Reggio Calabria", ["080063"]),  # ISTAT: Reggio di Calabria
    ],
)
def test_territories_from_text(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Estero",
        "Aree interne",  # incentivi "Ambito_territoriale": not a place we can name
        "territorio regionale",
        "le marche dei prodotti tipici",  # "marche" = brands
        "Rivolto ai Comuni e alle Unioni di Comuni",  # audience, not places
        "Comune di residenza del richiedente",
        "Torino",  # bare: the city or the province?
        "Comune di Samone",  # two municipalities of that name and no province given
        # country and EU words inside prose are not a scope (EU topic text, es/ro copies)
        "national and regional healthcare providers",
        "furnizorii nationali si regionali de asistenta medicala",
        "nel rispetto della normativa nazionale e dell'Unione europea",
        "Regolamento (UE) n. 651/2014",
    ],
)
def test_no_territory(text: str) -> None:
    assert codes(text) == []


def test_all_twenty_regions_listed_are_the_country() -> None:
    # incentivi.gov.it lists every region one by one for national measures
    every = "; ".join(sorted(u.name for u in italy().units.values() if u.level == "region"))
    assert codes(every) == ["IT"]
    assert codes(every + "; Provincia di Cuneo") == ["IT", "ITC16"]


def test_labels_of_found_territories() -> None:
    found = territories_from_text("Comune di Torino e Regione Lombardia")
    assert [(t.code, t.scheme, t.label) for t in found] == [
        ("001272", "istat", "Comune di Torino"),
        ("ITC4", "nuts", "Regione Lombardia"),
    ]


def test_folding() -> None:
    assert fold_name("Forlì-Cesena") == "forli cesena"
    assert fold_name("  Valle d'Aosta ") == "valle d aosta"
    assert fold_name("Südtirol") == "sudtirol"
    folded, offsets = fold_with_offsets("PR FSE+ — Città", keep="+")
    assert folded == "pr fse+ citta"
    assert len(offsets) == len(folded)
    start = folded.index("citta")
    assert "PR FSE+ — Città"[offsets[start] : offsets[start + 4] + 1] == "Città"


# Basilicata WordPress post 102348 (tests/fixtures/wp_rest/mayai_basilicata_wp_avvisi-e-bandi_
# first3.json), its content as the parser reads it
BASILICATA_102348 = (
    "AVVISO DI ASTA PUBBLICA PER VENDITA DI LEGNAME DA CIPPARE DISPOSTO IN PARTE IN CATASTE E "
    "PARTE NON ACCATASTATE RIVENIENTE DAL IL PROGETTO DI FORESTAZIONE “AREE DEMANIALI DI "
    "COMPETENZA REGIONALE” COMUNI DI POLICORO, PISTICCI E NOVA SIRI (MATERA)."
)
# Piemonte feed item (tests/fixtures/piemonte/piemonte_tutti_rss.xml), its title
PIEMONTE_SESIA = (
    "Lavori di interventi di sistemazione idraulica del fiume Sesia, in frazione Quare del "
    "comune di Campertogno (VC). Avviso di manifestazione d’interesse sulla piattaforma di "
    "e-procurement  Sintel di Aria Lombardia Spa"
)


def test_a_province_in_parentheses_qualifies_the_municipalities_before_it() -> None:
    # "(MATERA)" is the province of the three municipalities: not the city of Matera, and no
    # territory of its own (the auction is about those three, not the whole province)
    found = territories_from_text(BASILICATA_102348)
    assert [(t.code, t.label) for t in found] == [
        ("077021", "Comune di Policoro"),
        ("077020", "Comune di Pisticci"),
        ("077018", "Comune di Nova Siri"),
    ]
    assert all(contains("ITF52", t.code) for t in found)  # all three in Provincia di Matera


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Comune di Samone (TN)", ["022165"]),  # the parenthesis picks among homonyms
        ("Comune di Policoro (Provincia di Matera)", ["077021"]),
        ("Comune di Matera (MT)", ["077014"]),
        ("Comuni di Alba (CN), Bra (CN) e Asti (AT)", ["004003", "004029", "005005"]),
        # a name not in the province given is doubtful: dropped rather than guessed
        ("Comuni di Alba (CN), Bra (CN) e Asti (TO)", ["004003", "004029"]),
        # a parenthesis that names no province ends the list; it is not read as a place
        ("Comune di Torino (capofila) e Comune di Bra", ["001272", "004029"]),
        ("Comuni di Policoro e Pisticci (MT) e Matera", ["077021", "077020", "077014"]),
    ],
)
def test_parentheses_after_municipalities(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_a_region_inside_a_company_name_is_no_territory() -> None:
    # Sintel, the e-procurement platform of Aria Lombardia Spa, serves Piemonte's works too
    assert codes(PIEMONTE_SESIA) == ["002025"]
    assert codes("piattaforma Sintel di ARIA S.p.A.") == []
    assert codes("gestito da Sviluppo Toscana S.p.A.") == []
    assert codes("Finpiemonte S.p.A. per conto della Regione Piemonte") == ["ITC1"]
    # conservative: only a legal form right after the name, or "Aria" right before it
    assert codes("Lazio Innova S.p.A.") == ["ITI4"]
    assert codes("Piano regionale per la qualità dell'aria Lombardia 2026") == ["ITC4"]
    assert codes("sede operativa in Lombardia, S.p.A. o S.r.l.") == ["ITC4"]


def test_place_name_at() -> None:
    folded = fold_name("Comuni di Policoro e Pisticci; Provincia di Cuneo; Comune di residenza")
    assert place_name_at(folded, folded.index("policoro"))
    assert place_name_at(folded, folded.index("cuneo"))
    assert not place_name_at(folded, folded.index("residenza"))
