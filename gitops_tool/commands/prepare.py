"""What a commit of promote, rollback or `render --commit` holds, made from what it means.

An `Intent` is what one of our commits means: these values of one environment file (a
promotion, a rollback), or argocd/ as render makes it. `prepare` turns it into the files of
the commit on the working tree's (HEAD's) files: the first time, and again on the remote's
new head each time the remote moved (`publish`). A value someone else moved meanwhile comes
back as a conflict, never merged.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files, writer
from gitops_tool.commands.history import versions_at
from gitops_tool.core.load.environments import environment_from
from gitops_tool.core.load.tree import check_pins
from gitops_tool.core.names import ENVIRONMENTS_DIR
from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.edit import edit_pins
from gitops_tool.core.promote.plan import Change, Conflict, changes_between, rebase_changes
from gitops_tool.core.promote.versions import versions_of
from gitops_tool.core.render.plan import diff_for, plan_for
from gitops_tool.core.render.rendering import rendering_for
from gitops_tool.errors import GitError, InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone


@dataclass(frozen=True, slots=True)
class Intent:
    """What one commit of ours means, so that it can be made again on a newer head.

    Either `changes` to one environment's file (a promotion, a rollback), with TARGET
    re-rendered, or (`render`) argocd/ as render makes it from the head's inputs.
    """

    commit_id: str
    message: str
    environment: str = ""
    changes: tuple[Change, ...] = ()
    render: bool = False
    environments: tuple[str, ...] = ()  # render: the environments rendered (empty: all)
    # Called with the clone and the remote's new head before a promotion is made again on
    # it: raises when what the promotion rests on (SOURCE passing the gate) no longer holds.
    recheck: Callable[[Clone, str], None] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Prepared:
    """An intent made concrete on the working tree's (HEAD's) files."""

    files: dict[str, bytes | None]  # repository-relative path -> new content (None: removed)
    diff: str  # unified diff of those files
    conflicts: tuple[Conflict, ...] = ()
    stale: tuple[str, ...] = ()  # rendered files that were already out of date at HEAD

    @property
    def empty(self) -> bool:
        return not self.files and not self.conflicts


def env_path(name: str) -> str:
    return f"{ENVIRONMENTS_DIR}/{name}.yaml"


def _text_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            f"a/{path}", f"b/{path}",
        )
    )


def prepare_versions(root: Path, environment: str, changes: Sequence[Change]) -> Prepared:
    """`changes` made to environments/<environment>.yaml as the working tree has it, and
    that environment rendered again: the files of the commit. Changes someone else's
    values would undo are returned as conflicts instead."""
    tree = files.load_tree(root)
    env = tree.environment(environment)
    if env is None:  # loading checked the name; a file removed meanwhile
        raise InputError(f"{env_path(environment)}: no such environment",
                         hint="restore the file (git checkout), then run again")
    todo, conflicts = rebase_changes(changes, versions_of(env))
    if conflicts:
        return Prepared({}, "", conflicts)
    rel = env_path(environment)
    text = files.read_text(root / rel, root)
    edited = edit_pins(text, todo, rel)
    new_env = environment_from(environment, edited, rel)
    check_pins(new_env, [s.name for s in tree.services], tree.settings)
    before = rendering_for(tree, [environment])
    after_tree = replace(
        tree,
        environments=tuple(new_env if e.name == environment else e for e in tree.environments),
    )
    rendering = rendering_for(after_tree, [environment])
    existing = writer.read_output(root, rendering.owned)
    stale = tuple(path for path, _ in plan_for(before.files, before.owned, existing).write)
    plan = plan_for(rendering.files, rendering.owned, existing)
    found: dict[str, bytes | None] = {}
    if edited != text:
        found[rel] = edited.encode("utf-8")
    found.update(dict(plan.write))
    found.update(dict.fromkeys(plan.remove))
    diff = _text_diff(rel, text, edited) + diff_for(plan, existing)
    return Prepared(found, diff, (), stale)


def prepare_render(
    clone: Clone, root: Path, head: str, environments: Sequence[str] = ()
) -> Prepared:
    """argocd/ as render makes it from the working tree's inputs (`environments` only, and
    the bootstrap folder, when named), against what `head` holds there."""
    tree = files.load_tree(root)
    rendering = rendering_for(tree, list(environments) or None)
    out = tree.settings.output_dir
    committed: dict[str, bytes | None] = {
        path: data for path, data in clone.files_at(head, out).items()
        if path.startswith(rendering.owned)
    }
    plan = plan_for(rendering.files, rendering.owned, committed)
    found: dict[str, bytes | None] = dict(plan.write)
    found.update(dict.fromkeys(plan.remove))
    return Prepared(found, diff_for(plan, committed))


def intent_of(clone: Clone, commit: str, message: str) -> Intent:
    """What an earlier commit of ours (never pushed) means, read back from git."""
    found = t.parse_trailers(message)
    if t.first(found, t.RENDER):
        named = tuple(e.strip() for e in t.first(found, t.ENVIRONMENT).split(",") if e.strip())
        return Intent(t.first(found, t.RENDER), message, render=True, environments=named)
    environment = t.first(found, t.ENVIRONMENT)
    rel = env_path(environment)
    parent = (clone.parents(commit) or [""])[0]
    before = versions_at(clone, parent, rel)
    after = versions_at(clone, commit, rel)
    if not environment or before is None or after is None:
        raise GitError(
            f"commit {commit[:12]} carries gitops-tool trailers but no environment change "
            "gitops-tool can make again",
            hint="push it by hand (git push) or drop it (git reset --keep @{upstream})",
        )
    return Intent(t.first(found, t.PROMOTION), message, environment,
                  changes_between(before, after))


def prepare(clone: Clone, root: Path, intent: Intent) -> Prepared:
    if intent.render:
        return prepare_render(clone, root, clone.rev("HEAD") or "", intent.environments)
    return prepare_versions(root, intent.environment, intent.changes)
