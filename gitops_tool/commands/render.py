"""`gitops-tool render`: the Argo CD manifests under argocd/, from charts and environments.

run(options) loads the whole tree, renders the chosen environments (and the
bootstrap folder) in the pure core, plans the writes against what the output
folder holds, and then either applies the plan atomically or, with `check`,
returns the drift as a unified diff. It never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitops_tool.adapters import files, writer
from gitops_tool.core.render.plan import WritePlan, diff_for, plan_for
from gitops_tool.core.render.rendering import rendering_for
from gitops_tool.errors import EXIT_FOUND, EXIT_OK


@dataclass(frozen=True, slots=True)
class RenderOptions:
    root: Path
    environments: tuple[str, ...] = ()  # empty: every environment
    check: bool = False  # write nothing; report drift


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
        return EXIT_FOUND if self.check and self.plan.changed else EXIT_OK


def run(options: RenderOptions) -> RenderResult:
    """Render, then write (or, with `check`, compare). Raises GitopsError on bad input."""
    root = options.root
    wanted = list(dict.fromkeys(options.environments))
    if wanted:
        chain = files.load_settings(root).promotion
        files.check_environment_names(root, wanted, chain=chain)
    # The whole tree, always: the bootstrap folder and the cross-checks need every environment.
    tree = files.load_tree(root)
    rendering = rendering_for(tree, wanted or None)
    existing = writer.read_output(root, rendering.owned)
    plan = plan_for(rendering.files, rendering.owned, existing)
    if options.check:
        diff = diff_for(plan, existing) if plan.changed else ""
        return RenderResult(tree.settings.output_dir, plan, rendering.counts, True, diff)
    if plan.changed:
        writer.write_atomically(root, plan)
    return RenderResult(tree.settings.output_dir, plan, rendering.counts, False)
