"""The promote tests' repositories: a GitOps tree rendered and seeded into a bare remote
(force pushes refused), and a clone to run gitops-tool in; each test gets copies of a
session-wide template."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.cli import app
from gitops_tool.cli.app import GlobalOptions
from gitops_tool.commands.render import RenderOptions
from gitops_tool.commands.render import run as render
from tests.support.git import repos as g
from tests.support.trees import EnvSpec, TreeSpec, write_tree

CHARTS = (
    ("postgres", "infrastructure"),
    ("tenant-api", "control-plane"),
    ("portal", "app-plane"),
    ("worker", "app-plane"),
)
STAGING_REVISION = "c" * 40
PROD_REVISION = "d" * 40


def promote_spec() -> TreeSpec:
    """dev (tracks main), staging (pinned) and prod (pinned, manual): staging runs newer
    tags than prod for portal and worker, dev newer still for portal."""
    tags = {("staging", "portal"): "2.1.0", ("staging", "worker"): "1.4.0",
            ("prod", "portal"): "2.0.0", ("prod", "worker"): "1.3.0",
            ("dev", "portal"): "2.2.0", ("dev", "worker"): "1.4.0"}
    return TreeSpec(
        charts=CHARTS,
        environments=(
            EnvSpec("dev"),
            EnvSpec("staging", server="https://staging.example.com",
                    revision=STAGING_REVISION),
            EnvSpec("prod", automated=False, cluster="prod", revision=PROD_REVISION,
                    windows=True),
        ),
        tags=tags,
    )


@dataclass
class Repo:
    """The bare remote, the clone gitops-tool works in, and the environment of each run."""

    remote: Path
    work: Path
    home: Path
    env: dict[str, str]

    def run(self, *args: str, runtime: Runtime | None = None, input: str | None = None):
        """gitops-tool in this process (CliRunner); no Argo CD server unless `runtime`."""
        runtime = runtime or Runtime(env={}, home=self.home)
        return CliRunner().invoke(app, ["--repo", str(self.work), *args], input=input,
                                  obj=GlobalOptions(runtime=runtime))

    def spawn(self, *args: str, extra: dict[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.Popen:
        """gitops-tool as a child process, in its own process group (for signals)."""
        script = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
                  " sys.argv = ['gitops-tool', *sys.argv[1:]];"
                  " from gitops_tool.cli import main; main()")
        return subprocess.Popen(
            [sys.executable, "-c", script, "--repo", str(cwd or self.work), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **self.env, **(extra or {})}, start_new_session=True,
        )

    def other_clone(self, name: str = "other") -> Path:
        return g.clone(self.remote, self.work.parent / name)

    def commit_change(self, repo: Path, path: str, old: str, new: str, message: str) -> str:
        """Change `old` to `new` in `path` of `repo`, commit and push it."""
        file = repo / path
        text = file.read_text()
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1))
        g.git(repo, "commit", "-q", "-am", message)
        g.git(repo, "push", "-q", "origin", "HEAD:main")
        return g.head(repo)


_TEMPLATES: dict[str, Path] = {}


def _template(kind: str, factory: pytest.TempPathFactory | None, tree: Path | None,
              env: dict[str, str]) -> Path:
    """A seeded remote and clone, built once per kind and session, to copy from."""
    if kind in _TEMPLATES and tree is None:
        return _TEMPLATES[kind]
    base = (factory.mktemp(f"template-{kind}") if factory is not None
            else Path(os.environ["HOME"]) / f"template-{kind}")
    seed_tree = tree or write_tree(base / "seed", promote_spec())
    render(RenderOptions(seed_tree))
    remote = g.bare_remote(base / "remote.git")
    g.seed(seed_tree, remote)
    g.clone(remote, base / "work")
    if tree is None:
        _TEMPLATES[kind] = base
    return base


def make_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tree: Path | None = None,
              factory: pytest.TempPathFactory | None = None) -> Repo:
    """A remote and a clone in tmp_path: copies of a session-wide template (or seeded from
    `tree`)."""
    import shutil

    env = g.git_environment(tmp_path / "home")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS", "GIT_DIR",
                "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)
    base = _template("small", factory, tree, env)
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    shutil.copytree(base / "remote.git", remote, symlinks=True)
    shutil.copytree(base / "work", work, symlinks=True)
    config = work / ".git" / "config"
    config.write_text(config.read_text().replace(str(base / "remote.git"), str(remote)))
    return Repo(remote, work, tmp_path / "home", env)


def remote_log(repo: Repo) -> list[str]:
    return g.log(repo.remote)


def pins(text: str) -> dict[str, str]:
    import yaml

    data = yaml.safe_load(text)
    return {name: pin["image"] for name, pin in data["releases"].items()}


def changed_files(repo: Path, commit: str) -> Sequence[str]:
    out = g.git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", commit)
    return out.splitlines()
