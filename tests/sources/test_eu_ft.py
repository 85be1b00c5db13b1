"""The `eu_ft` kind, pure parts: golden files for the recorded search responses, the folding
of language and legacy copies, budgets, dates, bad payloads, params and the code table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
from pydantic import BaseModel, ValidationError

from fundwatch.errors import ParseError, ShapeChanged
from fundwatch.models import Status, status
from fundwatch.serialize import call_to_json
from fundwatch.sources import get_kind
from fundwatch.sources.eu_ft import EuFtParams
from fundwatch.sources.eu_ft_bulk import EuFtBulkParams
from fundwatch.sources.eu_ft_codes import DIVISIONS, PROGRAMMES, resolve
from fundwatch.sources.eu_ft_common import deadline_at, opening_at, topic_budget
from tests.golden import FIXTURES, assert_golden, fixture

NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
KIND = get_kind("eu_ft")
VIABOLAT = "viabolat_sedia_search_apiv2.154_5results_es-en-ro.json"
AARHUS = "aarhusai_portal_search_page_first2.json"
FACETS = "eu_ft/mn_grants_feed_2026-08-22_facets_prefix.json"


@pytest.mark.parametrize("name", [VIABOLAT, AARHUS])
def test_golden(name: str) -> None:
    calls = KIND.parse(fixture(f"eu_ft/{name}"), EuFtParams(), "eu-ft")
    assert_golden(calls, FIXTURES / "eu_ft" / f"{name}.expected.json", NOW)


def test_golden_preferring_spanish() -> None:
    params = EuFtParams(languages=["es", "en", "ro"], language="es")
    calls = KIND.parse(fixture(f"eu_ft/{VIABOLAT}"), params, "eu-ft")
    assert_golden(calls, FIXTURES / "eu_ft" / f"{VIABOLAT}.es.expected.json", NOW)


def _by_id(name: str, params: EuFtParams | None = None) -> dict[str, Any]:
    calls = KIND.parse(fixture(f"eu_ft/{name}"), params or EuFtParams(), "eu-ft")
    return {c.source_id: c for c in calls}


def test_language_copies_fold_into_one_call_with_a_title_per_language() -> None:
    calls = _by_id(VIABOLAT)
    assert sorted(calls) == ["EU4H-2024-PJ-03-5", "HORIZON-MISS-2027-02-CANCER-02"]
    cancer = calls["HORIZON-MISS-2027-02-CANCER-02"]
    assert sorted(cancer.titles) == ["en", "es", "ro"]
    assert cancer.title.startswith("Clinical research by Comprehensive Cancer")
    assert cancer.summary.startswith("Expected Outcome:")


def test_preferred_language_picks_title_summary_and_conditions() -> None:
    cancer = _by_id(VIABOLAT, EuFtParams(language="es"))["HORIZON-MISS-2027-02-CANCER-02"]
    assert cancer.language == "es"
    assert cancer.title.startswith("Investigación clínica")
    assert cancer.summary.startswith("Resultado esperado:")
    assert cancer.extra["conditions"].startswith("Condiciones generales")
    assert cancer.extra["call_title"] == "Apoyo a la ejecución de la Misión contra el Cáncer"


def test_untranslated_copies_are_kept_once_under_english() -> None:
    # the es and ro copies of EU4H-2024-PJ-03-5 carry the same English text (same checksum)
    eu4h = _by_id(VIABOLAT, EuFtParams(language="es"))["EU4H-2024-PJ-03-5"]
    assert list(eu4h.titles) == ["en"]
    assert eu4h.language == "en"


def test_legacy_copy_is_read_and_its_stale_status_disagrees() -> None:
    legacy = _by_id(AARHUS)["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"]
    # url pointed at data/topicDetails/*.json; the page is built from the identifier
    assert legacy.url.endswith("/topic-details/HORIZON-CL2-2024-TRANSFORMATIONS-01-08")
    # keywords came as one JSON-encoded string
    assert legacy.keywords[:2] == (
        "Gender research",
        "Education: systems and institutions, teaching and",
    )
    assert legacy.stated_status == "Forthcoming"
    assert status(legacy, NOW) is Status.CLOSED
    assert call_to_json(legacy, NOW)["status_disagrees"] is True


def test_current_copy_wins_over_legacy_copy_of_the_same_topic() -> None:
    page = json.loads(fixture(f"eu_ft/{VIABOLAT}"))
    legacy = json.loads(fixture(f"eu_ft/{AARHUS}"))["results"][1]
    legacy["metadata"]["identifier"] = ["HORIZON-MISS-2027-02-CANCER-02"]  # a legacy twin
    page["results"].insert(0, legacy)
    calls = KIND.parse(json.dumps(page).encode(), EuFtParams(), "eu-ft")
    plain = KIND.parse(fixture(f"eu_ft/{VIABOLAT}"), EuFtParams(), "eu-ft")
    assert calls == plain


def test_budget_is_the_topics_share_of_the_call_overview() -> None:
    cancer = _by_id(VIABOLAT)["HORIZON-MISS-2027-02-CANCER-02"]
    assert cancer.budget.total_eur == Decimal(20000000)  # "2027": "20000000", a string
    assert (cancer.budget.min_grant_eur, cancer.budget.max_grant_eur) == (7000000, 10000000)
    eu4h = _by_id(VIABOLAT)["EU4H-2024-PJ-03-5"]
    # "-5" only, not "-2-a"/"-2-b": the action must be the identifier followed by " - "
    assert eu4h.budget.total_eur == Decimal(1000000)  # "2024": 1000000, a number


def test_budget_rows_are_matched_exactly_and_summed_over_years() -> None:
    overview = {
        "budgetTopicActionMap": {
            "1": [{"action": "X-2 - RIA", "budgetYearMap": {"2026": "100", "2027": 50}}],
            "2": [{"action": "X-2-a - RIA", "budgetYearMap": {"2026": 999}}],
            "3": [{"action": "X-2 - RIA", "budgetYearMap": {"2028": "1.5"}, "expectedGrants": 2}],
            "4": [{"action": "X-2 - CSA", "budgetYearMap": {}, "expectedGrants": "3"}],
        }
    }
    budget, grants = topic_budget(overview, "X-2")
    assert (budget.total_eur, grants) == (Decimal("151.5"), 5)
    assert topic_budget("not an object", "X-2") == (topic_budget(None, "X-2")[0], None)


def test_truncated_budget_overview_costs_only_the_budget() -> None:
    # the recorder cut budgetOverview mid-string: the JSON inside the string is broken
    soil = _by_id(AARHUS)["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil.budget.total_eur is None
    assert [d.label for d in soil.deadlines] == ["stage 1", "stage 2"]


@pytest.mark.parametrize(
    ("value", "deadline"),
    [
        ("2027-09-21T00:00:00.000+0000", "2027-09-21T21:59:59+00:00"),  # UTC midnight: that day
        ("2025-01-21T23:00:00.000+0000", "2025-01-22T22:59:59+00:00"),  # Brussels midnight
        ("2024-09-16T22:00:00.000+0000", "2024-09-17T21:59:59+00:00"),  # same, summer time
        ("2023-03-09T00:00:00.000+0100", "2023-03-09T22:59:59+00:00"),  # older offsets
        (1737500400000, "2025-01-22T22:59:59+00:00"),  # epoch ms, as the bulk file has them
        ("1737500400000", "2025-01-22T22:59:59+00:00"),
        (0, None),  # placeholders, not 1 January 1970
        ("0", None),
        ("09 March 2023", "2023-03-09T22:59:59+00:00"),  # inside `actions`
        ("2024-02-07T17:00:00.000+0000", "2024-02-07T17:00:00+00:00"),  # a real time is kept
        ("", None),
        ("soon", None),
        (None, None),
    ],
)
def test_deadline_dates_are_brussels_days(value: Any, deadline: str | None) -> None:
    at = deadline_at(value)
    assert (at.isoformat() if at else None) == deadline


def test_opening_dates_are_the_start_of_the_brussels_day() -> None:
    at = opening_at("2027-02-10T00:00:00.000+0000")
    assert at is not None and at.isoformat() == "2027-02-09T23:00:00+00:00"


def test_record_missing_optional_fields_still_parses() -> None:
    body = {
        "totalResults": 1,
        "results": [
            {
                "reference": "1TOPICSen",
                "title": None,
                "metadata": {"identifier": ["X-1"], "title": None, "status": None, "tags": None},
            }
        ],
    }
    [call] = KIND.parse(json.dumps(body).encode(), EuFtParams(), "s")
    assert (call.source_id, call.title, call.deadlines, call.stated_status) == (
        "X-1",
        "X-1",
        (),
        "",
    )
    assert call.territories[0].code == "EU"


def test_titles_lose_entities_and_odd_whitespace() -> None:
    md = {"identifier": ["X-1"], "title": ["\ufeffR&amp;I  for\r\n SMEs &#8211; pilot "]}
    [call] = KIND.parse(json.dumps({"results": [{"metadata": md}]}).encode(), EuFtParams(), "s")
    assert call.titles == {"en": "R&I for SMEs – pilot"}


def _one(record: dict[str, Any], params: EuFtParams | None = None) -> Any:
    body = json.dumps({"totalResults": 1, "results": [record]}).encode()
    [call] = KIND.parse(body, params or EuFtParams(), "s")
    return call


def test_highlighting_never_reaches_a_title() -> None:
    # `content` and `summary` carry the search API's <b> highlighting; so may a title
    md = {"identifier": ["X-1"], "title": ["Comprehensive <b>Cancer</b> Infrastructures"]}
    assert _one({"metadata": md}).title == "Comprehensive Cancer Infrastructures"
    # a bare "<" in a title is text, not markup
    md = {"identifier": ["X-1"], "title": ["Grants < EUR 60 000 &amp; more"]}
    assert _one({"metadata": md}).title == "Grants < EUR 60 000 & more"


def test_title_falls_back_to_the_result_title_then_the_summary() -> None:
    result = {"title": "Result title", "summary": "Summary", "metadata": {"identifier": ["X-1"]}}
    assert _one(result).title == "Result title"
    # result-level title null (as in every recorded result): the summary, highlighting dropped
    result = {
        "title": None,
        "summary": "Support for <b>social</b> innovation",
        "content": "Support for <b>social</b>",
        "metadata": {"identifier": ["X-1"], "title": []},
    }
    assert _one(result).title == "Support for social innovation"


def test_dates_only_inside_actions_are_read() -> None:
    # no deadlineDate / startDate / status / deadlineModel: `actions` carries them, in the
    # "09 March 2023" form of older records
    action = {
        "status": {"id": 31094503, "abbreviation": "Closed"},
        "submissionProcedure": {"abbreviation": "two-stage"},
        "plannedOpeningDate": "01 December 2022",
        "deadlineDates": ["14 September 2023", "09 March 2023"],
    }
    call = _one({"metadata": {"identifier": ["X-1"], "actions": [json.dumps([action])]}})
    assert call.stated_status == "Closed"
    assert call.opens_at == datetime(2022, 11, 30, 23, tzinfo=UTC)  # Brussels midnight
    assert [(d.label, d.at.isoformat()) for d in call.deadlines] == [
        ("stage 1", "2023-03-09T22:59:59+00:00"),
        ("stage 2", "2023-09-14T21:59:59+00:00"),
    ]


def test_older_offsets_and_cut_offs_through_the_parser() -> None:
    md = {
        "identifier": ["X-1"],
        "deadlineModel": ["multiple cut-off"],
        # older versions: +0200 offsets; a Brussels midnight (summer) and a real time of day
        "deadlineDate": ["2023-09-14T00:00:00.000+0200", "2023-03-09T17:00:00.000+0200"],
        "startDate": ["1737500400000"],  # epoch ms as a string
        "status": ["31094502"],
    }
    call = _one({"metadata": md})
    assert [(d.label, d.at.isoformat()) for d in call.deadlines] == [
        ("cut-off 1", "2023-03-09T15:00:00+00:00"),
        ("cut-off 2", "2023-09-14T21:59:59+00:00"),
    ]
    assert call.opens_at == datetime(2025, 1, 21, 23, tzinfo=UTC)
    assert call_to_json(call, NOW)["status"] == "closed"  # stated "Open", disagreeing
    assert call_to_json(call, NOW)["status_disagrees"] is True


def test_budget_amounts_as_strings_numbers_and_floats_are_summed() -> None:
    overview = {
        "budgetTopicActionMap": {
            "9": [
                {"action": "X-1 - ESF-PJG", "budgetYearMap": {"2026": 1500000.0, "2027": "2000000"}}
            ]
        }
    }
    md = {"identifier": ["X-1"], "budgetOverview": [json.dumps(overview)]}
    assert _one({"metadata": md}).budget.total_eur == Decimal(3500000)


def test_scalar_metadata_values_are_read_as_one_element_lists() -> None:
    md = {"identifier": "X-1", "title": "\ufeffA title", "status": "31094501", "keywords": "k"}
    call = _one({"metadata": md})
    assert (call.source_id, call.title, call.stated_status, call.keywords) == (
        "X-1",
        "A title",
        "Forthcoming",
        ("k",),
    )


def test_esf_plus_topic_gets_the_fund_tag_and_easi_division() -> None:
    body = {
        "results": [
            {
                "metadata": {
                    "identifier": ["ESF-2026-POW"],
                    "frameworkProgramme": ["43254019"],
                    "programmeDivision": ["43254027"],
                }
            }
        ]
    }
    [call] = KIND.parse(json.dumps(body).encode(), EuFtParams(), "s")
    assert [(p.code, p.label, p.kind) for p in call.programmes] == [
        ("43254019", "European Social Fund Plus (ESF+)", "programme"),
        ("43254027", "Employment and Social Innovation (EaSI)", "division"),
        ("ESF+", "European Social Fund Plus", "fund"),
    ]
    assert call.funds == ("ESF+",)


def test_empty_result_set_is_valid() -> None:
    assert KIND.parse(b'{"totalResults": 0, "results": []}', EuFtParams(), "s") == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"totalResults": 3, "results": [', "malformed JSON"),
        (b"<html>Service unavailable</html>", "malformed JSON"),
        (b'{"totalResults": 3}', "no 'results'"),
        (b'{"results": {"a": 1}}', "not a list"),
        (b"[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_payload_is_a_parse_error(raw: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        KIND.parse(raw, EuFtParams(), "s")


def test_results_without_identifiers_are_a_shape_change() -> None:
    with pytest.raises(ShapeChanged):
        KIND.parse(b'{"results": [{"metadata": {}}, {"metadata": {}}]}', EuFtParams(), "s")


# -- params ------------------------------------------------------------------------------


def test_default_params_ask_for_open_and_forthcoming_esf_plus_grants() -> None:
    p = EuFtParams()
    assert (p.programmes, p.divisions, p.types, p.statuses) == (
        ("43254019",),
        (),
        ("1", "2", "8"),
        ("31094502", "31094501"),
    )
    assert (p.languages, p.language, p.page_size, p.enrich) == (("en",), "en", 100, False)
    assert p.endpoint == "https://api.tech.ec.europa.eu/search-api/prod/rest/search"


def test_names_resolve_to_codes() -> None:
    p = EuFtParams(
        programmes=[
            "esf+",
            "CERV",
            "SOCPL",
            "Erasmus+",
            "Horizon Europe",
            "Digital Europe",
            "EU4Health",
            "I3",
            "43999999",
        ],
        divisions="EaSI",
        types=["tender", "grant"],
        statuses=["closed"],
    )
    assert p.programmes == (
        "43254019",
        "43251589",
        "43252517",
        "43353764",
        "43108390",
        "43152860",
        "43332642",
        "44416173",
        "43999999",
    )
    assert (p.divisions, p.types, p.statuses) == (("43254027",), ("0", "1"), ("31094503",))


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError, match=r"unknown programme 'ESF\+\+'; known: .*CERV"):
        EuFtParams(programmes=["ESF++"])


@pytest.mark.parametrize(
    "bad",
    [{"colour": "red"}, {"page_size": 101}, {"languages": []}, {"language": "english"}],
)
def test_bad_params_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EuFtParams(**bad)


@pytest.mark.parametrize("model", [EuFtParams, EuFtBulkParams])
def test_every_param_has_a_description(model: type[BaseModel]) -> None:
    missing = [name for name, f in model.model_fields.items() if not f.description]
    assert missing == []
    assert model.model_config.get("extra") == "forbid"


# -- the code table against the portal's facet values ------------------------------------


def _facets(name: str) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = json.loads(fixture(FACETS))["facets"][name]
    return values


# facet labels whose "+" the URL decoding turned into spaces
_PLUS_LOST = {"43254019": "European Social Fund Plus (ESF+)", "43353764": "Erasmus+ (ERASMUS+)"}


def _clean(label: str) -> str:
    return " ".join(unquote(label).split())


def test_every_programme_facet_is_in_the_table_with_a_clean_label() -> None:
    for facet in _facets("frameworkProgramme"):
        code = facet["rawValue"]
        assert PROGRAMMES[code] == _PLUS_LOST.get(code, _clean(facet["value"])), code


def test_every_named_division_facet_is_in_the_table_with_a_clean_label() -> None:
    unnamed = []
    for facet in _facets("programmeDivision"):
        code, label = facet["rawValue"], _clean(facet["value"])
        if label == code:
            unnamed.append(code)
            assert DIVISIONS.get(code, PROGRAMMES.get(code, code)) == PROGRAMMES.get(code, code)
        else:
            assert DIVISIONS[code] == label, code
    # 87 of the 173 division facets give only the number; 3 of those numbers are programme
    # codes (EDF, DIGITAL, PPPA) and take the programme's label, the other 84 are left out
    assert len(unnamed) == 87
    assert sorted(c for c in unnamed if c in DIVISIONS) == ["43152860", "43637601", "44181033"]


def test_table_labels_carry_no_url_mangling() -> None:
    for label in [*PROGRAMMES.values(), *DIVISIONS.values()]:
        assert "%" not in label and "  " not in label and label == label.strip()


def test_status_and_type_facets_resolve() -> None:
    for facet in _facets("status") + _facets("type"):
        what = "status" if len(facet["rawValue"]) > 1 else "type"
        assert resolve(what, [facet["value"]]) == [facet["rawValue"]]
