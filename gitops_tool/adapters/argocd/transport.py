"""How long one exchange with Argo CD may last, and how much it may send.

requests' read timeout bounds each read of the socket, not the exchange: a server that
sends one byte every few seconds never trips it. A `Watchdog` bounds the whole exchange
(the request, its retries, the headers and the body): the connections of the session
register with the watchdog of the thread using them, and when its time is up the watchdog
shuts their socket down, which ends a read blocked on it at once. `read_body` reads the
body in chunks and stops past a size limit, so a gigabyte answer never sits in memory.

I/O only; the client decides what the limits are and what their breach means.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

CHUNK = 1 << 20
_ACTIVE = threading.local()  # .watchdog: the Watchdog of the exchange this thread runs


class TooLarge(Exception):
    """The answer is larger than the limit; nothing more was read."""


class Watchdog:
    """Shuts the connection in use down once `seconds` have passed (use it as a context
    manager around the exchange); `fired` says whether it did."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self.fired = False
        self._conn: Any = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(self.seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        _ACTIVE.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _ACTIVE.watchdog = None

    def attach(self, conn: Any) -> None:
        """The connection this exchange now uses (called by the connection itself)."""
        with self._lock:
            self._conn = conn
            fired = self.fired
        if fired:
            _shut(conn)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            conn = self._conn
        _shut(conn)


def _shut(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    # The plain socket's shutdown, below TLS: it wakes a read blocked in another thread.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _attach(conn: Any) -> None:
    watchdog = getattr(_ACTIVE, "watchdog", None)
    if watchdog is not None:
        watchdog.attach(conn)


class _Watched:
    """A connection that registers with the watchdog of the thread using it."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _attach(self)

    def request(self, *args: Any, **kwargs: Any) -> Any:
        _attach(self)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def watch_pools(manager: Any) -> Any:
    """Make a urllib3 PoolManager (or ProxyManager) open watched connections."""
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager


def read_body(response: Any, limit: int) -> bytearray:
    """The body of a streamed requests.Response (not copied again: a bytearray); TooLarge
    past `limit` bytes (as declared by Content-Length, or as received, after
    decompression)."""
    declared = str(response.headers.get("Content-Length") or "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    body = bytearray()
    for chunk in response.iter_content(CHUNK):
        body += chunk
        if len(body) > limit:
            raise TooLarge
    return body
