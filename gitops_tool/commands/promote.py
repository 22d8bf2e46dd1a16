"""`promote SOURCE TARGET`: TARGET takes the versions SOURCE runs, in one commit.

The whole plan is built before the first side effect: the chain step, a clean tree on a
branch, the commit SOURCE runs, the gate, TARGET's file edited and rendered in memory, the
diff. `--dry-run` returns it there. Otherwise, after a confirmation, one commit holds
environments/TARGET.yaml and TARGET's rendered files, and `publish` lands and pushes it. The
repository lock is held for the whole run (not in a dry run: it changes nothing).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops_tool.adapters import files, writer
from gitops_tool.adapters.argocd.config import ConnectionFlags, server_given
from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.lock import DEFAULT_TIMEOUT, repository_lock
from gitops_tool.commands import gate as source_gate
from gitops_tool.commands import prepare, publish
from gitops_tool.commands.gate import SourceRun
from gitops_tool.core import selection
from gitops_tool.core.model import Environment, Settings, Tree
from gitops_tool.core.names import environment_file
from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.gate import Gate, GateStatus
from gitops_tool.core.promote.message import Story, message_context, rendered_summary
from gitops_tool.core.promote.plan import (
    Change,
    changes_between,
    moves_between,
    promoted_versions,
)
from gitops_tool.core.promote.versions import versions_of
from gitops_tool.core.wording import agreeing, plural
from gitops_tool.errors import EXIT_FOUND, EXIT_OK, InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone


class Outcome(StrEnum):
    PLANNED = "planned"  # --dry-run
    UNCHANGED = "unchanged"  # TARGET runs SOURCE's versions already
    COMMITTED = "committed"  # committed, not pushed (no --push)
    PUSHED = "pushed"
    REFUSED = "refused"  # the gate said no
    DECLINED = "declined"  # the person answered no

    @property
    def exit_code(self) -> int:
        return EXIT_FOUND if self in (Outcome.REFUSED, Outcome.DECLINED) else EXIT_OK


@dataclass(frozen=True, slots=True)
class PromoteOptions:
    root: Path
    source: str
    target: str
    services: tuple[str, ...] = ()
    dry_run: bool = False
    push: bool = False
    branch: str = ""  # --branch NAME: commit on a new branch and push it
    yes: bool = False
    interactive: bool = False  # stdin is a terminal (a confirmation can be asked)
    skip_gate: bool = False
    reason: str = ""
    lock_timeout: float = DEFAULT_TIMEOUT
    flags: ConnectionFlags = field(default_factory=ConnectionFlags)


@dataclass(frozen=True, slots=True)
class Preview:
    """What a person confirms: the story, the gate, the diff of the commit."""

    story: Story
    gate: Gate
    diff: str


def _yes(_preview: Preview) -> bool:
    return True


@dataclass
class PromoteDeps:
    runtime: Runtime = field(default_factory=Runtime)  # Argo CD: environment, clock, warn
    git: publish.GitDeps = field(default_factory=publish.GitDeps)
    confirm: Callable[[Preview], bool] = _yes
    new_id: Callable[[str], str] | None = None  # target -> a promotion id


@dataclass(frozen=True, slots=True)
class PromoteResult:
    outcome: Outcome
    story: Story
    gate: Gate
    source_run: SourceRun | None = None
    changes: tuple[Change, ...] = ()
    diff: str = ""
    files: tuple[str, ...] = ()
    output_dir: str = "argocd"
    published: publish.Published | None = None
    repo_url: str = ""
    notes: tuple[str, ...] = ()
    fast_forwarded: str = ""  # the upstream commit the branch, behind it, was moved to

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


def promotion_id(target: str, runtime: Runtime) -> str:
    """A promotion's id: the environment, the UTC time and a random part."""
    now = runtime.clock.now()
    return f"{target}-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def check_options(options: PromoteOptions) -> None:
    """What the arguments alone decide (exit 2), before anything is read."""
    if options.skip_gate and not options.reason.strip():
        raise InputError("--skip-gate needs --reason TEXT", hint="say why; it is recorded "
                         "in the commit (Gitops-Tool-Gate: skipped: <reason>)")
    if options.reason and not options.skip_gate:
        raise InputError("--reason goes with --skip-gate",
                         hint="--skip-gate --reason TEXT records why the gate was skipped")


def check_branch_name(clone: Clone, branch: str) -> None:
    """--branch NAME must be a name git takes for a new branch (exit 2 otherwise)."""
    if branch and not clone.is_branch_name(branch):
        raise InputError(
            f"--branch {branch!r} is not a valid branch name (git check-ref-format --branch)",
            hint="use a name such as promote/staging-to-prod-42: no spaces, no '..', '~', "
            "'^', ':', '?', '*', '[', '\\' or '@{', no leading '-', no part that starts "
            "with '.' or ends in '.lock'",
        )


def check_services(root: Path, settings: Settings, wanted: tuple[str, ...]) -> None:
    """--service names must be charts (did-you-mean), checked before anything is touched;
    the loaded tree checks them again."""
    if wanted:
        known = [folder.name for folder in files.chart_folders(root, settings)]
        selection.chosen(list(wanted), known, "service")


def require_confirmation(options: Any) -> None:
    """Without --yes (or --dry-run) the person must be able to answer: stdin a terminal."""
    if not options.yes and not options.dry_run and not options.interactive:
        raise InputError(
            "refusing to commit without a confirmation: stdin is not a terminal",
            hint="pass --yes (as CI does), or --dry-run to see the plan",
        )


def chain_step(tree_chain: tuple[str, ...], known: list[str], source: str, target: str) -> None:
    """SOURCE -> TARGET must be one step along the promotion chain."""
    selection.chosen([source, target], known, "environment")
    chain = list(tree_chain)
    where = " -> ".join(chain)
    for name in (source, target):
        if name not in chain:
            raise InputError(f"{name} is not on the promotion chain ({where})",
                             hint="gitops-tool.yaml `promotion` lists the chain")
    i, j = chain.index(source), chain.index(target)
    if j != i + 1:
        step = f"{chain[i]} -> {chain[i + 1]}" if i + 1 < len(chain) else "none"
        why = "backwards" if j <= i else "skips a stage"
        raise InputError(
            f"{source} -> {target} {why}: promotion goes one step at a time along {where}",
            hint=f"the next step from {source} is {step}; to restore older versions, "
            f"use `gitops-tool rollback {target} --to ID`",
        )


def run(options: PromoteOptions, deps: PromoteDeps | None = None) -> PromoteResult:
    deps = deps or PromoteDeps()
    check_options(options)
    root = options.root
    settings = files.load_settings(root)
    chain_step(settings.promotion, files.environment_names(root, settings.promotion),
               options.source, options.target)
    check_services(root, settings, options.services)
    require_confirmation(options)
    from gitops_tool.adapters.git.clone import open_clone

    with ExitStack() as stack:
        clone = stack.enter_context(open_clone(root))
        check_branch_name(clone, options.branch)  # before the lock, the fetch or anything
        settle_output(stack, options, settings.output_dir,
                      f"promote {options.source} {options.target}", deps.runtime.warn)
        return _promote(clone, options, deps)
    raise AssertionError("unreachable")


def settle_output(stack: ExitStack, options: Any, output_dir: str, command: str,
                  warn: Callable[[str], None]) -> None:
    """Before anything reads argocd/: a real run takes the repository lock for its whole
    length, and completes or undoes a write a killed render left unfinished (saying which).
    A dry run changes nothing of its own and takes no lock, except to finish such a write
    first, as `render --check` does: it never reads a half-written folder. Then a link out
    of the repository in it is refused, as render refuses it."""
    if not options.dry_run:
        stack.enter_context(repository_lock(options.root, command, options.lock_timeout,
                                            warn=warn))
        writer.recover(options.root, output_dir, warn)
    else:
        writer.finish_unfinished(
            options.root, output_dir,
            lambda: repository_lock(options.root, command, options.lock_timeout, warn=warn),
            warn)
    writer.check_output_links(options.root, output_dir)


def new_branch_is_free(clone: Clone, remote: str, name: str, ask_remote: bool = True) -> None:
    """--branch NAME makes a new branch for a pull request: refuse (exit 2, before the
    fetch, the gate or any commit) a NAME the remote has already (it may be the branch Argo
    CD deploys), or a local branch that is not a commit of ours waiting on HEAD to be pushed
    (a re-run after a failed push). A dry run, which contacts no remote, asks only git."""
    local = clone.rev(f"refs/heads/{name}")
    if local is not None and clone.parents(local) != [clone.rev("HEAD")]:
        raise InputError(
            f"--branch {name}: a branch {name!r} exists already in this clone",
            hint="give the pull request's branch a new name, or delete the old one "
            f"(git branch -D {name}); nothing was changed",
        )
    there = clone.remote_tip(remote, name) if ask_remote else None
    if there is not None and there != local:
        raise InputError(
            f"--branch {name}: {remote} has a branch {name!r} already; --branch makes a new "
            "branch for a pull request and never moves an existing one",
            hint="give the pull request's branch a new name; to land on an existing branch, "
            "check it out and use --push; nothing was changed",
        )


def landing_for(clone: Clone, options: Any, branch: str) -> publish.Landing:
    """Where a commit of `options` (push, branch) goes."""
    if options.branch:
        upstream = clone.upstream(branch)
        remote = upstream[0] if upstream else ("origin" if "origin" in clone.remotes()
                                               else "")
        if not remote:
            raise InputError("--branch needs a remote to push to; this clone has none",
                             hint="git remote add origin <url>")
        new_branch_is_free(clone, remote, options.branch, ask_remote=not options.dry_run)
        return publish.Landing(branch, True, remote, upstream[1] if upstream else "",
                               new_branch=options.branch)
    if options.push:
        remote, remote_branch = publish.upstream_of(clone, branch)
        return publish.Landing(branch, True, remote, remote_branch)
    return publish.Landing(branch, False)


def _promote(clone: Clone, options: PromoteOptions, deps: PromoteDeps) -> PromoteResult:
    root, git_deps = options.root, deps.git
    branch = publish.on_branch(clone)
    publish.require_clean(clone)
    landing = landing_for(clone, options, branch)
    caught = publish.CaughtUp() if options.dry_run else publish.catch_up(clone, landing, git_deps)
    tree, source, target = committed_pair(clone, root, options.source, options.target,
                                          deps.runtime.warn)
    if landing.push and not landing.new_branch and landing.remote_branch != target.branch:
        deps.runtime.warn(
            f"warning: {target.name}-root tracks {target.branch}, and this push goes to "
            f"{landing.remote}/{landing.remote_branch}: Argo CD deploys it once it is merged "
            f"into {target.branch}")
    services = chosen_services(tree, options.services)
    chosen = services or tuple(s.name for s in tree.services)
    run, ran, gate = _source_and_gate(clone, tree, source, chosen, options, deps)
    current = versions_of(target)
    wanted = promoted_versions(versions_of(ran), run.commit, current, services)
    changes = changes_between(current, wanted)
    new_id = (deps.new_id or (lambda target: promotion_id(target, deps.runtime)))(target.name)
    story = Story(
        kind="promote", promotion_id=new_id, source=source.name, target=target.name,
        services=services, source_revision=run.commit, current=current, wanted=wanted,
        moves=moves_between(current, wanted), gate=_gate_value(gate),
    )
    result = PromoteResult(Outcome.PLANNED, story, gate, run, changes,
                           output_dir=tree.settings.output_dir, repo_url=target.repo_url,
                           fast_forwarded=caught.fast_forwarded, notes=caught.notes(landing))
    if gate.refused:
        return replace(result, outcome=Outcome.REFUSED)
    recheck = _recheck(clone, tree, ran, chosen, run, gate, options, deps)
    return carry_out(clone, options, deps, result, landing, caught.pending, recheck)


def carry_out(
    clone: Clone,
    options: Any,  # PromoteOptions or RollbackOptions: root, dry_run, yes
    deps: PromoteDeps,
    result: PromoteResult,
    landing: publish.Landing,
    pending: tuple[tuple[str, str], ...],
    recheck: Callable[[Clone, str], None] | None = None,
) -> PromoteResult:
    """The rest of a promotion or a rollback, its plan made: nothing to change (push what is
    pending), or prepare the commit, show it (dry run), confirm, commit and push."""
    story, root = result.story, options.root
    if not result.changes:
        notes = (*result.notes, _nothing_note(result))
        published = None
        if pending and not options.dry_run:
            published = publish.land(clone, root, prepare.Intent(story.promotion_id, ""),
                                     prepare.Prepared({}, ""), landing, pending, deps.git)
        return replace(result, outcome=Outcome.UNCHANGED, notes=notes, published=published)
    prepared = prepare.prepare_versions(clone, root, story.target, result.changes)
    paths = tuple(sorted(prepared.files))
    from gitops_tool import templates

    message = templates.render(
        "promote/commit.txt.j2",
        **message_context(story, rendered_summary(paths, result.output_dir)),
    )
    result = replace(result, diff=prepared.diff, files=paths,
                     notes=result.notes + _stale_note(prepared, story.target))
    if options.dry_run:
        return result
    if not options.yes and not deps.confirm(Preview(story, result.gate, prepared.diff)):
        return replace(result, outcome=Outcome.DECLINED)
    intent = prepare.Intent(story.promotion_id, message, story.target, result.changes,
                            recheck=recheck)
    published = publish.land(clone, root, intent, prepared, landing, pending, deps.git)
    outcome = Outcome.PUSHED if published.pushed else Outcome.COMMITTED
    return replace(result, outcome=outcome, published=published)


def _nothing_note(result: PromoteResult) -> str:
    story = result.story
    if story.kind == "rollback":
        return (f"{story.target} already has the versions of {story.rollback_of}: "
                "nothing to roll back")
    return (f"{story.target} already runs {story.source}'s versions "
            f"({story.source_revision[:12]}); nothing to commit")


def chosen_services(tree: Tree, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The services asked for, checked (did-you-mean); () when none was named: all."""
    if not wanted:
        return ()
    return tuple(selection.chosen(list(wanted), [s.name for s in tree.services], "service"))


def committed_pair(
    clone: Clone, root: Path, source: str, target: str, warn: Callable[[str], None]
) -> tuple[Tree, Environment, Environment]:
    """The tree, with SOURCE's and TARGET's files as HEAD has them: the promotion is made on
    HEAD, so an edit of either that is not committed is never part of it (said, not
    silent)."""
    tree = files.load_tree(root)
    pair = prepare.committed_environments(clone, root, tree, [source, target], warn)
    return prepare.with_environments(tree, *pair), *pair


def _gate_value(gate: Gate) -> str:
    return t.gate_value(gate.status, gate.reason)


def _stale_note(prepared: prepare.Prepared, target: str) -> tuple[str, ...]:
    if not prepared.stale:
        return ()
    count = len(prepared.stale)
    return (f"{plural(count, 'rendered file')} of {target} {agreeing(count, 'was', 'were')} "
            "already out of date at HEAD; this commit brings them up to date too",)


def _source_and_gate(
    clone: Clone, tree: Tree, source: Environment, services: tuple[str, ...],
    options: PromoteOptions, deps: PromoteDeps,
) -> tuple[SourceRun, Environment, Gate]:
    """The commit SOURCE runs, SOURCE with the pins it runs there, and the gate (asking
    Argo CD only when a server is configured, and only for what is needed)."""
    runtime = deps.runtime
    configured = server_given(options.flags, runtime.env, runtime.home)
    need_states = configured and (not options.skip_gate or not source.pinned)
    fetch = _fetcher(clone, options, deps)
    if not need_states:
        run = source_gate.resolve_source(clone, tree, source, services, None, fetch=fetch)
        ran = source_gate.as_run(clone, source, run, options.services, fetch=fetch)
        if options.skip_gate:
            return run, ran, Gate(GateStatus.SKIPPED, t.one_line(options.reason))
        runtime.warn("warning: no Argo CD server is configured: the gate is not checked "
                     "(the commit records `Gitops-Tool-Gate: not checked`)")
        return run, ran, Gate(GateStatus.NOT_CHECKED)
    with runtime.connect(options.flags) as client:
        deps.git.notify(f"asking Argo CD ({client.host}) about {source.name} ...")
        states = source_gate.source_states(client, source)
        run = source_gate.resolve_source(clone, tree, source, services, states,
                                         host=client.host, fetch=fetch)
        ran = source_gate.as_run(clone, source, run, options.services, fetch=fetch)
        if options.skip_gate:
            return run, ran, Gate(GateStatus.SKIPPED, t.one_line(options.reason))
        return run, ran, source_gate.gate_of(tree, ran, services, run, states,
                                             runtime.clock.now())


def _fetcher(
    clone: Clone, options: PromoteOptions, deps: PromoteDeps
) -> Callable[[str, str], str | None] | None:
    """How SOURCE's branch is fetched: not at all in a dry run (it changes nothing)."""
    if options.dry_run:
        return None
    return lambda remote, branch: publish.fetch(clone, remote, branch, deps.git)


def _recheck(
    clone: Clone, tree: Tree, source: Environment, services: tuple[str, ...], run: SourceRun,
    gate: Gate, options: PromoteOptions, deps: PromoteDeps,
) -> Callable[[Clone, str], None]:
    """Before the promotion is made again on the remote's new head: if SOURCE's file
    changed there, SOURCE must still pass the gate for what we promote."""
    rel = environment_file(source.name)
    base = clone.file_at("HEAD", rel)  # as the plan read it

    def recheck(clone: Clone, tip: str) -> None:
        if clone.file_at(tip, rel) == base:
            return
        if gate.status != GateStatus.PASSED:
            deps.git.notify(f"{rel} changed on the remote meanwhile; this promotion still "
                            f"carries what {source.name} ran ({run.commit[:12]})")
            return
        with deps.runtime.connect(options.flags) as client:
            states = source_gate.source_states(client, source)
        again = source_gate.gate_of(tree, source, services, run, states,
                                    deps.runtime.clock.now())
        if again.status == GateStatus.FAILING:
            problems = "; ".join(f"{r.app}: {', '.join(r.problems)}" for r in again.rows
                                 if r.problems)
            raise publish.SourceMoved(
                f"{rel} changed on the remote while we pushed, and {source.name} no longer "
                f"runs what this promotion carries ({problems}); nothing was pushed",
                hint=f"run `gitops-tool promote {options.source} {options.target}` again "
                "once the source is healthy",
            )

    return recheck
