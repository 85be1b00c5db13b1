"""What a config-driven source gives every call it reads: language, issuer, the site's zone and
audience, territory and fund codes, all set in the ``params:`` of ``config/sources.yaml``.

`SiteDefaults` is the base of the params of the ``rss`` and ``wp_rest`` kinds. Each code is
checked against the shared vocabularies when the config is loaded, so that `fundwatch check`
names a typo and where it stands (``params.funds[1]``); `default_audiences`,
`default_territories` and `default_funds` turn the codes into model values. `territory`
converts one code and `known_zone` checks a zone name, for kinds with such fields of their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, field_validator

from fundwatch.models import Audience, Programme, Territory
from fundwatch.normalize.audiences import AUDIENCE_CODES
from fundwatch.normalize.dates import known_zone
from fundwatch.normalize.funds import FUNDS, fund_label, funds_from_text
from fundwatch.normalize.territories import ancestors, lookup
from fundwatch.sources.base import SourceParams

__all__ = ["SiteDefaults", "known_zone", "territory"]


def _known_audience(code: str) -> str:
    if code not in AUDIENCE_CODES:
        raise ValueError(f"unknown audience {code!r}; valid: {', '.join(AUDIENCE_CODES)}")
    return code


def _known_territory(code: str) -> str:
    """An Italian code the table knows, ``IT``, ``EU``, or a NUTS code of another EU country
    (known by its shape only, see `fundwatch.normalize.territories`)."""
    if lookup(code) is None and not ancestors(code):
        raise ValueError(
            f"unknown territory {code!r}: use a NUTS ('ITI4', or 'FR101' of another EU "
            "country), ISTAT ('058091') or ISO ('IT-TO') code, 'IT' or 'EU'"
        )
    return code


def _known_fund(name: str) -> str:
    """A canonical fund code, or a label the vocabulary reads ('FESR', 'FSE+')."""
    if name not in FUNDS and not funds_from_text(name):
        raise ValueError(
            f"unknown fund {name!r}; valid: {', '.join(FUNDS)}, or an Italian label such as "
            "'FESR' or 'FSE+'"
        )
    return name


AudienceCode = Annotated[str, AfterValidator(_known_audience)]
TerritoryCode = Annotated[str, AfterValidator(_known_territory)]
FundName = Annotated[str, AfterValidator(_known_fund)]


def territory(code: str) -> Territory:
    """A territory code as a Territory: labelled from the shared table when it is known (NUTS,
    ISTAT or ISO code of Italy, ``IT``, ``EU``); a code of another EU country as a country
    (``FR``) or a NUTS unit (``FR101``)."""
    info = lookup(code)
    if info is not None:
        return info.as_territory()
    upper = code.strip().upper()
    if len(upper) == 2 and upper.isalpha():
        return Territory(code=upper, scheme="country")
    return Territory(code=upper, scheme="nuts")


def _fund(name: str, lang: str) -> Programme:
    """A fund code or label as the shared vocabulary names it ("FESR" -> ERDF)."""
    if name in FUNDS:
        return Programme(code=name, label=fund_label(name, lang), kind="fund")
    found = funds_from_text(name, lang)
    if found:
        return found[0]
    return Programme(code=name, label=name, kind="fund")


class SiteDefaults(SourceParams):
    """Language, zone, issuer and the codes every call of a source gets."""

    language: str = Field(default="it", description="Language of titles and texts.")
    timezone: str = Field(
        default="Europe/Rome",
        description="The site's zone (IANA name): dates written without one are local time in it.",
    )
    issuer: str = Field(default="", description="Who publishes the calls, as shown to readers.")
    audiences: list[AudienceCode] = Field(
        default_factory=list,
        description="Audience codes every call of this source gets (shared vocabulary, "
        "e.g. 'impresa').",
    )
    territories: list[TerritoryCode] = Field(
        default_factory=list,
        description="Territory codes every call of this source gets: NUTS ('ITI4', or 'FR101' "
        "of another EU country), ISTAT ('058091'), ISO ('IT-TO'), 'IT', 'EU'.",
    )
    funds: list[FundName] = Field(
        default_factory=list,
        description="Funds every call of this source gets: codes ('ERDF', 'ESF+') or their "
        "Italian labels ('FESR', 'FSE+').",
    )
    detect_in_text: bool = Field(
        default=True,
        description="Also look for audiences, territories and funds in each call's text.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def default_audiences(self) -> list[Audience]:
        return [Audience(code=code) for code in self.audiences]

    def default_territories(self) -> list[Territory]:
        return [territory(code) for code in self.territories]

    def default_funds(self, lang: str) -> list[Programme]:
        """The configured funds (codes or labels) as the vocabulary names them, in `lang`."""
        return [_fund(name, lang) for name in self.funds]


class TypeRule(SourceParams):
    """Marks a call whose text matches one of `patterns` with `call_type`, so profiles can
    exclude procurement, auctions or job notices that share a site's listing of calls. Each kind
    adds `match_in`: which of its texts the patterns look at."""

    call_type: str = Field(min_length=1, description="e.g. 'procurement', 'other'.")
    patterns: list[str] = Field(
        min_length=1, description="Regular expressions, matched case-insensitively."
    )

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns

    def matches(self, texts: Mapping[str, str], parts: Sequence[str]) -> bool:
        haystack = "\n".join(texts.get(part, "") for part in parts)
        return any(re.search(p, haystack, re.I) for p in self.patterns)
