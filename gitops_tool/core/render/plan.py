"""The write plan of a render run, and its drift as a unified diff.

Pure: compares the files render produces with what the output folder holds
(read by the writer adapter) and decides, before anything is touched, which
files to write, which are unchanged and which to remove.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from gitops_tool.errors import InputError


@dataclass(frozen=True, slots=True)
class WritePlan:
    """What applying a rendering changes; paths are repository-relative."""

    write: tuple[tuple[str, bytes], ...]  # new or changed files, with their new content
    unchanged: tuple[str, ...]
    remove: tuple[str, ...]  # files in owned folders that render does not produce
    new: frozenset[str]  # the paths in `write` that do not exist yet

    @property
    def changed(self) -> bool:
        """Whether applying the plan would change anything (drift, for --check)."""
        return bool(self.write or self.remove)


def _owned(path: str, owned: tuple[str, ...]) -> bool:
    return path.startswith(owned)


def plan_for(
    files: Mapping[str, str], owned: tuple[str, ...], existing: Mapping[str, bytes | None]
) -> WritePlan:
    """Compare rendered `files` with `existing` (every entry under the `owned` folders;
    None for what is not a regular file, such as a symlink; folders as `path/` -> None)."""
    for path in files:
        if not _owned(path, owned):
            raise ValueError(f"{path} is outside the folders this render owns")  # a bug
        if f"{path}/" in existing:
            raise InputError(
                f"a folder stands where render writes a file: {path}; remove it",
                hint=f"remove the folder {path} (and what it holds) and render again",
            )
        parent = path.rpartition("/")[0]
        while parent:
            if parent in existing:
                raise InputError(
                    f"{parent}: a file or link stands where render writes a folder",
                    hint=f"remove {parent} and render again",
                )
            parent = parent.rpartition("/")[0]
    write: list[tuple[str, bytes]] = []
    unchanged: list[str] = []
    for path in sorted(files):
        data = files[path].encode("utf-8")
        if existing.get(path) == data:
            unchanged.append(path)
        else:
            write.append((path, data))
    remove = sorted(
        p for p in existing if p not in files and not p.endswith("/") and _owned(p, owned)
    )
    return WritePlan(
        write=tuple(write),
        unchanged=tuple(unchanged),
        remove=tuple(remove),
        new=frozenset(p for p, _ in write if p not in existing),
    )


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return ["(not a regular file)\n"]
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def diff_for(plan: WritePlan, existing: Mapping[str, bytes | None]) -> str:
    """A unified diff from what the output folder holds to what render produces."""
    chunks: list[str] = []
    changes = [(p, d) for p, d in plan.write] + [(p, None) for p in plan.remove]
    for path, data in sorted(changes, key=lambda change: change[0]):
        before = [] if path in plan.new else _lines(existing.get(path))
        after = [] if data is None else _lines(data)
        old = "/dev/null" if path in plan.new else f"a/{path}"
        new = "/dev/null" if data is None else f"b/{path}"
        for line in difflib.unified_diff(before, after, old, new):
            if not line.endswith("\n"):
                line += "\n\\ No newline at end of file\n"
            chunks.append(line)
    return "".join(chunks)
