"""Safe YAML parsing that keeps line numbers and refuses duplicate keys.

Pure: takes text and the name to report it under; touches no disk. Every YAML
file gitops-tool reads goes through here:

- `parse_yaml` returns plain dicts and lists built from `LineDict`s, which
  remember the line of each key so that errors can say `file:line: key`;
- `check_yaml` only checks that a file is one YAML document without duplicate
  keys (render reads no values file, but refuses a broken one), composing
  nodes in libyaml without building any data.
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


_YAML_TAG = "tag:yaml.org,2002:"
_MERGE, _STR = f"{_YAML_TAG}merge", f"{_YAML_TAG}str"
# The tags the safe loader constructs; any other (`!!python/object`, `!custom`) is refused.
_SAFE_TAGS = frozenset(
    _YAML_TAG + name
    for name in (
        "null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set", "str",
        "seq", "map", "merge",
    )
)


def _suspect(root: yaml.Node) -> bool:
    """Whether the precise parse must look at the document under `root`: a tag the safe
    loader refuses, or a mapping that may write one key twice -- the same text twice, or a
    key that is not a string (`1` and `"1"`, `yes` and `true` may be one key). Keys a merge
    (`<<: *anchor`) brings in may be overridden: only the keys written in the mapping itself
    count. An aliased node is visited once."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node.tag not in _SAFE_TAGS:
            return True
        if isinstance(node, yaml.ScalarNode) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
            continue
        keys = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                stack.append(value_node)
                continue
            if key_node.tag != _STR or key_node.value in keys:
                return True
            keys.add(key_node.value)
            stack.append(value_node)
    return False


def check_yaml(text: str, source: str) -> None:
    """Raise InputError (`source:line:col: problem`) unless `text` is one YAML document the
    safe loader accepts, without duplicate keys."""
    try:
        node = yaml.compose(text, Loader=FAST_SAFE_LOADER)
        suspect = node is not None and _suspect(node)
    except yaml.YAMLError:
        suspect = True
    if suspect:  # the precise parse names the problem and its line (or accepts the file)
        parse_yaml(text, source)
