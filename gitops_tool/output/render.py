"""The summary `gitops-tool render` prints on stderr (the product is the files)."""

from __future__ import annotations

from typing import Protocol

from gitops_tool.core.render.plan import WritePlan

SHOW_REMOVED = 20  # removed files listed by name; more are counted


class _Result(Protocol):
    output_dir: str
    plan: WritePlan
    counts: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    check: bool


def summary(result: _Result) -> str:
    """Applications per plane per environment, then files written, unchanged, removed."""
    lines = []
    for env, planes in result.counts:
        total = sum(n for _, n in planes)
        detail = ", ".join(f"{plane} {n}" for plane, n in planes)
        lines.append(f"{env}: {total} Applications ({detail})")
    plan = result.plan
    out = f"{result.output_dir}/"
    if result.check:
        if plan.changed:
            lines.append(
                f"{out} differs from what render produces: {len(plan.write)} to write "
                f"({len(plan.new)} new), {len(plan.remove)} to remove; the diff is on stdout. "
                "Run `gitops-tool render` to update it."
            )
        elif not plan.foreign:
            lines.append(f"{out} is up to date ({len(plan.unchanged)} files).")
        lines += _foreign(plan, out, "render would keep")
        return "\n".join(lines)
    lines.append(
        f"{out}: {len(plan.write)} written ({len(plan.new)} new), "
        f"{len(plan.unchanged)} unchanged, {len(plan.remove)} removed"
    )
    for path in plan.remove[:SHOW_REMOVED]:
        lines.append(f"  removed {path} (render does not produce it)")
    if len(plan.remove) > SHOW_REMOVED:
        lines.append(f"  ... and {len(plan.remove) - SHOW_REMOVED} more removed")
    lines += _foreign(plan, out, "kept")
    return "\n".join(lines)


def _foreign(plan: WritePlan, out: str, verb: str) -> list[str]:
    """Files in render's folders that it does not produce and did not write: never removed."""
    if not plan.foreign:
        return []
    lines = [
        f"{out}: {len(plan.foreign)} file(s) that render does not produce and did not write "
        "(no gitops-tool header), so it never removes them; remove them by hand if they "
        "should go:"
    ]
    lines += [f"  {verb} {path}" for path in plan.foreign[:SHOW_REMOVED]]
    if len(plan.foreign) > SHOW_REMOVED:
        lines.append(f"  ... and {len(plan.foreign) - SHOW_REMOVED} more")
    return lines
