"""Read-only questions about the repository's history: what a revision holds, and the
committed versions of a file. Each answers "unknown here" (None) rather than failing where
git cannot tell (no repository, a shallow clone, another repository's commit)."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path

from gitops_tool.core.drift.stages import FileVersion
from gitops_tool.core.yamldoc import MAX_FILE_BYTES
from gitops_tool.errors import GitError


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


def file_history(root: Path, path: str) -> Generator[FileVersion, None, None] | None:
    """The committed versions of `path` (relative to `root`) on HEAD's first-parent line,
    newest first: each commit that changed it, with its committer date and the file's text
    (None where the commit deleted it). Lazy: the caller stops reading when it knows enough.

    None when that cannot be known here: `root` is not in a git repository, or HEAD has no
    commit yet. The oldest version a shallow clone holds is marked `cut`.
    """
    import git  # GitPython: imported only by the commands that ask

    try:
        repo = git.Repo(root, search_parent_directories=True)
        head = repo.head.commit
        prefix = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve())
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.BadName, git.GitError,
            ValueError, TypeError):
        return None
    rel = (prefix / path).as_posix()
    shallow_file = Path(repo.common_dir) / "shallow"
    cut = set(shallow_file.read_text().split()) if shallow_file.is_file() else set()

    def versions() -> Generator[FileVersion, None, None]:
        try:
            for commit in repo.iter_commits(head, paths=rel, first_parent=True):
                unread = False
                try:
                    blob = commit.tree / rel
                    unread = blob.size > MAX_FILE_BYTES  # past the size bound: not read
                    text: str | None = None if unread else \
                        blob.data_stream.read().decode("utf-8", errors="replace")
                except KeyError:
                    text = None
                yield FileVersion(commit.hexsha, commit.committed_datetime, text,
                                  cut=commit.hexsha in cut, unread=unread)
        except git.GitError as exc:
            raise GitError(f"{rel}: cannot read its git history: {exc}",
                           hint="check the repository with `git log -- " + rel + "`") from exc
        finally:
            repo.close()

    return versions()


def tracked_files(root: Path, path: str) -> list[str] | None:
    """The files git tracks under `path` (relative to `root`, which may be a folder of the
    repository); None when `root` is not in a git repository."""
    import git  # GitPython: imported only when this is asked

    try:
        repo = git.Repo(root, search_parent_directories=True)
        prefix = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve())
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitError, ValueError,
            TypeError):
        return None
    try:
        listed = repo.git.ls_files("-z", "--", (prefix / path).as_posix())
    except git.GitError:
        return None
    finally:
        repo.close()
    return [name for name in listed.split("\0") if name]
