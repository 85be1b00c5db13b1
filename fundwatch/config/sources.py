"""Source instances: ``config/sources.yaml``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SourceConfig(BaseModel):
    """One source instance: a kind plus its parameters and schedule.

    `params` is checked against the kind's own params model when the file is loaded.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Stable identifier of the source."
    )
    kind: str = Field(description="Source kind (see `fundwatch check` for the list).")
    name: str = Field(default="", description="Human name shown in reports and digests.")
    enabled: bool = Field(default=True, description="Disabled sources are not fetched.")
    schedule: str = Field(
        default="every 6h",
        description="When to fetch: a cron expression ('0 6 * * *') or 'every N[m|h|d]'.",
    )
    authority: int = Field(
        default=50,
        ge=0,
        le=100,
        description="How much this source's dates are trusted when one call is seen on several "
        "sources: the issuer's own site (50, the default) over aggregators (e.g. 10).",
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Kind-specific parameters.")


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[SourceConfig] = Field(default_factory=list, description="The source instances.")
