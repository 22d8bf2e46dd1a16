"""The HTTP side of the client: the requests adapter (extra CA certificates, the watchdog
on every connection), the bearer token, and what a failed exchange means, in words.

I/O only; the client decides what each failure means for the command.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout  # not the builtin

from gitops_tool.adapters.argocd.config import Connection
from gitops_tool.adapters.argocd.transport import watch_pools


class TrustingAdapter(HTTPAdapter):
    """An HTTPAdapter that can trust extra CA certificates given as PEM text."""

    def __init__(self, ca_data: str | None = None, **kwargs: Any) -> None:
        self._ca_data = ca_data
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        if self._ca_data:
            context = ssl.create_default_context()
            context.load_verify_locations(cadata=self._ca_data)
            kwargs["ssl_context"] = context
        super().init_poolmanager(*args, **kwargs)
        watch_pools(self.poolmanager)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        return watch_pools(super().proxy_manager_for(*args, **kwargs))


class BearerToken(requests.auth.AuthBase):
    """Puts the token in the Authorization header, and never in its repr."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._conn.token.reveal()}"
        return request

    def __repr__(self) -> str:
        return "Bearer('***')"


def host_of(location: str) -> str:
    """host[:port] of a redirect's Location, without any user or password in it."""
    try:
        parts = urlsplit(location)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return ""
    return f"{host}:{port}" if host and port else host


def size_text(limit: int) -> str:
    return f"{limit / (1 << 20):g} MiB" if limit >= 1 << 20 else f"{limit} bytes"


def ssl_reason(exc: Exception) -> str:
    text = str(exc)
    for reason in ("CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER", "hostname mismatch"):
        if reason in text:
            return reason.replace("_", " ").lower()
    return "handshake failed"


def timed_out(exc: Exception) -> bool:
    inner = exc.args[0] if exc.args else None
    if isinstance(inner, MaxRetryError):
        inner = inner.reason
    if isinstance(inner, NewConnectionError):  # a refused connection, not a timeout
        return False
    return isinstance(exc, requests.exceptions.Timeout) or isinstance(inner, Urllib3Timeout)


def connection_reason(exc: Exception) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "RemoteDisconnected" in text or "reset" in text.lower() or "aborted" in text.lower():
        return "connection dropped before an answer"
    if "IncompleteRead" in text or "ChunkedEncoding" in type(exc).__name__:
        return "answer cut short"
    return type(exc).__name__
