"""Channels a queued message can leave by: SMTP, or an .eml file in the outbox folder.

A transport sends one message and, after a crash, answers `check`: was this message delivered
("delivered"), certainly not ("not_delivered"), or can it not tell ("unknown")? See
`fundwatch.digest.deliver` for how the answers keep delivery exactly-once.

Errors are typed by what they mean for the message:

- `Refused`: the server answered; 4xx is temporary (retry later), 5xx is permanent: a
  refused recipient (RCPT) is suppressed, a refused message (DATA: content, size, policy)
  fails alone and the address keeps getting later digests;
- `ChannelDown`: nothing was handed over (connection, TLS, login, sender refused): retry later,
  stop this batch;
- `InDoubt`: the connection broke while the data was in flight: the outcome is unknown.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from fundwatch.config.settings import SmtpSettings
from fundwatch.errors import DeliveryError
from fundwatch.store.outbox import QueuedMessage

Verdict = Literal["delivered", "not_delivered", "unknown"]
Fault = Callable[[str, QueuedMessage], None]
"""Called at named points of a send ("handed_over", "accepted", "recorded"); tests use it to
simulate a crash there. Production passes `no_fault`."""


def no_fault(_stage: str, _message: QueuedMessage) -> None:
    pass


class Refused(DeliveryError):
    def __init__(self, stage: str, code: int, reply: bytes | str) -> None:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        self.code = code
        self.stage = stage
        super().__init__(f"{stage} refused: {code} {text}".strip(), permanent=500 <= code < 600)


class ChannelDown(DeliveryError):
    """Nothing was handed over; the channel itself is unusable right now."""


class InDoubt(DeliveryError):
    """The data may or may not have been accepted."""


class Transport(Protocol):
    name: str
    owner: str
    """Lease owner id of this deliverer (see `new_owner`)."""

    def send(self, message: QueuedMessage, hand_over: Callable[[], bool], fault: Fault) -> str:
        """Deliver; call `hand_over()` right before the data leaves (False: stop, we lost the
        message's lease). Returns a short receipt (server reply, file path)."""
        ...

    def check(self, message: QueuedMessage) -> Verdict: ...

    def close(self) -> None: ...


class LostLease(DeliveryError):
    """Another deliverer owns the message now; this one must not send it."""


# -- .eml files -------------------------------------------------------------------------------


class EmlTransport:
    """Writes each message to ``<folder>/<id>.eml`` (atomically: temp file, fsync, rename).

    `check` is definitive: the file is the delivery.
    """

    name = "eml"

    def __init__(self, folder: str | os.PathLike[str], *, owner: str | None = None) -> None:
        self.folder = Path(folder)
        self.owner = owner or new_owner()

    def path(self, message: QueuedMessage) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9._-]", "_", message.id) + ".eml")

    def send(self, message: QueuedMessage, hand_over: Callable[[], bool], fault: Fault) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(message)
        tmp = target.with_suffix(".eml.tmp")
        if not hand_over():
            raise LostLease(f"{message.id}: lease lost before writing")
        fault("handed_over", message)
        with tmp.open("wb") as fh:
            fh.write(message.payload)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(target)
        _fsync_dir(self.folder)
        fault("accepted", message)
        fault("recorded", message)
        return str(target)

    def check(self, message: QueuedMessage) -> Verdict:
        return "delivered" if self.path(message).exists() else "not_delivered"

    def close(self) -> None:
        pass


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- SMTP ---------------------------------------------------------------------------------------


class SmtpTransport:
    """SMTP with STARTTLS, implicit TLS or none, and login when a username is set.

    One connection serves a batch and is reopened after an error. Every message goes through
    MAIL, RCPT (refusals there are definite: nothing was handed over), then DATA. Around DATA
    a local journal (``smtp-journal.log`` in the outbox folder, fsync'd) records the hand-over
    and the server's acceptance, which is what `check` reads after a crash.
    """

    name = "smtp"

    def __init__(
        self,
        settings: SmtpSettings,
        journal: str | os.PathLike[str],
        *,
        owner: str,
        environ: Mapping[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not settings.host:
            raise ValueError("SmtpTransport needs settings.smtp.host")
        self.settings = settings
        self.journal = Path(journal)
        self.owner = owner
        env = os.environ if environ is None else environ
        self._password = env.get(settings.password_env) or None
        if settings.username and not self._password:
            raise DeliveryError(
                f"smtp.username is set but ${settings.password_env} is empty "
                "(the password is read from the environment only)"
            )
        self._tls = tls_context or ssl.create_default_context()
        self._clock = clock
        self._conn: smtplib.SMTP | None = None

    # connection ------------------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        assert s.host is not None
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls)
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=self._tls)
                conn.ehlo()
            if s.username:
                assert self._password is not None
                conn.login(s.username, self._password)
        except (OSError, smtplib.SMTPException) as exc:
            if conn is not None:
                _quietly_close(conn)
            raise ChannelDown(f"SMTP {s.host}:{s.port}: {_describe(exc)}") from None
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                _quietly_close(self._conn)
            self._conn = None

    def _drop(self) -> None:
        if self._conn is not None:
            _quietly_close(self._conn)
            self._conn = None

    # sending ---------------------------------------------------------------------------------

    def send(self, message: QueuedMessage, hand_over: Callable[[], bool], fault: Fault) -> str:
        conn = self._connect()
        try:
            code, reply = conn.mail(str(self.settings.sender))
            if code != 250:
                self._reset(conn)
                raise ChannelDown(f"sender refused: {code} {reply.decode('utf-8', 'replace')}")
            code, reply = conn.rcpt(message.recipient)
            if code not in (250, 251):
                self._reset(conn)
                raise Refused("recipient", code, reply)
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise ChannelDown(f"SMTP connection lost before sending: {_describe(exc)}") from None
        if not hand_over():
            self._reset(conn)
            raise LostLease(f"{message.id}: lease lost before DATA")
        self._record("HANDOVER", message)
        fault("handed_over", message)
        try:
            code, reply = conn.data(message.payload)
        except smtplib.SMTPDataError as exc:  # a definite answer: not accepted
            self._reset(conn)
            raise Refused("message", exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise InDoubt(f"connection broke during DATA: {_describe(exc)}") from None
        if code != 250:  # smtplib returns the final reply to DATA without raising
            self._reset(conn)
            raise Refused("message", code, reply)
        fault("accepted", message)
        receipt = f"{code} {reply.decode('utf-8', 'replace')}"
        self._record("ACCEPTED", message, receipt)
        fault("recorded", message)
        return receipt

    def _reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    # the journal -------------------------------------------------------------------------------

    def _record(self, what: str, message: QueuedMessage, note: str = "") -> None:
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        line = "\t".join(
            (self._clock().isoformat(), what, message.id, self.owner, " ".join(note.split()))
        )
        with self.journal.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def check(self, message: QueuedMessage) -> Verdict:
        """Accepted per the journal: delivered. Taken by a deliverer on another host, or handed
        over with no acceptance recorded: unknown. Otherwise DATA never started."""
        handed = False
        if self.journal.exists():
            with self.journal.open(encoding="utf-8") as fh:
                for line in fh:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) < 4 or parts[2] != message.id:
                        continue
                    if parts[1] == "ACCEPTED":
                        return "delivered"
                    if parts[1] == "HANDOVER" and parts[3] == message.lease_owner:
                        handed = True
        if handed or host_of(message.lease_owner) != host_of(self.owner):
            return "unknown"
        return "not_delivered"


def host_of(owner: str) -> str:
    return owner.partition("/")[0]


def new_owner() -> str:
    """``host/pid-random``: who holds a lease, and on which machine its journal is."""
    return f"{socket.gethostname()}/{os.getpid()}-{os.urandom(4).hex()}"


def _quietly_close(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        conn.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        err = exc.smtp_error
        text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
