"""The harness itself behaves like a GitHub runner where our workflows depend on it."""

from __future__ import annotations

from pathlib import Path

from wfcommands import parse_kv, read_annotations
from wfharness import Harness
from wfutil import git

WORKFLOW = """\
on: push
env:
  GREETING: hello
defaults:
  run:
    shell: bash
jobs:
  first:
    runs-on: ubuntu-latest
    outputs:
      word: ${{ steps.emit.outputs.word }}
    steps:
      - run: python -m pip install .
      - id: emit
        run: |
          echo "word=$GREETING" >> "$GITHUB_OUTPUT"
          { echo "text<<EOF"; echo "two"; echo "lines"; echo "EOF"; } >> "$GITHUB_OUTPUT"
          echo "LATER=from-env-file" >> "$GITHUB_ENV"
          echo "::warning file=a.yaml,line=3,title=Odd%2C really::50%25 done%0Anext line"
      - id: env
        env:
          TEXT: ${{ steps.emit.outputs.text }}
        run: test "$LATER" = from-env-file && test "$TEXT" = "$(printf 'two\\nlines')"
      - id: fails
        run: exit 3
      - id: after
        run: echo never
      - id: cleanup
        if: ${{ always() }}
        run: echo "## done" >> "$GITHUB_STEP_SUMMARY"
  second:
    needs: first
    if: ${{ always() && needs.first.outputs.word == 'HELLO' }}
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@0123456789012345678901234567890123456789 # v9.9.9
"""


def test_harness_follows_github_semantics(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "w.yml").write_text(WORKFLOW, encoding="utf-8")
    git(tmp_path, "init", "--quiet", str(repo))
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "w")
    temp = tmp_path / "temp"
    run = Harness(workspace=repo, temp=temp, event_name="push").run(".github/workflows/w.yml")

    first = run.jobs["first"]
    assert first.result == "failure", run.log()
    assert first.steps[0].note.startswith("skipped: only installs with pip")
    assert first.step("emit").outputs == {"word": "hello", "text": "two\nlines"}
    assert first.step("env").outcome == "success", run.log()
    assert first.step("fails").note == "exit status 3"
    assert first.step("after").outcome == "skipped"
    assert first.step("cleanup").outcome == "success"
    assert first.summary == "## done\n"
    assert first.outputs == {"word": "hello"}
    (warning,) = first.annotations
    assert warning.level == "warning" and warning.message == "50% done\nnext line"
    assert warning.properties == {"file": "a.yaml", "line": "3", "title": "Odd, really"}

    second = run.jobs["second"]  # 'hello' == 'HELLO': comparisons ignore case
    assert second.result == "failure"
    assert "no local equivalent of actions/cache" in second.steps[0].note


def test_output_file_syntax() -> None:
    assert parse_kv("a=1\nb=x=y\nc<<END\nline 1\nline 2\nEND\nd=\n") == {
        "a": "1", "b": "x=y", "c": "line 1\nline 2", "d": ""}  # fmt: skip
    assert read_annotations("plain\n::error::boom\n::notice title=T::n\n")[0].message == "boom"
