"""The fake Argo CD, the drift fixtures (tests/support/), and `cli`: gitops-tool drift
through Typer's CliRunner on the drift repository."""

import pytest
from typer.testing import CliRunner

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.cli import app
from gitops_tool.cli.app import GlobalOptions
from tests.support.argocd.fixtures import *  # noqa: F403
from tests.support.argocd.fixtures import ANSWERING, assert_no_token
from tests.support.drift import *  # noqa: F403

ENV_KEYS = ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS", "ARGOCD_CONFIG_DIR",
            "GITHUB_STEP_SUMMARY")


@pytest.fixture
def cli(argo_env, clock, monkeypatch, tmp_path, root):
    """Invoke gitops-tool on the drift repository, with the fake's environment (or, with
    server=False, none), a fake clock and short timeouts."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str, server: bool = True, env: dict | None = None,
               runtime_clock=None):
        environ = dict(argo_env) if server else {"ARGOCD_CONFIG_DIR": argo_env[
            "ARGOCD_CONFIG_DIR"]}
        environ.update(env or {})
        for key, value in environ.items():
            monkeypatch.setenv(key, value)
        obj = GlobalOptions(runtime=Runtime(clock=runtime_clock or clock, policy=ANSWERING))
        result = runner.invoke(app, ["--repo", str(root), "drift", *args], obj=obj)
        assert_no_token(result.stdout, result.stderr, repr(result.exception))
        for key in environ:
            monkeypatch.delenv(key, raising=False)
        return result

    return invoke
