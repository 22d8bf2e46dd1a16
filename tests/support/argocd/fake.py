"""A fake Argo CD API server on 127.0.0.1 for tests (and for bench/status.py).

    with FakeArgo(token="tok") as fake:
        fake.add_app("dev-api", project="ananta-dev", labels={...})
        fake.fault("GET /api/v1/applications/{name}", Fault(503), Fault(503))
        ... point the client at fake.url ...
        fake.records  # every request: method, path, route, query, JSON body, hashed auth

A stdlib ThreadingHTTPServer in a thread, optionally TLS with a trustme CA. It serves
the endpoints gitops-tool uses with swagger's shapes; apps move through sync and
health states as they are polled (see fakestate). Faults are queued per route
("METHOD /template" or "METHOD /concrete/path"): status, headers, body, delay,
hang, close the socket, send half a body, optionally after applying the request.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import ssl
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.argocd.state import (
    HEALTH_LUA,
    FakeApp,
    deployment,
    is_sha,
    sha_of,
    stamp,
)

ROUTES = (
    ("GET", "/api/version"),
    ("GET", "/api/v1/settings"),
    ("GET", "/api/v1/session/userinfo"),
    ("GET", "/api/v1/applications"),
    ("GET", "/api/v1/applications/{name}"),
    ("POST", "/api/v1/applications/{name}/sync"),
    ("GET", "/api/v1/applications/{name}/syncwindows"),
    ("GET", "/api/v1/applications/{name}/managed-resources"),
    ("DELETE", "/api/v1/applications/{name}/operation"),
    ("GET", "/api/v1/projects/{name}"),
)
_PATTERNS = [
    (m, t, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", t) + "$")) for m, t in ROUTES
]
LIST_FIELDS = {  # what the API gateway can project (ARGOCD-NOTES §2.2)
    "metadata.name", "metadata.namespace", "metadata.annotations", "metadata.labels",
    "metadata.creationTimestamp", "metadata.deletionTimestamp", "spec", "spec.destination",
    "spec.project", "spec.source", "spec.sources", "spec.sourceHydrator", "spec.syncPolicy",
    "status.sourceHydrator", "status.summary", "status.sync.status", "status.sync.revision",
    "status.health", "status.operationState.startedAt", "status.operationState.finishedAt",
    "status.operationState.phase", "status.resources", "operation.sync",
}
HEALTH_ORDER = ("Healthy", "Suspended", "Progressing", "Missing", "Unknown", "Degraded")
HANG_LIMIT = 30.0  # a hung response is released after this, or when the server stops


def argocd_version(tag: str) -> dict[str, str]:
    """GET /api/version as a real Argo CD of release `tag` (e.g. "v3.2.4") answers it:
    `Version` is the tag and the short commit ("v3.6.0+1a2b3c4")."""
    commit = sha_of(f"argo-cd {tag}")
    return {
        "Version": f"{tag}+{commit[:7]}", "BuildDate": "2026-01-01T00:00:00Z",
        "GitCommit": commit, "GitTag": tag, "GitTreeState": "clean", "GoVersion": "go1.24.4",
        "Compiler": "gc", "Platform": "linux/amd64", "KustomizeVersion": "v5.7.0",
        "HelmVersion": "v4.0.4+g8650e1d", "KubectlVersion": "v0.33.1",
        "JsonnetVersion": "v0.21.0",
    }


def hash_auth(value: str | None) -> str | None:
    return hashlib.sha256(value.encode()).hexdigest() if value else None


def runtime_error(code: int, message: str) -> dict:
    return {"code": code, "error": message, "message": message, "details": []}


@dataclass
class Fault:
    """One scripted misbehaviour for the next request on a route."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # dict: JSON; str/bytes: as is; None: a runtimeError for `status`
    delay: float = 0.0
    hang: bool = False
    close: bool = False
    half_body: bool = False
    apply: bool = False  # handle the request first (its effects happen), then misbehave
    code: int = 14  # the gRPC code of the generated runtimeError


@dataclass
class Record:
    """One request the fake received (the Authorization header only as a hash)."""

    seq: int
    method: str
    path: str
    route: str | None
    query: dict[str, list[str]]
    body: Any
    auth: str | None
    status: int | None = None
    response: Any = None
    faulted: bool = False


class Reply(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class FakeClock:
    """A clock for the client and the fake: `sleep` records the delay and moves time on.

    `interrupt_after=N` raises KeyboardInterrupt on the Nth sleep (a Ctrl-C while waiting).
    """

    def __init__(self, start: datetime | None = None, interrupt_after: int | None = None):
        self.time = start or datetime(2026, 1, 1, tzinfo=UTC)
        self.sleeps: list[float] = []
        self.interrupt_after = interrupt_after

    def now(self) -> datetime:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.interrupt_after is not None and len(self.sleeps) >= self.interrupt_after:
            raise KeyboardInterrupt
        self.time += timedelta(seconds=seconds)


class FakeArgo:
    """The fake server: apps, projects, settings, faults and the request log."""

    def __init__(
        self,
        *,
        token: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        tls: Any = None,  # a trustme.CA: serve HTTPS with a certificate it issued
        username: str = "gitops-tool",
        on_request: Callable[[Record], None] | None = None,  # told of each answered request
    ) -> None:
        self.token_hash = hash_auth(f"Bearer {token}") if token else None
        self.clock = clock
        self.username = username
        self.apps: dict[str, FakeApp] = {}
        self.projects: dict[str, dict] = {}
        self.denied_projects: set[str] = set()
        self.heads: dict[str, str] = {}
        self.health_sources: dict[str, tuple[str, ...]] = {}  # root -> the children it mirrors
        self.version = argocd_version("v3.6.0")
        self.settings: dict[str, Any] = {
            "url": "https://argocd.example.test",
            "appLabelKey": "app.kubernetes.io/instance",
            "controllerNamespace": "argocd",
            "trackingMethod": "annotation",
            "resourceOverrides": {"argoproj.io/Application": {"healthLua": HEALTH_LUA}},
        }
        self.records: list[Record] = []
        self.on_request = on_request
        self.tls_failures = 0
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._tls_context = None
        if tls is not None:
            self._tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.issue_cert("127.0.0.1", "localhost").configure_cert(self._tls_context)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> FakeArgo:
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeArgo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        scheme = "https" if self._tls_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # -- set-up -----------------------------------------------------------------------

    def resolve(self, revision: str) -> str:
        """The commit a branch points at (a SHA resolves to itself)."""
        if is_sha(revision):
            return revision
        return self.heads.setdefault(revision, sha_of(f"head:{revision}"))

    def add_project(self, name: str, windows: list[dict] | None = None) -> None:
        with self._lock:
            spec: dict[str, Any] = {
                "sourceRepos": ["https://example.test/gitops.git"],
                "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "*"}],
            }
            if windows:
                spec["syncWindows"] = windows
            self.projects[name] = {"metadata": {"name": name, "namespace": "argocd"},
                                   "spec": spec}

    def add_app(self, name: str, project: str, *, synced: bool = True, **kw: Any) -> FakeApp:
        """An app that is Synced and Healthy at its revision (or OutOfSync when not synced)."""
        with self._lock:
            app = FakeApp(name=name, project=project, **kw)
            now = self.clock()
            earlier = now - timedelta(hours=1)
            resolved = self.resolve(app.target_revision)
            previous = {"sync": {"revision": resolved},
                        "info": [{"name": "gitops-tool/sync-id", "value": "earlier-run"}],
                        "initiatedBy": {"username": "admin"}}
            app.op_state = {
                "operation": previous, "phase": "Succeeded",
                "message": "successfully synced (all tasks run)",
                "startedAt": stamp(earlier - timedelta(minutes=1)), "finishedAt": stamp(earlier),
                "syncResult": {"revision": resolved},
            }
            app.sync_status = "Synced" if synced else "OutOfSync"
            app.sync_revision = resolved
            app.health_since = app.health_since or earlier
            app.reconciled_at = app.reconciled_at or now
            if not app.resources:
                app.resources = [deployment(app, app.health)]
            self.apps[name] = app
            self.projects.setdefault(project, {"metadata": {"name": project}, "spec": {}})
            return app

    def add_application(self, manifest: dict, *, synced: bool = True) -> FakeApp:
        """An app made from an Application manifest as `gitops-tool render` writes it
        (name, namespace, labels, annotations, project, source, automated sync), Synced
        and Healthy at its targetRevision."""
        meta, spec = manifest["metadata"], manifest["spec"]
        source = spec["source"]
        tag = next((p["value"] for p in (source.get("helm") or {}).get("parameters") or ()
                    if p.get("name") == "image.tag"), "")
        return self.add_app(
            meta["name"], spec["project"], synced=synced, namespace=meta["namespace"],
            labels=dict(meta.get("labels") or {}),
            annotations=dict(meta.get("annotations") or {}), repo_url=source["repoURL"],
            path=source.get("path", ""), target_revision=source["targetRevision"],
            image_tag=tag, automated=bool((spec.get("syncPolicy") or {}).get("automated")),
        )

    def add_appproject(self, manifest: dict) -> None:
        """An AppProject as `gitops-tool render` writes it."""
        with self._lock:
            self.projects[manifest["metadata"]["name"]] = {
                "metadata": dict(manifest["metadata"]), "spec": dict(manifest["spec"])}

    def start_operation(self, name: str, *, username: str = "admin", polls: int = 2,
                        outcome: str = "healthy") -> None:
        """Someone else's sync, running for `polls` GETs."""
        with self._lock:
            app = self.apps[name]
            operation = {"sync": {"revision": self.resolve(app.target_revision)},
                         "initiatedBy": {"username": username}}
            app.begin(operation, self.resolve(app.target_revision), outcome=outcome,
                      running_polls=polls)

    def health_from_children(self, root: str, children: list[str] | None = None) -> None:
        """Give `root` the worst health of `children` (all other apps by default), as the
        Application health check in argocd-cm makes Argo CD do for an app of apps."""
        with self._lock:
            self.health_sources[root] = tuple(children or [n for n in self.apps if n != root])

    def _json(self, app: FakeApp) -> dict:
        data = app.to_json()
        children = [self.apps[n] for n in self.health_sources.get(app.name, ()) if n in self.apps]
        if children:
            worst = max(children, key=lambda c: HEALTH_ORDER.index(c.health))
            health = {"status": worst.health}
            if worst.health_message:
                health["message"] = worst.health_message
            data["status"]["health"] = health
        return data

    def fault(self, route: str, *faults: Fault) -> None:
        """Queue faults for "METHOD /path/template" or "METHOD /concrete/path"."""
        with self._lock:
            self._faults[route].extend(faults)

    def requests(self, route: str | None = None) -> list[Record]:
        with self._lock:
            return [r for r in self.records
                    if route is None or f"{r.method} {r.route}" == route]

    def posts(self) -> list[Record]:
        return [r for r in self.requests() if r.method == "POST"]

    # -- handling ---------------------------------------------------------------------

    def _take_fault(self, method: str, path: str, route: str | None) -> Fault | None:
        for key in (f"{method} {path}", f"{method} {route}"):
            if self._faults.get(key):
                return self._faults[key].popleft()
        return None

    def serve(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        method = handler.command
        route, params = None, {}
        for m, template, pattern in _PATTERNS:
            match = pattern.match(path)
            if match and m == method:
                route, params = template, match.groupdict()
                break
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self._lock:
            record = Record(
                seq=len(self.records), method=method, path=path, route=route,
                query=parse_qs(parts.query, keep_blank_values=True), body=body,
                auth=hash_auth(handler.headers.get("Authorization")),
            )
            self.records.append(record)
            fault = self._take_fault(method, path, route)
        if fault and fault.delay:
            self._stop.wait(fault.delay)
        if fault and fault.hang:
            self._stop.wait(HANG_LIMIT)
            handler.close_connection = True
            return
        status, payload, headers = 200, None, {}
        if fault is None or fault.apply:
            try:
                with self._lock:
                    status, payload = 200, self._dispatch(handler, method, route, params,
                                                          record)
            except Reply as reply:
                status, payload, headers = reply.status, reply.body, reply.headers
        if fault is not None:
            record.faulted = True
            if fault.close:
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault.status is not None:
                status = fault.status
                payload = fault.body if fault.body is not None else (
                    runtime_error(fault.code, f"fake fault {fault.status}")
                    if fault.status >= 400 else "")
                headers = dict(fault.headers)
        with self._lock:
            record.status = status
            record.response = payload if isinstance(payload, dict) else None
        if self.on_request is not None:
            self.on_request(record)
        data = payload if isinstance(payload, bytes) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        if fault is not None and fault.half_body:
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        handler.wfile.write(data)

    def _dispatch(self, handler: _Handler, method: str, route: str | None,
                  params: dict[str, str], record: Record) -> Any:
        if route is None:
            raise Reply(404, runtime_error(5, f"no route {method} {record.path}"))
        if self.token_hash is not None and record.auth != self.token_hash:
            message = ("no session information" if record.auth is None
                       else "invalid session: token is expired")
            raise Reply(401, runtime_error(16, message))
        query = record.query
        if route == "/api/version":
            return self.version
        if route == "/api/v1/settings":
            return self.settings
        if route == "/api/v1/session/userinfo":
            return {"loggedIn": True, "username": self.username, "iss": "argocd"}
        if route == "/api/v1/projects/{name}":
            project = self.projects.get(params["name"])
            if project is None:
                raise Reply(404, runtime_error(
                    5, f'appprojects.argoproj.io "{params["name"]}" not found'))
            return project
        if route == "/api/v1/applications":
            return self._list(query)
        app = self._app_for(params["name"], query, body=record.body)
        if route == "/api/v1/applications/{name}":
            app.play(self.clock())
            if app.finished and app.done_seq is None:
                app.done_seq = record.seq
            return self._json(app)
        if route == "/api/v1/applications/{name}/syncwindows":
            windows = [] if app.window_open else [
                {"kind": "deny", "schedule": "0 0 * * *", "duration": "24h",
                 "manualSync": False}]
            return {"assignedWindows": windows, "activeWindows": windows,
                    "canSync": app.window_open}
        if route == "/api/v1/applications/{name}/managed-resources":
            return {"items": app.managed_resources()}
        if route == "/api/v1/applications/{name}/sync":
            return self._sync(app, record.body or {})
        if route == "/api/v1/applications/{name}/operation":
            if not app.operation:
                raise Reply(400, runtime_error(
                    3, "Unable to terminate operation. No operation is in progress"))
            app.op_state = dict(app.op_state or {}, phase="Terminating")
            return {}
        raise Reply(404, runtime_error(5, "not found"))

    def _app_for(self, name: str, query: dict[str, list[str]], body: Any = None) -> FakeApp:
        projects = query.get("project") or query.get("projects") or []
        if isinstance(body, dict) and body.get("project"):
            projects = [body["project"]]
        if len(projects) > 1:
            raise Reply(400, runtime_error(3, "only one project may be given"))
        app = self.apps.get(name)
        if (projects and projects[0] in self.denied_projects) or (
            app is not None and app.project in self.denied_projects
        ):
            raise Reply(403, runtime_error(
                7, f"permission denied: applications, get, {projects[0] if projects else ''}"
                   f"/{name}, sub: {self.username}"))
        if app is None:
            raise Reply(404, runtime_error(5, f'applications.argoproj.io "{name}" not found'))
        if projects and projects[0] != app.project:
            raise Reply(403, runtime_error(
                7, f"permission denied: applications, get, {projects[0]}/{name}, "
                   f"sub: {self.username}"))
        return app

    def _list(self, query: dict[str, list[str]]) -> dict:
        wanted: dict[str, str] = {}
        for term in filter(None, (query.get("selector") or [""])[0].split(",")):
            key, sep, value = term.partition("=")
            if not sep or key.endswith("!"):
                raise Reply(400, runtime_error(3, f"unsupported selector term {term!r}"))
            wanted[key.strip()] = value.lstrip("=").strip()
        projects = set(query.get("project") or query.get("projects") or [])
        if projects & self.denied_projects:
            return {"items": [], "metadata": {"resourceVersion": "1"}}
        namespace = (query.get("appNamespace") or [""])[0]
        fields = [f for f in (query.get("fields") or [""])[0].split(",") if f]
        for f in fields:
            if not f.startswith("items.") or f[len("items."):] not in LIST_FIELDS:
                raise Reply(400, runtime_error(3, f"unsupported field {f!r}"))
        items = []
        for name in sorted(self.apps):
            app = self.apps[name]
            if projects and app.project not in projects:
                continue
            if namespace and app.namespace != namespace:
                continue
            if any(app.labels.get(k) != v for k, v in wanted.items()):
                continue
            item = self._json(app)
            items.append(_project(item, [f[len("items."):] for f in fields]) if fields
                         else item)
        return {"items": items, "metadata": {"resourceVersion": "1"}}

    def _sync(self, app: FakeApp, body: dict) -> dict:
        """In the real server's order (ARGOCD-NOTES §2.4): the sync window first, then the
        revision an auto-synced app refuses, and only then an operation in progress (set
        when the operation is written)."""
        if not app.window_open:
            raise Reply(403, runtime_error(
                7, "cannot sync: blocked by sync window"))
        resolved = self.resolve(app.target_revision)
        if body.get("revision") and app.automated and \
                self.resolve(body["revision"]) != resolved:
            raise Reply(400, runtime_error(
                9, f"Cannot sync to {body['revision']}: auto-sync currently set to "
                   f"{app.target_revision}"))
        running = app.operation or (app.op_state or {}).get("phase") in ("Running",
                                                                           "Terminating")
        if running:
            raise Reply(400, runtime_error(9, "another operation is already in progress"))
        sync: dict[str, Any] = {"revision": resolved, "prune": bool(body.get("prune"))}
        if body.get("syncOptions"):
            sync["syncOptions"] = body["syncOptions"].get("items", [])
        operation = {"sync": sync, "initiatedBy": {"username": self.username},
                     "info": body.get("infos") or []}
        app.begin(operation, resolved)
        return self._json(app)


def _project(item: dict, paths: list[str]) -> dict:
    out: dict[str, Any] = {}
    for path in paths:
        keys = path.split(".")
        source: Any = item
        for key in keys:
            if not isinstance(source, dict) or key not in source:
                break
            source = source[key]
        else:
            target = out
            for key in keys[:-1]:
                target = target.setdefault(key, {})
            target[keys[-1]] = source
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type, fake: FakeArgo) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        context = self.fake._tls_context
        if context is None:
            super().finish_request(request, client_address)
            return
        try:
            request.settimeout(5)
            wrapped = context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            with self.fake._lock:
                self.fake.tls_failures += 1
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK stall
    timeout = 10
    server: _Server

    def _serve(self) -> None:
        try:
            self.server.fake.serve(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return None
