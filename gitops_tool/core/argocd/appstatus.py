"""What Argo CD says about an Application, as plain data, and how it compares with the repo.

Pure: `app_state` reads the JSON of a `v1alpha1Application` (already parsed);
`status_row` compares it with the AppTarget the repository expects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gitops_tool.core import names
from gitops_tool.core.argocd.rollout import AppTarget
from gitops_tool.core.model import is_commit
from gitops_tool.core.render.applications import IMAGE_TAG_PARAMETER  # render sets it from the pin

SYNC_ID_INFO = "gitops-tool/sync-id"  # the operation info that marks our own sync

# Application health, healthiest first (health.md); status values are from the notes §2.6.
HEALTHY, DEGRADED, MISSING = "Healthy", "Degraded", "Missing"
SYNCED = "Synced"
SUCCEEDED, RUNNING, FAILED, ERROR, TERMINATING = (
    "Succeeded", "Running", "Failed", "Error", "Terminating"
)
BLOCKING_CONDITIONS = ("ComparisonError", "InvalidSpecError")


@dataclass(frozen=True, slots=True)
class ResourceHealth:
    """One managed resource whose health is not Healthy."""

    kind: str
    namespace: str
    name: str
    status: str
    message: str = ""

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        text = f"{self.kind} {where}{self.name}: {self.status}"
        return f"{text} ({self.message})" if self.message else text


@dataclass(frozen=True, slots=True)
class AppState:
    """The fields of an Application that status and sync decide on."""

    name: str
    project: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    wave: str = ""  # the sync-wave annotation, as text
    target_revision: str = ""  # spec.source.targetRevision
    image_tag: str = ""  # spec.source.helm.parameters[image.tag]
    automated: bool = False
    sync_status: str = ""
    sync_revision: str = ""
    compared_revision: str | None = None  # status.sync.comparedTo.source.targetRevision
    health: str = ""
    health_message: str = ""
    health_since: datetime | None = None
    reconciled_at: datetime | None = None
    operation_requested: bool = False  # top-level `operation` is set
    requested_infos: Mapping[str, str] = field(default_factory=dict)
    phase: str = ""  # status.operationState.phase
    operation_message: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    operation_infos: Mapping[str, str] = field(default_factory=dict)
    initiated_by: str = ""
    synced_revision: str = ""  # status.operationState.syncResult.revision
    conditions: tuple[tuple[str, str], ...] = ()
    unhealthy: tuple[ResourceHealth, ...] = ()

    def carries(self, sync_id: str) -> bool:
        """Whether the requested or the last operation is the one tagged `sync_id`."""
        return sync_id in (
            self.requested_infos.get(SYNC_ID_INFO),
            self.operation_infos.get(SYNC_ID_INFO),
        )

    @property
    def operation_running(self) -> bool:
        return self.operation_requested or self.phase in (RUNNING, TERMINATING)


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp as Argo CD writes it (UTC when it names no zone), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _infos(items: Any) -> dict[str, str]:
    if not isinstance(items, list):
        return {}
    return {
        str(i.get("name")): str(i.get("value", ""))
        for i in items
        if isinstance(i, Mapping) and i.get("name")
    }


def _image_tag(source: Any) -> str:
    for param in _get(source, "helm", "parameters") or ():
        if isinstance(param, Mapping) and param.get("name") == IMAGE_TAG_PARAMETER:
            return str(param.get("value", ""))
    return ""


def _initiator(operation: Any) -> str:
    who = _get(operation, "initiatedBy") or {}
    if who.get("automated"):
        return "automated sync"
    return str(who.get("username") or "")


def app_state(data: Mapping[str, Any]) -> AppState:
    """Read the JSON of one Application (a list item or a GET answer)."""
    meta, spec, status = data.get("metadata") or {}, data.get("spec") or {}, data.get("status")
    status = status or {}
    op_state = status.get("operationState") or {}
    operation = data.get("operation")
    last_op = op_state.get("operation") or {}
    compared = _get(status, "sync", "comparedTo", "source")
    automated = _get(spec, "syncPolicy", "automated")
    unhealthy = tuple(
        ResourceHealth(
            kind=str(r.get("kind", "")),
            namespace=str(r.get("namespace", "")),
            name=str(r.get("name", "")),
            status=str(_get(r, "health", "status")),
            message=str(_get(r, "health", "message") or ""),
        )
        for r in status.get("resources") or ()
        if isinstance(r, Mapping)
        and _get(r, "health", "status") not in (None, HEALTHY)
    )
    return AppState(
        name=str(meta.get("name", "")),
        project=str(spec.get("project", "")),
        labels=dict(meta.get("labels") or {}),
        wave=str((meta.get("annotations") or {}).get(names.ANNOTATION_SYNC_WAVE, "")),
        target_revision=str(_get(spec, "source", "targetRevision") or ""),
        image_tag=_image_tag(spec.get("source")),
        automated=isinstance(automated, Mapping) and automated.get("enabled") is not False,
        sync_status=str(_get(status, "sync", "status") or ""),
        sync_revision=str(_get(status, "sync", "revision") or ""),
        compared_revision=(
            str(compared.get("targetRevision", "")) if isinstance(compared, Mapping) else None
        ),
        health=str(_get(status, "health", "status") or ""),
        health_message=str(_get(status, "health", "message") or ""),
        health_since=parse_time(_get(status, "health", "lastTransitionTime")),
        reconciled_at=parse_time(status.get("reconciledAt")),
        operation_requested=bool(operation),
        requested_infos=_infos(_get(operation, "info")),
        phase=str(op_state.get("phase") or ""),
        operation_message=str(op_state.get("message") or ""),
        started_at=parse_time(op_state.get("startedAt")),
        finished_at=parse_time(op_state.get("finishedAt")),
        operation_infos=_infos(last_op.get("info")),
        initiated_by=_initiator(operation or last_op),
        synced_revision=str(_get(op_state, "syncResult", "revision") or ""),
        conditions=tuple(
            (str(c.get("type", "")), str(c.get("message", "")))
            for c in status.get("conditions") or ()
            if isinstance(c, Mapping)
        ),
        unhealthy=unhealthy,
    )


def short_revision(revision: str) -> str:
    return revision[:7] if is_commit(revision) else revision


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One line of `status`: an expected app, an unexpected one, or a missing one."""

    app: str
    plane: str
    wave: int | None  # None: an app the repository does not have, without a wave annotation
    sync: str
    health: str
    revision: str  # status.sync.revision as Argo CD reports it (a full SHA when Synced)
    image_tag: str
    pin: str
    last_operation: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def revision_problem(expected: str, state: AppState) -> str | None:
    """Whether the app tracks, and is synced to, the revision the repository gives it.

    A pinned commit is compared exactly with `status.sync.revision`. A branch cannot be
    compared with the commit Argo CD resolved it to, so for a branch the app must target
    that branch and Argo CD's own verdict (Synced) is trusted for the head it last fetched.
    """
    if state.target_revision != expected:
        return f"targets {state.target_revision or '(none)'}, the repository says {expected}"
    if is_commit(expected) and state.sync_revision and state.sync_revision != expected:
        return f"synced to {short_revision(state.sync_revision)}, expected {expected[:7]}"
    return None


def status_row(expected: AppTarget | None, state: AppState | None) -> StatusRow:
    """Compare one app as the repository wants it with what Argo CD reports."""
    if state is None:
        assert expected is not None
        return StatusRow(
            app=expected.name, plane=expected.plane, wave=expected.wave, sync=MISSING,
            health=MISSING, revision="", image_tag="", pin=expected.image_tag,
            last_operation="",
            problems=("not found in Argo CD (sync the root Application)",),
        )
    problems: list[str] = []
    if expected is None:
        problems.append("not in the repository (left over: delete it or restore its chart)")
    if state.sync_status != SYNCED:
        problems.append(f"sync is {state.sync_status or 'Unknown'}")
    if state.health != HEALTHY:
        problems.append(f"health is {state.health or 'Unknown'}")
    if expected is not None:
        if problem := revision_problem(expected.revision, state):
            problems.append(problem)
        if expected.image_tag and state.image_tag != expected.image_tag:
            problems.append(
                f"image tag {state.image_tag or '(none)'} differs from the pin "
                f"{expected.image_tag}"
            )
    last = state.phase
    if state.finished_at is not None:
        last = f"{last} {state.finished_at.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    elif state.started_at is not None:
        last = f"{last} since {state.started_at.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    return StatusRow(
        app=state.name,
        plane=expected.plane if expected else state.labels.get(names.LABEL_PLANE, ""),
        wave=expected.wave if expected else _wave_of(state.wave),
        sync=state.sync_status or "Unknown",
        health=state.health or "Unknown",
        revision=state.sync_revision,
        image_tag=state.image_tag,
        pin=expected.image_tag if expected else "",
        last_operation=last.strip(),
        problems=tuple(problems),
    )


def _wave_of(annotation: str) -> int | None:
    try:
        return int(annotation)
    except ValueError:
        return None


def status_rows(
    expected: Sequence[AppTarget], states: Sequence[AppState]
) -> tuple[StatusRow, ...]:
    """Every expected app (Missing when Argo CD has none), then the unexpected ones."""
    by_name = {s.name: s for s in states}
    wanted = {a.name for a in expected}
    rows = [status_row(a, by_name.get(a.name)) for a in expected]
    rows += [status_row(None, s) for s in sorted(states, key=lambda s: s.name)
             if s.name not in wanted]
    return tuple(rows)
