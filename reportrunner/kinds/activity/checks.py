"""The activity-report rules a schema cannot express: metric keys and the compare mode.

The schema accepts any well-formed metric key (Close serves more metrics than it documents),
so whether a key exists is judged here: against reportrunner's catalogue offline (an unknown
key is a warning with a did-you-mean, since the account may still have it), and against the
account's own `GET /report/activity/metrics/` when one is given (then unknown is an error).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from reportrunner.kinds.activity import catalogue as activitymetrics
from reportrunner.spec.messages import Problem, did_you_mean

#: compare modes that need an earlier period of the same length as the report's.
_NO_EARLIER_PERIOD = ("all-time",)


def metric_problems(
    body: Any, prefix: str = "", known: Collection[str] | None = None
) -> list[Problem]:
    """A problem for every well-formed metric key in `body` that is not known.

    `known` is the account's catalogue (validate --online); without it, reportrunner's
    documented catalogue is used and an unknown key is only a warning.
    """
    if not isinstance(body, dict) or not isinstance(body.get("metrics"), list):
        return []
    online = known is not None
    catalogue = known if known is not None else activitymetrics.KEYS
    found: list[Problem] = []
    for index, key in enumerate(body["metrics"]):
        if not isinstance(key, str) or not activitymetrics.is_well_formed(key):
            continue  # the schema already says what is wrong with it
        if key in catalogue:
            continue
        hint = did_you_mean(key, catalogue)
        if online:
            message = f"metric {key!r} is not offered by this Close account{hint}"
        else:
            message = (
                f"metric {key!r} is not in Close's documented catalogue{hint} (an account may "
                "offer more: validating online checks it against yours)"
            )
        found.append(
            Problem(f"{prefix}/metrics/{index}", message, "error" if online else "warning")
        )
    return found


def compare_problems(spec: Any) -> list[Problem]:
    """compare needs an earlier period: not with relative_range all-time."""
    if not isinstance(spec, dict):
        return []
    compare, request = spec.get("compare"), spec.get("request")
    if compare in (None, "none") or not isinstance(request, dict):
        return []
    window = request.get("relative_range")
    if window in _NO_EARLIER_PERIOD:
        return [
            Problem(
                "/compare",
                f"compare: {compare} needs an earlier period, and relative_range {window} has "
                "none; use compare: none or a shorter range",
            )
        ]
    return []


def threshold_problems(spec: Any) -> list[Problem]:
    """A delivery's threshold on an activity report names one of its `request.metrics`.

    The schema accepts any well-formed key there; only a metric the report fetches has a value
    to compare, and a threshold on any other would silently never be met.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("deliver"), list):
        return []
    request = spec.get("request")
    metrics = request.get("metrics") if isinstance(request, dict) else None
    if not isinstance(metrics, list):
        return []  # the schema says the metrics are missing
    fetched = [key for key in metrics if isinstance(key, str)]
    found: list[Problem] = []
    for index, item in enumerate(spec["deliver"]):
        threshold = item.get("threshold") if isinstance(item, dict) else None
        metric = threshold.get("metric") if isinstance(threshold, dict) else None
        if not isinstance(metric, str) or not activitymetrics.is_well_formed(metric):
            continue  # the schema already says what is wrong with it
        if metric in fetched:
            continue
        hint = did_you_mean(metric, fetched) or "; add it to request.metrics or name one of these"
        found.append(
            Problem(
                f"/deliver/{index}/threshold/metric",
                f"threshold metric {metric!r} is not one of this report's request.metrics "
                f"({', '.join(fetched)}){hint}",
            )
        )
    return found
