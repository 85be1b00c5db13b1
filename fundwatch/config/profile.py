"""Organisation profiles: ``config/profiles/<id>.yaml``, one organisation per file.

The file name (without ``.yaml``) is the default profile id. A profile says who the
organisation is (`organisation`), what it looks for (`interests`), what a call must satisfy
for it at all (`gates`) and how it wants to be told (`delivery`). Only `name` is required: a
profile with nothing else matches every open or forthcoming call that is not a tender.

Codes are checked when the file is loaded: the organisation type against the shared audience
vocabulary (`fundwatch.normalize.audiences`), the territory against the ISTAT/NUTS hierarchy
(`fundwatch.normalize.territories`), funds against the fund tags (`fundwatch.normalize.funds`,
so ``FSE+`` and ``ESF+`` are the same fund).
"""

from __future__ import annotations

from datetime import time as Time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from fundwatch.normalize.dates import known_zone

GateName = Literal[
    "status", "lead_time", "territory", "audience", "call_type", "grant_size", "cofinancing"
]
StatusName = Literal["open", "forthcoming", "closed"]
SectionName = Literal["new", "changed", "closing_soon", "closed", "health"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _audience(code: str) -> str:
    from fundwatch.normalize.audiences import AUDIENCE_CODES

    key = code.strip().lower()
    if key not in AUDIENCE_CODES:
        raise ValueError(
            f"unknown organisation type {code!r}; known: {', '.join(sorted(AUDIENCE_CODES))}"
        )
    return key


def _fund(tag: str) -> str:
    """A fund tag by code or label (``ESF+``, ``FSE+``, ``Fondo sociale europeo Plus``); a
    longer name is read like source text ("PR FSE+ 2021-2027") when it names one fund."""
    from fundwatch.normalize.funds import FUNDS, funds_from_text

    text = " ".join(tag.split())
    key = text.casefold()
    for fund in FUNDS.values():
        if key in (n.casefold() for n in (fund.code, fund.it, fund.en, fund.it_full, fund.en_full)):
            return fund.code
    found = funds_from_text(text) if " " in text else ()
    if len(found) == 1:
        return found[0].code
    raise ValueError(f"unknown fund {tag!r}; known: {', '.join(FUNDS)} (or FSE+, FESR, FEASR…)")


def _language(code: str) -> str:
    key = code.strip().lower()
    if len(key) != 2 or not key.isalpha():
        raise ValueError(f"language {code!r} is not a two-letter ISO 639-1 code")
    return key


AudienceCode = Annotated[str, AfterValidator(_audience)]
FundTag = Annotated[str, AfterValidator(_fund)]
LanguageCode = Annotated[str, AfterValidator(_language)]


class Organisation(_Strict):
    """Who the organisation is: what the eligibility and territory gates compare calls with."""

    type: AudienceCode | None = Field(
        default=None,
        description="What kind of applicant it is: a code of the audience vocabulary "
        "(comune, cooperativa_sociale, ente_terzo_settore, pmi…). A call open to a broader "
        "term (ente_pubblico, ente_locale, impresa…) counts as open to it.",
    )
    also: list[AudienceCode] = Field(
        default_factory=list,
        description="Further audience codes the organisation may apply as (e.g. a social "
        "cooperative that also applies as an impresa_sociale).",
    )
    territory: str | None = Field(
        default=None,
        description="Where it is: ISTAT municipality (001272), province (001 or 201), region "
        "(01) or NUTS code (ITC11, ITC1, BE10). A call covering an enclosing unit covers it.",
    )
    population: int | None = Field(
        default=None, ge=0, description="Inhabitants (municipalities) or members; informative."
    )
    languages: list[LanguageCode] = Field(
        default_factory=list,
        description="Languages it reads (ISO 639-1, e.g. [it, en]); keywords are looked for in "
        "call text written in these languages. Default: the profile's `language`.",
    )

    @field_validator("territory")
    @classmethod
    def _known_territory(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from fundwatch.normalize.territories import ancestors, lookup

        text = value.strip()
        info = lookup(text)
        if info is not None:
            return info.code
        if text.upper() == "EU" or ancestors(text):
            return text.upper()
        raise ValueError(
            f"unknown territory {value!r} (use an ISTAT code such as 001272, or a NUTS code "
            "such as ITC11)"
        )


class Keywords(_Strict):
    """Words looked for in the call's titles, summary, keywords and themes."""

    any: list[str] = Field(
        default_factory=list,
        description="A call is of interest when any of these terms appears (one or more words; "
        "plurals and accents do not matter).",
    )
    all: list[str] = Field(
        default_factory=list,
        description="Every one of these terms must appear, or the call is left out.",
    )
    none: list[str] = Field(
        default_factory=list,
        description="A call where any of these terms appears is left out.",
    )


class Interests(_Strict):
    """What the organisation looks for. A call must hit at least one of the positive
    interests (programmes, funds, themes, keywords.any, keywords.all, phrases) when any is
    given; with none given, every call passing the gates is of interest."""

    programmes: list[str] = Field(
        default_factory=list,
        description="Programmes or programme strands by code (43254019), abbreviation (EaSI, "
        "ESF+) or name (Horizon Europe); compared with the call's programme codes and labels.",
    )
    funds: list[FundTag] = Field(
        default_factory=list,
        description="Fund tags: ESF+ (= FSE+), ERDF (= FESR), FSC, PNRR, EAFRD (= FEASR), "
        "EMFAF, CF, JTF, AMIF, NATIONAL, REGIONAL.",
    )
    themes: list[str] = Field(
        default_factory=list,
        description="Themes, compared with the call's own theme and keyword tags "
        "(stemmed and accent-folded like keywords).",
    )
    keywords: Keywords = Field(
        default_factory=Keywords, description="Terms looked for in the call's text."
    )
    phrases: list[str] = Field(
        default_factory=list,
        description="Exact phrases (accent-folded, not stemmed), looked for in text of any "
        "language, e.g. 'Next Generation EU'.",
    )
    stemming: bool = Field(
        default=True,
        description="Compare word stems (Italian and English snowball stemmers), so that "
        "'impresa' finds 'imprese'. Accents are always folded ('attività' = 'attivita').",
    )
    min_score: int = Field(
        default=10,
        ge=0,
        le=100,
        description="Lowest relevance score (0-100) a call needs; 'fewer like this' feedback "
        "lowers the score of calls with the terms it names.",
    )


class Gates(_Strict):
    """Hard conditions: a call failing any of them is never matched, whatever its interest."""

    status: list[StatusName] = Field(
        default_factory=lambda: list[StatusName](["open", "forthcoming"]),
        description="Statuses (derived from the call's dates) a call may have.",
    )
    min_lead_days: int = Field(
        default=0,
        ge=0,
        description="Days that must remain before the next deadline (time to prepare an "
        "application); 0 = no minimum. Rolling calls without a deadline pass.",
    )
    territory: bool = Field(
        default=True,
        description="The call's territory must cover the organisation's (an EU call covers "
        "everyone, a Piemonte call covers Torino, a Lombardia call does not).",
    )
    audience: bool = Field(
        default=True, description="The organisation's type must be among the call's applicants."
    )
    exclude_call_types: list[str] = Field(
        default_factory=lambda: ["procurement", "tender", "appointment", "recruitment"],
        description="Call types left out (compared case-insensitively with the call's type): "
        "by default tenders (procurement, EU 'Tender'), appointments and job notices.",
    )
    grant_min_eur: Decimal | None = Field(
        default=None, ge=0, description="Smallest grant worth applying for, in euro."
    )
    grant_max_eur: Decimal | None = Field(
        default=None, ge=0, description="Largest grant the organisation can manage, in euro."
    )
    max_own_share: Decimal | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Highest co-financing share the organisation can carry (0..1): 0.2 leaves "
        "out calls that fund less than 80% of costs.",
    )
    unknown_facts: Literal["pass", "strict"] = Field(
        default="pass",
        description="A gate whose fact the call does not state (no territory, no applicants, "
        "no deadline…): 'pass' lets it through and flags it, 'strict' leaves it out.",
    )
    strict_on: list[GateName] = Field(
        default_factory=list,
        description="Gates treated as strict even when unknown_facts is 'pass'.",
    )

    @model_validator(mode="after")
    def _grant_range(self) -> Gates:
        if (
            self.grant_min_eur is not None
            and self.grant_max_eur is not None
            and self.grant_min_eur > self.grant_max_eur
        ):
            raise ValueError("grant_min_eur is larger than grant_max_eur")
        return self

    def strict(self, gate: str) -> bool:
        """True when an unknown fact for `gate` excludes the call."""
        return self.unknown_facts == "strict" or gate in self.strict_on


class Delivery(_Strict):
    """How and when the organisation is told. Recipients and language are top-level fields."""

    frequency: Literal["daily", "weekly", "monthly"] = Field(
        default="weekly", description="How often the digest is sent."
    )
    weekday: Weekday = Field(default="monday", description="Day of a weekly digest.")
    day_of_month: int = Field(default=1, ge=1, le=28, description="Day of a monthly digest (1-28).")
    time: Time = Field(
        default=Time(8, 0),
        description="Local time the digest is sent, HH:MM, in `timezone`.",
    )
    timezone: str | None = Field(
        default=None,
        description="The reader's IANA time zone (e.g. Europe/Brussels): digest times, "
        "deadlines in digests and calendar reminders are given in it. Default: the "
        "installation's `timezone`.",
    )
    feeds: bool = Field(default=True, description="Publish the Atom/RSS and iCalendar feeds.")
    private_feeds: bool = Field(
        default=False, description="Feed URLs carry an unguessable token instead of the id."
    )
    sections_off: list[SectionName] = Field(
        default_factory=list,
        description="Digest sections left out: new, changed, closing_soon, closed, health.",
    )
    closing_soon_days: int = Field(
        default=14, ge=1, le=365, description="Window of the 'closing soon' section, in days."
    )
    reminders: list[int] = Field(
        default_factory=lambda: [30, 7],
        description="Calendar reminders, in days before each deadline.",
    )
    empty_digest: Literal["skip", "send"] = Field(
        default="skip", description="With nothing to say: skip the digest, or send 'nothing new'."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else known_zone(value)

    @field_validator("reminders")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        for days in value:
            if days < 0 or days > 365:
                raise ValueError(f"reminder {days} is not between 0 and 365 days")
        return sorted(set(value), reverse=True)


class Profile(_Strict):
    """One organisation that receives digests and feeds."""

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Stable id used in feed URLs and message ids (a-z, 0-9, - and _).",
    )
    name: str = Field(min_length=1, description="The organisation's name as readers know it.")
    language: Literal["it", "en"] = Field(
        default="it", description="Language of digests, feeds and explanations."
    )
    recipients: list[EmailStr] = Field(
        default_factory=list, description="Addresses that receive the e-mail digest."
    )
    organisation: Organisation = Field(
        default_factory=Organisation, description="Who the organisation is."
    )
    interests: Interests = Field(default_factory=Interests, description="What it looks for.")
    gates: Gates = Field(default_factory=Gates, description="What a call must satisfy.")
    delivery: Delivery = Field(default_factory=Delivery, description="How it is told.")

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the organisation reads: `organisation.languages`, else `language`."""
        return tuple(self.organisation.languages) or (self.language,)
