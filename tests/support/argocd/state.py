"""The state of the fake Argo CD's Applications, and the script a sync plays.

A sync request sets `operation`; each later GET of the app plays one frame:
(stale frames that still show the old verdict), Running, (more Running), Succeeded
with a status not yet reconciled, reconciled, then Healthy (or Degraded, or a Failed
operation, or Running for ever). The JSON follows swagger's v1alpha1Application.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

Clock = Callable[[], datetime]

HEALTH_LUA = 'hs = {}\nhs.status = "Progressing"\nreturn hs\n'
OUTCOMES = ("healthy", "degraded", "failed", "running")


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def sha_of(text: str) -> str:
    """A stable fake commit SHA for a name."""
    return hashlib.sha1(text.encode()).hexdigest()


def is_sha(text: str) -> bool:
    return len(text) == 40 and all(c in "0123456789abcdef" for c in text)


@dataclass
class FakeApp:
    """One Application with its live status and the frames still to play."""

    name: str
    project: str
    namespace: str = "argocd"
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    repo_url: str = "https://example.test/gitops.git"
    path: str = ""
    target_revision: str = "main"
    image_tag: str = ""
    automated: bool = False
    sync_status: str = "OutOfSync"
    sync_revision: str = ""
    health: str = "Healthy"
    health_message: str = ""
    health_since: datetime | None = None
    reconciled_at: datetime | None = None
    compared_revision: str | None = None  # comparedTo.source.targetRevision (None: spec's)
    operation: dict | None = None
    op_state: dict | None = None
    resources: list[dict] = field(default_factory=list)
    conditions: list[dict] = field(default_factory=list)
    # managed-resources items (v1alpha1ResourceDiff); None: one unmodified item per resource
    managed: list[dict] | None = None
    # the script of the next sync
    outcome: str = "healthy"
    running_polls: int = 1
    stale_polls: int = 0
    window_open: bool = True
    frames: deque[Callable[[FakeApp, datetime], None]] = field(default_factory=deque)
    hidden_operation_polls: int = 0
    finished: bool = False  # the last sync's script has played to its end
    done_seq: int | None = None  # the request at which it did

    # -- the script -----------------------------------------------------------------

    def play(self, now: datetime) -> None:
        """Advance one frame (called on each GET of this app)."""
        if self.hidden_operation_polls:
            self.hidden_operation_polls -= 1
            return
        if self.frames:
            self.frames.popleft()(self, now)

    def begin(self, operation: dict, resolved: str, outcome: str | None = None,
              running_polls: int | None = None) -> None:
        """An operation was requested: queue its frames."""
        self.operation = operation
        self.finished, self.done_seq = False, None
        outcome = outcome or self.outcome
        running = self.running_polls if running_polls is None else running_polls
        self.hidden_operation_polls = self.stale_polls
        frames: list[Callable[[FakeApp, datetime], None]] = [_start]
        frames += [_running] * max(0, running - 1)
        if outcome == "running":
            self.frames = deque(frames)
            return
        if outcome == "failed":
            frames.append(_fail)
        else:
            frames += [_succeed(resolved), _reconcile,
                       _degrade if outcome == "degraded" else _heal]
        self.frames = deque(frames)

    def managed_resources(self) -> list[dict]:
        if self.managed is not None:
            return self.managed
        return [resource_diff(str(r.get("kind")), str(r.get("name")),
                              {"kind": r.get("kind"), "metadata": {"name": r.get("name")}},
                              {"kind": r.get("kind"), "metadata": {"name": r.get("name")}},
                              group=str(r.get("group", "")),
                              namespace=str(r.get("namespace", "")))
                for r in self.resources]

    # -- JSON -------------------------------------------------------------------------

    def to_json(self, hide_operation: bool = False) -> dict[str, Any]:
        source: dict[str, Any] = {
            "repoURL": self.repo_url,
            "path": self.path or f"charts/{self.name}",
            "targetRevision": self.target_revision,
        }
        if self.image_tag:
            source["helm"] = {
                "valueFiles": ["values.yaml"],
                "parameters": [{"name": "image.tag", "value": self.image_tag}],
            }
        spec: dict[str, Any] = {
            "project": self.project,
            "source": source,
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "apps"},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
        }
        if self.automated:
            spec["syncPolicy"]["automated"] = {"prune": True, "selfHeal": True}
        compared = dict(source)
        if self.compared_revision is not None:
            compared["targetRevision"] = self.compared_revision
        status: dict[str, Any] = {
            "sync": {"status": self.sync_status, "comparedTo": {"source": compared}},
            "health": {"status": self.health},
            "resources": self.resources,
            "summary": {"images": [f"registry.test/{self.name}:{self.image_tag or 'x'}"]},
            "sourceType": "Helm",
        }
        if self.sync_revision:
            status["sync"]["revision"] = self.sync_revision
        if self.health_message:
            status["health"]["message"] = self.health_message
        if self.health_since:
            status["health"]["lastTransitionTime"] = stamp(self.health_since)
        if self.reconciled_at:
            status["reconciledAt"] = stamp(self.reconciled_at)
        if self.op_state:
            status["operationState"] = self.op_state
        if self.conditions:
            status["conditions"] = self.conditions
        data: dict[str, Any] = {
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "labels": self.labels,
                "annotations": self.annotations,
                "resourceVersion": "1",
            },
            "spec": spec,
            "status": status,
        }
        if self.operation and not (hide_operation or self.hidden_operation_polls):
            data["operation"] = self.operation
        return data


def resource_diff(kind: str, name: str, live: dict | None, desired: dict | None, *,
                  group: str = "", namespace: str = "apps", modified: bool | None = None,
                  version: str = "v1") -> dict:
    """One `v1alpha1ResourceDiff` of a managed-resources answer: the states as JSON text,
    as Argo CD sends them (live and desired: the objects, or None when absent)."""
    def text(state: dict | None) -> str:
        return json.dumps(state) if state is not None else "null"

    return {
        "group": group, "kind": kind, "namespace": namespace, "name": name,
        "targetState": text(desired), "liveState": text(live),
        "normalizedLiveState": text(live), "predictedLiveState": text(desired),
        "modified": live != desired if modified is None else modified,
        "hook": False, "resourceVersion": "1",
    }


def deployment(app: FakeApp, status: str, message: str = "") -> dict:
    health: dict[str, Any] = {"status": status}
    if message:
        health["message"] = message
    return {
        "group": "apps", "version": "v1", "kind": "Deployment", "namespace": "apps",
        "name": app.name, "status": "Synced", "health": health,
    }


def _start(app: FakeApp, now: datetime) -> None:
    app.op_state = {
        "operation": app.operation,
        "phase": "Running",
        "message": "one or more tasks are running",
        "startedAt": stamp(now),
    }
    app.sync_status = "OutOfSync"
    app.health, app.health_since, app.health_message = "Progressing", now, ""
    app.resources = [deployment(app, "Progressing", "Waiting for rollout to finish")]


def _running(app: FakeApp, now: datetime) -> None:
    return None


def _finish(app: FakeApp, now: datetime, phase: str, message: str, resolved: str) -> None:
    assert app.op_state is not None
    app.op_state = dict(app.op_state)
    app.op_state.update(phase=phase, message=message, finishedAt=stamp(now))
    app.op_state["syncResult"] = {
        "revision": resolved,
        "source": {"repoURL": app.repo_url, "targetRevision": app.target_revision},
        "resources": [{"group": "apps", "version": "v1", "kind": "Deployment",
                       "namespace": "apps", "name": app.name,
                       "status": "Synced" if phase == "Succeeded" else "SyncFailed",
                       "message": "deployment.apps configured", "syncPhase": "Sync"}],
    }
    app.operation = None


def _succeed(resolved: str) -> Callable[[FakeApp, datetime], None]:
    def frame(app: FakeApp, now: datetime) -> None:
        _finish(app, now, "Succeeded", "successfully synced (all tasks run)", resolved)
        app.sync_status, app.sync_revision = "Synced", resolved
        # the status still dates from before the operation finished (the stale race)
        app.reconciled_at = now - timedelta(seconds=1)

    return frame


def _fail(app: FakeApp, now: datetime) -> None:
    _finish(app, now, "Failed",
            'one or more objects failed to apply, reason: Deployment.apps "x" is invalid',
            app.sync_revision or "")
    app.reconciled_at = now
    app.finished = True


def _reconcile(app: FakeApp, now: datetime) -> None:
    app.reconciled_at = now


def _heal(app: FakeApp, now: datetime) -> None:
    app.health, app.health_since, app.health_message = "Healthy", now, ""
    app.resources = [deployment(app, "Healthy")]
    app.finished = True


def _degrade(app: FakeApp, now: datetime) -> None:
    message = "Deployment has timed out progressing"
    app.health, app.health_since, app.health_message = "Degraded", now, message
    app.resources = [deployment(app, "Degraded", message)]
    app.finished = True
