"""Formatting and escaping filters: the only place numbers, money, dates and cells get their text.

Close returns money in cents and durations in seconds; these functions turn raw API values into
what people read (Babel does the locale work: currency symbols, decimals, separators) and make
user-controlled strings safe for the output they land in: Markdown table cells and RFC 4180 CSV
cells with spreadsheet-formula neutralization. HTML escaping is Jinja2's autoescape. Every
function is pure; `Formatter` only binds a locale so templates can call the filters by name.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval, format_time
from babel.numbers import (
    NumberPattern,
    format_compact_currency,
    format_currency,
    format_decimal,
    parse_pattern,
)

from reportrunner.errors import UsageError
from reportrunner.escaping import (
    BIDI_AND_INVISIBLE,
    CONTROL,
    markdown_escape,
)

NA = "n/a"
#: Distinct formatted texts remembered per formatter.
MEMO_SIZE = 200_000

#: A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class Formatter:
    """The display filters bound to one Babel locale (en_US unless the project sets one)."""

    def __init__(self, locale: str = "en_US") -> None:
        try:
            self._locale = Locale.parse(locale)
        except (UnknownLocaleError, ValueError) as exc:
            raise UsageError(
                f"unknown locale {locale!r} in reportrunner.yaml",
                hint="use a CLDR locale identifier such as en_US, en_GB, de_DE or fr_FR.",
            ) from exc
        self.locale = locale
        # Parsed once per formatter: Babel otherwise parses the locale (and the pattern) on
        # every call, which was most of the time spent publishing 1,000 reports (issue 14).
        self._decimals: dict[int, NumberPattern] = {}
        self._percents: dict[int, NumberPattern] = {}
        # The same figures and moments recur across pages (every trend point of 200 reports
        # shares its run's time): each distinct text is formatted once. Pure, so safe.
        self._memo: dict[tuple[Any, ...], str] = {}

    def _remember(self, key: tuple[Any, ...], text: str) -> str:
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()  # a bound, not a policy: a site rarely has this many texts
        self._memo[key] = text
        return text

    def _decimal(self, digits: int) -> NumberPattern:
        pattern = self._decimals.get(digits)
        if pattern is None:
            text = "#,##0." + "#" * digits if digits else "#,##0"
            pattern = self._decimals[digits] = parse_pattern(text)
        return pattern

    def _percent(self, digits: int) -> NumberPattern:
        """The locale's own percent pattern (sign position, spacing) with our precision."""
        pattern = self._percents.get(digits)
        if pattern is None:
            pattern = copy.copy(self._locale.percent_formats[None])
            pattern.frac_prec = (digits, digits)
            self._percents[digits] = pattern
        return pattern

    def money(self, cents: float | None, currency: str = "USD") -> str:
        """Cents → "$1,234.56" (decimals and symbol from the currency and locale)."""
        if cents is None:
            return NA
        key = ("money", type(cents), cents, currency)
        text = self._memo.get(key)
        if text is None:
            amount = Decimal(str(cents)) / 100
            text = self._remember(key, str(format_currency(amount, currency, locale=self._locale)))
        return text

    def count(self, value: float | None) -> str:
        """An integer count with thousands separators: 12345 → "12,345"."""
        if value is None:
            return NA
        key = ("count", type(value), value)
        text = self._memo.get(key)
        if text is None:
            text = self._remember(key, str(format_decimal(round(value), locale=self._locale)))
        return text

    def number(self, value: float | None, digits: int = 1) -> str:
        """A decimal number with up to `digits` fraction digits."""
        if value is None:
            return NA
        key = ("number", type(value), value, digits)
        text = self._memo.get(key)
        if text is None:
            text = self._remember(key, str(self._decimal(digits).apply(value, self._locale)))
        return text

    def percent(self, ratio: float | None, digits: int = 1) -> str:
        """A 0..1 ratio as a percentage in the locale's style: 0.4567 → "45.7%" ("45,7 %")."""
        if ratio is None:
            return NA
        key = ("percent", type(ratio), ratio, digits)
        text = self._memo.get(key)
        if text is None:
            text = self._remember(key, str(self._percent(digits).apply(ratio, self._locale)))
        return text

    def duration(self, seconds: float | None) -> str:
        """Seconds in the largest unit that reads well: days, hours or minutes."""
        if seconds is None:
            return NA
        magnitude = abs(seconds)
        if magnitude >= 86400:
            value, unit = seconds / 86400, "day"
        elif magnitude >= 3600:
            value, unit = seconds / 3600, "hour"
        elif magnitude >= 60 or magnitude == 0:
            value, unit = seconds / 60, "minute"
        else:  # a call's average length: "45 seconds", not "0.8 minutes"
            value, unit = seconds, "second"
        text = self.number(value, 1)
        return f"{text} {unit}" + ("" if text == "1" else "s")

    def metric(self, value: float | None, kind: str, currency: str = "USD") -> str:
        """Format by metric kind: count | money | ratio | duration."""
        if kind == "money":
            return self.money(value, currency)
        if kind == "ratio":
            return self.percent(value)
        if kind == "duration":
            return self.duration(value)
        return self.count(value)

    def short(self, value: float | None, kind: str, currency: str = "USD") -> str:
        """Like `metric`, but money of 10,000 or more is compact ("$106.7K") for narrow cells.

        The exact value goes in the cell's title and in the CSV; small sums stay exact.
        """
        if kind != "money" or value is None or abs(value) < 1_000_000:
            return self.metric(value, kind, currency)
        key = ("short", type(value), value, currency)
        text = self._memo.get(key)
        if text is None:
            amount = Decimal(str(value)) / 100
            compact = format_compact_currency(
                amount, currency, locale=self._locale, fraction_digits=1
            )
            text = self._remember(key, str(compact))
        return text

    def delta(
        self,
        value: float | None,
        compared: float | None,
        kind: str,
        currency: str = "USD",
    ) -> str:
        """The signed change from `compared` to `value`, with an arrow and words.

        Ratios change in percentage points; other kinds also show the relative change. Words
        ("up", "down", "no change") carry the meaning so colour is never the only signal.
        """
        if value is None or compared is None:
            return NA
        diff = value - compared
        if diff == 0:
            return "= no change"
        arrow, word = ("▲", "up") if diff > 0 else ("▼", "down")
        if kind == "ratio":
            points = self.number(abs(diff) * 100, 1)
            return f"{arrow} {word} {points} pts"
        size = self.metric(abs(diff), kind, currency)
        # From zero (or next to nothing) a relative change says nothing, and a ratio beyond
        # what decimal formatting can quantize would crash the page: show the size only.
        if compared == 0 or abs(diff) / abs(compared) >= 1e9:
            return f"{arrow} {word} {size}"
        relative = self.percent(abs(diff) / abs(compared), 0)
        return f"{arrow} {word} {size} ({relative})"

    def date_range(self, start: datetime | None, end: datetime | None) -> str:
        """A half-open window as the inclusive days it covers: "Nov 1 – 30, 2026"."""
        if start is None or end is None:
            return "all time"
        last = end
        if (end.hour, end.minute, end.second, end.microsecond) == (0, 0, 0, 0) and end > start:
            # [start, end) ends at midnight: the last day shown is the day before.
            last = datetime.fromordinal(end.toordinal() - 1).replace(tzinfo=end.tzinfo)
        if start.time() == datetime.min.time() and last.time() == datetime.min.time():
            return str(format_interval(start.date(), last.date(), "yMMMd", locale=self._locale))
        return f"{self._stamp(start)} – {self._stamp(end)}"

    def _stamp(self, when: datetime) -> str:
        """Medium date and short time in the moment's own offset (Babel has no such interval)."""
        key = ("stamp", when, str(when.tzinfo))  # equal moments in other zones read otherwise
        text = self._memo.get(key)
        if text is None:
            day = format_date(when, "medium", locale=self._locale)
            clock = format_time(when, "short", tzinfo=when.tzinfo, locale=self._locale)
            text = self._remember(key, f"{day}, {clock}")
        return text

    def moment(self, when: datetime | None, zone: str = "UTC") -> str:
        """A point in time shown in the report's zone: "Nov 30, 2026, 10:00 AM"."""
        if when is None:
            return NA
        # Medium date and short time: seconds are noise on a report page.
        return self._stamp(when.astimezone(zone_info(zone)))

    def time(self, when: datetime, zone: str = "UTC", *, seconds: bool = False) -> str:
        """The time of a moment in a zone: "4:13 AM" (runs that share a day), or with
        `seconds` "4:13:05 AM" (runs that share a minute)."""
        key = ("time", when, zone, seconds)
        text = self._memo.get(key)
        if text is None:
            local = when.astimezone(zone_info(zone))
            width = "medium" if seconds else "short"
            text = str(format_time(local, width, tzinfo=local.tzinfo, locale=self._locale))
            text = self._remember(key, text)
        return text

    def day(self, when: datetime | None, zone: str = "UTC") -> str:
        """The calendar day of a moment in the report's zone: "Nov 30, 2026"."""
        if when is None:
            return NA
        key = ("day", when, zone)
        text = self._memo.get(key)
        if text is None:
            local = when.astimezone(zone_info(zone))
            text = self._remember(key, str(format_date(local, "medium", locale=self._locale)))
        return text

    def filters(self) -> dict[str, Any]:
        """Everything a template can use as a filter, by name."""
        return {
            "money": self.money,
            "count": self.count,
            "number": self.number,
            "percent": self.percent,
            "duration": self.duration,
            "metric": self.metric,
            "short": self.short,
            "delta": self.delta,
            "date_range": self.date_range,
            "moment": self.moment,
            "day": self.day,
            "md": markdown_escape,
            "csv_cell": csv_cell,
            "csv_row": csv_row,
        }


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone of that name, or UTC for a name that is none (validation reports it)."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # not an IANA zone: validation reports it; show UTC
        return ZoneInfo("UTC")


def csv_cell(value: object) -> str:
    """One RFC 4180 cell (see `_csv_cell`); each distinct scalar is quoted once."""
    try:
        return _csv_cell(value)
    except TypeError:  # unhashable (not a scalar): computed, not remembered
        return _csv_cell.__wrapped__(value)


# typed: True, 1 and 1.0 are equal keys but different cells.
@functools.lru_cache(maxsize=65_536, typed=True)
def _csv_cell(value: object) -> str:
    """One RFC 4180 cell; strings a spreadsheet would run as a formula are neutralized.

    Numbers (int, float, numeric strings) stay numbers. Any other text starting with `=`, `+`,
    `-`, `@`, tab or carriage return gets a leading apostrophe, the OWASP recommendation that
    Excel, LibreOffice and Google Sheets all display as text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = BIDI_AND_INVISIBLE.sub("", str(value))
        text = CONTROL.sub("", text)
        # A leading space does not stop every spreadsheet from evaluating what follows.
        if text.lstrip(" ").startswith(_FORMULA_START) and not _NUMBER.fullmatch(text.strip()):
            text = "'" + text
    if any(char in text for char in ',"\r\n') or text != text.strip(" "):
        text = '"' + text.replace('"', '""') + '"'
    return text


def csv_row(cells: Iterable[object]) -> str:
    """A CSV record ending in CRLF, as RFC 4180 asks."""
    cells = list(cells)
    try:  # every cell a scalar (the usual case): each looked up in the cache directly
        return ",".join(map(_csv_cell, cells)) + "\r\n"
    except TypeError:  # an unhashable cell: each one through `csv_cell`
        return ",".join(map(csv_cell, cells)) + "\r\n"
