"""Cross-source entity resolution, with calls shaped like the real captures (built by hand).

- Piemonte "Contratto di insediamento" (piemonte/piemonte_detail_aperto_18454.html) on the
  region's site and as an aggregator (incentivi.gov.it) would list it;
- Piemonte IeFP 2026/2030 (piemonte/piemonte_detail_esito_150489.html), deadline
  30/07/2026 17:00; incentivi gives close dates as local days (DESIGN §7);
- EU ESF-2026-AG-TCS (eu_ft/mn_grants_feed_2026-08-22_esf_records.json) on the search API and
  in the bulk catalogue.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from fundwatch import resolve_titles
from fundwatch.models import Budget, Call, Deadline, Document
from fundwatch.resolve import (
    Entity,
    ResolutionOverrides,
    call_key,
    entity_id,
    parse_key,
    resolve,
)

PIEMONTE = "https://bandi.regione.piemonte.it/contributi-finanziamenti/"
INSEDIAMENTO_URL = (
    PIEMONTE + "contratto-insediamento-attrazione-investimenti-piemonte-grandi-imprese-anno-2024"
)
IEFP_URL = PIEMONTE + "autorizzazione-finanziamento-offerta-formativa-iefp-ciclo-formativo-20262030"
TOPIC = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def call(source: str, source_id: str, title: str, **kw: Any) -> Call:
    kw.setdefault("url", f"https://{source}.example.org/{source_id}")
    kw.setdefault("issuer", "Regione Piemonte")
    return Call(source=source, source_id=source_id, titles={kw.pop("lang", "it"): title}, **kw)


def insediamento(**kw: Any) -> Call:
    kw.setdefault("url", INSEDIAMENTO_URL)
    kw.setdefault("rolling", True)
    kw.setdefault("opens_at", at("2024-05-24T07:00:00Z"))
    return call(
        "piemonte",
        "18454",
        "Contratto di insediamento - Attrazione di investimenti in "
        "Piemonte - Grandi imprese - anno 2024",
        **kw,
    )


def iefp(**kw: Any) -> Call:
    kw.setdefault("url", IEFP_URL)
    kw.setdefault("deadlines", (Deadline(at=at("2026-07-30T15:00:00Z")),))
    kw.setdefault("opens_at", at("2026-07-23T07:00:00Z"))
    return call(
        "piemonte",
        "150489",
        "Autorizzazione e finanziamento offerta formativa di IeFP – ciclo formativo 2026/2030",
        **kw,
    )


def groups(entities: list[Entity]) -> list[list[str]]:
    return sorted(sorted(f"{s}:{i}" for s, i in e.members) for e in entities)


def merged_pairs(calls: list[Call], **kw: Any) -> list[list[str]]:
    return [g for g in groups(resolve(calls, **kw)) if len(g) > 1]


# --- rules that merge -------------------------------------------------------------------------


def test_every_call_is_in_exactly_one_entity() -> None:
    calls = [
        insediamento(),
        iefp(),
        call("lombardia", "R1", "Bando Nuova Impresa 2026", issuer="Regione Lombardia"),
    ]
    entities = resolve(calls)
    assert groups(entities) == [["lombardia:R1"], ["piemonte:150489"], ["piemonte:18454"]]
    alone = next(e for e in entities if e.members == (("piemonte", "18454"),))
    assert alone.primary == alone.merged == insediamento()
    assert alone.links == ()


@pytest.mark.parametrize(
    "written",
    [
        "J11C24000040003",
        "j11c24000040003",
        "CUP J11C24000040003",
        "CUP: J11C 2400 0040 003",
    ],
)
def test_same_identifier_merges(written: str) -> None:
    aggregated = call(
        "incentivi",
        "node/3401",
        "Attrazione investimenti grandi imprese",
        identifiers=(written,),
        issuer="Finpiemonte",
    )
    both = [insediamento(identifiers=("J11C24000040003",)), aggregated]
    entities = resolve(both)
    assert groups(entities) == [["incentivi:node/3401", "piemonte:18454"]]
    (link,) = entities[0].links
    assert (link.rule, link.evidence) == ("identifier", "J11C24000040003")


def test_eu_topic_on_search_api_and_bulk_catalogue() -> None:
    search = call(
        "eu_ft",
        "ESF-2026-AG-TCS",
        "Transaction Costs Support for social finance intermediaries",
        lang="en",
        issuer="European Commission",
        url=TOPIC + "topic-details/ESF-2026-AG-TCS",
        identifiers=("ESF-2026-AG-TCS", "ESF-2026-AG"),
        deadlines=(Deadline(at=at("2026-09-23T00:00:00Z")),),
    )
    bulk = call(
        "eu_ft_bulk",
        "ESF-2026-AG-TCS",
        "Transaction Costs Support for social finance intermediaries",
        lang="en",
        issuer="European Commission",
        url=TOPIC + "topic-details/esf-2026-ag-tcs",
        identifiers=("esf-2026-ag-tcs",),
        deadlines=(Deadline(at=at("2026-09-22T22:00:00Z")),),
        budget=Budget(total_eur=Decimal("4700000")),
    )
    (entity,) = resolve([bulk, search])
    assert entity.members == (("eu_ft", "ESF-2026-AG-TCS"), ("eu_ft_bulk", "ESF-2026-AG-TCS"))
    assert entity.primary == search
    assert entity.id == entity_id(("eu_ft", "ESF-2026-AG-TCS"))
    assert entity.merged.deadlines == search.deadlines  # the search API outranks the bulk file
    assert entity.merged.budget.total_eur == Decimal("4700000")  # a gap filled from the bulk


@pytest.mark.parametrize(
    "link",
    [
        "http://www.bandi.regione.piemonte.it/contributi-finanziamenti/contratto-insediamento-"
        "attrazione-investimenti-piemonte-grandi-imprese-anno-2024/",
        INSEDIAMENTO_URL + "?utm_source=newsletter&utm_medium=email",
        INSEDIAMENTO_URL + ";jsessionid=0A1B2C3D4E5F",
        INSEDIAMENTO_URL + "#allegati",
        "HTTPS://BANDI.REGIONE.PIEMONTE.IT/contributi-finanziamenti/contratto-insediamento-"
        "attrazione-investimenti-piemonte-grandi-imprese-anno-2024?fbclid=IwAR0",
    ],
)
def test_same_official_url_after_canonicalisation_merges(link: str) -> None:
    aggregated = call(
        "incentivi", "node/3401", "Misura attrazione investimenti", extra={"official_url": link}
    )
    entities = resolve([insediamento(), aggregated])
    assert groups(entities) == [["incentivi:node/3401", "piemonte:18454"]]
    assert entities[0].links[0].rule == "url"


def test_official_link_recorded_as_a_document_merges() -> None:
    # incentivi records its "Link istituzionale" as a document of kind "official".
    aggregated = call(
        "incentivi",
        "node/3401",
        "Misura attrazione investimenti",
        documents=(
            Document(title="Pagina istituzionale", url=INSEDIAMENTO_URL + "/", kind="official"),
        ),
    )
    assert merged_pairs([insediamento(), aggregated]) == [["incentivi:node/3401", "piemonte:18454"]]
    annex = aggregated.model_copy(
        update={"documents": (Document(title="Bando", url=INSEDIAMENTO_URL + "/", kind="annex"),)}
    )
    assert merged_pairs([insediamento(), annex]) == []


def test_different_query_or_path_is_a_different_page() -> None:
    other = call(
        "incentivi",
        "node/3402",
        "Misura attrazione investimenti",
        extra={"official_url": INSEDIAMENTO_URL + "?lotto=2"},
    )
    sibling = call(
        "lombardia", "9", "Misura attrazione investimenti", url=INSEDIAMENTO_URL + "-bis"
    )
    assert merged_pairs([insediamento(), other, sibling]) == []


@pytest.mark.parametrize("link", ["/bando/1", "bando/1", "mailto:bandi@regione.piemonte.it"])
def test_a_relative_or_non_web_link_never_links(link: str) -> None:
    a = call("incentivi", "node/1", "Bando A", extra={"official_url": link})
    b = call("piemonte", "1", "Bando B", url=link)
    assert merged_pairs([a, b]) == []


def test_a_site_root_never_links() -> None:
    a = call(
        "incentivi",
        "node/1",
        "Bando A",
        extra={"official_url": "https://www.regione.piemonte.it/?lang=it"},
    )
    b = call("piemonte", "1", "Bando B", url="http://regione.piemonte.it?lang=it")
    assert merged_pairs([a, b]) == []


def test_similar_title_same_issuer_deadline_within_a_day_merges() -> None:
    # incentivi stores the close day as local midnight in UTC: 30/07 -> 29/07 22:00Z
    aggregated = call(
        "incentivi",
        "node/5120",
        "REGIONE PIEMONTE - Autorizzazione e "
        "finanziamento dell'offerta formativa IeFP, ciclo formativo 2026/2030",
        deadlines=(Deadline(at=at("2026-07-29T22:00:00Z")),),
        budget=Budget(total_eur=Decimal("98000000")),
    )
    entities = resolve([aggregated, iefp()])
    assert groups(entities) == [["incentivi:node/5120", "piemonte:150489"]]
    entity = entities[0]
    assert entity.primary == iefp()
    assert entity.links[0].rule == "title"
    assert float(entity.links[0].evidence) >= 92
    assert entity.merged.deadlines == iefp().deadlines
    assert entity.merged.budget.total_eur == Decimal("98000000")


def test_rolling_calls_merge_by_title_only_when_both_are_rolling() -> None:
    aggregated = call(
        "incentivi",
        "node/3401",
        "Contratto di insediamento: attrazione di "
        "investimenti in Piemonte (grandi imprese), anno 2024",
        rolling=True,
    )
    assert merged_pairs([insediamento(), aggregated]) == [["incentivi:node/3401", "piemonte:18454"]]
    dated = aggregated.model_copy(
        update={"rolling": False, "deadlines": (Deadline(at=at("2026-12-31T22:59:59Z")),)}
    )
    assert merged_pairs([insediamento(), dated]) == []


def test_merged_view_takes_dates_from_the_most_authoritative_member_that_has_any() -> None:
    listing = insediamento(
        rolling=False,
        opens_at=None,
        identifiers=("J11C24000040003",),
        documents=(Document(title="Bando", url=INSEDIAMENTO_URL + "/b.pdf"),),
    )
    aggregated = call(
        "incentivi",
        "node/3401",
        "Attrazione investimenti",
        rolling=True,
        opens_at=at("2024-05-23T22:00:00Z"),
        identifiers=("J11C24000040003",),
        summary="Contributi a fondo perduto per grandi imprese",
        documents=(
            Document(title="Bando (copia)", url=INSEDIAMENTO_URL + "/b.pdf/"),
            Document(title="FAQ", url="https://www.incentivi.gov.it/f.pdf"),
        ),
    )
    (entity,) = resolve([listing, aggregated])
    merged = entity.merged
    assert (merged.source, merged.source_id, merged.url) == ("piemonte", "18454", INSEDIAMENTO_URL)
    assert (merged.rolling, merged.opens_at) == (True, at("2024-05-23T22:00:00Z"))
    assert merged.summary == "Contributi a fondo perduto per grandi imprese"
    assert merged.title == listing.title
    assert [d.title for d in merged.documents] == ["Bando", "FAQ"]


def test_authority_mapping_decides_the_primary() -> None:
    a = insediamento(identifiers=("J11C24000040003",))
    b = call(
        "finpiemonte", "ci-2024", "Contratto di insediamento", identifiers=("J11C24000040003",)
    )
    (entity,) = resolve([a, b], authority={"finpiemonte": 90})
    assert entity.primary == b
    assert entity.id == entity_id(("finpiemonte", "ci-2024"))
    (default,) = resolve([a, b])
    assert default.primary == b  # equal authority: the smaller key ("finpiemonte" < "piemonte")
    (regional,) = resolve([a, b], authority={"piemonte": 90, "finpiemonte": 60})
    assert regional.primary == a


# --- near misses that must not merge ----------------------------------------------------------


def test_same_title_different_issuer_does_not_merge() -> None:
    deadline = (Deadline(at=at("2026-03-31T10:00:00Z")),)
    pie = call("piemonte", "1", "Voucher per la digitalizzazione delle PMI", deadlines=deadline)
    lom = call(
        "lombardia",
        "1",
        "Voucher per la digitalizzazione delle PMI",
        deadlines=deadline,
        issuer="Regione Lombardia",
    )
    assert merged_pairs([pie, lom]) == []


def test_same_issuer_deadlines_three_days_apart_do_not_merge() -> None:
    a = call(
        "piemonte",
        "1",
        "Voucher per la digitalizzazione delle PMI",
        deadlines=(Deadline(at=at("2026-03-31T10:00:00Z")),),
    )
    b = call(
        "incentivi",
        "1",
        "Voucher per la digitalizzazione delle PMI",
        deadlines=(Deadline(at=at("2026-04-03T10:00:00Z")),),
    )
    assert merged_pairs([a, b]) == []
    b_next_day = b.model_copy(update={"deadlines": (Deadline(at=at("2026-04-01T09:00:00Z")),)})
    assert merged_pairs([a, b_next_day]) == [["incentivi:1", "piemonte:1"]]
    # Next calendar day, but more than 24 hours apart.
    b_too_late = b.model_copy(update={"deadlines": (Deadline(at=at("2026-04-01T23:00:00Z")),)})
    assert merged_pairs([a, b_too_late]) == []


def test_one_year_to_the_next_does_not_merge() -> None:
    deadline = (Deadline(at=at("2026-03-31T10:00:00Z")),)
    a = call("piemonte", "1", "Bando Distretti del commercio 2025", deadlines=deadline)
    b = call("incentivi", "1", "Bando Distretti del commercio 2026", deadlines=deadline)
    assert merged_pairs([a, b]) == []
    assert (
        merged_pairs(
            [
                a.model_copy(update={"titles": {"it": "Bando 2025"}}),
                b.model_copy(update={"titles": {"it": "Bando 2026"}}),
            ]
        )
        == []
    )


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (
            "Contributi per l'efficientamento energetico delle piccole e medie imprese",
            "Contributi per l'efficientamento energetico delle grandi imprese",
        ),
        (
            "Avviso per il finanziamento di percorsi formativi per disoccupati",
            "Avviso per il finanziamento di percorsi formativi per occupati",
        ),
        ("Sostegno alle imprese agricole - misura A", "Sostegno alle imprese agricole - misura B"),
    ],
)
def test_sister_calls_one_word_apart_do_not_merge(ours: str, theirs: str) -> None:
    # Same issuer, same deadline, letters over 92% alike: a word in place of another (or a
    # closing letter) tells two calls apart.
    deadline = (Deadline(at=at("2026-07-30T15:00:00Z")),)
    a = call("piemonte", "1", ours, deadlines=deadline)
    b = call("incentivi", "1", theirs, deadlines=deadline)
    assert merged_pairs([a, b]) == []
    same = b.model_copy(update={"titles": {"it": "REGIONE PIEMONTE – " + ours.upper()}})
    assert merged_pairs([a, same]) == [["incentivi:1", "piemonte:1"]]


def test_a_title_that_merely_contains_another_does_not_merge() -> None:
    deadline = (Deadline(at=at("2026-03-31T10:00:00Z")),)
    a = call("piemonte", "1", "Voucher", deadlines=deadline)
    b = call("incentivi", "1", "Voucher digitalizzazione imprese artigiane", deadlines=deadline)
    assert merged_pairs([a, b]) == []


def test_no_title_rule_without_issuer_or_dates() -> None:
    title = "Contributi per l'efficientamento energetico delle imprese"
    assert (
        merged_pairs(
            [call("piemonte", "1", title, issuer=""), call("incentivi", "1", title, issuer="")]
        )
        == []
    )
    assert merged_pairs([call("piemonte", "1", title), call("incentivi", "1", title)]) == []


def test_calls_of_one_source_never_merge_automatically() -> None:
    # incentivi: several records share one official link (DESIGN §7), and one source's two
    # records are two calls by its own account.
    a = call("incentivi", "node/1", "Misura A", extra={"official_url": INSEDIAMENTO_URL})
    b = call("incentivi", "node/2", "Misura B", extra={"official_url": INSEDIAMENTO_URL})
    assert merged_pairs([a, b]) == []
    # ... and that shared link is ambiguous, so it joins neither to the region's page.
    assert merged_pairs([a, b, insediamento()]) == []


def test_an_identifier_shared_inside_one_source_links_nothing() -> None:
    # Two EU topics of one call share the call identifier; only topic codes link.
    t1 = call(
        "eu_ft",
        "HORIZON-MISS-2027-02-CANCER-02",
        "Cancer topic 2",
        lang="en",
        identifiers=("HORIZON-MISS-2027-02-CANCER-02", "HORIZON-MISS-2027-02"),
    )
    t3 = call(
        "eu_ft",
        "HORIZON-MISS-2027-02-CANCER-03",
        "Cancer topic 3",
        lang="en",
        identifiers=("HORIZON-MISS-2027-02-CANCER-03", "HORIZON-MISS-2027-02"),
    )
    bulk = call(
        "eu_ft_bulk",
        "HORIZON-MISS-2027-02-CANCER-03",
        "Cancer topic 3",
        lang="en",
        identifiers=("HORIZON-MISS-2027-02-CANCER-03", "HORIZON-MISS-2027-02"),
    )
    assert merged_pairs([t1, t3, bulk]) == [
        ["eu_ft:HORIZON-MISS-2027-02-CANCER-03", "eu_ft_bulk:HORIZON-MISS-2027-02-CANCER-03"]
    ]


def test_sibling_topics_of_one_call_on_two_sources_do_not_merge() -> None:
    # The search API (filtered) lists topic 02 and the bulk file topic 03 of the same EU call:
    # each source holds the call identifier once, yet the topics are two calls. A call whose
    # own id is an identifier (an EU topic code) is never joined to one with another such id.
    def topic(source: str, number: str, patients: str) -> Call:
        code = f"HORIZON-MISS-2027-02-CANCER-{number}"
        return call(
            source,
            code,
            "Clinical research by Comprehensive Cancer Infrastructures for the benefit of "
            f"patients with {patients} cancers",
            lang="en",
            issuer="European Commission",
            identifiers=(code, "HORIZON-MISS-2027-02"),
            deadlines=(Deadline(at=at("2027-09-21T00:00:00Z")),),
        )

    t2, t3 = topic("eu_ft", "02", "common"), topic("eu_ft_bulk", "03", "rare")
    assert merged_pairs([t2, t3]) == []
    # an aggregator naming only the call code cannot chain them together either
    agg = call(
        "incentivi",
        "node/77",
        "Missione cancro: infrastrutture",
        issuer="Commissione europea",
        identifiers=("HORIZON-MISS-2027-02",),
    )
    [group] = merged_pairs([t2, t3, agg])
    assert len(group) == 2 and "incentivi:node/77" in group
    # the same topic on both sources still merges
    same = t3.model_copy(update={"source": "eu_ft"})
    assert merged_pairs([same, t3]) == [
        ["eu_ft:HORIZON-MISS-2027-02-CANCER-03", "eu_ft_bulk:HORIZON-MISS-2027-02-CANCER-03"]
    ]


@pytest.mark.parametrize("weak", ["2024", "105173", "A1", "CUP"])
def test_weak_identifiers_do_not_link(weak: str) -> None:
    a = call("piemonte", "1", "Bando A", identifiers=(weak,))
    b = call("incentivi", "1", "Bando B", identifiers=(weak,))
    assert merged_pairs([a, b]) == []


# --- overrides --------------------------------------------------------------------------------


def test_override_merges_what_no_rule_would() -> None:
    a = call("piemonte", "1", "Bando A")
    b = call("incentivi", "node/9", "Un altro titolo", issuer="MIMIT")
    c = call("piemonte", "2", "Bando A, seconda pagina")
    overrides = ResolutionOverrides(merge=[["piemonte:1", "incentivi:node/9", "piemonte:2"]])
    entities = resolve([a, b, c], overrides)
    assert groups(entities) == [["incentivi:node/9", "piemonte:1", "piemonte:2"]]
    assert {link.rule for link in entities[0].links} == {"override"}


def test_never_merge_beats_identifier_and_url() -> None:
    a = insediamento(identifiers=("J11C24000040003",))
    b = call(
        "incentivi",
        "node/3401",
        "Attrazione investimenti",
        identifiers=("J11C24000040003",),
        extra={"official_url": INSEDIAMENTO_URL},
    )
    never = ResolutionOverrides(never_merge=[("piemonte:18454", "incentivi:node/3401")])
    assert merged_pairs([a, b]) == [["incentivi:node/3401", "piemonte:18454"]]
    assert merged_pairs([a, b], overrides=never) == []


def test_never_merge_beats_a_chain_of_links() -> None:
    a = insediamento(identifiers=("J11C24000040003",))
    b = call(
        "incentivi",
        "node/3401",
        "Attrazione investimenti",
        identifiers=("J11C24000040003",),
        url="https://www.finpiemonte.it/bandi/contratto-insediamento",
    )
    c = call(
        "finpiemonte",
        "ci",
        "Contratto di insediamento",
        url="https://finpiemonte.it/bandi/contratto-insediamento/",
    )
    assert merged_pairs([a, b, c]) == [["finpiemonte:ci", "incentivi:node/3401", "piemonte:18454"]]
    never = ResolutionOverrides(never_merge=[("piemonte:18454", "finpiemonte:ci")])
    # The identifier link is stronger than the URL link, so it is the one that holds.
    assert merged_pairs([a, b, c], overrides=never) == [["incentivi:node/3401", "piemonte:18454"]]


def test_overrides_naming_absent_calls_are_ignored() -> None:
    overrides = ResolutionOverrides(
        merge=[["piemonte:18454", "incentivi:gone"]],
        never_merge=[("piemonte:18454", "lombardia:x")],
    )
    assert groups(resolve([insediamento()], overrides)) == [["piemonte:18454"]]


def test_override_model_is_strict_and_documented() -> None:
    for name, field in ResolutionOverrides.model_fields.items():
        assert field.description, name
    with pytest.raises(ValidationError, match="extra"):
        ResolutionOverrides.model_validate({"merge": [], "nevermerge": []})
    with pytest.raises(ValidationError, match="source:source_id"):
        ResolutionOverrides(merge=[["piemonte-18454", "incentivi:1"]])
    with pytest.raises(ValidationError, match="two different keys"):
        ResolutionOverrides(merge=[["piemonte:1", "piemonte:1"]])
    with pytest.raises(ValidationError, match="itself"):
        ResolutionOverrides(never_merge=[("piemonte:1", "piemonte:1")])
    with pytest.raises(ValidationError, match="both merged and never_merge"):
        ResolutionOverrides(merge=[["a:1", "b:1"], ["b:1", "c:1"]], never_merge=[("a:1", "c:1")])


def test_keys_round_trip_with_colons_in_source_ids() -> None:
    incentivi = call("incentivi", "t9gcjo-incentivi-entity:node/3400:it", "Manifestazione")
    assert call_key(incentivi) == "incentivi:t9gcjo-incentivi-entity:node/3400:it"
    assert parse_key(call_key(incentivi)) == incentivi.key
    ResolutionOverrides(merge=[[call_key(incentivi), "piemonte:1"]])


# --- determinism and scale --------------------------------------------------------------------


def test_result_does_not_depend_on_input_order() -> None:
    a = insediamento(identifiers=("J11C24000040003",))
    b = call("incentivi", "node/3401", "Attrazione investimenti", identifiers=("J11C24000040003",))
    c = call(
        "finpiemonte",
        "ci",
        "Contratto",
        url="https://finpiemonte.it/ci",
        identifiers=("J11C24000040003",),
    )
    never = ResolutionOverrides(never_merge=[("incentivi:node/3401", "finpiemonte:ci")])
    first = resolve([a, b, c], never)
    assert resolve([c, b, a], never) == first
    assert resolve([b, c, a], never) == first


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        resolve([iefp(), iefp()])


def test_title_rule_compares_within_blocks_not_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[int] = []
    original = resolve_titles._compare

    def counting(left: Any, right: Any, threshold: float) -> Any:
        compared.append(len(left) * len(right))
        return original(left, right, threshold)

    monkeypatch.setattr(resolve_titles, "_compare", counting)
    calls = [
        call(
            source,
            f"{n}",
            f"Bando numero {n} per le imprese",
            issuer=f"Comune {n % 40}",
            deadlines=(Deadline(at=at("2026-01-01T10:00:00Z").replace(day=1 + n % 28)),),
        )
        for n in range(1200)
        for source in ("piemonte", "incentivi")
    ]
    entities = resolve(calls)
    assert len(entities) == 1200  # each n is one call seen on two sources
    assert all(len(e.members) == 2 for e in entities)
    assert sum(compared) < len(calls) ** 2 / 50
