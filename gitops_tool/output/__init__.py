"""Presentation: one module per verb turning its result into text, tables, JSON or Markdown.
Pure string building; the CLI prints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    """What `-o/--output` may ask for. One enum for every command: each command offers the
    members it can produce (`cli.app.output_option`), and `guarded` prints errors as the
    `json` member asks (`error_json`)."""

    text = "text"
    table = "table"
    json = "json"
    markdown = "markdown"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain, aligned text table (no colour, so it reads the same in CI logs)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    return "\n".join(lines)


def to_json(data: Any) -> str:
    """Stable, indented JSON for machines."""
    return json.dumps(data, indent=2, sort_keys=True, default=str)


def error_json(message: str, hint: str, exit_code: int) -> str:
    """The one JSON shape of a failed command (bad input, an external failure, Ctrl-C):
    what every `-o json` run prints on stdout when it has no result to print."""
    return to_json({"error": message, "hint": hint, "exit_code": exit_code})
