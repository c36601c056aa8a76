"""The package layout shows the pipeline, and its boundaries hold (docs/architecture.md).

- the top level holds only the shared vocabulary, the pipeline call and the stage packages;
- only cli/ imports click; only cli/ starts the emulator (the core never imports it);
- no core module reads the environment: the CLI passes key, URL and secrets in;
- the site stage does no network I/O (the earlier site is read by fetch/earlier.py first).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reportrunner"

#: Shared vocabulary (no I/O) and the pipeline call; everything else lives in a stage package.
TOP_MODULES = {
    "__init__.py",
    "__main__.py",
    "comparison.py",
    "errors.py",
    "escaping.py",
    "model.py",
    "pipeline.py",
    "redact.py",
    "resources.py",
    "windows.py",
}
STAGES = {"spec", "fetch", "site", "kinds", "deliver", "cli", "emulator"}


def _modules(*, outside: tuple[str, ...]) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in outside:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _where(path: Path, line: int, what: str) -> str:
    return f"{path.relative_to(PACKAGE)}:{line}: {what}"


def test_the_top_level_is_the_shared_vocabulary_and_the_stages() -> None:
    modules = {p.name for p in PACKAGE.glob("*.py")}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert modules - TOP_MODULES == set(), "a new flat module: put it in its stage package"
    assert packages == STAGES


def test_only_the_cli_imports_click() -> None:
    found = [
        _where(path, line, name)
        for path, tree in _modules(outside=("cli",))
        for line, name in _imports(tree)
        if name == "click" or name.startswith("click.")
    ]
    assert found == []


def test_the_core_never_imports_the_emulator() -> None:
    found = [
        _where(path, line, name)
        for path, tree in _modules(outside=("cli", "emulator"))
        for line, name in _imports(tree)
        if name.startswith("reportrunner.emulator")
    ]
    assert found == []


def _reads_environment(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            yield node.lineno, f"os.{node.attr}"
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in ("environ", "getenv", "environb"):
                    yield node.lineno, f"from os import {alias.name}"


def test_no_core_module_reads_the_environment() -> None:
    found = [
        _where(path, line, what)
        for path, tree in _modules(outside=("cli", "emulator"))
        for line, what in _reads_environment(tree)
    ]
    assert found == []


#: Network clients the site stage must not use. `site/preview.py` is `serve`'s local HTTP
#: server (http.server on 127.0.0.1), which no publish runs.
#: The site may use the fetch stage's pure helpers (windows of a plan, the shard limit).
NETWORK = (
    "requests",
    "urllib.request",
    "http.client",
    "socket",
    "reportrunner.fetch.client",
    "reportrunner.fetch.bounded",
    "reportrunner.fetch.earlier",
    "reportrunner.fetch.runner",
    "reportrunner.fetch.names",
    "reportrunner.fetch.account",
)


def test_the_site_stage_does_no_network_io() -> None:
    site = PACKAGE / "site"
    found = [
        _where(path, line, name)
        for path in sorted(site.glob("*.py"))
        if path.name != "preview.py"
        for line, name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if any(name == n or name.startswith(n + ".") for n in NETWORK)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("import click\n", "only_the_cli_imports_click"),
        ("import os\nkey = os.environ['CLOSE_API_KEY']\n", "reads_the_environment"),
    ],
)
def test_the_scans_would_see_a_breach(source: str, caught: str) -> None:
    tree = ast.parse(source)
    if caught == "only_the_cli_imports_click":
        assert [name for _, name in _imports(tree)] == ["click"]
    else:
        assert [what for _, what in _reads_environment(tree)] == ["os.environ"]


#: Exceptions that never leave their stage: each is caught next to where it is raised and
#: becomes a warning, a 400 or a careful path, so it needs no place in the tree.
INTERNAL_EXCEPTIONS = {
    "kinds/__init__.py": {"UnknownKind"},  # data.json of an unknown kind: that report fails
    "spec/fastcheck.py": {"_Unsure"},  # the fast check hands over to jsonschema
    "emulator/scope.py": {"RequestInvalid"},  # the emulator answers 400
    # An earlier site's answer other than 200, caught by its readers (fetch/earlier.py and
    # deliver/state.py, which reads the same site): a warning, or "no state yet" for a 404.
    "fetch/earlier.py": {"HttpStatus"},
    "site/snapshots.py": {"BadSnapshot"},  # a snapshot left out, with a warning
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_one_exception_tree_in_errors_py() -> None:
    """Every exception a stage raises for another stage or the CLI is defined in errors.py."""
    import importlib
    import inspect

    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py" or path == PACKAGE / "errors.py":
            continue
        module = importlib.import_module(_module_name(path))
        names = {
            name
            for name, value in inspect.getmembers(module, inspect.isclass)
            if issubclass(value, BaseException) and value.__module__ == module.__name__
        }
        if names:
            found[str(path.relative_to(PACKAGE))] = names
    assert found == INTERNAL_EXCEPTIONS


#: What no core module may load, even through another module.
FORBIDDEN_IN_CORE = ("click", "reportrunner.cli", "reportrunner.emulator")


def test_no_core_module_loads_click_the_cli_or_the_emulator() -> None:
    """Imports are followed for real: a fresh interpreter imports every core module."""
    core = [
        _module_name(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in ("cli", "emulator", "__main__.py")
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({FORBIDDEN_IN_CORE!r}))\n"
        "print(' '.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_every_user_facing_exception_derives_from_the_root() -> None:
    import inspect

    from reportrunner import errors

    classes = [
        c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__
    ]
    exceptions = [c for c in classes if issubclass(c, BaseException)]
    assert len(exceptions) >= 15
    assert all(issubclass(c, errors.ReportRunnerError) for c in exceptions)
