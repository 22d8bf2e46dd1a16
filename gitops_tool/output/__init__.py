"""Presentation: one module per verb turning its result into text, tables, JSON or Markdown.
Pure string building; the CLI prints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    """What `-o/--output` may ask for (each command accepts the ones it can produce)."""

    table = "table"
    json = "json"


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
