"""The git path promote, rollback and `render --commit` share: one commit, then a push that
loses nothing.

- **Before anything**: the working tree must be clean (untracked files included) and HEAD on
  a branch. With a push, the branch's upstream is fetched first: a branch behind it is
  fast-forwarded; commits of ours that were never pushed (a refused push, a Ctrl-C, an
  unreachable remote) are pushed along; anyone else's unpushed commits stop the run (but
  `render --commit`, whose commit renders them, carries them).
- **The commit** is built from memory with git's plumbing (a temporary index, `commit-tree`):
  nothing in the working tree or the index changes until it exists. Then the branch is
  fast-forwarded to it (or, with `--branch`, a new branch is created at it), with Ctrl-C
  held until git is done: a Ctrl-C lands before the commit (nothing changed) or after it
  (the commit stays; a re-run pushes it).
- **The push** is never forced. When the remote moved, the remote is fetched and each
  commit of ours is *made again* on its new head from what it means (an `Intent`: these
  values of this environment file, or argocd/ as render makes it), never by a text merge;
  a value someone else moved meanwhile is a conflict: our commit is kept on
  `refs/gitops-tool/backup/<id>`, the branch is left at the remote's head, clean, and the
  run stops (exit 3). A push the remote refuses (a hook, a protected branch) keeps the
  commit for a re-run. Attempts are bounded, with backoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters.git.errors import RemoteUnreachable
from gitops_tool.commands.prepare import Intent, Prepared, intent_of, prepare
from gitops_tool.core.names import environment_file
from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.plan import Conflict
from gitops_tool.core.promote.push import PushOutcome
from gitops_tool.core.wording import agreeing, plural
from gitops_tool.errors import EXIT_FOUND, GitError, GitopsError, InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone

ATTEMPTS = 5  # pushes, in all, before giving up on a remote that keeps moving
UNREACHABLE_ATTEMPTS = 3  # fetches or pushes, in all, before giving up on an unreachable remote
BACKOFF = 0.5  # seconds before the 2nd attempt; doubled each time
BACKOFF_MAX = 8.0
BACKUP_PREFIX = "refs/gitops-tool/backup/"
SHOW_PATHS = 20


class PromotionConflict(GitError):
    """Someone else changed a value we change, on the remote: nothing is merged."""


class PushRefused(GitError):
    """The remote refused the push by policy (a hook, a protected branch)."""


class SourceMoved(GitopsError):
    """SOURCE changed on the remote while we pushed, and no longer passes the gate."""

    exit_code = EXIT_FOUND


def _ignore(_line: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class GitDeps:
    """What the git commands get from their environment: progress lines and sleep."""

    notify: Callable[[str], None] = _ignore
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True, slots=True)
class Landing:
    """Where the commit goes: the current branch (pushed to its upstream or not), or a new
    branch pushed to `remote`."""

    branch: str  # the local branch HEAD is on
    push: bool
    remote: str = ""
    remote_branch: str = ""
    new_branch: str = ""  # --branch NAME


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """What `catch_up` did before the commit: the branch's commits not on the remote yet
    (oldest first), which the push carries along, and where the branch was fast-forwarded
    to when it was behind ("" when it was not moved)."""

    pending: tuple[tuple[str, str], ...] = ()
    fast_forwarded: str = ""  # the upstream's commit the branch was moved to

    def notes(self, landing: Landing) -> tuple[str, ...]:
        """What a result says of it: a branch moved although nothing may be committed."""
        if not self.fast_forwarded:
            return ()
        return (f"{landing.branch} was behind {landing.remote}/{landing.remote_branch}: "
                f"fast-forwarded to {self.fast_forwarded[:12]} before the plan was made",)


@dataclass(frozen=True, slots=True)
class Published:
    commit: str  # our commit ("" when there was nothing to commit)
    branch: str  # the local branch it is on
    remote: str = ""
    remote_branch: str = ""
    pushed: bool = False
    pushed_commits: tuple[str, ...] = ()  # every commit of ours the push carried
    moved: int = 0  # how many times the remote moved under us


# -- before anything -----------------------------------------------------------------------


def on_branch(clone: Clone) -> str:
    """The branch HEAD is on; InputError when HEAD is detached."""
    branch = clone.branch()
    if branch is None:
        head = clone.rev("HEAD") or "(no commit)"
        raise InputError(
            f"HEAD is detached at {head[:12]}: gitops-tool commits only on a branch",
            hint="check out the branch to commit on (git switch main), then run again",
        )
    return branch


def require_clean(clone: Clone, but: Sequence[str] = (), why: str = "") -> None:
    """InputError listing every changed or untracked file (outside the folders `but`)."""
    changed = [p for p in clone.changed_paths() if not p.startswith(tuple(but))]
    if not changed:
        return
    shown = "\n".join(f"  {p}" for p in changed[:SHOW_PATHS])
    more = f"\n  ... and {len(changed) - SHOW_PATHS} more" if len(changed) > SHOW_PATHS else ""
    raise InputError(
        f"the working tree has uncommitted changes{why}:\n{shown}{more}",
        hint="commit or stash them (git stash -u), then run again; nothing was changed",
    )


def upstream_of(clone: Clone, branch: str) -> tuple[str, str]:
    """(remote, remote branch) `branch` pushes to; InputError when it has none."""
    found = clone.upstream(branch)
    if found is None:
        raise InputError(
            f"branch {branch!r} has no upstream to push to",
            hint=f"set one (git push -u origin {branch}, or git branch --set-upstream-to "
            f"origin/{branch}), or run without --push",
        )
    return found


def catch_up(
    clone: Clone, landing: Landing, deps: GitDeps, *, carry_others: bool = False
) -> CaughtUp:
    """Before committing with a push: fetch the upstream and fast-forward a branch that is
    behind it (the plan is made on the remote's head). The branch's commits not on the
    remote yet are carried along by the push. Those must be our own (a push refused or
    interrupted earlier): anyone else's unpushed commits are theirs to push, an InputError,
    unless `carry_others` (`render --commit`, whose commit renders them). A branch that has
    diverged from the remote may hold only our own commits (they are made again on the
    remote's head)."""
    if not landing.remote or not landing.remote_branch:
        return CaughtUp()
    deps.notify(f"fetching {landing.remote}/{landing.remote_branch} ...")
    tip = fetch(clone, landing.remote, landing.remote_branch, deps)
    if tip is None:
        return CaughtUp()
    head = clone.rev("HEAD") or ""
    if head == tip:
        return CaughtUp()
    if clone.is_ancestor(head, tip):
        deps.notify(f"{landing.branch} was behind {landing.remote}/{landing.remote_branch}: "
                    f"fast-forwarded to {tip[:12]}")
        clone.fast_forward(tip)
        return CaughtUp(fast_forwarded=tip)
    pending = clone.commits_between(tip, head)
    foreign = _foreign_in(pending)
    upstream = f"{landing.remote}/{landing.remote_branch}"
    if foreign and not clone.is_ancestor(tip, head):
        raise InputError(
            f"{landing.branch} and {upstream} have diverged, and {landing.branch} has "
            f"{plural(len(foreign), 'commit')} gitops-tool did not make (first: "
            f"{foreign[0][:12]})",
            hint=f"git pull --rebase {landing.remote} {landing.remote_branch} and push those "
            "commits yourself, then run again; nothing was changed",
        )
    if foreign and not carry_others:
        first = dict(pending)[foreign[0]].strip().splitlines()
        raise InputError(
            f"{landing.branch} has {plural(len(foreign), 'commit')} not on {upstream} that "
            "gitops-tool "
            f"did not make (first: {foreign[0][:12]} {first[0] if first else ''}); it pushes "
            "only its own commits",
            hint=f"push them yourself first (git push {landing.remote} "
            f"{landing.branch}:{landing.remote_branch}), or move them to another branch "
            f"(git branch keep-mine; git reset --keep {upstream}), then run again; nothing "
            "was changed",
        )
    if pending:
        deps.notify(f"{landing.branch} has {plural(len(pending), 'commit')} not on "
                    f"{landing.remote}/{landing.remote_branch} yet: the push carries them along")
    return CaughtUp(pending=tuple(pending))


def fetch(clone: Clone, remote: str, branch: str, deps: GitDeps) -> str | None:
    """`clone.fetch`, tried again (with backoff) while the remote cannot be reached."""
    for attempt in range(1, UNREACHABLE_ATTEMPTS + 1):
        try:
            return clone.fetch(remote, branch)
        except RemoteUnreachable as exc:
            if attempt == UNREACHABLE_ATTEMPTS:
                raise RemoteUnreachable(
                    f"{exc.message} (tried {UNREACHABLE_ATTEMPTS} times)", hint=exc.hint
                ) from None
            deps.notify(f"{exc.message}; trying again")
            deps.sleep(_backoff(attempt))
    raise AssertionError("unreachable")


def _foreign_in(pending: Sequence[tuple[str, str]]) -> list[str]:
    return [sha for sha, message in pending if not t.is_ours(t.parse_trailers(message))]


# -- the commit and the push -----------------------------------------------------------------


def land(
    clone: Clone,
    root: Path,
    intent: Intent,
    prepared: Prepared,
    landing: Landing,
    pending: Sequence[tuple[str, str]],
    deps: GitDeps,
) -> Published:
    """Commit `prepared` (unless empty) where `landing` says, then push if asked."""
    commit = ""
    try:
        if not prepared.empty:
            head = clone.rev("HEAD") or ""
            made = clone.commit_files(head, prepared.files, intent.message)
            commit = made  # from here on (Ctrl-C is held while git moves the branch) it stays
            if landing.new_branch:
                commit = _on_new_branch(clone, landing.new_branch, made, head)
            else:
                clone.fast_forward(made)
        elif landing.new_branch and pending and clone.rev(
                f"refs/heads/{landing.new_branch}") is None:
            # nothing new, but our unpushed commits: the pull request's branch carries them
            clone.set_ref(f"refs/heads/{landing.new_branch}", clone.rev("HEAD") or "",
                          "gitops-tool: a branch for the pending promotion")
        if not landing.push:
            return Published(commit, landing.branch)
        return push(clone, root, landing, commit, pending, intent, deps)
    except KeyboardInterrupt:
        where = landing.new_branch or landing.branch
        if commit and clone.is_ancestor(commit, f"refs/heads/{where}"):
            deps.notify(f"interrupted before the push: commit {commit[:12]} stays on {where}; "
                        "run the same command again to push it")
        raise


def _on_new_branch(clone: Clone, name: str, made: str, head: str) -> str:
    ref = f"refs/heads/{name}"
    existing = clone.rev(ref)
    if existing is not None:
        if clone.tree_of(existing) == clone.tree_of(made) and clone.parents(existing) == [head]:
            return existing  # a re-run: the same commit is waiting there to be pushed
        raise InputError(
            f"branch {name!r} exists already",
            hint="choose another --branch NAME, or delete that branch",
        )
    clone.update_ref(ref, made, "", message=f"gitops-tool: {name}")
    return made


def push(
    clone: Clone,
    root: Path,
    landing: Landing,
    commit: str,
    pending: Sequence[tuple[str, str]],
    intent: Intent,
    deps: GitDeps,
) -> Published:
    """Push the branch, making our commits again on the remote's head each time it moved."""
    source = landing.new_branch or landing.branch
    remote, remote_branch = landing.remote, landing.new_branch or landing.remote_branch
    backups: list[str] = []
    moved = unreachable = 0
    for attempt in range(1, ATTEMPTS + 1):
        deps.notify(f"pushing {source} to {remote}/{remote_branch} ...")
        answer, messages = clone.push(remote, f"refs/heads/{source}", remote_branch)
        if answer.outcome in (PushOutcome.PUSHED, PushOutcome.UP_TO_DATE):
            for ref in backups:
                clone.delete_ref(ref)
            if landing.new_branch:  # the pull-request flow: `gh pr create` finds it checked out
                clone.set_upstream(landing.new_branch, remote, remote_branch)
                clone.switch(landing.new_branch)
            head = clone.rev(f"refs/heads/{source}") or ""
            carried = tuple(sha for sha, _ in pending) + ((commit,) if commit else ())
            return Published(head if commit else "", source, remote, remote_branch,
                             True, carried, moved)
        remote_says = "\n".join(f"  remote: {line}" for line in messages)
        kept = (
            f"commit {commit[:12]} stays on {source}" if commit else
            f"{source} keeps its {plural(len(pending), 'unpushed commit')}"
        )
        if backups:  # made again on the remote's head: what we first made is kept apart
            kept += f" (made again on {remote}/{remote_branch}; as first made, on " \
                    f"{', '.join(dict.fromkeys(backups))})"
        if answer.outcome is PushOutcome.REFUSED:
            raise PushRefused(
                f"{remote} refused the push to {remote_branch}: {answer.detail}"
                + (f"\n{remote_says}" if remote_says else ""),
                hint=f"{kept}; fix what the remote asks for, then run the same command "
                "again to push it (no second commit is made)",
            )
        if answer.outcome is PushOutcome.UNREACHABLE:
            unreachable += 1
            if unreachable < UNREACHABLE_ATTEMPTS:
                deps.notify(f"cannot reach {remote} ({answer.detail}); trying again")
                deps.sleep(_backoff(unreachable))
                continue
            raise RemoteUnreachable(
                f"cannot reach {remote} (tried {UNREACHABLE_ATTEMPTS} times): {answer.detail}",
                hint=f"{kept}; run the same command again when the remote is back",
            )
        if answer.outcome is PushOutcome.MOVED and landing.new_branch:
            raise GitError(
                f"{remote} already has a branch {remote_branch} with other commits",
                hint="choose another --branch NAME",
            )
        if answer.outcome is PushOutcome.FAILED or attempt == ATTEMPTS:
            raise GitError(
                f"push to {remote}/{remote_branch} failed: {answer.detail}"
                + (f"\n{remote_says}" if remote_says else ""),
                hint=f"{kept}; run the same command again to push it",
            )
        moved += 1
        ours = len(pending) + (1 if commit else 0)
        deps.notify(f"{remote}/{remote_branch} moved meanwhile: making our "
                    f"{agreeing(ours, 'commit', 'commits')} again on its new head")
        commit, pending, new_backups = _again_on_remote(
            clone, root, landing, intent, commit, deps
        )
        backups += new_backups
        deps.sleep(_backoff(attempt))
    raise AssertionError("unreachable")  # the loop returns or raises


def _again_on_remote(
    clone: Clone, root: Path, landing: Landing, intent: Intent, commit: str, deps: GitDeps
) -> tuple[str, tuple[tuple[str, str], ...], list[str]]:
    """Fetch; keep each of our unpushed commits on a backup ref; move the branch to the
    remote's head; make each commit again there from its intent. Returns our commit made
    again, the earlier ones made again, and the backup refs."""
    tip = fetch(clone, landing.remote, landing.remote_branch, deps)
    if tip is None:
        raise GitError(f"{landing.remote}/{landing.remote_branch} disappeared while pushing",
                       hint="the branch was deleted on the remote; recreate it, or push "
                       "elsewhere (--branch)")
    head = clone.rev("HEAD") or ""
    ours = clone.commits_between(tip, head)
    foreign = _foreign_in(ours)
    if foreign:
        raise GitError(
            f"{landing.remote}/{landing.remote_branch} moved meanwhile, and {landing.branch} "
            f"carries {plural(len(foreign), 'commit')} gitops-tool did not make (first: "
            f"{foreign[0][:12]}), which it does not rebase; nothing was pushed",
            hint=f"git pull --rebase {landing.remote} {landing.remote_branch}, then run the same "
            "command again (our commit stays where it is)",
        )
    backups = []
    for sha, message in ours:
        ref = BACKUP_PREFIX + (_id_of(message) or sha)
        clone.set_ref(ref, sha, message="gitops-tool: backup before making it again")
        backups.append(ref)
    clone.keep_reset(tip)
    if not backups:  # the remote has all of ours already
        return "", (), backups
    # From here on our commits are on the backup refs only, until made again: whatever
    # stops the run says where they are and how to put them back.
    kept = _kept_apart(landing, backups, tip)
    try:
        return _remade(clone, root, landing, intent, commit, ours, backups, tip, deps)
    except GitopsError as exc:
        if backups[-1] not in exc.hint:
            exc.hint = f"{exc.hint.rstrip('. ')}; {kept}"
        raise
    except KeyboardInterrupt:
        deps.notify(f"interrupted: {kept}")
        raise


def _kept_apart(landing: Landing, backups: Sequence[str], tip: str) -> str:
    refs = ", ".join(dict.fromkeys(backups))
    return (f"our commit is kept on {refs} (git show {backups[-1]}), and {landing.branch} "
            f"is at {landing.remote}/{landing.remote_branch} ({tip[:12]}): run the same "
            f"command again once that is fixed, or `git reset --keep {backups[-1]}` to put "
            f"our commit back on {landing.branch}")


def _remade(
    clone: Clone, root: Path, landing: Landing, intent: Intent, commit: str,
    ours: Sequence[tuple[str, str]], backups: list[str], tip: str, deps: GitDeps,
) -> tuple[str, tuple[tuple[str, str], ...], list[str]]:
    """Each of `ours` made again, in order, on the remote's head `tip` (HEAD now)."""
    remade: list[tuple[str, str]] = []
    new_commit = ""
    for sha, message in ours:
        this = intent if sha == commit else intent_of(clone, sha, message)
        if this.recheck is not None:
            this.recheck(clone, tip)
        prepared = prepare(clone, root, this)
        if prepared.conflicts:
            clone.keep_reset(tip)
            raise _conflict(landing, this, prepared.conflicts, backups, tip)
        if prepared.empty:
            deps.notify(f"{sha[:12]}: the remote already has its changes")
            continue
        made = clone.commit_files(clone.rev("HEAD") or "", prepared.files, this.message)
        clone.fast_forward(made)
        if sha == commit:
            new_commit = made
        else:
            remade.append((made, this.message))
    return new_commit, tuple(remade), backups


def _id_of(message: str) -> str:
    found = t.parse_trailers(message)
    return t.first(found, t.PROMOTION) or t.first(found, t.RENDER)


def _conflict(
    landing: Landing, intent: Intent, conflicts: Sequence[Conflict], backups: Sequence[str],
    tip: str,
) -> PromotionConflict:
    rel = environment_file(intent.environment)
    lines = "\n".join(
        f"  {c.ours.key}: the remote has {c.theirs or '(nothing)'}; we moved "
        f"{c.ours.old or '(nothing)'} -> {c.ours.new or '(nothing)'}"
        for c in conflicts
    )
    return PromotionConflict(
        f"{landing.remote}/{landing.remote_branch} changed the same "
        f"{agreeing(len(conflicts), 'value', 'values')} of {rel} "
        f"meanwhile (now at {tip[:12]}); nothing was pushed:\n{lines}",
        hint=f"our commit is kept on {', '.join(backups)}; {landing.branch} is at the "
        "remote's head, clean. Check which versions should run, then promote again "
        f"(git show {backups[-1] if backups else tip[:12]} shows ours)",
    )


def _backoff(attempt: int) -> float:
    return min(BACKOFF * 2 ** (attempt - 1), BACKOFF_MAX)
