"""Ctrl-C in tests, whatever the signal disposition pytest itself started with.

A process started in the background by a shell (`pytest &`, a job control-less CI step)
starts with SIGINT ignored, and Python then installs no KeyboardInterrupt handler. A test
that sends SIGINT must not inherit that:

- a child the test will signal gets `preexec_fn=sigint_default`: it starts with SIGINT at
  the default disposition, so its Python installs `signal.default_int_handler` as usual;
- a test that signals its own process runs that part under `with default_sigint():`.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


def sigint_default() -> None:
    """A `preexec_fn`: the child starts with SIGINT at its default, not ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def default_sigint() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt in this process while the block runs."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
