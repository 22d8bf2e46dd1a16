"""Presentation of `promote` (and `rollback`, which tells the same story): the text summary,
the JSON document, the pull-request body (Markdown, from a Jinja2 template). Strings only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from gitops_tool.commands.promote import Outcome
from gitops_tool.core.model import is_commit
from gitops_tool.core.promote.gate import Gate, GateStatus
from gitops_tool.core.promote.message import Story, rendered_files, subject_of
from gitops_tool.core.promote.plan import ServiceMove
from gitops_tool.core.promote.versions import Versions
from gitops_tool.core.wording import agreeing, plural
from gitops_tool.output import table, to_json

if TYPE_CHECKING:
    from gitops_tool.commands.promote import PromoteResult

MOVES_HEADERS = ("SERVICE", "IMAGE", "REVISION")
GATE_HEADERS = ("APP", "SYNC", "HEALTH", "REVISION", "IMAGE TAG", "PROBLEMS")
SHOW_FILES = 20



def short(revision: str) -> str:
    return revision[:12] if is_commit(revision) else revision


def _arrow(old: str, new: str) -> str:
    return f"{old} -> {new}" if old != new else new


def follows_environment(move: ServiceMove, current: Versions, wanted: Versions) -> bool:
    """Whether `move`'s revision change is just its environment's `source.revision` moving."""
    return move.old_revision == current.revision and move.new_revision == wanted.revision


def visible_moves(
    moves: Sequence[ServiceMove], current: Versions, wanted: Versions
) -> list[tuple[ServiceMove, bool]]:
    """The moves worth a row, each with whether its revision is shown: an image that moves,
    or a chart that moves apart from the environment's revision (shown on its own row)."""
    shown = []
    for move in moves:
        own = move.revision_moves and not follows_environment(move, current, wanted)
        if move.image_moves or own:
            shown.append((move, own))
    return shown


def move_rows(moves: Sequence[ServiceMove], current: Versions, wanted: Versions
              ) -> list[tuple[str, str, str]]:
    rows = []
    if current.revision != wanted.revision:
        rows.append(("(source.revision: every chart)", "",
                     _arrow(short(current.revision), short(wanted.revision))))
    for move, own in visible_moves(moves, current, wanted):
        revision = _arrow(short(move.old_revision), short(move.new_revision)) if own else ""
        rows.append((move.service, _arrow(move.old_image, move.new_image), revision))
    return rows


def moves_table(story: Story) -> str:
    return table(MOVES_HEADERS, move_rows(story.moves, story.current, story.wanted))


def gate_line(gate: Gate, source: str) -> str:
    if gate.status == GateStatus.PASSED:
        return f"passed: {plural(len(gate.rows), 'app')} of {source} Synced and Healthy at the " \
               "promoted revision and tags"
    if gate.status == GateStatus.SKIPPED:
        return f"skipped: {gate.reason}"
    if gate.status == GateStatus.NOT_CHECKED:
        return "not checked: no Argo CD server is configured"
    bad = sum(1 for r in gate.rows if not r.ok)
    return f"refused: {bad} of {plural(len(gate.rows), 'app')} of {source} " \
           f"{agreeing(bad, 'does', 'do')} not run what would be promoted, healthy"


def gate_table(gate: Gate, only_failing: bool = True) -> str:
    rows = [
        (r.app, r.sync, r.health, short(r.revision) or "-", r.image_tag or "-",
         "; ".join(r.problems) or "ok")
        for r in gate.rows
        if r.problems or not only_failing
    ]
    return table(GATE_HEADERS, rows)


def text(result: PromoteResult) -> str:
    """The summary on stdout (the diff too, for a dry run)."""
    story = result.story
    lines = [f"{subject_of(story)} [{result.outcome.value}]"]
    if result.source_run is not None:
        lines.append(f"{story.source} runs {result.source_run.commit} "
                     f"({result.source_run.detail})")
    if story.kind == "promote":
        lines.append(f"gate: {gate_line(result.gate, story.source)}")
    if result.gate.status == GateStatus.FAILING:
        lines += ["", gate_table(result.gate)]
        if result.fast_forwarded:
            lines += ["", *result.notes, "nothing was committed"]
        return "\n".join(lines)
    if story.moves or story.current.revision != story.wanted.revision:
        lines += ["", moves_table(story)]
    lines += ["", *outcome_lines(result)]
    if result.diff and result.outcome is Outcome.PLANNED:
        lines += ["", result.diff.rstrip("\n")]
    return "\n".join(lines)


def outcome_lines(result: PromoteResult) -> list[str]:
    story, published = result.story, result.published
    outcome = result.outcome
    lines = list(result.notes)
    if outcome is Outcome.PLANNED:
        lines.append(f"dry run: nothing was changed; {_files(result)} would be committed")
    elif outcome is Outcome.DECLINED:
        lines.append("not confirmed: nothing was committed" if result.fast_forwarded
                     else "not confirmed: nothing was changed")
    if published is not None and published.commit:
        lines.append(f"committed {published.commit} on {published.branch}: {_files(result)}")
    if published is not None and published.pushed:
        extra = len(published.pushed_commits) - (1 if published.commit else 0)
        also = f" (with {plural(extra, 'earlier unpushed commit')} of ours)" if extra > 0 \
            else ""
        moved = f"; the remote moved {plural(published.moved, 'time')} meanwhile, our commit was " \
                "made again on its head" if published.moved else ""
        lines.append(f"pushed to {published.remote}/{published.remote_branch}{also}{moved}")
    elif published is not None and published.commit:
        lines.append(f"not pushed: run `git push`, or `gitops-tool {story.kind} ... --push`")
    return lines


def _files(result: PromoteResult) -> str:
    """`environments/prod.yaml, 13 rendered files under argocd/prod/`: the folders named
    are those of the files (the commit holds TARGET's only)."""
    rendered, folders = rendered_files(result.files, result.output_dir)
    env_files = [p for p in result.files if p not in rendered]
    parts = env_files + ([f"{plural(len(rendered), 'rendered file')} under "
                          f"{', '.join(folders)}"] if rendered else [])
    return ", ".join(parts) or "nothing"


def as_data(result: PromoteResult) -> dict[str, Any]:
    """The JSON document: one object, `exit_code` included, full commit SHAs."""
    story, published = result.story, result.published
    return {
        "command": story.kind,
        "exit_code": result.exit_code,
        "outcome": result.outcome.value,
        "promotion_id": story.promotion_id,
        "source": story.source or None,
        "target": story.target,
        "services": list(story.services),
        "rollback_of": story.rollback_of or None,
        "source_revision": result.source_run.commit if result.source_run else None,
        "source_revision_from": (
            {"how": result.source_run.how, "detail": result.source_run.detail}
            if result.source_run else None
        ),
        "revision": {"old": story.current.revision, "new": story.wanted.revision},
        "changes": [asdict(m) for m in story.moves],
        "gate": {
            "status": result.gate.status,
            "reason": result.gate.reason or None,
            "apps": [dict(asdict(r), ok=r.ok) for r in result.gate.rows],
        },
        "files": list(result.files),
        "commit": (published.commit or None) if published else None,
        "branch": published.branch if published else None,
        "pushed": bool(published and published.pushed),
        "remote": f"{published.remote}/{published.remote_branch}"
        if published and published.remote else None,
        "pushed_commits": list(published.pushed_commits) if published else [],
        "notes": list(result.notes),
        "fast_forwarded": result.fast_forwarded or None,
        "diff": result.diff if result.outcome is Outcome.PLANNED else None,
    }


def as_json(result: PromoteResult) -> str:
    return to_json(as_data(result))


def links(result: PromoteResult) -> list[str]:
    """Markdown links to the rendered files of the commit (on GitHub-like hosts), else
    the paths."""
    published = result.published
    base = result.repo_url.removesuffix(".git").rstrip("/")
    web = base.startswith("https://") and published is not None and published.commit
    shown = []
    paths = sorted(result.files, key=lambda p: (p.startswith(f"{result.output_dir}/"), p))
    for path in paths[:SHOW_FILES]:
        if web:
            shown.append(f"[`{path}`]({base}/blob/{published.commit}/{path})")
        else:
            shown.append(f"`{path}`")
    if len(result.files) > SHOW_FILES:
        shown.append(f"... and {len(result.files) - SHOW_FILES} more")
    return shown


def markdown(result: PromoteResult) -> str:
    """The pull-request body (`gh pr create --body-file`)."""
    from gitops_tool import templates

    story = result.story
    summary = (
        f"Promotes {', '.join(story.services)} from **{story.source}** to **{story.target}**."
        if story.services else
        f"Promotes every version **{story.source}** runs to **{story.target}**."
    )
    if story.kind == "rollback":
        summary = f"Rolls **{story.target}** back to `{story.rollback_of}`."
    return templates.render(
        "promote/pull-request.md.j2",
        title=subject_of(story),
        outcome=result.outcome.value,
        source=story.source,
        target=story.target,
        source_revision=story.source_revision,
        source_how=result.source_run.detail if result.source_run else "",
        summary=summary,
        revision_move=(story.current.revision, story.wanted.revision)
        if story.current.revision != story.wanted.revision else None,
        moves=[m for m, _ in visible_moves(story.moves, story.current, story.wanted)],
        own_revision=[m.service for m, own in
                      visible_moves(story.moves, story.current, story.wanted) if own],
        gate_line=gate_line(result.gate, story.source),
        gate_rows=list(result.gate.rows),
        links=links(result),
        footer=f"gitops-tool {story.kind} {story.promotion_id}",
    )
