"""Git adapter (GitPython): what the repository holds at a given revision.

I/O only: it answers questions about commits and turns GitPython's errors into
"unknown here" rather than deciding anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def missing_at(root: Path, revision: str, paths: Sequence[str]) -> list[str] | None:
    """Which of `paths` (relative to `root`) are absent from the tree of `revision`.

    None when that cannot be known here: `root` is not in a git repository, or the
    revision is not in it (a shallow clone, another repository's commit).
    """
    import git  # GitPython: imported only by the commands that ask

    try:
        repo = git.Repo(root, search_parent_directories=True)
        tree = repo.commit(revision).tree
        prefix = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve())
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.BadName, git.GitError,
            ValueError):
        return None
    missing = []
    for path in paths:
        try:
            tree / (prefix / path).as_posix()
        except KeyError:
            missing.append(path)
    return missing
