"""`rollback ENV --to ID|COMMIT`: ENV's revision and pins as they were after a promotion (by
its id) or at a commit, through the same edit, render, commit and push as promote.

Not restricted to the chain, and no gate: a rollback restores what already ran. Services
the older file has no pin for keep theirs (a chart added since); nothing else of the
environment file changes. The commit carries `Gitops-Tool-Rollback-Of: <id or commit>`.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT
from gitops_tool.commands import publish
from gitops_tool.commands.history import versions_at
from gitops_tool.commands.prepare import committed_environments
from gitops_tool.commands.promote import (
    Outcome,
    PromoteDeps,
    PromoteResult,
    carry_out,
    check_branch_name,
    landing_for,
    promotion_id,
    require_confirmation,
    settle_output,
)
from gitops_tool.core.names import environment_file
from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.gate import Gate
from gitops_tool.core.promote.message import Story
from gitops_tool.core.promote.plan import changes_between, moves_between, restored_versions
from gitops_tool.core.promote.versions import Versions, versions_of
from gitops_tool.errors import InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone

ROLLBACK_GATE = "rollback"  # the Gate status shown for a rollback (none is checked)


@dataclass(frozen=True, slots=True)
class RollbackOptions:
    root: Path
    environment: str
    to: str  # a promotion id or a commit
    push: bool = False
    branch: str = ""
    yes: bool = False
    interactive: bool = False
    dry_run: bool = False
    lock_timeout: float = DEFAULT_TIMEOUT


def find_target(clone: Clone, environment: str, to: str) -> tuple[str, str]:
    """(commit, how the commit message names it): the commit of promotion `to` among ENV's
    file's commits, else the commit `to` names."""
    rel = environment_file(environment)
    for entry in clone.log_of(rel):
        if t.first(t.parse_trailers(entry.message), t.PROMOTION) == to:
            return entry.commit, to
    commit = clone.rev(to)
    if commit is None:
        raise InputError(
            f"--to {to!r}: no promotion of {environment} has this id, and it names no commit",
            hint=f"`gitops-tool history {environment}` lists the ids and commits (of HEAD: "
            "pull first if the promotion was made elsewhere)",
        )
    return commit, commit


def run(options: RollbackOptions, deps: PromoteDeps | None = None) -> PromoteResult:
    deps = deps or PromoteDeps()
    root = options.root
    settings = files.load_settings(root)
    files.check_environment_names(root, [options.environment])
    if not options.to.strip() or options.to.startswith("-"):
        raise InputError(f"--to {options.to!r} is neither a promotion id nor a commit",
                         hint=f"`gitops-tool history {options.environment}` lists them")
    require_confirmation(options)
    from gitops_tool.adapters.git.clone import open_clone

    with ExitStack() as stack:
        clone = stack.enter_context(open_clone(root))
        # --branch and --to are checked (read only) before the lock, the fetch or anything
        check_branch_name(clone, options.branch)
        restored = restored_from(clone, options)
        settle_output(stack, options, settings.output_dir,
                      f"rollback {options.environment} --to {options.to}", deps.runtime.warn)
        return _rollback(clone, options, deps, restored)
    raise AssertionError("unreachable")


def restored_from(clone: Clone, options: RollbackOptions) -> tuple[str, str, Versions]:
    """(commit, how the message names it, ENV's versions there) for --to."""
    commit, named = find_target(clone, options.environment, options.to)
    rel = environment_file(options.environment)
    then = versions_at(clone, commit, rel)
    if then is None:
        raise InputError(
            f"--to {options.to}: commit {commit[:12]} has no readable {rel}",
            hint=f"`gitops-tool history {options.environment}` lists its promotions",
        )
    return commit, named, then


def _rollback(
    clone: Clone, options: RollbackOptions, deps: PromoteDeps,
    restored: tuple[str, str, Versions],
) -> PromoteResult:
    commit, named, then = restored
    branch = publish.on_branch(clone)
    publish.require_clean(clone)
    landing = landing_for(clone, options, branch)
    caught = publish.CaughtUp() if options.dry_run else publish.catch_up(clone, landing, deps.git)
    tree = files.load_tree(options.root)
    (env,) = committed_environments(clone, options.root, tree, [options.environment],
                                    deps.runtime.warn)
    current = versions_of(env)
    wanted, kept, gone = restored_versions(current, then)
    notes = []
    rel = environment_file(options.environment)
    if named == commit and clone.file_at(commit, rel) == clone.file_at(f"{commit}^", rel):
        notes.append(f"{commit[:12]} did not change {rel}: {options.environment} goes back to "
                     "its versions as they were at that commit")
    if kept:
        notes.append(f"{commit[:12]} has no pin for {', '.join(kept)}: kept as they are")
    if gone:
        notes.append(f"{commit[:12]} pins {', '.join(gone)}, which no longer exist: ignored")
    new_id = (deps.new_id or (lambda target: promotion_id(target, deps.runtime)))(env.name)
    story = Story(
        kind="rollback", promotion_id=new_id, source="", target=env.name, services=(),
        source_revision="", current=current, wanted=wanted,
        moves=moves_between(current, wanted), gate="", rollback_of=named,
    )
    result = PromoteResult(
        Outcome.PLANNED, story, Gate(ROLLBACK_GATE), None, changes_between(current, wanted),
        output_dir=tree.settings.output_dir, repo_url=env.repo_url,
        notes=(*caught.notes(landing), *notes), fast_forwarded=caught.fast_forwarded,
    )
    return carry_out(clone, options, deps, result, landing, caught.pending)
