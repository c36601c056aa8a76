"""$GITHUB_OUTPUT values in the delimiter form: no newline or delimiter in a value can break it.

Issue 10, item 6. Read back with the harness's parser of GitHub's file syntax (wfcommands).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wfcommands import parse_kv

from reportrunner.cli.output import append_github_output, github_output_entry

HOSTILE = [
    "a b c",
    "two\nlines",
    "evil\nstatus=0",
    "x\r\nstatus=0\r\n",
    "ghadelimiter_0000\nstatus=0\nghadelimiter_0000",
    "failed<<EOF\nstatus=0\nEOF",
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_comes_back_whole_and_adds_no_output(value: str, tmp_path: Path) -> None:
    target = tmp_path / "output"
    target.write_text("status=1\n", encoding="utf-8")
    assert append_github_output("failed", value, {"GITHUB_OUTPUT": str(target)})
    parsed = parse_kv(target.read_text(encoding="utf-8"))
    assert set(parsed) == {"status", "failed"} and parsed["status"] == "1", parsed
    assert parsed["failed"].splitlines() == value.splitlines()


def test_the_delimiter_is_fresh_each_time_and_the_name_is_checked() -> None:
    first, second = github_output_entry("x", "v"), github_output_entry("x", "v")
    assert first != second
    with pytest.raises(ValueError):
        github_output_entry("bad\nname", "v")
    assert not append_github_output("x", "v", {})
