"""Safe YAML parsing that keeps line numbers and refuses duplicate keys.

Pure: takes text and the name to report it under; touches no disk.
`parse_yaml` returns plain dicts and lists built from `LineDict`s, which
remember the line of each key so that errors can say `file:line: key`.
"""

from __future__ import annotations

from typing import Any

import yaml

from gitops_tool.errors import InputError

# libyaml's safe loader when PyYAML was built with it, else the pure-Python one.
FAST_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A dict that remembers the 1-based line of each of its keys."""

    __slots__ = ("line", "lines")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: dict[Any, int] = {}


class _Loader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    pass


def _construct_map(loader: Any, node: yaml.MappingNode) -> Any:
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # merged (`<<: *anchor`) pairs first, then the node's own
    merged = len(node.value) - own
    own_keys: set[Any] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a scalar", key_node.start_mark
            ) from None
        # A key written in the mapping itself may override a merged one; never its own twin.
        if index >= merged and key in own_keys:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {data.lines[key]})",
                key_node.start_mark,
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line
        if index >= merged:
            own_keys.add(key)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def parse_yaml(text: str, source: str) -> Any:
    """Parse one YAML document; raise InputError naming `source:line:col` on bad YAML."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: safe
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            f"{where}: {problem}",
            hint="fix the YAML syntax (indentation, tabs, quoting, duplicate keys)",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: invalid YAML: {exc}") from None


def line_of(data: Any, key: Any) -> int | None:
    """The line on which `key` of mapping `data` was written, when known."""
    if isinstance(data, LineDict):
        return data.lines.get(key, data.line or None)
    return None
