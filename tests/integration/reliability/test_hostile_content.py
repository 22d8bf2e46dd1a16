"""Hostile content (matrix rows 24 and 41): alias bombs, deep nesting, language tags, huge
files and malformed YAML, in every kind of file gitops-tool reads, get the same answer
from every command: exit 2, one message naming the file, no traceback, in bounded time
and memory (each child runs under an address-space limit; pytest-timeout guards the time).
Nothing under argocd/ changes, and no temporary file is left.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from gitops_tool.commands.render import RenderOptions, run
from tests.integration.reliability.procs import child_env, command, leftovers, state
from tests.support.trees import small_spec, write_tree

pytestmark = pytest.mark.timeout(300)

MEMORY = 1 << 30  # each child's address space: far above a render, far below a bomb


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def nested(levels: int) -> str:
    return "".join("  " * i + "k:\n" for i in range(levels)) + "  " * levels + "v: 1\n"


# What is added to (or, for "whole", replaces) a file: YAML a person or an attacker wrote.
SHAPES: dict[str, tuple[str, str]] = {
    "alias bomb": ("add", "hostile:\n" + "".join(f"  {ln}\n" for ln in bomb().splitlines())),
    "merge-key bomb": ("add", "b0: &b0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1}\n"
                       + "".join(f"b{i}: &b{i} {{" + ", ".join(
                           f"c{j}: *b{i - 1}" for j in range(12)) + "}\n" for i in range(1, 7))),
    "250 levels": ("add", "deep:\n" + "".join("  " + ln + "\n" for ln in
                                              nested(250).splitlines())),
    "990 levels in flow": ("add", "deep: " + "[" * 990 + "]" * 990 + "\n"),
    "a python tag": ("add", "hostile: !!python/object/apply:os.system ['touch /tmp/pwned']\n"),
    "a custom tag": ("add", "hostile: !vault secret/path\n"),
    "a recursive alias": ("add", "loop: &loop [1, *loop]\n"),
    "a 9 MiB file": ("add", "# " + "x" * (9 * 1024 * 1024) + "\n"),
    "bad indentation": ("add", "hostile: 1\n  bad: 2\n"),
    "a tab": ("add", "hostile:\n\t- 1\n"),
    "a duplicate key": ("dup", ""),
    "a list at the top": ("whole", "- 1\n- 2\n"),
}
FILES = {
    "an environment file": "environments/dev.yaml",
    "gitops-tool.yaml": "gitops-tool.yaml",
    "a Chart.yaml": "charts/portal/Chart.yaml",
    "a values file": "charts/portal/values-dev.yaml",
    "the chart's values.yaml": "charts/portal/values.yaml",
    "the library's Chart.yaml": "charts/common/Chart.yaml",
}
VERBS = [("render",), ("render", "--check"), ("validate", "--no-helm")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("hostile") / "repo", small_spec())
    run(RenderOptions(root=root))
    (root / "charts" / "common" / "values.yaml").write_text("common: {}\n")
    return root


def spoil(path: Path, shape: str) -> None:
    how, text = SHAPES[shape]
    original = path.read_text()
    if how == "whole":
        path.write_text(text)
    elif how == "dup":
        first = original.splitlines()[0] if not original.startswith("#") else next(
            ln for ln in original.splitlines() if ln and not ln.startswith(("#", " ", "-")))
        path.write_text(original + first.split(":")[0] + ": again\n")
    else:
        path.write_text(original + text)


def gitops_limited(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command("--repo", str(root), *args), capture_output=True, text=True, timeout=240,
        env=child_env(ARGOCD_SERVER="http://127.0.0.1:9"), preexec_fn=_limited,
    )


# Well-formed YAML of the wrong shape in the library's Chart.yaml is not hostile input: render
# does not read the library's metadata, and validate reports it (GT-STR-008), below.
HOSTILE = [(where, shape) for where in FILES for shape in SHAPES
           if (where, shape) != ("the library's Chart.yaml", "a list at the top")]


@pytest.mark.parametrize(("where", "shape"), HOSTILE)
def test_every_command_refuses_hostile_yaml_with_exit_2_naming_the_file(
    rendered: Path, tmp_path: Path, where: str, shape: str
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    rel = FILES[where]
    spoil(root / rel, shape)
    before = state(root / "argocd")
    codes = {}
    for verb in VERBS:
        done = gitops_limited(root, *verb)
        said = done.stdout + done.stderr
        codes[verb] = done.returncode
        for crash in ("Traceback", "MemoryError", "RecursionError"):
            assert crash not in said, said[-2000:]
        assert rel in said, (verb, said[-2000:])
        assert "pwned" not in said or "python/object" in said
        if verb[0] != "validate":  # validate reports it as finding GT-STR-002
            assert done.stderr.startswith(f"error: {rel}"), (verb, done.stderr[:500])
    assert set(codes.values()) == {2}, codes  # the same answer from every command
    assert state(root / "argocd") == before
    assert leftovers(root / "argocd") == []
    assert not Path("/tmp/pwned").exists()


def test_a_library_chart_yaml_of_the_wrong_shape_is_a_finding_not_an_input_error(
    rendered: Path, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    (root / "charts/common/Chart.yaml").write_text("- a\n- b\n")
    assert gitops_limited(root, "render", "--check").returncode == 0  # render needs none of it
    done = gitops_limited(root, "validate", "--no-helm", "-o", "json")
    assert done.returncode == 1, done.stderr
    assert "GT-STR-008" in {f["rule"] for f in json.loads(done.stdout)["findings"]}


def test_validate_refuses_hostile_yaml_in_argocd(rendered: Path, tmp_path: Path) -> None:
    """argocd/ is read back by validate only (render overwrites what it owns): a hostile
    manifest there is GT-STR-002, exit 2, in bounded time and memory."""
    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    target = root / "argocd" / "dev" / "applications" / "dev-portal.yaml"
    for shape in ("alias bomb", "990 levels in flow", "a python tag", "a 9 MiB file"):
        target.write_text(target.read_text() + SHAPES[shape][1])
        done = gitops_limited(root, "validate", "--no-helm")
        assert done.returncode == 2, done.stderr
        # GT-STR-002 in the report; a file too big to read is refused outright
        assert "argocd/dev/applications/dev-portal.yaml" in done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        run(RenderOptions(root=root))  # back to what render writes


@pytest.mark.parametrize("shape", ["alias bomb", "250 levels", "a python tag", "a 9 MiB file"])
@pytest.mark.parametrize("where", ["an environment file", "a values file"])
def test_status_and_sync_give_the_same_answer(
    rendered: Path, tmp_path: Path, where: str, shape: str
) -> None:
    """The Argo CD commands read the tree first: a hostile file they read is the same exit 2,
    before any request (the server given is a closed port). sync reads the values files it
    is about to deploy; status never reads values, and goes on to the connection (there is
    no token: exit 2, naming that, not the file)."""
    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    rel = FILES[where]
    spoil(root / rel, shape)
    for verb in (("status", "dev"), ("sync", "dev", "--dry-run")):
        done = gitops_limited(root, *verb)
        assert "Traceback" not in done.stderr
        if verb[0] == "status" and where == "a values file":
            assert done.returncode == 2 and rel not in done.stderr, done.stderr[:300]
            assert "no Argo CD token" in done.stderr
            continue
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"error: {rel}"), done.stderr[:300]


@pytest.mark.helm
def test_validate_with_helm_refuses_a_bomb_before_helm_sees_it(
    rendered: Path, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    spoil(root / "charts/portal/values-dev.yaml", "alias bomb")
    done = gitops_limited(root, "validate", "portal", "-e", "dev")
    assert done.returncode == 2, done.stderr
    assert "charts/portal/values-dev.yaml" in done.stdout and "alias" in done.stdout
    assert "Traceback" not in done.stderr


def test_the_bounds_leave_real_files_alone(repo_root: Path) -> None:
    """This repository's own files, the deepest and largest YAML there is here, pass."""
    done = subprocess.run(command("--repo", str(repo_root), "render", "--check"),
                          capture_output=True, text=True, env=child_env(), timeout=120,
                          preexec_fn=_limited)
    assert done.returncode == 0, done.stderr
    assert os.path.isdir(repo_root / "argocd")


@pytest.mark.parametrize("where", ["an environment file", "gitops-tool.yaml", "a Chart.yaml",
                                   "a values file"])
def test_a_fifo_where_a_file_belongs_is_refused_not_waited_on(
    rendered: Path, tmp_path: Path, where: str
) -> None:
    """A named pipe blocks a plain open() until someone writes to it: every command must
    refuse it at once (exit 2, naming it), not hang."""
    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    rel = FILES[where]
    (root / rel).unlink()
    os.mkfifo(root / rel)
    for verb in VERBS:
        done = subprocess.run(command("--repo", str(root), *verb), capture_output=True,
                              text=True, timeout=60, env=child_env())
        # validate lists a chart's files as regular files only: there a pipe is a missing
        # file, a finding (exit 1) naming it
        expected = {2} if verb[0] != "validate" or "charts/" not in rel else {1, 2}
        assert done.returncode in expected, (verb, done.stdout[-1000:], done.stderr[-1000:])
        assert rel.rsplit("/", 1)[-1] in done.stdout + done.stderr, (verb, done.stderr)
        assert "Traceback" not in done.stderr


def test_validate_refuses_a_fifo_in_argocd(rendered: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    os.mkfifo(root / "argocd" / "dev" / "stray.yaml")
    done = subprocess.run(command("--repo", str(root), "validate", "--no-helm"),
                          capture_output=True, text=True, timeout=60, env=child_env())
    assert done.returncode == 2, done.stderr
    assert "argocd/dev/stray.yaml: not a regular file" in done.stderr


# An old version of dev.yaml: a bomb whose last anchor is a pin's value (what a lenient
# reader stringifies), or a file past the size bound.
HISTORIC = {
    "alias bomb": (bomb(), "*a8"),
    "merge-key bomb": (SHAPES["merge-key bomb"][1], "*b6"),
    "a 9 MiB file": (SHAPES["a 9 MiB file"][1], '"1.1.0"'),
}


@pytest.mark.parametrize("shape", list(HISTORIC))
def test_a_hostile_version_in_git_history_is_read_within_the_bounds(
    rendered: Path, tmp_path: Path, shape: str
) -> None:
    """drift dates a stage's lag from every committed version of the environment files, and
    history shows each promotion: an old version that was an alias bomb (or huge) and was
    reverted since is one version without pins, never a hang or a crash."""
    from tests.support.git import repos as g

    root = tmp_path / "repo"
    shutil.copytree(rendered, root, symlinks=True)
    env = g.git_environment(tmp_path / "home")
    g.git(root, "init", "-q", "-b", "main", env=env)
    g.git(root, "add", "-A", env=env)
    g.git(root, "commit", "-qm", "seed", env=env)
    dev = root / "environments" / "dev.yaml"
    original = dev.read_text().replace('portal:\n    image: "1.0.0"', 'portal:\n    image: "1.1.0"')
    dev.write_text(original)  # dev ahead of staging: drift reads dev's history to date it
    g.git(root, "commit", "-qam", "dev: portal 1.1.0", env=env)
    anchors, pin = HISTORIC[shape]
    dev.write_text(anchors + original.replace('image: "1.1.0"', f"image: {pin}"))
    g.git(root, "commit", "-qam", f"dev: {shape}", env=env)
    dev.write_text(original)
    g.git(root, "commit", "-qam", "dev: reverted", env=env)
    for verb in (("drift",), ("history", "dev")):
        done = subprocess.run(
            command("--repo", str(root), *verb), capture_output=True, text=True, timeout=240,
            env=child_env(**env), preexec_fn=_limited,
        )
        said = done.stdout + done.stderr
        for crash in ("Traceback", "MemoryError", "RecursionError"):
            assert crash not in said, said[-2000:]
        assert done.returncode in (0, 1), (verb, done.returncode, said[-2000:])
        if verb[0] == "history":  # said, not taken for a file created or emptied
            assert "a version gitops-tool does not read: environments/dev.yaml" in done.stdout
            assert done.stdout.count("file created") == 1, done.stdout  # the seed alone
