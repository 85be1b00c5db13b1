"""Who may apply: one shared audience vocabulary for every source, with the source's words kept.

Sources say the same thing many ways: "Enti locali", "Comuni", a WordPress slug
``destinatari-piccole-imprese``, "MPMI", "ETS", "APS", "Università", "SMEs", "public bodies".
`audiences_from_text` maps them to the codes of `AUDIENCE_CODES`; each `Audience` keeps in
`raw` the words it was read from. The vocabulary is a small hierarchy (`broader`):
a call open to "imprese" is open to a micro-enterprise, a call for "enti pubblici" to a comune,
and `audience_covers` answers that question for the rules engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from fundwatch.models import Audience
from fundwatch.normalize.territories import fold_with_offsets

__all__ = [
    "AUDIENCE_CODES",
    "AudienceTerm",
    "audience_covers",
    "audience_label",
    "audiences_from_text",
    "broader",
]


@dataclass(frozen=True, slots=True)
class AudienceTerm:
    """One term of the vocabulary: labels, what it covers, and the broader terms it falls
    under (a social cooperative is both a third-sector body and a cooperative)."""

    code: str
    it: str
    en: str
    description: str
    parents: tuple[str, ...] = ()


def _term(code: str, it: str, en: str, description: str, *parents: str) -> AudienceTerm:
    return AudienceTerm(code, it, en, description, parents)


_TERMS = (
    _term(
        "ente_pubblico",
        "Ente pubblico",
        "Public body",
        "Any public administration or body governed by public law (soggetti pubblici, PA).",
    ),
    _term(
        "ente_locale",
        "Ente locale",
        "Local authority",
        "Local authorities as a group (enti locali, autonomie locali).",
        "ente_pubblico",
    ),
    _term("comune", "Comune", "Municipality", "A municipality (comune).", "ente_locale"),
    _term(
        "unione_comuni",
        "Unione di comuni",
        "Union of municipalities",
        "Unions and associations of municipalities, mountain unions (unioni montane).",
        "ente_locale",
    ),
    _term(
        "citta_metropolitana",
        "Città metropolitana",
        "Metropolitan city",
        "One of the 14 metropolitan cities.",
        "ente_locale",
    ),
    _term(
        "provincia",
        "Provincia",
        "Province",
        "A province, autonomous province or free municipal consortium (Sicily).",
        "ente_locale",
    ),
    _term("regione", "Regione", "Region", "A region or its agencies.", "ente_pubblico"),
    _term(
        "azienda_sanitaria",
        "Azienda sanitaria",
        "Health authority",
        "Local health authorities (ASL/ASP/ATS) and public hospitals (aziende ospedaliere).",
        "ente_pubblico",
    ),
    _term(
        "scuola", "Scuola", "School", "Schools and school networks (istituzioni scolastiche, CPIA)."
    ),
    _term(
        "universita_ricerca",
        "Università e ricerca",
        "University and research",
        "Universities, higher-education institutions, research bodies and organisations.",
    ),
    _term(
        "organismo_formazione",
        "Organismo di formazione",
        "Training provider",
        "Accredited training and guidance bodies (enti di formazione, ITS Academy).",
    ),
    _term(
        "ente_terzo_settore",
        "Ente del terzo settore",
        "Third-sector organisation",
        "Third-sector bodies (ETS): associations, APS, ODV, ONLUS, NGOs, non-profits.",
    ),
    _term(
        "associazione",
        "Associazione",
        "Association",
        "Associations, including social promotion (APS) and volunteer (ODV) ones.",
        "ente_terzo_settore",
    ),
    _term("fondazione", "Fondazione", "Foundation", "Foundations."),
    _term(
        "impresa_sociale",
        "Impresa sociale",
        "Social enterprise",
        "Social enterprises (imprese sociali).",
        "ente_terzo_settore",
    ),
    _term(
        "cooperativa_sociale",
        "Cooperativa sociale",
        "Social cooperative",
        "Social cooperatives (type A and B) and their consortia.",
        "ente_terzo_settore",
        "cooperativa",
    ),
    _term(
        "impresa",
        "Impresa",
        "Enterprise",
        "Any enterprise regardless of size (imprese, aziende, companies, businesses).",
    ),
    _term("cooperativa", "Cooperativa", "Cooperative", "Cooperatives of any kind.", "impresa"),
    _term(
        "pmi",
        "PMI",
        "SME",
        "Micro, small and medium-sized enterprises (EU Recommendation 2003/361).",
        "impresa",
    ),
    _term(
        "micro_impresa",
        "Microimpresa",
        "Micro-enterprise",
        "Fewer than 10 staff and ≤ €2 million turnover or balance sheet.",
        "pmi",
    ),
    _term(
        "piccola_impresa",
        "Piccola impresa",
        "Small enterprise",
        "Fewer than 50 staff and ≤ €10 million turnover or balance sheet.",
        "pmi",
    ),
    _term(
        "media_impresa",
        "Media impresa",
        "Medium-sized enterprise",
        "Fewer than 250 staff and ≤ €50 million turnover or ≤ €43 million balance sheet.",
        "pmi",
    ),
    _term(
        "grande_impresa",
        "Grande impresa",
        "Large enterprise",
        "Enterprises above the SME thresholds.",
        "impresa",
    ),
    _term(
        "startup",
        "Startup",
        "Start-up",
        "Start-ups and innovative start-ups, new enterprises being set up.",
        "impresa",
    ),
    _term(
        "impresa_agricola",
        "Impresa agricola",
        "Farm",
        "Farms and agricultural enterprises, farmers (imprenditori agricoli).",
        "impresa",
    ),
    _term(
        "libero_professionista",
        "Libero professionista",
        "Self-employed professional",
        "Self-employed people and professionals with a VAT number (lavoratori autonomi).",
    ),
    _term(
        "persona_fisica",
        "Persona fisica",
        "Individual",
        "Natural persons: citizens, families, students, jobseekers applying for themselves.",
    ),
)

AUDIENCE_CODES: dict[str, AudienceTerm] = {t.code: t for t in _TERMS}
"""The vocabulary, by code. Each term documents what it covers in `description`."""

# (pattern on folded text, codes). Earlier patterns win over later ones on overlapping words,
# so specific phrases ("cooperative sociali", "unioni di comuni") come before general ones.
_E = r"(?:e|ed|o|and|or)"
# "nei comuni di…", "della provincia di…": a place, not an applicant.
_NOT_PLACE = "".join(
    rf"(?<!\b{word} )"
    for word in ("nei", "nel", "del", "dei", "nella", "nelle", "della", "delle", "sede")
)
# "Regione Piemonte" names the issuer or the place, not an applicant.
_REGION_NAMES = (
    r"(?:piemonte|valle|lombardia|trentino|veneto|friuli|liguria|emilia|toscana|umbria|marche"
    r"|lazio|abruzzo|molise|campania|puglia|basilicata|calabria|sicilia|sardegna|autonoma)"
)
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # third sector
    (r"cooperativ[ae] social[ei]|social cooperatives?|coop sociali", ("cooperativa_sociale",)),
    (
        r"impres[ae] social[ei]|social enterprises?|social economy enterprises?",
        ("impresa_sociale",),
    ),
    (
        r"enti? del terzo settore|enti? di terzo settore|terzo settore|ets|third sector"
        r"|non ?profit(?: organi[sz]ations?| entities| bodies)?|onlus|no profit"
        r"|organi[sz]zazioni non (?:lucrative|governative)|ong|ngos?"
        r"|civil society(?: organi[sz]ations?)?"
        r"|enti? (?:non commerciali|senza scopo di lucro)|organizzazioni senza scopo di lucro",
        ("ente_terzo_settore",),
    ),
    (
        r"associazioni di promozione sociale|aps|organizzazioni di volontariato|odv"
        r"|associazioni(?: sportive)?(?: dilettantistiche)?|associazione|asd|ssd|associations?",
        ("associazione",),
    ),
    (r"fondazion[ei]|foundations?", ("fondazione",)),
    # public bodies
    (
        r"unioni (?:di|dei) comuni|unione (?:di|dei) comuni|unioni montane|unione montana"
        r"|comunita montane?|forme associate(?: di comuni)?|associazioni di comuni"
        r"|unions? of municipalities",
        ("unione_comuni",),
    ),
    (r"citta metropolitan[ae]|metropolitan cit(?:y|ies)", ("citta_metropolitana",)),
    (
        r"enti locali|ente locale|autonomie locali|local authorit(?:y|ies)"
        r"|local (?:and|or) regional authorities|local governments?",
        ("ente_locale",),
    ),
    (
        rf"{_NOT_PLACE}(?:comuni|comune)|amministrazioni comunali|municipalit(?:y|ies)"
        r"|municipal authorities"
        r"|cities|towns",
        ("comune",),
    ),
    (
        rf"{_NOT_PLACE}(?:province autonome|provincia autonoma|province|provincia)"
        r"|liberi consorzi(?: comunali)?",
        ("provincia",),
    ),
    (
        rf"{_NOT_PLACE}regioni|regione(?! {_REGION_NAMES})|amministrazioni regionali"
        r"|regional authorit(?:y|ies)",
        ("regione",),
    ),
    (
        r"aziende sanitarie(?: locali)?|azienda sanitaria|asl|asp|ats|aziende ospedaliere"
        r"|aziende ospedaliero universitarie|ao|irccs|health authorities",
        ("azienda_sanitaria",),
    ),
    (
        r"soggetti pubblici|enti pubblici|ente pubblico|pubbliche amministrazioni"
        r"|pubblica amministrazione|amministrazioni pubbliche|amministrazioni centrali|pa"
        r"|public (?:bodies|authorities|entities|administrations?|sector bodies|institutions)"
        r"|public bodies|organismi di diritto pubblico|bodies governed by public law",
        ("ente_pubblico",),
    ),
    # education and research
    (
        r"istituzioni scolastiche|istituti scolastici|istituti comprensivi|scuole|scuola|cpia"
        r"|reti di scuole|schools?",
        ("scuola",),
    ),
    (
        r"universita|atenei|ateneo|enti di ricerca|ente di ricerca|organismi di ricerca"
        r"|organismo di ricerca|centri di ricerca|istituti di ricerca|universit(?:y|ies)"
        r"|higher education(?: institutions?)?|research (?:organi[sz]ations?|institutes?|centres?"
        r"|centers?|bodies|performing organi[sz]ations?)|afam",
        ("universita_ricerca",),
    ),
    (
        r"organismi di formazione|organismo di formazione|enti di formazione|ente di formazione"
        r"|agenzie formative|enti accreditati(?: per la formazione)?|organismi accreditati"
        r"|its academy|fondazioni its|training (?:providers?|centres?|organi[sz]ations?)"
        r"|vet providers?",
        ("organismo_formazione",),
    ),
    # enterprises by size
    (
        rf"micro {_E} piccole {_E} medie imprese|micro piccole {_E} medie imprese|mpmi"
        rf"|piccole {_E} medie imprese|piccola {_E} media impresa|pmi|smes?|small {_E} medium"
        r"(?: sized)? (?:enterprises|companies|businesses)",
        ("pmi",),
    ),
    (r"micro ?imprese|micro ?impresa|micro ?enterprises?|microimprenditori", ("micro_impresa",)),
    (r"piccole imprese|piccola impresa|small enterprises?|small businesses", ("piccola_impresa",)),
    (r"medie imprese|media impresa|medium(?: sized)? enterprises?", ("media_impresa",)),
    (r"grandi imprese|grande impresa|large enterprises?|large companies", ("grande_impresa",)),
    (
        r"start ?up(?: innovative)?|startups?|nuove imprese|imprese di nuova costituzione"
        r"|imprese costituende|aspiranti imprenditori",
        ("startup",),
    ),
    (
        r"imprese agricole|impresa agricola|aziende agricole|azienda agricola|imprenditori agricoli"
        r"|imprenditore agricolo|agricoltori|giovani agricoltori|farmers?",
        ("impresa_agricola",),
    ),
    (r"cooperative|cooperativa|cooperatives?", ("cooperativa",)),
    (
        r"imprese|impresa|aziende|azienda|imprenditori|enterprises?|companies|businesses|firms"
        r"|consorzi di imprese|reti di imprese|operatori economici|economic operators",
        ("impresa",),
    ),
    (
        r"liberi professionisti|libero professionista|professionisti|lavoratori autonomi"
        r"|lavoratore autonomo|titolari di partita iva|self employed|freelancers?",
        ("libero_professionista",),
    ),
    (
        r"persone fisiche|persona fisica|cittadini|famiglie|privati cittadini|individui|studenti"
        r"|giovani|disoccupati|inoccupati|natural persons|individuals|citizens"
        r"|families|students|jobseekers|job seekers|unemployed",
        ("persona_fisica",),
    ),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    return tuple((re.compile(rf"\b(?:{p})\b"), codes) for p, codes in _RULES)


# Slug prefixes of WordPress taxonomies ("destinatari-imprese") and Plone tokens.
_SLUG_PREFIX = re.compile(r"^(?:destinatari|beneficiari|soggetti|target|chi)\s+")


def audiences_from_text(text: str) -> tuple[Audience, ...]:
    """The audience codes named in `text`, in order of first appearance, each with the words
    it was read from in `raw`.

    `text` may be free prose ("Rivolto ai Comuni e alle Unioni di Comuni"), a list ("Enti
    locali; Imprese"), a taxonomy slug (``destinatari-piccole-imprese``) or English EU wording
    ("SMEs, NGOs and public bodies"). Short acronyms (ETS, APS, ODV, PA, ASL…) count only when
    written in capitals in the source, so that "pa" or "ao" inside prose do not.
    """
    if not text or not text.strip():
        return ()
    folded, offsets = fold_with_offsets(text)
    folded_slug = folded
    if " " not in text.strip():  # a slug: drop its taxonomy prefix, keep offsets aligned
        folded_slug = _SLUG_PREFIX.sub(lambda m: " " * len(m.group(0)), folded)
    taken = [False] * len(folded_slug)
    hits: list[tuple[int, str, str]] = []
    for pattern, codes in _compiled():
        for m in pattern.finditer(folded_slug):
            start, end = m.span()
            if any(taken[start:end]):
                continue
            raw = text[offsets[start] : offsets[end - 1] + 1]
            if len(m.group(0)) <= 4 and " " not in m.group(0) and not _acronym_ok(raw):
                continue
            for i in range(start, end):
                taken[i] = True
            hits.extend((start, code, raw) for code in codes)
    out: dict[str, Audience] = {}
    for _, code, raw in sorted(hits, key=lambda h: h[0]):
        out.setdefault(code, Audience(code=code, raw=raw))
    return tuple(out.values())


_ALWAYS_OK = {"pmi", "smes", "sme", "ngo", "ngos", "onlus", "mpmi", "afam", "cpia"}


def _acronym_ok(raw: str) -> bool:
    """Short words are acronyms only in capitals ("PA", "ETS"); a few are safe anyway, and
    whole words such as "comuni" or "scuola" are not acronyms at all."""
    low = raw.lower()
    if low in _ALWAYS_OK or raw.isupper():
        return True
    return low not in _ACRONYMS


_ACRONYMS = {"ets", "aps", "odv", "pa", "asl", "asp", "ats", "ao", "asd", "ssd", "ong", "irccs"}


def broader(code: str) -> tuple[str, ...]:
    """Every term above `code` in the vocabulary (transitively), nearest first."""
    out: list[str] = []
    queue = list(AUDIENCE_CODES[code].parents) if code in AUDIENCE_CODES else []
    while queue:
        parent = queue.pop(0)
        if parent not in out:
            out.append(parent)
            queue.extend(AUDIENCE_CODES[parent].parents)
    return tuple(out)


def audience_covers(offered: str, applicant: str) -> bool:
    """True when a call open to `offered` is open to an organisation of type `applicant`:
    the same term, or a broader one (``impresa`` covers ``micro_impresa``; ``pmi`` does not
    cover ``grande_impresa``; ``ente_pubblico`` covers ``comune``)."""
    return offered == applicant or offered in broader(applicant)


def audience_label(code: str, lang: str = "it") -> str:
    """The label of `code` in Italian (``lang`` starting with "it") or English (anything
    else); an unknown code is returned as it is."""
    term = AUDIENCE_CODES.get(code)
    if term is None:
        return code
    return term.it if lang.lower().startswith("it") else term.en
