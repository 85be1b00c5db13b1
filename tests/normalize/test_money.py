"""parse_eur on every amount form of DESIGN.md §7 and issue 4, with the real strings of the
fixtures (Trentino FEASR calendar "IMPORTO (Euro)", Lazio Innova post text, Piemonte
"Dotazione finanziaria")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fundwatch.normalize.money import parse_eur


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the forms named in DESIGN.md §7 and issue 4
        ("€ 1.500.000,00", "1500000"),
        ("1,5 milioni", "1500000"),
        ("3.200.000,00", "3200000"),  # mayai_trentino_feasr_calendar_rows.json
        ("€. 213.774,00 o.f.e.", "213774"),
        # other Italian forms
        ("€ 1.500.000", "1500000"),
        ("550.000 euro", "550000"),
        ("3.200.000,00 €", "3200000"),
        ("€200.000,00", "200000"),
        ("Euro 10.000.000,00 (diecimilioni/00)", "10000000"),
        ("fino a 1,2 milioni di euro", "1200000"),
        ("1,5 Milioni di Euro", "1500000"),
        ("€ 0,5 mln", "500000"),
        ("2 mln", "2000000"),
        ("contributo massimo di 50 mila euro", "50000"),
        ("1 mld", "1000000000"),
        ("100.000,5", "100000.5"),
        ("12,50", "12.5"),
        ("1.000", "1000"),
        ("1.234.567", "1234567"),
        # English and EU forms
        ("EUR 500000", "500000"),
        ("EUR 2,000,000", "2000000"),
        ("EUR 1,000", "1000"),
        ("1,000,000.50", "1000000.5"),
        ("€2.5 million", "2500000"),
        ("EUR 3,5 Mio.", "3500000"),
        ("12000000", "12000000"),
        ("1.5", "1.5"),
        # space-grouped thousands, including the no-break and narrow no-break spaces
        ("1 500 000", "1500000"),
        ("4 000 000 EUR", "4000000"),
        ("1\u00a0000\u00a0000,50", "1000000.5"),
        ("1\u202f000\u202f000", "1000000"),
        ("1'000'000", "1000000"),
    ],
)
def test_amount_forms(text: str, expected: str) -> None:
    assert parse_eur(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a decimal dot after thousands dots (typed as in some Italian PDFs)
        ("EUR 1.500.000.00", "1500000"),
        # years before the amount: the number beside the currency word wins
        ("PR FESR 2021-2027, dotazione € 1.000.000", "1000000"),
        (
            "550.000 euro di cofinanziamento, a valere sul O.S. 1.3 del PR FESR 2021-2027",
            "550000",
        ),
        ("a valere sul PR FESR 2021-2027 550.000 euro di cofinanziamento", "550000"),
        # a percentage is not an amount
        ("contributo fino al 50% delle spese, max 20.000 euro", "20000"),
        # a range: the first amount
        ("€ 30.000,00 - € 150.000,00", "30000"),
        ("Dotazione: 5.000.000 €", "5000000"),
        # "1,500 milioni" is one and a half million: a scale word makes the comma decimal
        ("1,500 milioni", "1500000"),
        ("0,500", "0.5"),
    ],
)
def test_amounts_in_prose(text: str, expected: str) -> None:
    assert parse_eur(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12000000, "12000000"), (1.5, "1.5"), (Decimal("250000.00"), "250000"), ("2023", "2023")],
)
def test_numbers_and_bare_strings(value: int | float | Decimal | str, expected: str) -> None:
    assert parse_eur(value) == Decimal(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "n.d.", "fino al 80%", True])
def test_no_amount(value: str | bool | None) -> None:
    assert parse_eur(value) is None


def test_whole_amounts_are_integral() -> None:
    amount = parse_eur("€ 1.500.000,00")
    assert amount is not None
    assert str(amount) == "1500000"
