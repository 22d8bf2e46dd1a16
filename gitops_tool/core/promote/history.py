"""An environment's promotions and rollbacks, read back from its file's commits.

Pure: each commit comes with its message and the environment's versions before and after
it (parsed leniently: an old file need not match today's schema). What moved is computed
from the file itself, so a pin moved by hand shows too (kind `edit`); the trailers say
which commits gitops-tool made, from where, and with what gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.plan import ServiceMove, moves_between
from gitops_tool.core.promote.versions import Versions


class EntryKind(StrEnum):
    PROMOTION = "promotion"
    ROLLBACK = "rollback"
    EDIT = "edit"  # a version moved by hand
    CREATED = "created"  # the file's first commit
    NOT_READ = "not read"  # a version of the file past the YAML bounds (an alias bomb...)


@dataclass(frozen=True, slots=True)
class Version:
    """The environment's versions as one commit has its file: None when it has no file;
    `problem` says why a file that is there was not read (then `versions` is None too)."""

    versions: Versions | None
    problem: str = ""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    commit: str
    author: str
    date: str  # ISO 8601, the author date
    subject: str
    kind: EntryKind
    promotion_id: str
    source: str
    source_revision: str
    gate: str
    rollback_of: str
    old_revision: str
    new_revision: str
    moves: tuple[ServiceMove, ...]
    note: str = ""  # why a version (this one, or the one before) was not read


def history_entry(
    commit: str,
    author: str,
    date: str,
    message: str,
    before: Version,
    after: Version,
) -> HistoryEntry | None:
    """One commit that touched the environment file, or None when it moved no version and
    is not gitops-tool's (a change of replicas, a comment). A version that was not read
    makes no moves: the entry says so instead (kind `not read` for the commit that wrote it;
    a note on the commit after it)."""
    found = t.parse_trailers(message)
    ours = bool(t.first(found, t.PROMOTION))
    entry = {
        "commit": commit, "author": author, "date": date,
        "subject": message.strip().splitlines()[0] if message.strip() else "",
        "promotion_id": t.first(found, t.PROMOTION), "source": t.first(found, t.SOURCE),
        "source_revision": t.first(found, t.SOURCE_REVISION), "gate": t.first(found, t.GATE),
        "rollback_of": t.first(found, t.ROLLBACK_OF),
    }
    if after.problem:
        return HistoryEntry(**entry, kind=EntryKind.NOT_READ, old_revision="",
                            new_revision="", moves=(), note=after.problem)
    now = after.versions or Versions("")
    then = before.versions
    if t.first(found, t.ROLLBACK_OF):
        kind = EntryKind.ROLLBACK
    elif ours:
        kind = EntryKind.PROMOTION
    else:
        kind = EntryKind.EDIT if then is not None or before.problem else EntryKind.CREATED
    if before.problem:  # nothing to compare with: what moved, and the old revision, unknown
        return HistoryEntry(**entry, kind=kind, old_revision="", new_revision=now.revision,
                            moves=(), note=f"the version before it was not read: "
                            f"{before.problem}")
    moves = moves_between(then, now) if then is not None else ()
    moved = then is None or moves or then.revision != now.revision
    if not moved and not ours:
        return None
    return HistoryEntry(**entry, kind=kind,
                        old_revision=then.revision if then is not None else "",
                        new_revision=now.revision, moves=moves if then is not None else ())
