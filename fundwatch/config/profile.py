"""Organisation profiles: ``config/profiles/<id>.yaml``, one organisation per file.

The file name (without ``.yaml``) is the default profile id.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class Profile(BaseModel):
    """One organisation that receives digests and feeds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
