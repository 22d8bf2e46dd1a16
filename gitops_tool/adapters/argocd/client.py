"""The Argo CD REST client: requests with urllib3 Retry, timeouts, no redirects.

I/O only. GETs are retried on connection errors, read timeouts, dropped connections and
429/502/503/504 (Retry-After honoured, capped), with exponential backoff and jitter; the
sleeps go through an injectable function so tests see the requested delays. A POST is
retried only when no connection could be made (refused, connect timeout), so nothing was
sent; once it may have reached the server (an error status, a dropped connection, a read
timeout) it is not retried here, because a sync may have started: the sync command looks
before it posts again. Error messages give the number of retries actually made. Errors
become ArgoCDError subclasses, chosen by the JSON `code` of Argo CD's runtimeError and its
message, not by the HTTP status alone. The token is only ever in the Authorization header
of requests to the configured server; every form of it the server could echo (other case,
URL-encoded, hex, base64) is scrubbed from whatever it answers, before anything reads it.

Every call is bounded as a whole, not only each read: a watchdog ends it once its time is
up (RetryPolicy.request_timeout, or less when the command's deadline is nearer), however
slowly the server trickles its answer. A body larger than RetryPolicy.max_response_bytes is
not read. An answer is checked against the shape of the fields the commands read
(core.argocd.responses) before it is returned: a wrong shape is UnexpectedResponse.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests
import urllib3

from gitops_tool.adapters.argocd.config import Connection
from gitops_tool.adapters.argocd.errors import (
    FAILED_PRECONDITION,
    IN_PROGRESS,
    NOT_FOUND,
    PERMISSION_DENIED,
    UNAUTHENTICATED,
    UNAVAILABLE,
    ArgoCDAuthError,
    ArgoCDDenied,
    ArgoCDNotFound,
    ArgoCDUnavailable,
    DeadlinePassed,
    NotArgoCDAPI,
    OperationInProgress,
    ResponseTooLarge,
    SyncWindowClosed,
    UnexpectedResponse,
)
from gitops_tool.adapters.argocd.retry import RETRY_STATUSES, ClientRetry, RetryPolicy
from gitops_tool.adapters.argocd.session import (
    BearerToken,
    TrustingAdapter,
    connection_reason,
    host_of,
    size_text,
    ssl_reason,
    timed_out,
)
from gitops_tool.adapters.argocd.transport import TooLarge, Watchdog, read_body
from gitops_tool.core.argocd import responses
from gitops_tool.core.argocd.version import MINIMUM_TEXT
from gitops_tool.core.redact import Redactor, map_strings
from gitops_tool.core.wording import plural
from gitops_tool.errors import ArgoCDError

log = logging.getLogger("gitops_tool.argocd")
ERROR_BODY_LIMIT = 1 << 20  # an error answer: only its message is read
SHOWN_MESSAGE = 500  # characters of a server's message shown in an error
# Control characters a server could send to drive the terminal; newlines and tabs stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same in raw JSON: raw (DEL and C1 may be), or escaped (C0 must be).
_CONTROL_IN_JSON = re.compile(
    r"[\x7f-\x9f]|\\u00(?:0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])|\\[bfr]", re.IGNORECASE
)


# Calls every Argo CD API server answers, whatever the names asked for: a 404 to one of
# them says the address serves something else.
ALWAYS_SERVED = frozenset({"/api/version", "/api/v1/applications"})
EXCERPT = 60  # characters of a page that is not Argo CD's shown in an error
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def excerpt_of(body: bytes | bytearray) -> str:
    """A short, single-line glimpse of a page: its HTML title, or its first words without
    markup; "" when it holds nothing readable."""
    text = bytes(body[: 16 * 1024]).decode("utf-8", "replace")
    title = _TITLE.search(text)
    words = " ".join(_TAG.sub(" ", title.group(1) if title else text).split())
    return words if len(words) <= EXCERPT else words[:EXCERPT].rstrip() + "..."


class ArgoCDClient:
    """The calls gitops-tool makes, each with timeouts, retries and mapped errors."""

    def __init__(
        self,
        conn: Connection,
        *,
        sleep: Callable[[float], None] = time.sleep,
        notify: Callable[[str], None] | None = None,
        policy: RetryPolicy | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.conn = conn
        self.host = conn.host
        self.policy = policy or RetryPolicy()
        self._deadline: Callable[[], float] | None = None
        self._call_ends = 0.0  # time.monotonic() at which the current call's time is up
        self._notify = notify
        self._retries = 0  # retries made by the current request
        self._redactor = Redactor([conn.token.reveal()])
        # The first error that says the server cannot be relied on (a wrong shape, a body too
        # large, the time given ran out): doctor stops on it and exits 3.
        self.broken: ArgoCDError | None = None
        p = self.policy
        # `connect` errors are retried for any method (urllib3: nothing was sent); read
        # errors and statuses only for the `allowed_methods`.
        retry = ClientRetry(
            total=max(p.retries, p.connect_retries), connect=p.connect_retries,
            read=p.retries, status=p.retries, other=0,
            redirect=0, raise_on_redirect=False, raise_on_status=False,
            allowed_methods=frozenset({"GET"}), status_forcelist=RETRY_STATUSES,
            backoff_factor=p.backoff, backoff_max=p.backoff_max,
            max_retry_after=p.retry_after_max, respect_retry_after_header=True,
            sleep=sleep, notify=self._retrying, rng=rng, jitter=p.jitter, host=self.host,
            time_left=self._call_time_left,
        )
        self._session = requests.Session()
        self._session.auth = BearerToken(conn)
        self._session.headers["Accept"] = "application/json"
        self._session.mount("https://", TrustingAdapter(ca_data=conn.ca_data, max_retries=retry))
        self._session.mount("http://", TrustingAdapter(max_retries=retry))
        if conn.verify is False:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def __repr__(self) -> str:
        return f"ArgoCDClient({self.host!r})"

    def _retrying(self, message: str) -> None:
        """Called once per retry (by ClientRetry): count it and pass the warning on."""
        self._retries += 1
        if self._notify is not None:
            self._notify(message)

    def _retried(self, method: str, sent: bool = True) -> str:
        """How many retries the request just made, for an error message. `sent` is False when
        the failure proves nothing reached the server (no connection was made)."""
        if self._retries:
            return f"after {plural(self._retries, 'retry', 'retries')}"
        if method == "GET" or not sent:
            return "not retried"
        return "not retried: it may have reached the server"

    def bound_by(self, time_left: Callable[[], float] | None) -> None:
        """Bound every later call (its timeouts and retries) by `time_left()` seconds."""
        self._deadline = time_left

    def time_left(self) -> float | None:
        return None if self._deadline is None else self._deadline()

    def _call_time_left(self) -> float:
        """What is left of the current call's time (retries must fit in it)."""
        left = self._call_ends - time.monotonic()
        command = self.time_left()
        return left if command is None else min(left, command)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ArgoCDClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the calls --------------------------------------------------------------------

    def version(self) -> dict:
        return self._request("GET", "/api/version", what="version", shape=responses.VERSION)

    def settings(self) -> dict:
        return self._request("GET", "/api/v1/settings", what="settings",
                             shape=responses.SETTINGS)

    def userinfo(self) -> dict:
        return self._request("GET", "/api/v1/session/userinfo", what="user info",
                             shape=responses.USER_INFO)

    def project(self, name: str) -> dict:
        return self._request("GET", f"/api/v1/projects/{quote(name, safe='')}",
                             what=f"AppProject {name}", shape=responses.PROJECT)

    def list_apps(
        self,
        *,
        selector: Mapping[str, str],
        project: str | Sequence[str] = (),
        app_namespace: str | None = None,
        fields: Sequence[str] = (),
    ) -> list[dict]:
        """One List request: the apps matching the label selector in the project(s), or in
        every project the token may read when none is given."""
        projects = [project] if isinstance(project, str) else list(project)
        params: list[tuple[str, str]] = [
            ("selector", ",".join(f"{k}={v}" for k, v in selector.items())),
            *(("projects", p) for p in projects),
        ]
        if app_namespace:
            params.append(("appNamespace", app_namespace))
        if fields:  # a projection the API gateway supports though swagger omits it
            params.append(("fields", ",".join(f"items.{f}" for f in fields)))
        data = self._request("GET", "/api/v1/applications", params=params,
                             what=f"applications of project {', '.join(projects)}"
                             if projects else f"applications labelled {params[0][1]}",
                             shape=responses.APPLICATION_LIST)
        return list(data.get("items") or [])

    def get_app(
        self,
        name: str,
        *,
        project: str,
        app_namespace: str | None = None,
        refresh: str | None = None,
    ) -> dict:
        """GET one Application; `refresh` ("normal") blocks until Argo CD re-read git."""
        params = self._app_params(project, app_namespace)
        if refresh:
            params.append(("refresh", refresh))
        return self._request("GET", self._app_path(name), params=params,
                             what=f"application {name} (project {project})",
                             shape=responses.APPLICATION)

    def managed_resources(self, name: str, *, project: str,
                          app_namespace: str | None = None) -> list[dict]:
        """The app's managed resources with their live, target, normalized and predicted
        states (`v1alpha1ResourceDiff`), as JSON text, and whether each is `modified`."""
        data = self._request("GET", self._app_path(name) + "/managed-resources",
                             params=self._app_params(project, app_namespace),
                             what=f"managed resources of {name}",
                             shape=responses.MANAGED_RESOURCES)
        return list(data.get("items") or [])

    def sync_windows(self, name: str, *, project: str, app_namespace: str | None = None) -> dict:
        return self._request("GET", self._app_path(name) + "/syncwindows",
                             params=self._app_params(project, app_namespace),
                             what=f"sync windows of {name}", shape=responses.SYNC_WINDOWS)

    def sync_app(
        self,
        name: str,
        *,
        project: str,
        app_namespace: str | None,
        prune: bool,
        infos: Mapping[str, str],
    ) -> dict:
        """POST a sync. No revision and no syncOptions: the app's own spec decides both."""
        body: dict[str, Any] = {
            "name": name,
            "project": project,
            "prune": prune,
            "infos": [{"name": k, "value": v} for k, v in infos.items()],
        }
        if app_namespace:
            body["appNamespace"] = app_namespace
        return self._request("POST", self._app_path(name) + "/sync", json=body,
                             what=f"sync of {name}", shape=responses.ANSWER)

    # -- plumbing ---------------------------------------------------------------------

    @staticmethod
    def _app_path(name: str) -> str:
        return f"/api/v1/applications/{quote(name, safe='')}"

    @staticmethod
    def _app_params(project: str, app_namespace: str | None) -> list[tuple[str, str]]:
        params = [("project", project)]
        if app_namespace:
            params.append(("appNamespace", app_namespace))
        return params

    def scrub(self, text: str) -> str:
        """`text` without any form of the token, nor control characters."""
        return _CONTROL.sub("?", self._redactor.text(text))

    def _broke(self, error: ArgoCDError) -> ArgoCDError:
        if self.broken is None:
            self.broken = error
        return error

    def _request(self, method: str, path: str, *, what: str, shape: Any, **kwargs: Any) -> dict:
        p = self.policy
        connect, read, budget = p.connect_timeout, p.read_timeout, p.request_timeout
        left = self.time_left()
        commanded = False  # the command's deadline, not the call's own, ends this call
        if left is not None:
            if left <= 0:
                raise self._broke(DeadlinePassed(
                    f"{what}: the time given ran out before it was asked",
                    hint="give the command more time (--timeout)",
                ))
            connect = min(connect, left)  # a connect is not ended by the watchdog
            if left <= budget:
                budget, commanded = left, True
        started = time.monotonic()
        self._call_ends = started + budget
        self._retries = 0
        watchdog = Watchdog(budget)
        try:
            with watchdog:
                response = self._session.request(
                    method, self.conn.base_url + path, verify=self.conn.verify,
                    allow_redirects=False, timeout=(connect, read), stream=True, **kwargs,
                )
                ok = 200 <= response.status_code < 300
                limit = p.max_response_bytes if ok else ERROR_BODY_LIMIT
                try:
                    body = read_body(response, limit)
                finally:
                    response.close()
        except TooLarge:
            raise self._broke(ResponseTooLarge(
                f"{what}: Argo CD at {self.host} sent more than {size_text(limit)} for "
                f"{method} {path}{'' if ok else f' (an error, {response.status_code})'}; "
                "it was not read",
                hint="check the server URL (is it the Argo CD API?); no answer gitops-tool asks "
                "for is that large",
            )) from None
        except Exception as exc:
            if watchdog.fired:
                raise self._expired(method, path, what, budget, commanded) from None
            raise self._failed(exc, method, what, connect, read) from None
        log.debug("%s %s -> %s (%.0f ms)", method, path, response.status_code,
                  (time.monotonic() - started) * 1000)
        if ok:
            return self._answer(method, path, what, response.status_code, body, shape)
        raise self._error(method, path, response, what, body)

    def _expired(self, method: str, path: str, what: str, budget: float,
                 commanded: bool) -> ArgoCDError:
        """The watchdog ended the call: its own time, or the command's, was up."""
        budget = round(budget, 1)
        if commanded:
            return self._broke(DeadlinePassed(
                f"{what}: Argo CD at {self.host} did not finish answering {method} {path} in "
                f"the {budget:g}s left of the time given",
                hint="check that the server is up and answering; or give the command more "
                "time (--timeout)",
            ))
        return ArgoCDUnavailable(
            f"{what}: Argo CD at {self.host} did not finish answering {method} {path} within "
            f"{budget:g}s ({self._retried(method)})",
            hint="check that the server is up and answering (a proxy may be holding the "
            "connection), then re-run",
        )

    def _failed(self, exc: Exception, method: str, what: str, connect: float,
                read: float) -> Exception:
        """The error for an exception of requests (or the exception itself: a bug)."""
        if isinstance(exc, requests.exceptions.SSLError):
            return ArgoCDError(
                f"TLS verification of Argo CD at {self.host} failed ({ssl_reason(exc)}); "
                "nothing was sent",
                hint="pass --server-crt CA.pem (or certificate-authority-data in the argocd "
                "config), or, knowingly, --insecure",
            )
        if isinstance(exc, ValueError | UnicodeError):  # a header http.client refuses: it
            return ArgoCDError(                          # may quote it
                f"{what}: the request to Argo CD at {self.host} could not be built (a header "
                f"value, such as the token from {self.conn.token_source}, is not valid)",
                hint="check the token and server address for stray characters",
            )
        if not isinstance(exc, requests.exceptions.RequestException):
            return exc
        never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or (
            isinstance(exc, requests.exceptions.ConnectionError)
            and connection_reason(exc) in ("connection refused", "unknown host")
        )
        retried = self._retried(method, sent=not never_sent)
        left = self.time_left()
        deadline = left is not None and left <= self.policy.backoff
        error = DeadlinePassed if deadline else ArgoCDUnavailable
        if timed_out(exc):
            failure = error(
                f"{what}: Argo CD at {self.host} did not answer in time "
                f"(connect {connect:g}s, read {read:g}s; {retried})",
                hint="check that the server is up and reachable, then re-run",
            )
        else:
            failure = error(
                f"{what}: cannot reach Argo CD at {self.host} ({connection_reason(exc)}; "
                f"{retried})",
                hint="check the server address and that Argo CD is up, then re-run",
            )
        return self._broke(failure) if deadline else failure

    def _answer(self, method: str, path: str, what: str, status: int, body: bytearray,
                shape: Any) -> dict:
        """The parsed, scrubbed answer, once its shape is checked."""
        try:
            text = body.decode("utf-8")
            data = json.loads(text)
        except ValueError:  # UnicodeDecodeError included
            raise self._not_the_api(what, method, path, status, body) from None
        except RecursionError:
            data, problem = None, "the JSON is nested too deeply"
        else:
            try:
                # Walking every string costs a third of a second for 1,000 apps: only when
                # the text may hold the token (even behind an escape) or a control character.
                if self._redactor.in_json(text) or _CONTROL_IN_JSON.search(text):
                    data = map_strings(data, self.scrub)
                problem = responses.shape_problem(data, shape)
            except RecursionError:
                problem = "the JSON is nested too deeply"
        if problem:
            raise self._broke(UnexpectedResponse(
                f"unexpected response from Argo CD at {self.host} to {method} {path} "
                f"({what}): {problem}",
                hint=f"check that the server is Argo CD {MINIMUM_TEXT} or later and that "
                "nothing between (a proxy, a login page) rewrites its answers",
            ))
        return data

    def _not_the_api(self, what: str, method: str, path: str, status: int,
                     body: bytearray) -> ArgoCDError:
        """The error for an address that answers, but not as Argo CD's API does."""
        try:
            json.loads(body)
            page = ""  # JSON, but not from a call Argo CD serves
        except (ValueError, RecursionError):
            glimpse = self.scrub(excerpt_of(body))
            page = " without JSON" + (f' ("{glimpse}")' if glimpse else "")
        return self._broke(NotArgoCDAPI(
            f"{what}: {self.host} does not serve the Argo CD API: {method} {path} answered "
            f"{status}{page}",
            hint=f"check the server address ({self.conn.server_source or 'the argocd config'}"
            "): host and port must name Argo CD's API server (argocd-server), not another "
            "web server; an Argo CD served under a path prefix needs it as the context's "
            "grpc-web-root-path (`argocd login HOST --grpc-web-root-path PATH`)",
        ))

    def _error(self, method: str, path: str, response: Any, what: str,
               body: bytearray) -> ArgoCDError:
        status = response.status_code
        code, message = None, ""
        try:
            data = json.loads(body) if body else None
        except (ValueError, RecursionError):
            data = None
            message = body.decode("utf-8", "replace")
        if status == 404 and (path in ALWAYS_SERVED or not isinstance(data, dict)):
            return self._not_the_api(what, method, path, status, body)
        if isinstance(data, dict):
            code = data.get("code")
            message = str(data.get("message") or data.get("error") or "")
        # Scrubbed whole, then cut: a cut could leave part of the token unrecognised.
        message = " ".join(self.scrub(message).split())
        if len(message) > SHOWN_MESSAGE:
            message = message[:SHOWN_MESSAGE] + "..."
        said = f": {message}" if message else ""
        if 300 <= status < 400:
            target = self.scrub(host_of(response.headers.get("Location", ""))) or "elsewhere"
            return ArgoCDError(
                f"Argo CD at {self.host} redirected ({status}) to {target}; "
                "redirects are not followed",
                hint="check the server URL and scheme (https or --plaintext, a root path)",
            )
        if status == 401 or code == UNAUTHENTICATED:
            return ArgoCDAuthError(
                f"Argo CD at {self.host} refused the token from {self.conn.token_source}{said}",
                hint=f"get a fresh token (`argocd login {self.host}`, or `argocd account "
                "generate-token` for ARGOCD_AUTH_TOKEN) and re-run",
            )
        if code == PERMISSION_DENIED or status == 403:
            if "sync window" in message.lower():
                return SyncWindowClosed(
                    f"{what}: blocked by a sync window{said}",
                    hint="re-run inside the window, or ask for a window with manualSync",
                )
            return ArgoCDDenied(
                f"{what}: permission denied by Argo CD at {self.host}{said}",
                hint="the token's role needs `applications, get` and `sync` on the project "
                "(argocd-rbac-cm), or the app is in another project",
            )
        if code == NOT_FOUND or status == 404:
            return ArgoCDNotFound(f"{what}: not found on Argo CD at {self.host}{said}")
        if code == FAILED_PRECONDITION and IN_PROGRESS in message.lower():
            return OperationInProgress(f"{what}: {message}")
        if status in RETRY_STATUSES or status >= 500 or code == UNAVAILABLE:
            return ArgoCDUnavailable(
                f"{what}: Argo CD at {self.host} answered {status} ({self._retried(method)})"
                f"{said}",
                hint="Argo CD is overloaded or restarting; re-run later",
            )
        return ArgoCDError(f"{what}: Argo CD at {self.host} refused it ({status}){said}")
