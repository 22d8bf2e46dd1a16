"""Hostile or broken Argo CD servers (issue 10, matrix row 43; issue 11's refused
connection).

- Valid JSON of the wrong shape, for every endpoint the client calls: exit 3, "unexpected
  response from Argo CD" naming the endpoint; never a traceback, a wrong count or a
  "Missing" for every app.
- A server that trickles its answer: every request has an overall deadline, and
  `--timeout` bounds status, doctor and sync as a whole (exit 3).
- A body without end: it is read up to the size limit and no further (exit 3).
- A refused connection: doctor does not retry it; status and sync retry it once.

Runtimes are bounded by pytest-timeout as a guard; the assertions are on what was asked
for (deadlines, limits, retries), never on wall time.
"""

from __future__ import annotations

import json
import socket
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from gitops_tool.adapters.argocd.config import ConnectionFlags
from gitops_tool.adapters.argocd.retry import RetryPolicy
from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.cli import app
from gitops_tool.cli.app import GlobalOptions
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import Fault
from tests.support.argocd.fixtures import FAST, SENTINEL
from tests.support.hostile import Hostile, endless, trickle
from tests.support.sentinel import assert_no_leak

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def invoke(monkeypatch, tmp_path, clock, tree_root, caplog):
    for key in ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ARGOCD_CONFIG_DIR", str(tmp_path / "no-argocd-config"))
    monkeypatch.setenv("ARGOCD_AUTH_TOKEN", SENTINEL)

    def run(server: str, *args: str, policy: RetryPolicy = FAST):
        monkeypatch.setenv("ARGOCD_SERVER", server)
        runtime = Runtime(clock=clock, policy=policy, new_id=lambda: "run-1")
        result = CliRunner().invoke(app, ["--repo", str(tree_root), *args],
                                    obj=GlobalOptions(runtime=runtime))
        assert_no_leak(SENTINEL, result.stdout, result.stderr, repr(result.exception),
                       caplog.text)
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)  # never a traceback
        return result

    return run


@pytest.fixture
def dev(fake, tree):
    populate(fake, tree, "dev")
    return fake


# -- valid JSON of the wrong shape ----------------------------------------------------

WRONG = {
    "a string for a list": {"items": "notalist"},
    "null": None,
    "a list": [],
    "a number": 42,
    "an item without metadata": {"items": [{"spec": {}}]},
    "a name that is not a string": {"items": [{"metadata": {"name": ["x"]}}]},
    "a status that is a string": {"items": [{"metadata": {"name": "dev-api"},
                                             "status": "Healthy"}]},
    "labels that are a list": {"items": [{"metadata": {"name": "x", "labels": ["a"]}}]},
}


def _body(value):
    return json.dumps(value)  # `null` as it comes on the wire: a Fault body of None is a default


@pytest.mark.parametrize("kind", sorted(WRONG))
def test_status_and_doctor_refuse_a_list_of_the_wrong_shape(invoke, dev, kind):
    for args in (["status", "dev"], ["doctor", "dev"]):
        dev.fault("GET /api/v1/applications", Fault(200, body=_body(WRONG[kind])))
        result = invoke(dev.url, *args)
        said = result.stdout + result.stderr
        assert result.exit_code == 3, (args, said)
        assert "unexpected response from Argo CD" in said, said
        assert "GET /api/v1/applications" in said
        assert "the token lists" not in said and "Missing" not in said


ENDPOINTS = {
    "GET /api/version": {"Version": ["v3"]},
    "GET /api/v1/session/userinfo": {"loggedIn": "yes"},
    "GET /api/v1/settings": {"resourceOverrides": "none"},
    "GET /api/v1/projects/{name}": ["not", "an", "object"],
    "GET /api/v1/applications/{name}": {"metadata": "dev-root"},
}


@pytest.mark.parametrize("route", sorted(ENDPOINTS))
def test_doctor_refuses_a_wrong_shape_from_every_endpoint(invoke, dev, route):
    dev.fault(route, Fault(200, body=_body(ENDPOINTS[route])))
    result = invoke(dev.url, "doctor", "dev")
    assert result.exit_code == 3, result.stdout
    assert "unexpected response from Argo CD" in result.stdout
    assert route.split(" ", 1)[1].split("{")[0] in result.stdout


SYNC_ROUTES = {
    "GET /api/v1/applications/{name}/syncwindows": {"canSync": "no"},
    "GET /api/v1/applications/{name}": {"metadata": {"name": 1}},
    "POST /api/v1/applications/{name}/sync": None,
}


@pytest.mark.parametrize("route", sorted(SYNC_ROUTES))
def test_sync_refuses_a_wrong_shape_from_every_endpoint(invoke, dev, route):
    dev.fault(route, Fault(200, body=_body(SYNC_ROUTES[route]), apply=route.startswith("POST")))
    result = invoke(dev.url, "sync", "dev")
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert "unexpected response from Argo CD" in result.stderr
    assert route.split(" ", 1)[1].split("{")[0] in result.stderr


def test_json_nested_too_deeply_is_an_unexpected_response(invoke, dev):
    dev.fault("GET /api/v1/applications", Fault(200, body="[" * 200_000 + "]" * 200_000))
    result = invoke(dev.url, "status", "dev")
    assert result.exit_code == 3 and "nested too deeply" in result.stderr


# -- a server that trickles its answer ------------------------------------------------

ANSWER = json.dumps({"items": [], "metadata": {}}).encode()


@pytest.mark.parametrize("headers_too", [True, False], ids=["headers", "body"])
@pytest.mark.parametrize("verb", [["status", "dev"], ["doctor", "dev"], ["sync", "dev"],
                                  ["sync", "dev", "--dry-run"]])
def test_timeout_bounds_a_trickling_server(invoke, verb, headers_too):
    with Hostile(trickle(ANSWER, every=0.25, headers_too=headers_too)) as server:
        result = invoke(server.url, *verb, "--timeout", "1.5")
    said = result.stdout + result.stderr
    assert result.exit_code == 3, said
    if verb == ["sync", "dev"]:
        assert "timed out" in result.stdout
    else:
        assert "did not finish answering" in said and "in the 1.5s left" in said
    assert len(server.requests) == 1  # the first call used the time; nothing more was asked


def test_every_call_has_its_own_deadline_under_a_long_timeout(invoke):
    policy = replace(FAST, request_timeout=1.0)
    with Hostile(trickle(ANSWER, every=0.25)) as server:
        result = invoke(server.url, "status", "dev", "--timeout", "600", policy=policy)
    assert result.exit_code == 3
    assert "did not finish answering GET /api/v1/applications within 1s" in result.stderr


def test_the_default_deadlines():
    policy = RetryPolicy()
    assert (policy.connect_timeout, policy.read_timeout, policy.request_timeout) == (5, 30, 60)


# -- a body without end ---------------------------------------------------------------

MiB = 1 << 20
SOCKET_BUFFERS = 32 * MiB  # at most what both ends of a loopback connection buffer


@pytest.mark.parametrize(
    ("declared", "gzip"),
    [(1 << 30, False), (None, False), (None, True)],
    ids=["declared 1 GiB", "chunked", "gzip bomb"],
)
def test_a_body_past_the_limit_is_not_read(invoke, declared, gzip):
    policy = replace(FAST, max_response_bytes=4 * MiB)
    with Hostile(endless(declared, gzip)) as server:
        result = invoke(server.url, "status", "dev", policy=policy)
    assert result.exit_code == 3
    assert "sent more than 4 MiB for GET /api/v1/applications" in result.stderr
    # The limit, and what the sockets' buffers held (loopback TCP buffers grow to megabytes):
    # finite, for a body without end.
    assert server.sent < 4 * MiB + SOCKET_BUFFERS


def test_the_default_limit_stops_a_gigabyte(invoke):
    assert RetryPolicy().max_response_bytes == 128 * MiB
    with Hostile(endless(None)) as server:
        result = invoke(server.url, "doctor", "dev", policy=replace(FAST, read_timeout=10))
    assert result.exit_code == 3 and "sent more than 128 MiB" in result.stdout
    assert server.sent < 128 * MiB + SOCKET_BUFFERS  # far from the gigabyte it would send


# -- a refused connection (issue 11) --------------------------------------------------

@pytest.fixture
def nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_doctor_does_not_retry_a_refused_connection(invoke, nothing_listens, clock):
    result = invoke(nothing_listens, "doctor", "dev", policy=RetryPolicy())
    assert result.exit_code == 1
    assert "connection refused; not retried" in result.stdout
    assert "warning" not in result.stderr and clock.sleeps == []


@pytest.mark.parametrize("verb", [["status", "dev"], ["sync", "dev"]])
def test_status_and_sync_retry_a_refused_connection_once(invoke, nothing_listens, clock,
                                                         verb):
    result = invoke(nothing_listens, *verb, policy=RetryPolicy())
    assert result.exit_code == 3
    assert "connection refused; after 1 retry" in result.stderr
    retries = [line for line in result.stderr.splitlines()
               if line.startswith("warning: ") and "git clone" not in line]  # sync's git check
    assert len(retries) == 1 and len(clock.sleeps) == 1


def test_doctor_asks_for_a_short_connect_timeout(argo_env, tmp_path, clock):
    runtime = Runtime(env=argo_env, home=tmp_path, clock=clock)
    with runtime.connect(ConnectionFlags(), fail_fast=True) as client:
        assert (client.policy.connect_timeout, client.policy.connect_retries) == (2.0, 0)
    with runtime.connect(ConnectionFlags()) as client:
        assert (client.policy.connect_timeout, client.policy.connect_retries) == (5.0, 1)


def test_an_error_answer_is_read_up_to_a_mebibyte(invoke, dev):
    body = json.dumps({"code": 14, "message": "x" * (2 << 20)})
    dev.fault("GET /api/v1/applications", Fault(503, body=body), Fault(503, body=body),
              Fault(503, body=body), Fault(503, body=body))
    result = invoke(dev.url, "status", "dev")
    assert result.exit_code == 3
    assert "sent more than 1 MiB for GET /api/v1/applications (an error, 503)" in result.stderr
