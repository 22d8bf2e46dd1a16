"""Another gitops-tool command holding the repository lock: a real process, a real flock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from gitops_tool.adapters.lock import repository_lock
    with repository_lock(Path(sys.argv[1]), sys.argv[3], timeout=5):
        Path(sys.argv[2]).touch()
        time.sleep(60)
""")


@contextmanager
def lock_held(root: Path, ready: Path, command: str = "render dev") -> Iterator[int]:
    """While the block runs, a child process holds `root`'s repository lock as `command`;
    yields its pid. `ready` is a path the child touches once it holds the lock."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(root), str(ready), command])
    try:
        for _ in range(400):
            if ready.exists():
                break
            if proc.poll() is not None:
                raise AssertionError("the lock holder ended before taking the lock")
            time.sleep(0.05)
        else:
            raise AssertionError("the lock holder never took the lock")
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()
