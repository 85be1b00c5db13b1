"""Preview: a rule edit adds and removes known calls, current and past, with the reasons."""

from __future__ import annotations

from datetime import timedelta

from fundwatch.config import Profile
from fundwatch.config.profile import Interests
from fundwatch.models import Deadline
from fundwatch.rules.preview import Snapshot, preview
from tests.rules.fixture_calls import fixture_calls
from tests.rules.helpers import NOW
from tests.rules.test_example_profiles import PIEMONTE, _profile

ITS = PIEMONTE + "programmazione-offerta-formativa-its-academy-2026-2029"
AUTISM = PIEMONTE + "progetti-e-iniziative-dedicati-alle-persone-con-disturbi-del-neuro"
SHELTERS = PIEMONTE + "realizzazione-di-case-rifugio"
VIOLENCE = PIEMONTE + "finanziamenti-centri-uomini-autori-potenziali-autori-violenza-genere"


def _edited(before: Profile) -> Profile:
    """Staff drop the broad themes and add one keyword."""
    interests = before.interests
    keywords = interests.keywords.model_copy(
        update={"any": [*interests.keywords.any, "ITS Academy"]}
    )
    edited: Interests = interests.model_copy(
        update={
            "themes": [t for t in interests.themes if t not in ("politiche sociali", "diritti")],
            "keywords": keywords,
        }
    )
    return before.model_copy(update={"interests": edited})


def test_edit_adds_and_removes_known_calls() -> None:
    before = _profile("comune-torino")
    after = _edited(before)
    calls = {f"{c.source}:{c.source_id}": c for c in fixture_calls()}
    # the shelters call as it was a month ago: its title then said nothing of shelters
    old_shelters = calls[SHELTERS].model_copy(update={"titles": {"it": "Avviso 2026"}})
    snapshots = [Snapshot(c, NOW, True, i) for i, c in enumerate(calls.values())]
    snapshots.append(Snapshot(old_shelters, NOW - timedelta(days=30), False, 999))

    (result,) = preview([before, _profile("ngo-network-brussels")], [after], snapshots)

    assert result.profile_id == "comune-torino" and result.kind == "changed"
    assert [c.snapshot.ref for c in result.current("enters")] == [ITS]
    assert [c.snapshot.ref for c in result.current("leaves")] == [AUTISM, SHELTERS]
    assert [(c.snapshot.ref, c.snapshot.at) for c in result.past("leaves")] == [
        (SHELTERS, NOW - timedelta(days=30))
    ]
    assert result.past("enters") == []
    assert (result.before_count, result.after_count) == (8, 7)

    enters = result.current("enters")[0]
    assert enters.before is not None and enters.before.excluded_by == ("interest", "relevance")
    hit = enters.after.outcome("interest")
    assert hit is not None and hit.reasons[0].args == {"term": "ITS Academy", "where": "title"}
    leaves = result.current("leaves")[0]
    assert leaves.before is not None and leaves.before.matched
    assert leaves.after.excluded_by == ("interest", "relevance")
    # the violence call keeps matching through its keyword, so it is not listed
    assert VIOLENCE not in {c.snapshot.ref for c in result.changes}


def test_new_and_unchanged_profiles() -> None:
    torino = _profile("comune-torino")
    snapshots = [Snapshot(c, NOW, True) for c in fixture_calls()]
    newcomer = torino.model_copy(update={"id": "torino-bis"})
    unchanged, added = preview([torino], [torino, newcomer], snapshots)
    assert (unchanged.kind, unchanged.changes) == ("unchanged", ())
    assert unchanged.before_count == unchanged.after_count == 8
    assert added.kind == "added" and added.before_count == 0
    assert len(added.current("enters")) == 8
    assert all(c.before is None for c in added.changes)


def test_a_past_version_equal_to_the_current_state_is_listed_only_when_it_moves_otherwise() -> None:
    """The store keeps each call's latest version: judged when it was seen, it repeats the
    current change (left out) unless the call has closed since (listed: it left then)."""
    before = _profile("comune-torino")
    after = _edited(before)
    calls = {f"{c.source}:{c.source_id}": c for c in fixture_calls()}
    autism, its = calls[AUTISM], calls[ITS]
    # a call that closed after it was last seen: open then (with a deadline), closed now
    closing = calls[SHELTERS].model_copy(
        update={"deadlines": (Deadline(at=NOW - timedelta(days=3)),)}
    )
    seen = NOW - timedelta(days=30)
    snapshots = [
        Snapshot(autism, NOW, True, 1),
        Snapshot(autism, seen, False, 1),
        Snapshot(its, NOW, True, 2),
        Snapshot(its, seen, False, 2),
        Snapshot(closing, NOW, True, 3),
        Snapshot(closing, seen, False, 3),
    ]
    (result,) = preview([before], [after], snapshots)
    assert [(c.snapshot.ref, c.direction) for c in result.current("enters")] == [(ITS, "enters")]
    assert [c.snapshot.ref for c in result.current("leaves")] == [AUTISM]
    assert result.past("enters") == []
    assert [(c.snapshot.ref, c.snapshot.at) for c in result.past("leaves")] == [(SHELTERS, seen)]
    closed_now = result.past("leaves")[0]
    assert closed_now.before is not None and closed_now.before.matched
    assert closed_now.after.excluded_by == ("interest", "relevance")
