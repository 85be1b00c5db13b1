"""The pipeline end to end (fetch through the real HTTP client, mocked at the transport):
replays of an older and a newer real capture, failures, truncation, one failing source."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from fundwatch.config import Config, Settings, SourceConfig, load_config
from fundwatch.http import HttpClient, HttpSettings
from fundwatch.models import Call, SourceResult
from fundwatch.pipeline import record, resolve_entities, run_sources
from fundwatch.resolve import entity_id
from fundwatch.store import Store
from tests.digest.calls import IEFP, IEFP_INCENTIVI, INSEDIAMENTO
from tests.golden import FIXTURES

SEARCH = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
REAL = json.loads(
    (FIXTURES / "eu_ft/viabolat_sedia_search_apiv2.154_5results_es-en-ro.json").read_bytes()
)
T1 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
INCENTIVI = SourceConfig(id="incentivi", kind="incentivi", authority=10)
PIEMONTE = SourceConfig(id="piemonte-fse", kind="piemonte")


def _older() -> dict[str, Any]:
    """The real capture as it might have looked a few weeks earlier: the cancer-mission topic
    had its deadline a fortnight sooner and a smaller budget. Derived from the real payload by
    editing only those values."""
    older = copy.deepcopy(REAL)
    for result in older["results"]:
        meta = result["metadata"]
        if meta["identifier"] != ["HORIZON-MISS-2027-02-CANCER-02"]:
            continue
        for key in ("deadlineDate", "budgetOverview", "actions"):
            if key in meta:
                meta[key] = [v.replace("2027-09-21", "2027-09-07") for v in meta[key]]
        meta["budgetOverview"] = [
            v.replace('"2027":"20000000"', '"2027":"18000000"') for v in meta["budgetOverview"]
        ]
    return older


def _without(identifier: str, payload: dict[str, Any] = REAL) -> dict[str, Any]:
    """A complete answer in which one topic is no longer listed."""
    newer = copy.deepcopy(payload)
    newer["results"] = [r for r in newer["results"] if r["metadata"]["identifier"] != [identifier]]
    newer["totalResults"] = len(newer["results"])
    return newer


def _newer_without_eu4h() -> dict[str, Any]:
    return _without("EU4H-2024-PJ-03-5")


def _truncated() -> dict[str, Any]:
    cut = _newer_without_eu4h()
    cut["results"] = cut["results"][:1]  # announces 3, delivers 1 (later pages come empty)
    return cut


def _answer(payload: dict[str, Any]) -> Any:
    """Page 1 is the payload; any later page is empty, as when a result set shrinks."""

    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("pageNumber", "1") == "1":
            return httpx.Response(200, json=payload)
        return httpx.Response(200, json={**payload, "results": []})

    return respond


@pytest.fixture
def config(tmp_path: Path) -> Config:
    root = tmp_path / "config"
    (root / "profiles").mkdir(parents=True)
    (root / "sources.yaml").write_text(
        "sources:\n"
        "  - id: eu-test\n    kind: eu_ft\n"
        "    params: {programmes: ['43254019'], enrich: false}\n"
        "  - id: lazio-innova\n    kind: wp_rest\n"
        "    params: {base_url: 'https://www.lazioinnova.it', route: bandi}\n"
    )
    return load_config(root)


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(
        HttpSettings(min_interval=0, respect_robots=False, backoff=0), sleep=lambda _s: None
    ) as c:
        yield c


def _run(
    config: Config, store: Store, client: HttpClient, payload: dict[str, Any] | int, at: datetime
) -> list[tuple[str, str, Any, Any, str]]:
    with respx.mock:
        if isinstance(payload, int):
            respx.post(url__startswith=SEARCH).respond(payload)
        else:
            respx.post(url__startswith=SEARCH).mock(side_effect=_answer(payload))
        respx.get(url__startswith="https://www.lazioinnova.it/").respond(500)
        before = {e.id for e in store.events()}
        run_sources(config, store, client, only=["eu-test"], clock=lambda: at, strict=True)
    return [
        (e.event.kind.value, e.event.source_id, e.event.before, e.event.after, e.event.detail)
        for e in store.events()
        if e.id not in before
    ]


def test_replay_older_then_newer_capture_gives_the_exact_events(
    config: Config, store: Store, client: HttpClient
) -> None:
    first = _run(config, store, client, _older(), T1)
    assert sorted((k, sid) for k, sid, *_ in first) == [
        ("new", "EU4H-2024-PJ-03-5"),
        ("new", "HORIZON-MISS-2027-02-CANCER-02"),
    ]

    second = _run(config, store, client, _newer_without_eu4h(), T1 + timedelta(days=7))
    assert sorted(second) == sorted(
        [
            (
                "deadline_extended",
                "HORIZON-MISS-2027-02-CANCER-02",
                "2027-09-07T21:59:59+00:00",
                "2027-09-21T21:59:59+00:00",
                "",
            ),
            (
                "budget_changed",
                "HORIZON-MISS-2027-02-CANCER-02",
                {"total_eur": "18000000"},
                {"total_eur": "20000000"},
                "",
            ),
        ]
    )
    # the EU4H topic is missing from a complete run: counted, not yet vanished
    assert _run(config, store, client, _newer_without_eu4h(), T1 + timedelta(days=8)) == []
    third = _run(config, store, client, _newer_without_eu4h(), T1 + timedelta(days=9))
    assert third == [("vanished", "EU4H-2024-PJ-03-5", "closed", None, "3")]
    [horizon] = [s for s in store.calls() if s.call.source_id.startswith("HORIZON")]
    assert len(store.versions(horizon.id)) == 2
    assert {s.call.source_id for s in store.calls()} == {"HORIZON-MISS-2027-02-CANCER-02"}


def test_failed_and_truncated_runs_close_nothing_and_do_not_count(
    config: Config, store: Store, client: HttpClient
) -> None:
    _run(config, store, client, REAL, T1)
    for day in (1, 2, 3, 4):  # more failures than vanish_after_runs
        assert _run(config, store, client, 503, T1 + timedelta(days=day)) == []
        assert _run(config, store, client, _truncated(), T1 + timedelta(days=day, hours=1)) == []
    assert {s.call.source_id for s in store.calls()} == {
        "EU4H-2024-PJ-03-5",
        "HORIZON-MISS-2027-02-CANCER-02",
    }
    assert store.miss_counts("eu-test") == {
        "EU4H-2024-PJ-03-5": 0,
        "HORIZON-MISS-2027-02-CANCER-02": 0,
    }
    health = {h.id: h for h in store.source_health()}["eu-test"]
    assert health.last_run_status == "incomplete"
    assert health.last_error.startswith("incomplete: ")


def test_one_failing_source_never_stops_the_others(
    config: Config, store: Store, client: HttpClient
) -> None:
    with respx.mock:
        respx.post(url__startswith=SEARCH).respond(json=REAL)
        wp = respx.get(url__startswith="https://www.lazioinnova.it/").mock(
            side_effect=httpx.ConnectError("connection refused")
        )
        outcomes = run_sources(config, store, client, clock=lambda: T1, strict=True)
    by_id = {o.result.source_id: o.result for o in outcomes}
    assert [o.result.source_id for o in outcomes] == ["eu-test", "lazio-innova"]
    assert by_id["lazio-innova"].status == "error"
    assert by_id["lazio-innova"].error_kind == "fetch_error"
    assert "ConnectError" in by_id["lazio-innova"].error
    assert wp.call_count == 4  # first try + 3 retries
    assert by_id["eu-test"].status == "ok"
    assert len(store.calls(source="eu-test")) == 2
    health = {h.id: h for h in store.source_health()}
    assert health["lazio-innova"].consecutive_failures == 1
    assert health["eu-test"].consecutive_failures == 0


def test_a_deadline_passing_between_trusted_runs_is_reported_once(
    config: Config, store: Store, client: HttpClient
) -> None:
    _run(config, store, client, REAL, datetime(2027, 9, 1, tzinfo=UTC))
    after = _run(config, store, client, REAL, datetime(2027, 9, 30, tzinfo=UTC))
    assert after == [("closed", "HORIZON-MISS-2027-02-CANCER-02", "open", "closed", "by_date")]
    assert _run(config, store, client, REAL, datetime(2027, 10, 30, tzinfo=UTC)) == []


def test_a_vanished_call_published_again_is_said_to_be_back(
    config: Config, store: Store, client: HttpClient
) -> None:
    _run(config, store, client, REAL, T1)
    without = _without("HORIZON-MISS-2027-02-CANCER-02")
    runs = [_run(config, store, client, without, T1 + timedelta(days=d)) for d in (1, 2, 3)]
    assert runs == [
        [],
        [],
        [("vanished", "HORIZON-MISS-2027-02-CANCER-02", "forthcoming", None, "3")],
    ]
    assert {s.call.source_id for s in store.calls()} == {"EU4H-2024-PJ-03-5"}
    back = _run(config, store, client, REAL, T1 + timedelta(days=4))
    assert back == [
        ("reopened", "HORIZON-MISS-2027-02-CANCER-02", "vanished", "forthcoming", "by_source")
    ]
    assert {s.call.source_id for s in store.calls()} == {
        "EU4H-2024-PJ-03-5",
        "HORIZON-MISS-2027-02-CANCER-02",
    }
    assert _run(config, store, client, REAL, T1 + timedelta(days=5)) == []


def test_a_call_held_back_by_an_untrusted_run_still_counts_as_seen(
    config: Config, store: Store, client: HttpClient
) -> None:
    _run(config, store, client, REAL, T1)
    without = _without("HORIZON-MISS-2027-02-CANCER-02")
    assert _run(config, store, client, without, T1 + timedelta(days=1)) == []
    assert store.miss_counts("eu-test")["HORIZON-MISS-2027-02-CANCER-02"] == 1
    # a truncated run (announces 5, delivers 2) returns it with its deadline brought into the
    # past: the closing change waits for a trusted run, but the call was there
    closing = copy.deepcopy(REAL)
    closing["results"] = [
        r for r in closing["results"] if r["metadata"]["identifier"] != ["EU4H-2024-PJ-03-5"]
    ][:2]
    for result in closing["results"]:
        meta = result["metadata"]
        meta["deadlineDate"] = [v.replace("2027-09-21", "2026-10-01") for v in meta["deadlineDate"]]
    assert _run(config, store, client, closing, T1 + timedelta(days=2)) == []
    assert store.miss_counts("eu-test")["HORIZON-MISS-2027-02-CANCER-02"] == 0
    for day in (3, 4):  # two more complete runs without it: not three in a row
        assert _run(config, store, client, without, T1 + timedelta(days=day)) == []


def test_a_run_records_the_entities_of_calls_seen_on_several_sources(
    config: Config, store: Store, client: HttpClient
) -> None:
    # the bulk catalogue listed the cancer-mission topic before the search API was read
    _run(config, store, client, REAL, T1)
    [topic] = [s.call for s in store.calls() if s.call.source_id.startswith("HORIZON")]
    bulk = topic.model_copy(update={"source": "eu-bulk"})
    store.sync_sources([SourceConfig(id="eu-bulk", kind="eu_ft_bulk")])
    record(store, SourceResult("eu-bulk", "ok", (bulk,), started_at=T1, finished_at=T1), 3)
    _run(config, store, client, REAL, T1 + timedelta(days=1))  # run_sources resolves after
    ids = {s.call.source: s.entity_id for s in store.calls() if s.call.key[1] == topic.source_id}
    assert ids["eu-bulk"] == ids["eu-test"] != ""
    assert len({s.entity_id for s in store.calls()}) == len(store.calls()) - 1


def test_a_gone_copy_stays_with_the_calls_it_was_grouped_with(store: Store) -> None:
    config = Config(Path("config"), Settings(), (INCENTIVI, PIEMONTE), {}, ())
    store.sync_sources(config.sources)
    day = timedelta(days=1)

    def arrive(call: Call, at: datetime, others: tuple[Call, ...] = ()) -> None:
        result = SourceResult(call.source, "ok", (call, *others), started_at=at, finished_at=at)
        record(store, result, 1)
        resolve_entities(config, store)

    other = IEFP_INCENTIVI.model_copy(update={"source_id": "9999", "extra": {}})
    arrive(IEFP_INCENTIVI, T1, (other,))
    arrive(IEFP, T1 + day)
    issuer_entity = entity_id(IEFP.key)
    entity = {s.call.key: s.entity_id for s in store.calls(include_gone=True)}
    assert entity[IEFP_INCENTIVI.key] == entity[IEFP.key] == issuer_entity
    # the aggregator drops its copy: gone, still one entity with the issuer's copy
    arrive(other, T1 + 2 * day)
    entity = {s.call.key: (s.entity_id, s.gone) for s in store.calls(include_gone=True)}
    assert entity[IEFP_INCENTIVI.key] == (issuer_entity, True)
    assert entity[IEFP.key] == (issuer_entity, False)
    # the aggregator lists it again and the region drops it: the entity goes on under the
    # aggregator's copy, the region's stays with it
    arrive(IEFP_INCENTIVI, T1 + 3 * day, (other,))
    arrive(INSEDIAMENTO, T1 + 4 * day)
    entity = {s.call.key: (s.entity_id, s.gone) for s in store.calls(include_gone=True)}
    aggregator_entity = entity_id(IEFP_INCENTIVI.key)
    assert entity[IEFP.key] == (aggregator_entity, True)
    assert entity[IEFP_INCENTIVI.key] == (aggregator_entity, False)
    assert entity[INSEDIAMENTO.key] == (entity_id(INSEDIAMENTO.key), False)
