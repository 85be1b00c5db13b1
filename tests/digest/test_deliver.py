"""Delivery through the outbox to a real SMTP server (aiosmtpd), and to .eml files.

Crashes are simulated by raising a BaseException at a named point of a send: nothing after it
runs, as when the process dies there; the next `deliver` runs with a new owner (a new process)
after the lease has expired. At the three points of the hand-over the crash is also real: a
child process (tests/digest/killed_deliverer.py) SIGKILLs itself there, with no `finally` run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from fundwatch.config import Config, SmtpSettings
from fundwatch.digest.deliver import DeliveryReport, deliver
from fundwatch.digest.mail import message_id
from fundwatch.digest.matching import default_matcher
from fundwatch.digest.publish import publish
from fundwatch.digest.tokens import Signer, decode
from fundwatch.digest.transports import EmlTransport, SmtpTransport, new_owner
from fundwatch.store import Store, outbox
from fundwatch.store.outbox import QueuedMessage
from tests.digest.calls import NOW, TCS
from tests.digest.conftest import ENV, SECRET
from tests.digest.smtpd import SmtpServer, openssl

SIGNER = Signer(SECRET.encode())
RECIPIENTS = {"fondi.europei@example.org", "giunta@example.org", "funding@example.org"}


class Crash(BaseException):
    """The process dies here."""


def crash_at(stage: str) -> Callable[[str, QueuedMessage], None]:
    def fault(where: str, message: QueuedMessage) -> None:
        if where == stage:
            raise Crash(f"{where}: {message.id}")

    return fault


def queue(config: Config, store: Store) -> list[str]:
    """Queue this week's digests through the real publish path (nothing sent)."""
    report = publish(
        config,
        store,
        NOW,
        matcher=default_matcher(config),
        send=False,
        write_feeds=False,
        environ=ENV,
    )
    assert [(p.profile_id, p.note, p.queued) for p in report.profiles] == [
        ("comune-torino", "queued", 2),
        ("ngo-network-brussels", "queued", 1),
    ]
    return [m.id for m in outbox.messages(store.engine)]


def smtp(config: Config, server: SmtpServer, **changes: Any) -> SmtpTransport:
    settings: SmtpSettings = config.settings.smtp.model_copy(
        update={"host": "127.0.0.1", "port": server.port, "security": "none", **changes}
    )
    journal = Path(config.settings.outbox_dir) / "smtp-journal.log"
    context = server.client_context() if server.cert else None
    return SmtpTransport(settings, journal, owner=new_owner(), environ=ENV, tls_context=context)


def statuses(store: Store) -> dict[str, str]:
    return {m.recipient: m.status for m in outbox.messages(store.engine)}


def test_mails_arrive_and_parse_back(config: Config, store: Store, smtp_server: SmtpServer) -> None:
    ids = queue(config, store)
    report = deliver(store.engine, smtp(config, smtp_server), NOW)
    assert sorted(report.sent) == sorted(ids)
    assert (report.failed, report.retrying, report.in_doubt) == ([], [], [])
    assert set(statuses(store).values()) == {"sent"}
    got = {r.rcpt_tos[0]: r for r in smtp_server.received}
    assert set(got) == RECIPIENTS and len(smtp_server.received) == 3
    assert all(r.mail_from == "fundwatch@example.org" for r in smtp_server.received)

    msg = got["giunta@example.org"].message()
    queued = next(m for m in outbox.messages(store.engine) if m.recipient == "giunta@example.org")
    assert msg["Message-ID"] == message_id(queued.id, "fundwatch@example.org")
    # a first digest reports from the slot before: events dated since 7 September
    assert msg["Subject"] == queued.subject == "Comune di Torino: 1 modificato"
    assert msg["To"] == "giunta@example.org"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    _check_links(msg, "comune-torino", "giunta@example.org")
    text = msg.get_body(("plain",))
    assert text is not None
    assert "scadenza spostata dal 9 settembre ore 17:00 al 23 settembre ore 02:00" in (
        text.get_content()
    )

    english = got["funding@example.org"].message()
    assert english["Subject"] == "European Social Innovation Network (Brussels): 1 changed"
    assert english["Content-Language"] == "en"


def _check_links(msg: EmailMessage, profile: str, recipient: str) -> None:
    unsubscribe = str(msg["List-Unsubscribe"]).strip("<>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = urlsplit(unsubscribe)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "fundwatch.example.org",
        f"/unsubscribe/{profile}",
    )
    q = parse_qs(parts.query)
    assert decode(q["r"][0]) == recipient
    assert SIGNER.check(q["t"][0], "unsubscribe", profile, recipient)
    html = msg.get_body(("html",))
    assert html is not None
    soup = BeautifulSoup(html.get_content(), "lxml")
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert unsubscribe in hrefs
    assert TCS.url in hrefs
    refs = []
    for href in hrefs:
        if "/not-relevant/" in href:
            q = parse_qs(urlsplit(href).query)
            ref = decode(q["c"][0])
            assert ref is not None and SIGNER.check(q["t"][0], "not-relevant", profile, ref)
            refs.append(ref)
    assert "eu-esf:ESF-2026-AG-TCS" in refs


@pytest.mark.skipif(
    openssl() is None and not os.environ.get("CI"),
    reason="openssl CLI not installed (needed for a test certificate)",
)
def test_starttls_and_login(config: Config, store: Store, tmp_path: Path) -> None:
    queue(config, store)
    with SmtpServer(tls_dir=tmp_path / "tls", login=("fundwatch", "s3cret")) as server:
        report = deliver(
            store.engine, smtp(config, server, security="starttls", username="fundwatch"), NOW
        )
        assert len(report.sent) == 3 and len(server.received) == 3
    with SmtpServer(tls_dir=tmp_path / "tls2", login=("fundwatch", "other")) as server:
        later = NOW + timedelta(days=7)
        publish(
            config,
            store,
            later,
            matcher=default_matcher(config),
            send=False,
            write_feeds=False,
            environ=ENV,
        )
        report = deliver(
            store.engine, smtp(config, server, security="starttls", username="fundwatch"), later
        )
        assert report.sent == [] and server.received == []
        assert "535" in report.channel_error
        waiting = outbox.messages(store.engine, [outbox.PENDING])
        assert len(waiting) == 3
        # the first found the channel down; the others were not tried and lose no attempt
        assert sorted(m.attempts for m in waiting) == [0, 0, 1]
        assert {m.next_attempt_at for m in waiting} == {later + timedelta(minutes=5)}


@pytest.mark.skipif(
    openssl() is None and not os.environ.get("CI"),
    reason="openssl CLI not installed (needed for a test certificate)",
)
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_and_login(config: Config, store: Store, tmp_path: Path) -> None:
    queue(config, store)
    login = ("fundwatch", "s3cret")
    with SmtpServer(tls_dir=tmp_path / "tls", login=login, implicit_tls=True) as server:
        plain = deliver(store.engine, smtp(config, server, username="fundwatch"), NOW)
        assert plain.sent == [] and server.received == []  # no TLS: nothing leaves
        assert plain.channel_error.startswith(f"SMTP 127.0.0.1:{server.port}: ")
        later = NOW + timedelta(hours=1)
        report = deliver(
            store.engine, smtp(config, server, security="tls", username="fundwatch"), later
        )
        assert len(report.sent) == 3 and {r.rcpt_tos[0] for r in server.received} == RECIPIENTS
        assert server.received[0].message()["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )


def test_an_smtp_outage_backs_off_and_costs_one_message_its_attempts(
    config: Config, store: Store
) -> None:
    queue(config, store)
    server = SmtpServer()  # its port, with nothing listening yet: connection refused
    when = NOW
    for wait in (5, 10, 20):
        report = deliver(store.engine, smtp(config, server), when, max_attempts=4)
        assert report.sent == [] and "ConnectionRefusedError" in report.channel_error
        assert len(report.retrying) == 1
        waiting = outbox.messages(store.engine, [outbox.PENDING])
        assert {m.next_attempt_at for m in waiting} == {when + timedelta(minutes=wait)}
        assert deliver(store.engine, smtp(config, server), when + timedelta(minutes=1)).sent == []
        when += timedelta(minutes=wait)
    # three attempts on the first message, none on the others: nothing gave up yet
    assert sorted(m.attempts for m in outbox.messages(store.engine)) == [0, 0, 3]
    with server:
        report = deliver(store.engine, smtp(config, server), when, max_attempts=4)
        assert report.failed == [] and len(report.sent) == 3
        assert {r.rcpt_tos[0] for r in server.received} == RECIPIENTS


def test_password_must_come_from_the_environment(config: Config) -> None:
    settings = config.settings.smtp.model_copy(update={"host": "127.0.0.1", "username": "u"})
    from fundwatch.errors import DeliveryError

    with pytest.raises(DeliveryError, match="FUNDWATCH_SMTP_PASSWORD"):
        SmtpTransport(settings, "journal", owner="h/1", environ={})


def test_temporary_refusal_is_retried_with_backoff(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)
    smtp_server.handler.data_replies = ["451 4.3.0 try again later"]
    first = deliver(store.engine, smtp(config, smtp_server), NOW)
    assert len(first.sent) == 2 and len(first.retrying) == 1
    ((retry_id, error),) = first.retrying
    assert error == "message refused: 451 4.3.0 try again later"
    waiting = {m.id: m for m in outbox.messages(store.engine, [outbox.PENDING])}
    assert waiting[retry_id].next_attempt_at == NOW + timedelta(minutes=5)
    assert deliver(store.engine, smtp(config, smtp_server), NOW + timedelta(minutes=4)).sent == []
    again = deliver(store.engine, smtp(config, smtp_server), NOW + timedelta(minutes=5))
    assert again.sent == [retry_id]
    assert len(smtp_server.received) == 3
    sent = {m.id: m for m in outbox.messages(store.engine)}
    assert sent[retry_id].attempts == 2 and sent[retry_id].status == "sent"


def test_attempts_are_limited(config: Config, store: Store, smtp_server: SmtpServer) -> None:
    queue(config, store)
    smtp_server.handler.refuse_rcpt = {"funding@example.org": "452 4.2.2 mailbox full"}
    when = NOW
    for _ in range(3):
        report = deliver(store.engine, smtp(config, smtp_server), when, max_attempts=3)
        when += timedelta(hours=7)
    assert report.failed == [
        (
            next(
                m.id for m in outbox.messages(store.engine) if m.recipient == "funding@example.org"
            ),
            "gave up after 3 attempts: recipient refused: 452 4.2.2 mailbox full",
        )
    ]
    assert statuses(store)["funding@example.org"] == "failed"


def test_permanent_refusal_suppresses_the_recipient(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)
    smtp_server.handler.refuse_rcpt = {"giunta@example.org": "550 5.1.1 no such user"}
    report = deliver(store.engine, smtp(config, smtp_server), NOW)
    assert len(report.sent) == 2
    assert [why for _, why in report.failed] == ["recipient refused: 550 5.1.1 no such user"]
    assert outbox.suppression(store.engine, "Giunta@Example.org") == (
        "recipient refused: 550 5.1.1 no such user"
    )
    # next week's digest to that address is not even tried
    later = NOW + timedelta(days=7)
    publish(
        config,
        store,
        later,
        matcher=default_matcher(config),
        send=False,
        write_feeds=False,
        environ=ENV,
    )
    smtp_server.handler.refuse_rcpt = {}
    report = deliver(store.engine, smtp(config, smtp_server), later)
    assert [why for _, why in report.suppressed] == ["recipient refused: 550 5.1.1 no such user"]
    assert len(report.sent) == 2
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received).count("giunta@example.org") == 0


def test_a_refused_message_fails_alone_and_keeps_its_recipient(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)
    smtp_server.handler.data_replies = ["554 5.7.1 message content rejected"]
    report = deliver(store.engine, smtp(config, smtp_server), NOW)
    assert [why for _, why in report.failed] == [
        "message refused: 554 5.7.1 message content rejected"
    ]
    assert len(report.sent) == 2
    refused = report.failed[0][0]
    recipient = next(m.recipient for m in outbox.messages(store.engine) if m.id == refused)
    assert outbox.suppression(store.engine, recipient) is None
    assert statuses(store)[recipient] == "failed"


def test_unsubscribed_address_gets_nothing(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)
    outbox.unsubscribe(store.engine, "comune-torino", "fondi.europei@example.org", NOW)
    report = deliver(store.engine, smtp(config, smtp_server), NOW)
    assert report.suppressed == [
        (
            next(
                m.id
                for m in outbox.messages(store.engine)
                if m.recipient == "fondi.europei@example.org"
            ),
            "unsubscribed",
        )
    ]
    assert {r.rcpt_tos[0] for r in smtp_server.received} == {
        "giunta@example.org",
        "funding@example.org",
    }


# -- crashes ---------------------------------------------------------------------------------------


def _crash_once(
    config: Config, store: Store, server: SmtpServer, fault: Callable[[str, QueuedMessage], None]
) -> None:
    with pytest.raises(Crash):
        deliver(store.engine, smtp(config, server), NOW, fault=fault)


def _restart(
    config: Config, store: Store, server: SmtpServer, after: timedelta = timedelta(hours=1)
) -> DeliveryReport:
    return deliver(store.engine, smtp(config, server), NOW + after)


def _deliveries(server: SmtpServer) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in server.received:
        out[r.rcpt_tos[0]] = out.get(r.rcpt_tos[0], 0) + 1
    return out


def test_crash_after_the_server_accepted_and_the_journal_recorded(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)
    _crash_once(config, store, smtp_server, crash_at("recorded"))
    first = smtp_server.received[0].rcpt_tos[0]
    assert _deliveries(smtp_server) == {first: 1}
    # another deliverer while the lease still runs leaves the message alone
    meanwhile = _restart(config, store, smtp_server, timedelta(minutes=1))
    assert meanwhile.recovered == []
    report = _restart(config, store, smtp_server)
    # the journal proves the first one; the two others of the batch were never handed over
    assert sorted(report.recovered) == sorted(m.id for m in outbox.messages(store.engine))
    assert sorted(report.sent) == sorted(
        m.id for m in outbox.messages(store.engine) if m.recipient != first
    )
    assert _deliveries(smtp_server) == dict.fromkeys(RECIPIENTS, 1)
    assert set(statuses(store).values()) == {"sent"}


def test_crash_after_the_server_accepted_before_anything_was_recorded(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)
    _crash_once(config, store, smtp_server, crash_at("accepted"))
    first = smtp_server.received[0].rcpt_tos[0]
    report = _restart(config, store, smtp_server)
    # the server has it, nothing says so: held, never sent a second time
    assert [mid for mid, _ in report.in_doubt] == [
        m.id for m in outbox.messages(store.engine) if m.recipient == first
    ]
    assert _deliveries(smtp_server) == dict.fromkeys(RECIPIENTS, 1)
    assert statuses(store)[first] == "in_doubt"
    assert _restart(config, store, smtp_server, timedelta(hours=2)).in_doubt == []
    assert _deliveries(smtp_server)[first] == 1


def test_crash_during_hand_over_holds_and_the_operator_resends(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)
    _crash_once(config, store, smtp_server, crash_at("handed_over"))
    assert smtp_server.received == []
    report = _restart(config, store, smtp_server)
    assert len(report.in_doubt) == 1 and len(report.sent) == 2
    (held,) = outbox.messages(store.engine, [outbox.IN_DOUBT])
    assert outbox.requeue_in_doubt(store.engine, NOW + timedelta(hours=2)) == 1
    resent = _restart(config, store, smtp_server, timedelta(hours=2))
    assert resent.sent == [held.id]
    assert _deliveries(smtp_server) == dict.fromkeys(RECIPIENTS, 1)
    copy = next(r for r in smtp_server.received if r.rcpt_tos[0] == held.recipient).message()
    assert copy["Message-ID"] == message_id(held.id, "fundwatch@example.org")


def test_crash_before_the_hand_over_was_journaled_resends_by_itself(
    config: Config, store: Store, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(config, store)
    original = SmtpTransport._record

    def dying(self: SmtpTransport, what: str, message: QueuedMessage, note: str = "") -> None:
        if what == "HANDOVER":
            raise Crash("before the journal line")
        original(self, what, message, note)

    monkeypatch.setattr(SmtpTransport, "_record", dying)
    _crash_once(config, store, smtp_server, crash_at("never"))
    monkeypatch.setattr(SmtpTransport, "_record", original)
    assert smtp_server.received == []
    report = _restart(config, store, smtp_server)
    assert len(report.recovered) == 3 and report.in_doubt == [] and len(report.sent) == 3
    assert _deliveries(smtp_server) == dict.fromkeys(RECIPIENTS, 1)


def test_crash_after_claiming_goes_back_to_pending(
    config: Config, store: Store, smtp_server: SmtpServer
) -> None:
    queue(config, store)

    class Dies(SmtpTransport):
        def send(
            self,
            message: QueuedMessage,
            hand_over: Callable[[], bool],
            fault: Callable[[str, QueuedMessage], None],
        ) -> str:
            raise Crash("before MAIL FROM")

    base = smtp(config, smtp_server)
    dying = Dies(base.settings, base.journal, owner=new_owner(), environ=ENV)
    with pytest.raises(Crash):
        deliver(store.engine, dying, NOW)
    assert sorted(statuses(store).values()) == ["sending"] * 3  # the whole batch was claimed
    report = _restart(config, store, smtp_server)
    assert len(report.recovered) == 3 and len(report.sent) == 3
    assert _deliveries(smtp_server) == dict.fromkeys(RECIPIENTS, 1)


@pytest.mark.parametrize(
    ("stage", "held"),
    [
        ("handed_over", True),  # HANDOVER journaled, DATA never sent: held, operator decides
        ("accepted", True),  # the server has it, nothing local says so: held, not re-sent
        ("recorded", False),  # ACCEPTED journaled: marked sent on recovery
    ],
)
def test_a_deliverer_killed_mid_send_delivers_each_digest_once(
    config: Config,
    store: Store,
    database_url: str,
    smtp_server: SmtpServer,
    stage: str,
    held: bool,
) -> None:
    """A real crash: the deliverer is a child process that SIGKILLs itself at `stage` of its
    first send; the next `deliver` (a new process, after the lease expired) recovers."""
    queue(config, store)
    journal = Path(config.settings.outbox_dir) / "smtp-journal.log"
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.digest.killed_deliverer",
            database_url,
            str(smtp_server.port),
            str(journal),
            stage,
            NOW.isoformat(),
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    before = _deliveries(smtp_server)
    assert sum(before.values()) == (0 if stage == "handed_over" else 1)
    (victim,) = outbox.messages(store.engine, [outbox.IN_DOUBT])  # the child died holding it
    report = _restart(config, store, smtp_server)
    assert [mid for mid, _ in report.in_doubt] == ([victim.id] if held else [])
    assert len(report.sent) == 2  # the rest of the batch, never handed over, goes now
    status = statuses(store)
    assert status[victim.recipient] == ("in_doubt" if held else "sent")
    if stage != "handed_over":
        assert _deliveries(smtp_server) == dict.fromkeys(RECIPIENTS, 1)
    # later runs never send the victim on their own
    assert _restart(config, store, smtp_server, timedelta(hours=3)).sent == []
    assert _deliveries(smtp_server).get(victim.recipient, 0) == (0 if stage == "handed_over" else 1)
    if stage == "handed_over":  # the operator checked: it never arrived, send it
        assert outbox.requeue_in_doubt(store.engine, NOW + timedelta(hours=4)) == 1
        assert _restart(config, store, smtp_server, timedelta(hours=4)).sent == [victim.id]
        assert _deliveries(smtp_server) == dict.fromkeys(RECIPIENTS, 1)


# -- .eml files ------------------------------------------------------------------------------------


def test_without_smtp_messages_become_eml_files(config: Config, store: Store) -> None:
    ids = queue(config, store)
    folder = Path(config.settings.outbox_dir)
    report = deliver(store.engine, EmlTransport(folder), NOW)
    assert sorted(report.sent) == sorted(ids) and report.channel == "eml"
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 3
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert {str(m["To"]) for m in parsed} == RECIPIENTS
    assert all(
        f.name.startswith(
            ("comune-torino_2026-W38_email_", "ngo-network-brussels_2026-09-17_email_")
        )
        for f in files
    )


@pytest.mark.parametrize(("stage", "rewritten"), [("handed_over", True), ("accepted", False)])
def test_eml_crash_never_writes_twice(
    config: Config, store: Store, stage: str, rewritten: bool
) -> None:
    queue(config, store)
    folder = Path(config.settings.outbox_dir)
    with pytest.raises(Crash):
        deliver(store.engine, EmlTransport(folder), NOW, fault=crash_at(stage))
    before = {f.name: f.stat().st_mtime_ns for f in folder.glob("*.eml")}
    assert len(before) == (0 if rewritten else 1)
    report = deliver(store.engine, EmlTransport(folder), NOW + timedelta(hours=1))
    assert len(report.recovered) == 3 and report.in_doubt == []
    after = {f.name: f.stat().st_mtime_ns for f in folder.glob("*.eml")}
    assert len(after) == 3
    for name, mtime in before.items():
        assert after[name] == mtime  # the file written before the crash was not rewritten
    assert set(statuses(store).values()) == {"sent"}
