"""Odd option values and unusable keys: a usage error (exit 2) or a configuration error (exit 3).

Issue 10, item 9. Every numeric option of every command is tried with inf, nan, -1, 1e308 and 0
where 0 is outside its documented range; each must be refused by the command line before
anything starts (no emulator, no request), with click's "Invalid value" message naming the
option. A contract test walks every command so that an option added later cannot skip the rule.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reportrunner.cli import main
from reportrunner.cli._common import FiniteFloat
from reportrunner.emulator import Emulator
from reportrunner.errors import ConfigError
from reportrunner.fetch.client import ClientSettings, CloseClient, key_problem

#: (command, option, bad values). Values inside the documented range are not listed.
BAD_VALUES: list[tuple[str, str, tuple[str, ...]]] = [
    ("run", "--timeout", ("inf", "-inf", "nan", "-1", "1e308", "0", "0.01", "3601")),
    ("run", "--jobs", ("-1", "0", "65", "1e308", "nan", "inf")),
    ("emulator", "--latency", ("inf", "nan", "-1", "1e308", "61")),
    ("emulator", "--rate-limit", ("inf", "nan", "-1", "1e308", "0")),
    ("emulator", "--fail-rate", ("inf", "nan", "-1", "1e308", "1.5")),
    ("emulator", "--port", ("-1", "65536", "1e308", "nan", "inf")),
    ("emulator", "--seed", ("-1", str(2**63), "1e308", "nan", "inf")),
]
CASES = [(cmd, opt, value) for cmd, opt, values in BAD_VALUES for value in values]


@pytest.mark.parametrize(("command", "option", "value"), CASES)
def test_bad_numeric_option_is_a_usage_error(
    command: str, option: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    extra = ["--emulator"] if command == "run" else ["--port", "0"] if option != "--port" else []
    result = CliRunner().invoke(main, [command, *extra, f"{option}={value}"])
    shown = f"exit {result.exit_code}\n{result.output}"
    assert result.exit_code == 2, shown
    assert f"Invalid value for '{option}'" in result.output, shown
    assert "Traceback" not in result.output and "internal error" not in result.output, shown
    assert not (tmp_path / "site").exists(), "a refused option must not publish anything"


def _all_commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(main)
    group = main
    assert isinstance(group, click.Group)
    found = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    return [(name, cmd) for name, cmd in found if cmd is not None]


def test_every_numeric_option_has_finite_documented_bounds() -> None:
    """The class, not the examples: no command may take a bare float or an unbounded number."""
    checked = 0
    for name, command in _all_commands():
        for param in command.params:
            kind = param.type
            if isinstance(kind, click.types.FloatParamType):
                assert isinstance(kind, FiniteFloat), f"{name} {param.name}: use FiniteFloat"
                checked += 1
            elif isinstance(kind, click.types.IntParamType):
                assert isinstance(kind, click.IntRange), f"{name} {param.name}: use IntRange"
                assert kind.min is not None and kind.max is not None, f"{name} {param.name}"
                checked += 1
    assert checked >= 7  # run --timeout/--jobs, emulator --port/--seed/--latency/--rate-limit/…


@pytest.mark.parametrize(
    "key",
    [
        "api_abc…def",  # a pasted ellipsis: not Latin-1, requests would crash encoding it
        # Whitespace and commas separate several keys (docs/running.md): not errors here.
        "api_abc:def",  # ':' ends Basic's user name
        "api_abcédef",  # Latin-1 but not ASCII: Close's keys are ASCII
        "api_\x7fabc",  # DEL
        "api_abc\u200bdef",  # zero-width space, invisible when pasted
    ],
)
def test_unsendable_key_is_a_configuration_error(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLOSE_API_KEY", key)
    monkeypatch.setenv("CLOSE_API_URL", "http://127.0.0.1:9/api/v1")  # never contacted
    result = CliRunner().invoke(main, ["run", str(specs), "--out", str(tmp_path / "site")])
    shown = f"exit {result.exit_code}\n{result.output}"
    assert result.exit_code == 3, shown
    assert "CLOSE_API_KEY cannot be sent in an HTTP header" in result.output, shown
    assert "no request was made" in result.output, shown
    assert key not in result.output, "the key itself is never printed"
    assert "Traceback" not in result.output and "internal error" not in result.output, shown


def test_unsendable_key_from_python_is_refused_before_any_request() -> None:
    with Emulator(api_key="good") as emu:
        with pytest.raises(ConfigError, match="cannot be sent in an HTTP header"):
            CloseClient(ClientSettings(base_url=emu.base_url, api_key="bad…key"))
        assert emu.requests == []


def test_emulator_refuses_an_unsendable_api_key() -> None:
    result = CliRunner().invoke(main, ["emulator", "--port", "0", "--api-key", "a…b"])
    assert result.exit_code == 2, result.output
    assert "--api-key cannot be sent in an HTTP header" in result.output


def test_a_real_looking_key_is_accepted() -> None:
    assert key_problem("api_4fKjX2w9QmZ.r-8_~!") is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"latency": float("nan")},
        {"latency": float("inf")},
        {"rate_limit": float("inf")},
        {"rate_limit": float("nan")},
        {"fail_rate": float("nan")},
        {"rate_limit": 0.0},
    ],
)
def test_emulator_class_refuses_non_finite_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        Emulator(**kwargs)  # type: ignore[arg-type]
