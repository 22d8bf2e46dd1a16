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
        else:
            lines.append(f"{out} is up to date ({len(plan.unchanged)} files).")
        return "\n".join(lines)
    lines.append(
        f"{out}: {len(plan.write)} written ({len(plan.new)} new), "
        f"{len(plan.unchanged)} unchanged, {len(plan.remove)} removed"
    )
    for path in plan.remove[:SHOW_REMOVED]:
        lines.append(f"  removed {path} (render does not produce it)")
    if len(plan.remove) > SHOW_REMOVED:
        lines.append(f"  ... and {len(plan.remove) - SHOW_REMOVED} more removed")
    return "\n".join(lines)


def commit_summary(result: object) -> str:
    """What `render --commit` committed and pushed."""
    published = getattr(result, "published", None)
    paths = getattr(result, "files", ())
    lines = []
    if published is not None and published.commit:
        folders = ", ".join(getattr(result, "environments", ())) or "nothing"
        lines.append(f"committed {published.commit} on {published.branch}: {len(paths)} "
                     f"file(s) under {result.render.output_dir}/ ({folders})")
    else:
        lines.append(f"nothing to commit: {result.render.output_dir}/ matches the last commit")
    if published is not None and published.pushed:
        lines.append(f"pushed to {published.remote}/{published.remote_branch}")
    return "\n".join(lines)
