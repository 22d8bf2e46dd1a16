"""Helpers of the reliability tests: gitops-tool in child processes, and what a folder holds.

Every child runs the real console entry point (`gitops_tool.cli.main`) with SIGINT reset to
`signal.default_int_handler`, so that a test run in the background (where SIGINT may be
ignored) still sends it a real Ctrl-C.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
TXN_DIR = ".gitops-tool-write"

# The child: optionally pause one OS call at its Nth use (write a marker, wait for the
# parent's), then run gitops-tool with the arguments given.
CHILD = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
pause = os.environ.get("GT_PAUSE")  # "call:nth:ready-file:go-file"
if pause:
    call, nth, ready, go = pause.split(":", 3)
    nth, real, calls = int(nth), getattr(os, call), [0]

    def paused(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth:
            open(ready, "w").close()
            deadline = time.monotonic() + 60
            while not os.path.exists(go) and time.monotonic() < deadline:
                time.sleep(0.002)
        return real(*args, **kwargs)

    setattr(os, call, paused)
from gitops_tool.cli import main
sys.argv = ["gitops-tool", *sys.argv[1:]]
main()
"""


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GT_PAUSE")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", CHILD, *args]


def gitops(
    root: Path, *args: str, timeout: float = 120, **kwargs: Any
) -> subprocess.CompletedProcess:
    """Run `gitops-tool --repo root ARGS...` to its end, capturing what it prints (unless
    stdout or stderr is given)."""
    if "stdout" in kwargs or "stderr" in kwargs:
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
    else:
        kwargs["capture_output"] = True
    kwargs.setdefault("env", child_env())
    return subprocess.run(
        command("--repo", str(root), *args), text=True, timeout=timeout, **kwargs
    )


def state(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` (hidden ones too), with a hash of each file and
    the target of each link."""
    found = {}
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = f"link:{os.readlink(path)}"
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[rel] = "dir"
    return found


def leftovers(folder: Path) -> list[str]:
    """Anything a write leaves behind when it is not done: the transaction folder, temporary
    files of older versions."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.rglob("*") if "gitops-tool-" in p.name)


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in (text or ""), text
