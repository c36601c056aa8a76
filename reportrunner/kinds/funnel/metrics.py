"""The funnel metrics reportrunner shows: key, label, kind and which direction is better.

One table for the view models, the trends and the CSV files, so a metric is named the same
everywhere. Kinds: count | money (cents) | ratio (0..1) | duration (seconds).
"""

from __future__ import annotations

#: Every totals field: (API key, label, kind, higher is better). Order of the per-user table.
TOTALS_FIELDS: tuple[tuple[str, str, str, bool], ...] = (
    ("count", "Opportunities", "count", True),
    ("count_total_complete", "Closed (won or lost)", "count", True),
    ("count_total_won", "Won", "count", True),
    ("count_win_rate", "Win rate by count", "ratio", True),
    ("value_total_complete", "Closed value", "money", True),
    ("value_total_won", "Won value", "money", True),
    ("value_win_rate", "Win rate by value", "ratio", True),
    ("average_value_annualized_per_won_opportunity", "Average annualized won deal", "money", True),
    ("average_time_to_win", "Average time to win", "duration", False),
    ("sales_velocity", "Sales velocity", "money", True),
)
FIELD = {key: (label, kind, better) for key, label, kind, better in TOTALS_FIELDS}
#: The totals that add up over days (sums, not averages or rates): only these get a per-day
#: rate when two periods of different lengths are shown side by side.
ADDITIVE = frozenset(
    {"count", "count_total_complete", "count_total_won", "value_total_complete", "value_total_won"}
)
UNIT = {"money": "_cents", "duration": "_seconds", "count": "", "ratio": ""}
STAGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("count", "count"),
    ("count_lost", "count"),
    ("count_conversion_rate", "ratio"),
    ("count_lost_ratio", "ratio"),
    ("value", "money"),
    ("value_lost", "money"),
    ("value_conversion_rate", "ratio"),
    ("value_lost_ratio", "ratio"),
    ("weighted_value", "money"),
    ("weighted_value_conversion_rate", "ratio"),
    ("average_time_to_advance", "duration"),
)
TREND_KEYS = (
    "count",
    "count_total_won",
    "value_total_won",
    "count_win_rate",
    "average_time_to_win",
    "sales_velocity",
)
