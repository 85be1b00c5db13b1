"""The per-profile exclusion list: written by the digest's links, applied by the engine."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fundwatch.errors import ConfigError
from fundwatch.rules import FeedbackStore, judge
from tests.rules.helpers import NOW, make_call, make_profile


def test_write_read_and_apply(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback")
    assert store.load("torino").excluded == {}
    assert store.exclude_call("torino", "test:c1", NOW, note="non pertinente")
    assert not store.exclude_call("torino", "test:c1", NOW)
    assert store.fewer_like_this("torino", "  formazione   professionale ", NOW)
    assert not store.fewer_like_this("torino", "Formazione professionale", NOW)
    text = (tmp_path / "feedback" / "torino.yaml").read_text()
    assert text == (
        "excluded_calls:\n"
        "- call: test:c1\n"
        "  at: '2026-05-04T08:00:00Z'\n"
        "  note: non pertinente\n"
        "fewer_like_this:\n"
        "- term: formazione professionale\n"
        "  at: '2026-05-04T08:00:00Z'\n"
    )
    feedback = store.load("torino")
    assert feedback.excluded == {"test:c1": NOW}
    assert feedback.fewer == ("formazione professionale",)
    verdicts = judge(make_profile(), [make_call("c1"), make_call("c2")], NOW, feedback)
    assert [v.matched for v in verdicts] == [False, True]
    assert store.include_call("torino", "test:c1")
    assert not store.include_call("torino", "test:c1")
    assert store.load("torino").excluded == {}


def test_hand_edited_file_errors_name_the_path(tmp_path: Path) -> None:
    (tmp_path / "torino.yaml").write_text("excluded_calls:\n  - {call: x, when: yesterday}\n")
    with pytest.raises(ConfigError) as info:
        FeedbackStore(tmp_path).load("torino")
    assert str(info.value) == (
        f"{tmp_path / 'torino.yaml'}: at 'excluded_calls[0].when': unknown field "
        "(check the spelling; `fundwatch schema` lists the fields)"
    )


def test_bad_profile_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a profile id"):
        FeedbackStore(tmp_path).exclude_call("../etc", "x:y", NOW)


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path)
    threads = [
        threading.Thread(target=store.exclude_call, args=("torino", f"test:c{i}", NOW))
        for i in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(store.load("torino").excluded) == {f"test:c{i}" for i in range(20)}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".torino.lock", "torino.yaml"]
