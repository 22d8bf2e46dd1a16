"""Presentation of `diff`: the table, JSON and Markdown. Strings only."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from gitops_tool.core.wording import agreeing, plural
from gitops_tool.output import table, to_json
from gitops_tool.output.promote import move_rows, visible_moves

if TYPE_CHECKING:
    from gitops_tool.commands.diff import DiffResult

HEADERS = (("SERVICE", "IMAGE", "REVISION"))



def _rows(result: DiffResult) -> list[tuple[str, str, str]]:
    return move_rows(result.moves, result.current, result.wanted)


def summary(result: DiffResult) -> str:
    if not result.changes:
        return (f"{result.target} runs {result.source}'s versions: nothing to promote "
                f"({result.source} runs {result.source_run.commit[:12]}, "
                f"{result.source_run.detail})")
    shown = len(visible_moves(result.moves, result.current, result.wanted))
    revision = " and source.revision" if result.current.revision != result.wanted.revision \
        else ""
    kept = len(result.identical) + len(result.moves) - shown
    who = (f"`gitops-tool promote {result.source} {result.target}`" if not result.chain
           else f"taking {result.source}'s versions ({result.source} -> {result.target} is "
           f"not a promotion step of {' -> '.join(result.chain)}: use rollback, or edit "
           "by hand)")
    return (f"{who} would move "
            f"{plural(shown, 'service')}{revision}; "
            f"{kept} {agreeing(kept, 'keeps its', 'keep their')} image "
            f"({result.source} runs {result.source_run.commit[:12]}, "
            f"{result.source_run.detail})")


def diff_table(result: DiffResult) -> str:
    lines = [table(HEADERS, _rows(result))] if result.changes else []
    return "\n".join([*lines, summary(result)])


def diff_markdown(result: DiffResult) -> str:
    lines = [f"### {result.source} → {result.target}", ""]
    if result.changes:
        lines += [f"| {' | '.join(h.title() for h in HEADERS)} |",
                  f"|{' --- |' * len(HEADERS)}"]
        lines += [f"| {' | '.join(f'`{c}`' if c and i in (1, 2) else c for i, c in enumerate(r))} |"
                  for r in _rows(result)]
        lines.append("")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def diff_json(result: DiffResult) -> str:
    return to_json({
        "command": "diff",
        "exit_code": result.exit_code,
        "source": result.source,
        "target": result.target,
        "services": list(result.services),
        "source_revision": result.source_run.commit,
        "source_revision_from": {"how": result.source_run.how,
                                 "detail": result.source_run.detail},
        "revision": {"old": result.current.revision, "new": result.wanted.revision},
        "changes": [asdict(m) for m in result.moves],
        "identical": list(result.identical),
        "promotion_step": not result.chain,  # `promote SOURCE TARGET` would be taken
    })
