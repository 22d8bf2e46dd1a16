"""Fast paths for reading the many small YAML files render loads (charts, values, pins).

Pure. `yamldoc.parse_yaml` keeps the line of every key so that errors can say
`file:line: key`, which costs time on a thousand charts. These functions do the
common case fast -- libyaml composes the nodes, a small walk turns them into
plain data and refuses duplicate keys -- and give up (return None) on anything
unusual. Callers then take the precise path, which produces the error message
with its line, or the same data.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from gitops_tool.core.yamldoc import FAST_SAFE_LOADER, parse_yaml

_tags: dict[tuple[str, tuple[bool, bool]], str] = {}


class _Loader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """libyaml's loader, remembering the tag of each plain scalar it has resolved (the same
    keys and values recur in every chart; the stock resolver runs regexes on each)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        tag = _tags.get((value, implicit))
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_tags) < 50_000:
                _tags[(value, implicit)] = tag
        return tag
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}


class _GiveUp(Exception):
    """The fast path cannot be sure; take the precise one."""


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _INT and _DECIMAL.fullmatch(value):
        return int(value)
    if tag == _BOOL:
        return _BOOLS[value.lower()]
    if tag == _NULL:
        return None
    raise _GiveUp  # floats, timestamps, binary, custom tags: rare here


def _data(node: yaml.Node, seen: set[int]) -> Any:
    if node.__class__ is yaml.ScalarNode:
        return _scalar(node)
    if id(node) in seen:  # an alias: shared or recursive data
        raise _GiveUp
    seen.add(id(node))
    if node.__class__ is yaml.SequenceNode:
        return [_data(item, seen) for item in node.value]
    if node.__class__ is not yaml.MappingNode:
        raise _GiveUp
    data: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode:
            raise _GiveUp
        key = _scalar(key_node)
        if key in data:
            raise _GiveUp  # a duplicate key: the precise path names it and its line
        data[key] = _data(value_node, seen)
    return data


def fast_data(text: str) -> Any:
    """Plain data (dicts, lists, str, int, bool, None) of one YAML document, or raise
    ValueError when the fast path cannot be sure (bad YAML, duplicate keys, unusual tags)."""
    try:
        node = _compose(text)
        return None if node is None else _data(node, set())
    except (yaml.YAMLError, _GiveUp, RecursionError) as exc:
        raise ValueError("take the precise path") from exc


def _keys_unique(root: yaml.Node) -> None:
    """Raise _GiveUp at a duplicate (or unusual) key anywhere under `root`.

    Keys a merge (`<<: *anchor`) brings in may be overridden: only the keys written in the
    mapping itself must be unique. An aliased node is checked once.
    """
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node.__class__ is yaml.ScalarNode or id(node) in seen:
            continue
        seen.add(id(node))
        if node.__class__ is yaml.SequenceNode:
            stack.extend(node.value)
            continue
        keys = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                stack.append(value_node)
                continue
            if key_node.__class__ is not yaml.ScalarNode:
                raise _GiveUp
            key = key_node.value if key_node.tag == _STR else _scalar(key_node)
            if key in keys or (key_node.tag != _STR and str(key) in keys):
                raise _GiveUp
            keys.add(key)
            stack.append(value_node)


def check_yaml(text: str, source: str) -> None:
    """Raise InputError (`source:line:col: problem`) when `text` is not one YAML document
    without duplicate keys; fast when it is."""
    try:
        node = _compose(text)
        if node is not None:
            _keys_unique(node)
    except (yaml.YAMLError, _GiveUp):
        parse_yaml(text, source)  # raises the precise error (or accepts what was unusual)
