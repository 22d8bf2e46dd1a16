"""A small, deterministic YAML emitter for the data render builds.

Pure and fast: render writes thousands of manifests, and PyYAML's dumper (even
with libyaml) spends most of its time in the Python representer. This emitter
handles only what manifests are made of -- dicts with string keys, lists,
strings, ints, bools and None -- and always produces the same text for the same
data:

- block style, two-space indentation, list items indented under their key;
- mapping keys in one fixed order: `apiVersion`, `kind`, `metadata`, `name`,
  `namespace` first (Kubernetes' conventional order), every other key sorted;
- a string is written plain only when no YAML 1.1 or 1.2 reader could take it
  for anything but that string; otherwise it is double-quoted with escapes
  (ASCII only), or written as a literal block (`|`) when it is multi-line text.

The property `yaml.safe_load(dump(x)) == x` is tested over generated data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FIRST_KEYS = ("apiVersion", "kind", "metadata", "name", "namespace")
_RANK = {key: rank for rank, key in enumerate(FIRST_KEYS)}

# Characters a plain scalar may hold here (a deliberately small, safe set) ...
_WORD = r"[A-Za-z0-9_./=+;~()-]"
# ... starting with a letter, `_`, `/` or `~`, with single `:` or ` ` only between words
# (so never `: `, ` #`, a trailing `:` or a leading indicator).
_PLAIN = re.compile(rf"[A-Za-z_/~(]{_WORD}*(?:[: ]{_WORD}+)*")
# Words YAML 1.1 reads as booleans or null (compared lower-cased; quoting extra is harmless).
_KEYWORDS = frozenset(
    ("y", "n", "yes", "no", "true", "false", "on", "off", "null", "~")
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_LITERAL_LINE = re.compile(r"[\x20-\x7e]*")  # printable ASCII, no tabs


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if 0x20 <= code < 0x7F:
        return char
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _quoted(text: str) -> str:
    return '"' + "".join(_escaped(c) for c in text) + '"'


def _literal_ok(text: str) -> bool:
    """Whether `text` reads back unchanged as a `|` block: printable ASCII lines, one final
    newline, no leading space on the first line, no trailing spaces."""
    if not text.endswith("\n") or text.endswith("\n\n") or text[0] in " \n":
        return False
    return all(
        _LITERAL_LINE.fullmatch(line) and not line.endswith(" ")
        for line in text[:-1].split("\n")
    )


_cache: dict[str, str] = {}


def scalar(text: str) -> str:
    """A one-line YAML rendering of the string `text` (plain or double-quoted)."""
    done = _cache.get(text)
    if done is None:
        plain = _PLAIN.fullmatch(text) and text.lower() not in _KEYWORDS
        done = text if plain else _quoted(text)
        # Multi-line text is not remembered: as a value it may be written as a `|` block.
        if len(_cache) < 100_000 and "\n" not in text:
            _cache[text] = done
    return done


def _value(value: Any, indent: str) -> str:
    """A scalar or empty collection as it follows `key: ` or `- `."""
    if value.__class__ is str:
        if "\n" in value and _literal_ok(value):
            lines = value[:-1].split("\n")
            return "|\n" + "\n".join(indent + line if line else "" for line in lines)
        return scalar(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if value.__class__ is int:
        return str(value)
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as YAML here")


_layouts: dict[tuple[str, ...], list[tuple[str, str]]] = {}


def _layout(mapping: dict, indent: str) -> list[tuple[str, str]]:
    """The keys of `mapping` in writing order, each with its `<indent><key>:` line start.

    Memoised by indent and key set: manifests repeat the same shapes many times.
    """
    shape = (indent, *mapping)
    layout = _layouts.get(shape)
    if layout is None:
        for key in mapping:
            if key.__class__ is not str:
                raise TypeError(f"mapping keys must be strings, got {key!r}")
        order = sorted(mapping, key=lambda k: (_RANK.get(k, len(_RANK)), k))
        layout = [(key, _key_head(indent, scalar(key))) for key in order]
        if len(_layouts) < 10_000:
            _layouts[shape] = layout
    return layout


def _key_head(indent: str, key: str) -> str:
    """`key:`, or the explicit `? key` / `:` form YAML needs for keys over 1024 characters."""
    if len(key) <= 1000:
        return f"{indent}{key}:"
    return f"{indent}? {key}\n{indent}:"


def _block(data: Any, indent: str, out: list[str]) -> None:
    """Append the lines of a non-empty dict or list at `indent`."""
    deeper = indent + "  "
    append = out.append
    cached = _cache.get
    if isinstance(data, dict):
        for key, head in _layout(data, indent):
            value = data[key]
            if value.__class__ is str and (text := cached(value)) is not None:
                append(f"{head} {text}")
            elif value and isinstance(value, _CONTAINERS):
                append(head)
                _block(value, deeper, out)
            else:
                append(f"{head} {_value(value, deeper)}")
        return
    for item in data:
        if item.__class__ is str and (text := cached(item)) is not None:
            append(f"{indent}- {text}")
        elif item and isinstance(item, _CONTAINERS):
            start = len(out)
            _block(item, deeper, out)
            out[start] = f"{indent}- {out[start][len(deeper):]}"
        else:
            append(f"{indent}- {_value(item, deeper)}")


_CONTAINERS = (dict, list)


def dump(data: Any) -> str:
    """One YAML document (no `---`), ending with a newline."""
    if data and isinstance(data, _CONTAINERS):
        out: list[str] = []
        _block(data, "", out)
        out.append("")
        return "\n".join(out)
    return _value(data, "  ") + "\n"


def dump_all(documents: Iterable[Any]) -> str:
    """Several documents separated by `---`."""
    return "---\n".join(dump(d) for d in documents)


def comment(lines: Iterable[str]) -> str:
    """`# ` comment lines, for a file header."""
    return "".join(f"# {line}\n".replace("# \n", "#\n") for line in lines)
