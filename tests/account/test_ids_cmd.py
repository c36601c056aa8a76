"""`reportrunner ids`: tables for people, JSON and YAML for machines, from the account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from reportrunner.emulator import Emulator

from .conftest import KEY, account_env, explain, invoke


def test_text_tables_name_every_id_with_statuses_and_members(tmp_path: Path, account: Any) -> None:
    data = account.dataset
    result = invoke(tmp_path, "ids", env=account_env(account))
    assert result.exit_code == 0, explain(result)
    out = result.stdout
    assert f"Close organization {data.organization_name} ({data.organization_id})" in out
    for pipeline in data.pipelines:
        row = next(line for line in out.splitlines() if pipeline.id in line)
        assert row.startswith(pipeline.name)
        assert all(s.label in row for s in pipeline.statuses), row
    for user in data.users:
        row = next(line for line in out.splitlines() if user.id in line)
        assert row.startswith(user.full_name)
        assert row.endswith("active" if user.active else "deactivated")
    for group in data.groups:
        row = next(line for line in out.splitlines() if group.id in line)
        assert all(data.user_name(m) in row for m in group.member_ids), row
    assert all(s.id in out for s in data.saved_searches)


def test_one_kind_as_json_and_as_yaml(tmp_path: Path, account: Any) -> None:
    data = account.dataset
    as_json = invoke(tmp_path, "ids", "groups", "--format", "json", env=account_env(account))
    assert as_json.exit_code == 0, explain(as_json)
    document = json.loads(as_json.stdout)
    assert set(document) == {"organization", "groups"}
    assert [g["id"] for g in document["groups"]] == [g.id for g in data.groups]
    assert document["groups"][0]["members"] == list(data.groups[0].member_ids)
    as_yaml = invoke(
        tmp_path, "ids", "pipelines", "saved-searches", "--format", "yaml", env=account_env(account)
    )
    assert as_yaml.exit_code == 0, explain(as_yaml)
    parsed = yaml.safe_load(as_yaml.stdout)
    assert [p["id"] for p in parsed["pipelines"]] == [p.id for p in data.pipelines]
    assert parsed["pipelines"][0]["statuses"][0]["type"] == "active"
    assert {s["id"] for s in parsed["saved-searches"]} == {s.id for s in data.saved_searches}


def test_emulator_flag_bad_kind_and_no_key(tmp_path: Path) -> None:
    emulated = invoke(tmp_path, "ids", "pipelines", "--emulator")
    assert emulated.exit_code == 0, explain(emulated)
    assert "pipe_4vukv2FUlFh9FDiVYAop1U" in emulated.stdout
    bad = invoke(tmp_path, "ids", "pipeline")
    assert bad.exit_code == 2, explain(bad)
    assert "'pipeline' is not one of" in bad.stderr
    missing = invoke(tmp_path, "ids")
    assert missing.exit_code == 3, explain(missing)
    assert "CLOSE_API_KEY is not set" in missing.stderr


def test_a_name_cannot_forge_a_row_or_a_terminal_escape(tmp_path: Path) -> None:
    from reportrunner.emulator.org import GROUPS

    names = {GROUPS[0].id: "EMEA\n\x1b[31mFAKE  group_forged\r"}
    with Emulator(api_key=KEY, names=names) as emu:
        result = invoke(
            tmp_path, "ids", "groups", env={"CLOSE_API_KEY": KEY, "CLOSE_API_URL": emu.base_url}
        )
    assert result.exit_code == 0, explain(result)
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    rows = [line for line in result.stdout.splitlines() if "group_forged" in line]
    assert len(rows) == 1 and GROUPS[0].id in rows[0]
