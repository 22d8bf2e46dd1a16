"""Live drift: an environment's Applications in Argo CD against what git declares.

Pure: takes the `AppState`s of one List answer (see `LIST_FIELDS`) and the Applications
the repository declares (one per service, in the environment's project), and returns
findings: OutOfSync; health Degraded, Missing or Unknown; another revision or image tag
than the environment pins; declared but absent (missing); present with the environment's
label but not declared (orphan).
"""

from __future__ import annotations

from collections.abc import Sequence

from gitops_tool.core import names
from gitops_tool.core.apps import AppTarget
from gitops_tool.core.argocd.appstatus import HEALTHY, SYNCED, AppState, revision_problem
from gitops_tool.core.drift.findings import (
    KIND_HEALTH,
    KIND_IMAGE_TAG,
    KIND_MISSING,
    KIND_ORPHAN,
    KIND_OUT_OF_SYNC,
    KIND_REVISION,
    LIVE,
    Finding,
)
from gitops_tool.core.model import Environment

# What drift reads of each app; `fields` is projected by Argo CD's API gateway (§2.2).
LIST_FIELDS = (
    "metadata.name",
    "metadata.labels",
    "spec.project",
    "spec.source",
    "status.sync.status",
    "status.sync.revision",
    "status.health",
)
# Health that is drift. Progressing (a rollout under way) and Suspended (on purpose) are not.
BAD_HEALTH = ("Degraded", "Missing", "Unknown")


def _finding(env: Environment, kind: str, app: str, message: str, file: str = "",
             line: int | None = None, expected: str = "", actual: str = "") -> Finding:
    return Finding(kind=kind, part=LIVE, environment=env.name, app=app, file=file,
                   message=message, line=line, expected=expected, actual=actual)


def _child(env: Environment, target: AppTarget, state: AppState | None,
           app_file: str) -> list[Finding]:
    if state is None:
        return [_finding(env, KIND_MISSING, target.name,
                         "declared in git, absent from Argo CD (sync the root Application "
                         f"{names.root_application_name(env.name)})", file=app_file)]
    found = []
    if state.sync_status != SYNCED:
        found.append(_finding(env, KIND_OUT_OF_SYNC, target.name,
                              f"sync status is {state.sync_status or 'Unknown'}",
                              actual=state.sync_status or "Unknown", expected=SYNCED))
    health = state.health or "Unknown"
    if health in BAD_HEALTH:
        said = f": {state.health_message}" if state.health_message else ""
        found.append(_finding(env, KIND_HEALTH, target.name, f"health is {health}{said}",
                              actual=health, expected=HEALTHY))
    if problem := revision_problem(target.revision, state):
        found.append(_finding(env, KIND_REVISION, target.name, problem, file=env.source,
                              expected=target.revision,
                              actual=state.sync_revision or state.target_revision))
    if target.image_tag and state.image_tag != target.image_tag:
        pin = env.releases.get(target.service)
        found.append(_finding(
            env, KIND_IMAGE_TAG, target.name,
            f"image tag {state.image_tag or '(none)'}, the pin is {target.image_tag}",
            file=env.source, line=pin.line if pin else None,
            expected=target.image_tag, actual=state.image_tag))
    return found


def live_findings(env: Environment, expected: Sequence[AppTarget],
                  states: Sequence[AppState], output_dir: str) -> tuple[Finding, ...]:
    """Compare the environment's declared service Applications with one List answer (the
    environment's project): each in rollout order, then the orphans by name."""
    by_name = {s.name: s for s in states}
    found: list[Finding] = []
    for target in expected:
        found += _child(env, target, by_name.get(target.name),
                        f"{output_dir}/{env.name}/applications/{target.name}.yaml")
    declared = {t.name for t in expected}
    for state in sorted(states, key=lambda s: s.name):
        if state.name not in declared:
            found.append(_finding(
                env, KIND_ORPHAN, state.name,
                f"in Argo CD (project {state.project or '(none)'}) with label "
                f"{names.LABEL_ENVIRONMENT}={env.name}, but git declares no such "
                "Application (a removed chart? delete it, or restore the chart)"))
    return tuple(found)
