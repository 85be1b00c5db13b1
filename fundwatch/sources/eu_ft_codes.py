"""Code tables of the EU Funding & Tenders portal: programmes, divisions, statuses, types.

Built from the portal's own facet values (facet API apiVersion 2.151, in
tests/fixtures/eu_ft/mn_grants_feed_2026-08-22_facets_prefix.json) and cleaned: the facet
labels are URL-mangled (``%26`` for ``&``, ``+`` lost to spaces: "European Social Fund   (ESF) ",
"Erasmus  (ERASMUS )"), and many division labels are just the numeric id. Divisions whose
label is only a number are left out unless the number is also a programme code; an unknown
code keeps the code as its label.
A test checks this table against the facet fixture.

Config may name a programme or division by code (``43254019``), by abbreviation (``ESF+``,
``EaSI``), by label (``Horizon Europe``) or by one of the extra aliases below; matching ignores
case and spacing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PROGRAMMES: dict[str, str] = {
    "111111": "EU External Action - Prospect (RELEX-PROSPECT)",
    "31045243": "Horizon 2020 Framework Programme (H2020 - 2014-2020)",
    "31059643": (
        "Programme for the Competitiveness of Enterprises and small and medium-sized "
        "enterprises (COSME - 2014-2020)"
    ),
    "43089234": "Innovation Fund (INNOVFUND)",
    "43108390": "Horizon Europe (HORIZON)",
    "43152860": "Digital Europe Programme (DIGITAL)",
    "43251567": "Connecting Europe Facility (CEF)",
    "43251589": "Citizens, Equality, Rights and Values Programme (CERV)",
    "43251814": "Creative Europe Programme (CREA)",
    "43252368": "Internal Security Fund (ISF)",
    "43252386": "Justice Programme (JUST)",
    "43252405": "Programme for the Environment and Climate Action (LIFE)",
    "43252433": "Programme for the Protection of the Euro against Counterfeiting (PERICLES IV)",
    "43252449": "Research Fund for Coal & Steel (RFCS)",
    "43252476": "Single Market Programme (SMP)",
    "43252517": "Social Prerogative and Specific Competencies Lines (SOCPL)",
    "43253967": "Renewable Energy Financing Mechanism (RENEWFM)",
    # facet label "European Social Fund   (ESF) ": the "+" signs were lost in URL decoding
    "43254019": "European Social Fund Plus (ESF+)",
    "43254037": "European Solidarity Corps (ESC)",
    "43298916": "Euratom Research and Training Programme (EURATOM)",
    # not in the facet capture: code seen on the EU4H-2024-PJ-03-5 search record
    "43332642": "EU4Health Programme (EU4H)",
    # facet label "Erasmus  (ERASMUS )": "+" lost as above
    "43353764": "Erasmus+ (ERASMUS+)",
    "43392145": "European Maritime, Fisheries and Aquaculture Fund (EMFAF)",
    "43637601": "Pilot Projects & Preparation Actions (PPPA)",
    "43697167": "European Parliament (EP)",
    "44181033": "European Defence Fund (EDF)",
    "44416173": "Interregional Innovation Investments Instrument (I3)",
    "44773066": "Just Transition Mechanism (JTM)",
    "45532249": "EU Bodies and Agencies (EUBA)",
    "45876777": (
        "Neighbourhood, Development and International Cooperation Instrument – "
        "Global Europe (NDICI)"
    ),
    "46324255": "Technical assistance for ERDF, CF and JTF (ERDF-TA)",
}

_PROGRAMME_ALIASES: dict[str, str] = {
    "ESF": "43254019",
    "FSE+": "43254019",
    "European Social Fund": "43254019",
    "Erasmus": "43353764",
    "Horizon 2020": "31045243",
    "Digital Europe": "43152860",
    "EU4Health": "43332642",
    "Creative Europe": "43251814",
}

DIVISIONS: dict[str, str] = {
    "43108390": "Horizon Europe Framework Programme (HORIZON)",
    "43108394": "Excellent Science",
    "43108406": "European Research Council (ERC)",
    "43108466": "Frontier science",
    "43108473": "Marie Skłodowska-Curie Actions (MSCA)",
    "43108486": (
        "Nurturing Excellence through Mobility of Researchers across Borders, Sectors and "
        "Disciplines"
    ),
    "43108493": "Fostering new Skills through Excellent Training of Researchers",
    "43108497": (
        "Strengthening Human Resources and Skills Development across the European Research Area"
    ),
    "43108506": "Improving and Facilitating Synergies",
    "43108510": "Promoting Public Outreach",
    "43108514": "Research infrastructures",
    "43108518": "Consolidating and Developing the Landscape of European Research Infrastructures",
    "43108530": (
        "The innovation potential of European Research Infrastructures and activities for "
        "Innovation and Training"
    ),
    "43108534": "Reinforcing European Research Infrastructure policy and International Cooperation",
    "43108541": "Global Challenges and European Industrial Competitiveness",
    "43108557": "Health",
    "43108591": "Health throughout the Life Course",
    "43108608": "Environmental and Social Health Determinants",
    "43108618": "Non-Communicable and Rare Diseases",
    "43108628": "Infectious Diseases, including poverty-related and neglected diseases",
    "43108638": (
        "Tools, Technologies and Digital Solutions for Health and Care, including personalised "
        "medicine"
    ),
    "43108642": "Health Care Systems",
    "43118846": "Culture, creativity and inclusive society",
    "43118851": "Democracy and Governance",
    "43118859": "Cultural Heritage",
    "43118966": "Social and Economic Transformations",
    "43118971": "Civil Security for Society",
    "43120172": "Disaster-Resilient Societies",
    "43120180": "Protection and Security",
    "43120185": "Cybersecurity",
    "43120193": "Digital, Industry and Space",
    "43120198": "Manufacturing Technologies",
    "43120203": "Key Digital Technologies",
    "43120208": "Emerging enabling technologies",
    "43120213": "Advanced Materials",
    "43120218": "Artificial Intelligence and Robotics",
    "43120226": "Next Generation Internet",
    "43120231": "Advanced Computing and Big Data",
    "43120236": "Circular Industries",
    "43120244": "Low-Carbon and Clean Industries",
    "43120256": "Space, including Earth Observation",
    "43120821": "Climate, Energy and Mobility",
    "43120830": "Climate Science and Solutions",
    "43120835": "Energy Supply",
    "43121058": "Energy Systems and Grids",
    "43121063": "Buildings and Industrial Facilities in Energy Transition",
    "43121068": "Communities and Cities",
    "43121073": "Industrial Competitiveness in Transport",
    "43121078": "Clean, Safe and Accessible Transport and Mobility",
    "43121083": "Smart Mobility",
    "43121088": "Energy Storage",
    "43121563": "Food, Bioeconomy Natural Resources, Agriculture and Environment",
    "43121568": "Environmental Observation",
    "43121573": "Biodiversity and Natural Resources",
    "43121578": "Agriculture, Forestry and Rural Areas",
    "43121583": "Seas, Oceans and Inland Waters",
    "43121588": "Food Systems",
    "43121593": "Bio-based Innovation Systems in the EU Bioeconomy",
    "43121598": "Circular Systems",
    "43121603": "Non-nuclear direct actions of the Joint Research Centre (JRC)",
    "43121633": "Innovative Europe",
    "43121666": "The European Innovation Council (EIC)",
    "43121671": "The Pathfinder for Advanced Research",
    "43121682": "The Accelerator",
    "43121692": "European innovation ecosystems",
    "43121697": "The European Institute of Innovation and Technology (EIT)",
    "43121702": "Widening Participation and Strengthening the European Research Area",
    "43121707": "Widening participation and spreading excellence",
    "43121717": "Twinning",
    "43121757": "Reforming and enhancing the European R&I System",
    "43252504": "Cosme",
    "43254027": "Employment and Social Innovation (EaSI)",
    "43422638": "Equality and non-discrimination",
    "43422652": "Combat racism, xenophobia and all forms of intolerance",
    "43422715": "Citizens engagement and participation",
    "43422759": "Daphne - to fight violence, including gender-based violence",
    "43437664": "European Remembrance",
    "43437872": "Town-Twinning",
    "43466294": "Citizen science",
    "43466299": "Gender equality",
    "43479963": "Promote and co-fund innovation programmes",
    "43479971": "Joint programmes close to innovators",
    "43479981": "Overall innovation landscape and management capacity",
    "43494268": "Consumers",
    "44187987": "Promote capacity building and awareness on the EU Charter of Fundamental Rights",
    "45033812": "Food",
    # the facet gives only the number; the number is also a programme code
    "43152860": PROGRAMMES["43152860"],
    "43637601": PROGRAMMES["43637601"],
    "44181033": PROGRAMMES["44181033"],
}

STATUSES: dict[str, str] = {"31094501": "Forthcoming", "31094502": "Open", "31094503": "Closed"}
_STATUS_ALIASES = {"open for submission": "31094502"}

TYPES: dict[str, str] = {
    "0": "Tender",
    "1": "Grant",
    "2": "Call for proposals",
    "8": "Cascade funding",
}
_TYPE_ALIASES = {
    "tenders": "0",
    "grants": "1",
    "grant topic": "1",
    "grant topics": "1",
    "calls for proposals": "2",
    "cascade funding calls": "8",
    "cascade": "8",
}

ESF_PLUS = "43254019"
"""The frameworkProgramme code of the European Social Fund Plus; its topics get the fund tag."""

_NUMBER = re.compile(r"^\d+$")
_ABBREVIATION = re.compile(r"\(([^()]+)\)\s*$")


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


def _aliases(table: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """Every name a code may be given by; names that would point at two codes are dropped."""
    found: dict[str, set[str]] = {}
    for code, label in table.items():
        names = {label, _ABBREVIATION.sub("", label)}
        m = _ABBREVIATION.search(label)
        if m:
            names.add(m.group(1).split(" - ")[0])
        for name in names:
            found.setdefault(_norm(name), set()).add(code)
    for name, code in extra.items():
        found.setdefault(_norm(name), set()).add(code)
    return {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}


_BY_NAME = {
    "programme": _aliases(PROGRAMMES, _PROGRAMME_ALIASES),
    "division": _aliases(DIVISIONS, {}),
    "status": _aliases(STATUSES, _STATUS_ALIASES),
    "type": _aliases(TYPES, _TYPE_ALIASES),
}
_TABLES = {"programme": PROGRAMMES, "division": DIVISIONS, "status": STATUSES, "type": TYPES}


def resolve(what: str, names: Iterable[str]) -> list[str]:
    """Codes for config names (`what` is programme, division, status or type).

    A number is taken as a code as it is (the portal adds codes faster than we update this
    table); a name must be known, else ValueError lists the known short names.
    """
    codes: list[str] = []
    for name in names:
        text = str(name).strip()
        if _NUMBER.match(text):
            code = text
        else:
            found = _BY_NAME[what].get(_norm(text))
            if found is None:
                raise ValueError(f"unknown {what} {text!r}; known: {', '.join(known_names(what))}")
            code = found
        if code not in codes:
            codes.append(code)
    return codes


def known_names(what: str) -> list[str]:
    """Short names to show in error messages: abbreviations where there are, else labels."""
    names = []
    for label in _TABLES[what].values():
        m = _ABBREVIATION.search(label)
        names.append(m.group(1).split(" - ")[0] if m else label)
    return sorted(set(names), key=str.casefold)


def programme_label(code: str) -> str:
    return PROGRAMMES.get(code, code)


def division_label(code: str) -> str:
    return DIVISIONS.get(code) or PROGRAMMES.get(code) or code


def status_label(code: str) -> str:
    return STATUSES.get(code, code)


def type_label(code: str) -> str:
    return TYPES.get(code, code)
