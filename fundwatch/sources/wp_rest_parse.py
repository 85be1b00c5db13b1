"""Pure reading of WordPress REST pages: bytes -> posts -> calls, with no I/O and no clock.

`read_page` turns the bytes of one ``/wp-json/wp/v2/<route>`` answer into post objects and
refuses what is not one (an HTML page, a WordPress error object, broken JSON) with a
ParseError naming the URL. `posts_to_calls` maps posts to calls under a `WpRestParams`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from fundwatch.errors import ParseError
from fundwatch.models import Audience, Budget, Call, Deadline, Document, Programme, Territory
from fundwatch.normalize import html_to_text, one_line, parse_datetime, parse_eur
from fundwatch.normalize.audiences import audiences_from_text
from fundwatch.normalize.cues import find_deadline, find_opening, status_from_words
from fundwatch.normalize.funds import fund_label, funds_from_text
from fundwatch.normalize.territories import lookup, territories_from_text
from fundwatch.sources.wp_rest_params import ClassRule, WpRestParams

__all__ = ["PageResult", "posts_to_calls", "read_page"]

_WHITESPACE = " \t\r\n\ufeff\u00a0"
_FILE_LINK = re.compile(r"\.(pdf|docx?|xlsx?|odt|ods|zip|rar|p7m|rtf)$", re.I)
_SUMMARY_MAX = 600
_MORE = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*$")  # the tail of WordPress's automatic excerpts


@dataclass
class PageResult:
    """The calls read from some posts, and how many posts there were and could be read."""

    calls: list[Call] = field(default_factory=list)
    found: int = 0
    readable: int = 0
    skipped_types: int = 0
    dropped: int = 0


def read_page(raw: bytes, url: str) -> list[dict[str, Any]]:
    """The post objects in one REST answer. Leading whitespace and a BOM are tolerated."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"the answer is not UTF-8: {exc}", url=url) from exc
    text = text.lstrip(_WHITESPACE)
    if not text:
        raise ParseError("empty answer instead of a JSON array of posts", url=url)
    if text.startswith("<"):
        raise ParseError("an HTML page came back instead of JSON", url=url)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"malformed JSON: {exc}", url=url) from exc
    if isinstance(data, dict):
        if "code" in data and "message" in data:
            raise ParseError(f"WordPress error {data['code']!r}: {data['message']}", url=url)
        raise ParseError("a JSON object came back instead of an array of posts", url=url)
    if not isinstance(data, list):
        raise ParseError(f"expected a JSON array of posts, got {type(data).__name__}", url=url)
    return [item if isinstance(item, dict) else {} for item in data]


def posts_to_calls(
    posts: Sequence[Mapping[str, Any]], params: WpRestParams, source_id: str
) -> PageResult:
    """Map posts to calls. A post without id, title or link is counted as unreadable; posts of
    a type not in `post_types` and posts whose call type is dropped are left out."""
    result = PageResult(found=len(posts))
    for post in posts:
        call = _post_to_call(post, params, source_id)
        if call is None:
            continue
        result.readable += 1
        if params.post_types and _text(_get(post, params.fields.type)) not in params.post_types:
            result.skipped_types += 1
            continue
        if call.call_type in params.drop_call_types:
            result.dropped += 1
            continue
        result.calls.append(call)
    return result


# -- one post ---------------------------------------------------------------------------------


@dataclass
class _Classes:
    audiences: list[Audience] = field(default_factory=list)
    audience_raw: list[str] = field(default_factory=list)
    funds: list[Programme] = field(default_factory=list)
    territories: list[Territory] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    instrument: list[str] = field(default_factory=list)
    call_type: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)


def _post_to_call(post: Mapping[str, Any], params: WpRestParams, source_id: str) -> Call | None:
    f = params.fields
    post_id = _text(_get(post, f.id))
    title = one_line(html_to_text(_text(_get(post, f.title))))
    link = _text(_get(post, f.link)) or _text(_get(post, "guid"))
    if link.startswith("/"):
        link = urljoin(params.base_url + "/", link)
    if not post_id or not title or not link.startswith(("http://", "https://")):
        return None
    zone = params.zone
    excerpt = html_to_text(_text(_get(post, f.excerpt)))
    content_html = "" if _protected(post) else _text(_get(post, f.content))
    content = html_to_text(content_html)
    texts = {"title": title, "excerpt": excerpt, "content": content}
    classes = _read_classes(post, params.class_list, params.language)

    deadline_at = parse_datetime(_scalar(_get(post, f.deadline)), zone, end_of_day=True)
    opens_at = parse_datetime(_scalar(_get(post, f.opening)), zone)
    extra: dict[str, str] = {}
    rolling = False
    if params.deadline_from_text:
        for part in (excerpt, content, title):
            cue = find_deadline(part, zone)
            rolling = rolling or cue.rolling
            if deadline_at is None and cue.deadline is not None:
                deadline_at = cue.deadline
                extra["deadline_evidence"] = cue.evidence
        for part in (excerpt, content):
            if opens_at is not None:
                break
            opening = find_opening(part, zone)
            if opening.opens_at is not None:
                opens_at = opening.opens_at
                extra["opening_evidence"] = opening.evidence

    audiences = params.default_audiences() + classes.audiences
    funds = params.default_funds(params.language) + classes.funds
    territories = params.default_territories() + classes.territories
    if params.detect_in_text:
        detected = "\n".join(texts[part] for part in params.text_parts)
        if not audiences:
            audiences += audiences_from_text(detected)
        funds += funds_from_text(detected, params.language)
        territories += territories_from_text(detected)

    published = _when(post, f.published_gmt, f.published, params)
    modified = _when(post, f.modified_gmt, f.modified, params)
    for key, value in (("published_at", published), ("modified_at", modified)):
        if value is not None:
            extra[key] = value.isoformat()
    wp_type = _text(_get(post, f.type))
    if wp_type:
        extra["wp_type"] = wp_type

    return Call(
        source=source_id,
        source_id=post_id,
        url=link,
        language=params.language,
        titles={params.language: title},
        summary=_summary(excerpt, content),
        issuer=params.issuer,
        programmes=tuple(_unique(funds, lambda p: p.code)),
        audiences=tuple(_unique(audiences, lambda a: a.code)),
        audience_raw="; ".join(classes.audience_raw),
        territories=tuple(_unique(territories, lambda t: (t.scheme, t.code))),
        opens_at=opens_at,
        deadlines=(Deadline(at=deadline_at),) if deadline_at else (),
        rolling=rolling,
        stated_status=_stated_status(post, params, classes, title) or "",
        budget=Budget(total_eur=parse_eur(_scalar(_get(post, f.budget)))),
        instrument=classes.instrument[0] if classes.instrument else "",
        call_type=_call_type(params, classes, texts),
        keywords=tuple(_unique(classes.keywords, str)),
        themes=tuple(_unique(classes.themes, str)),
        documents=tuple(_documents(content_html, link)),
        extra=extra,
    )


def _read_classes(post: Mapping[str, Any], rules: Sequence[ClassRule], lang: str) -> _Classes:
    out = _Classes()
    slugs = [s for s in _strings(post.get("class_list")) if s]
    for rule in rules:
        for slug in slugs:
            if not slug.startswith(rule.prefix) or slug == rule.prefix:
                continue
            rest = slug[len(rule.prefix) :]
            mapped = rule.map.get(rest)
            if mapped is None and rule.only_mapped:
                continue
            human = rest.replace("-", " ").replace("_", " ").strip()
            _apply(out, rule, mapped, human, lang)
    return out


def _apply(out: _Classes, rule: ClassRule, mapped: str | None, human: str, lang: str) -> None:
    if rule.to == "audiences":
        out.audience_raw.append(human)
        if mapped is not None:
            out.audiences.append(Audience(code=mapped, raw=human))
        else:
            out.audiences += audiences_from_text(human)
    elif rule.to == "funds":
        if mapped is not None:  # a map's values are not checked: a fund is kept as written
            out.funds.append(Programme(code=mapped, label=fund_label(mapped, lang), kind="fund"))
        else:
            out.funds += funds_from_text(human, lang)
    elif rule.to == "territories":
        if mapped is None:
            out.territories += territories_from_text(human)
        elif (unit := lookup(mapped)) is not None:  # an unknown code gives nothing
            out.territories.append(unit.as_territory())
    elif rule.to == "status":
        word = mapped if mapped is not None else status_from_words(human)
        if word:
            out.status.append(word)
    else:
        getattr(out, rule.to).append(mapped if mapped is not None else human)


def _stated_status(
    post: Mapping[str, Any], params: WpRestParams, classes: _Classes, title: str
) -> str | None:
    """The site's own status: a status field, then status slugs, then words in the title."""
    field_text = one_line(html_to_text(_text(_get(post, params.fields.status))))
    found = _status_words(field_text, params)
    if found:
        return found
    if classes.status:
        return classes.status[0]
    return _status_words(title, params) if params.status_in_title else None


def _status_words(text: str, params: WpRestParams) -> str | None:
    if not text:
        return None
    lowered = text.lower()
    for code, words in params.status_words.items():
        if any(re.search(rf"\b{re.escape(w.lower())}\b", lowered) for w in words):
            return code
    return status_from_words(text)


def _call_type(params: WpRestParams, classes: _Classes, texts: Mapping[str, str]) -> str:
    for rule in params.call_types:
        if rule.matches(texts, rule.match_in):
            return rule.call_type
    return classes.call_type[0] if classes.call_type else params.call_type


def _documents(content_html: str, base: str) -> list[Document]:
    """Links to files (PDF, office documents, archives) in the body."""
    if "<a" not in content_html:
        return []
    docs: list[Document] = []
    seen: set[str] = set()
    for anchor in BeautifulSoup(content_html, "lxml").find_all("a", href=True):
        href = urljoin(base, str(anchor["href"]).strip())
        path = urlsplit(href).path
        match = _FILE_LINK.search(path)
        if match is None or href in seen:
            continue
        seen.add(href)
        label = one_line(anchor.get_text()) or path.rsplit("/", 1)[-1]
        docs.append(Document(title=label, url=href, kind=match.group(1).lower()))
    return docs


def _summary(excerpt: str, content: str) -> str:
    text = _MORE.sub("", one_line(excerpt)) or one_line(content)
    if len(text) <= _SUMMARY_MAX:
        return text
    cut = text[:_SUMMARY_MAX].rsplit(" ", 1)[0]
    return cut + " …"


def _when(
    post: Mapping[str, Any], gmt_path: str, local_path: str, params: WpRestParams
) -> datetime | None:
    """`date_gmt` is UTC; `date` is the site's local time. Prefer the first."""
    gmt = _scalar(_get(post, gmt_path))
    if gmt:
        when = parse_datetime(gmt if _has_zone(gmt) else f"{gmt}Z")
        if when is not None:
            return when
    return parse_datetime(_scalar(_get(post, local_path)), params.zone)


def _has_zone(value: str) -> bool:
    return bool(re.search(r"(Z|[+-]\d{2}:?\d{2})$", value.strip()))


def _protected(post: Mapping[str, Any]) -> bool:
    content = post.get("content")
    return isinstance(content, dict) and content.get("protected") is True


def _get(post: Mapping[str, Any], path: str | None) -> Any:
    """The value at a dotted path; a ``{"rendered": ...}`` object gives its text."""
    if not path:
        return None
    value: Any = post
    for key in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    if isinstance(value, Mapping) and "rendered" in value:
        value = value["rendered"]
    return value


def _scalar(value: Any) -> str | None:
    if value is None or value is False or isinstance(value, Mapping):
        return None
    if isinstance(value, list):
        parts = [str(v) for v in value if isinstance(v, str | int | float) and v != ""]
        return parts[0] if parts else None
    text = str(value).strip()
    return text or None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value if _text(v))
    return ""


def _strings(value: Any) -> list[str]:
    """A list of strings from a list, a space-separated string or an object whose values are
    the strings (PHP encodes a list with gaps in its keys as an object)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str)]
    return []


T = TypeVar("T")


def _unique(items: Iterable[T], key: Any) -> list[T]:
    seen: set[Any] = set()
    out: list[T] = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out
