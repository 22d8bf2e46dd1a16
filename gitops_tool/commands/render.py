"""`gitops-tool render`: the Argo CD manifests under argocd/, from charts and environments.

run(options) checks gitops-tool.yaml and its output folder, takes the repository lock
(render writes), completes or undoes a write a killed run left unfinished, loads the whole
tree, renders the chosen environments (and the bootstrap folder) in the pure core, plans
the writes against what the output folder holds, and applies the plan as one transaction
(adapters/journal.py). With `check` it takes no lock and writes nothing: it compares, and
returns the drift as a unified diff; it never compares against a half-written folder
(writer.read_settled). It never prints: what it has to say on the way goes to `warn`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gitops_tool.adapters import files, writer
from gitops_tool.core.render.plan import WritePlan, diff_for, plan_for
from gitops_tool.core.render.rendering import rendering_for
from gitops_tool.errors import EXIT_FOUND, EXIT_OK

DEFAULT_LOCK_TIMEOUT = 60.0  # seconds a render waits for another command's repository lock


@dataclass(frozen=True, slots=True)
class RenderOptions:
    root: Path
    environments: tuple[str, ...] = ()  # empty: every environment
    check: bool = False  # write nothing; report drift
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    locked: bool = False  # the caller holds the repository lock already (promote)


@dataclass(frozen=True, slots=True)
class RenderResult:
    output_dir: str  # e.g. "argocd"
    plan: WritePlan
    counts: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # env -> ((plane, apps), ...)
    check: bool
    diff: str = ""  # with check: from the output folder to what render produces

    @property
    def exit_code(self) -> int:
        """1 when --check found drift, else 0."""
        return EXIT_FOUND if self.check and self.plan.drift else EXIT_OK


def _quiet(_line: str) -> None:
    pass


def run(options: RenderOptions, warn: Callable[[str], None] = _quiet) -> RenderResult:
    """Render, then write (or, with `check`, compare). Raises GitopsError on bad input,
    RepositoryLocked when another command holds the lock past `lock_timeout`."""
    root = options.root
    settings = files.load_settings(root)  # a bad output folder is refused before all else
    wanted = list(dict.fromkeys(options.environments))
    if wanted:
        files.check_environment_names(root, wanted)
    command = " ".join(["render", *wanted, *(["--check"] if options.check else [])])
    if options.check:
        # The whole tree, always: the bootstrap folder and the cross-checks need every env.
        tree = files.load_tree(root)
        rendering = rendering_for(tree, wanted or None)
        existing = writer.read_settled(
            root,
            settings.output_dir,
            lambda: writer.read_output(root, rendering.owned),
            lambda: repository_locked(options, command, warn),
            warn,
        )
        plan = plan_for(rendering.files, rendering.owned, existing)
        diff = diff_for(plan, existing) if plan.changed else ""
        return RenderResult(settings.output_dir, plan, rendering.counts, True, diff)
    with repository_locked(options, command, warn):
        writer.recover(root, settings.output_dir, warn)
        tree = files.load_tree(root)
        rendering = rendering_for(tree, wanted or None)
        existing = writer.read_output(root, rendering.owned)
        plan = plan_for(rendering.files, rendering.owned, existing)
        if plan.changed:
            writer.write_atomically(
                root, tree.settings.output_dir, plan, command=command, warn=warn
            )
    return RenderResult(tree.settings.output_dir, plan, rendering.counts, False)


# -- render --commit ------------------------------------------------------------------------
#
# Render, then commit exactly what render changed under the output folder (nothing else),
# and with --push push it by publish's rules. The inputs must be committed: the commit then
# holds argocd/ as render makes it from the commit it sits on.


@dataclass(frozen=True, slots=True)
class RenderCommitOptions:
    root: Path
    environments: tuple[str, ...] = ()
    push: bool = False
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT


@dataclass(frozen=True, slots=True)
class RenderCommitResult:
    render: RenderResult
    files: tuple[str, ...]  # what the commit holds
    environments: tuple[str, ...]  # whose folders changed ("bootstrap" included)
    published: object | None  # publish.Published
    exit_code: int = EXIT_OK


def run_commit(options: RenderCommitOptions, deps: object | None = None) -> RenderCommitResult:
    """Render and commit what changed under the output folder; push when asked."""
    from contextlib import ExitStack

    from gitops_tool import templates
    from gitops_tool.adapters.git.clone import open_clone
    from gitops_tool.adapters.lock import repository_lock
    from gitops_tool.commands import prepare, publish
    from gitops_tool.core.promote import trailers as t

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
        pending = publish.catch_up(clone, landing, deps)
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
            summary=[f"{out}/{env}/: {sum(1 for p in paths if p.startswith(f'{out}/{env}/'))} "
                     "file(s)" for env in changed],
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
    import uuid
    from datetime import UTC, datetime

    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
@contextmanager
def repository_locked(
    options: RenderOptions, command: str, warn: Callable[[str], None]
) -> Iterator[None]:
    """The repository lock for this run, unless the caller holds it (`options.locked`)."""
    if options.locked:
        yield
        return
    from gitops_tool.adapters.lock import repository_lock

    with repository_lock(options.root, command, options.lock_timeout, warn=warn):
        yield
