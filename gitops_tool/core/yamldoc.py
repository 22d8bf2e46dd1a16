"""Safe, bounded YAML parsing that keeps line numbers and refuses duplicate keys.

Pure: takes text and the name to report it under; touches no disk. Every YAML
document gitops-tool parses goes through here, whoever wrote it:

- `parse_yaml` returns plain dicts and lists built from `LineDict`s, which
  remember the line of each key so that errors can say `file:line: key`;
- `check_yaml` checks that a file is one YAML document without duplicate keys
  (render reads no values file, but refuses a broken one): `parse_yaml` with
  the data dropped;
- `load_plain` and `load_all_plain` build plain data (last key wins) from what
  other programs wrote: `helm template` output, the argocd/ manifests, Chart.yaml
  files helm reads, the argocd CLI's config.

Every one of them refuses, with an InputError naming the source (exit 2), a
document past these bounds -- before any Python data is built, so that nothing
downstream (render, the policy checks, the secret scan) can hang or overflow:

- size: `MAX_FILE_BYTES` for a file (8 MiB: the largest file here, the
  ApplicationSet CRD, is 1.4 MB), `MAX_HELM_OUTPUT_BYTES` for what one `helm
  template` run prints (64 MiB);
- nesting: `MAX_DEPTH` levels of mappings and sequences (100; the Argo CD CRDs,
  the deepest YAML here, reach 36);
- aliases: a document may reach at most `MAX_ALIASED_NODES` nodes through
  aliases and merge keys (`*name`, `<<: *name`), counting every node of an
  aliased collection each time it is reached, nested aliases multiplied out
  (100,000; a values file that shares a block 50 times reaches a few thousand).
  An alias bomb (each level aliasing the previous one ten times) passes that
  after five levels. An anchor used inside itself is refused outright.
- tags: only the YAML 1.1 tags the safe loader builds (`!!str`, `!!map`...);
  `!!python/...` and custom tags are refused by every command alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from gitops_tool.errors import InputError

# libyaml's safe loader when PyYAML was built with it, else the pure-Python one.
FAST_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_HELM_OUTPUT_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 100
MAX_ALIASED_NODES = 100_000


class LineDict(dict):
    """A dict that remembers the 1-based line of each of its keys."""

    __slots__ = ("line", "lines")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: dict[Any, int] = {}


class _Loader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
    pass


class _PlainLoader(FAST_SAFE_LOADER):  # type: ignore[misc, valid-type]
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


class _Bound(Exception):
    """A document past one of the bounds: what, and the node where it was found."""

    def __init__(self, problem: str, node: yaml.Node | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.node = node


def check_size(text: str | bytes, source: str, limit: int = MAX_FILE_BYTES) -> None:
    """Raise InputError when `text` is larger than `limit` bytes (characters count as at
    least one byte each, so a text is refused no later than its encoding would be)."""
    check_length(len(text), source, limit)


def check_length(size: int, source: str, limit: int = MAX_FILE_BYTES) -> None:
    """Raise InputError when `size` bytes (a file not read yet: a git blob) are past
    `limit`."""
    if size > limit:
        raise InputError(
            f"{source}: larger than {_size(limit)}; gitops-tool refuses to parse it",
            hint="no real file is this big: check what wrote it",
        )


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _error(exc: BaseException, source: str) -> InputError:
    """The InputError for a YAML or bound error in `source`, with line and column."""
    if isinstance(exc, _Bound):
        mark = exc.node.start_mark if exc.node is not None else None
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        return InputError(
            f"{where}: {exc.problem}",
            hint="gitops-tool's YAML bounds are in docs/reliability.md#hostile-input",
        )
    if isinstance(exc, RecursionError):  # the pure-Python composer, without libyaml
        return InputError(f"{source}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        return InputError(
            f"{where}: {problem}",
            hint="fix the YAML syntax (indentation, tabs, quoting, duplicate keys)",
        )
    return InputError(f"{source}: invalid YAML: {exc}")


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


def _shape(root: yaml.Node) -> bool:
    """Walk the document under `root` once: raise _Bound past MAX_DEPTH, or at a tag the
    safe loader refuses; return whether some collection is reached twice (an alias), so
    that the alias budget must be counted. An aliased node is walked once.

    Level by level (the nodes at depth 1, then 2...), so that the depth costs nothing per
    node: this walk runs on every values file of every render."""
    level: list[yaml.Node] = [root]
    seen: set[int] = set()
    shared = False
    depth = 0
    scalar, sequence, safe = yaml.ScalarNode, yaml.SequenceNode, _SAFE_TAGS
    while level:
        depth += 1
        below: list[yaml.Node] = []
        for node in level:
            if node.tag not in safe:
                raise _Bound(f"the tag {_shown_tag(node.tag)} is not allowed (only YAML's own "
                             "tags are: no !!python/... or custom tags)", node)
            if isinstance(node, scalar):
                continue
            if id(node) in seen:
                shared = True
                continue
            if depth > MAX_DEPTH:
                raise _Bound(f"nested deeper than {MAX_DEPTH} levels", node)
            seen.add(id(node))
            if isinstance(node, sequence):
                below += node.value
                continue
            for key_node, value_node in node.value:
                below.append(value_node)
                if key_node.tag not in (_STR, _MERGE):  # a tagged or complex key: walk it too
                    below.append(key_node)
        level = below
    return shared


def _shown_tag(tag: str) -> str:
    return f"!!{tag.removeprefix(_YAML_TAG)}" if tag.startswith(_YAML_TAG) else tag


def _expansion(root: yaml.Node) -> None:
    """Raise _Bound when the document under `root`, with every alias expanded, nests
    deeper than MAX_DEPTH or reaches more than MAX_ALIASED_NODES nodes through aliases;
    or when an anchor is used inside itself. Each distinct node is counted once (sizes
    and depths are kept per node), so this is linear in the text, never in the bomb."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_ids: set[int] = set()
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            open_ids.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            # levels of collections, as _shape counts them: a scalar adds none
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0) if isinstance(
                node, yaml.CollectionNode) else 0
            if depth[key] > MAX_DEPTH:
                raise _Bound(f"nested deeper than {MAX_DEPTH} levels once its aliases are "
                             "expanded", node)
            if size[key] - distinct > MAX_ALIASED_NODES:
                raise _Bound(f"its aliases reach more than {MAX_ALIASED_NODES:,} nodes "
                             "(an alias bomb?)", node)
            continue
        if key in size:
            continue
        if key in open_ids:
            raise _Bound("an anchor is used inside itself (a recursive alias)", node)
        open_ids.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
        for child in children:
            if id(child) in open_ids:
                raise _Bound("an anchor is used inside itself (a recursive alias)", child)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _bounded(node: yaml.Node) -> None:
    """Check `node` against the bounds, raising _Bound past one."""
    if _shape(node):
        _expansion(node)


def parse_yaml(text: str, source: str, limit: int = MAX_FILE_BYTES) -> Any:
    """Parse one YAML document within the bounds; raise InputError naming
    `source:line:col` on bad YAML or a document past them."""
    return _single(_Loader, text, source, limit)  # a SafeLoader subclass: safe


def load_plain(text: str | bytes, source: str, limit: int = MAX_FILE_BYTES) -> Any:
    """One document as plain data (duplicate keys: the last wins, as helm reads it),
    within the bounds; InputError naming `source` otherwise."""
    return _single(_PlainLoader, text, source, limit)


def _single(loader_class: Any, text: str | bytes, source: str, limit: int) -> Any:
    """The one document of `text`, built by `loader_class` once its nodes are within the
    bounds."""
    check_size(text, source, limit)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _bounded(node)
        return loader.construct_document(node)
    except (yaml.YAMLError, _Bound, RecursionError) as exc:
        raise _error(exc, source) from None
    finally:
        loader.dispose()


def load_all_plain(text: str, source: str, limit: int = MAX_FILE_BYTES) -> list[Any]:
    """Every document of a stream (`---`-separated) as plain data, within the bounds
    (the size bound is for the whole stream); InputError naming `source` otherwise."""
    check_size(text, source, limit)
    return list(_documents(text, source))


def _documents(text: str, source: str) -> Iterator[Any]:
    loader = _PlainLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            _bounded(node)
            yield loader.construct_document(node)
    except (yaml.YAMLError, _Bound, RecursionError) as exc:
        raise _error(exc, source) from None
    finally:
        loader.dispose()


def line_of(data: Any, key: Any) -> int | None:
    """The line on which `key` of mapping `data` was written, when known."""
    if isinstance(data, LineDict):
        return data.lines.get(key, data.line or None)
    return None


def check_yaml(
    text: str, source: str, *, mapping: bool = False, limit: int = MAX_FILE_BYTES
) -> None:
    """Raise InputError (`source:line:col: problem`) unless `text` is one YAML document the
    safe loader accepts, within the bounds, without duplicate keys; with `mapping`, its top
    level must also be a mapping (or the file empty), as a values file's must."""
    # No fast path: parse_yaml, as for every other file. The libyaml compose-and-walk kept
    # here before (the precise parse only for a document that might repeat a key) was not
    # needed for the 1,000 x 10 target: bench/render.py's trees, 2 cores, load 2-3, best of
    # 5 (2026-12-02): warm 1.13 s with it, 1.34 s without (target 3 s); cold 1.83 s and
    # 1.93 s. It saved 8 % of this repository's render: 669 M against 727 M instructions
    # (callgrind; the typer + yaml floor is 336 M), 0.110 s against 0.115 s.
    data = parse_yaml(text, source, limit)
    if mapping and data is not None and not isinstance(data, dict):
        raise InputError(f"{source}:1: expected a mapping at the top level")
