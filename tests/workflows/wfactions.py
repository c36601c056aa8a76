"""Local equivalents of the `uses:` actions our workflows call, for the workflow harness.

Each takes the step's evaluated `with:` values and does locally what the action does on GitHub:
the temporary clone stands for actions/checkout, artifacts are copied into a folder, the Pages
artifact is the same tar file actions/upload-pages-artifact builds, and actions/deploy-pages
unpacks it into the folder a local HTTP server publishes (the "Pages site"). An action without
an equivalent fails the step, so a new `uses:` cannot slip through untested.
"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class PagesSite:
    """Where the harness "deploys" GitHub Pages: a folder served by a loopback HTTP server."""

    url: str  # base URL without a trailing slash, as actions/configure-pages gives it
    root: Path


@dataclass
class ActionEnv:
    workspace: Path
    artifacts: Path
    pages: PagesSite | None


@dataclass
class ActionResult:
    outcome: str  # "success" | "failure"
    note: str  # what was done instead, or why it failed
    outputs: dict[str, str] = field(default_factory=dict)


Action = Callable[[ActionEnv, dict[str, Any]], ActionResult]


def _checkout(env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    if not (env.workspace / ".git").exists():
        return ActionResult("failure", f"{env.workspace} is not a git clone")
    depth = inputs.get("fetch-depth", 1)
    return ActionResult("success", f"the temporary clone is the checkout (fetch-depth {depth})")


def _setup_python(env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    wanted = str(inputs.get("python-version", ""))
    have = f"{sys.version_info.major}.{sys.version_info.minor}"
    return ActionResult(
        "success",
        f"skipped: asks for Python {wanted or '?'} with cache {inputs.get('cache')!r}; the harness "
        f"runs the test venv's Python {have}, where reportrunner is already installed",
    )


def _upload_artifact(env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    name = str(inputs.get("name") or "artifact")
    source = env.workspace / str(inputs["path"])
    if not source.exists():
        if inputs.get("if-no-files-found", "warn") == "error":
            return ActionResult("failure", f"no files at {inputs['path']!r}")
        return ActionResult("success", f"warning: no files at {inputs['path']!r}")
    target = env.artifacts / name
    if target.exists():
        return ActionResult("failure", f"an artifact named {name!r} was already uploaded")
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir(parents=True)
        shutil.copy2(source, target / source.name)
    return ActionResult("success", f"copied {inputs['path']} to {target}", {"artifact-id": name})


def _download_artifact(env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    """By `name` into `path`; by `pattern` (or all) into `path/<name>/` each, or all into `path`
    with merge-multiple, as actions/download-artifact v4+ lays them out."""
    target = env.workspace / str(inputs.get("path") or ".")
    name, pattern = inputs.get("name"), inputs.get("pattern")
    available = sorted(p.name for p in env.artifacts.iterdir()) if env.artifacts.is_dir() else []
    if name:
        if name not in available:
            return ActionResult("failure", f"Unable to download artifact(s): {name!r} not found")
        shutil.copytree(env.artifacts / str(name), target, dirs_exist_ok=True)
        return ActionResult("success", f"copied {name} into {target}")
    chosen = [a for a in available if fnmatch.fnmatchcase(a, str(pattern or "*"))]
    merge = str(inputs.get("merge-multiple", "false")).lower() == "true"
    for artifact in chosen:
        place = target if merge else target / artifact  # without `name`: a folder each
        shutil.copytree(env.artifacts / artifact, place, dirs_exist_ok=True)
    return ActionResult("success", f"copied {', '.join(chosen) or 'nothing'} into {target}")


def _upload_pages_artifact(env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    source = env.workspace / str(inputs.get("path", "_site/"))
    if not source.is_dir():
        return ActionResult("failure", f"no folder {inputs.get('path')!r} to publish")
    target = env.artifacts / str(inputs.get("name", "github-pages"))
    target.mkdir(parents=True)
    # The same archive the action builds: tar of the folder's content, dot-files left out.
    result = subprocess.run(
        ["tar", "--dereference", "--hard-dereference", "--directory", str(source), "-cf",
         str(target / "artifact.tar"), "--exclude=.git", "--exclude=.github", "."],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        return ActionResult("failure", f"tar failed: {result.stderr}")
    return ActionResult("success", f"packed {inputs.get('path')} into {target}/artifact.tar")


def _configure_pages(env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    if env.pages is None:
        return ActionResult("failure", "Get Pages site failed: GitHub Pages is not enabled")
    url = env.pages.url
    origin = "/".join(url.split("/")[:3])
    return ActionResult(
        "success",
        f"the local Pages site is {url}",
        {"base_url": url, "origin": origin, "host": origin.split("//")[1],
         "base_path": url[len(origin):]},
    )  # fmt: skip


def _deploy_pages(env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    if env.pages is None:
        return ActionResult("failure", "GitHub Pages is not enabled for this repository")
    archive = env.artifacts / str(inputs.get("artifact_name", "github-pages")) / "artifact.tar"
    if not archive.exists():
        return ActionResult("failure", f"no Pages artifact at {archive}")
    # A deploy replaces the whole site, as on GitHub.
    shutil.rmtree(env.pages.root, ignore_errors=True)
    env.pages.root.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(env.pages.root, filter="data")
    return ActionResult(
        "success", f"unpacked into {env.pages.root}", {"page_url": env.pages.url + "/"}
    )


LOCAL_ACTIONS: dict[str, Action] = {
    "actions/checkout": _checkout,
    "actions/setup-python": _setup_python,
    "actions/upload-artifact": _upload_artifact,
    "actions/download-artifact": _download_artifact,
    "actions/upload-pages-artifact": _upload_pages_artifact,
    "actions/configure-pages": _configure_pages,
    "actions/deploy-pages": _deploy_pages,
}


def run_action(uses: str, env: ActionEnv, inputs: dict[str, Any]) -> ActionResult:
    name = uses.split("@", 1)[0]
    action = LOCAL_ACTIONS.get(name)
    if action is None:
        return ActionResult("failure", f"the harness has no local equivalent of {uses}; add one")
    return action(env, inputs)
