"""Executes a GitHub Actions workflow locally: every `run:` step in order, in a temporary clone.

Each step gets the files GitHub provides (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_ENV,
GITHUB_PATH, GITHUB_EVENT_PATH), the `${{ }}` expressions of `env:`, `with:`, `if:` and `run:`
evaluated by wfexpr, and `bash --noprofile --norc -eo pipefail` as the shell (GitHub's `shell:
bash`). `uses:` steps go to their local equivalents in wfactions; a job that calls a local
reusable workflow runs that workflow's jobs with the given inputs and secrets. Nothing is
installed: steps that only pip-install are skipped with a named reason, because the test venv
(first on PATH) already has reportrunner; other steps can be skipped by id with a reason.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from wfactions import ActionEnv, PagesSite, run_action
from wfcommands import Annotation, parse_kv, read_annotations
from wfexpr import condition, interpolate, to_string

_INPUT_TYPES: dict[str, type | tuple[type, ...]] = {
    "boolean": bool, "number": (int, float), "string": str,
}  # fmt: skip
_STEP_KEYS = {"name", "id", "if", "uses", "with", "run", "env", "continue-on-error",
              "timeout-minutes"}  # fmt: skip
_PIP_ONLY = re.compile(r"^\s*(python3? -m )?pip3? install\b[^\n;&|]*\s*$")


@dataclass
class StepRun:
    name: str
    id: str | None
    outcome: str  # success | failure | skipped
    note: str = ""
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobRun:
    id: str
    result: str  # success | failure | skipped
    outputs: dict[str, Any] = field(default_factory=dict)
    steps: list[StepRun] = field(default_factory=list)
    summary: str = ""
    annotations: list[Annotation] = field(default_factory=list)

    def step(self, name_or_id: str) -> StepRun:
        for step in self.steps:
            if name_or_id in (step.id, step.name):
                return step
        raise KeyError(f"no step {name_or_id!r} in job {self.id}: {[s.name for s in self.steps]}")


@dataclass
class WorkflowRun:
    jobs: dict[str, JobRun]

    def log(self) -> str:
        """Everything that happened, for assertion messages."""
        lines = []
        for job in self.jobs.values():
            lines.append(f"== job {job.id}: {job.result}")
            for s in job.steps:
                lines.append(f"-- {s.name} [{s.outcome}] {s.note}".rstrip())
                lines += [f"   | {t}" for t in (s.stdout + s.stderr).splitlines()[-40:]]
        return "\n".join(lines)


@dataclass
class Harness:
    workspace: Path
    temp: Path
    event_name: str
    event: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # the runner's environment additions
    skip: dict[str, str] = field(default_factory=dict)  # step id -> reason
    pages: PagesSite | None = None
    step_timeout: float = 120.0

    def run(self, workflow: str) -> WorkflowRun:
        (self.temp / "artifacts").mkdir(parents=True, exist_ok=True)
        runs: dict[str, JobRun] = {}
        self._run_workflow(workflow, self.inputs, self.secrets, "", runs)
        return WorkflowRun(runs)

    # --- workflows and jobs ----------------------------------------------------------------

    def _run_workflow(
        self,
        path: str,
        inputs: dict[str, Any],
        secrets: dict[str, str],
        prefix: str,
        runs: dict[str, JobRun],
    ) -> dict[str, JobRun]:
        workflow = yaml.safe_load((self.workspace / path).read_text(encoding="utf-8"))
        triggers = workflow.get("on", workflow.get(True)) or {}
        if prefix:  # a called workflow: declared inputs only, defaults filled in
            declared = triggers["workflow_call"].get("inputs", {})
            unknown = set(inputs) - set(declared)
            assert not unknown, f"{path}: no such workflow_call inputs {unknown}"
            inputs = {k: inputs.get(k, spec.get("default")) for k, spec in declared.items()}
            for name, spec in declared.items():  # GitHub refuses a call with a wrong type
                kind = _INPUT_TYPES[spec["type"]]
                missing = inputs[name] is None and spec.get("required")
                wrong = inputs[name] is not None and not isinstance(inputs[name], kind)
                assert not (missing or wrong), f"{path}: input {name} = {inputs[name]!r}"
        done: dict[str, JobRun] = {}
        pending = dict(workflow["jobs"])
        while pending:
            ready = [j for j, job in pending.items() if set(_list(job.get("needs"))) <= set(done)]
            assert ready, f"{path}: jobs with unmet or circular needs: {list(pending)}"
            for job_id in ready:
                job = pending.pop(job_id)
                run = self._run_job(workflow, job_id, job, inputs, secrets, done, prefix, runs)
                done[job_id] = run
        return done

    def _run_job(
        self,
        workflow: dict[str, Any],
        job_id: str,
        job: dict[str, Any],
        inputs: dict[str, Any],
        secrets: dict[str, str],
        done: dict[str, JobRun],
        prefix: str,
        runs: dict[str, JobRun],
    ) -> JobRun:
        needs = {n: done[n] for n in _list(job.get("needs"))}
        context = self._context(inputs, secrets, needs)
        failed_needs = any(n.result != "success" for n in needs.values())
        status = {"success": not failed_needs, "failure": failed_needs, "always": True,
                  "cancelled": False}  # fmt: skip
        qualified = prefix + job_id
        if not condition(job.get("if"), context, status.__getitem__):
            runs[qualified] = JobRun(qualified, "skipped")
            return runs[qualified]
        if "uses" in job:  # a reusable workflow in this repository
            call_inputs = {k: interpolate(v, context) for k, v in (job.get("with") or {}).items()}
            call_secrets = {
                k: to_string(interpolate(v, context)) for k, v in (job.get("secrets") or {}).items()
            }
            called_path = job["uses"].removeprefix("./")
            inner = self._run_workflow(
                called_path, call_inputs, call_secrets, qualified + "/", runs
            )
            called = yaml.safe_load((self.workspace / called_path).read_text(encoding="utf-8"))
            outputs_spec = called.get("on", called.get(True))["workflow_call"].get("outputs", {})
            jobs_ctx = {"jobs": {j: {"outputs": r.outputs, "result": r.result}
                                 for j, r in inner.items()}}  # fmt: skip
            result = "failure" if any(r.result == "failure" for r in inner.values()) else "success"
            outputs = {k: interpolate(v["value"], jobs_ctx) for k, v in outputs_spec.items()}
            runs[qualified] = JobRun(qualified, result, outputs)
            return runs[qualified]
        matrix = _matrix(job, context)
        combos = [
            dict(zip(matrix, values, strict=True)) for values in itertools.product(*matrix.values())
        ]
        results = [
            self._run_steps(workflow, qualified, job, {**context, "matrix": combo})
            for combo in combos or [{}]
        ]
        for index, job_run in enumerate(results):
            runs[qualified if len(results) == 1 else f"{qualified} ({index})"] = job_run
        return next((r for r in results if r.result == "failure"), results[0])

    def _context(
        self, inputs: dict[str, Any], secrets: dict[str, str], needs: dict[str, JobRun]
    ) -> dict[str, Any]:
        return {
            "github": {
                "event_name": self.event_name, "event": self.event, "repository": "acme/reports",
                "repository_owner": "acme", "ref": "refs/heads/main", "sha": self._head(),
                "workspace": str(self.workspace), "server_url": "https://github.com",
                "run_id": "1", "token": "",
            },
            "inputs": inputs, "vars": self.vars, "secrets": secrets,
            "needs": {n: {"result": r.result, "outputs": r.outputs} for n, r in needs.items()},
            "runner": {"os": "Linux", "temp": str(self.temp)}, "matrix": {}, "steps": {},
            "env": {}, "job": {"status": "success"}, "strategy": {},
        }  # fmt: skip

    def _head(self) -> str:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=self.workspace, capture_output=True, text=True,
            check=True,
        ).stdout.strip()  # fmt: skip

    # --- steps -----------------------------------------------------------------------------

    def _run_steps(
        self, workflow: dict[str, Any], job_id: str, job: dict[str, Any], context: dict[str, Any]
    ) -> JobRun:
        files = self.temp / "files" / re.sub(r"\W+", "-", job_id)
        files.mkdir(parents=True, exist_ok=True)
        summary, env_file, path_file = files / "summary.md", files / "env", files / "path"
        for f in (summary, env_file, path_file):
            f.write_text("", encoding="utf-8")
        run = JobRun(job_id, "success")
        context = {**context, "steps": {}}
        env = {**_evaluated(workflow.get("env"), context)}
        env.update(_evaluated(job.get("env"), {**context, "env": env}))
        shell = (workflow.get("defaults") or {}).get("run", {}).get("shell", "bash")
        assert shell == "bash", f"{job_id}: the harness runs bash steps only, not {shell!r}"
        unsupported_job = {"container", "services", "defaults"} & set(job)
        assert not unsupported_job, f"{job_id}: the harness does not emulate {unsupported_job}"
        for number, step in enumerate(job.get("steps", [])):
            name = step.get("name") or step.get("uses") or step.get("run", "").split("\n")[0]
            unsupported = set(step) - _STEP_KEYS  # e.g. working-directory, shell: fail loudly
            assert not unsupported, f"{job_id}: step {name!r}: the harness ignores {unsupported}"
            step_id = step.get("id")
            failed = run.result == "failure"
            status = {"success": not failed, "failure": failed, "always": True,
                      "cancelled": False}  # fmt: skip
            step_env = {**env, **parse_kv(env_file.read_text(encoding="utf-8"))}
            ctx = {**context, "env": step_env, "job": {"status": run.result}}
            if not condition(step.get("if"), ctx, status.__getitem__):
                result = StepRun(name, step_id, "skipped", "if: condition false")
            else:
                step_env.update(_evaluated(step.get("env"), ctx))
                ctx["env"] = step_env
                if "uses" in step:
                    inputs = {k: interpolate(v, ctx) for k, v in (step.get("with") or {}).items()}
                    action_env = ActionEnv(self.workspace, self.temp / "artifacts", self.pages)
                    done = run_action(step["uses"], action_env, inputs)
                    result = StepRun(name, step_id, done.outcome, done.note, outputs=done.outputs)
                else:
                    script = to_string(interpolate(step["run"], ctx))
                    result = self._shell(name, step_id, script, step_env, files, number, summary,
                                         env_file, path_file)  # fmt: skip
            run.steps.append(result)
            run.annotations += read_annotations(result.stdout)
            if step_id:
                context["steps"][step_id] = {
                    "outcome": result.outcome, "outputs": result.outputs,
                    "conclusion": "success" if step.get("continue-on-error") else result.outcome,
                }  # fmt: skip
            if result.outcome == "failure" and not step.get("continue-on-error"):
                run.result = "failure"
        run.summary = summary.read_text(encoding="utf-8")
        final = {**context, "env": env}
        run.outputs = {
            k: to_string(interpolate(v, final)) for k, v in (job.get("outputs") or {}).items()
        }
        return run

    def _shell(
        self, name: str, step_id: str | None, script: str, env: dict[str, str], files: Path,
        number: int, summary: Path, env_file: Path, path_file: Path,
    ) -> StepRun:  # fmt: skip
        if step_id in self.skip:
            return StepRun(name, step_id, "success", f"skipped: {self.skip[step_id]}")
        if _PIP_ONLY.match(script.strip()):
            return StepRun(name, step_id, "success",
                           "skipped: only installs with pip; reportrunner is already installed "
                           "(editable) in the test venv that is first on PATH")  # fmt: skip
        output = files / f"output-{number}"
        output.write_text("", encoding="utf-8")
        script_file = files / f"step-{number}.sh"
        script_file.write_text(script, encoding="utf-8")
        extra_path = [p for p in path_file.read_text(encoding="utf-8").splitlines() if p]
        full_env = {
            "PATH": os.pathsep.join([*reversed(extra_path), str(Path(sys.executable).parent),
                                     os.environ.get("PATH", "/usr/bin:/bin")]),
            "HOME": os.environ.get("HOME", str(self.temp)), "LANG": "C.UTF-8",
            "CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.temp), "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_EVENT_NAME": self.event_name, "GITHUB_EVENT_PATH": str(self._event_file()),
            "GITHUB_REPOSITORY": "acme/reports", "GITHUB_SHA": self._head(),
            "GITHUB_REF": "refs/heads/main", "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
            "GITHUB_ENV": str(env_file), "GITHUB_PATH": str(path_file),
            **self.env, **env,
        }  # fmt: skip
        try:
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
                cwd=self.workspace, env=full_env, capture_output=True, text=True,
                timeout=self.step_timeout, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            return StepRun(name, step_id, "failure", f"timed out after {exc.timeout}s")
        outcome = "success" if done.returncode == 0 else "failure"
        note = "" if done.returncode == 0 else f"exit status {done.returncode}"
        outputs = parse_kv(output.read_text(encoding="utf-8"))
        return StepRun(name, step_id, outcome, note, done.stdout, done.stderr, outputs)

    def _event_file(self) -> Path:
        path = self.temp / "event.json"
        path.write_text(json.dumps(self.event), encoding="utf-8")
        return path


def _matrix(job: dict[str, Any], context: dict[str, Any]) -> dict[str, list[Any]]:
    """The job's `strategy.matrix` with `${{ }}` evaluated (`fromJSON(needs.setup.outputs…)`)."""
    raw = interpolate((job.get("strategy") or {}).get("matrix") or {}, context)
    assert isinstance(raw, dict), f"strategy.matrix is {raw!r}, not a mapping"
    unsupported = {"include", "exclude"} & set(raw)
    assert not unsupported, f"the harness does not expand matrix {unsupported}"
    matrix = {key: interpolate(values, context) for key, values in raw.items()}
    for key, values in matrix.items():  # GitHub fails the job on anything but a list
        assert isinstance(values, list) and values, f"matrix.{key} is {values!r}, not a list"
    return matrix


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _evaluated(block: dict[str, Any] | None, context: dict[str, Any]) -> dict[str, str]:
    return {k: to_string(interpolate(v, context)) for k, v in (block or {}).items()}
