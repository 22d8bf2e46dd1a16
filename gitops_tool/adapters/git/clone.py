"""The clone gitops-tool commits in: everything promote, rollback, history, `render
--commit` and sync ask of git.

I/O only: the commands decide (what to commit, when to retry, what a conflict is); this turns
git's answers and errors into data and GitError. Every message that may quote a remote URL
goes through `scrub` first: credentials in a remote URL are never printed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import git  # GitPython: this module is imported only by the commands that use git
from gitdb.base import IStream  # GitPython's object database, loaded with it

from gitops_tool.adapters.git.errors import (
    GitIdentityMissing,
    NotARepository,
    NotTopFolder,
    RemoteUnreachable,
    scrub,
    secrets_of,
)
from gitops_tool.adapters.interrupts import ctrl_c_recorded
from gitops_tool.core.promote.push import classify_push, remote_messages, unreachable
from gitops_tool.core.yamldoc import check_length
from gitops_tool.errors import GitError

NETWORK_TIMEOUT = 300.0  # seconds a fetch or push may take before it is killed
_IDENTITY_SIGNS = ("please tell me who you are", "empty ident name", "unable to auto-detect")
# Never prompt (for a password, an editor); never take optional locks (`status` would
# otherwise rewrite the index's stat cache: a --dry-run changes nothing, not even .git/index).
_QUIET_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_MERGE_AUTOEDIT": "no",
    "GIT_OPTIONAL_LOCKS": "0",
}


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One commit as `history` reads it."""

    commit: str
    parent: str  # the first parent; "" for a root commit
    author: str
    date: str  # ISO 8601
    message: str
    merge: bool = False  # more than one parent


class Clone:
    """A git clone whose top folder is the GitOps repository. Use it as a context manager
    (`with open_clone(root) as clone:`): GitPython keeps helper processes until closed."""

    def __init__(self, repo: Any, root: Path) -> None:
        self.repo = repo
        self.root = root
        self._secrets: list[str] | None = None

    # -- plumbing ---------------------------------------------------------------------

    def __enter__(self) -> Clone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.repo.close()

    @property
    def secrets(self) -> list[str]:
        if self._secrets is None:
            found: list[str] = []
            try:
                for remote in self.repo.remotes:
                    for url in remote.urls:
                        found += secrets_of(url)
            except Exception:  # a broken remote section: nothing more to scrub than URLs
                pass
            self._secrets = found
        return self._secrets

    def scrub(self, text: str) -> str:
        return scrub(text, self.secrets)

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        shielded: bool = False,
    ) -> tuple[int, str, str]:
        """Run `git args...` in the clone: (status, stdout, stderr), never raising for a
        non-zero status. `shielded`: in its own session, so that a Ctrl-C at the terminal
        does not kill it halfway (the caller holds the interrupt until it is done)."""
        extra: dict[str, Any] = {"start_new_session": True} if shielded else {}
        try:
            with _interrupts_held() if shielded else contextlib.nullcontext():
                # as_process: we wait ourselves. (GitPython's kill_after_timeout starts a
                # timer thread that a Ctrl-C leaves running, which holds the exit.)
                handle = self.repo.git.execute(
                    ["git", *args], as_process=True, env={**_QUIET_ENV, **(env or {})},
                    **extra,
                )
                proc = handle.proc
                try:
                    out, err = proc.communicate(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    out, err = proc.communicate()
                    err += f"\nfatal: git {args[0]} timed out after {timeout:g}s".encode()
        except OSError as exc:  # git itself is missing, or cannot start
            raise GitError(f"cannot run git: {exc.strerror or exc}",
                           hint="install git and put it on PATH") from None
        return (proc.returncode, (out or b"").decode("utf-8", "replace"),
                (err or b"").decode("utf-8", "replace"))

    def check(self, *args: str, what: str, **kwargs: Any) -> str:
        """`run`, raising GitError (scrubbed) when git fails; its stdout otherwise."""
        status, out, err = self.run(*args, **kwargs)
        if status != 0:
            raise self.error(what, err)
        return out

    def error(self, what: str, stderr: str) -> GitError:
        lines = [line for line in self.scrub(stderr).strip().splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) if lines else "no message"
        lowered = stderr.lower()
        if any(sign in lowered for sign in _IDENTITY_SIGNS):
            return GitIdentityMissing(
                f"git has no author identity to commit with ({detail})",
                hint="set one: git config user.name 'Your Name'; git config user.email "
                "you@example.com (or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL and GIT_COMMITTER_*)",
            )
        return GitError(f"git: {what} failed: {detail}",
                        hint="fix what git says, then run the same command again")

    # -- the working tree -------------------------------------------------------------

    def changed_paths(self, paths: Sequence[str] = ()) -> list[str]:
        """Modified, staged, deleted and untracked files (under `paths`, default all),
        relative to the repository."""
        out = self.check("status", "--porcelain=v1", "-z", "--untracked-files=all",
                         "--", *(paths or ["."]), what="status")
        entries = out.split("\0")
        found, i = [], 0
        while i < len(entries):
            entry = entries[i]
            if len(entry) > 3:
                found.append(entry[3:])
                if entry[0] in "RC":  # a rename: the next entry is its source
                    i += 1
            i += 1
        return sorted(set(found))

    def branch(self) -> str | None:
        """The branch HEAD is on; None when HEAD is detached."""
        status, out, _ = self.run("symbolic-ref", "-q", "--short", "HEAD")
        return out.strip() if status == 0 else None

    def upstream(self, branch: str) -> tuple[str, str] | None:
        """(remote, branch on the remote) that `branch` pushes to and pulls from, if set."""
        reader = self.repo.config_reader()
        section = f'branch "{branch}"'
        if not reader.has_section(section):
            return None
        try:
            remote = str(reader.get_value(section, "remote"))
            merge = str(reader.get_value(section, "merge"))
        except Exception:  # no such option
            return None
        if remote == "." or not merge.startswith("refs/heads/"):
            return None
        return remote, merge[len("refs/heads/"):]

    def remotes(self) -> dict[str, str]:
        """Remote name -> its URL, scrubbed."""
        return {r.name: self.scrub(next(iter(r.urls), "")) for r in self.repo.remotes}

    def remote_urls(self) -> dict[str, str]:
        """Remote name -> its URL as configured (for matching only: never print these)."""
        return {r.name: next(iter(r.urls), "") for r in self.repo.remotes}

    # -- commits ----------------------------------------------------------------------

    def rev(self, revision: str) -> str | None:
        """The commit `revision` names, or None."""
        status, out, _ = self.run("rev-parse", "-q", "--verify", f"{revision}^{{commit}}")
        return out.strip() if status == 0 else None

    def is_ancestor(self, older: str, newer: str) -> bool:
        status, _, _ = self.run("merge-base", "--is-ancestor", older, newer)
        return status == 0

    def commits_between(self, base: str, tip: str) -> list[tuple[str, str]]:
        """(commit, message) of the commits in `tip` but not in `base`, oldest first."""
        out = self.check("log", "--reverse", "--format=%H%x00%B%x1e", f"{base}..{tip}",
                         what="log")
        found = []
        for record in out.split("\x1e"):
            record = record.strip("\n")
            if record:
                sha, _, message = record.partition("\0")
                found.append((sha.strip(), message))
        return found

    def message(self, commit: str) -> str:
        return self.check("log", "-1", "--format=%B", commit, what="log")

    def parents(self, commit: str) -> list[str]:
        return self.check("rev-list", "--parents", "-n1", commit, what="rev-list").split()[1:]

    def file_at(self, revision: str, path: str) -> bytes | None:
        """The content of `path` at `revision`, or None when it has no such file; InputError
        when it is past the size bound of every YAML file gitops-tool reads (it is not read)."""
        try:
            blob = self.repo.commit(revision).tree / path
        except (KeyError, ValueError, git.BadName, git.BadObject):
            return None
        if blob.type != "blob":
            return None
        check_length(blob.size, f"{path} at {revision[:12]}")  # the bound of every YAML read
        return blob.data_stream.read()

    def files_at(self, revision: str, folder: str) -> dict[str, bytes]:
        """Every file under `folder` (`argocd/`) at `revision`: path -> content."""
        try:
            tree = self.repo.commit(revision).tree / folder.rstrip("/")
        except KeyError:
            return {}
        return {
            item.path: item.data_stream.read()
            for item in tree.traverse()
            if item.type == "blob"
        }

    def commit_files(self, parent: str, files: Mapping[str, bytes | None], message: str) -> str:
        """A new commit on `parent` whose tree is `parent`'s with `files` written (None:
        removed); the index and the working tree are not touched. Author and committer
        come from git's configuration or the GIT_AUTHOR_*/GIT_COMMITTER_* variables."""
        index = self._git_dir() / f"gitops-tool-index-{os.getpid()}"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            self.check("read-tree", parent, env=env, what="read-tree")
            entries: list[str] = []
            removed: list[str] = []
            for path, data in sorted(files.items()):
                if data is None:
                    removed.append(path)
                    continue
                stored = self.repo.odb.store(IStream("blob", len(data), BytesIO(data)))
                entries += ["--cacheinfo", f"100644,{stored.hexsha.decode()},{path}"]
            if entries:
                self.check("update-index", "--add", *entries, env=env, what="update-index")
            if removed:
                self.check("update-index", "--force-remove", "--", *removed, env=env,
                           what="update-index")
            tree = self.check("write-tree", env=env, what="write-tree").strip()
        finally:
            with contextlib.suppress(FileNotFoundError):
                index.unlink()
        return self.check("commit-tree", tree, "-p", parent, "-m", message.rstrip("\n"),
                          what="commit").strip()

    def tree_of(self, revision: str) -> str:
        return self.check("rev-parse", f"{revision}^{{tree}}", what="rev-parse").strip()

    def _git_dir(self) -> Path:
        return Path(self.repo.git_dir)

    # -- refs and the branch ----------------------------------------------------------

    def fast_forward(self, commit: str) -> None:
        """Move the current branch, its index and working tree to `commit` (a descendant of
        HEAD); shielded from Ctrl-C while git works."""
        self.check("merge", "--ff-only", "-q", commit, shielded=True, what="fast-forward")

    def keep_reset(self, commit: str) -> None:
        """Point the current branch at `commit`, updating the files that differ (refused by
        git if one of them has local changes)."""
        self.check("reset", "-q", "--keep", commit, shielded=True, what="reset --keep")

    def switch(self, branch: str) -> None:
        """Check out `branch` (the working tree must be clean where it differs)."""
        self.check("checkout", "-q", branch, shielded=True, what=f"checkout {branch}")

    def update_ref(self, ref: str, new: str, old: str = "", message: str = "gitops-tool") -> None:
        """Set `ref` to `new` if it is at `old` ("": only if it does not exist yet)."""
        self.check("update-ref", "-m", message, ref, new, old or "0" * 40, shielded=True,
                   what=f"update-ref {ref}")

    def set_ref(self, ref: str, new: str, message: str = "gitops-tool") -> None:
        self.check("update-ref", "-m", message, ref, new, shielded=True,
                   what=f"update-ref {ref}")

    def delete_ref(self, ref: str) -> None:
        self.run("update-ref", "-d", ref, shielded=True)

    def refresh_index(self, paths: Sequence[str]) -> None:
        """The index entries of `paths` set to HEAD's (after the branch moved under files
        already written)."""
        self.check("reset", "-q", "HEAD", "--", *paths, shielded=True, what="reset")

    def set_upstream(self, branch: str, remote: str, remote_branch: str) -> None:
        writer = self.repo.config_writer()
        try:
            writer.set_value(f'branch "{branch}"', "remote", remote)
            writer.set_value(f'branch "{branch}"', "merge", f"refs/heads/{remote_branch}")
        finally:
            writer.release()

    # -- the remote -------------------------------------------------------------------

    def fetch(self, remote: str, branch: str) -> str | None:
        """Fetch `branch` of `remote` into its remote-tracking ref; that ref's commit, or None
        when the remote has no such branch. RemoteUnreachable when it cannot be reached."""
        ref = f"refs/remotes/{remote}/{branch}"
        status, _, err = self.run("fetch", "--quiet", "--no-tags", remote,
                                  f"+refs/heads/{branch}:{ref}", timeout=NETWORK_TIMEOUT)
        if status != 0:
            if "couldn't find remote ref" in err.lower():
                return None
            if unreachable(err) or "timeout" in err.lower():
                raise RemoteUnreachable(
                    f"cannot reach remote {remote!r} ({self.remotes().get(remote, '')}): "
                    f"{self.scrub(err).strip().splitlines()[-1] if err.strip() else 'no answer'}",
                    hint="check the network and the remote's URL, then run again",
                )
            raise self.error(f"fetch from {remote}", err)
        return self.rev(ref)

    def remote_tip(self, remote: str, branch: str,
                   timeout: float = NETWORK_TIMEOUT) -> str | None:
        """The commit `branch` points to on `remote` itself (`git ls-remote`, not the
        remote-tracking ref, which is as old as the last fetch), or None when the remote
        has no such branch. RemoteUnreachable when it cannot be reached; GitError when it
        answers with a failure (a refused credential, no such repository)."""
        ref = f"refs/heads/{branch}"
        status, out, err = self.run("ls-remote", "--quiet", remote, ref, timeout=timeout)
        if status != 0:
            if unreachable(err) or "timed out" in err.lower():
                last = self.scrub(err).strip().splitlines()[-1] if err.strip() else "no answer"
                raise RemoteUnreachable(
                    f"cannot reach remote {remote!r} ({self.remotes().get(remote, '')}): "
                    f"{last}",
                    hint="check the network and the remote's URL, then run again",
                )
            raise self.error(f"ls-remote {remote}", err)
        for line in out.splitlines():
            commit, _, name = line.partition("\t")
            if name == ref:
                return commit
        return None

    def is_branch_name(self, name: str) -> bool:
        """Whether git takes `name`, as written, for a new branch's name (`git check-ref-format
        --branch`): a shorthand git would expand (`@{-1}`) is not one."""
        status, out, _ = self.run("check-ref-format", "--branch", name, timeout=60)
        return status == 0 and out.strip() == name

    def push(self, remote: str, source: str, branch: str) -> tuple[Any, list[str]]:
        """Push `source` (a commit or ref) to `branch` of `remote`, never forced:
        (PushAnswer, the remote's own messages), scrubbed."""
        status, out, err = self.run("push", "--porcelain", remote,
                                    f"{source}:refs/heads/{branch}", timeout=NETWORK_TIMEOUT)
        answer = classify_push(status, out, err)
        scrubbed = type(answer)(answer.outcome, self.scrub(answer.detail))
        return scrubbed, [self.scrub(line) for line in remote_messages(err)]

    def object_at(self, revision: str, path: str) -> str | None:
        """The id of the blob or tree at `path` in `revision` (equal ids: equal contents)."""
        status, out, _ = self.run("rev-parse", "-q", "--verify", f"{revision}:{path}")
        return out.strip() if status == 0 else None

    def export(self, revision: str, paths: Sequence[str], dest: Path) -> None:
        """Write the files under `paths` at `revision` into the folder `dest`."""
        tree = self.repo.commit(revision).tree
        for path in paths:
            try:
                item = tree / path
            except KeyError:
                continue
            blobs = [item] if item.type == "blob" else [
                i for i in item.traverse() if i.type == "blob"
            ]
            for blob in blobs:
                target = dest / blob.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blob.data_stream.read())

    # -- history ----------------------------------------------------------------------

    def log_of(self, path: str, limit: int | None = None) -> list[LogEntry]:
        """The commits that changed `path`, newest first."""
        args = ["log", "--format=%H%x00%P%x00%an <%ae>%x00%aI%x00%B%x1e"]
        if limit:
            args.append(f"-n{limit}")
        out = self.check(*args, "--", path, what="log")
        entries = []
        for record in out.split("\x1e"):
            record = record.strip("\n")
            if not record:
                continue
            sha, parents, author, date, message = record.split("\0", 4)
            parent_list = parents.split()
            entries.append(LogEntry(sha, (parent_list or [""])[0], author, date, message,
                                    merge=len(parent_list) > 1))
        return entries


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) while the block runs, then deliver it: the block (a git command
    in its own session, which the terminal's Ctrl-C does not reach) finishes either way."""
    with ctrl_c_recorded() as received:
        yield
    if received:
        handler = signal.getsignal(signal.SIGINT)  # the one in place before the block
        if handler is signal.default_int_handler:
            raise KeyboardInterrupt
        if callable(handler):
            handler(signal.SIGINT, None)


def open_clone(root: Path) -> Clone:
    """The clone whose top folder is `root`. NotARepository (exit 2) otherwise: NotTopFolder
    when `root` is inside a git repository without being its top folder."""
    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        try:  # only to name the repository `root` is inside, when it is
            repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise NotARepository(
                f"{root} is not a git repository",
                hint="clone the GitOps repository and run gitops-tool in it",
            ) from None
    if repo.bare or repo.working_tree_dir is None or Path(
        repo.working_tree_dir
    ).resolve() != root.resolve():
        top = str(repo.working_tree_dir or "")
        repo.close()
        raise NotTopFolder(
            f"{root} is not the top folder of its git repository ({top or 'a bare one'})",
            hint="keep gitops-tool.yaml at the top of the clone",
            top=top,
        )
    return Clone(repo, root)
