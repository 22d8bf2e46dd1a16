"""What Argo CD deploys against what the person sees: sync's check of the git clone.

Argo CD deploys what the remote branch holds, not the working tree. Before `sync ENV`
rolls anything out, ENV's inputs (environments/ENV.yaml, argocd/ENV/, the charts,
gitops-tool.yaml) must be committed, and the same at HEAD as on the remote branch the
root Application tracks. Otherwise sync refuses (exit 2) and says what to do: commit and
push, or `--from-remote` to sync what the remote has, knowingly (the plan is then read
from the remote branch, not from the working tree).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files
from gitops_tool.commands.gate import remote_for
from gitops_tool.core.names import ENVIRONMENTS_DIR, SETTINGS_FILE
from gitops_tool.errors import InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone

SHOW_PATHS = 20


def inputs_of(root: Path, environment: str) -> list[str]:
    """The repository-relative paths whose content Argo CD deploys for `environment`."""
    settings = files.load_settings(root)
    return [
        f"{ENVIRONMENTS_DIR}/{environment}.yaml",
        f"{settings.output_dir}/{environment}",
        settings.charts_dir,
        SETTINGS_FILE,
    ]


@contextmanager
def deployed_root(
    root: Path, environment: str, from_remote: bool, warn: Callable[[str], None]
) -> Iterator[Path]:
    """The folder to read ENV's plan from: `root`, once checked against the remote branch;
    with `from_remote`, a copy of the remote branch's inputs."""
    from gitops_tool.adapters.git.clone import open_clone
    from gitops_tool.adapters.git.errors import NotARepository

    files.check_environment_names(root, [environment])
    try:
        clone = open_clone(root)
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
        tip = clone.rev(f"refs/remotes/{tracked}")
        if tip is None:
            raise InputError(
                f"{environment}-root tracks branch {env.branch} of {env.repo_url}, and this "
                f"clone has no remote-tracking branch {tracked}",
                hint=f"git fetch {remote} {env.branch}, then run again",
            )
        paths = inputs_of(root, environment)
        if from_remote:
            warn(f"--from-remote: syncing what {tracked} holds ({tip[:12]}), not this working "
                 "tree")
            with tempfile.TemporaryDirectory(prefix="gitops-tool-remote-") as folder:
                # every environment file: loading checks the whole promotion chain
                clone.export(tip, [*paths, ENVIRONMENTS_DIR], Path(folder))
                yield Path(folder)
            return
        _check(clone, environment, paths, tip, tracked)
        yield root


def _check(clone: Clone, environment: str, paths: list[str], tip: str, tracked: str) -> None:
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
