"""The funnel arithmetic: totals and stages reports as pure functions over the dataset.

`scope.resolve_scope` (re-exported here) turns a validated request body into the opportunities
and windows a report covers; `totals_report` and `stages_report` compute the JSON bodies Close
returns (reports.py writes their per-user rows as CSV). All sums are integers (cents, seconds)
accumulated per user and added up for the aggregation, so per-user sums equal the aggregates
exactly; every rate is computed from those sums. The formulas and every choice where Close is
silent are in docs/emulator.md.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, fields
from typing import Any

from reportrunner import windows
from reportrunner.emulator.dataset import DAY, LOST, Dataset, Opportunity
from reportrunner.emulator.scope import RequestInvalid, Scope, resolve_scope

__all__ = ["RequestInvalid", "Scope", "resolve_scope", "stages_report", "totals_report"]

# --- accumulation -----------------------------------------------------------------------------


@dataclass
class _Sums:
    """Integer counters added field by field (per-user sums → aggregation)."""

    def add(self, other: _Sums) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class TotalsAcc(_Sums):
    count: int = 0
    complete: int = 0
    won: int = 0
    value_complete: int = 0
    value_won: int = 0
    win_seconds: int = 0


@dataclass
class StageAcc(_Sums):
    count: int = 0
    lost: int = 0
    advanced: int = 0
    value: int = 0
    value_lost: int = 0
    value_advanced: int = 0
    weighted: int = 0
    weighted_advanced: int = 0
    advance_seconds: int = 0


@dataclass
class UserAcc:
    totals: TotalsAcc
    stages: list[StageAcc]


def _bounds(window: windows.Window | None) -> tuple[float, float]:
    if window is None:
        return -math.inf, math.inf
    start = window.start.timestamp() if window.start else -math.inf
    end = window.end.timestamp() if window.end else math.inf
    return start, end


def _weighted(opp: Opportunity, stages: tuple[int, ...], final: int, won_stage: int) -> int:
    """Annualized value × confidence at the measurement moment (won 100 %, lost 0 %)."""
    state = stages[final]
    confidence = 100 if state == won_stage else 0 if state == LOST else opp.confidence
    return (opp.annualized * confidence + 50) // 100


def _created_cohort(scope: Scope, acc: dict[str, UserAcc]) -> None:
    won_stage = len(scope.shape.active)
    cohort_start, cohort_end = _bounds(scope.cohort)
    until = min(_bounds(scope.report)[1], scope.now.timestamp())
    for opp in scope.opportunities:
        if not (cohort_start <= opp.created < cohort_end) or opp.created > until:
            continue
        final = bisect_right(opp.times, until) - 1
        state = opp.stages[final]
        furthest = opp.stages[final - 1] if state == LOST else state
        user = acc[opp.user_id]
        value = opp.annualized
        weighted = _weighted(opp, opp.stages, final, won_stage)
        totals = user.totals
        totals.count += 1
        if state in (LOST, won_stage):
            totals.complete += 1
            totals.value_complete += value
        if state == won_stage:
            totals.won += 1
            totals.value_won += value
            totals.win_seconds += int(opp.times[final] - opp.created)
        for stage in range(furthest + 1):
            entry = user.stages[stage]
            entry.count += 1
            entry.value += value
            entry.weighted += weighted
            if stage < furthest and stage < won_stage:
                entry.advanced += 1
                entry.value_advanced += value
                entry.weighted_advanced += weighted
                entry.advance_seconds += int(opp.times[stage + 1] - opp.times[stage])
        if state == LOST:
            entry = user.stages[furthest]
            entry.lost += 1
            entry.value_lost += value


def _active_stage_cohort(scope: Scope, acc: dict[str, UserAcc]) -> None:
    won_stage = len(scope.shape.active)
    start, end = _bounds(scope.report)
    end = min(end, scope.now.timestamp())
    for opp in scope.opportunities:
        times, stages = opp.times, opp.stages
        if opp.created >= end:
            continue
        last = len(stages) - 1
        in_cohort = False
        user = acc[opp.user_id]
        value = opp.annualized
        final = bisect_right(times, end) - 1
        weighted = _weighted(opp, stages, final, won_stage)
        for i, stage in enumerate(stages):
            if stage in (LOST, won_stage):
                continue
            span_end = times[i + 1] if i < last else math.inf
            # A span touching the window's start still counts: its exit happened in the window.
            if times[i] < end and span_end >= start:
                in_cohort = True
                entry = user.stages[stage]
                entry.count += 1
                entry.value += value
                entry.weighted += weighted
                if i < last and start <= span_end < end:
                    nxt = stages[i + 1]
                    if nxt == LOST:
                        entry.lost += 1
                        entry.value_lost += value
                    else:
                        entry.advanced += 1
                        entry.value_advanced += value
                        entry.weighted_advanced += weighted
                        entry.advance_seconds += int(span_end - times[i])
        if not in_cohort:
            continue
        totals = user.totals
        totals.count += 1
        moved_at = times[last]
        if last > 0 and start <= moved_at < end and stages[last] in (LOST, won_stage):
            totals.complete += 1
            totals.value_complete += value
            if stages[last] == won_stage:
                totals.won += 1
                totals.value_won += value
                totals.win_seconds += int(moved_at - opp.created)
                won = user.stages[won_stage]
                won.count += 1
                won.value += value
                won.weighted += weighted


def _accumulate(dataset: Dataset, scope: Scope) -> tuple[list[str], dict[str, UserAcc]]:
    """Per-user accumulators for the scope, and the row order (see docs: per-user rows)."""
    size = len(scope.shape.funnel)
    candidates = (
        list(scope.user_ids) if scope.user_ids is not None else [u.id for u in dataset.users]
    )
    acc = {uid: UserAcc(TotalsAcc(), [StageAcc() for _ in range(size)]) for uid in candidates}
    if scope.type == "created-cohort":
        _created_cohort(scope, acc)
    else:
        _active_stage_cohort(scope, acc)
    rows = []
    for uid in candidates:
        user = dataset.user(uid)
        assert user is not None  # candidates come from the dataset
        # Without a users filter, a deactivated user gets a row only when they own something.
        if scope.user_ids is None and not user.active and acc[uid].totals.count == 0:
            continue
        rows.append(uid)
    rows.sort(key=lambda uid: (dataset.user_name(uid).casefold(), uid))
    return rows, acc


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def totals_json(acc: TotalsAcc) -> dict[str, Any]:
    avg_win = round(acc.win_seconds / acc.won) if acc.won else None
    avg_value = acc.value_won / acc.won if acc.won else 0.0
    win_rate = _ratio(acc.won, acc.complete)
    velocity = 0
    if acc.won and win_rate is not None and avg_win is not None:
        # Help centre: #opps × average won value × win rate ÷ average days to win; the divisor
        # is at least one day, which is what reproduces Close's documented example.
        velocity = round(acc.count * avg_value * win_rate / max(1.0, avg_win / DAY))
    return {
        "count": acc.count,
        "count_total_complete": acc.complete,
        "count_total_won": acc.won,
        "count_win_rate": win_rate,
        "value_total_complete": acc.value_complete,
        "value_total_won": acc.value_won,
        "value_win_rate": _ratio(acc.value_won, acc.value_complete),
        "average_time_to_win": avg_win,
        "average_value_annualized_per_won_opportunity": round(avg_value),
        "sales_velocity": velocity,
    }


def stage_json(status: Any, acc: StageAcc, is_won: bool) -> dict[str, Any]:
    def rate(part: int, whole: int) -> float | None:
        if not acc.count:
            return None
        return part / whole if whole else 0.0

    return {
        "status": {"id": status.id, "label": status.label, "type": status.type},
        "count": acc.count,
        "count_lost": acc.lost,
        "count_conversion_rate": rate(acc.advanced, acc.count),
        "count_lost_ratio": rate(acc.lost, acc.count),
        "value": acc.value,
        "value_lost": acc.value_lost,
        "value_conversion_rate": rate(acc.value_advanced, acc.value),
        "value_lost_ratio": rate(acc.value_lost, acc.value),
        "weighted_value": acc.weighted,
        "weighted_value_conversion_rate": rate(acc.weighted_advanced, acc.weighted),
        "average_time_to_advance": (
            round(acc.advance_seconds / acc.advanced) if acc.advanced and not is_won else None
        ),
    }


def totals_report(dataset: Dataset, scope: Scope) -> dict[str, Any]:
    rows, acc = _accumulate(dataset, scope)
    overall = TotalsAcc()
    for uid in rows:
        overall.add(acc[uid].totals)
    return {
        "aggregations": totals_json(overall),
        "data": [{"user_id": uid, **totals_json(acc[uid].totals)} for uid in rows],
    }


def stages_report(dataset: Dataset, scope: Scope) -> dict[str, Any]:
    rows, acc = _accumulate(dataset, scope)
    funnel = scope.shape.funnel
    overall = [StageAcc() for _ in funnel]
    for uid in rows:
        for total, part in zip(overall, acc[uid].stages, strict=True):
            total.add(part)

    def listing(stages: list[StageAcc]) -> list[dict[str, Any]]:
        return [
            stage_json(status, stage, status.type == "won")
            for status, stage in zip(funnel, stages, strict=True)
        ]

    return {
        "aggregations": {"stages": listing(overall)},
        "data": [{"user_id": uid, "stages": listing(acc[uid].stages)} for uid in rows],
    }
