"""The edit of an environment file: the changed values, and not one byte more.

Pure: text in, text out. ruamel.yaml's round-trip composer gives the exact place of each
value in the text (and how it is quoted); each changed value is replaced there in the same
quoting, a pin's new `revision:` is inserted on its own line below `image:`, a removed one
is cut with its line. Comments, key order, quoting, blank lines and everything else stay
byte for byte. The result is parsed again and must be the old data with exactly the
changes applied; anything else (an anchor shared by two pins, a merge key) is refused
rather than guessed.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from gitops_tool.core.promote.plan import Change
from gitops_tool.core.yamldoc import parse_yaml
from gitops_tool.errors import InputError

# A value written without quotes stays unquoted only if YAML reads it back as that string.
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./+-]*$")
_REST_OF_LINE = re.compile(r"[ \t]*(#[^\n]*)?(\n|$)")


def _compose(text: str, source: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    try:
        return YAML(typ="rt").compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise InputError(f"{where}: {exc.problem or 'not valid YAML'}",
                         hint="fix the YAML syntax (indentation, tabs, quoting)") from None


def _child(node: Any, key: str) -> tuple[Any, Any] | None:
    """(key node, value node) of `key` in a mapping node, or None."""
    if node is None or not hasattr(node, "value") or not isinstance(node.value, list):
        return None
    for pair in node.value:
        if isinstance(pair, tuple) and getattr(pair[0], "value", None) == key:
            return pair
    return None


def _scalar(value: str, style: str | None) -> str:
    """`value` written in the quoting `style` of the value it replaces."""
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    if style is None and _PLAIN_SAFE.match(value) and _reads_as_string(value):
        return value
    return json.dumps(value)  # a valid YAML double-quoted scalar


def _reads_as_string(value: str) -> bool:
    try:
        return yaml.safe_load(value) == value
    except yaml.YAMLError:
        return False


class _Edits:
    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.spans: list[tuple[int, int, str]] = []

    def refuse(self, node: Any, key: str, why: str) -> InputError:
        line = node.start_mark.line + 1 if node is not None else 0
        where = f"{self.source}:{line}" if line else self.source
        return InputError(
            f"{where}: {key}: {why}; gitops-tool edits only plain block-style values",
            hint=f"write {key} as `key: value` on its own line, then run again",
        )

    def replace(self, node: Any, value: str, key: str) -> None:
        if type(node).__name__ != "ScalarNode" or node.style in ("|", ">") or node.anchor:
            raise self.refuse(node, key, "is not a single-line scalar")
        start, end = node.start_mark.index, node.end_mark.index
        if "\n" in self.text[start:end]:
            raise self.refuse(node, key, "spans several lines")
        self.spans.append((start, end, _scalar(value, node.style)))

    def _line_end(self, index: int, node: Any, key: str) -> int:
        rest = _REST_OF_LINE.match(self.text, index)
        if rest is None:
            raise self.refuse(node, key, "shares its line with another value")
        return rest.end()

    def insert_after(self, pin: Any, image: Any, value: str, key: str) -> None:
        if pin.flow_style:
            end = pin.end_mark.index
            if self.text[end - 1 : end] != "}":
                raise self.refuse(pin, key, "is in a flow mapping")
            self.spans.append((end - 1, end - 1, f", revision: {_scalar(value, None)}"))
            return
        after = self._line_end(image.end_mark.index, image, key)
        line = f"{' ' * image_key_column(pin)}revision: {_scalar(value, None)}"
        if self.text[after - 1 : after] == "\n":
            self.spans.append((after, after, line + "\n"))
        else:  # the image line ends the file, without a newline
            self.spans.append((after, after, "\n" + line))

    def remove(self, pin: Any, key_node: Any, value_node: Any, key: str) -> None:
        if pin.flow_style:
            raise self.refuse(pin, key, "is in a flow mapping")
        start = self.text.rfind("\n", 0, key_node.start_mark.index) + 1
        if self.text[start : key_node.start_mark.index].strip():
            raise self.refuse(key_node, key, "shares its line with another key")
        self.spans.append((start, self._line_end(value_node.end_mark.index, value_node, key),
                           ""))

    def result(self) -> str:
        text = self.text
        last = len(text) + 1
        for start, end, new in sorted(self.spans, reverse=True):
            if end > last:
                raise InputError(f"{self.source}: overlapping edits; edit the file by hand",
                                 hint="change the pins by hand, then commit")
            text = text[:start] + new + text[end:]
            last = start
        return text


def image_key_column(pin: Any) -> int:
    """The column of the first key of a block-style pin mapping."""
    return pin.value[0][0].start_mark.column


def edit_pins(text: str, changes: Sequence[Change], source: str) -> str:
    """`text` (an environment file named `source` in messages) with `changes` made."""
    if not changes:
        return text
    root = _compose(text, source)
    edits = _Edits(text, source)
    for change in changes:
        if change.path[0] == "source":
            pair = _child(_child(root, "source")[1] if _child(root, "source") else None,
                          "revision")
            if pair is None or change.new is None:
                raise InputError(f"{source}: source.revision: missing",
                                 hint="add `source: {revision: <branch or commit>}`")
            edits.replace(pair[1], change.new, change.key)
            continue
        _, service, key = change.path
        releases = _child(root, "releases")
        pin_pair = _child(releases[1], service) if releases else None
        if pin_pair is None or type(pin_pair[1]).__name__ != "MappingNode":
            raise InputError(f"{source}: releases.{service}: no pin to edit",
                             hint=f"add `{service}: {{image: <tag>}}` under `releases:`")
        pin = pin_pair[1]
        if pin.anchor:
            raise edits.refuse(pin, f"releases.{service}", "has an anchor other pins may use")
        image = _child(pin, "image")
        present = _child(pin, key)
        if present is not None and change.new is not None:
            edits.replace(present[1], change.new, change.key)
        elif present is not None:
            edits.remove(pin, present[0], present[1], change.key)
        elif change.new is not None:
            if image is None:
                raise InputError(f"{source}: releases.{service}.image: missing",
                                 hint="add `image: <tag>` to the pin")
            edits.insert_after(pin, image[1], change.new, change.key)
    edited = edits.result()
    _check(text, edited, changes, source)
    return edited


def _check(before: str, after: str, changes: Sequence[Change], source: str) -> None:
    """`after` must read as `before` with exactly `changes` made."""
    expected = copy.deepcopy(parse_yaml(before, source))
    for change in changes:
        *parents, last = change.path
        where = expected
        for key in parents:
            where = where[key]
        if change.new is None:
            where.pop(last, None)
        else:
            where[last] = change.new
    if parse_yaml(after, source) != expected:
        raise InputError(
            f"{source}: the edit of {', '.join(c.key for c in changes)} would change other "
            "values too (an anchor or a merge key shares them)",
            hint="write each pin out in full, without anchors, then run again",
        )
