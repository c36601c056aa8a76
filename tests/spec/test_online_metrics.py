"""`validate --online` on activity specs: metric keys checked against the account's catalogue,
over real HTTP against the emulator's `GET /report/activity/metrics/`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reportrunner.emulator import Emulator, Fault
from reportrunner.kinds.activity.online import METRICS_PATH, parse_catalogue

from .conftest import explain, invoke, write

SPEC = """
kind: activity
title: Calls
request:
  type: overview
  relative_range: this-week
  metrics:
    - calls.outbound.all.count
    - emails.sent.manual_with_reply.count
    - calls.outbund.all.count
"""
ENV = {"CLOSE_API_KEY": "test-key"}


def _run(root: Path, emulator: Emulator, *args: str) -> Any:
    return invoke(root, "validate", *args, env=ENV | {"CLOSE_API_URL": emulator.base_url})


def test_offline_an_unknown_key_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, {"specs/calls.yaml": SPEC})
    result = invoke(tmp_path, "validate")
    assert result.exit_code == 0, explain(result)
    lines = [line for line in result.stdout.splitlines() if ": warning:" in line]
    assert [line.split(": ")[0] for line in lines] == [
        "specs/calls.yaml:8:7",
        "specs/calls.yaml:9:7",
    ]
    assert "did you mean 'calls.outbound.all.count'?" in lines[1]


def test_online_the_accounts_catalogue_decides(tmp_path: Path, emulator: Emulator) -> None:
    write(tmp_path, {"specs/calls.yaml": SPEC})
    result = _run(tmp_path, emulator, "--online")
    assert result.exit_code == 1, explain(result)
    # The emulator's account offers manual_with_reply (an undocumented key): no problem there;
    # the misspelled key is an error on its line, and the offline guess is gone.
    assert result.stdout.splitlines()[0] == (
        "specs/calls.yaml:9:7: error: metric 'calls.outbund.all.count' is not offered by this "
        "Close account; did you mean 'calls.outbound.all.count'?"
    ), explain(result)
    assert ": warning:" not in result.stdout, explain(result)
    assert "(0 valid reports): 1 error, 0 warnings" in result.stdout, explain(result)
    assert [r.path for r in emulator.requests].count(METRICS_PATH) == 1


def test_online_with_good_keys_passes(tmp_path: Path, emulator: Emulator) -> None:
    good = SPEC.replace("calls.outbund.all.count", "sms.sent.all.count")
    write(tmp_path, {"specs/calls.yaml": good})
    result = _run(tmp_path, emulator, "--online")
    assert result.exit_code == 0, explain(result)
    assert "0 errors, 0 warnings" in result.stdout, explain(result)


def test_funnel_specs_do_not_fetch_the_catalogue(tmp_path: Path, emulator: Emulator) -> None:
    funnel = "title: F\nrequest:\n  pipeline: pipe_4vukv2FUlFh9FDiVYAop1U\n  type: created-cohort\n"
    write(tmp_path, {"specs/f.yaml": funnel + "  cohort_relative_range: this-month\n"})
    result = _run(tmp_path, emulator, "--online")
    assert result.exit_code == 0, explain(result)
    assert not any(r.path.endswith(METRICS_PATH) for r in emulator.requests)


@pytest.mark.parametrize(
    "fault",
    [Fault.status(500), Fault.status(200, {"metrics": "all"}), Fault.status(200, [1, 2])],
    ids=["server-error", "wrong-shape", "a-list"],
)
def test_an_unreadable_catalogue_leaves_the_keys_unchecked(
    tmp_path: Path, emulator: Emulator, fault: Fault
) -> None:
    write(tmp_path, {"specs/calls.yaml": SPEC})
    emulator.inject(*[fault] * 4, path=METRICS_PATH)
    result = _run(tmp_path, emulator, "--online")
    assert result.exit_code == 0, explain(result)
    assert "specs/calls.yaml:7:5: warning: could not check the metric keys:" in result.stdout
    # The offline verdicts stay, with their did-you-mean.
    assert "specs/calls.yaml:9:7: warning: metric 'calls.outbund.all.count'" in result.stdout


def test_parse_catalogue_takes_only_the_documented_shape() -> None:
    assert parse_catalogue({"metrics": [{"key": "a.b.c.count", "name": "A"}]}) == {"a.b.c.count"}
    for bad in (None, [], {"metrics": {}}, {"metrics": [{"name": "x"}]}, {"metrics": [{"key": 1}]}):
        with pytest.raises(ValueError):
            parse_catalogue(bad)
    with pytest.raises(ValueError):
        parse_catalogue({"metrics": [{"key": "k"}] * 10_001})
