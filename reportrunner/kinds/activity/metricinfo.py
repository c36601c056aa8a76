"""What the pages need to know of one activity metric, from the one catalogue.

`catalogue.py` (beside this module) holds every documented metric: name, unit and whether a
rise is good news. A key Close serves but the catalogue does not document (`validate --online`
accepts it) still gets its unit from its aggregation; its label is the key
and its direction is unknown, so its change is shown but never coloured better or worse.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportrunner.kinds.activity import catalogue as activitymetrics

#: Formatter kinds (filters.Formatter.metric) of the catalogue's units.
_FORMAT = {"count": "count", "duration": "duration", "money": "money"}


@dataclass(frozen=True)
class MetricInfo:
    key: str
    label: str
    kind: str  # count | duration | money: how filters.Formatter writes its values
    #: True/False when the catalogue says whether up is better; None for an unknown key.
    up_is_better: bool | None
    #: Sums over periods and users (counts, total durations, values): shares and team sums
    #: make sense. Averages do not add up.
    additive: bool


def metric_info(key: str) -> MetricInfo:
    metric = activitymetrics.get(key)
    if metric is not None:
        kind = _FORMAT[metric.unit]
        return MetricInfo(key, metric.name, kind, metric.up_is_better, not metric.is_average)
    unit = activitymetrics.unit_of(key) or "count"
    average = key.rsplit(".", 1)[-1].startswith("avg_")
    return MetricInfo(key, key, _FORMAT[unit], None, not average)
