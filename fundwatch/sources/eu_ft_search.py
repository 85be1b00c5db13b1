"""Search API results to calls: read one page, fold the copies of a topic, build the Call.

One topic comes back several times: once per requested language (reference ``…TOPICSen``,
``…TOPICSes``) and as legacy ``SEDIA_PRD_CENTRICITY`` copies (reference ending in an epoch-ms
timestamp, `url` to the topicDetails JSON, `keywords` as one JSON string). All copies are
folded into one call keyed by `identifier`: titles per language, everything else from the
best copy (a current copy in the preferred language, else English, else any; a legacy copy
only when there is nothing else).

Untranslated copies: "es"/"ro" copies may carry the English text. When several languages
carry the very same title, it is kept once, under "en" (the portal's working language).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from fundwatch.errors import ParseError, ShapeChanged
from fundwatch.models import Call
from fundwatch.normalize import canonical_url, html_to_text
from fundwatch.sources.eu_ft_codes import status_label, type_label
from fundwatch.sources.eu_ft_common import (
    EU,
    deadlines,
    embedded_json,
    keyword_values,
    line,
    link_documents,
    opening_at,
    page_url,
    programmes,
    strings,
    terms,
    topic_budget,
)

_LEGACY_REFERENCE = re.compile(r"\d{13}$")


@dataclass(frozen=True)
class Page:
    """One search response: the announced total (None when absent) and its raw records."""

    total: int | None
    records: list[dict[str, Any]]


def read_page(raw: bytes, *, where: str, url: str | None = None) -> Page:
    """Decode one search response; ParseError (naming `where` and `url`) when it is not one."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ParseError(f"{where}: malformed JSON: {exc}", url=url) from exc
    if not isinstance(data, dict):
        raise ParseError(f"{where}: expected a JSON object, got {type(data).__name__}", url=url)
    results = data.get("results")
    if not isinstance(results, list):
        problem = "no 'results' list" if results is None else "'results' is not a list"
        raise ParseError(f"{where}: {problem} in the response", url=url)
    total = data.get("totalResults")
    if isinstance(total, str) and total.strip().isdigit():
        total = int(total)
    if not isinstance(total, int) or isinstance(total, bool):
        total = None
    return Page(total, [r for r in results if isinstance(r, dict)])


@dataclass(frozen=True)
class _Copy:
    record: dict[str, Any]
    md: dict[str, Any]
    lang: str
    legacy: bool
    reference: str

    def first(self, key: str) -> str:
        values = strings(self.md.get(key))
        return values[0] if values else ""


def _copy(record: dict[str, Any]) -> _Copy:
    md = record.get("metadata")
    md = md if isinstance(md, dict) else {}
    reference = str(record.get("reference") or "")
    datasource = strings(md.get("DATASOURCE")) + strings(md.get("datasource"))
    legacy = "SEDIA_PRD_CENTRICITY" in datasource or bool(_LEGACY_REFERENCE.search(reference))
    langs = strings(md.get("language")) or strings(record.get("language"))
    return _Copy(record, md, (langs[0] if langs else "en").lower(), legacy, reference)


def identified(records: list[dict[str, Any]]) -> int:
    """How many records carry a topic identifier (the rest cannot become calls)."""
    return sum(1 for r in records if _copy(r).first("identifier"))


def fold(records: list[dict[str, Any]], *, language: str, source_id: str) -> list[Call]:
    """One call per topic identifier, sorted by identifier.

    Records without an identifier are skipped; if there are records and none has one, the
    layout has changed (ShapeChanged) rather than the portal having no calls.
    """
    groups: dict[str, list[_Copy]] = {}
    for record in records:
        copy = _copy(record)
        identifier = copy.first("identifier")
        if identifier:
            groups.setdefault(identifier, []).append(copy)
    if records and not groups:
        raise ShapeChanged(f"none of the {len(records)} search results has an identifier")
    return [
        _call(identifier, copies, language, source_id)
        for identifier, copies in sorted(groups.items())
    ]


def _titles(copies: list[_Copy]) -> dict[str, str]:
    by_lang: dict[str, str] = {}
    for c in copies:
        # metadata title first; the result-level title (often null) and summary stand in
        fallback = strings(c.record.get("title")) + strings(c.record.get("summary"))
        title = line(c.first("title") or next(iter(fallback), ""))
        if title and c.lang not in by_lang:
            by_lang[c.lang] = title
    shared: dict[str, list[str]] = {}
    for lang, title in by_lang.items():
        shared.setdefault(title, []).append(lang)
    for title, langs in shared.items():
        if len(langs) < 2 or ("en" not in langs and "en" in by_lang):
            continue
        for lang in langs:
            del by_lang[lang]
        by_lang["en"] = title
    return dict(sorted(by_lang.items()))


def _actions(c: _Copy) -> list[dict[str, Any]]:
    actions = embedded_json(c.md.get("actions"))
    return [a for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []


def _from_actions(actions: list[dict[str, Any]], key: str, sub: str = "") -> list[Any]:
    values: list[Any] = []
    for action in actions:
        value = action.get(key)
        if sub:
            value = value.get(sub) if isinstance(value, dict) else None
        values.extend(value if isinstance(value, list) else [value] if value else [])
    return values


def _keywords(c: _Copy, exclude: list[str]) -> tuple[str, ...]:
    return terms(keyword_values(c.md.get("keywords")), exclude)


def _instrument(c: _Copy, actions: list[dict[str, Any]]) -> str:
    names = strings(c.md.get("typesOfAction"))
    if not names:
        for action_type in _from_actions(actions, "types"):
            if isinstance(action_type, dict):
                names += strings(action_type.get("typeOfAction"))
    return "; ".join(terms(names))


def _url(c: _Copy, identifier: str, type_code: str) -> str:
    """The topic page for grant topics; other kinds keep their own portal page if they give one."""
    own = c.first("url") or str(c.record.get("url") or "")
    if type_code not in ("", "1") and "/portal/screen/" in own:
        return canonical_url(own)
    return page_url(identifier, type_code)


def _call(identifier: str, copies: list[_Copy], preferred: str, source_id: str) -> Call:
    ordered = sorted(
        copies, key=lambda c: (c.legacy, c.lang != preferred, c.lang != "en", c.reference)
    )
    current = [c for c in ordered if not c.legacy] or ordered
    primary = current[0]
    titles = _titles(current) or {primary.lang: identifier}
    language = preferred if preferred in titles else "en" if "en" in titles else next(iter(titles))
    text = next((c for c in current if c.lang == language), primary)
    actions = _actions(primary)

    status_code = primary.first("status")
    stated = status_label(status_code) if status_code else ""
    if not stated:
        labels = [s for s in _from_actions(actions, "status", "abbreviation") if s]
        stated = str(labels[0]) if labels else ""
    model = primary.first("deadlineModel") or next(
        iter(_from_actions(actions, "submissionProcedure", "abbreviation")), ""
    )
    deadline_values: list[Any] = strings(primary.md.get("deadlineDate"))
    if not deadline_values:
        deadline_values = _from_actions(actions, "deadlineDates")
    opening = primary.first("startDate") or next(
        iter(_from_actions(actions, "plannedOpeningDate")), None
    )
    budget, expected_grants = topic_budget(
        embedded_json(primary.md.get("budgetOverview")), identifier
    )
    call_id = primary.first("callIdentifier")
    type_code = primary.first("type")
    extra = {
        "call_identifier": call_id,
        "call_title": line(text.first("callTitle") or primary.first("callTitle")),
        "deadline_model": model,
        "programme_period": primary.first("programmePeriod"),
        "type": type_code,
        "expected_grants": str(expected_grants) if expected_grants is not None else "",
        "conditions": html_to_text(
            text.first("topicConditions") or primary.first("topicConditions")
        ),
    }
    return Call(
        source=source_id,
        source_id=identifier,
        url=_url(primary, identifier, type_code),
        language=language,
        titles=titles,
        summary=html_to_text(text.first("descriptionByte") or primary.first("descriptionByte")),
        programmes=programmes(
            ((code, "") for code in strings(primary.md.get("frameworkProgramme"))),
            ((code, "") for code in strings(primary.md.get("programmeDivision"))),
        ),
        territories=(EU,),
        opens_at=opening_at(opening),
        deadlines=deadlines(deadline_values, model),
        stated_status=stated,
        budget=budget,
        instrument=_instrument(primary, actions),
        call_type=type_label(type_code) if type_code else "",
        identifiers=tuple(dict.fromkeys(i for i in (identifier, call_id) if i)),
        keywords=_keywords(primary, [identifier, call_id]),
        themes=terms(
            strings(primary.md.get("tags")) + strings(primary.md.get("crossCuttingPriorities"))
        ),
        documents=link_documents(embedded_json(primary.md.get("links"))),
        extra={k: v for k, v in extra.items() if v},
    )
