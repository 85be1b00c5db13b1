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
from fundwatch.normalize.territories import fold_name, fold_with_offsets, place_name_at

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


# code | Italian label | English label | broader terms | what it covers
_TABLE = """
ente_pubblico | Ente pubblico | Public body | | Any public administration or body governed by public law (soggetti pubblici, PA, ministries).
ente_locale | Ente locale | Local authority | ente_pubblico | Local authorities as a group (enti locali, autonomie locali).
comune | Comune | Municipality | ente_locale | A municipality (comune).
unione_comuni | Unione di comuni | Union of municipalities | ente_locale | Unions and other associated forms of municipalities, mountain unions (unioni montane).
citta_metropolitana | Città metropolitana | Metropolitan city | ente_locale | One of the 14 metropolitan cities.
provincia | Provincia | Province | ente_locale | A province, autonomous province or free municipal consortium (Sicily).
regione | Regione | Region | ente_pubblico | A region, its departments and agencies (enti regionali).
azienda_sanitaria | Azienda sanitaria | Health authority | ente_pubblico | Local health authorities (ASL/ASP/ATS), public hospitals (aziende ospedaliere), IRCCS, regional health agencies.
scuola | Scuola | School | | Schools and school networks (istituzioni scolastiche, CPIA).
universita_ricerca | Università e ricerca | University and research | | Universities, higher-education institutions (AFAM), research bodies and organisations.
organismo_formazione | Organismo di formazione | Training provider | | Accredited training and guidance bodies (enti di formazione, ITS Academy).
ente_terzo_settore | Ente del terzo settore | Third-sector organisation | | Third-sector bodies (ETS): associations, APS, ODV, ONLUS, NGOs, other non-profits.
associazione | Associazione | Association | ente_terzo_settore | Associations, including social promotion (APS), volunteer (ODV) and amateur sports ones.
fondazione | Fondazione | Foundation | | Foundations.
impresa_sociale | Impresa sociale | Social enterprise | ente_terzo_settore | Social enterprises (imprese sociali).
cooperativa_sociale | Cooperativa sociale | Social cooperative | ente_terzo_settore, cooperativa | Social cooperatives (type A and B) and their consortia.
impresa | Impresa | Enterprise | | Any enterprise regardless of size (imprese, aziende, companies, businesses).
cooperativa | Cooperativa | Cooperative | impresa | Cooperatives of any kind.
pmi | PMI | SME | impresa | Micro, small and medium-sized enterprises (EU Recommendation 2003/361).
micro_impresa | Microimpresa | Micro-enterprise | pmi | Fewer than 10 staff and at most EUR 2 million turnover or balance sheet.
piccola_impresa | Piccola impresa | Small enterprise | pmi | Fewer than 50 staff and at most EUR 10 million turnover or balance sheet.
media_impresa | Media impresa | Medium-sized enterprise | pmi | Fewer than 250 staff, at most EUR 50 million turnover or EUR 43 million balance sheet.
grande_impresa | Grande impresa | Large enterprise | impresa | Enterprises above the SME thresholds.
startup | Startup | Start-up | impresa | Start-ups, innovative start-ups, enterprises being set up (imprese da costituire).
impresa_agricola | Impresa agricola | Farm | impresa | Farms and agricultural enterprises, farmers and breeders (imprenditori agricoli).
libero_professionista | Libero professionista | Self-employed professional | | Self-employed people and professionals with a VAT number (lavoratori autonomi).
persona_fisica | Persona fisica | Individual | | Natural persons: citizens, families, students, jobseekers applying for themselves.
"""  # noqa: E501

_TERMS = tuple(
    AudienceTerm(
        code=cells[0],
        it=cells[1],
        en=cells[2],
        description=cells[4],
        parents=tuple(p.strip() for p in cells[3].split(",") if p.strip()),
    )
    for cells in (
        [cell.strip() for cell in line.split("|")] for line in _TABLE.strip().splitlines()
    )
)

AUDIENCE_CODES: dict[str, AudienceTerm] = {t.code: t for t in _TERMS}
"""The vocabulary, by code. Each term documents what it covers in `description`."""

# "nei comuni di…", "della provincia di…": a place, not an applicant.
_NOT_PLACE = "".join(
    rf"(?<!\b{word} )"
    for word in ("nei", "nel", "del", "dei", "nella", "nelle", "della", "delle", "sede")
)
# "Regione Piemonte" names the issuer or the place, not an applicant.
_REGION_NAMES = (
    "(?:piemonte|valle|lombardia|trentino|veneto|friuli|liguria|emilia|toscana|umbria|marche"
    "|lazio|abruzzo|molise|campania|puglia|basilicata|calabria|sicilia|sardegna|autonoma)"
)
_E = "(?:e|ed|o|and|or)"

# One rule a line: "codes: alternative | alternative | ..." (regular expressions over folded
# text: lower case, no accents, punctuation as single spaces). A line starting with "|" goes on
# the rule above. Earlier rules win where matches overlap, so specific phrases ("cooperative
# sociali", "unioni di comuni") come before general words. "-" consumes words that look like an
# audience but are not one ("Registro delle imprese"; an "Associazione Temporanea di Scopo" is a
# partnership of any kind of body, no association, while one "di Imprese" is of enterprises).
# "ATS" alone is no audience: in Lombardy the health agency (Agenzia di Tutela della Salute,
# read by its full name), elsewhere the partnership.
_RULES_TEXT = r"""
-: registro (?:delle )?imprese | camera di commercio | visura camerale | altri enti
 | non classificabile(?: classificato)? | associazion[ei] temporane[ae] di scopo
impresa: associazion[ei] temporane[ae] (?:di|d) impres[ae]
startup, pmi: su pmi innovativ[ae] | start ?up (?:e|o) pmi innovative
cooperativa_sociale: cooperativ[ae] social[ei] | social cooperatives? | coop sociali
impresa_sociale: impres[ae] social[ei] | social enterprises? | social economy enterprises?
ente_terzo_settore: enti? del terzo settore | enti? di terzo settore | terzo settore | ets
 | third sector | non ?profit(?: organi[sz]ations?| entities| bodies)? | onlus | no profit
 | organi[sz]zazioni non (?:lucrative|governative) | ong | ngos? | civil society(?: organi[sz]ations?)?
 | enti? (?:non commerciali|senza scopo di lucro) | organizzazioni senza scopo di lucro
associazione: associazioni di promozione sociale | aps | organizzazioni di volontariato | odv
 | associazioni(?: sportive)?(?: dilettantistiche)? | associazione | asd | ssd | associations?
fondazione: fondazion[ei] | foundations?
unione_comuni: unioni (?:di|dei) comuni | unione (?:di|dei) comuni | unioni montane
 | unione montana | comunita montane? | forme associate(?: di comuni)? | associazioni di comuni
 | unions? of municipalities
citta_metropolitana: citta metropolitan[ae] | metropolitan cit(?:y|ies)
ente_locale: enti locali | ente locale | autonomie locali | local authorit(?:y|ies)
 | collectivites (?:territoriales|locales)
 | local (?:and|or) regional authorities | local governments?
comune: {NOT_PLACE}(?:comuni|comune) | amministrazioni comunali | municipalit(?:y|ies)
 | communes
 | municipal authorities | cities | towns
provincia: {NOT_PLACE}(?:province autonome|provincia autonoma|province|provincia)
 | liberi consorzi(?: comunali)?
azienda_sanitaria: aziende sanitarie(?: locali)? | azienda sanitaria | asl | asp
 | agenzi[ae] (?:di|per la) tutela della salute
 | aziende ospedaliere | aziende ospedaliero universitarie | ao | aoo | aou | irccs
 | agenzie regionali sanitarie | istituti zooprofilattici(?: sperimentali)? | health authorities
regione: {NOT_PLACE}regioni | regione(?! {REGION_NAMES}) | amministrazioni regionali
 | enti regionali | agenzie regionali | regional authorit(?:y|ies)
ente_pubblico: soggetti pubblici | enti pubblici | ente pubblico | pubbliche amministrazioni
 | pubblica amministrazione | amministrazioni pubbliche | amministrazioni centrali | pa
 | pa centrali | ministeri | enti strumentali | organismi di diritto pubblico
 | etablissements publics
 | public (?:bodies|authorities|entities|administrations?|sector bodies|institutions)
 | bodies governed by public law
scuola: istituzioni scolastiche | istituti scolastici | istituti comprensivi | scuole | scuola
 | cpia | reti di scuole | schools?
universita_ricerca: universita | atenei | ateneo | enti di ricerca | ente di ricerca
 | organismi di ricerca | organismo di ricerca | centri di ricerca | istituti di ricerca
 | universit(?:y|ies) | higher education(?: institutions?)? | afam
 | research (?:organi[sz]ations?|institutes?|centres?|centers?|bodies|performing organi[sz]ations?)
organismo_formazione: organismi di formazione | organismo di formazione | enti di formazione
 | ente di formazione | agenzie formative | enti accreditati(?: per la formazione)?
 | organismi accreditati | its academy | fondazioni its | training (?:providers?|centres?|organi[sz]ations?)
 | vet providers?
pmi: micro {E} piccole {E} medie imprese | micro piccole {E} medie imprese | mpmi
 | piccole {E} medie imprese | piccola {E} media impresa | pmi | smes? | pme | small {E} medium(?: sized)? (?:enterprises|companies|businesses)
micro_impresa: micro ?imprese | micro ?impresa | micro ?enterprises? | microimprenditori
piccola_impresa: piccole imprese | piccola impresa | small enterprises? | small businesses
media_impresa: medie imprese | media impresa | medium(?: sized)? enterprises?
grande_impresa: grandi imprese | grande impresa | large enterprises? | large companies
startup: start ?up(?: innovative)? | startups? | nuove imprese | imprese di nuova costituzione
 | imprese costituende | aspiranti imprenditori | impres[ae] da costituire
impresa_agricola: imprese agricole | impresa agricola | aziende agricole | azienda agricola
 | imprenditori agricoli | imprenditore agricolo | agricoltori | giovani agricoltori | allevatori
 | farmers?
cooperativa: cooperative | cooperativa | cooperatives?
impresa: imprese | impresa | aziende | azienda | imprenditori | enterprises? | companies
 | entreprises
 | businesses | firms | consorzi di imprese | reti di imprese | operatori economici
 | economic operators
libero_professionista: liberi professionisti | libero professionista | professionisti
 | lavoratori autonomi | lavoratore autonomo | titolari di partita iva | self employed
 | freelancers?
persona_fisica: persone fisiche | persona fisica | cittadini | famiglie | privati cittadini
 | individui | studenti | giovani | disoccupati | inoccupati | natural persons | individuals
 | citizens | families | students | jobseekers | job seekers | unemployed
"""  # noqa: E501


def _parse_rules(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    merged: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith(" |"):
            merged[-1] += line
        else:
            merged.append(line)
    out: list[tuple[str, tuple[str, ...]]] = []
    for line in merged:
        head, _, body = line.partition(":")
        codes = () if head.strip() == "-" else tuple(c.strip() for c in head.split(","))
        body = body.format(NOT_PLACE=_NOT_PLACE, REGION_NAMES=_REGION_NAMES, E=_E)
        out.append(
            (
                "|".join(sorted((alt.strip() for alt in body.split(" | ")), key=len, reverse=True)),
                codes,
            )
        )
    return tuple(out)


_RULES = _parse_rules(_RULES_TEXT)


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
    ("SMEs, NGOs and public bodies"), with a few French words (Aides-territoires: "communes",
    "collectivités territoriales", "entreprises", "PME"). `raw` is the matched words, or the
    whole slug for a slug. Short acronyms (ETS, APS, ODV, PA, ASL…) count only when
    written in capitals in the source, so that "pa" or "ao" inside prose do not.
    """
    if not text or not text.strip():
        return ()
    folded, offsets = fold_with_offsets(text)
    folded_slug = folded
    slug = " " not in text.strip()
    if slug:  # a taxonomy slug: drop its prefix (offsets stay aligned) and keep it whole as raw
        folded_slug = _SLUG_PREFIX.sub(lambda m: " " * len(m.group(0)), folded)
    taken = [False] * len(folded_slug)
    hits: list[tuple[int, int, tuple[str, ...], str]] = []
    for pattern, codes in _compiled():
        for m in pattern.finditer(folded_slug):
            start, end = m.span()
            if any(taken[start:end]):
                continue
            raw = text.strip() if slug else text[offsets[start] : offsets[end - 1] + 1]
            if len(m.group(0)) <= 4 and " " not in m.group(0) and not _acronym_ok(raw):
                continue
            for i in range(start, end):
                taken[i] = True
            hits.append((start, end, codes, raw))
    out: dict[str, Audience] = {}
    previous_end: int | None = None
    for start, end, codes, raw in sorted(hits):
        if not codes:
            continue
        if (
            not slug
            and _names_a_place(folded, end, codes)
            and not _in_a_list(text, offsets, previous_end, start)
            and not _APPLICANT_CUE.search(fold_name(_sentence_before(text, offsets[start])))
        ):
            continue
        previous_end = end
        for code in codes:
            out.setdefault(code, Audience(code=code, raw=raw))
    return tuple(out.values())


# "Comuni di Policoro, Pisticci e Nova Siri", "la Provincia di Cuneo": these name places (or
# the issuer), not a kind of applicant, unless the sentence says it speaks of applicants
# ("rivolto ai Comuni di Alba e Bra") or the words stand in a list of applicant kinds
# ("imprese, associazioni e Comuni di Alba e Bra").
_PLACE_KINDS = frozenset(("comune", "provincia", "citta_metropolitana"))
_OF = re.compile(r" (?:di|del|della|dell|dei|degli) ")
_APPLICANT_CUE = re.compile(
    r"\b(?:rivolt[oaie]|destinat(?:ar)?[oaie]|beneficiar[io]|riservat[oaie]|richiedenti"
    r"|possono (?:partecipare|presentare|accedere|beneficiare|candidarsi|richiedere)"
    r"|soggetti (?:ammessi|ammissibili|beneficiari|destinatari|richiedenti)"
    r"|chi puo|(?:a|in) favore (?:di|dei|delle|degli|del|della)"
    r"|open to|eligible|applicants|beneficiaries)\b"
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def _names_a_place(folded: str, end: int, codes: tuple[str, ...]) -> bool:
    """True when a place-like audience word ending at `end` is followed by the name of a
    known municipality or province ("Comuni di Policoro", "Provincia di Cuneo")."""
    if not _PLACE_KINDS.intersection(codes):
        return False
    of = _OF.match(folded, end)
    return of is not None and place_name_at(folded, of.end())


def _in_a_list(text: str, offsets: list[int], previous_end: int | None, start: int) -> bool:
    """True when the words at folded `start` follow another audience (ending at folded
    `previous_end`) after nothing but a comma, semicolon or "e"/"o"."""
    if previous_end is None:
        return False
    gap = text[offsets[previous_end - 1] + 1 : offsets[start]]
    return _LIST_GAP.fullmatch(gap) is not None


_LIST_GAP = re.compile(r"\s*[,;/]?\s*(?:(?:e|ed|o|oppure|and|or)\s+)?", re.IGNORECASE)


def _sentence_before(text: str, pos: int) -> str:
    return _SENTENCE_END.split(text[:pos])[-1]


_ALWAYS_OK = {"pmi", "smes", "sme", "ngo", "ngos", "onlus", "mpmi", "afam", "cpia"}


def _acronym_ok(raw: str) -> bool:
    """Short words are acronyms only in capitals ("PA", "ETS"); a few are safe anyway, and
    whole words such as "comuni" or "scuola" are not acronyms at all."""
    low = raw.lower()
    if low in _ALWAYS_OK or raw.isupper():
        return True
    return low not in _ACRONYMS


_ACRONYMS = {
    *("ets", "aps", "odv", "pa", "asl", "asp", "ao", "aoo", "aou", "asd", "ssd", "ong"),
    *("irccs", "su"),
}


@cache
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
