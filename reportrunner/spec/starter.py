"""`reportrunner init`: reportrunner.yaml and commented starter specs from a real account's ids.

Per pipeline (the first `MAX_PIPELINES`): this month to date against last month, and the stages
of what was active last month; per group (the first `MAX_GROUPS`): this month against last
month in the default pipeline. Names from the account are untrusted: they reach the files only
as quoted YAML strings or flattened one-line comments, so a name cannot add a key. Nothing is
written when any target exists, unless `force`; the files are all checked first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportrunner.errors import UsageError
from reportrunner.escaping import one_line
from reportrunner.fetch.account import Account, PipelineInfo

MAX_PIPELINES = 3
MAX_GROUPS = 3
DEFAULT_API_URL = "https://api.close.com/api/v1"


@dataclass(frozen=True)
class StarterOptions:
    timezone: str  # IANA zone for `defaults.timezone`
    currency: str = "USD"
    pipeline: PipelineInfo | None = None  # the default pipeline; None: the account's first
    today: date | None = None  # for the header comment; None: not dated


def yaml_text(value: str) -> str:
    """`value` as a double-quoted YAML scalar: JSON's escapes, which YAML reads the same."""
    escaped = json.dumps(value, ensure_ascii=False)
    # YAML treats these as line breaks even inside quotes; JSON leaves them raw.
    return "".join(f"\\u{ord(c):04x}" if not c.isprintable() else c for c in escaped)


def slug(name: str, taken: set[str], fallback: str) -> str:
    """A report-id-safe slug of `name`, unique among `taken` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:40].strip("-") or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _project(account: Account, options: StarterOptions, default: PipelineInfo) -> str:
    organization = one_line(account.organization_name, 80)
    dated = f" on {options.today.isoformat()}" if options.today else ""
    title = f"{account.organization_name[:120]} revenue reports"
    return f"""\
# yaml-language-server: $schema=schema/project.schema.json
# Written by `reportrunner init`{dated} from the Close organization {organization}
# ({account.organization_id}).
# `reportrunner ids` lists its pipelines, users, groups and saved searches; docs/specs.md.
site:
  title: {yaml_text(title)}
  # base_url: https://YOUR-ORG.github.io/YOUR-REPO/   # where the pages are published

# Deep-merged under every spec: the spec wins, lists replace.
defaults:
  timezone: {options.timezone}
  currency: {options.currency}
  request:
    pipeline: {default.id}   # {one_line(default.name)}

api:
  base_url: {DEFAULT_API_URL}   # CLOSE_API_URL overrides it
  jobs: 4
"""


_HEAD = """\
# yaml-language-server: $schema=../schema/report-spec.schema.json
# Written by `reportrunner init`; ids from `reportrunner ids`. Reference: docs/specs.md.
"""


def _this_month(pipeline: PipelineInfo) -> str:
    name = one_line(pipeline.name, 80)
    return f"""{_HEAD}# Opportunities created this month to date in {name}, against last month.
title: {yaml_text(pipeline.name[:120] + " — this month vs last month")}
tags: [monthly]
request:
  pipeline: {pipeline.id}   # {name}
  type: created-cohort
  cohort_relative_range: this-month
  compared_relative_range: last-month
"""


def _stages(pipeline: PipelineInfo) -> str:
    name = one_line(pipeline.name, 80)
    labels = ", ".join(one_line(s.label, 30) for s in pipeline.statuses if s.type == "active")
    return f"""{_HEAD}# How far everything active last month in {name} moved, stage by stage
# ({labels or "no active statuses"}).
title: {yaml_text(pipeline.name[:120] + " — stages, last month")}
endpoints: [stages]
tags: [monthly]
request:
  pipeline: {pipeline.id}   # {name}
  type: active-stage-cohort
  report_relative_range: last-month
"""


def _group(account: Account, index: int, default: PipelineInfo) -> str:
    group = account.groups[index]
    name = one_line(group.name, 80)
    members = ", ".join(one_line(account.user_name(m), 30) for m in group.members[:8])
    more = ", …" if len(group.members) > 8 else ""
    return f"""{_HEAD}# The {name} group in {one_line(default.name, 80)} (the default pipeline from
# reportrunner.yaml): this month to date against last month.
# Members: {members or "none"}{more}.
title: {yaml_text(group.name[:120] + " — this month vs last month")}
tags: [monthly, team]
request:
  type: created-cohort
  cohort_relative_range: this-month
  compared_relative_range: last-month
  users: [{group.id}]   # {name}
"""


def starter_files(account: Account, options: StarterOptions) -> dict[str, str]:
    """Relative path → content of every file `init` writes (reportrunner.yaml first)."""
    if not account.pipelines:
        raise UsageError(
            f"the Close organization {one_line(account.organization_name, 80)} has no "
            "opportunity pipeline, and every report needs one",
            hint="create a pipeline in Close (Settings → Pipelines & Statuses), then run init "
            "again.",
        )
    default = options.pipeline or account.pipelines[0]
    files = {"reportrunner.yaml": _project(account, options, default)}
    taken: set[str] = set()
    for number, pipeline in enumerate(account.pipelines[:MAX_PIPELINES], start=1):
        base = slug(pipeline.name, taken, f"pipeline-{number}")
        files[f"specs/{base}-this-month.yaml"] = _this_month(pipeline)
        files[f"specs/{base}-stages.yaml"] = _stages(pipeline)
    for index, group in enumerate(account.groups[:MAX_GROUPS]):
        base = slug(group.name, taken, f"group-{index + 1}")
        files[f"specs/{base}-team-this-month.yaml"] = _group(account, index, default)
    return files


def write_files(root: Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write `files` under `root`; refuses (writing nothing) if any exists, unless `force`."""
    targets = [root / relative for relative in files]
    folders = [t for t in targets if t.is_dir()]
    if folders:
        raise UsageError(f"{folders[0]} is a folder, not a file; nothing was written")
    # A symlink counts as existing even when dangling: writing through it would put the file
    # wherever it points, outside `root`, without --force.
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        shown = ", ".join(t.relative_to(root).as_posix() for t in existing)
        raise UsageError(
            f"not overwriting {shown}; nothing was written",
            hint="pass --force to replace them, or run init in an empty folder (--dir PATH).",
        )
    for target, content in zip(targets, files.values(), strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()  # --force replaces the link itself, never the file it points to
        target.write_text(content, encoding="utf-8")
    return targets
