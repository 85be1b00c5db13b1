"""Operator alerts: one e-mail when a source goes bad, one when it recovers.

A source goes bad when it has failed `alert_after_failures` runs in a row, or at once when its
payload changed shape (a layout change needs a person, not a retry). The alert goes through
the outbox like every message, so it is retried and never sent twice; the source's
`alert_state` remembers that the operator was told, so a source failing for a week yields one
alert, not one per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Literal

from fundwatch.config import Config
from fundwatch.models import SourceResult
from fundwatch.store import Store, outbox
from fundwatch.store.outbox import DeliveryMark, NewMessage

AlertKind = Literal["failing", "recovered"]
OPERATOR = "_operator"
CHANNEL = "email"


@dataclass(frozen=True)
class Alert:
    source_id: str
    kind: AlertKind
    subject: str
    body: str


def decide(told: str, result: SourceResult, failures: int, threshold: int) -> AlertKind | None:
    """Pure: should the operator hear about this run? `told` is the stored alert state."""
    bad = result.error_kind == "shape_changed" or (
        result.status == "error" and failures >= threshold
    )
    if not told and bad:
        return "failing"
    if told == "failing" and result.status == "ok":
        return "recovered"
    return None


def compose_alert(
    kind: AlertKind, result: SourceResult, name: str, failures: int, last_success: datetime | None
) -> Alert:
    sid = result.source_id
    if kind == "failing":
        why = (
            "its pages changed shape"
            if result.error_kind == "shape_changed"
            else f"{failures} runs in a row failed"
        )
        good = (
            f"Last good fetch: {last_success:%Y-%m-%d %H:%M} UTC"
            if last_success
            else "No good fetch yet."
        )
        body = (
            f"Source {sid} ({name}) needs attention: {why}.\n\n"
            f"Last error: {result.error_kind}: {result.error}\n{good}\n"
        )
        body += (
            "\nNothing was closed or dropped because of these runs. Check the source with\n"
            f"  fundwatch fetch {sid} --save-raw recordings/\n"
        )
        return Alert(sid, kind, f"[fundwatch] source {sid} is failing", body)
    body = (
        f"Source {sid} ({name}) works again: the last run read {len(result.calls)} calls"
        f"{'' if result.complete else ' (incomplete)'}.\n"
    )
    return Alert(sid, kind, f"[fundwatch] source {sid} recovered", body)


def after_run(config: Config, store: Store, result: SourceResult, now: datetime) -> Alert | None:
    """Queue an operator alert for this run if one is due, and remember that it was."""
    health = {h.id: h for h in store.source_health()}.get(result.source_id)
    if health is None:
        return None
    told = store.alert_state(result.source_id)
    kind = decide(
        told, result, health.consecutive_failures, config.settings.daemon.alert_after_failures
    )
    if kind is None:
        return None
    alert = compose_alert(
        kind,
        result,
        health.name or result.source_id,
        health.consecutive_failures,
        health.last_success_at,
    )
    settings = config.settings
    msg_id = f"alert:{result.source_id}:{kind}:{now:%Y%m%dT%H%M%S}"
    payload = _message(alert, str(settings.smtp.sender), str(settings.operator_email), msg_id, now)
    outbox.enqueue(
        store.engine,
        [
            NewMessage(
                msg_id,
                OPERATOR,
                CHANNEL,
                f"{now:%Y-%m-%d}",
                str(settings.operator_email),
                alert.subject,
                payload,
            )
        ],
        DeliveryMark(OPERATOR, "alert", msg_id, 0, now),
        now,
    )
    store.set_alert_state(result.source_id, "failing" if kind == "failing" else "")
    return alert


def _message(alert: Alert, sender: str, to: str, msg_id: str, now: datetime) -> bytes:
    from fundwatch.digest.mail import message_id

    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address("fundwatch", addr_spec=sender)
    msg["To"] = to
    msg["Subject"] = alert.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(msg_id, sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Fundwatch-Outbox-Id"] = msg_id
    msg.set_content(alert.body, charset="utf-8")
    return msg.as_bytes(policy=SMTP)
