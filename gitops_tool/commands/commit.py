"""`gitops-tool render --commit [--push]`: render, then commit exactly what render changed
under the output folder (nothing else), and with --push push it by publish's rules.

The inputs must be committed: the commit then holds argocd/ as render makes it from the
commit it sits on. It holds the repository lock for the whole run, and renders inside it
(`render.run` with `locked`). Nothing here prints.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gitops_tool import templates
from gitops_tool.adapters import files
from gitops_tool.adapters.git.clone import open_clone
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT, repository_lock
from gitops_tool.commands import prepare, publish
from gitops_tool.commands.render import RenderOptions, RenderResult, run
from gitops_tool.core.promote import trailers as t
from gitops_tool.core.wording import plural
from gitops_tool.errors import EXIT_OK


@dataclass(frozen=True, slots=True)
class RenderCommitOptions:
    root: Path
    environments: tuple[str, ...] = ()
    push: bool = False
    lock_timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True, slots=True)
class RenderCommitResult:
    render: RenderResult
    files: tuple[str, ...]  # what the commit holds
    environments: tuple[str, ...]  # whose folders changed ("bootstrap" included)
    published: object | None  # publish.Published
    exit_code: int = EXIT_OK


def run_commit(options: RenderCommitOptions, deps: object | None = None) -> RenderCommitResult:
    """Render and commit what changed under the output folder; push when asked."""
    deps = deps if isinstance(deps, publish.GitDeps) else publish.GitDeps()
    root = options.root
    wanted = list(dict.fromkeys(options.environments))
    if wanted:
        files.check_environment_names(root, wanted)
    out = files.load_settings(root).output_dir
    with ExitStack() as stack:
        stack.enter_context(repository_lock(root, "render --commit", options.lock_timeout,
                                            warn=deps.notify))
        clone = stack.enter_context(open_clone(root))
        branch = publish.on_branch(clone)
        publish.require_clean(clone, but=(f"{out}/",),
                              why=f" outside {out}/ (render --commit commits {out}/ only)")
        landing = publish.Landing(branch, False)
        if options.push:
            remote, remote_branch = publish.upstream_of(clone, branch)
            landing = publish.Landing(branch, True, remote, remote_branch)
        # the commits render renders are the person's own: its push carries them along
        pending = publish.catch_up(clone, landing, deps, carry_others=True).pending
        head = clone.rev("HEAD") or ""
        prepared = prepare.prepare_render(clone, root, head, wanted)
        rendered = _write_worktree(root, wanted, deps.notify)
        paths = tuple(sorted(prepared.files))
        changed = tuple(sorted({p.split("/")[1] for p in paths if p.count("/") >= 2}))
        commit_id = f"render-{_render_id()}"
        trailers = [(t.RENDER, commit_id)]
        if wanted:
            trailers.append((t.ENVIRONMENT, ", ".join(wanted)))
        message = templates.render(
            "promote/render-commit.txt.j2",
            subject=f"render: {out}/ for {', '.join(changed) or 'nothing'}",
            base=head,
            summary=[f"{out}/{env}/: "
                     f"{plural(sum(1 for p in paths if p.startswith(f'{out}/{env}/')), 'file')}"
                     for env in changed],
            trailers=t.trailer_lines(trailers),
        )
        intent = prepare.Intent(commit_id, message, render=True, environments=tuple(wanted))
        commit = ""
        if paths:
            made = clone.commit_files(head, prepared.files, message)
            clone.update_ref(f"refs/heads/{branch}", made, head, message="gitops-tool render")
            clone.refresh_index(paths)
            commit = made
        published = publish.Published(commit, branch)
        if landing.push and (commit or pending):
            published = publish.push(clone, root, landing, commit, pending, intent, deps)
        return RenderCommitResult(rendered, paths, changed, published)


def _write_worktree(root: Path, wanted: list[str], warn: Callable[[str], None]) -> RenderResult:
    """What `render` does to the working tree, inside the repository lock the caller holds."""
    return run(RenderOptions(root, tuple(wanted), locked=True), warn)


def _render_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
