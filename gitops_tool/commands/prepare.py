"""What a commit of promote, rollback or `render --commit` holds, made from what it means.

An `Intent` is what one of our commits means: these values of one environment file (a
promotion, a rollback), or argocd/ as render makes it. `prepare` turns it into the files of
the commit on HEAD's files: the first time, and again on the remote's new head each time the
remote moved (`publish`). A value someone else moved meanwhile comes back as a conflict,
never merged.

A promotion's or a rollback's commit holds environments/ENV.yaml and what render writes for
ENV (argocd/ENV/), nothing else: both are read from HEAD, never from the working tree or the
index, so nothing uncommitted (an edit git was told to ignore, an ignored file under
argocd/ENV/) gets in, nor the bootstrap folder.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files
from gitops_tool.commands.history import versions_at
from gitops_tool.core.load.environments import environment_from
from gitops_tool.core.load.tree import check_pins
from gitops_tool.core.model import Environment, Tree
from gitops_tool.core.names import environment_file
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
    """An intent made concrete on HEAD's files."""

    files: dict[str, bytes | None]  # repository-relative path -> new content (None: removed)
    diff: str  # unified diff of those files
    conflicts: tuple[Conflict, ...] = ()
    stale: tuple[str, ...] = ()  # rendered files that were already out of date at HEAD

    @property
    def empty(self) -> bool:
        return not self.files and not self.conflicts


def _text_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            f"a/{path}", f"b/{path}",
        )
    )


def committed_text(clone: Clone, revision: str, rel: str) -> str:
    """The text of `rel` at `revision`; InputError when it has no such file."""
    data = clone.file_at(revision, rel) if revision else None
    if data is None:
        raise InputError(f"{rel}: not committed ({revision[:12] or 'HEAD'} has no such file)",
                         hint="commit it (or restore it: git checkout), then run again")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{rel} at {revision[:12]}: not UTF-8 text ({exc.reason})",
                         hint="save the file as UTF-8 and commit it") from None


def checked_environment(tree: Tree, name: str, text: str) -> Environment:
    """The environment `name` from the text of its file, checked as loading checks it."""
    env = environment_from(name, text, environment_file(name))
    check_pins(env, [s.name for s in tree.services], tree.settings)
    return env


def committed_environment(clone: Clone, revision: str, tree: Tree, name: str) -> Environment:
    """environments/<name>.yaml as `revision` has it, checked as loading checks it."""
    return checked_environment(tree, name,
                               committed_text(clone, revision, environment_file(name)))


def with_environments(tree: Tree, *envs: Environment) -> Tree:
    """`tree` with `envs` in place of the environments of the same names."""
    by_name = {e.name: e for e in envs}
    return replace(tree, environments=tuple(by_name.get(e.name, e) for e in tree.environments))


def committed_environments(
    clone: Clone, root: Path, tree: Tree, names: Sequence[str], warn: Callable[[str], None]
) -> list[Environment]:
    """environments/<name>.yaml of each of `names` as HEAD has it: a command that commits
    on HEAD never reads an edit that is not committed, and says so on `warn` (an edit git
    may not even report: skip-worktree, assume-unchanged)."""
    head = clone.rev("HEAD") or ""
    for name in dict.fromkeys(names):
        rel = environment_file(name)
        try:
            here = (root / rel).read_bytes()
        except OSError:
            here = None
        if here != clone.file_at(head, rel):
            warn(f"warning: {rel} differs from HEAD's (an edit not committed): it is read as "
                 "HEAD has it")
    return [committed_environment(clone, head, tree, name) for name in names]


def prepare_versions(
    clone: Clone, root: Path, environment: str, changes: Sequence[Change]
) -> Prepared:
    """`changes` made to environments/<environment>.yaml as HEAD has it, and that
    environment rendered again against HEAD's argocd/<environment>/: the files of the
    commit. Changes someone else's values would undo are returned as conflicts instead."""
    head = clone.rev("HEAD") or ""
    tree = files.load_tree(root)
    rel = environment_file(environment)
    text = committed_text(clone, head, rel)
    env = checked_environment(tree, environment, text)
    tree = with_environments(tree, env)
    todo, conflicts = rebase_changes(changes, versions_of(env))
    if conflicts:
        return Prepared({}, "", conflicts)
    edited = edit_pins(text, todo, rel)
    new_env = checked_environment(tree, environment, edited)
    folder = f"{tree.settings.output_dir}/{environment}/"
    existing: dict[str, bytes | None] = dict(clone.files_at(head, folder))
    before = _files_under(rendering_for(tree, [environment]).files, folder)
    stale = tuple(path for path, _ in plan_for(before, (folder,), existing).write)
    after = _files_under(rendering_for(with_environments(tree, new_env), [environment]).files,
                         folder)
    plan = plan_for(after, (folder,), existing)
    found: dict[str, bytes | None] = {}
    if edited != text:
        found[rel] = edited.encode("utf-8")
    found.update(dict(plan.write))
    found.update(dict.fromkeys(plan.remove))
    diff = _text_diff(rel, text, edited) + diff_for(plan, existing)
    return Prepared(found, diff, (), stale)


def _files_under(rendered: dict[str, str], folder: str) -> dict[str, str]:
    """The rendered files of one environment's folder (render also writes the bootstrap
    folder, which depends on every environment: never a promotion's business)."""
    return {path: text for path, text in rendered.items() if path.startswith(folder)}


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
    rel = environment_file(environment)
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
    return prepare_versions(clone, root, intent.environment, intent.changes)
