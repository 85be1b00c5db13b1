"""Pure helpers shared by every source kind: dates, money, text, URLs, vocabularies.

Each concept lives in its own module; the names most sources need are re-exported here.
"""

from fundwatch.normalize.dates import BRUSSELS, ROME, parse_date, parse_datetime, to_utc
from fundwatch.normalize.money import parse_eur
from fundwatch.normalize.text import clean_text, html_to_text, one_line
from fundwatch.normalize.urls import canonical_url

__all__ = [
    "BRUSSELS",
    "ROME",
    "canonical_url",
    "clean_text",
    "html_to_text",
    "one_line",
    "parse_date",
    "parse_datetime",
    "parse_eur",
    "to_utc",
]
