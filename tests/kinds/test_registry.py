"""The registry is the one shared place a report kind is named; every kind implements `Kind`.

The shared stages (plan, fetch, site, cli, deliver) reach a kind only through
`reportrunner.kinds`: adding a kind is its folder plus one registry line. The spec stage's
vocabulary is the exception by design — the `kind:` values a spec may write (model.Spec, the
schema) and the activity metric catalogue — and so is the emulator, which serves each kind's
endpoints (one module per kind, beside the pipeline).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from reportrunner.kinds import REGISTRY, UnknownKind, kind_named, kind_of_data, kind_of_endpoint

PACKAGE = Path(__file__).resolve().parents[2] / "reportrunner"
#: Spec-stage vocabulary (which `kind:` values and metric keys a spec may write).
SPEC_VOCABULARY = {
    "model.py",
    "spec/project.py",
    "spec/validate.py",
    "spec/checks.py",
    "spec/fastcheck.py",
    "spec/messages.py",
    "spec/suggest.py",
    "spec/online.py",  # validate --online: a spec's metric keys against the account's
    "spec/starter.py",
}
#: The emulator serves every kind's endpoints, one module per kind.
BESIDE = ("emulator",)


def _shared_modules() -> list[Path]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        parts = relative.parts
        if parts[0] == "kinds" and (len(parts) > 2 or parts[1] == "__init__.py"):
            continue  # a kind's own folder, or the registry
        if parts[0] in BESIDE or str(relative) in SPEC_VOCABULARY:
            continue
        found.append(path)
    return found


@pytest.mark.parametrize("name", [name for name in REGISTRY if name != "funnel"])
def test_no_shared_module_names_a_kind_but_the_registry(name: str) -> None:
    """`activity` appears in no module of plan, fetch, site, cli or deliver (nor in kinds/base)."""
    word = re.compile(name[:-1] if name.endswith("y") else name, re.IGNORECASE)
    modules = _shared_modules()
    assert len(modules) > 50, "the scan found too few modules: is PACKAGE right?"
    naming = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in modules
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if word.search(line)
    ]
    assert naming == [], f"shared modules name the {name!r} kind:\n" + "\n".join(naming)


def test_the_scan_would_see_a_kind_named_in_a_shared_module() -> None:
    """The check above can fail: fetch/plan.py is scanned, and naming a kind there is caught."""
    assert PACKAGE / "fetch" / "plan.py" in _shared_modules()
    assert PACKAGE / "fetch" / "runner.py" in _shared_modules()
    assert PACKAGE / "kinds" / "base.py" in _shared_modules()
    assert PACKAGE / "kinds" / "__init__.py" not in _shared_modules()


def test_every_registered_kind_implements_the_interface() -> None:
    for name in REGISTRY:
        kind = kind_named(name)
        assert kind.name == name
        assert kind.endpoints, name
        for method in ("plan", "shape_problem", "view", "outputs", "snapshot"):
            assert callable(getattr(kind, method)), (name, method)
        for endpoint in kind.endpoints:
            assert kind_of_endpoint(endpoint) is kind


def test_every_endpoint_belongs_to_one_kind() -> None:
    seen: dict[str, str] = {}
    for name in REGISTRY:
        for endpoint, path in kind_named(name).endpoints.items():
            assert endpoint not in seen, f"{endpoint} is claimed by {seen[endpoint]} and {name}"
            seen[endpoint] = name
            assert path.startswith("/report/") and path.endswith("/"), path


def test_data_without_a_kind_is_a_funnel_and_an_unknown_kind_is_refused() -> None:
    assert kind_of_data({}).name == "funnel"
    with pytest.raises(UnknownKind, match="unknown report kind 'pipeline-velocity'"):
        kind_of_data({"kind": "pipeline-velocity"})
    with pytest.raises(UnknownKind):
        kind_of_data({"kind": ["funnel"]})
    with pytest.raises(UnknownKind, match="no report kind owns"):
        kind_of_endpoint("explorer")


def test_the_registry_imports_no_kind_until_asked() -> None:
    """Validating specs must not pay for a kind's view code (jinja2, Babel)."""
    import subprocess
    import sys

    code = (
        "import sys, reportrunner.kinds as k; "
        "print(sorted(m for m in sys.modules if m.startswith('reportrunner.kinds.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['reportrunner.kinds.base']"


def test_plan_dispatches_by_kind() -> None:
    from reportrunner.fetch.plan import build_plan
    from reportrunner.model import Spec

    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    body = {"type": "overview", "relative_range": "today", "metrics": ["calls.all.all.count"]}
    spec = Spec("a", "A", body, "specs/a.yaml", kind="activity", endpoints=("activity",))
    assert [r.endpoint for r in build_plan([spec], now).reports[0].requests] == ["activity"]
