"""The generic feed kind: a real RSS 2.0 feed as golden file, and the formats and faults every
feed reader meets (Atom, RSS 1.0, BOM, wrong encodings, HTML served instead of a feed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fundwatch.errors import ParseError, ShapeChanged
from fundwatch.sources import get_kind
from fundwatch.sources.feeds import read_feed
from fundwatch.sources.rss import RssParams
from tests.golden import FIXTURES, assert_golden, fixture

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
KIND = get_kind("rss")
# The site's feed read as any feed, with audiences and places read from the text. Its
# descriptions are cut mid-sentence ("…") and carry words that are no applicant or place:
# "Associazioni Temporanee di Scopo (ATS)" (a partnership, not associations or a Lombard
# health agency) and "Sintel di Aria Lombardia Spa" (a company's platform, not Lombardy).
PIEMONTE_FEED = RssParams(
    url="https://bandi.regione.piemonte.it/tutti/rss.xml",
    issuer="Regione Piemonte",
    territories=["ITC1"],
    status_words={"open": ["Aperto"], "closed": ["Scaduto", "Esito"]},
)


def parse(raw: bytes | str, params: RssParams | None = None) -> list:  # type: ignore[type-arg]
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return KIND.parse(data, params or RssParams(url="https://example.org/feed"), "feed")


def test_golden_piemonte_feed_as_a_generic_source() -> None:
    calls = KIND.parse(fixture("piemonte/piemonte_tutti_rss.xml"), PIEMONTE_FEED, "rss")
    assert_golden(calls, FIXTURES / "rss" / "piemonte_tutti_rss.xml.expected.json", NOW)


def test_the_feed_fixture_reads_like_feedparser_reads_it() -> None:
    feedparser = pytest.importorskip("feedparser")
    raw = fixture("piemonte/piemonte_tutti_rss.xml")
    theirs = feedparser.parse(raw)
    ours = read_feed(raw)
    assert [(i.title, i.link) for i in ours.items] == [
        (" ".join(e.title.split()), e.link)
        for e in theirs.entries  # we fold double spaces
    ]
    assert [i.published and i.published.timetuple()[:6] for i in ours.items] == [
        tuple(e.published_parsed)[:6] for e in theirs.entries
    ]


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Bandi</title><link>https://example.org/</link>
<item><title>Bando &amp;#8220;Cultura&amp;#8221; 2026</title>
<link>https://example.org/bandi/cultura-2026/?utm_source=rss</link>
<guid isPermaLink="false">https://example.org/?p=123</guid>
<category>Bandi aperti</category><category>Cultura</category>
<description><![CDATA[<p>Contributi per le associazioni culturali.
Le domande vanno presentate <strong>entro le ore 12:00 del 15 gennaio 2027</strong>.</p>]]>
</description>
<pubDate>Mon, 14 Sep 2026 09:30:00 GMT</pubDate></item>
<item><title>Voucher digitali</title><link>https://example.org/bandi/voucher/</link>
<description>Contributi a sportello fino ad esaurimento delle risorse.</description>
<pubDate>Sun, 13 Sep 2026 18:00:00 +0200</pubDate></item>
</channel></rss>"""


def test_rss_items_become_calls_with_cue_deadlines() -> None:
    first, second = parse(RSS)
    assert first.source_id == "https://example.org/?p=123"  # the guid, not the link
    assert first.url == "https://example.org/bandi/cultura-2026/?utm_source=rss"
    assert first.title == "Bando “Cultura” 2026"  # double-escaped entities decoded
    assert [d.at for d in first.deadlines] == [datetime(2027, 1, 15, 11, 0, tzinfo=UTC)]
    assert first.keywords == ("Bandi aperti", "Cultura")
    assert first.stated_status == "Bandi aperti"
    assert first.extra["published"] == "2026-09-14T09:30:00+00:00"
    assert second.source_id == "https://example.org/bandi/voucher"  # no guid: canonical link
    assert second.rolling and second.deadlines == ()
    assert second.extra["published"] == "2026-09-13T16:00:00+00:00"


def test_audiences_territories_and_funds_are_read_from_the_text() -> None:
    raw = RSS.replace(
        "associazioni culturali", "associazioni culturali della Regione Lazio (PR FESR)"
    )
    call = parse(raw)[0]
    assert [a.code for a in call.audiences] == ["associazione"]
    assert [t.code for t in call.territories] == ["ITI4"]
    assert call.funds == ("ERDF",)


def test_configured_defaults_are_given_to_every_item() -> None:
    params = RssParams(
        url="https://example.org/feed",
        issuer="Agenzia X",
        language="it",
        audiences=["impresa"],
        territories=["ITI4", "058091"],
        funds=["FESR"],
        detect_in_text=False,
        call_type="grant",
    )
    call = parse(RSS, params)[1]
    assert call.issuer == "Agenzia X" and call.call_type == "grant"
    assert [a.code for a in call.audiences] == ["impresa"]
    assert [t.code for t in call.territories] == ["ITI4", "058091"]
    assert call.funds == ("ERDF",)  # the shared fund vocabulary's code for FESR


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Calls</title>
<link rel="self" href="https://example.eu/calls.atom"/><link href="https://example.eu/"/>
<entry><title type="html">Open call &lt;em&gt;Social innovation&lt;/em&gt;</title>
<id>tag:example.eu,2026:call-7</id>
<link rel="alternate" href="/calls/7"/><link rel="enclosure" href="/calls/7.pdf"/>
<updated>2026-09-10T08:00:00Z</updated><published>2026-09-01T08:00:00+02:00</published>
<category term="esf" label="ESF+"/>
<summary>Deadline: 31 March 2027 17:00 Brussels time.</summary></entry>
</feed>"""


def test_atom_entries() -> None:
    [call] = parse(
        ATOM,
        RssParams(url="https://example.eu/calls.atom", language="en", timezone="Europe/Brussels"),
    )
    assert call.source_id == "tag:example.eu,2026:call-7"
    assert call.url == "https://example.eu/calls/7"
    assert call.titles == {"en": "Open call Social innovation"}
    assert call.keywords == ("ESF+",)
    assert call.extra["published"] == "2026-09-01T06:00:00+00:00"
    assert call.extra["updated"] == "2026-09-10T08:00:00+00:00"
    assert [d.at for d in call.deadlines] == [datetime(2027, 3, 31, 15, 0, tzinfo=UTC)]


RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://example.org/"><title>Avvisi</title></channel>
<item rdf:about="https://example.org/avviso/1"><title>Avviso 1</title>
<description>Scadenza: 30/11/2026</description><dc:date>2026-09-01</dc:date></item>
</rdf:RDF>"""


def test_rss_1_0() -> None:
    [call] = parse(RDF)
    assert call.url == "https://example.org/avviso/1"
    assert [d.at for d in call.deadlines] == [datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)]
    assert call.extra["published"] == "2026-08-31T22:00:00+00:00"


def test_bom_and_blank_lines_before_the_declaration_are_tolerated() -> None:
    assert len(parse(b"\xef\xbb\xbf\n\n  " + RSS.encode("utf-8"))) == 2


def test_latin1_bytes_declared_as_utf8_are_recovered() -> None:
    raw = RSS.replace("associazioni culturali", "attività culturali").encode("cp1252")
    calls = parse(raw)
    assert "attività culturali" in calls[0].summary


def test_one_stray_cp1252_byte_leaves_the_other_titles_alone() -> None:
    """Decoding the whole feed as cp1252 for one bad byte would turn every "’" of the other
    items into "â\x80\x99": a false change of each title."""
    raw = fixture("piemonte/piemonte_tutti_rss.xml")
    spoilt = raw.replace(b"</channel>", b"<!-- \x92 -->\n</channel>")
    assert parse(spoilt, PIEMONTE_FEED) == parse(raw, PIEMONTE_FEED)


def test_an_undeclared_cp1252_feed_is_read() -> None:
    raw = RSS.replace(' encoding="utf-8"', "").replace("Cultura", "Cultura è").encode("cp1252")
    assert parse(raw)[0].keywords == ("Bandi aperti", "Cultura è")


ERROR_PAGE = b"""<!DOCTYPE html><html><head><title>503</title></head>
<body><h1>Service unavailable</h1></body></html>"""


@pytest.mark.parametrize(
    "raw",
    [
        ERROR_PAGE,
        b"",
        b"   \n",
        b"\x89PNG\r\n\x1a\n\x00\x00garbage",
        b'{"items": []}',
        b"<?xml version='1.0'?><html><body>Not found</body></html>",
    ],
)
def test_what_is_not_a_feed_is_a_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError):
        parse(raw)


def test_an_empty_feed_is_no_error() -> None:
    assert parse("<rss version='2.0'><channel><title>x</title></channel></rss>") == []


def test_a_feed_whose_items_cannot_be_read_is_a_shape_change() -> None:
    broken = (
        "<rss><channel>"
        + "<item><description>x</description></item>" * 5
        + ("<item><title>t</title><link>https://e.org/1</link></item></channel></rss>")
    )
    with pytest.raises(ShapeChanged, match="only 1 of 6"):
        parse(broken)


def test_status_words_are_read_from_labels_not_from_prose() -> None:
    raw = RSS.replace("<category>Bandi aperti</category>", "").replace(
        "Contributi per le", "Il bando è aperto alle"
    )
    assert parse(raw)[0].stated_status == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("audiences", ["imprese"], "unknown audience 'imprese'; valid: ente_pubblico"),
        ("territories", ["Piemonte"], "unknown territory 'Piemonte'"),
        ("funds", ["FSEE"], "unknown fund 'FSEE'; valid: ESF+"),
    ],
)
def test_params_check_defaults_against_the_vocabularies(
    field: str, value: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("+", "\\+")):
        RssParams.model_validate({"url": "https://e.org/f", field: value})


def test_params_reject_an_unknown_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        RssParams(url="https://e.org/f", timezone="Europe/Atlantis")


def test_call_type_rules_mark_the_tenders_of_a_mixed_feed() -> None:
    from fundwatch.config import load_config

    shipped = load_config(Path(__file__).resolve().parents[2] / "config")
    params = shipped.source_params["piemonte-tutti-feed"]
    calls = KIND.parse(fixture("piemonte/piemonte_tutti_rss.xml"), params, "piemonte-tutti-feed")
    tenders = {c.source_id for c in calls if c.call_type == "procurement"}
    assert tenders == {c.source_id for c in calls if "/gare-appalto/" in c.url}
    assert len(tenders) >= 3
    assert all(c.call_type == "" for c in calls if c.source_id not in tenders)
