"""Defaults every call of a config-driven source gets: validated per item, converted once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from fundwatch.sources import get_kind
from fundwatch.sources.wp_rest_params import WpRestParams

SITE = {"base_url": "https://www.lazioinnova.it", "route": "bandi"}


def test_labels_and_foreign_nuts_are_accepted_and_converted() -> None:
    params = WpRestParams.model_validate(
        {
            **SITE,
            "funds": ["FESR", "ESF+"],
            "territories": ["ITI4", "BE10", "EU"],
            "audiences": ["impresa"],
            "timezone": "Europe/Brussels",
        }
    )
    assert [(p.code, p.kind) for p in params.default_funds("it")] == [
        ("ERDF", "fund"),
        ("ESF+", "fund"),
    ]
    assert [(t.code, t.scheme) for t in params.default_territories()] == [
        ("ITI4", "nuts"),
        ("BE10", "nuts"),
        ("EU", "eu"),
    ]
    assert [a.code for a in params.default_audiences()] == ["impresa"]
    assert str(params.zone) == "Europe/Brussels"


@pytest.mark.parametrize(
    ("field", "value", "loc", "words"),
    [
        ("funds", ["ESF+", "XYZ"], ("funds", 1), "unknown fund 'XYZ'"),
        ("territories", ["ITC1", "LAZIO"], ("territories", 1), "LAZIO"),
        ("audiences", ["martians"], ("audiences", 0), "martians"),
        ("timezone", "Europe/Turin", ("timezone",), "Europe/Turin"),
    ],
)
def test_each_bad_item_is_named(
    field: str, value: object, loc: tuple[object, ...], words: str
) -> None:
    with pytest.raises(ValidationError) as info:
        WpRestParams.model_validate({**SITE, field: value})
    err = info.value.errors()[0]
    assert err["loc"] == loc
    assert words in err["msg"]


def test_rss_and_wp_rest_share_the_rules() -> None:
    for kind, base in (("rss", {"url": "https://example.org/feed"}), ("wp_rest", SITE)):
        params = get_kind(kind).params
        with pytest.raises(ValidationError):
            params.model_validate({**base, "funds": ["XYZ"]})
        assert params.model_validate({**base, "funds": ["FSE+"]}) is not None
