"""`history ENV`: the promotions and rollbacks of ENV, read back from git.

Every commit that changed environments/ENV.yaml, newest first; what moved is computed from
the file before and after each commit, the rest (id, source, gate, rollback) comes from the
trailers gitops-tool wrote. Commits that moved no version and are not gitops-tool's (a
change of replicas, a comment) are left out. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files
from gitops_tool.core.names import environment_file
from gitops_tool.core.promote.history import HistoryEntry, Version, history_entry
from gitops_tool.core.promote.trailers import is_ours, parse_trailers
from gitops_tool.core.promote.versions import Versions, versions_in
from gitops_tool.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone

LIMIT = 20


@dataclass(frozen=True, slots=True)
class HistoryOptions:
    root: Path
    environment: str
    limit: int = LIMIT  # 0: all


@dataclass(frozen=True, slots=True)
class HistoryResult:
    environment: str
    entries: tuple[HistoryEntry, ...]
    more: bool  # older entries exist beyond the limit

    exit_code: int = EXIT_OK


def version_at(clone: Clone, revision: str, path: str) -> Version:
    """The versions in `path` at `revision` (leniently); none when it has no such file, or
    one that is not YAML or past the bounds (then the problem says which)."""
    try:
        data = clone.file_at(revision, path) if revision else None
        return Version(None if data is None else versions_in(data, path))
    except InputError as exc:
        return Version(None, exc.message)


def versions_at(clone: Clone, revision: str, path: str) -> Versions | None:
    """The versions in `path` at `revision`, or None (no file, or one not read)."""
    return version_at(clone, revision, path).versions


def entries_of(clone: Clone, environment: str, limit: int = 0) -> tuple[list[HistoryEntry], bool]:
    """ENV's history entries, newest first, at most `limit` (0: all); and whether more
    exist."""
    rel = environment_file(environment)
    found: list[HistoryEntry] = []
    for commit in clone.log_of(rel):
        if commit.merge and not is_ours(parse_trailers(commit.message)):
            continue  # a merge (of a pull request's branch): the commits it brings are listed
        entry = history_entry(
            commit.commit, commit.author, commit.date, commit.message,
            version_at(clone, commit.parent, rel), version_at(clone, commit.commit, rel),
        )
        if entry is None:
            continue
        if limit and len(found) == limit:
            return found, True
        found.append(entry)
    return found, False


def run(options: HistoryOptions) -> HistoryResult:
    from gitops_tool.adapters.git.clone import open_clone

    files.check_environment_names(options.root, [options.environment])
    if options.limit < 0:
        raise InputError("-n must be 0 (all) or more", hint="-n 10 shows the ten newest")
    with open_clone(options.root) as clone:
        entries, more = entries_of(clone, options.environment, options.limit)
    return HistoryResult(options.environment, tuple(entries), more)
