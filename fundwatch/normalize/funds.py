"""Fund tags: which pot of money finances a call, in one vocabulary for every source.

A Piemonte call says "PR FSE+ 2021-2027", Lazio writes ``fse-plus`` in a slug, the EU portal
says "European Social Fund Plus (ESF+)": `funds_from_text` maps all of them to the canonical
code ``ESF+`` so that a profile interested in ESF+ catches each. The codes are the English EU
acronyms; `fund_label` gives the Italian ones (FSE+, FESR, FEASR, FEAMPA…).

The 2014-2020 predecessors fold into their 2021-2027 successors: FSE -> ``ESF+``, FEAMP ->
``EMFAF``; FESR/ERDF and FEASR/EAFRD kept their names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from fundwatch.models import Programme
from fundwatch.normalize.territories import fold_with_offsets

__all__ = ["FUNDS", "Fund", "fund_label", "funds_from_text"]


@dataclass(frozen=True, slots=True)
class Fund:
    """One fund: canonical code, short and full labels in Italian and English."""

    code: str
    it: str
    en: str
    it_full: str
    en_full: str


# code | Italian short | English short | Italian name | English name
_TABLE = """
ESF+ | FSE+ | ESF+ | Fondo sociale europeo Plus | European Social Fund Plus
ERDF | FESR | ERDF | Fondo europeo di sviluppo regionale | European Regional Development Fund
FSC | FSC | FSC | Fondo per lo sviluppo e la coesione | Development and Cohesion Fund (Italy)
PNRR | PNRR | RRF | Piano nazionale di ripresa e resilienza | Recovery and Resilience Facility (Italian plan)
EAFRD | FEASR | EAFRD | Fondo europeo agricolo per lo sviluppo rurale | European Agricultural Fund for Rural Development
EAGF | FEAGA | EAGF | Fondo europeo agricolo di garanzia | European Agricultural Guarantee Fund
EMFAF | FEAMPA | EMFAF | Fondo europeo per gli affari marittimi, la pesca e l'acquacoltura | European Maritime, Fisheries and Aquaculture Fund
CF | FC | CF | Fondo di coesione | Cohesion Fund
JTF | JTF | JTF | Fondo per una transizione giusta | Just Transition Fund
AMIF | FAMI | AMIF | Fondo asilo, migrazione e integrazione | Asylum, Migration and Integration Fund
NATIONAL | Risorse nazionali | National funds | Risorse nazionali (Stato) | National funds
REGIONAL | Risorse regionali | Regional funds | Risorse regionali | Regional funds
"""  # noqa: E501

FUNDS: dict[str, Fund] = {
    cells[0]: Fund(*cells)
    for cells in ([c.strip() for c in line.split(" | ")] for line in _TABLE.strip().splitlines())
}
"""The vocabulary, by canonical code."""

# One rule a line: "CODE[*]: alternative | alternative ..." (regular expressions over folded
# text: lower case, no accents, punctuation as spaces, "+" kept). A "*" marks acronyms, which
# count only when the source wrote them in capitals, or as a lower-case slug ("fse-plus").
# A line starting with "|" goes on the rule above; earlier rules win on overlapping words.
_RULES_TEXT = r"""
ESF+: fondo sociale europeo(?: plus| \+|\+)? | european social fund(?: plus| \+)?
ESF+*: fse ?(?:plus|\+)? | f s e | esf ?(?:plus|\+)? | easi
ERDF: fondo europeo (?:di|per lo) sviluppo regionale | european regional development fund
ERDF*: fesr | f e s r | erdf
FSC: fondo (?:per lo )?sviluppo e (?:la )?coesione | accordo per la coesione
 | development and cohesion fund
FSC*: fsc
PNRR: piano nazionale (?:di|per la) ripresa e (?:la )?resilienza | next ?generation ?eu
 | recovery and resilience facility | dispositivo per la ripresa e la resilienza
 | missione [1-6](?: componente [1-3])? | m[1-6] ?c[1-4](?: ?i ?\d+(?: \d+)*)?
PNRR*: pnrr | rrf | ngeu
EAFRD: fondo europeo agricolo (?:per lo|di) sviluppo rurale | programma di sviluppo rurale
 | sviluppo rurale | european agricultural fund for rural development
EAFRD*: feasr | eafrd | psr | csr \d{4}(?: \d{2,4})?
EAGF: fondo europeo agricolo di garanzia | european agricultural guarantee fund
 | organizzazione comune dei mercati
EAGF*: feaga | feag | eagf | ocm
EMFAF: fondo europeo per gli affari marittimi(?: la pesca e l ?acquacoltura| e la pesca)?
 | european maritime(?: fisheries)? and (?:aquaculture|fisheries) fund
EMFAF*: feampa | feamp | emfaf | emff
CF: fondo di coesione | cohesion fund
CF*: (?<=erdf )cf | (?<=fesr )cf | cf(?= and jtf| e jtf)
JTF: fondo per una transizione giusta | just transition fund
JTF*: jtf
AMIF: fondo asilo migrazione e integrazione | asylum migration and integration fund
AMIF*: fami | amif
NATIONAL: fondi nazionali | risorse nazionali | risorse statali | fondi statali
 | bilancio dello stato | national funds | national budget
REGIONAL: fondi regionali | risorse regionali | risorse proprie regionali | bilancio regionale
 | fondo regionale | regional funds | regional budget
"""


def _parse_rules(text: str) -> tuple[tuple[str, str, bool], ...]:
    merged: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith(" |"):
            merged[-1] += line
        else:
            merged.append(line)
    out: list[tuple[str, str, bool]] = []
    for line in merged:
        head, _, body = line.partition(": ")
        pattern = "|".join(
            sorted((alt.strip() for alt in body.split(" | ")), key=len, reverse=True)
        )
        out.append((pattern, head.rstrip("*"), head.endswith("*")))
    return tuple(out)


_RULES = _parse_rules(_RULES_TEXT)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str, bool], ...]:
    return tuple((re.compile(rf"\b(?:{p})(?!\w)"), code, acr) for p, code, acr in _RULES)


def funds_from_text(text: str, lang: str = "it") -> tuple[Programme, ...]:
    """The funds named in `text` as ``Programme(code, label, kind="fund")``, in order of first
    appearance; `label` is the short label in `lang` (``FSE+`` in Italian, ``ESF+`` otherwise).

    "PR FSE+ 2021-2027", "Fse Plus", "FSE+", "Fondo Sociale Europeo Plus", "European Social Fund
    Plus" and "ESF+" all give ``ESF+``; "PR FESR" gives ``ERDF``; "PNRR" and "Missione 5" give
    ``PNRR``. Acronyms count in capitals (or as a lower-case slug like ``fse-plus``).
    """
    if not text or not text.strip():
        return ()
    folded, offsets = fold_with_offsets(text, keep="+")
    is_slug = " " not in text.strip()
    taken = [False] * len(folded)
    hits: list[tuple[int, str]] = []
    for pattern, code, acronym in _compiled():
        for m in pattern.finditer(folded):
            start, end = m.span()
            if any(taken[start:end]):
                continue
            raw = text[offsets[start] : offsets[end - 1] + 1]
            if acronym and not is_slug and not _capitalised(raw):
                continue
            for i in range(start, end):
                taken[i] = True
            hits.append((start, code))
    seen: dict[str, None] = {}
    for _, code in sorted(hits):
        seen.setdefault(code, None)
    return tuple(Programme(code=c, label=fund_label(c, lang), kind="fund") for c in seen)


def _capitalised(raw: str) -> bool:
    letters = [c for c in raw if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    # "FSE+", "Fse Plus", "EaSI", "PNRR": capitals in the acronym part
    return upper >= 2 or (bool(letters) and letters[0].isupper() and len(letters) >= 3)


def fund_label(code: str, lang: str = "it", *, full: bool = False) -> str:
    """The label of a fund code: short (``FSE+`` / ``ESF+``) or `full` ("Fondo sociale europeo
    Plus"), Italian for `lang` starting with "it", else English; unknown codes come back as
    they are."""
    fund = FUNDS.get(code)
    if fund is None:
        return code
    italian = lang.lower().startswith("it")
    if full:
        return fund.it_full if italian else fund.en_full
    return fund.it if italian else fund.en
