"""Cross-source entity resolution: one real call seen on several sites is one entity. Pure.

`resolve(calls, overrides, authority=..., threshold=92)` groups calls into `Entity` values. Every
input call is in exactly one entity (most are alone). A false merge hides a call from its
readers, a miss only shows it twice, so the rules are conservative. Two calls are linked when:

1. **identifier**: they share an identifier (`Call.identifiers`: call code, topic code, CUP),
   compared upper-cased without spaces or a leading "CUP"/"CIG" label. Only identifiers with at
   least six characters, a letter and a digit count (protocol numbers and years do not);
2. **url**: their official page is the same after `normalize.canonical_url` (scheme, ``www``,
   trailing slash, tracking parameters, jsessionid). The page is `Call.url`, and also, for an
   aggregator that links to the issuer's page, ``Call.extra["official_url"]`` and documents of
   kind "official" (as the incentivi kind records them). A site root, a relative link or a
   non-web address (mailto:) never links;
3. **title**: their titles, accent-folded, lower-cased and without stop words or the issuer's
   own words, score at least `threshold` with rapidfuzz (token_set_ratio when the two have a
   similar number of words, token_sort_ratio otherwise, so a title that merely contains
   another is no match), the numbers in them agree ("Bando 2025" is not "Bando 2026"), neither
   has a word in place of one of the other's ("grandi imprese" is not "piccole imprese"), the
   normalised issuer is the same and not empty, and their last deadlines are within one day
   (or both are rolling with no deadline). Compared only within blocks of (issuer, deadline
   day), never all pairs.

An identifier or URL that more than one call of the same source carries is ambiguous (a
programme code over several topics, a landing page shared by several measures) and links
nothing. Automatic rules never put two calls of the same source in one entity: the source
itself says they are different. Nor two calls whose ids are themselves identifiers and differ
(two topics of one EU call, each source listing only one of them, share the call code): the
ids say they are different. `ResolutionOverrides` (config) can merge any calls and forbid
any pair; a forbidden pair wins over every rule and is checked against whole groups as they
grow (union-find with cannot-links), so no chain of links can join it either.

Links are applied strongest first (override, identifier, url, title by score), then by key:
the result does not depend on the order of the input.

Within an entity, members are ranked by `authority` (source id -> rank, higher wins; the
issuer's own site over an aggregator). The `primary` is the most authoritative call; the entity
`id` is derived from its key, so it changes if a more authoritative source joins later. The
`merged` view is the primary with its gaps filled from the others in rank order, and its dates
(opening, deadlines, rolling) from the most authoritative member that states any date.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fundwatch.models import Budget, Call, Document
from fundwatch.normalize.urls import canonical_url
from fundwatch.resolve_titles import title_links

Key = tuple[str, str]
Rule = Literal["override", "identifier", "url", "title"]

DEFAULT_AUTHORITY: Mapping[str, int] = {"incentivi": 10, "eu_ft_bulk": 20}
"""Aggregators rank below the issuers' own sites; sources not listed get UNLISTED_AUTHORITY."""
UNLISTED_AUTHORITY = 50

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*:\S.*$")
_RULES: tuple[Rule, ...] = ("override", "identifier", "url", "title")


class ResolutionOverrides(BaseModel):
    """Manual corrections to entity resolution, kept in a config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    merge: list[list[str]] = Field(
        default_factory=list,
        description='Groups of "source:source_id" keys that are one real call, whatever the '
        "automatic rules say (a group may join calls of the same source).",
    )
    never_merge: list[tuple[str, str]] = Field(
        default_factory=list,
        description='Pairs of "source:source_id" keys that are never one call; wins over '
        "every automatic rule and over chains of links.",
    )

    @field_validator("merge")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        for group in groups:
            if len(set(group)) < 2:
                raise ValueError(f"a merge group needs two different keys: {group}")
            for key in group:
                _check_key(key)
        return groups

    @field_validator("never_merge")
    @classmethod
    def _pairs(cls, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        for a, b in pairs:
            _check_key(a)
            _check_key(b)
            if a == b:
                raise ValueError(f"never_merge pair of one key with itself: {a}")
        return pairs

    @model_validator(mode="after")
    def _consistent(self) -> ResolutionOverrides:
        groups = _UnionFind()
        for group in self.merge:
            for other in group[1:]:
                groups.union(group[0], other)
        for a, b in self.never_merge:
            if groups.find(a) == groups.find(b):
                raise ValueError(f"{a} and {b} are both merged and never_merge")
        return self

    def merge_keys(self) -> list[list[Key]]:
        return [[parse_key(k) for k in group] for group in self.merge]

    def never_keys(self) -> list[tuple[Key, Key]]:
        return [(parse_key(a), parse_key(b)) for a, b in self.never_merge]


@dataclass(frozen=True)
class Link:
    """Why two members are in one entity: the rule and its evidence (identifier, URL, score)."""

    a: Key
    b: Key
    rule: Rule
    evidence: str


@dataclass(frozen=True)
class Entity:
    """One real call with all its provenances, most authoritative first."""

    id: str
    members: tuple[Key, ...]
    calls: tuple[Call, ...]
    primary: Call
    merged: Call
    dates_from: Key
    """The member whose dates `merged` carries: the most authoritative that states any."""
    links: tuple[Link, ...] = ()


def call_key(call: Call) -> str:
    """The "source:source_id" form of a call's key, as override files write it."""
    return f"{call.source}:{call.source_id}"


def parse_key(text: str) -> Key:
    source, _, source_id = text.partition(":")
    return (source, source_id)


def entity_id(key: Key) -> str:
    """The stable id of an entity whose most authoritative member has `key`."""
    return "e" + hashlib.sha256(f"{key[0]}:{key[1]}".encode()).hexdigest()[:16]


def resolve(
    calls: Sequence[Call],
    overrides: ResolutionOverrides | None = None,
    *,
    threshold: float = 92,
    authority: Mapping[str, int] = DEFAULT_AUTHORITY,
) -> list[Entity]:
    """Group `calls` into entities (see the module docstring); sorted by primary key.

    Keys must be unique in `calls`; override keys that name no given call are ignored.
    """
    by_key: dict[Key, Call] = {}
    for call in calls:
        if call.key in by_key:
            raise ValueError(f"call {call_key(call)} given twice")
        by_key[call.key] = call
    overrides = overrides or ResolutionOverrides()
    candidates = sorted(
        _candidates(by_key, overrides, threshold),
        key=lambda c: (_RULES.index(c[0].rule), -c[1], c[0].a, c[0].b),
    )
    groups = _UnionFind(by_key, {k: _own_identifier(c) for k, c in by_key.items()})
    for a, b in overrides.never_keys():
        if a in by_key and b in by_key:
            groups.forbid(a, b)
    applied: list[Link] = []
    for link, _score in candidates:
        if groups.union(link.a, link.b, same_source_ok=link.rule == "override"):
            applied.append(link)
    members: dict[Key, list[Key]] = defaultdict(list)
    for key in by_key:
        members[groups.find(key)].append(key)
    links: dict[Key, list[Link]] = defaultdict(list)
    for link in applied:
        links[groups.find(link.a)].append(link)
    entities = [
        _entity([by_key[k] for k in keys], links[root], authority) for root, keys in members.items()
    ]
    return sorted(entities, key=lambda e: e.primary.key)


# --- candidate links --------------------------------------------------------------------------


def _candidates(
    calls: Mapping[Key, Call], overrides: ResolutionOverrides, threshold: float
) -> Iterable[tuple[Link, float]]:
    for group in overrides.merge_keys():
        present = [k for k in group if k in calls]
        for other in present[1:]:
            yield Link(present[0], other, "override", "config"), 100.0
    yield from _shared(calls, "identifier", _identifiers)
    yield from _shared(calls, "url", _urls)
    for a, b, score in title_links(calls.values(), threshold):
        yield Link(a, b, "title", f"{score:.1f}"), score


def _shared(calls: Mapping[Key, Call], rule: Rule, values: Any) -> Iterable[tuple[Link, float]]:
    """Links between calls of different sources sharing a value that is unambiguous in each."""
    holders: dict[str, list[Key]] = defaultdict(list)
    for key, call in calls.items():
        for value in sorted(set(values(call))):
            holders[value].append(key)
    for value, keys in sorted(holders.items()):
        sources = [k[0] for k in keys]
        unique = sorted(k for k in keys if sources.count(k[0]) == 1)
        for a, b in combinations(unique, 2):
            yield Link(a, b, rule, value), 100.0


_LABEL = re.compile(r"^(CUP|CIG|CODICE|CODE)\s*[:.#-]?\s*", re.IGNORECASE)


def _identifiers(call: Call) -> list[str]:
    return [v for v in map(_identifier, call.identifiers) if v]


def _identifier(raw: str) -> str:
    """The comparable form of an identifier, or "" for one too weak to link anything."""
    value = "".join(_LABEL.sub("", raw.strip()).split()).upper()
    if len(value) >= 6 and any(c.isalpha() for c in value) and any(c.isdigit() for c in value):
        return value
    return ""


def _own_identifier(call: Call) -> str:
    """The call's id when it is one of its identifiers (an EU topic code), else ""."""
    own = _identifier(call.source_id)
    return own if own and own in _identifiers(call) else ""


def _urls(call: Call) -> list[str]:
    out = []
    official = [d.url for d in call.documents if d.kind == "official"]
    for raw in (call.url, call.extra.get("official_url", ""), *official):
        if not raw.strip():
            continue
        url = canonical_url(raw)
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.netloc and parts.path not in ("", "/"):
            out.append(url)
    return out


def _check_key(key: str) -> None:
    if not _KEY.match(key):
        raise ValueError(f'not a "source:source_id" key: {key!r}')


# --- grouping ---------------------------------------------------------------------------------


class _UnionFind:
    """Union-find over keys, with cannot-links, the sources each group holds and the own
    identifiers (`_own_identifier`, empty for most calls) of its members."""

    def __init__(self, keys: Iterable[Any] = (), own: Mapping[Any, str] | None = None) -> None:
        self._parent: dict[Any, Any] = {}
        self._members: dict[Any, set[Any]] = {}
        self._forbidden: dict[Any, set[Any]] = {}
        self._own_of = own or {}
        self._own: dict[Any, set[str]] = {}
        for key in keys:
            self.find(key)

    def find(self, key: Any) -> Any:
        if key not in self._parent:
            self._parent[key] = key
            self._members[key] = {key}
            self._forbidden[key] = set()
            self._own[key] = {self._own_of[key]} if self._own_of.get(key) else set()
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:
            self._parent[key], key = root, self._parent[key]
        return root

    def forbid(self, a: Any, b: Any) -> None:
        self._forbidden[self.find(a)].add(b)
        self._forbidden[self.find(b)].add(a)

    def union(self, a: Any, b: Any, *, same_source_ok: bool = True) -> bool:
        """Join the groups of a and b unless a cannot-link (or, for automatic links, a
        shared source or two different own identifiers) forbids it; True when a join
        happened."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if len(self._members[ra]) < len(self._members[rb]):
            ra, rb = rb, ra
        if self._forbidden[ra] & self._members[rb]:
            return False
        if not same_source_ok:
            if _sources(self._members[ra]) & _sources(self._members[rb]):
                return False
            if self._own[ra] and self._own[rb] and self._own[ra] != self._own[rb]:
                return False
        self._parent[rb] = ra
        self._members[ra] |= self._members.pop(rb)
        self._forbidden[ra] |= self._forbidden.pop(rb)
        self._own[ra] |= self._own.pop(rb)
        return True


def _sources(keys: set[Any]) -> set[str]:
    return {k[0] for k in keys if isinstance(k, tuple)}


# --- the entity -------------------------------------------------------------------------------


def _entity(calls: list[Call], links: list[Link], authority: Mapping[str, int]) -> Entity:
    return assemble(calls, authority, links)


def assemble(
    calls: Sequence[Call],
    authority: Mapping[str, int] = DEFAULT_AUTHORITY,
    links: Sequence[Link] = (),
) -> Entity:
    """The entity of `calls` taken as one real call, without judging whether they are: members
    ranked by authority, `primary`, `merged` and `dates_from` as `resolve` makes them. For
    readers of groups `resolve` already made (the entity ids the store records)."""
    if not calls:
        raise ValueError("an entity needs at least one call")
    ranked = sorted(calls, key=lambda c: (-authority.get(c.source, UNLISTED_AUTHORITY), c.key))
    primary = ranked[0]
    dated = next((c for c in ranked if c.deadlines or c.opens_at or c.rolling), primary)
    return Entity(
        id=entity_id(primary.key),
        members=tuple(c.key for c in ranked),
        calls=tuple(ranked),
        primary=primary,
        merged=_merged(ranked, dated) if len(ranked) > 1 else primary,
        links=tuple(links),
        dates_from=dated.key,
    )


_FILL = (
    "summary",
    "issuer",
    "audience_raw",
    "territory_raw",
    "stated_status",
    "instrument",
    "call_type",
    "programmes",
    "audiences",
    "territories",
    "keywords",
    "themes",
)


def _merged(ranked: list[Call], dated: Call) -> Call:
    primary = ranked[0]
    update: dict[str, Any] = {
        "opens_at": dated.opens_at,
        "deadlines": dated.deadlines,
        "rolling": dated.rolling,
    }
    for name in _FILL:
        update[name] = next(
            (getattr(c, name) for c in ranked if getattr(c, name)), None
        ) or getattr(primary, name)
    titles: dict[str, str] = {}
    for call in reversed(ranked):
        titles.update(call.titles)
    update["titles"] = titles
    update["identifiers"] = tuple(dict.fromkeys(i for c in ranked for i in c.identifiers))
    documents: dict[str, Document] = {}
    for call in ranked:
        for doc in call.documents:
            documents.setdefault(canonical_url(doc.url), doc)
    update["documents"] = tuple(documents.values())
    update["budget"] = Budget(
        **{
            name: next(
                (getattr(c.budget, name) for c in ranked if getattr(c.budget, name) is not None),
                None,
            )
            for name in Budget.model_fields
        }
    )
    return primary.model_copy(update=update)
