"""`reportrunner init` against an account whose ids are not the emulator's documented ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from reportrunner.emulator import Emulator
from reportrunner.emulator.org import ORGANIZATION_ID, PIPELINES

from .conftest import KEY, account_env, explain, invoke

ROOT = Path(__file__).resolve().parents[2]


def test_init_then_validate_online_then_run_every_report_ok(tmp_path: Path, account: Any) -> None:
    env = account_env(account)
    data = account.dataset
    init = invoke(tmp_path, "init", env=env)
    assert init.exit_code == 0, explain(init)
    project = yaml.safe_load((tmp_path / "reportrunner.yaml").read_text(encoding="utf-8"))
    assert project["site"]["title"] == f"{data.organization_name} revenue reports"
    assert project["defaults"]["request"]["pipeline"] == data.pipelines[0].id
    assert project["defaults"]["timezone"] == data.timezone
    specs = sorted(p.name for p in (tmp_path / "specs").glob("*.yaml"))
    # Per pipeline: this month and stages; per group: this month.
    assert len(specs) == 2 * len(data.pipelines) + len(data.groups), specs
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "specs").glob("*.yaml"))
    assert all(p.id in written for p in data.pipelines)
    assert all(g.id in written for g in data.groups)
    assert "pipe_4vukv2FUlFh9FDiVYAop1U" not in written  # no id of the documented organization
    # The modelines' schemas come along into a folder that has none (editor support).
    shipped = (ROOT / "schema" / "report-spec.schema.json").read_text(encoding="utf-8")
    assert (tmp_path / "schema" / "report-spec.schema.json").read_text(encoding="utf-8") == shipped

    online = invoke(tmp_path, "validate", "--online", env=env)
    assert online.exit_code == 0, explain(online)
    assert "0 errors, 0 warnings" in online.stdout

    run = invoke(tmp_path, "run", "--format", "json", env=env)
    assert run.exit_code == 0, explain(run)
    reports = json.loads(run.stdout)["reports"]
    assert len(reports) == len(specs)
    assert {r["status"] for r in reports} == {"ok"}, reports
    assert (tmp_path / "site" / "index.html").is_file()
    pipeline_names = {p.name for p in data.pipelines}
    shown = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert all(name in shown for name in pipeline_names)


def test_init_never_overwrites_without_force_and_writes_nothing(
    tmp_path: Path, account: Any
) -> None:
    env = account_env(account)
    (tmp_path / "reportrunner.yaml").write_text("# mine\n", encoding="utf-8")
    refused = invoke(tmp_path, "init", env=env)
    assert refused.exit_code == 2, explain(refused)
    assert "not overwriting reportrunner.yaml; nothing was written" in refused.stderr
    assert "--force" in refused.stderr
    assert (tmp_path / "reportrunner.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert not (tmp_path / "specs").exists()
    forced = invoke(tmp_path, "init", "--force", env=env)
    assert forced.exit_code == 0, explain(forced)
    assert "# mine" not in (tmp_path / "reportrunner.yaml").read_text(encoding="utf-8")


def test_init_names_the_example_specs_that_use_other_ids(tmp_path: Path, account: Any) -> None:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    (tmp_path / "schema").mkdir()  # a fork's own schemas are left alone
    result = invoke(tmp_path, "init", env=account_env(account))
    assert result.exit_code == 0, explain(result)
    assert list((tmp_path / "schema").iterdir()) == []
    assert "specs/emea-large-deals.yaml:" in result.stderr
    assert "specs/renewals-stages.yaml:" in result.stderr
    # new-business names no pipeline: it takes init's default, which exists.
    assert "specs/new-business.yaml" not in result.stderr
    assert "name ids this account does not have" in result.stderr
    assert "reportrunner ids" in result.stderr


def test_init_pipeline_option_and_its_errors(tmp_path: Path, account: Any) -> None:
    env = account_env(account)
    second = account.dataset.pipelines[1]
    chosen = invoke(tmp_path, "init", "--pipeline", second.name.upper(), env=env)
    assert chosen.exit_code == 0, explain(chosen)
    project = yaml.safe_load((tmp_path / "reportrunner.yaml").read_text(encoding="utf-8"))
    assert project["defaults"]["request"]["pipeline"] == second.id
    (tmp_path / "other").mkdir()
    unknown = invoke(tmp_path / "other", "init", "--pipeline", "Nope", env=env)
    assert unknown.exit_code == 2, explain(unknown)
    assert "'Nope' is neither the name nor the id of a pipeline" in unknown.stderr
    assert second.id in unknown.stderr  # the hint lists the account's pipelines


def test_init_without_a_key_or_with_a_rejected_one_exits_3(tmp_path: Path, account: Any) -> None:
    missing = invoke(tmp_path, "init")
    assert missing.exit_code == 3, explain(missing)
    assert "CLOSE_API_KEY is not set" in missing.stderr and "--emulator" in missing.stderr
    wrong = invoke(tmp_path, "init", env={**account_env(account), "CLOSE_API_KEY": "wrong"})
    assert wrong.exit_code == 3, explain(wrong)
    assert "wrong" not in wrong.stderr.replace("wrong key", "")
    assert list(tmp_path.iterdir()) == []


def test_hostile_names_stay_quoted_text(tmp_path: Path) -> None:
    pipeline = PIPELINES[0]
    hostile = 'Sales"\nrequest: {type: evil}  # \u2028 {compared_relative_range}'
    names = {pipeline.id: hostile, ORGANIZATION_ID: 'Acme: "quoted"\n- item'}
    with Emulator(api_key=KEY, names=names) as emu:
        env = {"CLOSE_API_KEY": KEY, "CLOSE_API_URL": emu.base_url}
        init = invoke(tmp_path, "init", env=env)
        assert init.exit_code == 0, explain(init)
        check = invoke(tmp_path, "validate", "--online", env=env)
    assert check.exit_code == 0, explain(check)
    project = yaml.safe_load((tmp_path / "reportrunner.yaml").read_text(encoding="utf-8"))
    assert project["site"]["title"] == 'Acme: "quoted"\n- item revenue reports'
    spec_file = next((tmp_path / "specs").glob("sales*-this-month.yaml"))
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    assert spec["title"] == hostile + " — this month vs last month"
    assert spec["request"]["type"] == "created-cohort"


def test_an_id_that_is_not_an_id_writes_nothing(tmp_path: Path, account: Any) -> None:
    from reportrunner.emulator import Fault

    forged = {"data": [{"id": "pipe_x\nrequest: {type: evil}", "name": "Forged", "statuses": []}]}
    account.inject(Fault.status(200, body=forged), path="/pipeline/")
    result = invoke(tmp_path, "init", env=account_env(account))
    assert result.exit_code == 1, explain(result)
    assert "an id that is not in Close's id format" in result.stderr
    assert "nothing was written" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_never_writes_through_a_symlink(tmp_path: Path, account: Any) -> None:
    """A link in the folder (dangling or not) is an existing file: refused, and --force
    replaces the link, never the file outside the folder it points to."""
    env = account_env(account)
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    kept = outside / "kept.yaml"
    kept.write_text("# not init's\n", encoding="utf-8")
    (project / "reportrunner.yaml").symlink_to(outside / "dangling.yaml")
    refused = invoke(project, "init", env=env)
    assert refused.exit_code == 2, explain(refused)
    assert "not overwriting reportrunner.yaml" in refused.stderr, explain(refused)
    assert sorted(p.name for p in outside.iterdir()) == ["kept.yaml"]
    forced = invoke(project, "init", "--force", env=env)
    assert forced.exit_code == 0, explain(forced)
    config = project / "reportrunner.yaml"
    assert not config.is_symlink() and "defaults:" in config.read_text(encoding="utf-8")
    assert sorted(p.name for p in outside.iterdir()) == ["kept.yaml"]
    assert kept.read_text(encoding="utf-8") == "# not init's\n"
