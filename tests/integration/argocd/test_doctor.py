"""`doctor [ENV]` against the fake: every check, with how to fix it."""

from __future__ import annotations

import os
import stat

import pytest

from gitops_tool.adapters.files import load_tree
from gitops_tool.commands import doctor
from gitops_tool.core.names import ROOT_PROJECT
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import argocd_version
from tests.support.trees import argocd_spec, write_tree

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(autouse=True)
def helm_shim(tmp_path, monkeypatch):
    """A helm on PATH that reports Helm 4, the major version the fake Argo CD reports."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helm = bin_dir / "helm"
    helm.write_text("#!/bin/sh\necho v4.1.4\n")
    helm.chmod(helm.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("GITOPS_TOOL_HELM", raising=False)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return helm


def checks(tree_root, runtime, env="dev") -> dict[str, doctor.Check]:
    result = doctor.run(doctor.DoctorOptions(tree_root, env), runtime)
    return {c.name: c for c in result.checks}


def test_everything_in_place_passes(fake, tree, tree_root, runtime):
    populate(fake, tree, "dev")
    found = checks(tree_root, runtime)
    assert all(c.ok for c in found.values()), [c for c in found.values() if not c.ok]
    assert set(found) == {
        "helm", "git", "Argo CD server", "token", "helm major version",
        "Application health check", f"AppProject {ROOT_PROJECT}", "AppProject ananta-dev",
        "dev: root Application dev-root", "dev: list applications"}
    assert found["dev: list applications"].detail == "the token lists 5 of 5 applications"


def test_helm_4_locally_matches_the_fake_argo_cd_and_helm_3_there_fails(fake, tree, tree_root,
                                                                     runtime):
    populate(fake, tree, "dev")
    found = checks(tree_root, runtime)["helm major version"]
    assert found.ok and found.detail == "local v4.1.4, Argo CD v4.0.4+g8650e1d"
    fake.version["HelmVersion"] = "v3.18.4+gd80839c"
    found = checks(tree_root, runtime)["helm major version"]
    assert not found.ok and "Helm major version Argo CD uses" in found.fix


def test_missing_pieces_fail_each_with_a_fix(fake, tree, tree_root, runtime, helm_shim):
    populate(fake, tree, "dev")
    del fake.settings["resourceOverrides"]
    del fake.apps["dev-root"]
    del fake.projects["ananta-dev"]
    fake.denied_projects.add("ananta-dev")
    fake.version["HelmVersion"] = "v3.18.4+gd80839c"  # an Argo CD that still ships Helm 3
    found = checks(tree_root, runtime)
    failed = {name for name, c in found.items() if not c.ok}
    assert failed == {"helm major version", "Application health check",
                      "AppProject ananta-dev", "dev: root Application dev-root",
                      "dev: list applications"}
    assert "kubectl apply --server-side -k argocd/bootstrap" in \
        found["Application health check"].fix
    assert found["dev: root Application dev-root"].fix == (
        "bootstrap the environment: `kubectl apply -k argocd/dev`")
    assert "applications, get, ananta-dev/*" in found["dev: list applications"].fix


def test_all_environments_without_env(fake, tree, tree_root, runtime):
    for env in ("dev", "staging", "prod"):
        populate(fake, tree, env)
    result = doctor.run(doctor.DoctorOptions(tree_root), runtime)
    assert result.ok and "prod: root Application prod-root" in [c.name for c in result.checks]


def test_unreachable_argo_cd_is_a_failed_check(fake, tree_root, runtime):
    fake.stop()
    found = checks(tree_root, runtime)
    assert not found["Argo CD server"].ok and "cannot reach" in found["Argo CD server"].detail
    assert "Application health check" not in found


def test_no_token_is_bad_input_after_the_local_checks_and_nothing_is_sent(fake, tree_root,
                                                                         runtime):
    runtime.env = {k: v for k, v in runtime.env.items() if k != "ARGOCD_AUTH_TOKEN"}
    result = doctor.run(doctor.DoctorOptions(tree_root, "dev"), runtime)
    assert result.unconfigured and not result.ok
    assert [(c.name, c.ok) for c in result.checks] == [
        ("helm", True), ("git", True), ("Argo CD connection", False)]
    connection = result.checks[-1]
    assert connection.detail == f"no Argo CD token for 127.0.0.1:{fake.port}"
    assert "ARGOCD_AUTH_TOKEN" in connection.fix and "argocd login" in connection.fix
    assert fake.records == []


def test_a_refused_token_is_a_failed_check_not_bad_input(start_fake, tree, tree_root,
                                                         runtime):
    other = start_fake(token="a-different-token")
    populate(other, tree, "dev")
    runtime.env = dict(runtime.env, ARGOCD_SERVER=other.url)
    result = doctor.run(doctor.DoctorOptions(tree_root, "dev"), runtime)
    failed = [c for c in result.checks if not c.ok]
    assert not result.unconfigured and len(failed) == 1
    assert "refused the token from ARGOCD_AUTH_TOKEN" in failed[0].detail


@pytest.mark.parametrize(("tag", "ok"), [("v3.2.4", False), ("v3.3.0", True), ("v3.6.1", True),
                                         ("v2.14.9", False)])
def test_argo_cd_below_3_3_fails_the_server_check(fake, tree, tree_root, runtime, tag, ok):
    populate(fake, tree, "dev")
    fake.version = argocd_version(tag)  # answers Version "v3.2.4+<commit>", as Argo CD does
    found = checks(tree_root, runtime)["Argo CD server"]
    assert found.ok is ok, found
    assert found.detail.startswith(f"127.0.0.1:{fake.port}: {tag}+")
    if not ok:
        assert "below 3.3, the oldest Argo CD gitops-tool supports" in found.detail
        assert found.fix.startswith("upgrade Argo CD to 3.3 or later")


def test_one_application_is_counted_in_the_singular(fake, tmp_path, runtime):
    root = write_tree(tmp_path / "one", argocd_spec({"api": "app-plane"}, ("dev",)))
    populate(fake, load_tree(root), "dev")
    found = checks(root, runtime)["dev: list applications"]
    assert found.ok and found.detail == "the token lists 1 of 1 application"


def test_applications_argo_cd_lacks_are_named(fake, tree, tree_root, runtime):
    populate(fake, tree, "dev", skip=("portal",))
    found = checks(tree_root, runtime)["dev: list applications"]
    assert not found.ok
    assert found.detail == "the token lists 4 of 5 applications; not listed: dev-portal"
    assert "gitops-tool sync dev" in found.fix and "applications, get, ananta-dev/*" in found.fix
