"""Regione Lombardia "Bandi Online" detail pages: the second hop of the `socrata` kind.

Page: ``https://www.bandi.regione.lombardia.it/servizi/servizio/bandi/dettaglio/<codice>``
(the portal also answers the longer ``…/dettaglio/<area>/<topic>/<slug>-<codice>`` form).
It carries what the open-data row lacks: the closing hour, the latest extension, the status
chip, the funding source and who may apply.

What the page looks like (fixture: tests/fixtures/lombardia/, the ``detail_fragments`` of the
recorded wrapper):

- status chip ``<div class="chip … bg-success-state"><span class="chip-label">Aperto</span>``
  and a hidden ``<input class="checkCloseDate" value="2026-09-07 12:00">``;
- ``Scade il: <strong data-entity="chiusura"> 07/09/2026 ,</strong> ore 12:00``: date and
  time split, stray spaces; the same for ``pubblicazione`` and ``apertura``; every date is
  there twice (mobile and desktop blocks);
- ``<small>Fonti di finanziamento</small>`` followed by a ``div.row`` of ``<span>`` labels;
- "Chi può partecipare": the ``#partecipanti`` collapse body;
- an unknown code answers 200 with an "Errore" page.

A date written twice with two different values is not trusted: the field is left out and the
disagreement is kept in `conflicts` (the open-data date then stands).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from fundwatch.models import Call, Deadline
from fundwatch.normalize import ROME, html_to_text, one_line, parse_datetime
from fundwatch.normalize.audiences import audiences_from_text
from fundwatch.normalize.funds import funds_from_text

__all__ = ["BandiOnlineDetail", "apply_detail", "parse_detail"]

_STATE_CHIP = re.compile(r"\bbg-\w+-state\b")
_ERROR_TITLE = re.compile(r"^\s*Errore\b", re.I)


@dataclass(frozen=True)
class BandiOnlineDetail:
    """What one detail page says. Datetimes are aware UTC; empty values mean "not on the page"."""

    status_label: str = ""
    published: datetime | None = None
    opens_at: datetime | None = None
    deadline: datetime | None = None
    funding: tuple[str, ...] = ()
    eligibility: str = ""
    eligibility_lead: str = ""
    conflicts: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "status_label": self.status_label,
                "published": _iso(self.published),
                "opens_at": _iso(self.opens_at),
                "deadline": _iso(self.deadline),
                "funding": list(self.funding),
                "eligibility": self.eligibility,
                "eligibility_lead": self.eligibility_lead,
                "conflicts": list(self.conflicts),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> BandiOnlineDetail:
        data = json.loads(text)
        return cls(
            status_label=str(data.get("status_label", "")),
            published=_from_iso(data.get("published")),
            opens_at=_from_iso(data.get("opens_at")),
            deadline=_from_iso(data.get("deadline")),
            funding=tuple(str(f) for f in data.get("funding", ())),
            eligibility=str(data.get("eligibility", "")),
            eligibility_lead=str(data.get("eligibility_lead", "")),
            conflicts=tuple(str(c) for c in data.get("conflicts", ())),
        )


def parse_detail(html: str) -> BandiOnlineDetail | None:
    """Read a detail page (or fragments of one). None for the portal's "Errore" page and for
    a page that carries none of the blocks above (a layout change the caller reports)."""
    soup = BeautifulSoup(html, "lxml")
    title = soup.find("title")
    if title is not None and _ERROR_TITLE.match(title.get_text()):
        return None
    conflicts: list[str] = []
    dates = {
        entity: _one_value(entity, _entity_dates(soup, entity), conflicts)
        for entity in ("pubblicazione", "apertura", "chiusura")
    }
    closing = _hidden_close_dates(soup) + ([dates["chiusura"]] if dates["chiusura"] else [])
    deadline = _one_value("chiusura", closing, conflicts)
    eligibility, lead = _eligibility(soup)
    detail = BandiOnlineDetail(
        status_label=_status_label(soup),
        published=dates["pubblicazione"],
        opens_at=dates["apertura"],
        deadline=deadline,
        funding=_funding(soup),
        eligibility=eligibility,
        eligibility_lead=lead,
        conflicts=tuple(dict.fromkeys(conflicts)),
    )
    if detail == BandiOnlineDetail():
        return None
    return detail


def apply_detail(call: Call, detail: BandiOnlineDetail) -> Call:
    """The call with what the page adds. The page's dates win over the open-data ones (they
    carry the hour and the latest extension); audiences and funds come from the page text.
    An open chip on a call without any closing date means a rolling ("a sportello") call."""
    update: dict[str, object] = {}
    extra = dict(call.extra)
    if detail.status_label:
        update["stated_status"] = detail.status_label
    if detail.deadline is not None:
        update["deadlines"] = (Deadline(at=detail.deadline),)
    if detail.opens_at is not None:
        update["opens_at"] = detail.opens_at
    if detail.published is not None:
        extra["published"] = detail.published.isoformat()
    if detail.funding:
        extra["funding"] = "; ".join(detail.funding)
        found = funds_from_text("; ".join(detail.funding))
        update["programmes"] = tuple(dict.fromkeys((*call.programmes, *found)))
    if detail.eligibility:
        update["audience_raw"] = detail.eligibility
        update["audiences"] = audiences_from_text(detail.eligibility_lead or detail.eligibility)
    if detail.conflicts:
        extra["detail_conflicts"] = "; ".join(detail.conflicts)
    has_deadline = bool(update.get("deadlines", call.deadlines))
    if not has_deadline and detail.status_label.strip().lower() == "aperto":
        update["rolling"] = True
    update["extra"] = extra
    return call.model_copy(update=update)


# -- internals ------------------------------------------------------------------------------


def _entity_dates(soup: BeautifulSoup, entity: str) -> list[datetime]:
    """Every date written in a ``<strong data-entity=…>`` block, with the time that follows."""
    found: list[datetime] = []
    for strong in soup.find_all("strong", attrs={"data-entity": entity}):
        text = strong.get_text(" ")
        tail = strong.next_sibling
        if isinstance(tail, NavigableString):
            text += " " + str(tail)
        when = parse_datetime(one_line(text), ROME, end_of_day=entity == "chiusura")
        if when is not None:
            found.append(when)
    return found


def _hidden_close_dates(soup: BeautifulSoup) -> list[datetime]:
    found: list[datetime] = []
    for node in soup.find_all("input", class_="checkCloseDate"):
        value = node.get("value")
        when = parse_datetime(value if isinstance(value, str) else None, ROME, end_of_day=True)
        if when is not None:
            found.append(when)
    return found


def _one_value(name: str, values: list[datetime], conflicts: list[str]) -> datetime | None:
    distinct = sorted(set(values))
    if len(distinct) > 1:
        conflicts.append(f"{name}: " + " / ".join(v.isoformat() for v in distinct))
        return None
    return distinct[0] if distinct else None


def _status_label(soup: BeautifulSoup) -> str:
    for chip in soup.find_all("div", class_="chip"):
        classes = " ".join(chip.get("class") or [])
        label = chip.find("span", class_="chip-label")
        if _STATE_CHIP.search(classes) and label is not None:
            return one_line(label.get_text())
    return ""


def _funding(soup: BeautifulSoup) -> tuple[str, ...]:
    labels: list[str] = []
    for small in soup.find_all("small"):
        if one_line(small.get_text()).lower() != "fonti di finanziamento":
            continue
        row = small.find_next("div", class_="row")
        if isinstance(row, Tag):
            labels.extend(one_line(span.get_text()) for span in row.find_all("span"))
    return tuple(dict.fromkeys(label for label in labels if label))


def _eligibility(soup: BeautifulSoup) -> tuple[str, str]:
    """The "Chi può partecipare" text, and its lead: the first paragraph, which names who may
    apply (the list after it states conditions, "iscritte nel Registro delle Imprese", that
    would read as further audiences)."""
    for block in soup.find_all(id="partecipanti"):
        for br in block.find_all("br"):
            br.replace_with(" ")
        text = html_to_text(block.decode_contents())
        if text:
            lead = block.find("p")
            return text, (html_to_text(lead.decode_contents()) if isinstance(lead, Tag) else "")
    return "", ""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
