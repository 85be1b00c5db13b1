"""Decoding pages whose bytes do not match the charset they claim."""

from __future__ import annotations

import pytest

from fundwatch.normalize.text import decode_html, decode_lenient

TEXT = "Bando per l’intervento SRA27 “Pagamento per impegni silvo-ambientali” – città"


def test_utf8_is_read_as_utf8() -> None:
    assert decode_html(TEXT.encode("utf-8")) == TEXT


def test_a_cp1252_page_claiming_utf8_keeps_its_characters() -> None:
    page = f'<meta charset="utf-8"><h1>{TEXT}</h1>'
    assert decode_html(page.encode("cp1252")) == page


def test_a_cp1252_paragraph_inside_a_utf8_page_keeps_both() -> None:
    raw = TEXT.encode("utf-8") + " più è".encode("cp1252")
    assert decode_html(raw) == TEXT + " più è"


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        ('<meta charset="iso-8859-1">', "latin-1"),
        ("<meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>", "cp1252"),
    ],
)
def test_a_declared_charset_other_than_utf8_is_used(head: str, encoding: str) -> None:
    page = f"{head}<p>perché è così</p>"
    assert decode_html(page.encode(encoding)) == page


def test_an_unknown_declared_charset_falls_back_and_a_bom_goes() -> None:
    assert decode_html(b'\xef\xbb\xbf<meta charset="x-nonsense">\xc3\xa8') == (
        '<meta charset="x-nonsense">è'
    )


def test_valid_utf8_wins_over_a_wrong_declaration() -> None:
    page = '<meta charset="iso-8859-1"><p>perché</p>'
    assert decode_html(page.encode("utf-8")) == page


def test_one_stray_byte_does_not_turn_a_utf8_feed_into_mojibake() -> None:
    raw = TEXT.encode("utf-8") + b" \x92 " + TEXT.encode("utf-8")
    assert decode_lenient(raw, "utf-8") == f"{TEXT} ’ {TEXT}"
