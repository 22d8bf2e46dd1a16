"""Reading outside the repository (matrix row 40): a symlink, at any depth, whose target
leaves the repository is refused by every command, naming the link and its target, and
nothing outside is opened. Links that stay inside are fine.

Each case links one input to a sentinel outside the repository; every command runs as a
real process. Where strace is usable, a run under it shows the sentinel never opened.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops_tool.commands.render import RenderOptions, run
from tests.integration.reliability.procs import child_env, command, gitops, no_traceback
from tests.support.trees import small_spec, write_tree

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks")

SECRET = f"SENTINEL-{uuid.uuid4().hex}"


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    """A rendered repository, and beside it (outside) a sentinel file and folder."""
    root = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=root))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"password: {SECRET}\n")
    (outside / "folder").mkdir()
    (outside / "folder" / "secret.yaml").write_text(f"password: {SECRET}\n")
    return root, outside


def link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


# (what is linked, relative to the repository; what it points to, in the outside folder)
CASES: dict[str, tuple[str, str]] = {
    "a values file": ("charts/portal/values-dev.yaml", "secret.yaml"),
    "a template": ("charts/portal/templates/deployment.yaml", "secret.yaml"),
    "a template three folders down": ("charts/portal/templates/a/b/c/x.yaml", "secret.yaml"),
    "a folder of templates": ("charts/portal/templates/more", "folder"),
    "a vendored dependency": ("charts/portal/charts/common-0.1.0.tgz", "secret.yaml"),
    "a file of the library chart": ("charts/common/templates/_helpers.tpl", "secret.yaml"),
    "the library's values": ("charts/common/values.yaml", "secret.yaml"),
    "an environment file": ("environments/dev.yaml", "secret.yaml"),
    "gitops-tool.yaml": ("gitops-tool.yaml", "secret.yaml"),
    "a file in argocd/": ("argocd/dev/applications/extra.yaml", "secret.yaml"),
    "a folder in argocd/": ("argocd/dev/more", "folder"),
}
# Commands that read everything the case links (argocd/ is read by render and validate).
VERBS = [("render",), ("render", "--check"), ("validate", "--no-helm"), ("validate",),
         ("status", "dev"), ("diff", "dev", "staging")]


def refused(done: subprocess.CompletedProcess, rel: str, target: Path) -> None:
    assert done.returncode == 2, done.stderr
    assert SECRET not in done.stdout + done.stderr
    no_traceback(done.stderr)
    error = done.stderr.splitlines()[0]
    assert error.startswith("error: "), done.stderr
    assert rel.split("/")[0] in error and (str(target) in error or target.name in error), error


@pytest.mark.parametrize("case", list(CASES))
def test_a_link_out_of_the_repository_is_refused_by_every_command(
    world: tuple[Path, Path], case: str
) -> None:
    root, outside = world
    rel, target = CASES[case]
    link(root / rel, outside / target)
    for verb in VERBS:
        if verb[0] == "status" and rel.startswith("argocd/"):
            continue  # status reads no argocd/
        done = gitops(root, *verb, env=child_env(ARGOCD_SERVER="http://127.0.0.1:9"))
        refused(done, rel, outside / target)
        assert rel in done.stderr or rel.split("/")[0] in done.stderr


@pytest.mark.parametrize("case", ["a file in argocd/", "a folder in argocd/"])
@pytest.mark.parametrize("verb", [("promote", "dev", "staging", "--dry-run"),
                                  ("promote", "dev", "staging", "--yes"),
                                  ("rollback", "staging", "--to", "HEAD", "--dry-run")])
def test_the_git_commands_refuse_a_link_out_of_the_repository_in_argocd(
    world: tuple[Path, Path], tmp_path: Path, case: str, verb: tuple[str, ...]
) -> None:
    """promote and rollback commit argocd/ (and diff compares with it): a link in it that
    leads out of the repository, even committed, is refused as render refuses it; nothing is
    committed."""
    from tests.support.git import repos as g

    root, outside = world
    rel, target = CASES[case]
    link(root / rel, outside / target)
    env = g.git_environment(tmp_path / "home")
    g.git(root, "init", "-q", "-b", "main", env=env)
    g.git(root, "add", "-A", env=env)
    g.git(root, "commit", "-qm", "a link committed", env=env)
    head = g.head(root)
    done = gitops(root, *verb, env=child_env(**env))
    refused(done, rel, outside / target)
    assert g.head(root) == head


@pytest.mark.parametrize("folder", ["charts", "environments", "argocd"])
def test_a_linked_input_folder_leaving_the_repository_is_refused(
    world: tuple[Path, Path], folder: str
) -> None:
    root, outside = world
    moved = outside / f"moved-{folder}"
    shutil.move(str(root / folder), moved)
    (root / folder).symlink_to(moved)
    for verb in (("render",), ("render", "--check"), ("validate", "--no-helm")):
        done = gitops(root, *verb)
        assert done.returncode == 2, (verb, done.stderr)
        assert done.stderr.startswith(f"error: {folder}"), done.stderr
        no_traceback(done.stderr)


LINKS_INSIDE: dict[str, Callable[[Path], None]] = {
    "a values file shared by two charts": lambda root: link(
        root / "charts/portal/values-dev.yaml", root / "charts/worker/values-dev.yaml"),
    "a template from another chart": lambda root: (
        (root / "charts/worker/templates").mkdir(parents=True, exist_ok=True),
        (root / "charts/worker/templates/cm.yaml").write_text("kind: ConfigMap\n"),
        link(root / "charts/portal/templates/cm.yaml", Path("../../worker/templates/cm.yaml")),
    ),
    "a folder linked inside": lambda root: link(
        root / "charts/portal/templates/shared", root / "charts/worker"),
}


@pytest.mark.parametrize("case", list(LINKS_INSIDE))
def test_links_that_stay_inside_are_fine(world: tuple[Path, Path], case: str) -> None:
    root, _ = world
    LINKS_INSIDE[case](root)
    for verb in (("render",), ("render", "--check"), ("validate", "--no-helm")):
        done = gitops(root, *verb)
        assert done.returncode in (0, 1), (verb, done.stderr)  # validate may find things
        assert "outside the repository" not in done.stderr


def test_nothing_outside_is_opened(world: tuple[Path, Path], tmp_path: Path) -> None:
    """Under strace: across commands and cases, the sentinel is never opened."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed: the exit codes above are the evidence")
    root, outside = world
    probe = subprocess.run(["strace", "-o", os.devnull, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here: {probe.stderr.decode().strip()}")
    for rel in ("charts/portal/values-dev.yaml", "charts/portal/templates/x.yaml",
                "argocd/dev/applications/extra.yaml", "environments/dev.yaml"):
        link(root / rel, outside / "secret.yaml")
    log = tmp_path / "strace.log"
    for verb in (("render",), ("render", "--check"), ("validate",)):
        subprocess.run(
            ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", str(log),
             *command("--repo", str(root), *verb)],
            env=child_env(), capture_output=True, timeout=300,
        )
        opened = [line for line in log.read_text().splitlines() if "secret.yaml" in line]
        assert opened == [], f"{verb}: {opened[:3]}"
