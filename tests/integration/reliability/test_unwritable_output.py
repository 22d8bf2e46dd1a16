"""Output that cannot be written (matrix row 44): a stdout that is closed, /dev/full or a
pipe whose reader has gone gets one line on stderr and exit 2 (the caller's doing) or 3
(the system failing) from every command -- never 1, never a traceback. A full disk or a
folder render may not write names the file, and leaves argocd/ as it was.

Every command runs as a real process. The full filesystem is a small tmpfs mounted in a
user namespace (`unshare -rm`), and the unwritable folder a chmod with capabilities
dropped (`setpriv`): each test skips, saying why, where the machine cannot do that.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from gitops_tool.adapters.files import load_tree
from gitops_tool.commands.render import RenderOptions, run
from tests.integration.reliability.procs import (
    child_env,
    command,
    gitops,
    leftovers,
    no_traceback,
    state,
)
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import FakeArgo
from tests.support.trees import argocd_spec, small_spec, write_tree

pytestmark = [pytest.mark.skipif(os.name != "posix", reason="POSIX file descriptors"),
              pytest.mark.timeout(300)]

TOKEN = f"tok-SENTINEL-{uuid.uuid4().hex}"


@pytest.fixture
def argo(tmp_path: Path):
    """A repository whose dev environment the fake Argo CD serves, rendered and drifted,
    and the environment that points the commands at the fake."""
    server = FakeArgo(token=TOKEN).start()
    root = write_tree(tmp_path / "repo", argocd_spec())
    run(RenderOptions(root=root))
    populate(server, load_tree(root), "dev")
    for env in ("dev", "staging"):  # render --check has a diff to print
        path = root / "argocd" / env / "kustomization.yaml"
        path.write_text(path.read_text() + "# edited by hand\n")
    (tmp_path / "argocd-config").mkdir()
    env = child_env(ARGOCD_SERVER=server.url, ARGOCD_AUTH_TOKEN=TOKEN,
                    ARGOCD_CONFIG_DIR=str(tmp_path / "argocd-config"), HOME=str(tmp_path))
    yield root, env
    server.stop()


# Every command that prints its product on stdout.
VERBS = {
    "render --check": ("render", "--check"),
    "validate": ("validate", "--no-helm"),
    "validate -o json": ("validate", "--no-helm", "-o", "json"),
    "status": ("status", "dev"),
    "status -o json": ("status", "dev", "-o", "json"),
    "sync --dry-run": ("sync", "dev", "--dry-run"),
    "doctor": ("doctor",),
    "--version": ("--version",),
    "render --help": ("render", "--help"),
}


def broken_pipe() -> int:
    """The write end of a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    return write


# (how stdout is broken, what the child gets as fd 1, exit code, the start of stderr)
STDOUTS = {
    "closed": (None, 2, "error: stdout is closed"),
    "/dev/full": ("/dev/full", 3, "error: stdout (/dev/full): cannot write: No space left"),
    "a broken pipe": ("pipe", 2, "error: stdout: the reader closed the pipe"),
}


def run_with_stdout(root: Path, env: dict[str, str], args: tuple[str, ...], how: str | None
                    ) -> subprocess.CompletedProcess:
    argv = command("--repo", str(root), *args)
    if how is None:  # closed: the child starts with no fd 1 at all
        shell = "exec " + " ".join(shlex.quote(a) for a in argv) + " >&-"
        return subprocess.run(["sh", "-c", shell], env=env, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    if how == "pipe":
        fd = broken_pipe()
        try:
            return subprocess.run(argv, env=env, stdout=fd, stderr=subprocess.PIPE,
                                  text=True, timeout=120)
        finally:
            os.close(fd)
    with open(how, "w") as sink:
        return subprocess.run(argv, env=env, stdout=sink, stderr=subprocess.PIPE,
                              text=True, timeout=120)


@pytest.mark.parametrize("broken", list(STDOUTS))
@pytest.mark.parametrize("verb", list(VERBS))
def test_a_stdout_that_cannot_be_written_is_one_line_and_exit_2_or_3(
    argo: tuple[Path, dict[str, str]], verb: str, broken: str
) -> None:
    root, env = argo
    how, code, said = STDOUTS[broken]
    if how == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("this system has no /dev/full")
    before = state(root / "argocd")
    done = run_with_stdout(root, env, VERBS[verb], how)
    assert done.returncode == code, done.stderr
    no_traceback(done.stderr)
    lines = done.stderr.splitlines()
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(said), done.stderr
    assert lines[-1].startswith("hint: ")
    assert TOKEN not in done.stderr
    assert state(root / "argocd") == before  # nothing written elsewhere is affected


def test_a_command_that_prints_nothing_on_stdout_does_not_mind_it_closed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    for how in (None, "/dev/full", "pipe"):
        shutil.rmtree(root / "argocd", ignore_errors=True)
        done = run_with_stdout(root, child_env(), ("render",), how)
        assert done.returncode == 0, done.stderr  # its product is the files
        assert gitops(root, "render", "--check").returncode == 0


def test_stderr_that_cannot_be_written_changes_nothing(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    with open("/dev/full", "w") as full:
        done = subprocess.run(command("--repo", str(root), "render"), env=child_env(),
                              stdout=subprocess.PIPE, stderr=full, timeout=120)
    assert done.returncode == 0
    assert gitops(root, "render", "--check").returncode == 0


# -- files: a full disk, a folder render may not write -----------------------------------

FULL_DISK = r"""
set -e
mount -t tmpfs -o size=2m tmpfs "$MNT"
cp -a "$SRC" "$MNT/repo"
# fill what is left, then give back "$FREE" bytes: the write fails at the start or midway
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
if [ "$FREE" -gt 0 ]; then truncate -s "-$FREE" "$MNT/filler"; fi
before=$(cd "$MNT/repo" && find argocd -type f -exec sha256sum {} + | sort | sha256sum)
set +e
"$@" --repo "$MNT/repo" render 2>"$ERR"
code=$?
after=$(cd "$MNT/repo" && find argocd -type f -exec sha256sum {} + | sort | sha256sum)
left=$(find "$MNT/repo/argocd" -name '*gitops-tool-*' | wc -l)
echo "code=$code"
echo "same=$([ "$before" = "$after" ] && echo yes || echo no)"
echo "left=$left"
cat "$ERR"
"""


@pytest.mark.parametrize("free", [0, 16 * 1024, 64 * 1024], ids=["full", "16k", "64k"])
def test_a_full_disk_names_the_file_and_leaves_argocd_as_it_was(
    tmp_path: Path, free: int
) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed: no small filesystem to fill")
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs tmpfs {tmp_path}"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a user namespace here: {probe.stderr.strip()}")
    src = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=src))
    for env in ("dev", "staging", "prod"):  # every Application changes
        path = src / "environments" / f"{env}.yaml"
        path.write_text(path.read_text().replace('"1.0.0"', '"1.0.1-a-longer-tag"'))
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", FULL_DISK, "sh", *command()],
        env={**child_env(), "MNT": str(mnt), "SRC": str(src), "FREE": str(free),
             "ERR": str(tmp_path / "stderr")},
        capture_output=True, text=True, timeout=240,
    )
    report = dict(ln.split("=", 1) for ln in done.stdout.splitlines() if "=" in ln)
    assert report.get("code") == "3", done.stdout + done.stderr
    assert report["same"] == "yes" and report["left"] == "0", done.stdout
    error = next(ln for ln in done.stdout.splitlines() if ln.startswith("error:"))
    assert error.startswith("error: argocd/") and ": cannot write: No space left on device; " \
        "nothing was changed" in error, error
    assert "Traceback" not in done.stdout


def test_a_folder_render_may_not_write_is_exit_2_naming_it(tmp_path: Path) -> None:
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is not installed: cannot drop the capability to write anyway")
    root = write_tree(tmp_path / "repo", small_spec())
    run(RenderOptions(root=root))
    path = root / "environments" / "dev.yaml"
    path.write_text(path.read_text().replace('"1.0.0"', '"1.0.1"'))
    folder = root / "argocd" / "dev" / "applications"
    before = state(root / "argocd")
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            ["setpriv", "--inh-caps=-all", "--bounding-set=-all",
             *command("--repo", str(root), "render")],
            env=child_env(), capture_output=True, text=True, timeout=120,
        )
        if os.geteuid() != 0 and done.returncode == 0:
            pytest.skip("setpriv could not drop capabilities here")
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: argocd/dev/applications/"), done.stderr
    assert ": cannot write: Permission denied; nothing was changed" in done.stderr
    no_traceback(done.stderr)
    assert state(root / "argocd") == before and leftovers(root / "argocd") == []
