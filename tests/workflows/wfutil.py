"""Shared helpers of the workflow tests: where the workflows are and how to read them.

PyYAML follows YAML 1.1, where the key `on` is the boolean True; `on_block` hides that.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"

#: `uses: owner/repo[/path]@<40 hex> # vX.Y.Z` — a full commit SHA with its release in a comment.
PINNED_USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?:\s+#\s*(?P<comment>.*))?$"
)


def workflow_files(root: Path = ROOT) -> list[Path]:
    folder = root / ".github" / "workflows"
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: a workflow must be a mapping"
    return data


def on_block(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The `on:` block as a mapping (`on: push` and `on: [push]` normalised too)."""
    block = workflow.get("on", workflow.get(True))
    if isinstance(block, str):
        return {block: None}
    if isinstance(block, list):
        return dict.fromkeys(block)
    return dict(block or {})


def steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every (job id, step) pair of a workflow."""
    return [
        (job_id, step)
        for job_id, job in workflow.get("jobs", {}).items()
        for step in job.get("steps", [])
    ]


GIT = ["git", "-c", "user.name=Harness", "-c", "user.email=harness@example.invalid"]


def git(workspace: Path, *args: str) -> str:
    """Run git in `workspace` with a fixed identity; fail the test with git's message."""
    done = subprocess.run(
        [*GIT, *args], cwd=workspace, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()
