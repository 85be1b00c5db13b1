"""Flush the outbox: at-least-once into the outbox, exactly once to the reader.

Every digest is queued under a stable id (profile + period + channel + recipient) and carries
a Message-ID derived from it. Sending one message:

1. **claim** — pending -> sending, with a lease (owner ``host/pid-random``, expiry). Only the
   lease holder may move the row on; a second deliverer skips it.
2. **MAIL, RCPT** — a refusal here is definite; nothing was handed over.
3. **hand over** — sending -> in_doubt is committed, then a ``HANDOVER`` line is fsync'd to
   the local journal, then DATA is sent.
4. **accepted** — on the server's 250 an ``ACCEPTED`` line is fsync'd, then the row is marked
   sent. A message is never marked sent before the server accepted it.

A crash can stop this anywhere. The next `deliver` (after the lease expired) recovers every
abandoned row before sending anything:

- still ``sending``: it never reached step 3; back to pending, sent normally;
- ``in_doubt``: ask the channel. SMTP reads the journal: ``ACCEPTED`` -> mark sent, no second
  send; no ``HANDOVER`` by that owner on this host -> DATA never started, send it; ``HANDOVER``
  without ``ACCEPTED`` (the crash hit the few milliseconds of DATA) -> the server may have the
  message: it is *held* in doubt and shown to the operator, never re-sent on its own
  (``fundwatch deliver --resend-in-doubt`` does it, with the same Message-ID so clients that
  deduplicate by Message-ID show it once). The .eml channel is definitive: the file exists or
  it does not.

Failures: a 4xx or a channel that is down (connection, TLS, login) -> retry with exponential
backoff (5 min, doubling, at most 6 h) until `max_attempts`, then failed (a channel found down
stops the batch; the messages not tried wait as long, without losing an attempt); a 5xx to
the recipient -> failed and the recipient suppressed (later digests to it are marked
suppressed, not sent); a 5xx to the message's data -> that message failed, the recipient kept;
an address that unsubscribed -> suppressed. Everything lands in the returned report.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from fundwatch.config.settings import Settings
from fundwatch.digest.transports import (
    ChannelDown,
    EmlTransport,
    Fault,
    InDoubt,
    LostLease,
    Refused,
    SmtpTransport,
    Transport,
    new_owner,
    no_fault,
)
from fundwatch.store import outbox
from fundwatch.store.outbox import QueuedMessage

log = logging.getLogger("fundwatch.deliver")

LEASE = timedelta(minutes=15)
BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
MAX_ATTEMPTS = 8
JOURNAL = "smtp-journal.log"


@dataclass
class DeliveryReport:
    """What one flush did; the CLI prints it for the operator."""

    channel: str
    sent: list[str] = field(default_factory=list)
    retrying: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    suppressed: list[tuple[str, str]] = field(default_factory=list)
    in_doubt: list[tuple[str, str]] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    channel_error: str = ""


def transport_for(
    settings: Settings, *, owner: str | None = None, environ: Mapping[str, str] | None = None
) -> Transport:
    """SMTP when settings.smtp.host is set, else .eml files in the outbox folder."""
    owner = owner or new_owner()
    if settings.smtp.host:
        return SmtpTransport(
            settings.smtp, Path(settings.outbox_dir) / JOURNAL, owner=owner, environ=environ
        )
    return EmlTransport(settings.outbox_dir, owner=owner)


def backoff(attempts: int) -> timedelta:
    """5 min after the first failure, doubling, at most 6 h."""
    delay: timedelta = BACKOFF * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def deliver(
    engine: Engine,
    transport: Transport,
    now: datetime,
    *,
    fault: Fault = no_fault,
    max_attempts: int = MAX_ATTEMPTS,
    batch: int = 20,
) -> DeliveryReport:
    """Recover abandoned messages, then send every due pending message once."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    me = transport.owner
    report = DeliveryReport(transport.name)
    _recover(engine, transport, now, report)
    try:
        while not report.channel_error:
            claimed = outbox.claim(engine, me, now, now + LEASE, limit=batch)
            if not claimed:
                break
            for i, message in enumerate(claimed):
                _send_one(engine, transport, message, me, now, fault, max_attempts, report)
                if report.channel_error:
                    # untouched: back to pending, not counted as tried, due when the channel
                    # is tried again (so an outage costs one message's attempts, not all)
                    due = now + backoff(message.attempts)
                    for rest in claimed[i + 1 :]:
                        outbox.release(engine, rest.id, me, report.channel_error, due)
                    break
    finally:
        transport.close()
    return report


def _recover(engine: Engine, transport: Transport, now: datetime, report: DeliveryReport) -> None:
    for m in outbox.abandoned(engine, now):
        if m.status == outbox.SENDING:
            outbox.retry_later(engine, m.id, None, "deliverer stopped before sending", now)
            report.recovered.append(m.id)
            continue
        verdict = transport.check(m)
        if verdict == "delivered":
            outbox.mark_sent(engine, m.id, None, now)
            report.recovered.append(m.id)
        elif verdict == "not_delivered":
            outbox.retry_later(engine, m.id, None, "deliverer stopped before sending", now)
            report.recovered.append(m.id)
        else:
            why = (
                "in doubt: the deliverer stopped while the server was receiving it; "
                "check the recipient's mailbox, then `fundwatch deliver --resend-in-doubt`"
            )
            outbox.hold(engine, m.id, why)
            report.in_doubt.append((m.id, why))
            log.warning("%s: %s", m.id, why)


def _send_one(
    engine: Engine,
    transport: Transport,
    m: QueuedMessage,
    me: str,
    now: datetime,
    fault: Fault,
    max_attempts: int,
    report: DeliveryReport,
) -> None:
    reason = outbox.suppression(engine, m.recipient)
    if reason is None and outbox.is_unsubscribed(engine, m.profile_id, m.recipient):
        reason = "unsubscribed"
    if reason is not None:
        outbox.give_up(engine, m.id, me, outbox.SUPPRESSED, f"recipient suppressed: {reason}")
        report.suppressed.append((m.id, reason))
        return
    try:
        receipt = transport.send(m, lambda: outbox.hand_over(engine, m.id, me), fault)
    except Refused as exc:
        if exc.permanent:
            outbox.give_up(engine, m.id, me, outbox.FAILED, str(exc))
            if exc.stage == "recipient":  # the address itself is bad, not this message
                outbox.suppress(engine, m.recipient, str(exc), now)
            report.failed.append((m.id, str(exc)))
        else:
            _retry(engine, m, me, str(exc), now, max_attempts, report)
    except ChannelDown as exc:
        _retry(engine, m, me, str(exc), now, max_attempts, report)
        report.channel_error = str(exc)
    except InDoubt as exc:
        outbox.hold(engine, m.id, f"in doubt: {exc}")
        report.in_doubt.append((m.id, str(exc)))
    except LostLease as exc:
        log.warning("%s", exc)
    except OSError as exc:  # the .eml folder is not writable
        _retry(engine, m, me, f"{type(exc).__name__}: {exc}", now, max_attempts, report)
        report.channel_error = str(exc)
    else:
        outbox.mark_sent(engine, m.id, me, now)
        report.sent.append(m.id)
        log.info("%s sent: %s", m.id, receipt)


def _retry(
    engine: Engine,
    m: QueuedMessage,
    me: str,
    error: str,
    now: datetime,
    max_attempts: int,
    report: DeliveryReport,
) -> None:
    if m.attempts >= max_attempts:
        msg = f"gave up after {m.attempts} attempts: {error}"
        outbox.give_up(engine, m.id, me, outbox.FAILED, msg)
        report.failed.append((m.id, msg))
    else:
        outbox.retry_later(engine, m.id, me, error, now + backoff(m.attempts))
        report.retrying.append((m.id, error))
