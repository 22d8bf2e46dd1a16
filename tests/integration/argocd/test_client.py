"""The REST client against the fake: retries, timeouts, TLS, redirects, errors (rows 1-10)."""

from __future__ import annotations

import base64
import socket
import time
import traceback
from dataclasses import replace

import pytest
import trustme

from gitops_tool.adapters.argocd.client import (
    ArgoCDAuthError,
    ArgoCDDenied,
    ArgoCDNotFound,
    ArgoCDUnavailable,
    NotArgoCDAPI,
    OperationInProgress,
    RetryPolicy,
    SyncWindowClosed,
    excerpt_of,
)
from gitops_tool.adapters.argocd.config import ConnectionFlags
from gitops_tool.errors import EXIT_EXTERNAL, ArgoCDError
from tests.support.argocd.fake import Fault
from tests.support.argocd.fixtures import SENTINEL, assert_no_token

APP = "GET /api/v1/applications/{name}"
pytestmark = pytest.mark.timeout(30)


def leak_free(exc: BaseException) -> BaseException:
    assert_no_token(str(exc), repr(exc), getattr(exc, "hint", ""),
                    "".join(traceback.format_exception(exc)))
    return exc


@pytest.fixture
def app(fake):
    fake.add_app("dev-api", "ananta-dev")
    return "dev-api"


@pytest.fixture
def client(runtime):
    with runtime.connect(ConnectionFlags()) as client:
        yield client


def test_503_twice_then_200_backs_off_and_warns(fake, app, client, clock, warnings_seen):
    fake.fault(APP, Fault(503), Fault(503))
    assert client.get_app(app, project="ananta-dev")["metadata"]["name"] == app
    assert len(fake.requests(APP)) == 3
    first, second = clock.sleeps
    assert 0.5 <= first <= 0.625 and 1.0 <= second <= 1.25  # backoff 0.5 * 2^n + <=25 %
    assert len(warnings_seen) == 2
    assert all(f"127.0.0.1:{fake.port} answered 503" in w for w in warnings_seen)


def test_503_beyond_the_budget_fails_naming_host_and_status(fake, app, client, clock):
    fake.fault(APP, *[Fault(503)] * 10)
    with pytest.raises(ArgoCDUnavailable) as info:
        client.get_app(app, project="ananta-dev")
    exc = leak_free(info.value)
    assert exc.exit_code == EXIT_EXTERNAL
    assert f"127.0.0.1:{fake.port} answered 503 (after 3 retries)" in exc.message
    assert len(fake.requests(APP)) == 4 and clock.sleeps == sorted(clock.sleeps)


def test_429_waits_as_retry_after_says(fake, app, client, clock):
    fake.fault(APP, Fault(429, headers={"Retry-After": "2"}, code=8))
    client.get_app(app, project="ananta-dev")
    assert clock.sleeps == [2]


def test_retry_after_is_capped(fake, app, runtime, clock):
    runtime.policy = replace(runtime.policy, retry_after_max=30)
    fake.fault(APP, Fault(503, headers={"Retry-After": "3600"}))
    with runtime.connect(ConnectionFlags()) as client:
        client.get_app(app, project="ananta-dev")
    assert clock.sleeps == [30]


def test_other_4xx_are_not_retried(fake, app, client, clock):
    fake.fault(APP, Fault(400, code=3))
    with pytest.raises(ArgoCDError, match="refused it \\(400\\)"):
        client.get_app(app, project="ananta-dev")
    assert len(fake.requests(APP)) == 1 and clock.sleeps == []


def test_a_refused_token_names_server_and_source_never_the_token(start_fake, runtime):
    other = start_fake(token="another-token")
    other.add_app("dev-api", "ananta-dev")
    runtime.env = dict(runtime.env, ARGOCD_SERVER=other.url)
    with runtime.connect(ConnectionFlags()) as client, pytest.raises(ArgoCDAuthError) as info:
        client.get_app("dev-api", project="ananta-dev")
    exc = leak_free(info.value)
    assert f"127.0.0.1:{other.port}" in exc.message and "ARGOCD_AUTH_TOKEN" in exc.message
    assert "token is expired" in exc.message and "argocd login" in exc.hint
    assert len(other.records) == 1  # no retry


def test_403_and_404_are_told_apart_by_project(fake, app, client):
    with pytest.raises(ArgoCDDenied) as info:
        client.get_app(app, project="ananta-prod")
    assert "permission denied" in leak_free(info.value).message
    with pytest.raises(ArgoCDNotFound, match="not found"):
        client.get_app("dev-nope", project="ananta-dev")
    assert all(r.query.get("project") for r in fake.requests(APP))


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def test_an_untrusted_certificate_fails_before_any_request(start_fake, runtime, ca, clock):
    tls = start_fake(tls=ca)
    runtime.env = dict(runtime.env, ARGOCD_SERVER=tls.url)
    with runtime.connect(ConnectionFlags()) as client, pytest.raises(ArgoCDError) as info:
        client.version()
    exc = leak_free(info.value)
    assert exc.exit_code == EXIT_EXTERNAL and "certificate verify failed" in exc.message
    assert "--server-crt" in exc.hint and "--insecure" in exc.hint
    deadline = time.monotonic() + 5
    while not tls.tls_failures and time.monotonic() < deadline:  # the server's side of it
        time.sleep(0.01)
    assert tls.records == [] and tls.tls_failures == 1 and clock.sleeps == []


def test_server_crt_insecure_and_config_ca_data_reach_a_tls_server(
    start_fake, runtime, ca, tmp_path, warnings_seen
):
    tls = start_fake(tls=ca)
    crt = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(crt))
    runtime.env = dict(runtime.env, ARGOCD_SERVER=tls.url)
    with runtime.connect(ConnectionFlags(server_crt=str(crt))) as client:
        assert client.version()["Version"].startswith("v3.6")
    with runtime.connect(ConnectionFlags(insecure=True)) as client:
        assert client.version()
    assert any("TLS verification is off" in w for w in warnings_seen)
    config = tmp_path / "argocd"
    config.mkdir()
    data = base64.b64encode(ca.cert_pem.bytes()).decode()
    (config / "config").write_text(
        f"current-context: t\ncontexts:\n- {{name: t, server: '127.0.0.1:{tls.port}', user: u}}"
        f"\nservers:\n- {{server: '127.0.0.1:{tls.port}', certificate-authority-data: {data}}}"
        f"\nusers:\n- {{name: u, auth-token: {SENTINEL}}}\n"
    )
    (config / "config").chmod(0o600)
    runtime.env = {"ARGOCD_CONFIG_DIR": str(config)}
    with runtime.connect(ConnectionFlags()) as client:
        assert client.version()
    assert len(tls.records) == 3


def test_a_refused_connection_is_retried_once_then_names_the_host(runtime, clock):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runtime.env = dict(runtime.env, ARGOCD_SERVER=f"http://127.0.0.1:{port}")
    with runtime.connect(ConnectionFlags()) as client, pytest.raises(ArgoCDUnavailable) as info:
        client.version()
    assert f"127.0.0.1:{port}" in leak_free(info.value).message
    assert "(connection refused; after 1 retry)" in info.value.message
    assert len(clock.sleeps) == 1  # nothing listening is rarely a blip: one retry, not four


def test_a_post_that_never_connected_does_not_claim_it_may_have_reached_the_server(
    runtime, clock
):
    with socket.socket() as sock:  # nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runtime.env = dict(runtime.env, ARGOCD_SERVER=f"http://127.0.0.1:{port}")
    runtime.policy = replace(runtime.policy, retries=0, connect_retries=0)
    with runtime.connect(ConnectionFlags()) as client, pytest.raises(ArgoCDUnavailable) as info:
        client.sync_app("dev-api", project="ananta-dev", app_namespace=None, prune=False,
                        infos={})
    message = leak_free(info.value).message
    assert "(connection refused; not retried)" in message
    assert "may have reached" not in message and clock.sleeps == []


def test_a_hung_server_times_out(fake, runtime, clock):
    runtime.policy = RetryPolicy(retries=1, read_timeout=0.2, connect_timeout=0.2)
    fake.fault("GET /api/version", Fault(hang=True), Fault(hang=True))
    with runtime.connect(ConnectionFlags()) as client, pytest.raises(ArgoCDUnavailable) as info:
        client.version()
    assert "did not answer in time" in leak_free(info.value).message
    assert len(fake.records) == 2 and len(clock.sleeps) == 1


def test_a_redirect_is_not_followed_and_the_token_stays(start_fake, fake, client):
    elsewhere = start_fake(token=None)
    fake.fault("GET /api/version", Fault(302, headers={"Location": elsewhere.url + "/x"}))
    with pytest.raises(ArgoCDError) as info:
        client.version()
    exc = leak_free(info.value)
    assert "redirected (302)" in exc.message and "scheme" in exc.hint
    assert elsewhere.records == []


def test_a_half_body_or_a_dropped_connection_is_unavailable(fake, client):
    fake.fault("GET /api/version", Fault(200, body={"Version": "v3"}, half_body=True))
    with pytest.raises(ArgoCDUnavailable, match=r"cut short|dropped"):
        client.version()
    fake.fault("POST /api/v1/applications/{name}/sync", Fault(close=True))
    fake.add_app("dev-api", "ananta-dev")
    with pytest.raises(ArgoCDUnavailable, match="dropped"):
        client.sync_app("dev-api", project="ananta-dev", app_namespace="argocd", prune=False,
                        infos={})
    assert len(fake.posts()) == 1  # a POST that reached the server is not retried


def test_a_post_answered_503_is_not_retried(fake, app, client, clock):
    fake.fault("POST /api/v1/applications/{name}/sync", Fault(503))
    with pytest.raises(ArgoCDUnavailable) as info:
        client.sync_app(app, project="ananta-dev", app_namespace=None, prune=False, infos={})
    assert "answered 503 (not retried: it may have reached the server)" in info.value.message
    assert len(fake.posts()) == 1 and clock.sleeps == []


def test_a_post_that_times_out_reading_is_not_retried_and_says_so(fake, app, runtime, clock):
    runtime.policy = RetryPolicy(retries=3, read_timeout=0.3, connect_timeout=0.3)
    fake.fault("POST /api/v1/applications/{name}/sync", Fault(hang=True))
    with runtime.connect(ConnectionFlags()) as client, pytest.raises(ArgoCDUnavailable) as info:
        client.sync_app(app, project="ananta-dev", app_namespace=None, prune=False, infos={})
    assert "(connect 0.3s, read 0.3s; not retried: it may have reached the server)" in \
        leak_free(info.value).message
    assert len(fake.posts()) == 1 and clock.sleeps == []


def test_a_post_that_cannot_connect_is_retried_once_and_counts_its_retries(runtime, clock):
    with socket.socket() as sock:  # nothing listens: no byte of the POST was sent
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runtime.env = dict(runtime.env, ARGOCD_SERVER=f"http://127.0.0.1:{port}")
    with runtime.connect(ConnectionFlags()) as client, pytest.raises(ArgoCDUnavailable) as info:
        client.sync_app("dev-api", project="ananta-dev", app_namespace=None, prune=False,
                        infos={})
    assert "(connection refused; after 1 retry)" in leak_free(info.value).message
    assert len(clock.sleeps) == 1


def test_a_closed_window_is_reported_before_an_operation_in_progress(fake, app, client):
    fake.start_operation(app, username="alice", outcome="running")  # the server's order
    fake.apps[app].window_open = False
    with pytest.raises(SyncWindowClosed, match="blocked by sync window"):
        client.sync_app(app, project="ananta-dev", app_namespace="argocd", prune=False,
                        infos={})
    fake.apps[app].window_open = True
    with pytest.raises(OperationInProgress):
        client.sync_app(app, project="ananta-dev", app_namespace="argocd", prune=False,
                        infos={})
    assert [r.status for r in fake.posts()] == [403, 400]


@pytest.mark.parametrize("status", [400, 409, 412])
def test_operation_in_progress_is_recognised_by_code_and_message(fake, app, client, status):
    body = {"code": 9, "error": "another operation is already in progress",
            "message": "another operation is already in progress"}
    fake.fault("POST /api/v1/applications/{name}/sync", Fault(status, body=body))
    with pytest.raises(OperationInProgress):
        client.sync_app(app, project="ananta-dev", app_namespace=None, prune=False, infos={})


def test_a_sync_window_403_is_its_own_error(fake, app, client):
    fake.apps[app].window_open = False
    with pytest.raises(SyncWindowClosed, match="blocked by sync window"):
        client.sync_app(app, project="ananta-dev", app_namespace="argocd", prune=True,
                        infos={"gitops-tool/sync-id": "x"})


def test_an_answer_without_json_is_an_error(fake, client):
    fake.fault("GET /api/version", Fault(200, body="<html>login</html>"))
    with pytest.raises(ArgoCDError, match="without JSON"):
        client.version()


def test_a_404_to_a_call_every_argo_cd_serves_is_not_the_api(fake, client):
    """Even as JSON: a 404 for the version or the application list says the address (or its
    path prefix) is wrong, not that a name is; a missing app's 404 stays ArgoCDNotFound."""
    fake.fault("GET /api/version", Fault(404, body={"code": 5, "message": "Not Found"}))
    with pytest.raises(NotArgoCDAPI, match="does not serve the Argo CD API") as info:
        client.version()
    assert info.value.message.endswith("GET /api/version answered 404")
    assert client.broken is info.value  # doctor stops here and exits 3
    with pytest.raises(ArgoCDNotFound):
        client.get_app("dev-nope", project="ananta-dev")


def test_a_page_is_shown_as_one_short_line():
    page = b"<!DOCTYPE html>\n<html><head><title>\n  Sign in \x1b[2J</title></head></html>"
    assert excerpt_of(page) == "Sign in \x1b[2J"  # the client scrubs control characters
    assert excerpt_of(b"<p>" + b"word " * 40 + b"</p>") == ("word " * 12).rstrip() + "..."
    assert excerpt_of(b"<html></html>") == ""


@pytest.mark.parametrize("bad", ["\nX", "ключ"], ids=["newline", "cyrillic"])
def test_a_header_http_refuses_becomes_a_scrubbed_error_without_cause(fake, app, runtime,
                                                                      bad):
    from gitops_tool.adapters.argocd.client import ArgoCDClient
    from gitops_tool.adapters.argocd.config import Secret

    good = runtime.connect(ConnectionFlags()).conn
    conn = replace(good, token=Secret(f"{SENTINEL}{bad}"))  # past resolve_connection's check
    with ArgoCDClient(conn, policy=runtime.policy) as client, \
            pytest.raises(ArgoCDError) as info:
        client.get_app(app, project="ananta-dev")
    exc = leak_free(info.value)
    assert exc.exit_code == EXIT_EXTERNAL and "ARGOCD_AUTH_TOKEN" in exc.message
    assert exc.__cause__ is None and exc.__suppress_context__
    assert fake.records == []


def test_a_deadline_bounds_the_read_timeout_and_the_retries(fake, app, client, clock):
    from gitops_tool.adapters.argocd.client import DeadlinePassed

    fake.fault(APP, *[Fault(hang=True)] * 4)
    client.bound_by(lambda: 0.3)  # less than the first backoff: no retry fits
    with pytest.raises(DeadlinePassed) as info:
        client.get_app(app, project="ananta-dev")
    assert "in the 0.3s left of the time given" in leak_free(info.value).message  # not 1s
    assert len(fake.requests(APP)) == 1 and clock.sleeps == []
    client.bound_by(lambda: 0.0)
    with pytest.raises(DeadlinePassed):
        client.get_app(app, project="ananta-dev")
    assert len(fake.requests(APP)) == 1  # nothing is asked once the time is out
