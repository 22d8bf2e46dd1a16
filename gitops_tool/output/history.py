"""Presentation of `history`: the text listing and the JSON document. Strings only."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from gitops_tool.core.promote.history import EntryKind
from gitops_tool.output import to_json
from gitops_tool.output.promote import short

if TYPE_CHECKING:
    from gitops_tool.commands.history import HistoryResult
    from gitops_tool.core.promote.history import HistoryEntry

NONE = "(none)"  # the side of a move where the pin did not exist


def _what(entry: HistoryEntry) -> str:
    if entry.kind is EntryKind.NOT_READ:
        return f"a version gitops-tool does not read: {entry.note}"
    if entry.kind is EntryKind.ROLLBACK:
        what = f"rollback {entry.promotion_id} of {entry.rollback_of}"
    elif entry.kind is EntryKind.PROMOTION:
        gate = f", gate {entry.gate}" if entry.gate else ""
        source = f"from {entry.source} ({short(entry.source_revision)})" if entry.source else ""
        what = f"promotion {entry.promotion_id} {source}{gate}".rstrip()
    else:
        what = "edited by hand" if entry.kind is EntryKind.EDIT else "file created"
    return f"{what} ({entry.note})" if entry.note else what


def history_text(result: HistoryResult) -> str:
    if not result.entries:
        return f"{result.environment}: no promotion or rollback in git yet"
    lines = []
    for entry in result.entries:
        lines.append(f"{entry.commit[:12]}  {entry.date}  {entry.author}")
        lines.append(f"    {_what(entry)}")
        lines.append(f"    {entry.subject}")
        known = entry.kind is not EntryKind.CREATED and not entry.note  # a side not read
        if entry.old_revision != entry.new_revision and known:
            lines.append(f"    source.revision: {short(entry.old_revision)} -> "
                         f"{short(entry.new_revision)}")
        for move in entry.moves:
            if move.image_moves:  # a pin added (a new chart) had no image before
                lines.append(f"    {move.service}: {move.old_image or NONE} -> "
                             f"{move.new_image or NONE}")
            elif move.revision_moves and move.old_revision != entry.old_revision:
                lines.append(f"    {move.service}: chart {short(move.old_revision)} -> "
                             f"{short(move.new_revision)}")
        lines.append("")
    if result.more:
        lines.append("(older entries: -n 0 shows all)")
    return "\n".join(lines).rstrip("\n")


def history_json(result: HistoryResult) -> str:
    return to_json({
        "command": "history",
        "exit_code": result.exit_code,
        "environment": result.environment,
        "more": result.more,
        "entries": [asdict(e) for e in result.entries],
    })
