"""Another gitops-tool command holding the repository lock: a real process, a real flock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.signals import sigint_default

_HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from gitops_tool.adapters.lock import repository_lock
    with repository_lock(Path(sys.argv[1]), sys.argv[3], timeout=5):
        Path(sys.argv[2]).touch()
        time.sleep(120)
""")


def hold_lock(root: Path, ready: Path, command: str = "render dev") -> subprocess.Popen:
    """A child process holding `root`'s repository lock as `command`, returned once it holds
    it (it touches `ready` then). It holds the lock until it is killed (the kernel drops the
    flock) or sent SIGINT (a clean end: the lock is released), even under a background
    pytest (sigint_default)."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(root), str(ready), command],
                            preexec_fn=sigint_default)
    for _ in range(400):
        if ready.exists():
            return proc
        if proc.poll() is not None:
            raise AssertionError("the lock holder ended before taking the lock")
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise AssertionError("the lock holder never took the lock")


@contextmanager
def lock_held(root: Path, ready: Path, command: str = "render dev") -> Iterator[int]:
    """While the block runs, a child process holds `root`'s repository lock as `command`;
    yields its pid."""
    proc = hold_lock(root, ready, command)
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()
