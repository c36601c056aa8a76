"""The body rows of a report page's two big tables (stages, users) and its funnel bars, as HTML.

Each cell of these tables used to be a template expression: a lookup, a comparison and an
escape per cell, some 40 per user, which made the two tables most of the time spent in the
HTML template when publishing 1,000 reports; the funnel charts' bars were most of the rest.
The rows and bars are the same markup the partials wrote (partials/funnel.html and users.html
still lay out the tables and charts around them), built
here with the same escaping (markupsafe's, which autoescape uses) and returned as `Markup`,
so a template prints them as they are. tests/render/test_table_rows.py holds them to the
loops they replace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from reportrunner.site.charts import FunnelChart
    from reportrunner.site.viewmodel import StageView, UserRow

#: The stage table's cells after the stage's name: (metric key, column label).
STAGE_CELLS: tuple[tuple[str, str], ...] = (
    ("count", "Opportunities"),
    ("count_conversion_rate", "Advanced"),
    ("count_lost", "Lost"),
    ("count_lost_ratio", "Lost share"),
    ("value", "Value"),
    ("value_conversion_rate", "Value advanced"),
    ("value_lost", "Value lost"),
    ("weighted_value", "Weighted value"),
    ("average_time_to_advance", "Average time to advance"),
)


#: Escaped texts remembered: the same labels and figures recur in every row and report.
_ESCAPED: dict[str, str] = {}
MEMO_SIZE = 100_000


def _escape(text: str) -> str:
    """`markupsafe.escape(text)` as a plain str, each distinct text escaped once."""
    if type(text) is not str:  # Markup (already safe) equals its text, but is not escaped
        return str(escape(text))
    found = _ESCAPED.get(text)
    if found is None:
        if len(_ESCAPED) >= MEMO_SIZE:
            _ESCAPED.clear()  # a bound, not a policy
        found = _ESCAPED[text] = str(escape(text))
    return found


def _cell(label: str, short: str, text: str) -> str:
    """One figure: compact text in the cell, the exact one in its title when they differ."""
    title = f' title="{_escape(text)}"' if short != text else ""
    return f'<td data-label="{_escape(label)}"{title}>{_escape(short)}</td>'


def stage_rows(stages: Sequence[StageView]) -> Markup:
    """The `<tbody>` rows of the stage table."""
    rows = []
    for stage in stages:
        won = stage.type == "won" and stage.label.lower() != "won"
        mark = ' <span class="muted">(won)</span>' if won else ""
        cells = "".join(
            _cell(label, stage.short[key], stage.text[key]) for key, label in STAGE_CELLS
        )
        rows.append(
            f'      <tr>\n        <th scope="row"><bdi>{escape(stage.label)}</bdi>{mark}</th>\n'
            f"{cells}      </tr>\n"
        )
    return Markup("".join(rows))


def user_rows(
    users: Sequence[UserRow], columns: Sequence[tuple[str, str, str]], compared: bool
) -> Markup:
    """The `<tbody>` rows of the user table (`compared`: with the won value's change)."""
    rows = []
    for user in users:
        cells = []
        for key, label, _ in columns:
            cells.append(_cell(label, user.short[key], user.text[key]))
            if key == "value_total_won" and compared:
                change = escape(user.won_delta_text or "—")
                judgement = escape(user.won_judgement)
                cells.append(
                    f'<td data-label="Won value change" class="delta {judgement}">{change}</td>'
                )
        rows.append(
            f'      <tr id="{escape(user.anchor)}">\n'
            f'        <th scope="row"><bdi>{escape(user.name)}</bdi></th>\n'
            f"{''.join(cells)}      </tr>\n"
        )
    return Markup("".join(rows))


def funnel_bars(chart: FunnelChart) -> Markup:
    """The `<g>` of each bar of a funnel chart (its numbers are ours; its texts escaped)."""
    groups = []
    for bar in chart.bars:
        y = bar.y
        lost = ""
        if bar.lost_width > 0:
            lost = (
                f'<rect class="lost" x="{bar.lost_x}" y="{y + 19}" width="{bar.lost_width}" '
                'height="16"></rect>'
            )
        groups.append(
            "        <g>\n"
            f'          <text x="0" y="{y + 13}">{escape(bar.label)}</text>\n'
            f'          <text x="{chart.width}" y="{y + 13}" text-anchor="end">'
            f"{escape(bar.value_text)}</text>\n"
            f'          <rect class="track" x="1" y="{y + 19}" width="{chart.width - 2}" '
            'height="16" rx="2"></rect>\n'
            f'          <rect class="bar {escape(bar.kind)}" x="1" y="{y + 19}" '
            f'width="{bar.width}" height="16" rx="2"></rect>\n'
            f'{lost}          <text class="small" x="0" y="{y + 49}">{escape(bar.note)}</text>\n'
            "        </g>\n"
        )
    return Markup("".join(groups))
