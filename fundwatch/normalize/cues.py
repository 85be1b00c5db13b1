"""Deadlines, opening dates and status words found in free text by Italian and English cues.

Many regional portals publish a call as prose ("Le domande possono essere presentate dalle ore
12:00 del 12 maggio 2026 ed entro le ore 17:00 del 24 giugno 2026"). These helpers find the
date a cue word points at and read it with `parse_datetime`, so every date form it knows is
understood here too.

Contract:

- a cue counts only when the date follows it closely: between the two there may be words and
  at most one time of day ("entro le ore 12 del 15.01.2026"), never other numbers, and no
  sentence break; "entro 30 giorni dalla pubblicazione" is therefore not a deadline;
- the first cue in reading order wins; in "dal … al …" the second date is the deadline and the
  first the opening;
- a deadline without a time is the end of that day in `tz`; an opening without a time is the
  start of that day;
- "fino ad esaurimento (delle risorse)", "a sportello" and their English peers mean rolling;
  a rolling call may still carry a deadline (a window closing on a date);
- `evidence` is the matched snippet, kept so a reader (and a test) can see why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fundwatch.normalize.dates import ROME, find_dates, parse_datetime
from fundwatch.normalize.text import one_line

__all__ = ["CueResult", "OpeningResult", "find_deadline", "find_opening", "status_from_words"]


@dataclass(frozen=True)
class CueResult:
    """What the text says about the deadline: a datetime (UTC), rolling, and the snippet read."""

    deadline: datetime | None = None
    rolling: bool = False
    evidence: str = ""


@dataclass(frozen=True)
class OpeningResult:
    """What the text says about the opening: a datetime (UTC) and the snippet read."""

    opens_at: datetime | None = None
    evidence: str = ""


# Between a cue and its date: words without digits and without a sentence break, and at most
# one time of day ("ore 12", "alle 17:00", "12.00").
_WORDS = r"(?:(?!\.\s+(?-i:[A-Z]))[^\d;!?]){0,60}"
_TIME_SLOT = r"(?:(?:alle\s+)?(?:ore|h\.?)\s*\d{1,2}(?:[:.]\d{2})?|\d{1,2}[:.]\d{2})"
_GAP = rf"{_WORDS}(?:{_TIME_SLOT}{_WORDS})?"
_TRAILING_TIME = re.compile(
    r"^\s*,?\s*(?:-\s*)?(?:(?:alle\s+)?(?:ore|h\.?)\s*\d{1,2}(?:[:.]\d{2})?|(?:alle\s+)?\d{1,2}[:.]\d{2})",
    re.I,
)
_HAS_TIME = re.compile(_TIME_SLOT, re.I)
_WINDOW = 160

_DEADLINE_CUES = (
    r"\btermine\s+ultimo",
    r"\btermine\s+(?:per\s+la|di|della)\s+presentazione",
    r"\btermine\s+(?:di\s+)?scadenza",
    r"\bscadenza",
    r"\bscade(?:rà)?\b",
    r"\bentro\b",
    r"\bnon\s+oltre\b",
    r"\b(?:fino|sino)\s+al(?:le|l')?",
    r"\bchiusura",
    r"\bdeadline",
    r"\bclosing\s+date",
    r"\bcloses?\b",
    r"\bsubmission\s+until",
)
_OPENING_CUES = (
    r"\b(?:ri)?apertura",
    r"\ba\s+(?:partire|decorrere)\s+da(?:l|lle|ll'|i)?",
    r"\bdalle\s+ore",
    r"\bapr(?:e|irà|iranno)\b",
    r"\bopening\s+date",
    r"\bopens?\b",
)
# The words that start and end a "dal … al …" range.
_RANGE_START = (
    r"(?:\bdal(?:le)?\b|\bdall'|\bdai\b|\ba\s+(?:partire|decorrere)\s+dal(?:le|l')?|\bfrom\b)"
)
_RANGE_LINK = re.compile(
    r"\s*,?\s*(?:ed?\s+|and\s+)?(?:(?:fino|sino)\s+)?"
    rf"(?:al(?:le)?\b|all'|entro\b(?:\s+e\s+non\s+oltre)?|to\b|until\b|till\b|[-–])(?P<gap>{_GAP})$",
    re.I,
)

_ROLLING = re.compile(
    r"(?:fino|sino)\s+a(?:d|ll')?\s*(?:l\s+)?esaurimento(?:\s+(?:delle|dei)\s+(?:risorse|fondi)"
    r"(?:\s+disponibili)?)?"
    r"|\ba\s+sportello\b"
    r"|\buntil\s+(?:the\s+)?(?:funds|budget|resources)\s+(?:are|is|run)\s+(?:exhausted|out)"
    r"|\bfirst[- ]come,?\s+first[- ]served|\brolling\s+basis|\bopen[- ]ended\b",
    re.I,
)


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?:{'|'.join(cues)})(?P<gap>{_GAP})$", re.I)


_DEADLINE_BEFORE = _cue_pattern(_DEADLINE_CUES)
_OPENING_BEFORE = _cue_pattern(_OPENING_CUES)
_RANGE_BEFORE = _cue_pattern((_RANGE_START,))


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    when: datetime


def find_deadline(text: str, tz: ZoneInfo = ROME) -> CueResult:
    """The submission deadline the text states, if a cue word points at one; see the module
    docstring for the rules. Returns an empty result when the text says nothing."""
    flat = _prepare(text)
    spans = find_dates(flat)
    hits = [h for h in (_range_end(flat, spans, i, tz) for i in range(len(spans) - 1)) if h]
    hits += [h for h in (_after_cue(flat, span, _DEADLINE_BEFORE, tz, True) for span in spans) if h]
    rolling = _ROLLING.search(flat)
    best = min(hits, key=lambda h: (h.start, -h.end)) if hits else None
    evidence = [flat[best.start : best.end]] if best else []
    if rolling and not (best and best.start <= rolling.start() < best.end):
        evidence.append(rolling.group(0))
    return CueResult(
        deadline=best.when if best else None,
        rolling=rolling is not None,
        evidence="; ".join(evidence),
    )


def find_opening(text: str, tz: ZoneInfo = ROME) -> OpeningResult:
    """The opening date the text states ("apertura", "a partire dal", "dalle ore …", the first
    date of "dal … al …"); an opening without a time is the start of that day."""
    flat = _prepare(text)
    spans = find_dates(flat)
    hits: list[_Hit] = []
    for i in range(len(spans) - 1):
        if _range_end(flat, spans, i, tz) is not None:
            hit = _after_cue(flat, spans[i], _RANGE_BEFORE, tz, False)
            if hit:
                hits.append(hit)
    hits += [h for h in (_after_cue(flat, span, _OPENING_BEFORE, tz, False) for span in spans) if h]
    if not hits:
        return OpeningResult()
    best = min(hits, key=lambda h: (h.start, -h.end))
    return OpeningResult(opens_at=best.when, evidence=flat[best.start : best.end])


_STATUS_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("withdrawn", re.compile(r"\b(?:annullat|revocat)[oaie]\b|\bwithdrawn\b|\bcancell?ed\b", re.I)),
    (
        "closed",
        re.compile(
            r"\b(?:chius|scadut|terminat)[oaie]\b|\besit[oi]\b|\bgraduatori[ae]\b"
            r"|\bclosed\b|\bexpired\b",
            re.I,
        ),
    ),
    (
        "forthcoming",
        re.compile(
            r"\bpre-?\s?informazione\b|\bdi\s+prossima\s+apertura\b|\bin\s+apertura\b"
            r"|\bforthcoming\b|\bcoming\s+soon\b",
            re.I,
        ),
    ),
    (
        "open",
        re.compile(
            r"\bapert[oaie]\b|\bin\s+scadenza\b|\battiv[oaie]\b"
            r"|\bin\s+corso\b(?!\s+di\s+(?:valutazione|istruttoria))|\bopen\b",
            re.I,
        ),
    ),
)


def status_from_words(text: str) -> str | None:
    """The status a short label or title states: ``withdrawn`` (annullato, revocato),
    ``closed`` (chiuso, scaduto, esito, graduatoria), ``forthcoming`` (pre-informazione, di
    prossima apertura), ``open`` (aperto, in scadenza, attivo), else None.

    Meant for labels, titles and taxonomy terms, not for body text (a body that mentions a
    future "graduatoria" says nothing about the status). The strongest word wins, in the order
    above: "Avviso aperto – graduatoria pubblicata" is closed.
    """
    flat = _prepare(text)
    for code, pattern in _STATUS_WORDS:
        if pattern.search(flat):
            return code
    return None


def _prepare(text: str) -> str:
    return one_line(text).replace("\u2019", "'").replace("\u2018", "'")


def _after_cue(
    flat: str, span: tuple[int, int], cue: re.Pattern[str], tz: ZoneInfo, end_of_day: bool
) -> _Hit | None:
    """The date at `span` read through the cue just before it, or None when no cue is there."""
    offset = max(0, span[0] - _WINDOW)
    m = cue.search(flat, offset, span[0])
    if m is None:
        return None
    return _read(flat, m.start(), m.start("gap"), span, m.group("gap"), tz, end_of_day)


def _range_end(flat: str, spans: list[tuple[int, int]], i: int, tz: ZoneInfo) -> _Hit | None:
    """The second date of a "dal <spans[i]> al <spans[i+1]>" range, as a deadline hit that
    starts at the range's first word; None when the two dates do not form such a range."""
    first, second = spans[i], spans[i + 1]
    start = _after_cue(flat, first, _RANGE_BEFORE, tz, False)
    if start is None:
        return None
    after_first = first[1] + _trailing_time_length(flat, first[1])
    link = _RANGE_LINK.match(flat, after_first, second[0])
    if link is None:
        return None
    return _read(flat, start.start, link.start("gap"), second, link.group("gap"), tz, True)


def _read(
    flat: str,
    cue_start: int,
    gap_start: int,
    span: tuple[int, int],
    gap: str,
    tz: ZoneInfo,
    end_of_day: bool,
) -> _Hit | None:
    end = span[1]
    if not _HAS_TIME.search(gap):
        end += _trailing_time_length(flat, end)
    when = parse_datetime(flat[gap_start:end], tz, end_of_day=end_of_day)
    if when is None:
        return None
    return _Hit(cue_start, end, when)


def _trailing_time_length(flat: str, pos: int) -> int:
    m = _TRAILING_TIME.match(flat[pos : pos + 30])
    return m.end() if m else 0
