"""What `gitops-tool render` prints: the summary on stderr (the product is the files), or
with `-o json` one document on stdout."""

from __future__ import annotations

from typing import Any, Protocol

from gitops_tool.core.render.plan import WritePlan
from gitops_tool.core.wording import agreeing, plural
from gitops_tool.output import to_json

SHOW_REMOVED = 20  # removed files listed by name; more are counted


class _Result(Protocol):
    output_dir: str
    plan: WritePlan
    counts: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    check: bool
    diff: str
    exit_code: int


def summary(result: _Result) -> str:
    """Applications per plane per environment, then files written, unchanged, removed."""
    lines = []
    for env, planes in result.counts:
        total = sum(n for _, n in planes)
        detail = ", ".join(f"{plane} {n}" for plane, n in planes)
        lines.append(f"{env}: {plural(total, 'Application')} ({detail})")
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
            lines.append(f"{out} is up to date ({plural(len(plan.unchanged), 'file')}).")
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


def render_json(result: _Result) -> str:
    """The write plan by path -- `update` (existing files that change), `new`, `remove`,
    how many are `unchanged`, and the `foreign` files render keeps (it did not write them)
    -- which render applied (`applied`), or with --check only compared (then `diff` holds
    the unified diff); the Applications per environment and plane."""
    return to_json(_render_data(result))


def _render_data(result: _Result) -> dict:
    plan = result.plan
    written = sorted(path for path, _ in plan.write)
    data = {
        "exit_code": result.exit_code,
        "check": result.check,
        "output_dir": result.output_dir,
        "changed": plan.changed,
        "applied": plan.changed and not result.check,
        "environments": [
            {"environment": env, "applications": sum(n for _, n in planes),
             "planes": [{"plane": plane, "applications": n} for plane, n in planes]}
            for env, planes in result.counts
        ],
        "update": [p for p in written if p not in plan.new],
        "new": sorted(plan.new),
        "remove": list(plan.remove),
        "foreign": list(plan.foreign),
        "unchanged": len(plan.unchanged),
    }
    if result.check:
        data["diff"] = result.diff
    return data


def commit_summary(result: Any) -> str:
    """What `render --commit` committed and pushed."""
    published = result.published
    lines = []
    if published is not None and published.commit:
        folders = ", ".join(result.environments) or "nothing"
        lines.append(f"committed {published.commit} on {published.branch}: "
                     f"{plural(len(result.files), 'file')} under {result.render.output_dir}/ "
                     f"({folders})")
    else:
        lines.append(f"nothing to commit: {result.render.output_dir}/ matches the last commit")
    if published is not None and published.pushed:
        lines.append(f"pushed to {published.remote}/{published.remote_branch}")
    return "\n".join(lines)


def commit_json(result: Any) -> str:
    """`render --commit -o json`: the render, and the commit (full SHA) and push it made."""
    published = result.published
    data = _render_data(result.render)
    data.update(
        exit_code=result.exit_code,
        commit=(published.commit if published is not None else "") or None,
        branch=published.branch if published is not None else None,
        pushed=bool(published is not None and published.pushed),
        files=list(result.files),
        environments_changed=list(result.environments),
    )
    return to_json(data)


def _foreign(plan: WritePlan, out: str, verb: str) -> list[str]:
    """Files in render's folders that it does not produce and did not write: never removed."""
    if not plan.foreign:
        return []
    count = len(plan.foreign)
    them = agreeing(count, "it", "them")
    lines = [
        f"{out}: {plural(count, 'file')} that render does not produce and did not write (no "
        f"gitops-tool header), so it never removes {them}; remove {them} by hand if "
        f"{agreeing(count, 'it', 'they')} should go:"
    ]
    lines += [f"  {verb} {path}" for path in plan.foreign[:SHOW_REMOVED]]
    if len(plan.foreign) > SHOW_REMOVED:
        lines.append(f"  ... and {len(plan.foreign) - SHOW_REMOVED} more")
    return lines
