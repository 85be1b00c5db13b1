"""`fundwatch history` and `fundwatch events` on a store with real-shaped versions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fundwatch.changes import diff
from fundwatch.cli import main
from fundwatch.config import SourceConfig
from fundwatch.models import Call, Deadline, SourceResult
from fundwatch.store import Store

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LAST = T0 + timedelta(days=4)
SHIPPED = Path(__file__).resolve().parents[2] / "config"


def _call(deadline: datetime) -> Call:
    # values of the real Piemonte IeFP call (tests/fixtures/piemonte/piemonte_detail_esito_150489)
    return Call(
        source="piemonte",
        source_id="iefp-2026-2030",
        url="https://bandi.regione.piemonte.it/contributi-finanziamenti/autorizzazione-"
        "finanziamento-offerta-formativa-iefp-ciclo-formativo-20262030",
        titles={"it": "Autorizzazione e finanziamento dell'offerta formativa IeFP"},
        deadlines=(Deadline(at=deadline),),
    )


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'fw.db'}"
    store = Store.open(url)
    store.sync_sources([SourceConfig(id="piemonte", kind="piemonte")])
    first = _call(datetime(2026, 3, 12, 16, 0, tzinfo=UTC))
    moved = _call(datetime(2026, 3, 26, 16, 0, tzinfo=UTC))
    later = T0 + timedelta(days=3)
    store.save_run(
        SourceResult("piemonte", "ok", (first,), started_at=T0, finished_at=T0),
        diff(None, first, T0),
    )
    store.save_run(
        SourceResult("piemonte", "ok", (moved,), started_at=later, finished_at=later),
        diff(first, moved, later),
    )
    reworded = moved.model_copy(update={"summary": "Avviso IeFP, testo aggiornato"})
    assert diff(moved, reworded, LAST) == []  # a new version, nothing a reader must be told
    store.save_run(
        SourceResult("piemonte", "ok", (reworded,), started_at=LAST, finished_at=LAST), []
    )
    store.close()
    monkeypatch.setenv("FUNDWATCH_DATABASE_URL", url)
    return url


def test_history_tells_the_versions_and_what_changed(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--config", str(SHIPPED), "history", "piemonte:iefp-2026-2030", "--lang", "en"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Autorizzazione e finanziamento dell'offerta formativa IeFP"
    assert out[2] == (
        "first seen 2026-03-02 08:00 UTC, last seen 2026-03-06 08:00 UTC, "
        "last changed 2026-03-06 08:00 UTC, 3 versions"
    )
    assert out[3:] == [
        "  2026-03-02 08:00  version 1 stored",
        "  2026-03-02 08:00  new call: Autorizzazione e finanziamento dell'offerta formativa "
        "IeFP, deadline 12 March at 17:00",
        "  2026-03-05 08:00  version 2 stored (changed: deadlines)",
        "  2026-03-05 08:00  deadline moved from 12 March at 17:00 to 26 March at 17:00",
        "  2026-03-06 08:00  version 3 stored (changed: summary)",
    ]


def test_events_filter_by_type_and_since_as_json(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(SHIPPED), "events", "--type", "deadline_extended", "--json"]) == 0
    [event] = json.loads(capsys.readouterr().out)
    assert event["kind"] == "deadline_extended"
    assert event["before"] == "2026-03-12T16:00:00+00:00"
    assert event["after"] == "2026-03-26T16:00:00+00:00"
    assert event["text"] == "scadenza spostata dal 12 marzo ore 17:00 al 26 marzo ore 17:00"
    assert main(["--config", str(SHIPPED), "events", "--since", "2026-03-04", "--json"]) == 0
    assert [e["kind"] for e in json.loads(capsys.readouterr().out)] == ["deadline_extended"]


def test_events_table_gives_the_call_id_history_takes(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(SHIPPED), "events", "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["at", "(UTC)", "id", "kind", "call", "what"]
    assert [line.split()[2:4] for line in out[1:-1]] == [["1", "new"], ["1", "deadline_extended"]]
    assert out[-1] == "2 events"
    assert main(["--config", str(SHIPPED), "history", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["source_id"] == "iefp-2026-2030"


def test_unknown_call_is_a_clear_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(SHIPPED), "history", "nope"]) == 2
    assert "no stored call 'nope'" in capsys.readouterr().err


def test_history_as_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(SHIPPED), "history", "iefp-2026-2030", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["source"], data["source_id"]) == ("piemonte", "iefp-2026-2030")
    assert (data["also_seen_as"], data["entity_dates"]) == ([], None)  # no other source has it
    assert [(v["seen_at"], v["changed"]) for v in data["versions"]] == [
        ("2026-03-02T08:00:00+00:00", []),
        ("2026-03-05T08:00:00+00:00", ["deadlines"]),
        ("2026-03-06T08:00:00+00:00", ["summary"]),
    ]
    assert (data["first_seen"], data["last_changed"]) == (
        "2026-03-02T08:00:00+00:00",
        "2026-03-06T08:00:00+00:00",
    )
    assert [e["kind"] for e in data["events"]] == ["new", "deadline_extended"]
    assert data["events"][1]["text"] == (
        "scadenza spostata dal 12 marzo ore 17:00 al 26 marzo ore 17:00"
    )


def test_one_call_on_two_sources_is_one_entity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundwatch.config import load_config
    from fundwatch.pipeline import resolve_entities

    url = f"sqlite:///{tmp_path / 'fw.db'}"
    config = load_config(SHIPPED)
    store = Store.open(url)
    store.sync_sources(config.sources)
    regional = _call(datetime(2026, 3, 26, 16, 0, tzinfo=UTC))
    national = regional.model_copy(
        update={
            "source": "incentivi-gov",
            "source_id": "node/9001",
            "titles": {"it": "IeFP 2026-2030 (Piemonte)"},
            # the aggregator gives the closing day only, as local midnight in UTC
            "deadlines": (Deadline(at=datetime(2026, 3, 25, 23, 0, tzinfo=UTC)),),
        }
    )
    for call in (regional, national):
        store.save_run(SourceResult(call.source, "ok", (call,), started_at=T0, finished_at=T0))
    assert resolve_entities(config, store) == 2
    first, second = store.calls()
    assert first.entity_id == second.entity_id != ""
    store.close()
    monkeypatch.setenv("FUNDWATCH_DATABASE_URL", url)
    assert main(["--config", str(SHIPPED), "history", "incentivi-gov:node/9001"]) == 0
    out = capsys.readouterr().out
    assert "the same call is also published as: piemonte:iefp-2026-2030" in out
    # the issuer's own site outranks the aggregator (config/sources.yaml: authority 10)
    assert (
        "dates as the most authoritative source (piemonte:iefp-2026-2030) states them: "
        "deadline 2026-03-26 17:00 (Europe/Rome)"
    ) in out
    assert main(["--config", str(SHIPPED), "history", "incentivi-gov:node/9001", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["also_seen_as"] == ["piemonte:iefp-2026-2030"]
    assert data["entity_dates"] == {
        "from": "piemonte:iefp-2026-2030",
        "opens_at": None,
        "deadlines": ["2026-03-26T16:00:00+00:00"],
        "rolling": False,
    }
