"""What the Argo CD commands get from their environment: variables, clock, warnings, ids.

Injected (httpie-style) so tests run them against the fake server with a fake clock;
`Runtime.connect` is the only place a client is built. requests is imported only there.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gitops_tool.adapters.argocd.config import ConnectionFlags, resolve_connection

if TYPE_CHECKING:
    from gitops_tool.adapters.argocd.client import ArgoCDClient, RetryPolicy


FAIL_FAST_CONNECT = 2.0  # doctor's connect timeout: an unreachable server fails in ~2 s


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: timezone-aware UTC now, and time.sleep."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _ignore(message: str) -> None:
    return None


def new_sync_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Runtime:
    """The environment of status, sync and doctor."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    home: Path = field(default_factory=Path.home)
    clock: Clock = field(default_factory=SystemClock)
    warn: Callable[[str], None] = _ignore  # one line on stderr
    progress: Callable[[Any], None] | None = None
    new_id: Callable[[], str] = new_sync_id
    policy: RetryPolicy | None = None

    def connect(
        self, flags: ConnectionFlags, *, timeout: float | None = None, fail_fast: bool = False
    ) -> ArgoCDClient:
        """A client for the server and token found from `flags`, the environment and file.

        `timeout`: seconds for everything the client does from now on (the command's
        --timeout), by this runtime's clock. `fail_fast` (doctor): a connection that cannot
        be made is not retried, and its connect timeout is at most FAIL_FAST_CONNECT."""
        conn = resolve_connection(flags, self.env, self.home)
        for warning in conn.warnings:
            self.warn(f"warning: {warning}")
        from gitops_tool.adapters.argocd.client import ArgoCDClient, RetryPolicy

        policy = self.policy or RetryPolicy()
        if fail_fast:
            policy = replace(policy, connect_retries=0,
                             connect_timeout=min(policy.connect_timeout, FAIL_FAST_CONNECT))
        client = ArgoCDClient(conn, sleep=self.clock.sleep, notify=self.warn, policy=policy)
        if timeout is not None:
            deadline = self.clock.now() + timedelta(seconds=timeout)
            client.bound_by(lambda: (deadline - self.clock.now()).total_seconds())
        return client
