"""`status`, `sync` and `doctor` through the CLI: exit codes, stdout, stderr, token hygiene."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import trustme
from typer.testing import CliRunner

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.cli import app
from gitops_tool.cli.app import GlobalOptions
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import Fault
from tests.support.argocd.fixtures import ANSWERING, SENTINEL, assert_no_token

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def cli(argo_env, clock, monkeypatch, tmp_path):
    """Invoke gitops-tool with the fake's environment, a fake clock and short timeouts."""
    for key in ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS", "ARGOCD_CONFIG_DIR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in argo_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HOME", str(tmp_path))
    runner = CliRunner()
    # What the Argo CD commands get instead of the real clock, retry policy and ids: passed
    # in the Typer context, as the CLI's own callers could.
    runtime = {"clock": clock, "policy": ANSWERING, "new_id": lambda: "run-1"}

    def invoke(*args: str, root=None):
        repo = ["--repo", str(root)] if root is not None else []
        obj = GlobalOptions(runtime=Runtime(**runtime))
        result = runner.invoke(app, [*repo, *args], obj=obj)
        assert_no_token(result.stdout, result.stderr, repr(result.exception))
        return result

    invoke.runtime = runtime
    return invoke


@pytest.fixture
def dev(fake, tree):
    populate(fake, tree, "dev")
    return fake


def test_status_all_good_exits_0(cli, dev, tree_root):
    result = cli("status", "dev", root=tree_root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == [
        "APP", "PLANE", "WAVE", "SYNC", "HEALTH", "REVISION", "IMAGE", "TAG", "PIN", "LAST",
        "OPERATION"]
    assert "dev: 5 of 5 applications Synced and Healthy at main" in result.stdout


def test_status_unhealthy_exits_1_and_json_is_parseable(cli, dev, tree_root):
    dev.apps["dev-api"].health = "Degraded"
    result = cli("status", "dev", "-o", "json", root=tree_root)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [a["app"] for a in data["apps"] if not a["ok"]] == ["dev-api"]


def test_sync_dry_run_asks_argo_cd_once_and_changes_nothing(cli, dev, tree_root):
    dev.apps["dev-api"].sync_status = "OutOfSync"
    result = cli("sync", "dev", "--dry-run", root=tree_root)
    assert result.exit_code == 0, result.stderr
    assert [(r.method, r.route) for r in dev.records] == [("GET", "/api/v1/applications")]
    assert sorted(dev.records[0].query["projects"]) == ["ananta-dev", "gitops-root"]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("sync plan for dev (127.0.0.1:")
    assert [line.split()[:4] for line in lines[2:8]] == [
        ["root", "dev-root", "Synced", "Healthy"],
        ["10", "dev-cert-manager", "Synced", "Healthy"],
        ["10", "dev-ingress", "Synced", "Healthy"],
        ["20", "dev-api", "OutOfSync", "Healthy"],
        ["20", "dev-worker", "Synced", "Healthy"],
        ["30", "dev-portal", "Synced", "Healthy"],
    ]
    assert lines[5].endswith("sync (sync is OutOfSync)")
    assert lines[6].endswith("sync (no change expected)")
    assert "dev: would sync dev-root (tracks main), then 5 applications in 3 waves" in (
        result.stdout)


def test_sync_dry_run_with_an_app_missing_in_argo_cd_exits_1(cli, dev, tree_root):
    del dev.apps["dev-portal"]
    result = cli("sync", "dev", "--dry-run", "-o", "json", root=tree_root)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["outcome"], data["exit_code"], data["dry_run"]) == ("incomplete", 1, True)
    portal = data["waves"][-1]["apps"][0]
    assert (portal["app"], portal["sync"], portal["would"]) == (
        "dev-portal", "Missing", "stop here: not in Argo CD")
    assert dev.posts() == []


def test_sync_done_exits_0_with_plain_progress_on_stderr(cli, dev, tree_root):
    result = cli("sync", "dev", "--prune", root=tree_root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (
        "dev: synced dev-root and 5 applications in 3 waves (sync id run-1)")
    assert "wave 20 (control-plane): dev-api: Synced and Healthy" in result.stderr
    assert "\r" not in result.stderr


def test_sync_degraded_exits_1_naming_app_message_and_resources(cli, dev, tree_root):
    dev.apps["dev-api"].outcome = "degraded"
    result = cli("sync", "dev", root=tree_root)
    assert result.exit_code == 1
    assert "the rollout stopped at dev-api: Degraded" in result.stdout
    assert "operation: successfully synced (all tasks run)" in result.stdout
    assert "Deployment apps/dev-api: Degraded (Deployment has timed out progressing)" in \
        result.stdout
    assert "roll back by promoting the previous pins in environments/dev.yaml" in result.stderr


def test_sync_blocked_by_a_window_exits_3(cli, fake, tree, tree_root):
    populate(fake, tree, "prod")
    fake.apps["prod-root"].window_open = False
    result = cli("sync", "prod", root=tree_root)
    assert result.exit_code == 3 and fake.posts() == []
    assert "error: a sync window blocks prod app prod-root" in result.stderr


def test_sync_timeout_exits_3_with_the_last_state(cli, dev, tree_root):
    dev.apps["dev-portal"].outcome = "running"
    result = cli("sync", "dev", "--timeout", "60", root=tree_root)
    assert result.exit_code == 3
    assert "dev: timed out; last known state:" in result.stdout
    assert "dev-portal (wave 30): operation Running" in result.stdout


def test_ctrl_c_exits_130_and_says_what_still_runs(cli, dev, tree_root, clock):
    clock.interrupt_after = 3  # the root took 3 polls; wave 10 started
    result = cli("sync", "dev", root=tree_root)
    assert result.exit_code == 130
    assert "still running in Argo CD (not cancelled): dev-cert-manager, dev-ingress" in \
        result.stdout


def test_no_token_exits_2_before_any_request(cli, dev, tree_root, monkeypatch):
    monkeypatch.delenv("ARGOCD_AUTH_TOKEN")
    for verb in ("status", "sync"):
        result = cli(verb, "dev", root=tree_root)
        assert result.exit_code == 2 and "no Argo CD token" in result.stderr
    assert dev.records == []


def test_a_loose_config_file_exits_2_and_is_not_touched(cli, dev, tree_root, argo_env):
    path = os.path.join(argo_env["ARGOCD_CONFIG_DIR"], "config")
    with open(path, "w") as f:
        f.write(f"current-context: x\ncontexts: []\nusers:\n- name: x\n  auth-token: {SENTINEL}\n")
    os.chmod(path, 0o644)
    before = os.stat(path).st_mtime_ns
    result = cli("status", "dev", root=tree_root)
    assert result.exit_code == 2 and f"hint: chmod 600 {path}" in result.stderr
    assert os.stat(path).st_mtime_ns == before and dev.records == []


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_refused_token_exits_3_and_never_shows_it(cli, start_fake, tree, tree_root,
                                                    monkeypatch, debug):
    other = start_fake(token="a-different-token")
    populate(other, tree, "dev")
    monkeypatch.setenv("ARGOCD_SERVER", other.url)
    result = cli(*(["--debug"] if debug else []), "status", "dev", root=tree_root)
    assert result.exit_code == 3
    assert "refused the token from ARGOCD_AUTH_TOKEN: invalid session" in result.stderr
    assert f"127.0.0.1:{other.port}" in result.stderr
    assert ("Traceback" in result.stderr) is debug


def test_debug_logs_each_request_to_stderr_without_the_token(cli, fake, tree, tree_root):
    populate(fake, tree, "dev")
    plain = cli("status", "dev", root=tree_root)
    debug = cli("--debug", "status", "dev", root=tree_root)
    assert plain.exit_code == debug.exit_code == 0, debug.stderr
    assert "debug: gitops_tool.argocd: GET /api/v1/applications -> 200" in debug.stderr
    assert "debug:" not in plain.stderr
    assert SENTINEL not in debug.stderr + debug.stdout


@pytest.mark.parametrize("failure", ["503", "tls", "redirect", "reset", "timeout"])
def test_failure_paths_with_debug_never_show_the_token(cli, fake, start_fake, tree,
                                                      tree_root, monkeypatch, failure):
    populate(fake, tree, "dev")
    if failure == "503":
        fake.fault("GET /api/v1/applications", *[Fault(503)] * 5)
    elif failure == "tls":
        monkeypatch.setenv("ARGOCD_SERVER", start_fake(tls=trustme.CA()).url)
    elif failure == "redirect":
        fake.fault("GET /api/v1/applications", Fault(302, headers={"Location": "http://x/"}))
    elif failure == "reset":
        fake.fault("POST /api/v1/applications/dev-root/sync", Fault(close=True), Fault(503))
    else:
        fake.apps["dev-root"].outcome = "running"
    verb = "sync" if failure in ("reset", "timeout") else "status"
    result = cli("--debug", verb, "dev", "--timeout", "10", root=tree_root) if verb == "sync" \
        else cli("--debug", verb, "dev", root=tree_root)
    assert result.exit_code == 3, result.stdout + result.stderr


@pytest.fixture
def helm_on_path(monkeypatch, tmp_path):
    helm = tmp_path / "bin" / "helm"
    helm.parent.mkdir()
    helm.write_text("#!/bin/sh\necho v4.1.4\n")
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helm.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("GITOPS_TOOL_HELM", raising=False)
    return helm


def test_doctor_exits_0_or_1(cli, dev, tree_root, helm_on_path):
    result = cli("doctor", "dev", root=tree_root)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.rstrip().endswith("all checks passed")
    del dev.settings["resourceOverrides"]
    result = cli("doctor", "dev", root=tree_root)
    assert result.exit_code == 1
    assert "FAIL  Application health check" in result.stdout and "      fix: " in result.stdout


def test_doctor_without_a_token_prints_the_checks_and_exits_2_sending_nothing(
    cli, dev, tree_root, helm_on_path, monkeypatch
):
    monkeypatch.delenv("ARGOCD_AUTH_TOKEN")
    result = cli("doctor", "dev", root=tree_root)
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"ok    helm: {helm_on_path} v4.1.4"
    assert lines[1].startswith("ok    git: ")
    assert lines[2] == f"FAIL  Argo CD connection: no Argo CD token for 127.0.0.1:{dev.port}"
    assert lines[3].startswith("      fix: set ARGOCD_AUTH_TOKEN")
    assert lines[-1] == ("1 of 3 checks failed; Argo CD was not contacted "
                         "(no connection configured)")
    assert dev.records == []


def test_status_after_503_503_200_exits_0_with_the_table(cli, dev, tree_root, clock):
    dev.fault("GET /api/v1/applications", Fault(503), Fault(503))  # matrix row 1
    result = cli("status", "dev", root=tree_root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("APP ")
    assert [line.split()[0] for line in result.stdout.splitlines()[1:6]] == [
        "dev-cert-manager", "dev-ingress", "dev-api", "dev-worker", "dev-portal"]
    assert "dev: 5 of 5 applications Synced and Healthy at main" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: Argo CD at 127.0.0.1:{dev.port} answered 503; retry {n} in {s:.1f}s"
        for n, s in ((1, clock.sleeps[0]), (2, clock.sleeps[1]))]
    assert len(dev.records) == 3 and clock.sleeps[0] < clock.sleeps[1]


def _tls_context_config(folder: str, port: int, insecure: bool) -> str:
    """An argocd config whose current context points at the TLS fake (matrix row 8)."""
    server = f"{{server: '127.0.0.1:{port}'{', insecure: true' if insecure else ''}}}"
    path = os.path.join(folder, "config")
    with open(path, "w") as f:
        f.write(f"current-context: t\ncontexts:\n- {{name: t, server: '127.0.0.1:{port}', "
                f"user: u}}\nservers:\n- {server}\nusers:\n- {{name: u, auth-token: "
                f"{SENTINEL}}}\n")
    os.chmod(path, 0o600)
    return path


def test_a_config_context_with_insecure_reaches_an_untrusted_tls_server_with_a_warning(
    cli, start_fake, tree, tree_root, argo_env, monkeypatch
):
    tls = start_fake(tls=trustme.CA())
    populate(tls, tree, "dev")
    monkeypatch.delenv("ARGOCD_SERVER")
    monkeypatch.delenv("ARGOCD_AUTH_TOKEN")
    path = _tls_context_config(argo_env["ARGOCD_CONFIG_DIR"], tls.port, insecure=True)
    result = cli("status", "dev", root=tree_root)
    assert result.exit_code == 0, result.stderr
    assert "dev: 5 of 5 applications Synced and Healthy" in result.stdout
    assert (f"warning: TLS verification is off (insecure: true for server "
            f"'127.0.0.1:{tls.port}' in {path}): the token is sent to whoever answers at "
            f"127.0.0.1:{tls.port}") in result.stderr
    assert len(tls.records) == 1 and tls.records[0].auth is not None

    _tls_context_config(argo_env["ARGOCD_CONFIG_DIR"], tls.port, insecure=False)
    result = cli("status", "dev", root=tree_root)
    assert result.exit_code == 3
    assert (f"error: TLS verification of Argo CD at 127.0.0.1:{tls.port} failed "
            "(certificate verify failed); nothing was sent") in result.stderr
    assert "hint: pass --server-crt CA.pem" in result.stderr and "--insecure" in result.stderr
    assert len(tls.records) == 1  # the second run sent nothing


def test_bad_input_exits_2(cli, dev, tree_root):
    result = cli("sync", "prd", root=tree_root)
    assert result.exit_code == 2 and "known environments: dev, staging, prod" in result.stderr
    result = cli("sync", "dev", "--app", "nope", "--dry-run", root=tree_root)
    assert result.exit_code == 2 and "unknown application 'nope'" in result.stderr
    assert dev.records == []


def test_help_does_not_import_requests():
    code = ("import sys; import gitops_tool.cli; "
            "print(sorted(m for m in ('requests', 'urllib3') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("bad", ["\nX", "é"], ids=["newline", "latin1"])
def test_a_token_with_a_control_character_exits_2_unshown(cli, dev, tree_root, monkeypatch,
                                                          debug, bad):
    monkeypatch.setenv("ARGOCD_AUTH_TOKEN", f"{SENTINEL}abc{bad}")
    for verb in ("status", "sync"):
        result = cli(*(["--debug"] if debug else []), verb, "dev", root=tree_root)
        assert result.exit_code == 2 and "ARGOCD_AUTH_TOKEN" in result.stderr
        assert "Invalid header" not in result.stderr and bad not in result.stderr
    assert dev.records == []


def test_sync_timeout_bounds_a_hung_server_and_exits_3(cli, dev, tree_root, monkeypatch):
    from gitops_tool.adapters.argocd.client import RetryPolicy

    cli.runtime["policy"] = RetryPolicy(read_timeout=30.0)
    dev.fault("GET /api/v1/applications/dev-root", *[Fault(hang=True)] * 5)
    result = cli("sync", "dev", "--timeout", "1", root=tree_root)
    assert result.exit_code == 3 and "dev: timed out" in result.stdout
    # The call ends with the second given, retries included (the watchdog).
    assert len([r for r in dev.records if r.path.endswith("/dev-root")]) == 1 and not dev.posts()


@pytest.fixture
def web_server(tmp_path):
    """Not Argo CD: what `python3 -m http.server` serves, on 127.0.0.1 (its 404 is a page)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><title>Home</title></html>\n")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", [["doctor", "dev"], ["status", "dev"],
                                     ["status", "dev", "-o", "json"]])
def test_a_server_that_is_not_argo_cd_is_named_so_without_its_page(cli, tree_root, web_server,
                                                                   command):
    result = cli(*command, "--server", web_server, "--plaintext", root=tree_root)
    assert result.exit_code == 3, result.stdout + result.stderr
    shown = result.stdout + result.stderr
    assert "does not serve the Argo CD API" in shown
    assert "answered 404 without JSON (\"Error response\")" in shown
    assert "DOCTYPE" not in shown and "<html" not in shown.lower()
    assert "check the name and project" not in shown  # the hint of a missing app
    if "json" in command:
        data = json.loads(result.stdout)
        assert "grpc-web-root-path" in data["hint"] and "--server" in data["hint"]
        assert "\n" not in data["error"]
    else:
        hint = "fix:" if command[0] == "doctor" else "hint:"
        lines = [line.strip() for line in shown.splitlines()]
        problem = next(line for line in lines if "does not serve" in line)
        assert problem.endswith('("Error response")')  # one line, the excerpt last
        assert any(line.startswith(hint) and "grpc-web-root-path" in line for line in lines)
