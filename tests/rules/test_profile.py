"""The profile format: defaults, vocabulary checks and path-qualified errors."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from fundwatch.config import load_config
from fundwatch.config.loader import validate
from fundwatch.config.profile import Profile
from fundwatch.errors import ConfigError


def _error(data: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as info:
        validate(Profile, {"id": "x", "name": "X", **data}, "config/profiles/x.yaml")
    return str(info.value)


def test_minimal_profile_has_documented_defaults() -> None:
    p = Profile.model_validate({"id": "x", "name": "X"})
    assert p.languages == ("it",)
    assert p.gates.status == ["open", "forthcoming"]
    assert p.gates.exclude_call_types == ["procurement", "tender", "appointment", "recruitment"]
    assert p.gates.unknown_facts == "pass"
    assert p.delivery.frequency == "weekly" and p.delivery.time == time(8, 0)
    assert p.delivery.reminders == [30, 7]
    assert p.delivery.empty_digest == "skip"


def test_codes_are_normalised() -> None:
    p = Profile.model_validate(
        {
            "id": "x",
            "name": "X",
            "organisation": {"type": "Comune", "territory": "1272", "languages": ["IT", "en"]},
            "interests": {"funds": ["FSE+", "fesr", "PNRR"]},
            "delivery": {"reminders": [7, 30, 7]},
        }
    )
    assert p.organisation.type == "comune"
    assert p.organisation.territory == "001272"
    assert p.languages == ("it", "en")
    assert p.interests.funds == ["ESF+", "ERDF", "PNRR"]
    assert p.delivery.reminders == [30, 7]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"organisation": {"type": "municipio"}},
            "at 'organisation.type': unknown organisation type 'municipio'; known: associazione, ",
        ),
        (
            {"organisation": {"territory": "Torino"}},
            "at 'organisation.territory': unknown territory 'Torino' (use an ISTAT code such as "
            "001272, or a NUTS code such as ITC11)",
        ),
        (
            {"interests": {"funds": ["ESF+", "FSE++x"]}},
            "at 'interests.funds[1]': unknown fund 'FSE++x'",
        ),
        (
            {"interests": {"keywords": {"some": ["x"]}}},
            "at 'interests.keywords.some': unknown field",
        ),
        ({"gates": {"status": ["open", "aperto"]}}, "at 'gates.status[1]': input should be"),
        (
            {"gates": {"grant_min_eur": 10, "grant_max_eur": 5}},
            "at 'gates': grant_min_eur is larger than grant_max_eur",
        ),
        ({"gates": {"max_own_share": 1.5}}, "at 'gates.max_own_share': input should be less"),
        ({"gates": {"strict_on": ["colour"]}}, "at 'gates.strict_on[0]': input should be"),
        ({"delivery": {"weekday": "lunedì"}}, "at 'delivery.weekday': input should be"),
        ({"delivery": {"time": "25:00"}}, "at 'delivery.time': input should be"),
        (
            {"delivery": {"reminders": [400]}},
            "at 'delivery.reminders': reminder 400 is not between 0 and 365 days",
        ),
        ({"delivery": {"sections_off": ["news"]}}, "at 'delivery.sections_off[0]': input should"),
    ],
)
def test_errors_name_the_path(data: dict[str, object], message: str) -> None:
    assert _error(data).startswith(f"config/profiles/x.yaml: {message}")


def test_every_field_is_documented() -> None:
    def walk(schema: dict[str, object], defs: dict[str, object], where: str) -> None:
        props = schema.get("properties", {})
        assert isinstance(props, dict)
        assert schema.get("additionalProperties") is False, where
        for name, prop in props.items():
            assert isinstance(prop, dict) and prop.get("description"), f"{where}.{name}"
            ref = prop.get("$ref")
            if isinstance(ref, str):
                target = defs[ref.rsplit("/", 1)[1]]
                assert isinstance(target, dict)
                walk(target, defs, f"{where}.{name}")

    schema = Profile.model_json_schema()
    walk(schema, schema["$defs"], "profile")


def test_shipped_profiles_carry_real_criteria() -> None:
    cfg = load_config(Path(__file__).resolve().parents[2] / "config")
    by_id = {p.id: p for p in cfg.profiles}
    assert set(by_id) == {
        "comune-torino",
        "coop-sociale-torino",
        "comune-lombardia-piccolo",
        "ngo-network-brussels",
    }
    for profile in by_id.values():
        assert profile.organisation.type and profile.organisation.territory, profile.id
        interests = profile.interests
        assert interests.funds or interests.programmes or interests.keywords.any, profile.id
    assert by_id["ngo-network-brussels"].language == "en"
