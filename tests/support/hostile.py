"""A hostile HTTP server on 127.0.0.1 for tests: raw sockets, one behaviour for every request.

    with Hostile(trickle(b'{"Version": "v3"}', every=0.5)) as server:
        ... point the client at server.url ...
        server.requests  # the request lines received
        server.sent      # bytes written, all connections together

The behaviours are what a real Argo CD never does: send its answer one byte at a time
(headers included, or only the body), send a body without end (declared or not,
compressed or not). Nothing here is checked against swagger.json: it is not a fake of
Argo CD, it is what a broken server or proxy does.
"""

from __future__ import annotations

import socket
import threading
import zlib
from collections.abc import Callable

Behaviour = Callable[["Hostile", socket.socket], None]


class Hostile:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[str] = []
        self.sent = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> Hostile:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._listener.close()

    def send(self, conn: socket.socket, data: bytes) -> bool:
        """Write `data`; False once the client has gone."""
        try:
            conn.sendall(data)
        except OSError:
            return False
        with self._lock:
            self.sent += len(data)
        return True

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
            except OSError:
                return
            with self._lock:
                self.requests.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
            self.behaviour(self, conn)


def _head(length: int | None, extra: str = "") -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else \
        "Transfer-Encoding: chunked\r\n"
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{size}{extra}\r\n").encode()


def trickle(body: bytes, every: float, headers_too: bool = True) -> Behaviour:
    """Answer 200 with `body`, one byte every `every` seconds (the headers at once unless
    `headers_too`)."""

    def behave(server: Hostile, conn: socket.socket) -> None:
        head = _head(len(body))
        slow = head + body if headers_too else body
        if not headers_too and not server.send(conn, head):
            return
        for byte in slow:
            if server.stopping.wait(every) or not server.send(conn, bytes([byte])):
                return

    return behave


def endless(declared: int | None = None, gzip: bool = False) -> Behaviour:
    """Answer 200 with a JSON body that never ends: with Content-Length `declared`, else
    chunked; compressed (Content-Encoding: gzip) when `gzip`: a few kilobytes on the wire
    for every many megabytes decoded."""

    def behave(server: Hostile, conn: socket.socket) -> None:
        extra = "Content-Encoding: gzip\r\n" if gzip else ""
        if not server.send(conn, _head(declared, extra)):
            return
        block = b'{"items": [' + b'{"metadata": {"name": "x"}}, ' * 2000
        compress = zlib.compressobj(9, zlib.DEFLATED, 31) if gzip else None
        first = True
        while not server.stopping.is_set():
            data = block if first else b'{"metadata": {"name": "x"}}, ' * 40000
            first = False
            if compress is not None:
                data = compress.compress(data) + compress.flush(zlib.Z_SYNC_FLUSH)
            if declared is None:
                data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
            if not server.send(conn, data):
                return

    return behave
