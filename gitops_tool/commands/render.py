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
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT, repository_lock
from gitops_tool.core.render.plan import WritePlan, diff_for, plan_for
from gitops_tool.core.render.rendering import rendering_for
from gitops_tool.errors import EXIT_FOUND, EXIT_OK


@dataclass(frozen=True, slots=True)
class RenderOptions:
    root: Path
    environments: tuple[str, ...] = ()  # empty: every environment
    check: bool = False  # write nothing; report drift
    lock_timeout: float = DEFAULT_TIMEOUT
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


@contextmanager
def repository_locked(
    options: RenderOptions, command: str, warn: Callable[[str], None]
) -> Iterator[None]:
    """The repository lock for this run, unless the caller holds it (`options.locked`)."""
    if options.locked:
        yield
        return
    with repository_lock(options.root, command, options.lock_timeout, warn=warn):
        yield
