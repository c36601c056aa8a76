"""`validate --online`: ids looked up in the emulator, diagnostics at the line that wrote them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reportrunner.cli import main
from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import GROUPS, PIPELINES, SAVED_SEARCHES, USERS
from reportrunner.model import Location, Spec
from reportrunner.spec.online import OnlineSettings, validate_online

GOOD = f"""\
id: good
title: Good
request:
  pipeline: {PIPELINES[0].id}
  type: created-cohort
  cohort_relative_range: this-month
  users: [{USERS[9].id}, {GROUPS[0].id}]
  query: {{type: saved_search, saved_search_id: {SAVED_SEARCHES[0].id}}}
"""
WRONG = f"""\
id: wrong
title: Wrong ids
request:
  pipeline: pipe_0000000000000000000000
  type: created-cohort
  cohort_relative_range: this-month
  users:
    - {USERS[0].id}
    - user_doesnotexist
    - group_doesnotexist
  query:
    type: saved_search
    saved_search_id: save_doesnotexist
"""


def explain(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def test_every_kind_of_unknown_id_at_its_line(emulator: Emulator) -> None:
    at = {
        "/request/pipeline": Location("specs/w.yaml", 4, 13),
        "/request/users/1": Location("specs/w.yaml", 9, 7),
        "/request/users/2": Location("specs/w.yaml", 10, 7),
        "/request": Location("specs/w.yaml", 3, 1),
    }
    request = {
        "pipeline": "pipe_0000000000000000000000",
        "users": [USERS[9].id, "user_nobody", "group_nobody"],
        "query": {"type": "saved_search", "saved_search_id": "save_nothing"},
    }
    spec = Spec(id="w", title="W", request=request, source="specs/w.yaml", locations=at)
    found = validate_online([spec], OnlineSettings(emulator.base_url, "test-key"))
    where = {(d.line, d.severity) for d in found}
    assert where == {(4, "error"), (9, "error"), (10, "error"), (3, "error")}, found
    messages = " ".join(d.message for d in found)
    for text in ("pipe_0000000000000000000000", "user_nobody", "group_nobody", "save_nothing"):
        assert text in messages
    assert "New Business" in messages  # the known pipelines are suggested


def test_valid_ids_including_a_deactivated_user(emulator: Emulator) -> None:
    request = {"pipeline": PIPELINES[1].id, "users": [USERS[9].id, GROUPS[2].id]}
    spec = Spec(id="ok", title="Ok", request=request, source="specs/ok.yaml")
    assert validate_online([spec], OnlineSettings(emulator.base_url, "test-key")) == []


def test_missing_key_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/good.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--online"])
    assert result.exit_code == 3, explain(result)
    assert "CLOSE_API_KEY is not set; validate --online needs a Close API key" in result.stderr
    assert "--emulator" in result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/good.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_online_with_the_emulator(project: Path) -> None:
    ok = CliRunner().invoke(main, ["validate", "--online", "--emulator"])
    assert ok.exit_code == 0, explain(ok)
    (project / "specs/wrong.yaml").write_text(WRONG, encoding="utf-8")
    bad = CliRunner().invoke(main, ["validate", "--online", "--emulator"])
    assert bad.exit_code == 1, explain(bad)
    for line in ("specs/wrong.yaml:4:", "specs/wrong.yaml:9:", "specs/wrong.yaml:10:"):
        assert line in bad.stdout, explain(bad)
    assert "specs/wrong.yaml:13:" in bad.stdout  # saved_search_id


def test_cli_online_against_close_api_url(project: Path, emulator: Emulator) -> None:
    env = {"CLOSE_API_KEY": "test-key", "CLOSE_API_URL": emulator.base_url}
    result = CliRunner().invoke(main, ["validate", "--online"], env=env)
    assert result.exit_code == 0, explain(result)
    assert any(r.path.endswith("/pipeline/") for r in emulator.requests)


def test_cli_online_without_key_exits_3(project: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--online"])
    assert result.exit_code == 3, explain(result)
    assert "CLOSE_API_KEY" in result.stderr


def test_cli_online_wrong_key_exits_3(project: Path, emulator: Emulator) -> None:
    env = {"CLOSE_API_KEY": "nope", "CLOSE_API_URL": emulator.base_url}
    result = CliRunner().invoke(main, ["validate", "--online"], env=env)
    assert result.exit_code == 3, explain(result)
    assert "401" in result.stderr and "nope" not in result.stderr


def test_unknown_user_is_only_a_warning_without_memberships(emulator: Emulator) -> None:
    from reportrunner.emulator import Fault

    emulator.inject(*[Fault.status(500)] * 4, path="/organization/")
    request = {"pipeline": PIPELINES[0].id, "users": [USERS[9].id]}  # deactivated
    spec = Spec(id="z", title="Z", request=request, source="specs/z.yaml")
    found = validate_online([spec], OnlineSettings(emulator.base_url, "test-key"))
    assert [d.severity for d in found] == ["warning"]
    assert "could not check user" in found[0].message


def test_an_id_that_could_not_be_checked_is_a_warning(emulator: Emulator) -> None:
    # Every attempt at /pipeline/ and /organization/… fails: those ids cannot be judged.
    emulator.inject(*[Fault.status(500)] * 4, path="/pipeline/")
    emulator.inject(*[Fault.status(500)] * 4, path="/organization/")
    request = {"pipeline": "pipe_0000000000000000000000", "users": ["user_nobody", GROUPS[0].id]}
    spec = Spec(id="w", title="W", request=request, source="specs/w.yaml")
    found = validate_online([spec], OnlineSettings(emulator.base_url, "test-key"))
    assert [(d.severity, d.pointer) for d in found] == [
        ("warning", "/request/pipeline"),
        ("warning", "/request/users/0"),
    ], found
    assert "Close did not list pipelines" in found[0].message
    assert "deactivated members" in found[1].message
