"""The outbox state machine and delivery marks, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlmodel import Session

from fundwatch.store import Store, outbox
from fundwatch.store.outbox import DeliveryMark, NewMessage
from tests.digest.calls import NOW


def message(mid: str, recipient: str = "a@example.org") -> NewMessage:
    return NewMessage(
        mid,
        "comune-torino",
        "email",
        "2026-W38",
        recipient,
        "subject",
        b"Subject: x\r\n\r\nbody\r\n",
    )


MARK = DeliveryMark("comune-torino", "email", "2026-W38", 9, NOW)


def test_enqueue_is_idempotent_and_moves_the_mark(store: Store) -> None:
    assert outbox.delivery_mark(store.engine, "comune-torino", "email") is None
    assert outbox.enqueue(
        store.engine, [message("m1"), message("m2", "b@example.org")], MARK, NOW
    ) == ["m1", "m2"]
    assert outbox.enqueue(store.engine, [message("m1")], MARK, NOW) == []
    # one address listed twice in a profile: one message
    assert outbox.enqueue(store.engine, [message("m3"), message("m3")], MARK, NOW) == ["m3"]
    assert outbox.delivery_mark(store.engine, "comune-torino", "email") == MARK
    later = DeliveryMark("comune-torino", "email", "2026-W39", 12, NOW + timedelta(days=7))
    outbox.enqueue(store.engine, [], later, NOW + timedelta(days=7))
    assert outbox.delivery_mark(store.engine, "comune-torino", "email") == later
    rows = outbox.messages(store.engine)
    assert [(m.id, m.status, m.attempts, m.payload) for m in rows] == [
        ("m1", "pending", 0, b"Subject: x\r\n\r\nbody\r\n"),
        ("m2", "pending", 0, b"Subject: x\r\n\r\nbody\r\n"),
        ("m3", "pending", 0, b"Subject: x\r\n\r\nbody\r\n"),
    ]
    assert outbox.counts(store.engine) == {
        "pending": 3,
        "sending": 0,
        "in_doubt": 0,
        "sent": 0,
        "failed": 0,
        "suppressed": 0,
    }


def test_the_same_digest_queued_meanwhile_elsewhere_is_queued_once(store: Store) -> None:
    """Two jobs queue one digest at once: the other commits between our read and our write."""
    theirs = DeliveryMark("comune-torino", "email", "2026-W38", 11, NOW)
    fired = []

    def competitor(_session: Session, *_: object) -> None:
        if not fired:
            fired.append(True)
            assert outbox.enqueue(store.engine, [message("m1")], theirs, NOW) == ["m1"]

    event.listen(Session, "before_flush", competitor)
    try:
        assert outbox.enqueue(store.engine, [message("m1")], MARK, NOW) == []
    finally:
        event.remove(Session, "before_flush", competitor)
    assert fired
    assert [m.id for m in outbox.messages(store.engine)] == ["m1"]
    assert outbox.delivery_mark(store.engine, "comune-torino", "email") == theirs


def test_a_message_is_claimed_by_one_owner_only(store: Store) -> None:
    outbox.enqueue(store.engine, [message("m1"), message("m2")], MARK, NOW)
    lease = NOW + timedelta(minutes=15)
    a = outbox.claim(store.engine, "host/a", NOW, lease, limit=1)
    b = outbox.claim(store.engine, "host/b", NOW, lease, limit=5)
    assert [m.id for m in a] == ["m1"] and [m.id for m in b] == ["m2"]
    assert outbox.claim(store.engine, "host/c", NOW, lease) == []
    assert (a[0].status, a[0].lease_owner, a[0].attempts) == ("sending", "host/a", 1)
    # only the lease holder moves a message on
    assert not outbox.hand_over(store.engine, "m1", "host/b")
    assert outbox.hand_over(store.engine, "m1", "host/a")
    assert not outbox.mark_sent(store.engine, "m1", "host/b", NOW)
    assert outbox.mark_sent(store.engine, "m1", "host/a", NOW)
    assert not outbox.mark_sent(store.engine, "m1", "host/a", NOW)  # already sent
    sent = {m.id: m for m in outbox.messages(store.engine)}["m1"]
    assert (sent.status, sent.sent_at, sent.lease_owner) == ("sent", NOW, "")


def test_abandoned_messages_appear_when_their_lease_expires(store: Store) -> None:
    outbox.enqueue(store.engine, [message("m1"), message("m2")], MARK, NOW)
    outbox.claim(store.engine, "host/a", NOW, NOW + timedelta(minutes=15))
    outbox.hand_over(store.engine, "m2", "host/a")
    assert outbox.abandoned(store.engine, NOW + timedelta(minutes=14)) == []
    late = outbox.abandoned(store.engine, NOW + timedelta(minutes=16))
    assert [(m.id, m.status) for m in late] == [("m1", "sending"), ("m2", "in_doubt")]
    assert outbox.hold(store.engine, "m2", "in doubt")
    assert [m.id for m in outbox.abandoned(store.engine, NOW + timedelta(hours=1))] == ["m1"]
    assert outbox.requeue_in_doubt(store.engine, NOW, ["other"]) == 0
    assert outbox.requeue_in_doubt(store.engine, NOW) == 1
    assert {m.id: m.status for m in outbox.messages(store.engine)} == {
        "m1": "sending",
        "m2": "pending",
    }


def test_retry_and_give_up(store: Store) -> None:
    outbox.enqueue(store.engine, [message("m1"), message("m2")], MARK, NOW)
    outbox.claim(store.engine, "host/a", NOW, NOW + timedelta(minutes=15))
    assert outbox.retry_later(store.engine, "m1", "host/a", "451 later", NOW + timedelta(hours=1))
    assert outbox.claim(store.engine, "host/a", NOW, NOW + timedelta(minutes=15)) == []
    again = outbox.claim(store.engine, "host/a", NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    assert [(m.id, m.attempts, m.last_error) for m in again] == [("m1", 2, "451 later")]
    assert outbox.give_up(store.engine, "m2", "host/a", outbox.FAILED, "550 no such user")
    assert {m.id: m.status for m in outbox.messages(store.engine, [outbox.FAILED])} == {
        "m2": "failed"
    }


def test_recipients_choices(store: Store) -> None:
    assert outbox.suppression(store.engine, "a@example.org") is None
    outbox.suppress(store.engine, "A@Example.org", "550 no such user", NOW)
    outbox.suppress(store.engine, "a@example.org", "550 no such user", NOW)
    assert outbox.suppression(store.engine, "a@EXAMPLE.org") == "550 no such user"
    assert not outbox.is_unsubscribed(store.engine, "comune-torino", "b@example.org")
    outbox.unsubscribe(store.engine, "comune-torino", "B@example.org", NOW)
    assert outbox.is_unsubscribed(store.engine, "comune-torino", "b@example.org")
    assert not outbox.is_unsubscribed(store.engine, "other", "b@example.org")
