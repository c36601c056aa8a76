"""`reportrunner new ID --pipeline NAME_OR_ID`: real ids with a key, placeholders without one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .conftest import account_env, explain, invoke


def test_with_a_key_the_pipeline_name_becomes_the_accounts_id(tmp_path: Path, account: Any) -> None:
    env = account_env(account)
    pipeline = account.dataset.pipelines[-1]
    result = invoke(tmp_path, "new", "weekly", "--pipeline", pipeline.name.lower(), env=env)
    assert result.exit_code == 0, explain(result)
    text = (tmp_path / "specs" / "weekly.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["request"]["pipeline"] == pipeline.id
    assert account.dataset.groups[0].id in text  # the commented example names a real group
    assert account.dataset.saved_searches[0].id in text
    online = invoke(tmp_path, "validate", "--online", "--strict", env=env)
    assert online.exit_code == 0, explain(online)
    unknown = invoke(tmp_path, "new", "other", "--pipeline", "No such pipeline", env=env)
    assert unknown.exit_code == 2, explain(unknown)
    assert pipeline.id in unknown.stderr  # the hint lists the account's pipelines
    assert not (tmp_path / "specs" / "other.yaml").exists()


def test_without_a_key_a_placeholder_that_validate_points_out(tmp_path: Path) -> None:
    result = invoke(tmp_path, "new", "weekly")
    assert result.exit_code == 0, explain(result)
    check = invoke(tmp_path, "validate")
    assert check.exit_code == 1, explain(check)
    assert "specs/weekly.yaml:14:13: error: pipe_REPLACEME is a placeholder" in check.stdout
    assert "run `reportrunner ids pipelines` and paste the id here" in check.stdout
    by_name = invoke(tmp_path, "new", "named", "--pipeline", "Sales")
    assert by_name.exit_code == 2, explain(by_name)
    assert "needs CLOSE_API_KEY" in by_name.stderr
    by_id = invoke(tmp_path, "new", "by-id", "--pipeline", "pipe_Abc123")
    assert by_id.exit_code == 0, explain(by_id)
    written = yaml.safe_load((tmp_path / "specs" / "by-id.yaml").read_text(encoding="utf-8"))
    assert written["request"]["pipeline"] == "pipe_Abc123"


def test_placeholders_in_users_and_query_are_errors_too(tmp_path: Path) -> None:
    spec = tmp_path / "specs" / "p.yaml"
    spec.parent.mkdir()
    spec.write_text(
        "title: P\nrequest:\n  pipeline: pipe_Abc123\n  type: created-cohort\n"
        "  cohort_relative_range: this-month\n  users: [group_REPLACEME, user_REPLACEME]\n"
        "  query: {type: saved_search, saved_search_id: save_REPLACEME}\n",
        encoding="utf-8",
    )
    check = invoke(tmp_path, "validate")
    assert check.exit_code == 1, explain(check)
    for words in ("ids groups", "ids users", "ids saved-searches"):
        assert f"`reportrunner {words}`" in check.stdout, explain(check)


def test_new_never_writes_through_a_symlink(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "specs").mkdir(parents=True)
    outside.mkdir()
    link = project / "specs" / "linked.yaml"
    link.symlink_to(outside / "dangling.yaml")
    refused = invoke(project, "new", "linked")
    assert refused.exit_code == 2, explain(refused)
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    forced = invoke(project, "new", "linked", "--force")
    assert forced.exit_code == 0, explain(forced)
    assert not link.is_symlink() and "request:" in link.read_text(encoding="utf-8")
    assert list(outside.iterdir()) == [], "nothing may be written outside specs/"
