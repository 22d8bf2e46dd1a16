"""Ctrl-C while helm runs: exit 130, no helm left running, no file left behind (matrix #27).

A helm shim records its pid, writes a ready marker and sleeps; SIGINT arrives on the marker,
either to the whole process group (a terminal's Ctrl-C) or to the tool alone.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.charts import LIBRARY_DEP, chart_tree, write_chart
from tests.support.helm import fake_helm
from tests.support.signals import sigint_default

REPO = Path(__file__).resolve().parents[3]


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("target", ["group", "process"])
def test_ctrl_c_stops_helm_and_leaves_nothing(tmp_path, target):
    root = chart_tree(tmp_path / "repo", ["web", "api"])
    write_chart(root / "charts", "web")
    write_chart(root / "charts", "api")
    markers = tmp_path / "markers"
    markers.mkdir()
    shim = fake_helm(
        tmp_path / "bin",
        f'echo $$ >> "{markers}/pids"; touch "{markers}/ready"; exec sleep 30',
    )
    before = _files(root)
    env = {**os.environ, "GITOPS_TOOL_HELM": str(shim), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitops_tool", "--repo", str(root), "validate", "--jobs", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        preexec_fn=sigint_default,  # Ctrl-C works in it even under a background pytest
    )
    try:
        if not _wait_for(lambda: (markers / "ready").exists(), 30):
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(f"helm shim never started; exit {proc.returncode}\n{out}\n{err}")
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    pids = [int(p) for p in (markers / "pids").read_text().split()]
    assert _wait_for(lambda: not any(_alive(p) for p in pids), 5), "helm still running"
    assert _files(root) == before


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("target", ["group", "process"])
def test_ctrl_c_during_a_dependency_build_leaves_no_tmpcharts(tmp_path, target):
    """helm works in <chart>/tmpcharts-<pid> and, killed, leaves it: validate removes it."""
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(root / "charts", "web", chart={"dependencies": [LIBRARY_DEP]})
    markers = tmp_path / "markers"
    markers.mkdir()
    shim = fake_helm(
        tmp_path / "bin",
        'if [ "$1" = dependency ]; then mkdir -p "$3/tmpcharts-$$/common"; fi\n'
        f'echo $$ >> "{markers}/pids"; touch "{markers}/ready"; exec sleep 30',
    )
    env = {**os.environ, "GITOPS_TOOL_HELM": str(shim), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitops_tool", "--repo", str(root), "validate"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        preexec_fn=sigint_default,  # Ctrl-C works in it even under a background pytest
    )
    try:
        assert _wait_for(lambda: (markers / "ready").exists(), 30), "helm shim never started"
        assert list((root / "charts" / "web").glob("tmpcharts-*"))  # helm is at work
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert list((root / "charts" / "web").glob("tmpcharts-*")) == []


@pytest.mark.timeout(240)
def test_ctrl_c_at_random_moments_never_hangs(tmp_path):
    """Runs that finish every few milliseconds, and Ctrl-C (to the tool alone) at a random
    moment of many runs: validate ends every time, with 130 (or 0/1 when it finished first;
    -2, killed by the signal itself, when it landed while the interpreter started or exited).
    A KeyboardInterrupt raised inside the pool's wait could leave a future's lock held and
    the pool waiting for its worker for ever."""
    root = chart_tree(tmp_path / "repo", [f"c{i}" for i in range(6)])
    for i in range(6):
        write_chart(root / "charts", f"c{i}")
    shim = fake_helm(tmp_path / "bin", "sleep 0.04; exit 0")
    env = {**os.environ, "GITOPS_TOOL_HELM": str(shim), "PYTHONPATH": str(REPO)}
    rng = random.Random(7)
    codes = []
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-m", "gitops_tool", "--repo", str(root), "validate", "--jobs", "4"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=sigint_default,
        )
        time.sleep(rng.uniform(0.3, 0.9))
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("validate hung after Ctrl-C")
        assert "Traceback" not in stderr, stderr
        codes.append(proc.returncode)
    assert set(codes) <= {0, 1, 130, -signal.SIGINT} and 130 in codes, codes
