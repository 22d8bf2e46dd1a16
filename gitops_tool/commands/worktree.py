"""What Argo CD deploys against what the person sees: sync's check of the git clone.

Argo CD deploys what the remote branch holds, not the working tree. Before `sync ENV`
rolls anything out, ENV's inputs (environments/ENV.yaml, argocd/ENV/, the charts,
gitops-tool.yaml) must be committed, and the same at HEAD as at the tip of the branch the
root Application tracks, as the remote itself has it (`git ls-remote`: the remote-tracking
ref is only as new as the last fetch). Otherwise sync refuses (exit 2) and says what to do:
commit and push, or `--from-remote` to sync what the remote has, knowingly (the plan is then
read from the remote branch, not from the working tree).

When the remote tip is a commit this clone lacks, that branch is fetched (its
remote-tracking ref moves; HEAD and the working tree do not). When the remote cannot be
asked, sync warns and compares with the remote-tracking ref as last fetched. A folder inside
another git repository, not its top, is not the GitOps repository: refused.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files
from gitops_tool.commands.gate import remote_for
from gitops_tool.core.names import ENVIRONMENTS_DIR, SETTINGS_FILE, environment_file
from gitops_tool.errors import GitError, InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone
    from gitops_tool.core.model import Environment

SHOW_PATHS = 20


def inputs_of(root: Path, environment: str) -> list[str]:
    """The repository-relative paths whose content Argo CD deploys for `environment`."""
    settings = files.load_settings(root)
    return [
        environment_file(environment),
        f"{settings.output_dir}/{environment}",
        settings.charts_dir,
        SETTINGS_FILE,
    ]


REMOTE_TIMEOUT = 30.0  # seconds `git ls-remote` may take before the check falls back


@contextmanager
def deployed_root(
    root: Path, environment: str, from_remote: bool, warn: Callable[[str], None]
) -> Iterator[Path]:
    """The folder to read ENV's plan from: `root`, once checked against the remote branch;
    with `from_remote`, a copy of the remote branch's inputs."""
    from gitops_tool.adapters.git.clone import open_clone
    from gitops_tool.adapters.git.errors import NotARepository, NotTopFolder

    files.check_environment_names(root, [environment])
    try:
        clone = open_clone(root)
    except NotTopFolder as exc:
        raise InputError(
            f"{root} is inside the git repository {exc.top or '(a bare one)'}, not the top "
            "folder of a repository of its own: it is not the GitOps repository Argo CD "
            "deploys, and sync cannot check that Argo CD deploys what it holds",
            hint="run sync in the top folder of a clone of the GitOps repository (the one "
            "whose URL is repoURL in environments/*.yaml): --repo PATH",
        ) from None
    except NotARepository:
        warn(f"warning: {root} is not a git clone: sync cannot check that Argo CD deploys "
             "what this folder holds")
        yield root
        return
    with clone:
        env = files.load_environment(root, environment)
        remote = remote_for(clone, env)
        if remote is None:
            warn(f"warning: {root} is a git clone without a remote: sync cannot check that "
                 f"Argo CD deploys what this folder holds (it deploys {env.repo_url})")
            yield root
            return
        tracked = f"{remote}/{env.branch}"
        paths = inputs_of(root, environment)
        if not from_remote:
            _check_committed(clone, environment, paths, tracked)
        tip = _remote_tip(clone, remote, env, tracked, warn)
        if from_remote:
            if tip is None:
                raise InputError(
                    f"--from-remote: {remote} cannot be asked for {env.branch} and this "
                    f"clone has no remote-tracking branch {tracked}: there is nothing to "
                    "sync from",
                    hint=f"check the remote, then: git fetch {remote} {env.branch}",
                )
            warn(f"--from-remote: syncing what {tracked} holds ({tip[:12]}), not this working "
                 "tree")
            with tempfile.TemporaryDirectory(prefix="gitops-tool-remote-") as folder:
                # every environment file: loading checks the whole promotion chain
                clone.export(tip, [*paths, ENVIRONMENTS_DIR], Path(folder))
                yield Path(folder)
            return
        if tip is not None:
            _check_pushed(clone, environment, paths, tip, tracked)
        yield root


def _remote_tip(clone: Clone, remote: str, env: Environment, tracked: str,
                warn: Callable[[str], None]) -> str | None:
    """The commit the root Application's branch points to on the remote, present in this
    clone (fetched when it is not). When the remote cannot be asked: a warning, and the
    remote-tracking ref as last fetched, or None when there is none."""
    try:
        tip = clone.remote_tip(remote, env.branch, timeout=REMOTE_TIMEOUT)
    except GitError as exc:
        last = clone.rev(f"refs/remotes/{tracked}")
        if last is None:
            warn(f"warning: {exc.message}; and this clone has no remote-tracking branch "
                 f"{tracked}: sync cannot check that Argo CD deploys what this folder holds")
            return None
        warn(f"warning: {exc.message}; comparing with {tracked} as last fetched "
             f"({last[:12]}), which may be older than what Argo CD deploys")
        return last
    if tip is None:
        raise InputError(
            f"{env.name}-root tracks branch {env.branch} of {env.repo_url}, and remote "
            f"{remote} has no branch {env.branch}: Argo CD has nothing to deploy",
            hint=f"push it (git push {remote} HEAD:{env.branch}), or set source.branch in "
            f"{env.source} to the branch Argo CD should track",
        )
    if clone.rev(tip) is None:  # commits on the remote this clone has not fetched
        try:
            fetched = clone.fetch(remote, env.branch)
        except GitError as exc:  # the remote is ahead for sure: whether ENV moved is unknown
            raise InputError(
                f"remote {remote} has {env.branch} at {tip[:12]}, a commit this clone does "
                f"not have, and fetching it failed ({exc.message}): sync cannot tell whether "
                f"it changes {env.name}'s inputs, which Argo CD deploys",
                hint="git pull, then run again",
            ) from None
        if fetched is None:
            raise InputError(
                f"remote {remote} no longer has branch {env.branch} ({env.name}-root tracks "
                "it): it was deleted while sync was checking",
                hint="find out who deleted it, push it again, then run again",
            )
        tip = fetched
    return tip


def _check_committed(clone: Clone, environment: str, paths: list[str], tracked: str) -> None:
    changed = clone.changed_paths(paths)
    if changed:
        shown = "\n".join(f"  {p}" for p in changed[:SHOW_PATHS])
        more = f"\n  ... and {len(changed) - SHOW_PATHS} more" if len(changed) > SHOW_PATHS else ""
        raise InputError(
            f"{environment}'s inputs have uncommitted changes, which Argo CD would not "
            f"deploy (it deploys {tracked}):\n{shown}{more}",
            hint="commit and push them (gitops-tool render --commit --push, or promote "
            "--push), or sync what the remote has, knowingly: --from-remote",
        )


def _check_pushed(clone: Clone, environment: str, paths: list[str], tip: str,
                  tracked: str) -> None:
    head = clone.rev("HEAD") or ""
    differ = [p for p in paths if clone.object_at(head, p) != clone.object_at(tip, p)]
    if not differ:
        return
    if clone.is_ancestor(head, tip):
        raise InputError(
            f"{tracked} has newer changes to {environment}'s inputs than HEAD "
            f"({', '.join(differ)}): Argo CD deploys those, not what this clone shows",
            hint=f"git pull, then run again; or sync what {tracked} has, knowingly: "
            "--from-remote",
        )
    raise InputError(
        f"HEAD ({head[:12]}) changes {environment}'s inputs ({', '.join(differ)}) in commits "
        f"that are not on {tracked}, the branch {environment}-root tracks: Argo CD deploys "
        "what the remote has",
        hint=f"push them first (git push), or sync what {tracked} has, knowingly: "
        "--from-remote",
    )
