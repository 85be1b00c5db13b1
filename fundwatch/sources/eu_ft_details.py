"""Topic enrichment from the portal's per-topic JSON (``data/topicDetails/<identifier>.json``).

No real capture of this file is available to us. Its documented shape (as the portal's own
pages and several public clients read it) is ``{"TopicDetails": {...}}`` with HTML strings
`description` and `conditions`, plus `keywords` and `tags` lists; some clients see the object
unwrapped. The reader below takes either, ignores everything it does not know, and never
fails on a missing or oddly typed field. The URL takes the identifier in lower case, as the
portal's own pages request it.

Enrichment fills gaps only: the search record's description and conditions, when present,
are the same texts and stay. What a topic's details gave is cached together with the content
hash of the call it was fetched for, so a topic is fetched again only when it is new, when its
search record changed, or when it was never enriched.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

from fundwatch.errors import ParseError
from fundwatch.models import Call
from fundwatch.normalize import html_to_text
from fundwatch.sources.eu_ft_common import strings, terms

DETAILS_BASE = "https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/"


@dataclass(frozen=True)
class TopicDetails:
    description: str = ""
    conditions: str = ""
    keywords: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def details_url(base: str, identifier: str) -> str:
    return base.rstrip("/") + "/" + quote(identifier.lower(), safe="-_.") + ".json"


def parse_details(raw: bytes, *, url: str | None = None) -> TopicDetails:
    """Read one topicDetails body; ParseError when it is not a JSON object."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ParseError(f"topic details: malformed JSON: {exc}", url=url) from exc
    if not isinstance(data, dict):
        raise ParseError("topic details: expected a JSON object", url=url)
    inner = data.get("TopicDetails", data)
    topic: dict[str, Any] = inner if isinstance(inner, dict) else {}

    def html(key: str) -> str:
        value = topic.get(key)
        return html_to_text(value) if isinstance(value, str) else ""

    return TopicDetails(
        description=html("description"),
        conditions=html("conditions"),
        keywords=terms(strings(topic.get("keywords"))),
        tags=terms(strings(topic.get("tags"))),
    )


def enrich(call: Call, details: TopicDetails) -> Call:
    """The call with the gaps that `details` can fill filled; nothing it already has changes."""
    update: dict[str, Any] = {}
    if not call.summary and details.description:
        update["summary"] = details.description
    if not call.keywords and details.keywords:
        update["keywords"] = terms(details.keywords, call.identifiers)
    if not call.themes and details.tags:
        update["themes"] = details.tags
    if "conditions" not in call.extra and details.conditions:
        update["extra"] = {**call.extra, "conditions": details.conditions}
    return call.model_copy(update=update) if update else call


def cache_key(identifier: str) -> str:
    return f"topicDetails:{identifier}"


def dump_cached(basis: str, details: TopicDetails) -> bytes:
    """What the cache keeps: the hash of the call the details were fetched for, and the details."""
    body = {"basis": basis, **asdict(details)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def load_cached(value: bytes | None) -> tuple[str, TopicDetails] | None:
    """The cached (basis, details), or None when there is no readable entry."""
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("basis"), str):
        return None
    details = TopicDetails(
        description=str(data.get("description") or ""),
        conditions=str(data.get("conditions") or ""),
        keywords=tuple(strings(data.get("keywords"))),
        tags=tuple(strings(data.get("tags"))),
    )
    return data["basis"], details
