"""Safe YAML loading that remembers the line and column of every key and value.

PyYAML's constructors drop positions, so we let libyaml (when available; pure-Python PyYAML
otherwise) *compose* the node graph and build plain JSON-like values ourselves. That gives us
the positions and the checks a spec language needs: duplicate keys (an error at the second
occurrence), bounded alias expansion ("billion laughs" fails in milliseconds), a nesting limit,
only JSON-compatible types, and unquoted timestamps kept as the RFC 3339 text the user wrote.
File-level problems (size, encoding, emptiness, a non-mapping top level, syntax errors) raise
`SpecError` with the file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reportrunner.errors import SpecError
from reportrunner.spec.messages import escape_token
from reportrunner.spec.yamlhints import explain

MAX_BYTES = 1024 * 1024
#: Values an alias may add in total; a real spec shares a few small blocks.
MAX_ALIAS_VALUES = 10_000
MAX_DEPTH = 64

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + n for n in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MERGE, _MAP, _SEQ = (_TAG + n for n in ("timestamp", "merge", "map", "seq"))
# The per-node methods, not construct_object: that one caches every node it ever saw.
_SCALARS: dict[str, Any] = {
    _INT: _constructor.construct_yaml_int,
    _FLOAT: _constructor.construct_yaml_float,
    _BOOL: _constructor.construct_yaml_bool,
    _NULL: _constructor.construct_yaml_null,
}


@dataclass
class Loaded:
    """A loaded YAML document: plain data plus where each piece was written.

    `values` maps a JSON pointer to the 1-based (line, column) of the value; `keys` maps the
    pointer of a mapping entry to the position of its key (for "unknown key" style messages).
    """

    path: str
    data: dict[str, Any]
    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)


def _where(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns a composed node graph into values, recording positions and enforcing limits."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.values: dict[str, tuple[int, int]] = {}
        self.keys: dict[str, tuple[int, int]] = {}
        self.done: set[int] = set()  # nodes built once already: seeing one again is an alias
        self.active: set[int] = set()  # nodes being built: seeing one again is a cycle
        self.alias_budget = MAX_ALIAS_VALUES

    def fail(self, node: Node, message: str, hint: str | None = None) -> SpecError:
        line, column = _where(node)
        return SpecError(message, path=self.path, line=line, column=column, hint=hint)

    def build(self, node: Node, pointer: str, depth: int, in_alias: bool) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"values are nested deeper than {MAX_DEPTH} levels")
        ident = id(node)
        if ident in self.active:
            raise self.fail(node, "an alias refers to a block that contains it (a cycle)")
        if ident in self.done:
            in_alias = True
        if in_alias:
            self.alias_budget -= 1
            if self.alias_budget < 0:
                raise self.fail(
                    node,
                    f"aliases expand to more than {MAX_ALIAS_VALUES} values",
                    "this looks like a 'billion laughs' file; share smaller blocks or "
                    "write the values out",
                )
        self.done.add(ident)
        self.values[pointer] = _where(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        self.active.add(ident)
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    raise self.fail(node, f"unsupported YAML tag {node.tag}; use a plain list")
                return [
                    self.build(item, f"{pointer}/{index}", depth + 1, in_alias)
                    for index, item in enumerate(node.value)
                ]
            if isinstance(node, MappingNode):
                if node.tag != _MAP:
                    raise self.fail(node, f"unsupported YAML tag {node.tag}; use a plain mapping")
                return self.mapping(node, pointer, depth, in_alias)
        finally:
            self.active.discard(ident)
        raise self.fail(node, "unsupported YAML node")

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _TIMESTAMP:
            # Keep what the user wrote: `2026-01-01T00:00:00Z` is the RFC 3339 text the API
            # wants, and a bare date stays a string that the schema explains.
            return node.value
        make = _SCALARS.get(tag)
        if make is not None:
            try:
                return make(node)
            except (yaml.YAMLError, ValueError) as exc:
                raise self.fail(node, f"cannot read the value {node.value!r}: {exc}") from None
        raise self.fail(
            node,
            f"unsupported YAML tag {tag}",
            "specs hold only text, numbers, true/false, lists and mappings",
        )

    def key_text(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, "mapping keys must be plain words, not lists or mappings")
        return str(node.value)

    def mapping(self, node: MappingNode, pointer: str, depth: int, in_alias: bool) -> Any:
        result: dict[str, Any] = {}
        merged: list[tuple[str, Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node))
                continue
            key = self.key_text(key_node)
            if key in result:
                first = self.keys[f"{pointer}/{escape_token(key)}"][0]
                raise self.fail(
                    key_node,
                    f"duplicate key {key!r} (first written on line {first})",
                    "remove one of them: YAML would silently keep only the last",
                )
            child = f"{pointer}/{escape_token(key)}"
            self.keys[child] = _where(key_node)
            result[key] = self.build(value_node, child, depth + 1, in_alias)
        # `<<: *anchor` merge keys (as in Compose files): explicit keys win, earlier merges win.
        for key, key_node, value_node in merged:
            if key in result:
                continue
            child = f"{pointer}/{escape_token(key)}"
            self.keys[child] = _where(key_node)
            result[key] = self.build(value_node, child, depth + 1, True)
        return result

    def merge_sources(self, node: Node) -> list[tuple[str, Node, Node]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        entries: list[tuple[str, Node, Node]] = []
        for source in sources:
            if not isinstance(source, MappingNode):
                raise self.fail(
                    source, "'<<' must be followed by an alias of a mapping (<<: *name)"
                )
            for key_node, value_node in source.value:
                if key_node.tag == _MERGE:
                    entries.extend(self.merge_sources(value_node))
                else:
                    entries.append((self.key_text(key_node), key_node, value_node))
        return entries


def decode(raw: bytes, path: str) -> str:
    """Bytes → text, with the size and encoding checks every YAML file gets."""
    if len(raw) > MAX_BYTES:
        raise SpecError(
            f"file is {len(raw):,} bytes; specs may be at most {MAX_BYTES:,} bytes (1 MiB)",
            path=path,
            hint="a report spec is a few dozen lines; is this the right file?",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            path=path,
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None
    return text


def loads(text: str, path: str) -> Loaded:
    """Parse one YAML document whose top level must be a mapping."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SpecError("file contains a NUL character; is it a binary file?", path=path, line=line)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        if "expected a single document" in str(exc.context):
            mark = exc.problem_mark or exc.context_mark
            raise SpecError(
                "YAML syntax error: a second YAML document starts here ('---'); a spec file "
                "holds one document",
                path=path,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
        # Beginners' mistakes (tabs, colons, quotes, list items) in words, with the fix.
        found = explain(text, exc)
        raise SpecError(
            found.message, path=path, line=found.line, column=found.column, hint=found.hint
        ) from None
    except yaml.reader.ReaderError as exc:  # characters YAML forbids (control characters)
        position = int(exc.position)
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise SpecError(
            f"the character U+{exc.character:04X} is not allowed in YAML",
            path=path,
            line=line,
            column=column,
            hint="remove it (control characters usually come from copy and paste)",
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"YAML error: {exc}", path=path) from None
    if node is None:
        raise SpecError(
            "file is empty; a spec needs at least title and request", path=path, line=1, column=1
        )
    builder = _Builder(path)
    data = builder.build(node, "", 0, False)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({node.value!r:.40})"
        line, column = _where(node)
        raise SpecError(
            f"the top level must be a mapping of keys (title:, request:, …), not {kind}",
            path=path,
            line=line,
            column=column,
        )
    return Loaded(path, data, builder.values, builder.keys)


def load_file(path: Path, display: str | None = None) -> Loaded:
    """Read and parse a YAML file; `display` is the name used in diagnostics."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        what = "folder" if path.is_dir() else "file"
        raise SpecError(
            f"cannot read the {what}: {exc.strerror or exc}",
            path=name,
            hint="check its permissions; the specs in it are neither checked nor run"
            if what == "folder"
            else None,
        ) from None
    return loads(decode(raw, name), name)
