"""Live drift: an environment's Applications in Argo CD against what git declares.

Pure: takes the `AppState`s of one List answer (see `LIST_FIELDS`: every app with the
environment's label, whatever its project) and the Applications the repository declares
(the root Application, in the root project, and one per service, in the environment's
project), and returns findings: OutOfSync; health Degraded, Missing or Unknown; another
revision or image tag than the environment pins; another project than git declares;
declared but absent (missing); present with the environment's label but not declared
(orphan).
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
    KIND_PROJECT,
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


def _checked(env: Environment, target: AppTarget, state: AppState | None,
             app_file: str, absent: str) -> list[Finding]:
    """One declared Application against its state in Argo CD; `absent` says what to do
    when Argo CD lacks it."""
    if state is None:
        return [_finding(env, KIND_MISSING, target.name,
                         f"declared in git, absent from Argo CD ({absent})", file=app_file)]
    found = []
    if state.project != target.project:
        found.append(_finding(env, KIND_PROJECT, target.name,
                              f"in project {state.project or '(none)'} in Argo CD, git "
                              f"declares project {target.project}", file=app_file,
                              expected=target.project, actual=state.project))
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


def live_findings(env: Environment, root: AppTarget, expected: Sequence[AppTarget],
                  states: Sequence[AppState], output_dir: str) -> tuple[Finding, ...]:
    """Compare the environment's root Application and its declared service Applications
    with one List answer (every app with the environment's label, in any project): the root,
    then the services in rollout order, then the orphans by name."""
    by_name = {s.name: s for s in states}
    folder = f"{output_dir}/{env.name}"
    found = _checked(env, root, by_name.get(root.name), f"{folder}/{names.ROOT_FILE}",
                     f"bootstrap it: kubectl apply -k {folder}")
    for target in expected:
        found += _checked(env, target, by_name.get(target.name),
                          f"{folder}/applications/{target.name}.yaml",
                          f"sync the root Application {root.name}")
    declared = {root.name, *(t.name for t in expected)}
    for state in sorted(states, key=lambda s: s.name):
        if state.name not in declared:
            project = state.project or "(none)"
            where = f"project {project}" if project == env.project else \
                f"project {project}, not the environment's project {env.project}"
            found.append(_finding(
                env, KIND_ORPHAN, state.name,
                f"in Argo CD ({where}) with label {names.LABEL_ENVIRONMENT}={env.name}, but "
                "git declares no such Application (a removed chart? delete it, or restore "
                "the chart)"))
    return tuple(found)
