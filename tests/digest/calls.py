"""Calls for digest tests, built from the values of real recorded payloads.

- EU ESF+ topics: ../../fixtures/eu_ft/mn_grants_feed_2026-08-22_esf_records.json (titles,
  identifiers, topic URLs, startDate/deadlineDate, totalBudgetEur, programme 43254019 and
  division 43254027 "Employment and Social Innovation (EaSI)").
- Regione Piemonte: ../../fixtures/piemonte/piemonte_detail_esito_150489.html (IeFP 2026/2030:
  "Domande dal" 2026-07-23T07:00:00Z, "Scadenza" 2026-07-30T15:00:00Z, "Dotazione finanziaria
  126.110.000,00 euro", Risorse "Fse Plus") and piemonte_detail_aperto_18454.html (Contratto di
  insediamento, "Bando a sportello", "Domande dal" 2024-05-24T07:00:00Z, € 10.605.000,00).

- incentivi.gov.it: IEFP_INCENTIVI is the IeFP call as the national aggregator lists it, in the
  shape of ../../fixtures/incentivi/mayai_incentivi_solr_docs_wrapped_first3.json: the close
  day as the end of the local day (2026-07-30T21:59:59Z, not the region's 17:00), the opening
  day as local midnight in UTC, the region's page as its "Link istituzionale" (official_url),
  the fund its regrouping gives.

`NOW` sits on the day of the newest item of the recorded Piemonte RSS (17 September 2026).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from fundwatch.models import Audience, Budget, Call, Deadline, Programme, Territory

NOW = datetime(2026, 9, 17, 6, 0, tzinfo=UTC)

_ESF = Programme(code="43254019", label="European Social Fund   (ESF) ")
_EASI = Programme(code="43254027", label="Employment and Social Innovation (EaSI)", kind="division")
_ESF_FUND = Programme(code="ESF+", label="ESF+", kind="fund")
_TOPIC = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"


def eu_topic(
    identifier: str,
    title: str,
    start: str,
    deadline: str,
    budget: int,
    status: str = "Open for submission",
) -> Call:
    return Call(
        source="eu-esf",
        source_id=identifier,
        url=_TOPIC + identifier,
        language="en",
        titles={"en": title},
        issuer="European Commission",
        programmes=(_ESF, _EASI, _ESF_FUND),
        territories=(Territory(code="EU", scheme="eu"),),
        opens_at=datetime.fromisoformat(start),
        deadlines=(Deadline(at=datetime.fromisoformat(deadline)),),
        stated_status=status,
        budget=Budget(total_eur=Decimal(budget)),
        identifiers=(identifier,),
        call_type="ESF Project Grants",
    )


TCS = eu_topic(
    "ESF-2026-AG-TCS",
    "Transaction Costs Support for social finance intermediaries",
    "2026-06-18T00:00:00+00:00",
    "2026-09-23T00:00:00+00:00",
    4_700_000,
)
POW = eu_topic(
    "ESF-2026-POW",
    "Posting of workers: enhancing administrative cooperation and access to information",
    "2026-04-30T00:00:00+00:00",
    "2026-10-06T00:00:00+00:00",
    4_000_000,
)
INCUBATION = eu_topic(
    "ESF-2026-SE-INCUBATION",
    "Inclusive Incubation and Finance for More Entrepreneurs",
    "2026-05-28T00:00:00+00:00",
    "2026-09-02T00:00:00+00:00",
    1_500_000,
)
PEP = eu_topic(
    "ESF-2027-PEP-ENGAGEMENT",
    "Structured dialogue with people with lived experience of poverty",
    "2026-09-01T00:00:00+00:00",
    "2026-10-29T00:00:00+00:00",
    900_000,
    status="Forthcoming",
)

IEFP = Call(
    source="piemonte-fse",
    source_id="autorizzazione-finanziamento-offerta-formativa-iefp-ciclo-formativo-20262030",
    url="https://bandi.regione.piemonte.it/contributi-finanziamenti/"
    "autorizzazione-finanziamento-offerta-formativa-iefp-ciclo-formativo-20262030",
    language="it",
    titles={
        "it": "Autorizzazione e finanziamento offerta formativa di IeFP – ciclo formativo 2026/2030"
    },
    issuer="Regione Piemonte",
    programmes=(Programme(code="ESF+", label="Fse Plus", kind="fund"),),
    audiences=(
        Audience(code="cittadini", raw="Cittadini"),
        Audience(code="imprese", raw="Imprese e liberi professionisti"),
    ),
    territories=(Territory(code="ITC1", label="Piemonte"),),
    opens_at=datetime(2026, 7, 23, 7, 0, tzinfo=UTC),
    deadlines=(Deadline(at=datetime(2026, 7, 30, 15, 0, tzinfo=UTC)),),
    stated_status="Esito",
    budget=Budget(total_eur=Decimal("126110000.00")),
    themes=("Formazione professionale",),
)

INSEDIAMENTO = Call(
    source="piemonte-fse",
    source_id="contratto-insediamento-attrazione-investimenti-piemonte-grandi-imprese-anno-2024",
    url="https://bandi.regione.piemonte.it/contributi-finanziamenti/"
    "contratto-insediamento-attrazione-investimenti-piemonte-grandi-imprese-anno-2024",
    language="it",
    titles={
        "it": "Contratto di insediamento - Attrazione di investimenti in Piemonte - Grandi "
        "imprese - anno 2024"
    },
    issuer="Regione Piemonte",
    audiences=(Audience(code="imprese", raw="Imprese e liberi professionisti"),),
    territories=(Territory(code="ITC1", label="Piemonte"),),
    opens_at=datetime(2024, 5, 24, 7, 0, tzinfo=UTC),
    rolling=True,
    stated_status="Aperto",
    budget=Budget(total_eur=Decimal("10605000.00")),
    themes=("Sviluppo",),
)

IEFP_INCENTIVI = Call(
    source="incentivi",
    source_id="5120",
    url="https://www.incentivi.gov.it/it/catalogo/iefp-ciclo-formativo-2026-2030",
    language="it",
    titles={
        "it": "REGIONE PIEMONTE - Autorizzazione e finanziamento dell'offerta formativa IeFP, "
        "ciclo formativo 2026/2030"
    },
    issuer="Regione Piemonte",
    programmes=(Programme(code="ESF+", label="FSE+", kind="fund"),),
    territories=(Territory(code="ITC1", label="Piemonte"),),
    opens_at=datetime(2026, 7, 22, 22, 0, tzinfo=UTC),
    deadlines=(Deadline(at=datetime(2026, 7, 30, 21, 59, 59, tzinfo=UTC)),),
    budget=Budget(total_eur=Decimal("126110000.00")),
    extra={"official_url": IEFP.url},
)

EVIL_TITLE = '<script>alert("x")</script><b>Bando</b> & <img src=x onerror=alert(1)>'


def evil(call: Call) -> Call:
    """The same call with markup in its title, as a hostile or broken source could send."""
    return call.model_copy(update={"titles": {call.language: EVIL_TITLE}})
