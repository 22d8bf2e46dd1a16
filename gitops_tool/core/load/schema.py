"""A small declarative schema for the YAML files people write (environments,
the platform file), with errors that say `file:line: key: problem`.

Unknown keys are errors: a typo must never be silently ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gitops_tool.core.yamldoc import line_of, parse_yaml
from gitops_tool.errors import InputError

_TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", list: "a list"}


@dataclass(frozen=True, slots=True)
class Field:
    """One key: its type, whether it is required, and what nests inside it."""

    type: type | tuple[type, ...] = str
    required: bool = True
    keys: dict[str, Field] | None = None  # a mapping with these keys
    values: Field | None = None  # a mapping with free keys, each value like this
    items: Field | None = None  # a list, each item like this
    choices: tuple[Any, ...] = ()
    doc: str = field(default="", compare=False)


def mapping_of(text: str, source: str) -> dict:
    """The parsed mapping at the top of a file people write (an empty file or another
    shape is an InputError)."""
    data = parse_yaml(text, source)
    if data is None:
        raise InputError(
            f"{source}: the file is empty", hint="docs/environments.md lists the keys of each file"
        )
    if not isinstance(data, dict):
        raise InputError(f"{source}:1: expected a mapping at the top level",
                         hint=f"write the file as `key: value` lines; {DOCS_HINT}")
    return data


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    return f"{type(value).__name__} {value!r}"


def _expected(spec: Field) -> str:
    if spec.keys is not None or spec.values is not None:
        return "a mapping"
    if spec.items is not None:
        return "a list"
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


DOCS_HINT = "docs/environments.md lists every key of each file and what it holds"


def _written(lines: Sequence[str], line: int | None, path: str) -> str:
    """The value of `path`'s last key as written on `line` of the file ("" if unknown)."""
    if not line or line > len(lines):
        return ""
    key = path.rsplit(".", 1)[-1].split("[", 1)[0]
    text = lines[line - 1]
    _, sep, value = text.partition(f"{key}:")
    if not sep:
        return ""
    value = value.split(" #", 1)[0].strip()
    return value if value and value[0] not in "\"'[{&*!|>" else ""


def check(data: Any, spec: Field, source: str, path: str = "", line: int | None = None,
          lines: Sequence[str] = ()) -> None:
    """Raise InputError at the first place where `data` does not match `spec`. `lines` (the
    file's text, split) lets a hint quote a value as it was written."""

    def fail(problem: str, at: int | None = line, hint: str = DOCS_HINT) -> None:
        where = f"{source}:{at}" if at else source
        key = f" {path}:" if path else ""
        raise InputError(f"{where}:{key} {problem}", hint=hint)

    if spec.keys is not None or spec.values is not None:
        if not isinstance(data, dict):
            fail(f"expected a mapping, got {_describe(data)}")
        for key, value in data.items():
            key_line = line_of(data, key) or line
            child = f"{path}.{key}" if path else str(key)
            sub = spec.values if spec.keys is None else spec.keys.get(str(key))
            if sub is None:
                known = ", ".join(sorted(spec.keys or {}))
                raise InputError(
                    f"{source}:{key_line}: {child}: unknown key",
                    hint=f"known keys here: {known}",
                )
            check(value, sub, source, child, key_line, lines)
        for key, sub in (spec.keys or {}).items():
            if sub.required and key not in data:
                child = f"{path}.{key}" if path else key
                fail(f"missing required key {child!r}", at=getattr(data, "line", None) or line,
                     hint=f"add `{key}:` here; {DOCS_HINT}")
        return
    if spec.items is not None:
        if not isinstance(data, list):
            fail(f"expected a list, got {_describe(data)}")
        for index, item in enumerate(data):
            check(item, spec.items, source, f"{path}[{index}]",
                  getattr(item, "line", None) or line, lines)
        return
    types = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    ok = isinstance(data, types) and not (isinstance(data, bool) and bool not in types)
    if not ok:
        hint = DOCS_HINT
        if str in types and isinstance(data, (int, float, bool)):
            written = _written(lines, line, path) or str(data)
            key = path.rsplit(".", 1)[-1]
            hint = (f'quote it: `{key}: "{written}"` (unquoted, YAML reads {written} as '
                    f"{_describe(data)})")
        fail(f"expected {_expected(spec)}, got {_describe(data)}", hint=hint)
    if spec.choices and data not in spec.choices:
        fail(f"expected one of {', '.join(map(str, spec.choices))}, got {data!r}",
             hint=f"use one of: {', '.join(map(str, spec.choices))}")
