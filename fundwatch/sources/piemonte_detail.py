"""Reading a detail page of bandi.regione.piemonte.it: dates, money, audiences, funds,
documents. A pure function from bytes to a Call; see `piemonte` for the site card.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from fundwatch.errors import ParseError
from fundwatch.models import Budget, Call, Deadline, Document, Programme
from fundwatch.normalize import ROME, one_line, parse_datetime, parse_eur
from fundwatch.normalize.audiences import audiences_from_text
from fundwatch.normalize.funds import funds_from_text
from fundwatch.normalize.territories import territories_from_text
from fundwatch.sources.piemonte_pages import (
    BASE_URL,
    ISSUER,
    call_type_of,
    field_items,
    field_text,
    first_item,
    heading,
    home_territories,
    soup_of,
    source_path,
    status_element,
)

# Attachment and link fields of a detail page, and the document kind each one holds.
_DOCUMENT_KINDS = {
    "field-testo-procedura": "call_text",
    "field-altri-allegati": "annex",
    "field-allegato-esito": "outcome",
    "field-chiarimenti": "faq",
    "field-faq": "faq",
    "field-altri-link": "link",
    "field-riferimento-burp": "official_journal",
}
_CUP = re.compile(r"\bCUP\s*:?\s*([A-Z]\d{2}[A-Z0-9]{12})\b")
_CIG = re.compile(r"\bCIG\s*:?\s*([A-Z0-9]{10})\b")


def detail_call(
    raw: bytes, source: str, url: str | None = None, soup: BeautifulSoup | None = None
) -> Call:
    """Read a detail page. `url` is where it was fetched from; without it the page's own
    canonical, og:url or share link is used. ParseError when it is no detail page."""
    soup = soup if soup is not None else soup_of(raw)
    article = soup.select_one("article.node--view-mode-full")
    if article is None:
        raise ParseError("not a detail page of bandi.regione.piemonte.it", url=url)
    page_url = url or _own_url(soup)
    if not page_url:
        raise ParseError("detail page without a URL of its own", url=url)
    title = heading(article, "h1")
    if not title and soup.title is not None:
        title = one_line(soup.title.get_text().split(" | ")[0])
    if not title:
        raise ParseError("detail page without a title", url=page_url)
    path = source_path(page_url)
    fields = _fields(article)
    status_el, status_class = status_element(article)
    procedure = first_item(article.select_one(".field--name-field-procedura"))
    content_type = first_item(article.select_one(".field--name-field-tipo-servizio"))
    kind_of_call = first_item(fields.get("field-tipologia-bando"))
    node_type = _node_type(article)
    pre_information = "preinformazione" in node_type or "pre-informazione" in status_class
    opens_at, opening_text = _opening(fields)
    deadlines = _deadlines(fields)
    rivolto = "; ".join(field_items(fields.get("field-target")))
    eligible = field_text(fields.get("field-chi-puo-partecipare"))
    audience_raw = rivolto or eligible
    area = field_text(fields.get("field-area-geografica"))
    territories = tuple(territories_from_text(area)) if area else ()
    funds_raw = "; ".join(field_items(fields.get("field-risorse")))
    subject = field_text(fields.get("field-oggetto-bando"))
    identifiers = [f"CUP:{m}" for m in _CUP.findall(subject)]
    identifiers += [f"CIG:{m}" for m in _CIG.findall(subject)]
    extra = {
        k: v
        for k, v in (
            ("procedure", procedure),
            ("content_type", content_type),
            ("status_class", status_class),
            ("node_type", node_type),
            ("node", _node_id(soup)),
            ("subject", subject),
            ("funds_raw", funds_raw),
            ("opening_text", opening_text),
            ("eligible", eligible if rivolto else ""),
            ("pre_information", "true" if pre_information else ""),
        )
        if v
    }
    return Call(
        source=source,
        source_id=path,
        url=page_url,
        titles={"it": title},
        summary=field_text(article.select_one(".field--name-body")),
        issuer=ISSUER,
        programmes=_funds(funds_raw),
        audiences=tuple(audiences_from_text(audience_raw)) if audience_raw else (),
        audience_raw=audience_raw,
        territories=territories or home_territories(),
        territory_raw=area,
        opens_at=opens_at,
        deadlines=deadlines,
        rolling="sportello" in procedure.lower(),
        stated_status=first_item(status_el) or status_class.removeprefix("stato-"),
        budget=Budget(total_eur=parse_eur(field_text(fields.get("field-importo")) or None)),
        call_type=call_type_of(kind_of_call or content_type, path),
        identifiers=tuple(dict.fromkeys(identifiers)),
        themes=field_items(fields.get("field-temi")),
        documents=_documents(article, page_url),
        extra=extra,
    )


def _funds(raw: str) -> tuple[Programme, ...]:
    found: dict[str, Programme] = {}
    for part in raw.split(";"):
        for fund in funds_from_text(part):
            found.setdefault(fund.code, fund)
    return tuple(found.values())


def _fields(article: Tag) -> dict[str, Tag]:
    """The page's Drupal fields by name (``field-data-scadenza``), the outermost of each."""
    out: dict[str, Tag] = {}
    for el in article.select("[class*=field--name-]"):
        for cls in el.get("class") or []:
            if cls.startswith("field--name-"):
                out.setdefault(cls.removeprefix("field--name-"), el)
    return out


def _opening(fields: dict[str, Tag]) -> tuple[datetime | None, str]:
    """The opening: "Domande dal" as a date; a pre-information page's free text ("metà Giugno
    2026") is kept as text and gives a date only when it names a day."""
    for name, el in fields.items():
        if "data-inizio" in name or "data-apertura" in name:
            when = _moment(el, end_of_day=False)
            text = "" if el.find("time") else first_item(el)
            return when, text
    return None, ""


def _deadlines(fields: dict[str, Tag]) -> tuple[Deadline, ...]:
    out = []
    for name, el in fields.items():
        if "scadenza" not in name:
            continue
        when = _moment(el, end_of_day=True)
        if when is not None:
            label_el = el.select_one(".field__label")
            label = one_line(label_el.get_text()) if label_el else "Scadenza"
            out.append(Deadline(at=when, label=label))
    return tuple(out)


def _moment(el: Tag, *, end_of_day: bool) -> datetime | None:
    """The field's date: the UTC ``<time datetime>`` first, else its local text, else None
    (free text such as "metà Giugno 2026" has no day and stays None)."""
    time_el = el.find("time")
    if isinstance(time_el, Tag):
        when = parse_datetime(str(time_el.get("datetime") or ""), ROME)
        if when is not None:
            return when
        return parse_datetime(one_line(time_el.get_text()), ROME, end_of_day=end_of_day)
    return parse_datetime(first_item(el) or None, ROME, end_of_day=end_of_day)


def _documents(article: Tag, page_url: str) -> tuple[Document, ...]:
    docs: dict[str, Document] = {}
    for anchor in article.select("span.file a[href], .field--type-link a[href]"):
        kind = ""
        for parent in anchor.parents:
            if parent is article:
                break
            for cls in parent.get("class") or []:
                name = cls.removeprefix("field--name-")
                if cls.startswith("field--name-") and name != "field-allegato":
                    kind = _DOCUMENT_KINDS.get(name, kind or "annex")
        href = urljoin(page_url, str(anchor.get("href")))
        title = one_line(anchor.get_text()) or href
        docs.setdefault(href, Document(title=title, url=href, kind=kind or "annex"))
    return tuple(docs.values())


def _own_url(soup: BeautifulSoup) -> str:
    for selector, attr in (
        ('link[rel="canonical"]', "href"),
        ('meta[property="og:url"]', "content"),
    ):
        el = soup.select_one(selector)
        if el is not None and el.get(attr):
            return urljoin(BASE_URL, str(el.get(attr)))
    share = soup.select_one("a.addtoany_share[href*='#url=']")
    if share is not None:
        fragment = urlsplit(str(share.get("href"))).fragment
        target = parse_qs(fragment).get("url")
        if target:
            return target[0]
    node = _node_id(soup)
    return f"{BASE_URL}/node/{node}" if node else ""


def _node_id(soup: BeautifulSoup) -> str:
    body = soup.body
    for cls in (body.get("class") or []) if body is not None else []:
        if m := re.fullmatch(r"page-node-(\d+)", cls):
            return m.group(1)
    return ""


def _node_type(article: Tag) -> str:
    for cls in article.get("class") or []:
        if cls.startswith("node--type-"):
            return cls.removeprefix("node--type-")
    return ""
