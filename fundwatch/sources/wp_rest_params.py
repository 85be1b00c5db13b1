"""The ``params:`` block of a ``wp_rest`` source: everything that differs between WordPress
sites is data here, so a new site is a new entry in ``config/sources.yaml`` and no code.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from fundwatch.sources.base import SourceParams
from fundwatch.sources.site_defaults import SiteDefaults, TypeRule

__all__ = ["CallTypeRule", "ClassRule", "FieldMap", "StatusCode", "WpRestParams"]

StatusCode = Literal["open", "forthcoming", "closed", "withdrawn"]
ClassTarget = Literal[
    "audiences", "themes", "funds", "territories", "call_type", "instrument", "keywords", "status"
]
TextPart = Literal["title", "excerpt", "content"]


def _title_only() -> list[TextPart]:
    return ["title"]


def _all_texts() -> list[TextPart]:
    return ["title", "excerpt", "content"]


class FieldMap(SourceParams):
    """Where each value sits in a post object. Paths are dotted (``acf.data_scadenza``); a
    path that ends at a ``{"rendered": ...}`` object reads its ``rendered`` text."""

    id: str = Field(default="id", description="The post id (the call's source_id).")
    title: str = Field(default="title", description="The title (HTML, entities allowed).")
    link: str = Field(default="link", description="The public page of the call.")
    content: str = Field(default="content", description="The body (HTML); may be empty.")
    excerpt: str = Field(default="excerpt", description="The excerpt (HTML); may be empty.")
    type: str = Field(default="type", description="The post type (checked against post_types).")
    published_gmt: str = Field(
        default="date_gmt", description="Publication time in UTC (preferred when present)."
    )
    published: str = Field(
        default="date", description="Publication time in the site's zone (fallback)."
    )
    modified_gmt: str = Field(default="modified_gmt", description="Last change, in UTC.")
    modified: str = Field(default="modified", description="Last change, in the site's zone.")
    deadline: str | None = Field(
        default=None,
        description="A structured deadline (ACF/meta field, e.g. 'acf.data_scadenza'); the "
        "text cues are the fallback when it is absent or unreadable.",
    )
    opening: str | None = Field(
        default=None, description="A structured opening date (ACF/meta field), if any."
    )
    budget: str | None = Field(
        default=None, description="A structured budget amount (ACF/meta field), if any."
    )
    status: str | None = Field(
        default=None, description="A field holding the site's own status word, if any."
    )


class ClassRule(SourceParams):
    """Turns ``class_list`` slugs with a prefix into values: ``destinatari-piccole-imprese``
    with prefix ``destinatari-`` and target ``audiences`` gives the audience read from
    "piccole imprese"."""

    prefix: str = Field(min_length=1, description="Slug prefix, e.g. 'destinatari-'.")
    to: ClassTarget = Field(
        description="What the slugs give: audiences, funds, territories (through the shared "
        "vocabularies), themes, keywords, instrument, call_type, status."
    )
    map: dict[str, str] = Field(
        default_factory=dict,
        description="Explicit value per slug (the part after the prefix); beats the vocabulary.",
    )
    only_mapped: bool = Field(
        default=False, description="Ignore slugs that are not listed in `map`."
    )


class CallTypeRule(TypeRule):
    """A post re-classified by its texts (see `TypeRule`)."""

    match_in: list[TextPart] = Field(
        default_factory=_title_only, description="Which texts the patterns look at."
    )


class WpRestParams(SiteDefaults):
    base_url: str = Field(
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description="Site root, e.g. 'https://www.lazioinnova.it' (no /wp-json).",
    )
    route: str = Field(
        pattern=r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$",
        description="REST route of the post type, e.g. 'bandi' (may differ from the type).",
    )
    api_path: str = Field(
        default="wp-json/wp/v2", description="REST namespace path under the site root."
    )
    post_types: list[str] = Field(
        default_factory=list,
        description="Accepted values of the posts' `type` (Calabria: route 'bando', type "
        "'cem_procedure'); empty accepts any. Posts of other types are left out.",
    )
    query: dict[str, str | int] = Field(
        default_factory=dict,
        description="Extra query parameters (orderby, order, taxonomy filters); per_page and "
        "page are set by the kind.",
    )
    per_page: int = Field(default=100, ge=1, le=100, description="Posts per page (WP caps at 100).")
    max_pages: int = Field(
        default=20, ge=1, le=500, description="Most pages read; stopping earlier is incomplete."
    )
    call_type: str = Field(
        default="grant", description="call_type of posts no rule or taxonomy re-classifies."
    )
    fields: FieldMap = Field(default_factory=FieldMap, description="Where values sit in a post.")
    class_list: list[ClassRule] = Field(
        default_factory=list, description="class_list slug prefixes and what they give."
    )
    call_types: list[CallTypeRule] = Field(
        default_factory=list, description="Keyword rules that re-classify posts; first wins."
    )
    drop_call_types: list[str] = Field(
        default_factory=list,
        description="Call types left out of the results altogether (empty: keep and mark).",
    )
    text_parts: list[TextPart] = Field(
        default_factory=_all_texts,
        description="Texts read for vocabulary detection (detect_in_text); audiences are read "
        "there only when neither `audiences` nor the taxonomy give one.",
    )
    deadline_from_text: bool = Field(
        default=True,
        description="Find deadline, opening and 'a sportello' in excerpt, content and title "
        "by Italian/English cue words when no structured field gives them.",
    )
    status_words: dict[StatusCode, list[str]] = Field(
        default_factory=dict,
        description="Site words for the stated status (matched in the status field, status "
        "slugs and the title); the shared Italian/English status words always apply too.",
    )
    status_in_title: bool = Field(
        default=True, description="Read status words ('Chiuso', 'Esito') in the title."
    )

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("api_path")
    @classmethod
    def _trim(cls, value: str) -> str:
        return value.strip("/")

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/{self.api_path}/{self.route}"
