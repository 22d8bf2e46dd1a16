"""`status ENV`: the environment's Applications as Argo CD reports them, against the repo.

One List request (label selector on the environment, the environment's project, a
field projection), whatever the number of apps. No printing: the CLI presents the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters.argocd.config import ConnectionFlags
from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.core import names
from gitops_tool.core.argocd.appstatus import StatusRow, app_state, status_rows
from gitops_tool.core.argocd.rollout import environment_of, expected_apps
from gitops_tool.core.model import Environment, Tree
from gitops_tool.errors import EXIT_FOUND, EXIT_OK

if TYPE_CHECKING:
    from gitops_tool.adapters.argocd.client import ArgoCDClient

# What status reads of each app; everything else (status.resources above all) stays on
# the server. `fields` entries are projected by Argo CD's API gateway (ARGOCD-NOTES §2.2).
LIST_FIELDS = (
    "metadata.name",
    "metadata.labels",
    "metadata.annotations",
    "spec.project",
    "spec.source",
    "status.sync.status",
    "status.sync.revision",
    "status.health",
    "status.operationState.phase",
    "status.operationState.startedAt",
    "status.operationState.finishedAt",
)


@dataclass(frozen=True, slots=True)
class StatusOptions:
    root: Path
    environment: str
    flags: ConnectionFlags = field(default_factory=ConnectionFlags)
    timeout: float = 60.0  # seconds for everything asked of Argo CD, retries included


@dataclass(frozen=True, slots=True)
class StatusResult:
    environment: str
    revision: str  # what the repository deploys: a branch or a pinned commit
    server: str
    rows: tuple[StatusRow, ...]

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def exit_code(self) -> int:
        """0 when every app is Synced and Healthy as the repository says, else 1."""
        return EXIT_OK if self.ok else EXIT_FOUND


def status_of(tree: Tree, env: Environment, client: ArgoCDClient) -> StatusResult:
    """Compare the environment's expected apps with one List answer."""
    items = client.list_apps(
        selector={names.LABEL_ENVIRONMENT: env.name},
        project=env.project,
        app_namespace=env.argocd_namespace,
        fields=LIST_FIELDS,
    )
    rows = status_rows(expected_apps(tree, env), [app_state(item) for item in items])
    return StatusResult(env.name, env.revision, client.host, rows)


def run(options: StatusOptions, runtime: Runtime) -> StatusResult:
    tree = load_tree(options.root, only=[options.environment], values=False)
    env = environment_of(tree, options.environment)
    with runtime.connect(options.flags, timeout=options.timeout) as client:
        return status_of(tree, env, client)
