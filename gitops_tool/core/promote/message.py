"""What a promotion's commit says: its subject, the values of its template, its trailers.

Pure. The message's text is the template `templates/promote/commit.txt.j2`; this decides
what goes in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gitops_tool.core.model import is_commit
from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.plan import ServiceMove
from gitops_tool.core.promote.versions import Pin, Versions
from gitops_tool.core.wording import plural


@dataclass(frozen=True, slots=True)
class Story:
    """Everything a promotion's or a rollback's commit message and reports tell."""

    kind: str  # "promote" | "rollback"
    promotion_id: str
    source: str  # "" for a rollback
    target: str
    services: tuple[str, ...]  # the services asked for ("" = all)
    source_revision: str  # the commit SOURCE runs ("" for a rollback)
    current: Versions
    wanted: Versions
    moves: tuple[ServiceMove, ...]
    gate: str  # the Gitops-Tool-Gate value ("" for a rollback)
    rollback_of: str = ""  # what a rollback restores: a promotion id or a commit


def own_revision_moves(story: Story) -> tuple[str, ...]:
    """Services whose own pin revision changes (a chart moved apart from its environment)."""
    return tuple(
        m.service
        for m in story.moves
        if story.current.pins.get(m.service, Pin("")).revision
        != story.wanted.pins.get(m.service, Pin("")).revision
    )


def subject_of(story: Story) -> str:
    """`promote staging -> prod: 3 services` (or `... : charts at 9c1e7a0b2d3f` when only
    the revision moves); `rollback prod to <id>: ...`."""
    own = set(own_revision_moves(story))
    count = sum(1 for m in story.moves if m.image_moves or m.service in own)
    parts = []
    if count:
        parts.append(plural(count, "service"))
    if story.current.revision != story.wanted.revision:
        parts.append(f"charts at {_short(story.wanted.revision)}")
    what = ", ".join(parts)
    if story.kind == "rollback":
        return (f"rollback {story.target} to {_short(story.rollback_of)}: "
                f"{what or 'nothing to roll back'}")
    return f"promote {story.source} -> {story.target}: {what or 'nothing to promote'}"


def trailers_of(story: Story) -> list[tuple[str, str]]:
    trailers = [(t.PROMOTION, story.promotion_id), (t.ENVIRONMENT, story.target)]
    if story.kind == "rollback":
        trailers.append((t.ROLLBACK_OF, story.rollback_of))
        return trailers
    trailers += [
        (t.SOURCE, story.source),
        (t.SOURCE_REVISION, story.source_revision),
        (t.GATE, story.gate),
    ]
    if story.gate.startswith(t.GATE_SKIPPED_PREFIX):
        trailers.append((t.GATE_SKIPPED, story.gate[len(t.GATE_SKIPPED_PREFIX):]))
    return trailers


def message_context(story: Story, rendered: str) -> dict[str, Any]:
    """The values of `templates/promote/commit.txt.j2`."""
    revision_move = (
        (story.current.revision, story.wanted.revision)
        if story.current.revision != story.wanted.revision
        else None
    )
    return {
        "subject": subject_of(story),
        "kind": story.kind,
        "source": story.source,
        "target": story.target,
        "services": list(story.services),
        "source_revision": story.source_revision,
        "revision_move": revision_move,
        "moves": list(story.moves),
        "own_revision_moves": own_revision_moves(story),
        "rollback_of": story.rollback_of,
        "rollback_of_is_id": not _looks_like_commit(story.rollback_of),
        "rendered": rendered,
        "trailers": t.trailer_lines(trailers_of(story)),
    }


def rendered_files(paths: Sequence[str], output_dir: str) -> tuple[list[str], list[str]]:
    """(the rendered files among `paths`, the folders they are in: `argocd/prod/`)."""
    rendered = [p for p in paths if p.startswith(f"{output_dir}/")]
    return rendered, sorted({"/".join(p.split("/")[:2]) + "/" for p in rendered})


def rendered_summary(paths: Sequence[str], output_dir: str) -> str:
    """`argocd/prod/ (16 files)` for the files of a commit (the environment file aside)."""
    rendered, folders = rendered_files(paths, output_dir)
    if not rendered:
        return "no file changes"
    return f"{', '.join(folders)} ({plural(len(rendered), 'file')})"


def _short(revision: str) -> str:
    return revision[:12] if is_commit(revision) or _looks_like_commit(revision) else revision


def _looks_like_commit(text: str) -> bool:
    return 7 <= len(text) <= 40 and all(c in "0123456789abcdef" for c in text)
