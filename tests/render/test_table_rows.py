"""The stage and user rows made in Python are the rows the partials' loops wrote.

`tablerows` replaced a per-cell template loop in partials/funnel.html and users.html. The
loops are kept here, as they were, and rendered with the Renderer's own Environment (the same
escaping and whitespace options), on the fixture and on hostile names and labels.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from reportrunner.model import Project
from reportrunner.site.render import Renderer
from reportrunner.site.viewmodel import report_view

#: The loop partials/funnel.html had inside <tbody>.
STAGE_LOOP = """\
    {% for s in report.stages %}
      <tr>
        <th scope="row"><bdi>{{ s.label }}</bdi>{% if s.type == "won" and s.label | lower != "won" %} <span class="muted">(won)</span>{% endif %}</th>
        {% for key, label in (("count", "Opportunities"), ("count_conversion_rate", "Advanced"), ("count_lost", "Lost"), ("count_lost_ratio", "Lost share"), ("value", "Value"), ("value_conversion_rate", "Value advanced"), ("value_lost", "Value lost"), ("weighted_value", "Weighted value"), ("average_time_to_advance", "Average time to advance")) %}<td data-label="{{ label }}"{% if s.short[key] != s.text[key] %} title="{{ s.text[key] }}"{% endif %}>{{ s.short[key] }}</td>{% endfor %}
      </tr>
    {% endfor %}
"""  # noqa: E501 - the template line as it was
#: The loop partials/users.html had inside <tbody>.
USER_LOOP = """\
    {% for u in report.users %}
      <tr id="{{ u.anchor }}">
        <th scope="row"><bdi>{{ u.name }}</bdi></th>
        {% for key, label, kind in report.user_columns %}<td data-label="{{ label }}"{% if u.short[key] != u.text[key] %} title="{{ u.text[key] }}"{% endif %}>{{ u.short[key] }}</td>{% if key == "value_total_won" and report.has_compared %}<td data-label="Won value change" class="delta {{ u.won_judgement }}">{{ u.won_delta_text or "—" }}</td>{% endif %}{% endfor %}
      </tr>
    {% endfor %}
"""  # noqa: E501 - the template line as it was

#: The loop partials/funnel.html had inside each chart's <svg>.
BAR_LOOP = """\
        {% for bar in chart.bars %}
        <g>
          <text x="0" y="{{ bar.y + 13 }}">{{ bar.label }}</text>
          <text x="{{ chart.width }}" y="{{ bar.y + 13 }}" text-anchor="end">{{ bar.value_text }}</text>
          <rect class="track" x="1" y="{{ bar.y + 19 }}" width="{{ chart.width - 2 }}" height="16" rx="2"></rect>
          <rect class="bar {{ bar.kind }}" x="1" y="{{ bar.y + 19 }}" width="{{ bar.width }}" height="16" rx="2"></rect>
          {% if bar.lost_width > 0 %}<rect class="lost" x="{{ bar.lost_x }}" y="{{ bar.y + 19 }}" width="{{ bar.lost_width }}" height="16"></rect>{% endif %}
          <text class="small" x="0" y="{{ bar.y + 49 }}">{{ bar.note }}</text>
        </g>
        {% endfor %}
"""  # noqa: E501 - the template lines as they were

HOSTILE = ["<b>&\"'</b>", "Won", "WON", "wOn", "", "{{ 7*7 }}", "\u202eevil", "a" * 300]


def _loops(renderer: Renderer, report: Any) -> tuple[str, str]:
    # A template from a string is not autoescaped by its extension, as the .html ones were.
    stages = renderer.env.from_string(
        "{% autoescape true %}\n" + STAGE_LOOP + "{% endautoescape %}"
    )
    users = renderer.env.from_string("{% autoescape true %}\n" + USER_LOOP + "{% endautoescape %}")
    return stages.render(report=report), users.render(report=report)


@pytest.mark.parametrize("compared", [True, False])
@pytest.mark.parametrize("name", HOSTILE)
def test_rows_are_what_the_loops_wrote(
    tmp_path: Path, data: dict[str, Any], name: str, compared: bool
) -> None:
    renderer = Renderer(Project(root=tmp_path))
    edited = copy.deepcopy(data)
    if not compared:
        edited.pop("compare", None)
        for role in ("compared", "compared_to_date"):
            edited["responses"]["totals"].pop(role, None)
            edited["responses"].get("stages", {}).pop(role, None)
    names = edited["names"]["users"]
    for user_id in list(names)[:2]:
        names[user_id] = name
    for stage in edited["responses"]["stages"]["base"]["aggregations"]["stages"][:2]:
        stage["status"]["label"] = name
        stage["status"]["type"] = "won"
    view = report_view(edited, renderer.formatter)
    assert view.stages and view.users
    stages, users = _loops(renderer, view)
    assert str(view.stage_rows) == stages
    assert str(view.user_rows) == users
    bars = renderer.env.from_string("{% autoescape true %}\n" + BAR_LOOP + "{% endautoescape %}")
    assert len(view.funnel_bars) == len(view.funnel_charts) == 2
    for chart, made in zip(view.funnel_charts, view.funnel_bars, strict=True):
        assert any(bar.lost_width == 0 for bar in chart.bars)
        assert any(bar.lost_width > 0 for bar in chart.bars)
        assert str(made) == bars.render(chart=chart)
    assert view.has_compared is compared


def test_no_rows_are_no_text(tmp_path: Path, data: dict[str, Any]) -> None:
    renderer = Renderer(Project(root=tmp_path))
    edited = copy.deepcopy(data)
    edited["responses"]["totals"]["base"]["data"] = []
    edited["responses"]["stages"]["base"]["aggregations"]["stages"] = []
    view = report_view(edited, renderer.formatter)
    assert str(view.stage_rows) == "" == str(view.user_rows)
    assert _loops(renderer, view) == ("", "")


def test_escaped_texts_are_remembered_only_for_plain_strings() -> None:
    from markupsafe import Markup

    from reportrunner.site import tablerows

    assert tablerows._escape("<b>") == "&lt;b&gt;" == tablerows._escape("<b>")
    assert tablerows._escape(Markup("<b>")) == "<b>", "safe markup stays as it is"
    assert tablerows._escape("<b>") == "&lt;b&gt;"
