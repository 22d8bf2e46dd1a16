"""Signals during `gitops-tool render`: argocd/ is left entirely old or entirely new.

Each case runs the real console entry point in a child process. A patched OS call
(`os.fsync` while staging, `os.replace` during the commit) writes a marker on its Nth call
and waits; the test then sends the signal to the child and lets it go on. Nothing of ours
is mocked: the child's writer sees a real signal at a known point.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gitops_tool.commands.render import RenderOptions, run
from tests.support.signals import sigint_default
from tests.support.trees import small_spec, write_tree

ROOT = Path(__file__).resolve().parents[3]

# The child: render with one OS call paused at its Nth use until the parent has signalled.
CHILD = """
import os, sys, time
root, call, nth, ready, sent = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
real = getattr(os, call)
calls = 0

def paused(*args, **kwargs):
    global calls
    calls += 1
    if calls == nth:
        open(ready, "w").close()
        deadline = time.monotonic() + 30
        while not os.path.exists(sent) and time.monotonic() < deadline:
            time.sleep(0.005)
    return real(*args, **kwargs)

setattr(os, call, paused)
from gitops_tool.cli import main
sys.argv = ["gitops-tool", "--repo", root, "render"]
main()
"""


def state(root: Path) -> dict[str, str]:
    """Every file and folder under argocd/ (hidden ones too), with a hash of each file."""
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted((root / "argocd").rglob("*"))
    }


def leftovers(root: Path) -> list[str]:
    return [p.name for p in (root / "argocd").rglob("*") if "gitops-tool-" in p.name]


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict]:
    """A rendered tree whose inputs then changed (files to replace, add and remove), the
    state a complete render of it leaves, and how many files that render writes and
    removes."""
    base = tmp_path_factory.mktemp("signals")
    root = write_tree(base / "repo", small_spec())
    run(RenderOptions(root=root))
    for env in ("dev", "staging", "prod"):
        path = root / "environments" / f"{env}.yaml"
        path.write_text(
            path.read_text()
            .replace('"1.0.0"', '"1.0.1"')
            .replace('  worker:\n    image: "1.0.1"\n', "")
        )
    shutil.rmtree(root / "charts" / "worker")
    (root / "argocd" / "dev" / "applications" / "stray.yaml").write_text("x: 1\n")
    plan = run(RenderOptions(root=root, check=True)).plan
    counts = {"write": len(plan.write), "remove": len(plan.remove)}
    assert counts["write"] > 10 and counts["remove"] > 2
    complete = base / "complete"
    shutil.copytree(root, complete)
    run(RenderOptions(root=complete))
    return root, state(complete), counts


def render_signalled(root: Path, call: str, nth: int, signum: int) -> int:
    """Run render in a child, send `signum` at the Nth `os.<call>`; its exit status."""
    ready, sent = root.parent / f"ready-{call}-{nth}", root.parent / f"sent-{call}-{nth}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), call, str(nth), str(ready), str(sent)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=sigint_default,  # Ctrl-C works in it even under a background pytest
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the child never reached the paused call"
            time.sleep(0.005)
        child.send_signal(signum)
        sent.touch()
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode


# (OS call paused, which of its calls, expected outcome). Staging fsyncs each file it
# writes; the commit makes one rename per file written and one per file removed.
CASES = {
    "staging, first file": ("fsync", lambda n: 1, "old"),
    "staging, midway": ("fsync", lambda n: n["write"] // 2, "old"),
    "staging, last file": ("fsync", lambda n: n["write"], "old"),
    "commit, first rename": ("replace", lambda n: 1, "new"),
    "commit, midway": ("replace", lambda n: n["write"] - 1, "new"),
    "commit, a removal": ("replace", lambda n: n["write"] + n["remove"], "new"),
}
SIGNALS = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("case", list(CASES))
def test_a_signal_leaves_argocd_entirely_old_or_entirely_new(
    trees: tuple[Path, dict[str, str], dict], tmp_path: Path, signum: int, case: str
) -> None:
    source, complete, counts = trees
    call, which, outcome = CASES[case]
    nth = which(counts)
    root = tmp_path / "repo"
    shutil.copytree(source, root)
    before = state(root)
    code = render_signalled(root, call, nth, signum)
    # The signal acts once the folder is whole: Ctrl-C exits 130, SIGTERM/SIGHUP end the
    # process by that signal (as if render had not caught it).
    assert code == (130 if signum == signal.SIGINT else -signum)
    assert leftovers(root) == []
    assert state(root) == (before if outcome == "old" else complete)
