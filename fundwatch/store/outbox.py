"""The store side of delivery: the outbox, delivery marks, and recipients' choices.

Outbox rows (table ``outbox``) move through these states; every move is a compare-and-set
UPDATE (``WHERE id = … AND status = … AND lease_owner = …``), so two deliverers never both own
a message, on SQLite or PostgreSQL:

    pending ──claim──> sending ──(just before the data is handed over)──> in_doubt ──> sent
       ^                  │                                                 │
       └── retry later <──┴── definite refusal: 4xx -> pending, 5xx -> failed/suppressed

A row left in ``sending`` by a crashed deliverer (lease expired) never reached the hand-over:
it goes back to ``pending``. A row left in ``in_doubt`` may or may not have been accepted; the
deliverer asks its channel (see `fundwatch.digest.deliver`) and otherwise holds it for the
operator instead of sending it again.

Delivery marks (table ``delivery_state``) say, per profile and channel, which period was last
queued and up to which change event, so a digest is queued once per period and the next one
starts where it stopped. Recipients' choices (suppressed after a permanent failure,
unsubscribed) live in ``cache_entry`` under ``delivery:*`` namespaces until they get tables of
their own. Calls marked "not relevant" are reader feedback: `fundwatch.rules.FeedbackStore`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from fundwatch.store.tables import CacheEntry, DeliveryState, OutboxMessage

PENDING = "pending"
SENDING = "sending"
IN_DOUBT = "in_doubt"
SENT = "sent"
FAILED = "failed"
SUPPRESSED = "suppressed"
STATUSES = (PENDING, SENDING, IN_DOUBT, SENT, FAILED, SUPPRESSED)

_NS_SUPPRESSED = "delivery:suppressed"
_NS_UNSUBSCRIBED = "delivery:unsubscribed"


@dataclass(frozen=True)
class NewMessage:
    id: str
    profile_id: str
    channel: str
    period: str
    recipient: str
    subject: str
    payload: bytes


@dataclass(frozen=True)
class QueuedMessage(NewMessage):
    """A message in the outbox, with its delivery state."""

    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str
    lease_owner: str
    lease_until: datetime | None


@dataclass(frozen=True)
class DeliveryMark:
    """How far a profile's channel has been served."""

    profile_id: str
    channel: str
    last_period: str
    last_event_id: int
    covered_until: datetime | None


# -- delivery marks -----------------------------------------------------------------------


def delivery_mark(engine: Engine, profile_id: str, channel: str) -> DeliveryMark | None:
    with Session(engine) as s:
        row = s.get(DeliveryState, (profile_id, channel))
        return _mark(row) if row else None


def enqueue(
    engine: Engine, messages: Sequence[NewMessage], mark: DeliveryMark, now: datetime
) -> list[str]:
    """Queue `messages` and move the delivery mark, in one transaction.

    A message whose id is already in the outbox is left as it is (a digest built twice is
    queued once). Returns the ids actually added. When another process queues the same
    digest at the same moment (two daemon jobs, two instances), the later commit fails on the
    message's or the mark's key: it is rolled back and nothing is added, as if it had come
    second — the other one queued the digest and moved the mark.
    """
    added: list[str] = []
    with Session(engine) as s:
        try:
            for m in messages:
                if s.get(OutboxMessage, m.id) is not None:  # flushes the ones added before
                    continue
                s.add(
                    OutboxMessage(
                        id=m.id,
                        profile_id=m.profile_id,
                        channel=m.channel,
                        period=m.period,
                        recipient=m.recipient,
                        subject=m.subject,
                        payload=m.payload,
                        status=PENDING,
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
                added.append(m.id)
            row = s.get(DeliveryState, (mark.profile_id, mark.channel))
            if row is None:
                row = DeliveryState(profile_id=mark.profile_id, channel=mark.channel)
            row.last_period = mark.last_period
            row.last_event_id = mark.last_event_id
            row.last_sent_at = mark.covered_until
            s.add(row)
            s.commit()
        except IntegrityError:  # raised by a flush or by the commit
            s.rollback()
            return []
    return added


# -- the outbox state machine ----------------------------------------------------------------


def claim(
    engine: Engine, owner: str, now: datetime, lease_until: datetime, limit: int = 100
) -> list[QueuedMessage]:
    """Take up to `limit` due pending messages: pending -> sending, leased to `owner`."""
    with Session(engine) as s:
        ids = s.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == PENDING)
            .where(
                (col(OutboxMessage.next_attempt_at).is_(None))
                | (col(OutboxMessage.next_attempt_at) <= now)
            )
            .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
            .limit(limit)
        ).all()
        claimed: list[str] = []
        for mid in ids:
            result = s.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == mid, col(OutboxMessage.status) == PENDING)
                .values(
                    status=SENDING,
                    lease_owner=owner,
                    lease_until=lease_until,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            s.commit()
            if _rowcount(result) == 1:
                claimed.append(mid)
        return [_queued(m) for m in _rows(s, claimed)]


def hand_over(engine: Engine, message_id: str, owner: str) -> bool:
    """sending -> in_doubt: recorded just before the data leaves; False if we lost the lease."""
    return _move(engine, message_id, owner, (SENDING,), status=IN_DOUBT)


def mark_sent(engine: Engine, message_id: str, owner: str | None, now: datetime) -> bool:
    """-> sent. `owner` None is the recovery path (the channel proved the delivery)."""
    return _move(
        engine,
        message_id,
        owner,
        (SENDING, IN_DOUBT),
        status=SENT,
        sent_at=now,
        lease_owner="",
        lease_until=None,
        last_error="",
    )


def retry_later(
    engine: Engine, message_id: str, owner: str | None, error: str, next_attempt_at: datetime
) -> bool:
    """-> pending, due again at `next_attempt_at` (a definite, temporary refusal)."""
    return _move(
        engine,
        message_id,
        owner,
        (SENDING, IN_DOUBT),
        status=PENDING,
        next_attempt_at=next_attempt_at,
        last_error=error[:2000],
        lease_owner="",
        lease_until=None,
    )


def release(
    engine: Engine, message_id: str, owner: str, error: str, next_attempt_at: datetime
) -> bool:
    """sending -> pending without counting the attempt: the message was claimed but never
    tried, because the channel was found down on another message of the batch."""
    return _move(
        engine,
        message_id,
        owner,
        (SENDING,),
        status=PENDING,
        attempts=OutboxMessage.attempts - 1,
        next_attempt_at=next_attempt_at,
        last_error=error[:2000],
        lease_owner="",
        lease_until=None,
    )


def give_up(engine: Engine, message_id: str, owner: str | None, status: str, error: str) -> bool:
    """-> failed or suppressed (a permanent refusal, too many attempts, a suppressed address)."""
    if status not in (FAILED, SUPPRESSED):
        raise ValueError(f"give_up to {status!r}")
    return _move(
        engine,
        message_id,
        owner,
        (PENDING, SENDING, IN_DOUBT),
        status=status,
        last_error=error[:2000],
        lease_owner="",
        lease_until=None,
    )


def hold(engine: Engine, message_id: str, error: str) -> bool:
    """Keep an in-doubt message in doubt, unowned, for the operator."""
    return _move(
        engine,
        message_id,
        None,
        (IN_DOUBT,),
        status=IN_DOUBT,
        lease_owner="",
        lease_until=None,
        last_error=error[:2000],
    )


def abandoned(engine: Engine, now: datetime) -> list[QueuedMessage]:
    """Messages some deliverer took and never finished: sending or in_doubt, lease expired.

    In-doubt messages already held for the operator (no owner) are not listed again.
    """
    with Session(engine) as s:
        rows = s.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.status).in_([SENDING, IN_DOUBT]))
            .where(OutboxMessage.lease_owner != "")
            .where(
                (col(OutboxMessage.lease_until).is_(None)) | (col(OutboxMessage.lease_until) < now)
            )
            .order_by(col(OutboxMessage.id))
        ).all()
        return [_queued(r) for r in rows]


def requeue_in_doubt(engine: Engine, now: datetime, ids: Iterable[str] = ()) -> int:
    """Operator's decision: send the held in-doubt messages again (all, or `ids`)."""
    stmt = (
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == IN_DOUBT, col(OutboxMessage.lease_owner) == "")
        .values(status=PENDING, next_attempt_at=now)
    )
    wanted = list(ids)
    if wanted:
        stmt = stmt.where(col(OutboxMessage.id).in_(wanted))
    with Session(engine) as s:
        result = s.execute(stmt)
        s.commit()
        return _rowcount(result)


def counts(engine: Engine) -> dict[str, int]:
    """Messages per status (every status present, zero included)."""
    with Session(engine) as s:
        rows = s.exec(
            select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
        ).all()
    out = dict.fromkeys(STATUSES, 0)
    out.update({status: int(n) for status, n in rows})
    return out


def messages(
    engine: Engine, statuses: Sequence[str] = (), profile_id: str | None = None
) -> list[QueuedMessage]:
    stmt = select(OutboxMessage)
    if statuses:
        stmt = stmt.where(col(OutboxMessage.status).in_(list(statuses)))
    if profile_id is not None:
        stmt = stmt.where(OutboxMessage.profile_id == profile_id)
    with Session(engine) as s:
        rows = s.exec(stmt.order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))).all()
        return [_queued(r) for r in rows]


# -- recipients' choices -----------------------------------------------------------------------


def suppress(engine: Engine, address: str, reason: str, now: datetime) -> None:
    """Never mail `address` again (a permanent failure said it does not exist)."""
    _put(engine, _NS_SUPPRESSED, address.lower(), {"reason": reason}, now)


def suppression(engine: Engine, address: str) -> str | None:
    """Why `address` is suppressed, or None."""
    value = _get(engine, _NS_SUPPRESSED, address.lower())
    return str(value.get("reason", "")) if value is not None else None


def unsubscribe(engine: Engine, profile_id: str, address: str, now: datetime) -> None:
    _put(engine, _NS_UNSUBSCRIBED, f"{profile_id} {address.lower()}", {}, now)


def is_unsubscribed(engine: Engine, profile_id: str, address: str) -> bool:
    return _get(engine, _NS_UNSUBSCRIBED, f"{profile_id} {address.lower()}") is not None


# -- helpers -------------------------------------------------------------------------------------


def _move(
    engine: Engine, message_id: str, owner: str | None, from_status: Sequence[str], **values: object
) -> bool:
    stmt = update(OutboxMessage).where(
        col(OutboxMessage.id) == message_id, col(OutboxMessage.status).in_(list(from_status))
    )
    if owner is not None:
        stmt = stmt.where(col(OutboxMessage.lease_owner) == owner)
    with Session(engine) as s:
        result = s.execute(stmt.values(**values))
        s.commit()
        return _rowcount(result) == 1


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


def _rows(s: Session, ids: Sequence[str]) -> list[OutboxMessage]:
    if not ids:
        return []
    rows = s.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(list(ids)))).all()
    order = {mid: i for i, mid in enumerate(ids)}
    return sorted(rows, key=lambda r: order[r.id])


def _queued(r: OutboxMessage) -> QueuedMessage:
    return QueuedMessage(
        id=r.id,
        profile_id=r.profile_id,
        channel=r.channel,
        period=r.period,
        recipient=r.recipient,
        subject=r.subject,
        payload=bytes(r.payload),
        status=r.status,
        attempts=r.attempts,
        created_at=r.created_at,
        next_attempt_at=r.next_attempt_at,
        sent_at=r.sent_at,
        last_error=r.last_error,
        lease_owner=r.lease_owner,
        lease_until=r.lease_until,
    )


def _mark(row: DeliveryState) -> DeliveryMark:
    return DeliveryMark(
        row.profile_id, row.channel, row.last_period, row.last_event_id, row.last_sent_at
    )


def _put(engine: Engine, namespace: str, key: str, value: dict[str, str], now: datetime) -> None:
    blob = json.dumps(value, sort_keys=True).encode("utf-8")
    with Session(engine) as s:
        row = s.get(CacheEntry, (namespace, key))
        if row is None:
            row = CacheEntry(namespace=namespace, key=key, value=blob, updated_at=now)
        else:
            row.value, row.updated_at = blob, now
        s.add(row)
        try:
            s.commit()
        except IntegrityError:  # the same choice recorded at the same moment by another request
            s.rollback()


def _get(engine: Engine, namespace: str, key: str) -> dict[str, object] | None:
    with Session(engine) as s:
        row = s.get(CacheEntry, (namespace, key))
    if row is None:
        return None
    value = json.loads(bytes(row.value) or b"{}")
    return value if isinstance(value, dict) else {}
