"""Presentation of `sync`: the plan, the outcome, the hint and the progress lines. Strings
only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from gitops_tool.commands.sync import SyncOutcome

if TYPE_CHECKING:
    from gitops_tool.commands.sync import Progress, SyncResult
    from gitops_tool.core.argocd.rollout import RolloutPlan


def plan_text(plan: RolloutPlan) -> str:
    root = plan.root
    lines = [
        f"sync plan for {plan.environment}: the root Application, then wave by wave",
        f"  root     {root.name} (project {root.project}, tracks {root.revision})",
    ]
    for wave in plan.waves:
        lines.append(f"  wave {wave.number:<3} {wave.plane}: "
                     + ", ".join(a.name for a in wave.apps))
    if not plan.waves:
        lines.append("  (no applications selected)")
    return "\n".join(lines)


def sync_text(result: SyncResult) -> str:
    """The outcome of a sync, for stdout."""
    plan = result.plan
    if result.outcome is SyncOutcome.DONE:
        waves = len(plan.waves)
        return (f"{plan.environment}: synced {plan.root.name} and {len(plan.apps)} "
                f"applications in {waves} wave{'s' if waves != 1 else ''} "
                f"(sync id {result.sync_id})")
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
                  if result.outcome is SyncOutcome.TIMEOUT or state != "done"]
    if result.running:
        lines.append("still running in Argo CD (not cancelled): " + ", ".join(result.running))
    return "\n".join(lines)


def sync_hint(result: SyncResult) -> str | None:
    env = result.plan.environment
    if result.outcome is SyncOutcome.FAILED:
        return (f"later waves were not synced. Fix forward, or roll back by promoting the "
                f"previous pins in environments/{env}.yaml; then run `gitops-tool sync {env}`")
    if result.outcome is SyncOutcome.TIMEOUT:
        return f"check the apps in Argo CD, then re-run `gitops-tool sync {env}` (or --timeout)"
    return None


def progress_line(progress: Progress) -> str:
    """One line for a terminal: the stage, how many are done, the first app still waiting."""
    done = sum(1 for _, kind, _ in progress.apps if kind == "done")
    waiting = [(name, reason) for name, kind, reason in progress.apps if kind != "done"]
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
