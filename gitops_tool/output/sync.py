"""Presentation of `sync`: the plan, the outcome, the hint and the progress lines. Strings
only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitops_tool.commands.sync import SyncOutcome
from gitops_tool.core.argocd.appstatus import MISSING, short_revision
from gitops_tool.core.argocd.wait import VerdictKind
from gitops_tool.core.names import environment_file
from gitops_tool.core.wording import plural
from gitops_tool.output import table, to_json

if TYPE_CHECKING:
    from gitops_tool.commands.sync import Progress, SyncResult
    from gitops_tool.core.apps import AppTarget
    from gitops_tool.core.argocd.appstatus import StatusRow

PLAN_HEADERS = ("WAVE", "APP", "SYNC", "HEALTH", "REVISION", "WOULD")


def would(row: StatusRow) -> str:
    """What the sync would do with one app, from what Argo CD reports."""
    if row.sync == MISSING:
        return "stop here: not in Argo CD"
    if row.ok:
        return "sync (no change expected)"
    return f"sync ({'; '.join(row.problems)})"


def plan_text(result: SyncResult) -> str:
    """The --dry-run plan: the root, then wave by wave, each app as Argo CD reports it."""
    plan = result.plan
    targets = (plan.root, *plan.apps)
    rows = [
        ("root" if t is plan.root else t.wave, t.name, r.sync, r.health,
         short_revision(r.revision), would(r))
        for t, r in zip(targets, result.observed, strict=True)
    ]
    waves = ", ".join(f"{w.number} {w.plane}" for w in plan.waves)
    lines = [
        f"sync plan for {plan.environment} ({result.server}): the root Application, then "
        "wave by wave; dry run, nothing is synced",
        table(PLAN_HEADERS, rows),
        "",
        f"{plan.environment}: would sync {plan.root.name} (tracks {plan.root.revision}), then "
        f"{plural(len(plan.apps), 'application')} in {plural(len(plan.waves), 'wave')}"
        + (f" ({waves})" if waves else " (no applications selected)"),
    ]
    changing = [r for r in result.observed if not r.ok and r.sync != MISSING]
    missing = [r for r in result.observed if r.sync == MISSING]
    lines.append(f"  {len(changing)} out of sync or unhealthy, "
                 f"{len(result.observed) - len(changing) - len(missing)} already Synced and "
                 f"Healthy, {len(missing)} missing in Argo CD")
    if missing:
        lines.append("  the sync would stop at " + missing[0].app
                     + ": it is not in Argo CD (render and push argocd/, then sync the root)")
    return "\n".join(lines)


def sync_text(result: SyncResult) -> str:
    """The outcome of a sync, for stdout."""
    plan = result.plan
    if result.outcome is SyncOutcome.DONE:
        return (f"{plan.environment}: synced {plan.root.name} and "
                f"{plural(len(plan.apps), 'application')} in "
                f"{plural(len(plan.waves), 'wave')} (sync id {result.sync_id})")
    lines = []
    if result.outcome is SyncOutcome.FAILED and result.failure:
        f = result.failure
        lines.append(f"{plan.environment}: the rollout stopped at {f.app}: {f.reason}")
        if f.operation_message and f.operation_message not in f.reason:
            lines.append(f"  operation: {f.operation_message}")
        lines += [f"  {resource}" for resource in f.resources]
    elif result.outcome is SyncOutcome.TIMEOUT:
        lines.append(f"{plan.environment}: timed out; last known state:")
    elif result.outcome is SyncOutcome.INTERRUPTED:
        lines.append(f"{plan.environment}: interrupted; stopped waiting")
    if result.outcome in (SyncOutcome.TIMEOUT, SyncOutcome.INTERRUPTED, SyncOutcome.FAILED):
        lines += [f"  {name} (wave {wave}): {state}" for name, wave, state in result.apps
                  if result.outcome is SyncOutcome.TIMEOUT or state != VerdictKind.DONE]
    if result.running:
        lines.append("still running in Argo CD (not cancelled): " + ", ".join(result.running))
    return "\n".join(lines)


def sync_hint(result: SyncResult) -> str | None:
    env = result.plan.environment
    if result.outcome is SyncOutcome.INCOMPLETE:
        return (f"render and push argocd/, then run `gitops-tool sync {env}`: the root "
                "Application creates the missing apps")
    if result.outcome is SyncOutcome.FAILED:
        return (f"later waves were not synced. Fix forward, or roll back by promoting the "
                f"previous pins in {environment_file(env)}; then run `gitops-tool sync {env}`")
    if result.outcome is SyncOutcome.TIMEOUT:
        return f"check the apps in Argo CD, then re-run `gitops-tool sync {env}` (or --timeout)"
    return None


def progress_line(progress: Progress) -> str:
    """One line for a terminal: the stage, how many are done, the first app still waiting."""
    done = sum(1 for _, kind, _ in progress.apps if kind == VerdictKind.DONE)
    waiting = [(name, reason) for name, kind, reason in progress.apps if kind != VerdictKind.DONE]
    line = f"{progress.stage}: {done}/{len(progress.apps)} done"
    if waiting:
        name, reason = waiting[0]
        line += f"; {name}: {reason}"
        if len(waiting) > 1:
            line += f" (+{len(waiting) - 1} more)"
    return line


def progress_changes(seen: Mapping[str, str], progress: Progress) -> list[str]:
    """Plain lines for the apps whose state changed since `seen` (name -> reason)."""
    return [f"{progress.stage}: {name}: {reason}" for name, _, reason in progress.apps
            if seen.get(name) != reason]


def _app_json(app: AppTarget) -> dict[str, Any]:
    return {"app": app.name, "service": app.service, "wave": app.wave, "plane": app.plane,
            "project": app.project, "target_revision": app.revision, "pin": app.image_tag}


def sync_json(result: SyncResult) -> str:
    """One document for every outcome: the plan (root, then waves as integers), and for
    each app its last known state (a sync) or what Argo CD reports and what the sync would
    do (--dry-run, with full revisions)."""
    plan = result.plan
    known = {name: state for name, _, state in result.apps}
    observed = {row.app: row for row in result.observed}

    def app(target: AppTarget) -> dict[str, Any]:
        data = _app_json(target)
        if result.dry_run:
            row = observed[target.name]
            data.update(sync=row.sync, health=row.health, revision=row.revision,
                        problems=list(row.problems), would=would(row))
        else:
            data["state"] = known.get(target.name, "not started")
        return data

    failure = result.failure
    return to_json({
        "exit_code": result.exit_code,
        "environment": plan.environment,
        "outcome": result.outcome.value,
        "dry_run": result.dry_run,
        "server": result.server,
        "sync_id": result.sync_id,
        "root": app(plan.root),
        "waves": [{"wave": w.number, "plane": w.plane, "apps": [app(a) for a in w.apps]}
                  for w in plan.waves],
        "failure": None if failure is None else {
            "app": failure.app, "reason": failure.reason,
            "operation_message": failure.operation_message,
            "resources": [str(r) for r in failure.resources],
        },
        "running": list(result.running),
        "hint": sync_hint(result),
    })
