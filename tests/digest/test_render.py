"""Rendering: the whole plain text per language, escaping, links, and the MIME message."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from jinja2 import UndefinedError

from fundwatch.digest.build import Match
from fundwatch.digest.links import Links
from fundwatch.digest.mail import compose, message_id
from fundwatch.digest.options import options_for
from fundwatch.digest.render import environment, render
from fundwatch.digest.tokens import Signer, decode
from tests.digest.calls import EVIL_TITLE, INSEDIAMENTO, NOW, POW, evil
from tests.digest.conftest import SECRET, T0, network, torino
from tests.digest.samples import sample_digest

GOLDEN = Path(__file__).parent / "golden"
LINKS = Links("https://fundwatch.example.org", Signer(SECRET.encode()))


def assert_text_golden(text: str, name: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FUNDWATCH_UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"missing golden file {path}")
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {name}"


def test_italian_text_digest() -> None:
    r = render(sample_digest(options_for(torino())), LINKS, "fondi.europei@example.org")
    assert r.subject == "Comune di Torino: 1 nuovo bando, 2 modificati, 1 chiuso"
    assert_text_golden(r.text, "torino-2026-W38.txt")


def test_english_text_digest() -> None:
    r = render(
        sample_digest(options_for(network(closing_soon_days=30))), LINKS, "funding@example.org"
    )
    assert r.subject == (
        "European Social Innovation Network (Brussels): 1 new call, "
        "2 changed, 1 closing soon, 1 closed"
    )
    assert_text_golden(r.text, "network-2026-09-17.txt")


def test_times_are_given_in_the_readers_zone_when_the_profile_names_one() -> None:
    rome = render(sample_digest(options_for(network())), LINKS, "funding@example.org").text
    opts = options_for(network(timezone="America/New_York"), "Europe/Rome")
    assert opts.timezone == "America/New_York"
    ny = render(sample_digest(opts), LINKS, "funding@example.org").text
    assert "Deadline: 29 October 2026 at 01:00 (in 41 days)" in rome
    assert "Deadline: 28 October 2026 at 20:00 (in 41 days)" in ny
    # the daily slot is 08:00 in New York: at 02:00 there on 17 September it is the 16th's
    period = sample_digest(opts).period
    assert (period.key, period.since) == ("2026-09-16", datetime(2026, 9, 15, 12, 0, tzinfo=UTC))


def test_html_shows_markup_in_a_title_as_text() -> None:
    matches = [Match(evil(POW), 2, NOW.replace(hour=1)), Match(INSEDIAMENTO, 6, T0)]
    r = render(sample_digest(options_for(torino()), matches, []), LINKS, "a@example.org")
    assert "<script" not in r.html and "<img" not in r.html and "<b>Bando" not in r.html
    soup = BeautifulSoup(r.html, "lxml")
    assert soup.find("script") is None and soup.find("img") is None
    headings = [h.get_text() for h in soup.select("#section-new h3")]
    assert headings == [EVIL_TITLE]
    assert EVIL_TITLE in r.text  # the text part is text: shown as is
    assert r.subject == "Comune di Torino: 1 nuovo bando"


def test_every_link_is_web_and_tokens_verify() -> None:
    hostile = POW.model_copy(update={"url": "javascript:alert(document.cookie)"})
    matches = [Match(hostile, 2, NOW.replace(hour=1))]
    r = render(sample_digest(options_for(torino()), matches, []), LINKS, "a@example.org")
    soup = BeautifulSoup(r.html, "lxml")
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert "javascript:alert(document.cookie)" not in r.html
    assert all(h == "#" or h.startswith("https://") for h in hrefs), hrefs
    not_relevant = [h for h in hrefs if "/not-relevant/" in h]
    unsubscribe = [h for h in hrefs if "/unsubscribe/" in h]
    assert len(not_relevant) == 1 and len(unsubscribe) == 1
    q = parse_qs(urlsplit(not_relevant[0]).query)
    assert decode(q["c"][0]) == "eu-esf:ESF-2026-POW"
    assert LINKS.signer.check(q["t"][0], "not-relevant", "comune-torino", "eu-esf:ESF-2026-POW")
    assert not LINKS.signer.check(q["t"][0], "not-relevant", "other-profile", "eu-esf:ESF-2026-POW")
    q = parse_qs(urlsplit(unsubscribe[0]).query)
    assert decode(q["r"][0]) == "a@example.org"
    assert LINKS.signer.check(q["t"][0], "unsubscribe", "comune-torino", "a@example.org")


def test_html_is_a_document_for_mail_clients() -> None:
    r = render(sample_digest(options_for(torino())), LINKS, "a@example.org")
    soup = BeautifulSoup(r.html, "lxml")
    assert soup.html is not None and soup.html["lang"] == "it"
    assert soup.find("meta", attrs={"name": "viewport"}) is not None
    assert soup.find("style") is None and soup.find("link") is None  # inline CSS only
    assert [h.get_text() for h in soup.find_all("h2")] == [
        "Nuovi bandi per voi",
        "Cambiati da quando ve ne abbiamo parlato",
        "Chiusi o ritirati",
        "Stato delle fonti",
    ]
    layout = soup.find_all("table")
    assert layout and all(t.get("role") == "presentation" for t in layout)


def test_an_empty_digest_says_nothing_new() -> None:
    opts = options_for(torino(empty_digest="send"))
    r = render(sample_digest(opts, [Match(POW, 2, T0)], []), LINKS, "a@example.org")
    assert r.subject == "Comune di Torino: nessuna novità"
    assert "Nessuna novità in questo periodo." in r.text
    assert "Regione Lombardia: non raggiungibile dall'8 settembre 2026 (3 letture)" in r.text


def test_templates_are_strict() -> None:
    with pytest.raises(UndefinedError):
        environment().from_string("{{ t.missing }}").render(t={})


def test_message_parses_back_with_both_parts_and_list_headers() -> None:
    r = render(sample_digest(options_for(torino())), LINKS, "giunta@example.org")
    unsubscribe = LINKS.unsubscribe("comune-torino", "giunta@example.org")
    raw = compose(
        r,
        outbox_id="comune-torino:2026-W38:email:abc",
        sender="fw@comune.example",
        recipient="giunta@example.org",
        unsubscribe_url=unsubscribe,
        profile_id="comune-torino",
        language="it",
        now=NOW,
    )
    assert b"\r\n" in raw and max(len(line) for line in raw.split(b"\r\n")) <= 998
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == r.subject
    assert msg["To"] == "giunta@example.org"
    assert msg["From"] == "fundwatch <fw@comune.example>"
    assert msg["Message-ID"] == message_id("comune-torino:2026-W38:email:abc", "fw@comune.example")
    assert msg["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Content-Language"] == "it"
    assert msg["Date"] == "Thu, 17 Sep 2026 06:00:00 +0000"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == r.text
    assert html.get_content().replace("\r\n", "\n") == r.html
    assert all(p["Content-Transfer-Encoding"] == "quoted-printable" for p in msg.iter_parts())


def test_message_ids_are_stable_per_outbox_id() -> None:
    a = message_id("p:2026-W38:email:1", "fw@example.org")
    assert a == message_id("p:2026-W38:email:1", "fw@example.org")
    assert a != message_id("p:2026-W39:email:1", "fw@example.org")
    assert a.startswith("<") and a.endswith("@example.org>")


def test_a_profile_without_feeds_gets_no_feed_links() -> None:
    many = [
        Match(POW.model_copy(update={"source_id": f"ESF-{i:03d}"}), i, NOW.replace(hour=1))
        for i in range(42)
    ]
    r = render(sample_digest(options_for(network(feeds=False)), many, []), LINKS, "a@example.org")
    assert "/feeds/" not in r.html + r.text and "/calendar/" not in r.html + r.text
    assert "…and 2 more." in r.text and "…and 2 more." in r.html
    with_feeds = render(sample_digest(options_for(network()), many, []), LINKS, "a@example.org")
    assert "…and 2 more: the feed has them all. https://fundwatch.example.org/feeds/" in (
        with_feeds.text
    )
