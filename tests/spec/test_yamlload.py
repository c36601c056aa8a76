"""yamlload: positions, duplicate keys, alias bombs, file checks; never a traceback (hypothesis)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportrunner.errors import SpecError
from reportrunner.spec.yamlload import MAX_BYTES, decode, load_file, loads


def error_of(text: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        loads(text, "s.yaml")
    return caught.value


def test_positions_of_keys_and_values_are_one_based() -> None:
    loaded = loads("# modeline\ntitle: T\nrequest:\n  users: [a, b]\n", "s.yaml")
    assert loaded.data == {"title": "T", "request": {"users": ["a", "b"]}}
    assert loaded.keys["/request/users"] == (4, 3)
    assert loaded.values["/request/users/1"] == (4, 14)
    assert loaded.values[""] == (2, 1)


def test_unquoted_timestamps_stay_the_text_written() -> None:
    loaded = loads("a: 2026-01-01T00:00:00Z\nb: 2026-01-01T00:00:00+02:00\nc: 2026-01-01\n", "s")
    assert loaded.data == {
        "a": "2026-01-01T00:00:00Z",
        "b": "2026-01-01T00:00:00+02:00",
        "c": "2026-01-01",
    }


def test_scalars_are_json_types() -> None:
    data = loads("a: [1, 2.5, true, null, 0x10, ~]\n", "s").data
    assert data == {"a": [1, 2.5, True, None, 16, None]}


def test_duplicate_key_is_an_error_at_the_second_occurrence() -> None:
    error = error_of("title: a\nrequest:\n  type: x\n  type: y\n")
    assert (error.line, error.column) == (4, 3)
    assert "duplicate key 'type' (first written on line 3)" in error.message


def test_billion_laughs_fails_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
        previous = name
    started = time.monotonic()
    error = error_of("\n".join(lines) + "\n")
    assert time.monotonic() - started < 10.0  # hang guard: refused in milliseconds
    assert "aliases expand to more than" in error.message and error.hint


def test_recursive_alias_is_an_error() -> None:
    assert "cycle" in error_of("a: &x [1, *x]\n").message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("title: [a, b\nrequest: {}\n", 2, "YAML syntax error"),
        ("a: b: c\n", 1, "contains ': '"),
        ("a: 1\n---\nb: 2\n", 2, "a second YAML document"),
        ("", 1, "file is empty"),
        ("# just a comment\n", 1, "file is empty"),
        ("- a\n- b\n", 1, "not a list"),
        ("just text\n", 1, "not a single value"),
        ("a: !!binary aGk=\n", 1, "unsupported YAML tag"),
        ("a: !custom x\n", 1, "unsupported YAML tag !custom"),
        ("? [a]\n: 1\n", 1, "mapping keys must be plain words"),
        ("a: \x07\n", 1, "U+0007 is not allowed"),
        ("a: *missing\n", 1, "undefined alias"),
        ("a: " + "[" * 70 + "]" * 70 + "\n", 1, "nested deeper than"),
    ],
)
def test_file_level_problems_have_a_line_and_words(text: str, line: int, words: str) -> None:
    error = error_of(text)
    assert error.line == line and words in error.message, str(error)


def test_size_and_encoding_checks(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"at most 1,048,576 bytes"):
        decode(b"a" * (MAX_BYTES + 1), "big.yaml")
    with pytest.raises(SpecError, match="not valid UTF-8") as caught:
        decode("a: 1\nb: é\n".encode("latin-1"), "l1.yaml")
    assert (caught.value.line, caught.value.column) == (2, 4)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbftitle: T\n")
    assert load_file(bom).data == {"title": "T"}
    with pytest.raises(SpecError, match="cannot read"):
        load_file(tmp_path / "missing.yaml")


def _check_never_crashes(text: str) -> None:
    try:
        loaded = loads(text, "fuzz.yaml")
    except SpecError as error:
        assert error.message and (error.line is None or error.line >= 1)
    else:
        assert isinstance(loaded.data, dict)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_give_a_traceback(raw: bytes) -> None:
    try:
        text = decode(raw, "fuzz.yaml")
    except SpecError:
        return
    _check_never_crashes(text)


YAML_PIECES = st.sampled_from(
    [
        "a",
        ":",
        " ",
        "\n",
        "  ",
        "-",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&x",
        "*x",
        "<<",
        "!!str",
        "!t",
        "'",
        '"',
        "#",
        "?",
        "|",
        ">",
        "---",
        "...",
        "2026-01-01",
        "T00:00:00Z",
        "1",
        "~",
        "\t",
        "é",
    ]
)


@FAST
@given(st.lists(YAML_PIECES, max_size=40).map("".join))
def test_arbitrary_yaml_like_text_never_gives_a_traceback(text: str) -> None:
    _check_never_crashes(text)


# Control characters are left out: PyYAML's *emitter* folds some of them (NEL) into spaces.
TEXT = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(TEXT, max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(TEXT, min_size=1, max_size=5), children, max_size=3)
    ),
    max_leaves=15,
)


@FAST
@given(st.dictionaries(st.text(TEXT, min_size=1, max_size=6), json_values, min_size=1, max_size=4))
def test_dumped_documents_round_trip(data: dict[str, object]) -> None:
    loaded = loads(yaml.safe_dump(data, allow_unicode=True), "rt.yaml")
    assert loaded.data == data
    assert "" in loaded.values and all(line >= 1 for line, _ in loaded.values.values())
