"""`make demo`: the fake Argo CD on 127.0.0.1, loaded with this repository's Applications,
so that `doctor`, `status` and `sync` can be tried without a cluster.

    .venv/bin/python -m tests.support.argocd.demo [--repo PATH]

It renders the repository's Applications as `gitops-tool render` does (the core, not the
files under argocd/), loads every environment's root Application, child Applications and
AppProjects into the fake, Synced and Healthy at their revisions (a pinned environment at
its commit, a branch at the commit it points at in this repository, so that `diff` and
`promote` find what the fake reports; HEAD's commit for a branch the repository lacks, and
a commit the fake makes up only when the folder is not a git repository), prints the
`export` lines that point gitops-tool at it -- a token made for this run -- and serves
until Ctrl-C (exit 0), logging each request on stderr as a development server does. A sync
plays Progressing, then Healthy, as Argo CD would.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import threading
from pathlib import Path

from gitops_tool.adapters.files import find_root, load_tree
from gitops_tool.adapters.git.clone import open_clone
from gitops_tool.core.model import Tree, is_commit
from gitops_tool.core.render.applications import (
    application_for,
    appproject_for,
    root_application_for,
    root_appproject_for,
)
from gitops_tool.errors import GitopsError
from tests.support.argocd.fake import FakeArgo, Record


def branch_heads(root: Path, tree: Tree) -> dict[str, str]:
    """The commit each branch the environments track points at in the repository at
    `root` (HEAD's for a branch it does not have); {} when `root` is not a git repository."""
    branches = {env.branch for env in tree.environments}
    branches |= {env.revision for env in tree.environments if not is_commit(env.revision)}
    try:
        with open_clone(root) as clone:
            head = clone.rev("HEAD")
            found = {branch: clone.rev(f"refs/heads/{branch}") or clone.rev(branch) or head
                     for branch in sorted(branches)}
    except GitopsError:
        return {}
    return {branch: commit for branch, commit in found.items() if commit}


def load(fake: FakeArgo, tree: Tree, heads: dict[str, str] | None = None) -> int:
    """Every environment's AppProjects and Applications, as render builds them, into `fake`;
    each root's health is the worst of its children's (the Application health check). A
    branch resolves to its commit in `heads`; the fake makes one up for any other.
    Returns the number of Applications loaded."""
    fake.heads.update(heads or {})
    settings = tree.settings
    namespaces = sorted({env.argocd_namespace for env in tree.environments})
    for namespace in namespaces:
        repos = [e.repo_url for e in tree.environments if e.argocd_namespace == namespace]
        fake.add_appproject(root_appproject_for(namespace, repos))
    count = 0
    for env in tree.environments:
        fake.add_appproject(appproject_for(env))
        root = fake.add_application(root_application_for(settings, env))
        children = [fake.add_application(application_for(settings, env, service)).name
                    for service in tree.services]
        fake.health_from_children(root.name, children)
        count += 1 + len(children)
    return count


def exports(fake: FakeArgo, token: str) -> list[str]:
    """The lines to paste: the server as host:port, as the argocd CLI takes it, and
    --plaintext when the fake serves plain HTTP."""
    lines = [f"export ARGOCD_SERVER=127.0.0.1:{fake.port}",
             f"export ARGOCD_AUTH_TOKEN={token}"]
    if fake.url.startswith("http://"):
        lines.append("export ARGOCD_OPTS=--plaintext")
    return lines


def _log(record: Record) -> None:
    query = "&".join(f"{k}={v}" for k, values in record.query.items() for v in values
                     if k != "fields")
    print(f"demo: {record.method} {record.path}{'?' + query if query else ''} "
          f"-> {record.status}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="the GitOps repository (default: this one)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    try:
        root = args.repo.resolve() if args.repo else find_root(Path.cwd())
        tree = load_tree(root)
    except GitopsError as exc:
        print(f"error: {exc.message}\nhint: {exc.hint}", file=sys.stderr)
        return 2
    token = f"demo-{secrets.token_urlsafe(24)}"
    fake = FakeArgo(token=token, on_request=None if args.quiet else _log)
    count = load(fake, tree, branch_heads(root, tree))
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, or `kill`: stop and exit 0
        signal.signal(signum, lambda *_: stop.set())
    fake.start()
    try:
        envs = ", ".join(e.name for e in tree.environments)
        print(f"# A fake Argo CD on {fake.url}: {count} Applications of {envs}, Synced and "
              "Healthy at their revisions.\n# Paste these lines into another terminal:",
              flush=True)
        print("\n".join(exports(fake, token)), flush=True)
        first = tree.environments[0].name
        print(f"# then: gitops-tool doctor {first}; gitops-tool status {first}; "
              f"gitops-tool sync {first} --dry-run; gitops-tool sync {first}\n"
              "# Serving until Ctrl-C.", flush=True)
        while not stop.wait(3600):
            pass
    finally:
        fake.stop()
    print("demo: stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

