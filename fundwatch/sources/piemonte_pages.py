"""Reading the three kinds of payload bandi.regione.piemonte.it serves: RSS feed, listing
page (teasers) and detail page. Pure functions from bytes to values; see `piemonte` for the
site card and the fetch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from fundwatch.errors import ParseError
from fundwatch.models import Call, Territory
from fundwatch.normalize import ROME, html_to_text, one_line
from fundwatch.normalize.text import decode_html
from fundwatch.sources.feeds import read_feed
from fundwatch.sources.guards import check_shape
from fundwatch.sources.site_defaults import territory

BASE_URL = "https://bandi.regione.piemonte.it"
ISSUER = "Regione Piemonte"

PayloadKind = Literal["feed", "listing", "detail"]

# The site's content types (section of the portal) and what they are for a reader.
_CALL_TYPES = {
    "contributi e finanziamenti": "grant",
    "gare d'appalto": "procurement",
    "nomine": "appointment",
    "concorsi, incarichi e stage": "recruitment",
    "avvisi pubblici e per beni regionali": "public_notice",
}
_SECTION_TYPES = {
    "contributi-finanziamenti": "grant",
    "gare-appalto": "procurement",
    "nomine": "appointment",
    "concorsi-incarichi-stage": "recruitment",
    "avvisi-beni-regionali": "public_notice",
}
_COUNT = re.compile(r"(\d[\d.]*)\s+risultat", re.I)
_PAGES = re.compile(r"pagina\s+(\d+)\s+di\s+(\d+)", re.I)


def soup_of(raw: bytes) -> BeautifulSoup:
    """A page of the site, parsed; bytes in the wrong encoding keep their characters."""
    return BeautifulSoup(decode_html(raw), "lxml")


def payload_kind(raw: bytes, soup: BeautifulSoup | None = None) -> PayloadKind | None:
    """Which of the site's payloads these bytes are, or None (an error page, something else)."""
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (head.startswith(b"<?xml") and b"<html" not in head) or head.startswith((b"<rss", b"<feed")):
        return "feed"
    soup = soup if soup is not None else soup_of(raw)
    if soup.select_one("article.node--view-mode-full") is not None:
        return "detail"
    if soup.select_one("div.view-id-ricerca, article.node--view-mode-teaser") is not None:
        return "listing"
    return None


def home_territories() -> tuple[Territory, ...]:
    """Regione Piemonte (NUTS ITC1): the territory of every call unless the page names one."""
    return (territory("ITC1"),)


def call_type_of(content_type: str, path: str) -> str:
    key = content_type.lower().replace("\u2019", "'").strip()
    if key in _CALL_TYPES:
        return _CALL_TYPES[key]
    return _SECTION_TYPES.get(path.split("/", 1)[0], "")


def source_path(url: str) -> str:
    """The call's key on this site: the URL path without slashes at the ends."""
    return unquote(urlsplit(url).path).strip("/")


# -- RSS ------------------------------------------------------------------------------------


def feed_calls(raw: bytes, source: str, url: str = "") -> list[Call]:
    """Calls from the site's RSS feed. Each description opens with the content type in
    ``<i><strong>`` and the status in ``<i>``, then a teaser paragraph; no dates but pubDate."""
    feed = read_feed(raw, url, ROME)
    readable = [it for it in feed.items if it.link and it.title]
    check_shape(len(readable), feed.found, None, url)
    calls = []
    for item in readable:
        soup = BeautifulSoup(item.description_html, "lxml")
        labels = [one_line(i.get_text()) for i in soup.find_all("i")]
        strong = soup.select_one("i strong")
        content_type = one_line(strong.get_text()) if strong else ""
        status = next((lab for lab in labels if lab and lab != content_type), "")
        for tag in soup.find_all("i"):
            tag.decompose()
        path = source_path(item.link)
        extra = {"content_type": content_type} if content_type else {}
        if item.published:
            extra["published"] = item.published.isoformat()
        calls.append(
            Call(
                source=source,
                source_id=path,
                url=item.link,
                titles={"it": item.title},
                summary=html_to_text(str(soup)),
                issuer=ISSUER,
                territories=home_territories(),
                stated_status=status,
                call_type=call_type_of(content_type, path),
                extra=extra,
            )
        )
    return calls


# -- listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Teaser:
    """One teaser of a listing page: everything the listing says about a call."""

    path: str
    url: str
    title: str
    status: str
    status_class: str
    procedure: str
    content_type: str
    themes: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        """Changes when the listing shows a change (title, status, procedure)."""
        return "|".join((self.title, self.status, self.status_class, self.procedure))


@dataclass(frozen=True)
class ListingPage:
    teasers: tuple[Teaser, ...]
    found: int
    """Teaser elements on the page, readable or not."""
    total: int | None
    """Results the header announces ("54 risultati"), when it does."""
    pages: int | None
    """Pages the header announces ("pagina 1 di 6"), when it does."""


def parse_listing(raw: bytes, url: str = "", soup: BeautifulSoup | None = None) -> ListingPage:
    """Read a listing page. ParseError when it is no listing at all (an error page served
    with 200); ShapeChanged when fewer than 80 % of the teasers can be read."""
    soup = soup if soup is not None else soup_of(raw)
    if payload_kind(raw, soup) != "listing":
        raise ParseError("not a listing page of bandi.regione.piemonte.it", url=url)
    articles = soup.select("article.node--view-mode-teaser")
    teasers = [t for t in (_teaser(a, url or BASE_URL) for a in articles) if t is not None]
    check_shape(len(teasers), len(articles), None, url)
    total = pages = None
    header = soup.select_one(".view-header")
    if header is not None:
        text = one_line(header.get_text(" "))
        if m := _COUNT.search(text):
            total = int(m.group(1).replace(".", ""))
        if m := _PAGES.search(text):
            pages = int(m.group(2))
    return ListingPage(tuple(teasers), len(articles), total, pages)


def _teaser(article: Tag, base: str) -> Teaser | None:
    anchor = article.select_one(".node-readmore a[href], h2 a[href], a[rel=tag][href]")
    href = str(article.get("about") or (anchor.get("href") if anchor else "") or "")
    title = heading(article, "h2")
    if not title and anchor is not None:
        title = one_line(str(anchor.get("title") or ""))
    if not href or not title:
        return None
    url = urljoin(base, href)
    status_el, status_class = status_element(article)
    return Teaser(
        path=source_path(url),
        url=url,
        title=title,
        status=first_item(status_el),
        status_class=status_class,
        procedure=first_item(article.select_one(".field--name-field-procedura")),
        content_type=first_item(article.select_one(".field--name-field-tipo-servizio")),
        themes=field_items(article.select_one(".field--name-field-temi")),
    )


def teaser_call(teaser: Teaser, source: str) -> Call:
    """What the listing alone says; the detail page adds dates, money, audiences, funds."""
    extra = {
        k: v
        for k, v in (
            ("procedure", teaser.procedure),
            ("content_type", teaser.content_type),
            ("status_class", teaser.status_class),
        )
        if v
    }
    return Call(
        source=source,
        source_id=teaser.path,
        url=teaser.url,
        titles={"it": teaser.title},
        issuer=ISSUER,
        territories=home_territories(),
        rolling="sportello" in teaser.procedure.lower(),
        stated_status=teaser.status,
        call_type=call_type_of(teaser.content_type, teaser.path),
        themes=teaser.themes,
        extra=extra,
    )


def status_element(scope: Tag) -> tuple[Tag | None, str]:
    for el in scope.select("[class*=stato-]"):
        for cls in el.get("class") or []:
            if cls.startswith("stato-"):
                return el, cls
    return None, ""


def field_items(el: Tag | None) -> tuple[str, ...]:
    if el is None:
        return ()
    values = (one_line(i.get_text(" ")) for i in el.select(".field__item"))
    return tuple(dict.fromkeys(v for v in values if v))


def first_item(el: Tag | None) -> str:
    items = field_items(el)
    return items[0] if items else ""


def field_text(el: Tag | None) -> str:
    if el is None:
        return ""
    item = el if "field__item" in (el.get("class") or []) else el.select_one(".field__item")
    return html_to_text(str(item if item is not None else el))


def heading(article: Tag, tag: str) -> str:
    """The display title; other headings of a node are field labels ("Procedura")."""
    heading = article.select_one(f".field--name-field-display-title {tag}")
    if heading is None:
        heading = article.select_one(f"{tag}:not(.field__label)")
    return one_line(heading.get_text()) if heading is not None else ""
