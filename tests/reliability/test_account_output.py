"""`ids` and `init` print and write names from the account: untrusted, like every answer.

Issue 10's guarantees for the commands issue 15 added: a key that Close echoes in a name is
masked in everything printed and in every file init writes, and no name can start a GitHub
workflow command in any output format (a YAML dump of a name with a line break puts the rest
of the name on a line of its own).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from relhelp import CANARY, cli_env, files_containing, run_cli

from reportrunner.emulator import Emulator
from reportrunner.emulator.org import GROUPS, ORGANIZATION_ID, PIPELINES, USERS

FORGED = "\n::error title=Forged::owned\n##[warning]also forged"


def _names(key: str) -> dict[str, str]:
    names = {user.id: f"Ada {key} Lovelace{FORGED}" for user in USERS}
    names.update({group.id: f"Team {key}{FORGED}" for group in GROUPS})
    names.update({pipeline.id: f"Pipeline {key}{FORGED}" for pipeline in PIPELINES})
    names.update({s.id: f"{key} stage{FORGED}" for s in PIPELINES[0].statuses})
    names[ORGANIZATION_ID] = f"Org {key}{FORGED}"
    return names


def _forged_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith(("::", "##["))]


@pytest.mark.parametrize("fmt", ["text", "yaml", "json"])
def test_ids_masks_the_key_and_forges_no_command(tmp_path: Path, fmt: str) -> None:
    with Emulator(api_key=CANARY, names=_names(CANARY)) as emu:
        run = run_cli(["ids", "--format", fmt], cwd=tmp_path, env=cli_env(emu.base_url))
    assert run.returncode == 0, run.explain()
    assert "Ada ***" in run.stdout and "Pipeline ***" in run.stdout, run.explain()
    assert CANARY not in run.stdout + run.stderr, run.explain()
    assert _forged_lines(run.stdout + run.stderr) == [], run.explain()


def test_init_writes_no_key_and_prints_none(tmp_path: Path) -> None:
    with Emulator(api_key=CANARY, names=_names(CANARY)) as emu:
        run = run_cli(["init"], cwd=tmp_path, env=cli_env(emu.base_url))
        assert run.returncode == 0, run.explain()
        assert (tmp_path / "reportrunner.yaml").is_file()
        assert files_containing(tmp_path, [CANARY.encode()]) == []
        assert CANARY not in run.stdout + run.stderr, run.explain()
        assert _forged_lines(run.stdout + run.stderr) == [], run.explain()
        # What init wrote still validates against the same account.
        check = run_cli(["validate", "--online"], cwd=tmp_path, env=cli_env(emu.base_url))
    assert check.returncode == 0, check.explain()
