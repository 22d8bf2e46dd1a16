"""An environment's promotions and rollbacks, read back from its file's commits.

Pure: each commit comes with its message and the environment's versions before and after
it (parsed leniently: an old file need not match today's schema). What moved is computed
from the file itself, so a pin moved by hand shows too (kind `edit`); the trailers say
which commits gitops-tool made, from where, and with what gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.plan import ServiceMove, moves_between
from gitops_tool.core.promote.versions import Versions

PROMOTION, ROLLBACK, EDIT, CREATED = "promotion", "rollback", "edit", "created"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    commit: str
    author: str
    date: str  # ISO 8601, the author date
    subject: str
    kind: str  # promotion | rollback | edit (by hand) | created (the file's first commit)
    promotion_id: str
    source: str
    source_revision: str
    gate: str
    rollback_of: str
    old_revision: str
    new_revision: str
    moves: tuple[ServiceMove, ...]


def history_entry(
    commit: str,
    author: str,
    date: str,
    message: str,
    before: Versions | None,
    after: Versions | None,
) -> HistoryEntry | None:
    """One commit that touched the environment file, or None when it moved no version and
    is not gitops-tool's (a change of replicas, a comment)."""
    found = t.parse_trailers(message)
    ours = bool(t.first(found, t.PROMOTION))
    after = after or Versions("")
    moves = moves_between(before, after) if before is not None else ()
    moved = before is None or moves or before.revision != after.revision
    if not moved and not ours:
        return None
    if t.first(found, t.ROLLBACK_OF):
        kind = ROLLBACK
    elif ours:
        kind = PROMOTION
    else:
        kind = EDIT if before is not None else CREATED
    return HistoryEntry(
        commit=commit,
        author=author,
        date=date,
        subject=message.strip().splitlines()[0] if message.strip() else "",
        kind=kind,
        promotion_id=t.first(found, t.PROMOTION),
        source=t.first(found, t.SOURCE),
        source_revision=t.first(found, t.SOURCE_REVISION),
        gate=t.first(found, t.GATE),
        rollback_of=t.first(found, t.ROLLBACK_OF),
        old_revision=before.revision if before is not None else "",
        new_revision=after.revision,
        moves=moves if before is not None else (),
    )
