"""`diff SOURCE TARGET`: per service, what differs between two environments' versions and
what `promote` would change; exit 1 when it would change something (like
`git diff --exit-code`). Reads only: no lock, no write; a fetch at most, when SOURCE tracks
a branch (of that branch, unless Argo CD says which commit SOURCE runs and the clone has it).

It reads what promote reads: SOURCE's and TARGET's files as HEAD has them (an edit not
committed is left out, and said), SOURCE's pins as the commit it runs has them when it
tracks a branch. Outside a git clone, the files as they are.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_tool.adapters import files, writer
from gitops_tool.adapters.argocd.config import ConnectionFlags, server_given
from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.commands import gate as source_gate
from gitops_tool.commands import publish
from gitops_tool.commands.gate import SourceRun
from gitops_tool.commands.promote import chosen_services, committed_pair
from gitops_tool.core import selection
from gitops_tool.core.model import Environment, Tree
from gitops_tool.core.promote.plan import (
    Change,
    ServiceMove,
    changes_between,
    moves_between,
    promoted_versions,
)
from gitops_tool.core.promote.versions import Versions, versions_of
from gitops_tool.errors import EXIT_FOUND, EXIT_OK, InputError

if TYPE_CHECKING:
    from gitops_tool.adapters.git.clone import Clone


@dataclass(frozen=True, slots=True)
class DiffOptions:
    root: Path
    source: str
    target: str
    services: tuple[str, ...] = ()
    flags: ConnectionFlags = field(default_factory=ConnectionFlags)


@dataclass(frozen=True, slots=True)
class DiffResult:
    source: str
    target: str
    services: tuple[str, ...]  # asked for (empty: all)
    source_run: SourceRun
    current: Versions  # TARGET's
    wanted: Versions  # TARGET's after the promotion
    moves: tuple[ServiceMove, ...]
    changes: tuple[Change, ...]
    identical: tuple[str, ...]  # services that would not move
    chain: tuple[str, ...] = ()  # the promotion chain, when SOURCE -> TARGET is not one step

    @property
    def exit_code(self) -> int:
        return EXIT_FOUND if self.changes else EXIT_OK


def run(options: DiffOptions, runtime: Runtime | None = None) -> DiffResult:
    runtime = runtime or Runtime()
    root = options.root
    known = files.environment_names(root, files.load_settings(root).promotion)
    selection.chosen([options.source, options.target], known, "environment")
    if options.source == options.target:
        raise InputError(f"SOURCE and TARGET are both {options.source}",
                         hint="name two environments, such as `diff staging prod`")
    tree = files.load_tree(root)
    writer.check_output_links(root, tree.settings.output_dir)  # as render and promote refuse
    services = chosen_services(tree, options.services)
    from gitops_tool.adapters.git.clone import open_clone
    from gitops_tool.adapters.git.errors import NotARepository

    with ExitStack() as stack:
        try:
            clone: Clone | None = stack.enter_context(open_clone(root))
        except NotARepository:
            clone = None  # no commit to read: the files as they are
        if clone is not None:
            tree, source, target = committed_pair(clone, root, options.source, options.target,
                                                  runtime.warn)
        else:
            source, target = _loaded(tree, options.source), _loaded(tree, options.target)
        chosen = services or tuple(s.name for s in tree.services)
        states, host = None, ""
        if not source.pinned and server_given(options.flags, runtime.env, runtime.home):
            client = stack.enter_context(runtime.connect(options.flags))
            states, host = source_gate.source_states(client, source), client.host
        fetch = None if clone is None or source.pinned else (
            lambda remote, branch: publish.fetch(clone, remote, branch, publish.GitDeps()))
        run_ = source_gate.resolve_source(clone, tree, source, chosen, states, host=host,
                                          fetch=fetch)
        ran = source_gate.as_run(clone, source, run_, services, fetch=fetch)
    current = versions_of(target)
    wanted = promoted_versions(versions_of(ran), run_.commit, current, services)
    moves = moves_between(current, wanted)
    moved = {m.service for m in moves}
    return DiffResult(
        source=source.name, target=target.name, services=services, source_run=run_,
        current=current, wanted=wanted, moves=moves,
        changes=changes_between(current, wanted),
        identical=tuple(s for s in chosen if s in ran.releases and s not in moved),
        chain=() if _one_step(tree.settings.promotion, source.name, target.name)
        else tree.settings.promotion,
    )


def _one_step(chain: tuple[str, ...], source: str, target: str) -> bool:
    """Whether `promote SOURCE TARGET` is a step `promote` takes (the next stage)."""
    return source in chain and target in chain and chain.index(target) == chain.index(source) + 1


def _loaded(tree: Tree, name: str) -> Environment:
    env = tree.environment(name)
    assert env is not None  # the name was checked
    return env
