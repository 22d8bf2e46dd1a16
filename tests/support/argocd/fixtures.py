"""Fixtures for tests that talk to the fake Argo CD. A conftest.py imports them:

    from tests.support.argocd.fixtures import *  # noqa: F403

Every test gets a sentinel token; `no_token_leak` (autouse) fails the test if it shows up
in captured stdout, stderr or log records. Each fake's traffic is checked against
swagger.json when it stops (when ../shared is present).
"""

from __future__ import annotations

import functools
import logging
import uuid
from pathlib import Path

import pytest

from gitops_tool.adapters.argocd.client import RetryPolicy
from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.core.model import Tree
from tests.support.argocd.contract import Contract
from tests.support.argocd.fake import FakeArgo, FakeClock
from tests.support.trees import argocd_spec, write_tree

SENTINEL = f"tok-SENTINEL-{uuid.uuid4().hex}"
SWAGGER = Path(__file__).resolve().parents[3].parent / "shared/reference/argocd/swagger.json"
FAST = RetryPolicy(retries=3, backoff=0.5, connect_timeout=1.0, read_timeout=1.0)
# For tests whose fake server always answers and which test no timeout: on a loaded machine
# (CI, 2 cores) the in-process server may take over a second to answer.
ANSWERING = RetryPolicy(retries=3, backoff=0.5, connect_timeout=1.0, read_timeout=10.0)

__all__ = ["SENTINEL", "argo_env", "clock", "fake", "no_token_leak", "runtime", "start_fake",
           "tree", "tree_root", "warnings_seen"]


def assert_no_token(*texts: object) -> None:
    for text in texts:
        assert "SENTINEL" not in str(text), f"the token leaked into: {str(text)[:300]}"


@functools.cache
def _contract() -> Contract | None:
    return Contract(SWAGGER) if SWAGGER.is_file() else None


def contract_problems(fake: FakeArgo) -> list[str]:
    contract = _contract()
    return contract.record_problems(fake.records) if contract else []


@pytest.fixture(autouse=True)
def no_token_leak(capsys, caplog):
    caplog.set_level(logging.DEBUG)
    yield
    out, err = capsys.readouterr()
    assert_no_token(out, err, caplog.text)
    for record in caplog.records:
        assert_no_token(record.getMessage(), record.exc_text or "")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def start_fake(clock):
    """Start more fakes (TLS, a second server): start_fake(tls=ca)."""
    started: list[FakeArgo] = []

    def start(**kwargs) -> FakeArgo:
        kwargs.setdefault("token", SENTINEL)
        kwargs.setdefault("clock", clock.now)
        server = FakeArgo(**kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
    problems = [p for server in started for p in contract_problems(server)]
    assert not problems, "requests or answers break swagger.json:\n" + "\n".join(problems)


@pytest.fixture
def fake(start_fake) -> FakeArgo:
    return start_fake()


@pytest.fixture
def tree_root(tmp_path) -> Path:
    return write_tree(tmp_path / "repo", argocd_spec())


@pytest.fixture
def tree(tree_root) -> Tree:
    return load_tree(tree_root)


@pytest.fixture
def argo_env(fake, tmp_path) -> dict[str, str]:
    config = tmp_path / "argocd-config"
    config.mkdir(exist_ok=True)
    return {"ARGOCD_SERVER": fake.url, "ARGOCD_AUTH_TOKEN": SENTINEL,
            "ARGOCD_CONFIG_DIR": str(config)}


@pytest.fixture
def warnings_seen() -> list[str]:
    return []


@pytest.fixture
def runtime(argo_env, clock, tmp_path, warnings_seen) -> Runtime:
    """A Runtime on the fake: fake clock, fixed sync id, short timeouts, warnings kept."""
    yield Runtime(env=argo_env, home=tmp_path, clock=clock, warn=warnings_seen.append,
                  new_id=lambda: "run-1", policy=FAST)
    assert_no_token(*warnings_seen)
