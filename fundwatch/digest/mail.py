"""A rendered digest as an RFC 5322 message: multipart/alternative, text first, then HTML.

The Message-ID is derived from the outbox id, so the same digest always carries the same
Message-ID: a receiving client that sees it twice (after an operator re-sends an in-doubt
message) can tell it is one message. Unsubscribing is one click (RFC 8058):
``List-Unsubscribe: <https://…/unsubscribe/…>`` plus ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``; the URL carries an HMAC token, see `fundwatch.digest.tokens`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from fundwatch.digest.render import Rendered

# Long unsubscribe URLs must never be folded into encoded words: allow the RFC 5322 maximum.
POLICY = SMTP.clone(max_line_length=998)


def message_id(outbox_id: str, sender: str) -> str:
    """``<hash-of-outbox-id.fundwatch@sender-domain>``: stable for one outbox message."""
    digest = hashlib.sha256(outbox_id.encode("utf-8")).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{digest}.fundwatch@{domain}>"


def compose(
    rendered: Rendered,
    *,
    outbox_id: str,
    sender: str,
    recipient: str,
    unsubscribe_url: str,
    profile_id: str,
    language: str,
    now: datetime,
) -> bytes:
    """The message as bytes with CRLF line ends, ready for SMTP or an .eml file."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = Address("fundwatch", addr_spec=sender)
    msg["To"] = recipient
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(outbox_id, sender)
    domain = sender.rpartition("@")[2] or "localhost"
    msg["List-Id"] = f"<{profile_id}.digest.{domain}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Fundwatch-Outbox-Id"] = outbox_id
    # quoted-printable: 7-bit clean for servers without 8BITMIME, lines short for every client
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = language  # after set_content, which drops Content-* headers
    return msg.as_bytes(policy=POLICY)
