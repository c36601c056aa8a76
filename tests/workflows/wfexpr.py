"""A small evaluator of GitHub Actions expressions (`${{ ... }}`), enough to run our workflows.

Follows GitHub's documented semantics: literals (strings in single quotes with '' as the escape,
numbers, true/false/null), property access with `.name` and `['name']` (names may contain `-`),
`!`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||` returning operand values, loose equality
(strings compared case-insensitively, other mixed types as numbers), missing properties as
null, and the functions contains, startsWith, endsWith, format, join, toJSON, fromJSON, and the
status checks success, failure, always, cancelled (answered by the caller's `status`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))"
    r"|(?P<str>'(?:[^']|'')*')"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,*])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class ExpressionError(ValueError):
    """The expression cannot be parsed or uses something this evaluator does not support."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r} in {text!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "") or isinstance(value, (dict, list))


def to_string(value: Any) -> str:
    """How a value is written into a string (`run:`, `env:`, `with:`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return left is right
    if type(left) is type(right) and left is None:
        return True
    return to_number(left) == to_number(right)


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left.casefold()
        b: Any = right.casefold()
    else:
        a, b = to_number(left), to_number(right)
    results: dict[str, bool] = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}
    return results[op]


class _Parser:
    def __init__(self, text: str, context: dict[str, Any], status: Callable[[str], bool]) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.context = {key.casefold(): value for key, value in context.items()}
        self.status = status

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            raise ExpressionError(f"expected {expected or 'a value'} in {self.text!r}")
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()} in {self.text!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.equality()
            value = right if truthy(value) else value
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.comparison()
            value = _equal(value, right) == (op == "==")
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in (("op", "<"), ("op", "<="), ("op", ">"), ("op", ">=")):
            op = self.take()[1]
            value = _compare(op, value, self.unary())
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            number = to_number(text)
            return int(number) if number.is_integer() else number
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "op" and text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind == "name":
            lowered = text.casefold()
            if lowered in ("true", "false"):
                return lowered == "true"
            if lowered == "null":
                return None
            if self.peek() == ("op", "("):
                return self.call(lowered)
            return self.context.get(lowered)
        raise ExpressionError(f"unexpected {text!r} in {self.text!r}")

    def postfix(self, value: Any) -> Any:
        while self.peek() in (("op", "."), ("op", "[")):
            if self.take()[1] == ".":
                kind, name = self.take()
                if kind != "name":
                    raise ExpressionError(f"expected a property name in {self.text!r}")
                value = _property(value, name)
            else:
                value = _property(value, self.or_())
                self.take("]")
        return value

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        if name in ("success", "failure", "always", "cancelled"):
            return self.status(name)
        function = _FUNCTIONS.get(name)
        if function is None:
            raise ExpressionError(f"function {name}() is not supported by the harness")
        return function(*args)


def _property(value: Any, name: Any) -> Any:
    if isinstance(value, dict):
        if isinstance(name, str):
            for key, item in value.items():
                if isinstance(key, str) and key.casefold() == name.casefold():
                    return item
        return None
    if isinstance(value, list) and not isinstance(name, str):
        index = int(to_number(name))
        return value[index] if 0 <= index < len(value) else None
    return None


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(_equal(item, needle) for item in haystack)
    return to_string(needle).casefold() in to_string(haystack).casefold()


def _format(template: Any, *args: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        return to_string(args[int(match.group(1))])

    return re.sub(r"\{\{|\}\}|\{(\d+)\}", replace, to_string(template))


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda a, b: to_string(a).casefold().startswith(to_string(b).casefold()),
    "endswith": lambda a, b: to_string(a).casefold().endswith(to_string(b).casefold()),
    "format": _format,
    "join": lambda items, sep=",": to_string(sep).join(
        to_string(i) for i in (items if isinstance(items, list) else [items])
    ),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": lambda text: json.loads(to_string(text)),
}


def _default_status(name: str) -> bool:
    return name in ("success", "always")


def evaluate(
    expression: str,
    context: dict[str, Any],
    status: Callable[[str], bool] = _default_status,
) -> Any:
    """Evaluate one expression (the text inside `${{ }}`, or a bare `if:` condition)."""
    return _Parser(expression, context, status).parse()


def interpolate(
    template: Any,
    context: dict[str, Any],
    status: Callable[[str], bool] = _default_status,
) -> Any:
    """Substitute every `${{ }}` in a string. A string that is exactly one expression keeps the
    value's type (as GitHub does for `with:` inputs); other values pass through unchanged."""
    if not isinstance(template, str):
        return template
    whole = _EXPRESSION.fullmatch(template.strip())
    if whole is not None:
        return evaluate(whole.group(1), context, status)
    return _EXPRESSION.sub(lambda m: to_string(evaluate(m.group(1), context, status)), template)


def condition(
    text: Any, context: dict[str, Any], status: Callable[[str], bool] = _default_status
) -> bool:
    """Evaluate an `if:` value. Without a status function in it, `success() &&` is implied."""
    if text is None or text == "":
        return status("success")
    if isinstance(text, bool):
        return text and status("success")
    source = str(text).strip()
    whole = _EXPRESSION.fullmatch(source)
    if whole is not None:
        source = whole.group(1)
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", source):
        source = f"success() && ({source})"
    return truthy(evaluate(source, context, status))
