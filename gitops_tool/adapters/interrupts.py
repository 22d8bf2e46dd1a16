"""Ctrl-C recorded instead of raised, for blocks that must decide themselves when to stop:
a git command that must finish (adapters/git/clone.py), helm runs stopped between waits
(commands/validate/helm.py)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def ctrl_c_recorded() -> Iterator[list[int]]:
    """While the block runs, SIGINT is appended to the list yielded instead of raising
    KeyboardInterrupt; the handler it replaced comes back afterwards. Outside the main
    thread (where Python handles no signal) the list stays empty."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
