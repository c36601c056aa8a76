"""The formatting and escaping filters: money, counts, ratios, durations, deltas, Markdown, CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from reportrunner.errors import UsageError
from reportrunner.escaping import markdown_escape, plain_text
from reportrunner.site.filters import Formatter, csv_cell, csv_row

US = Formatter("en_US")


@pytest.mark.parametrize(
    ("cents", "currency", "locale", "expected"),
    [
        (123456789, "USD", "en_US", "$1,234,567.89"),
        (5, "USD", "en_US", "$0.05"),
        (-250000, "USD", "en_US", "-$2,500.00"),
        (123456789, "EUR", "de_DE", "1.234.567,89\xa0€"),
        (123456789, "EUR", "en_US", "€1,234,567.89"),
        (100000, "GBP", "en_GB", "£1,000.00"),
        (123456700, "JPY", "en_US", "¥1,234,567"),  # the yen has no minor unit
        (0, "USD", "en_US", "$0.00"),
    ],
)
def test_money_from_cents_uses_currency_and_locale(
    cents: int, currency: str, locale: str, expected: str
) -> None:
    assert Formatter(locale).money(cents, currency) == expected


def test_null_is_na_everywhere() -> None:
    for text in (
        US.money(None),
        US.count(None),
        US.percent(None),
        US.duration(None),
        US.delta(None, 3, "count"),
        US.delta(3, None, "count"),
        US.moment(None),
    ):
        assert text == "n/a"


def test_counts_ratios_and_durations() -> None:
    assert US.count(1234567) == "1,234,567"
    assert Formatter("de_DE").count(1234567) == "1.234.567"
    assert US.percent(0.4567) == "45.7%"
    assert US.percent(1) == "100.0%"
    assert US.percent(0) == "0.0%"
    assert US.duration(86400) == "1 day"
    assert US.duration(1743709) == "20.2 days"
    assert US.duration(5400) == "1.5 hours"
    assert US.duration(600) == "10 minutes"
    assert US.duration(0) == "0 minutes"
    assert US.duration(45) == "45 seconds"  # an activity report's average call
    assert US.duration(1) == "1 second"


def test_deltas_have_an_arrow_and_words() -> None:
    assert US.delta(45, 40, "count") == "▲ up 5 (12%)"
    assert US.delta(40, 45, "count") == "▼ down 5 (11%)"
    assert US.delta(7, 7, "count") == "= no change"
    assert US.delta(5, 0, "count") == "▲ up 5"  # no relative change from zero
    assert US.delta(0.5, 0.4545, "ratio") == "▲ up 4.5 pts"
    assert US.delta(33450000, 30600000, "money", "USD") == "▲ up $28,500.00 (9%)"
    assert US.delta(1743709, 2056320, "duration") == "▼ down 3.6 days (15%)"


def test_date_range_shows_the_inclusive_days_of_a_half_open_window() -> None:
    berlin = timezone(timedelta(hours=1))
    start = datetime(2026, 11, 1, tzinfo=berlin)
    end = datetime(2026, 12, 1, tzinfo=berlin)
    assert US.date_range(start, end).replace("\u2009", " ") == "Nov 1 – 30, 2026"
    assert US.date_range(None, None) == "all time"
    one_day = US.date_range(start, datetime(2026, 11, 2, tzinfo=berlin))
    assert one_day == "Nov 1, 2026"


def test_moment_is_shown_in_the_reports_zone() -> None:
    moment = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    assert US.moment(moment, "Europe/Berlin").replace("\u202f", " ") == "Nov 30, 2026, 10:00 AM"
    assert US.moment(moment, "Not/AZone").replace("\u202f", " ") == "Nov 30, 2026, 9:00 AM"


def test_unknown_locale_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown locale 'xx_YY'"):
        Formatter("xx_YY")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("a|b", "a\\|b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("R&D", "R&amp;D"),
        ("**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("line\nbreak", "line break"),
        ("\u202eevil\u202c", "evil"),
        ("$5 and $10", "\\$5 and \\$10"),  # GitHub would render $…$ as math
        ("---", "\\---"),  # not a rule
        ("-$2.50", "-\\$2.50"),  # a negative amount is no list item
        ("334.500,00", "334.500,00"),  # nor is a German number an ordered list
        ("#tag", "#tag"),
    ],
)
def test_markdown_escape(raw: str, expected: str) -> None:
    assert markdown_escape(raw) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (42, "42"),
        (0.5, "0.5"),
        (-3, "-3"),  # a real number is never neutralized
        ("-3.5", "-3.5"),
        ("plain", "plain"),
        ("a,b", '"a,b"'),
        ('say "hi"', '"say ""hi"""'),
        ("two\nlines", '"two\nlines"'),
        ('=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        (" =1+1", "' =1+1"),
        ("\u200f=1+1", "'=1+1"),  # an RTL mark does not hide a formula
        ("Zoë Ødegaard", "Zoë Ødegaard"),
    ],
)
def test_csv_cell_quotes_and_neutralizes(value: object, expected: str) -> None:
    assert csv_cell(value) == expected


def test_csv_row_round_trips_through_the_csv_module() -> None:
    cells = ["id", 'quote " inside', "comma, inside", "new\nline", "=cmd|' /C calc'!A0", 7]
    parsed = next(csv.reader(io.StringIO(csv_row(cells), newline="")))
    assert parsed[:4] == ["id", 'quote " inside', "comma, inside", "new\nline"]
    assert parsed[4] == "'=cmd|' /C calc'!A0"
    assert parsed[5] == "7"
    assert csv_row(["a"]).endswith("\r\n")


def test_plain_text_removes_controls_and_bidi() -> None:
    assert plain_text("a\x00b\u2066c\u2069\r\nd") == "abc d"


def test_remembered_texts_are_those_a_fresh_formatter_gives() -> None:
    """Formatting is memoized per formatter: equal keys of other types or zones stay apart."""
    used = Formatter("de_DE")
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
    calls = [
        ("money", (123456, "EUR")), ("money", (123456.0, "EUR")), ("money", (123456, "USD")),
        ("count", (1,)), ("count", (True,)), ("number", (1.25, 1)), ("number", (1.25, 2)),
        ("percent", (0.5, 0)), ("percent", (0.5, 1)), ("short", (123_456_789, "money")),
        ("day", (moment, "UTC")), ("day", (moment, "Asia/Tokyo")),
        ("time", (moment, "UTC")), ("time", (moment, "America/New_York")),
        ("moment", (moment, "UTC")), ("moment", (moment, "Europe/Berlin")),
    ]  # fmt: skip
    first = [getattr(used, name)(*args) for name, args in calls]
    again = [getattr(used, name)(*args) for name, args in calls]
    fresh = [getattr(Formatter("de_DE"), name)(*args) for name, args in calls]
    assert first == again == fresh
    assert used.day(moment, "UTC") != used.day(moment, "Asia/Tokyo")  # Dec 1 in Tokyo
    assert used.number(1.25, 1) != used.number(1.25, 2)


def test_csv_cells_of_equal_values_of_other_types_differ() -> None:
    assert [csv_cell(True), csv_cell(1), csv_cell(1.0)] == ["true", "1", "1.0"]
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("=1+1") == "'=1+1"
