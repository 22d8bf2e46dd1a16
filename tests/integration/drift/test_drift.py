"""`drift` against a real git repository and the fake Argo CD: each kind of drift, what
cannot be checked, and the exit code they give."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from gitops_tool.commands import drift
from gitops_tool.errors import InputError
from gitops_tool.output.drift import drift_json, drift_text
from tests.support.argocd.fake import Fault
from tests.support.argocd.state import resource_diff
from tests.support.drift import T0, render_all, unconfigured
from tests.support.trees import SERVICES, pin_line

pytestmark = pytest.mark.timeout(60)
LIST = "GET /api/v1/applications"


def run(root, runtime, *envs, **options) -> drift.DriftResult:
    return drift.run(drift.DriftOptions(root=root, environments=envs, **options), runtime)


def kinds(result, part=None):
    return sorted((f.kind, f.environment, f.app) for f in result.findings
                  if part is None or f.part == part)


def test_a_clean_repository_and_argo_cd_exit_0_with_one_list_request_per_environment(
        root, live, runtime):
    result = run(root, runtime)
    assert result.findings == () and result.unknown == () and result.exit_code == 0
    lists = live.requests(LIST)
    assert len(live.records) == len(lists) == 3
    assert [r.query["selector"] for r in lists] == [["gitops-tool/environment=dev"],
                                                    ["gitops-tool/environment=staging"],
                                                    ["gitops-tool/environment=prod"]]
    # no project filter: an app with the labels in another project must be seen too
    assert all("projects" not in r.query and "project" not in r.query for r in lists)
    assert drift_text(result).splitlines()[:2] == [
        f"live drift checked on {live.url.split('://')[1]} for dev, staging, prod",
        "no drift",
    ]


def test_repo_drift_lists_edited_missing_and_extra_files_and_never_writes(root, live,
                                                                          runtime):
    app = root / "argocd/staging/applications/staging-api.yaml"
    app.write_text(app.read_text().replace('value: "1.0.0"', 'value: "9.9.9"'))
    (root / "argocd/dev/applications/dev-portal.yaml").unlink()
    (root / "argocd/prod/applications/prod-by-hand.yaml").write_text("kind: Application\n")
    root_app = root / "argocd/dev/root.yaml"
    root_app.write_text(root_app.read_text().replace("selfHeal: true", "selfHeal: false"))
    before = {p: p.read_bytes() for p in (root / "argocd").rglob("*") if p.is_file()}
    result = run(root, runtime, details=True)
    assert result.exit_code == 1
    found = {f.file: f for f in result.findings}
    assert set(found) == {"argocd/dev/applications/dev-portal.yaml",
                          "argocd/dev/root.yaml",
                          "argocd/prod/applications/prod-by-hand.yaml",
                          "argocd/staging/applications/staging-api.yaml"}
    assert found["argocd/dev/root.yaml"].app == "dev-root"  # the root Application, named
    edited = found["argocd/staging/applications/staging-api.yaml"]
    assert (edited.kind, edited.environment, edited.app) == ("repo", "staging", "staging-api")
    assert '-          value: "9.9.9"\n+          value: "1.0.0"\n' in edited.details
    assert found["argocd/dev/applications/dev-portal.yaml"].message.startswith("missing")
    assert "not produced by render" in found["argocd/prod/applications/prod-by-hand.yaml"].message
    after = {p: p.read_bytes() for p in (root / "argocd").rglob("*") if p.is_file()}
    assert after == before  # read only


def test_repo_drift_of_named_environments_only(root, live, runtime):
    (root / "argocd/prod/applications/prod-by-hand.yaml").write_text("kind: Application\n")
    result = run(root, runtime, "dev")
    assert result.findings == () and result.environments == ("dev",)
    assert len(live.requests(LIST)) == 1


def test_live_drift_kinds(root, live, runtime):
    live.apps["dev-api"].sync_status = "OutOfSync"
    live.apps["dev-worker"].health = "Degraded"
    live.apps["dev-worker"].health_message = "Deployment has timed out progressing"
    live.apps["dev-ingress"].health = "Unknown"
    live.apps["staging-api"].health = "Progressing"  # a rollout under way: not drift
    live.apps["staging-worker"].image_tag = "0.9.0"
    live.apps["prod-api"].sync_revision = "e" * 40
    del live.apps["prod-portal"]
    live.add_app("prod-old-chart", "ananta-prod", labels={"gitops-tool/environment": "prod"})
    result = run(root, runtime)
    assert result.exit_code == 1
    assert kinds(result) == [
        ("health", "dev", "dev-ingress"),
        ("health", "dev", "dev-worker"),
        ("image-tag", "staging", "staging-worker"),
        ("missing", "prod", "prod-portal"),
        ("orphan", "prod", "prod-old-chart"),
        ("out-of-sync", "dev", "dev-api"),
        ("revision", "prod", "prod-api"),
    ]
    by = {(f.kind, f.app): f for f in result.findings}
    assert by[("health", "dev-worker")].message == \
        "health is Degraded: Deployment has timed out progressing"
    tag = by[("image-tag", "staging-worker")]
    assert (tag.file, tag.line, tag.expected, tag.actual) == (
        "environments/staging.yaml", pin_line(root, "staging", "worker"), "1.4.0", "0.9.0")
    assert by[("missing", "prod-portal")].file == "argocd/prod/applications/prod-portal.yaml"
    revision = by[("revision", "prod-api")]
    assert revision.expected == "0123456789abcdef0123456789abcdef01234567"
    assert revision.actual == "e" * 40
    assert by[("orphan", "prod-old-chart")].file == ""
    assert len(live.requests(LIST)) == 3


def test_health_missing_is_drift(root, live, runtime):
    live.apps["staging-worker"].health = "Missing"
    live.apps["staging-worker"].health_message = "Deployment staging-worker is missing"
    result = run(root, runtime, "staging")
    assert result.exit_code == 1
    (found,) = result.findings
    assert (found.kind, found.app, found.expected, found.actual) == (
        "health", "staging-worker", "Healthy", "Missing")
    assert found.message == "health is Missing: Deployment staging-worker is missing"


def test_apps_with_the_labels_in_another_project_are_drift(root, live, runtime):
    live.apps["dev-api"].project = "default"  # declared, but in another project
    live.add_app("dev-by-hand", "team-x", labels={"gitops-tool/environment": "dev"})
    live.add_app("dev-legacy", "ananta-dev", labels={"gitops-tool/environment": "dev"})
    result = run(root, runtime, "dev")
    assert result.exit_code == 1
    assert kinds(result) == [("orphan", "dev", "dev-by-hand"), ("orphan", "dev", "dev-legacy"),
                             ("project", "dev", "dev-api")]
    by = {f.app: f for f in result.findings}
    moved = by["dev-api"]
    assert moved.message == "in project default in Argo CD, git declares project ananta-dev"
    assert (moved.expected, moved.actual, moved.file) == (
        "ananta-dev", "default", "argocd/dev/applications/dev-api.yaml")
    assert by["dev-by-hand"].message.startswith(
        "in Argo CD (project team-x, not the environment's project ananta-dev) with label "
        "gitops-tool/environment=dev")
    assert by["dev-legacy"].message.startswith("in Argo CD (project ananta-dev) with label")
    assert len(live.requests(LIST)) == 1


def test_the_root_application_is_checked_like_the_others(root, live, runtime):
    live.apps["dev-root"].sync_status = "OutOfSync"
    live.apps["staging-root"].health = "Degraded"
    live.apps["staging-root"].health_message = "one child is Degraded"
    del live.apps["prod-root"]
    result = run(root, runtime)
    assert result.exit_code == 1
    assert kinds(result) == [("health", "staging", "staging-root"),
                             ("missing", "prod", "prod-root"),
                             ("out-of-sync", "dev", "dev-root")]
    missing = next(f for f in result.findings if f.kind == "missing")
    assert missing.file == "argocd/prod/root.yaml"
    assert missing.message == "declared in git, absent from Argo CD (bootstrap it: kubectl " \
        "apply -k argocd/prod)"
    assert len(live.requests(LIST)) == 3


def test_a_root_application_in_another_project_is_drift(root, live, runtime):
    live.apps["dev-root"].project = "ananta-dev"
    result = run(root, runtime, "dev")
    assert [(f.kind, f.app, f.expected, f.actual) for f in result.findings] == [
        ("project", "dev-root", "gitops-root", "ananta-dev")]


def test_details_diff_the_modified_resources_of_out_of_sync_apps_with_secrets_masked(
        root, live, runtime):
    app = live.apps["dev-api"]
    app.sync_status = "OutOfSync"
    secret_live = {"apiVersion": "v1", "kind": "Secret",
                   "metadata": {"name": "api-db", "namespace": "apps", "annotations": {
                       "kubectl.kubernetes.io/last-applied-configuration":
                           '{"data":{"password":"aHVudGVyMg=="}}'}},
                   "data": {"password": "aHVudGVyMg==", "user": "YWRtaW4="}}
    secret_desired = json.loads(json.dumps(secret_live))
    secret_desired["data"]["password"] = "czNjcjN0LW5ldw=="
    deploy_live = {"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "dev-api", "namespace": "apps"},
                   "spec": {"replicas": 1, "template": {"spec": {"containers": [
                       {"name": "api", "image": "registry.test/api:1.0.0"}]}}}}
    deploy_desired = json.loads(json.dumps(deploy_live))
    deploy_desired["spec"]["replicas"] = 2
    app.managed = [
        resource_diff("Secret", "api-db", secret_live, secret_desired),
        resource_diff("Deployment", "dev-api", deploy_live, deploy_desired, group="apps"),
        resource_diff("Service", "dev-api", {"kind": "Service"}, {"kind": "Service"}),
    ]
    live.apps["dev-worker"].health = "Degraded"  # not OutOfSync: no details asked
    result = run(root, runtime, details=True)
    (finding,) = [f for f in result.findings if f.kind == "out-of-sync"]
    details = finding.details
    assert "--- live/Secret/apps/api-db\n+++ desired/Secret/apps/api-db\n" in details
    assert "-  password: ++++++++\n+  password: ++++++++++\n" in details  # changed: shown
    assert "   user: +++++++++\n" in details  # unchanged, masked
    for secret in ("aHVudGVyMg==", "czNjcjN0LW5ldw==", "YWRtaW4=", "hunter2"):
        assert secret not in details and secret not in drift_json(result)
    assert "-  replicas: 1\n+  replicas: 2\n" in details
    assert "Service" not in details  # not modified
    resources = live.requests("GET /api/v1/applications/{name}/managed-resources")
    assert [r.path for r in resources] == ["/api/v1/applications/dev-api/managed-resources"]
    assert resources[0].query == {"project": ["ananta-dev"], "appNamespace": ["argocd"]}


def test_an_unreachable_argo_cd_is_exit_3_live_drift_unknown_and_the_rest_reported(
        root, runtime, start_fake):
    down = start_fake()
    runtime.env = dict(runtime.env, ARGOCD_SERVER=down.url)
    down.stop()  # nothing listens on that port any more
    app = root / "argocd/dev/applications/dev-api.yaml"
    app.write_text(app.read_text() + "# edited\n")
    result = run(root, runtime)
    assert result.exit_code == 3
    assert [u.environment for u in result.unknown] == ["dev", "staging", "prod"]
    assert "cannot reach Argo CD" in result.unknown[0].message
    assert result.unknown[1].message.startswith("not asked: Argo CD at ")
    assert kinds(result) == [("repo", "dev", "dev-api")]  # still reported
    first = drift_text(result).splitlines()[0]
    assert first.startswith("live drift unknown for dev, staging, prod (127.0.0.1:")
    data = json.loads(drift_json(result))
    assert data["exit_code"] == 3 and data["live"]["state"] == "unknown"


def test_a_refused_token_is_exit_3(root, live, runtime):
    runtime.env = dict(runtime.env, ARGOCD_AUTH_TOKEN="tok-wrong-but-long-enough")
    result = run(root, runtime)
    assert result.exit_code == 3 and len(live.records) == 1
    assert "refused the token" in result.unknown[0].message


def test_one_environment_failing_leaves_the_others_checked(root, live, runtime):
    live.fault(LIST, Fault(400, code=3))  # refused for dev only: the others are asked
    live.apps["staging-api"].sync_status = "OutOfSync"
    result = run(root, runtime)
    assert result.exit_code == 3 and [u.environment for u in result.unknown] == ["dev"]
    assert kinds(result) == [("out-of-sync", "staging", "staging-api")]


def test_without_a_server_live_drift_is_skipped_and_said_first(root, tmp_path, clock):
    result = run(root, unconfigured(tmp_path, clock))
    assert result.exit_code == 0 and result.live_skipped
    assert drift_text(result).splitlines()[0].startswith(
        "live drift skipped: no Argo CD server configured")
    required = run(root, unconfigured(tmp_path, clock), require_live=True)
    assert required.exit_code == 3


def test_a_server_without_a_token_is_bad_input(root, tmp_path, clock, fake):
    runtime = unconfigured(tmp_path, clock)
    runtime.env["ARGOCD_SERVER"] = fake.url
    with pytest.raises(InputError, match="no Argo CD token"):
        run(root, runtime)
    assert fake.records == []


# -- environment drift --------------------------------------------------------------


def test_environment_lag_is_dated_from_git_history(history, tmp_path, clock):
    history.set_pin("dev", "api", "2.0.0")
    history.commit("dev: api 2.0.0", T0 + timedelta(days=1))
    history.set_pin("dev", "worker", "3.0.0")
    history.commit("dev: worker 3.0.0", T0 + timedelta(days=3))
    history.set_pin("staging", "api", "2.0.0")
    history.commit("staging: api 2.0.0", T0 + timedelta(days=4))
    history.set_pin("dev", "portal", "5.0.0")
    history.commit("dev: portal 5.0.0 (and back)", T0 + timedelta(days=5))
    history.set_pin("dev", "portal", "1.3.0")  # back to what staging runs: no gap
    history.commit("dev: portal back", T0 + timedelta(days=6))
    render_all(history.root)
    history.commit("render", T0 + timedelta(days=6, hours=1))
    clock.time = T0 + timedelta(days=10, hours=1)
    result = run(history.root, unconfigured(tmp_path, clock))
    behind = {(f.environment, f.app): f for f in result.findings}
    assert set(behind) == {("staging", "staging-worker"), ("prod", "prod-api")}
    worker = behind[("staging", "staging-worker")]
    assert worker.since == T0 + timedelta(days=3)  # when dev got 3.0.0
    assert worker.drift  # 7d 1h > 7d
    assert (worker.file, worker.line, worker.expected, worker.actual) == (
        "environments/staging.yaml", pin_line(history.root, "staging", "worker"), "3.0.0",
        "1.4.0")
    assert "since 2025-12-04T09:00:00Z (7d 1h behind, more than --max-lag 7d)" in \
        worker.message
    api = behind[("prod", "prod-api")]
    assert api.since == T0 + timedelta(days=4)  # when staging got 2.0.0
    assert not api.drift and api.message.endswith("since 2025-12-05T09:00:00Z (6d 1h behind)")
    assert result.exit_code == 1
    relaxed = run(history.root, unconfigured(tmp_path, clock), max_lag=timedelta(days=8))
    assert relaxed.exit_code == 0 and len(relaxed.findings) == 2
    data = json.loads(drift_json(relaxed))
    assert {f["since"] for f in data["findings"]} == {"2025-12-04T09:00:00Z",
                                                      "2025-12-05T09:00:00Z"}


def test_revisions_are_compared_per_service_when_both_stages_pin_a_commit(history, tmp_path,
                                                                          clock):
    history.set_revision("staging", "a" * 40)
    history.set_revision("prod", "b" * 40)
    history.commit("pin staging", T0 + timedelta(days=2))
    clock.time = T0 + timedelta(days=3)
    result = run(history.root, unconfigured(tmp_path, clock))
    gaps = [f for f in result.findings if f.part == "environment"]
    # prod's source.revision holds back every service: one finding each, at its pin
    assert {f.app for f in gaps} == {f"prod-{s}" for s in SERVICES}
    for gap in gaps:
        service = gap.app.removeprefix("prod-")
        assert (gap.environment, gap.expected, gap.actual) == ("prod", "a" * 40, "b" * 40)
        assert gap.line == pin_line(history.root, "prod", service)
        assert gap.message.startswith(
            f"{service} chart revision: prod has {'b' * 12}, staging has {'a' * 12} since")
        assert gap.since == T0 + timedelta(days=2) and not gap.drift


def test_a_service_promoted_on_its_own_is_compared_by_its_chart_commit(history, tmp_path,
                                                                      clock):
    history.set_revision("staging", "a" * 40)
    history.set_revision("prod", "a" * 40)
    history.commit("pin staging and prod", T0 + timedelta(days=1))
    path = history.root / "environments/staging.yaml"
    text = path.read_text()
    head = '\n  worker:\n    image: "1.4.0"\n'
    assert head in text
    path.write_text(text.replace(head, head + f"    revision: {'c' * 40}\n"))
    history.commit("staging: worker's chart at its own commit", T0 + timedelta(days=2))
    clock.time = T0 + timedelta(days=10)
    result = run(history.root, unconfigured(tmp_path, clock), "prod")
    (gap,) = [f for f in result.findings if f.part == "environment"]
    assert (gap.app, gap.expected, gap.actual) == ("prod-worker", "c" * 40, "a" * 40)
    assert gap.message.startswith(f"worker chart revision: prod has {'a' * 12}, staging has "
                                  f"{'c' * 12} since 2025-12-03T09:00:00Z (8d behind, more")
    assert gap.drift and result.exit_code == 1


def test_an_uncommitted_pin_is_reported_but_not_drift(history, tmp_path, clock):
    history.set_pin("dev", "api", "2.0.0")  # not committed
    clock.time = T0 + timedelta(days=30)
    result = run(history.root, unconfigured(tmp_path, clock), "staging")
    (gap,) = [f for f in result.findings if f.part == "environment"]
    assert gap.since is None and not gap.drift and "not committed yet" in gap.message


def test_a_shallow_clone_gives_a_lower_bound_and_counts_as_drift(history, tmp_path, clock):
    history.set_pin("dev", "api", "2.0.0")
    history.commit("dev: api 2.0.0", T0 + timedelta(days=1))
    for day in (2, 3):
        (history.root / "charts/api/values.yaml").write_text(f"# day {day}\n")
        history.commit(f"day {day}", T0 + timedelta(days=day))
    shallow = tmp_path / "shallow"
    history.git("clone", "-q", "--depth", "2", f"file://{history.root}", str(shallow))
    clock.time = T0 + timedelta(days=4)
    result = run(shallow, unconfigured(tmp_path, clock), "staging")
    (gap,) = [f for f in result.findings if f.part == "environment"]
    assert gap.since == T0 + timedelta(days=2)  # the oldest commit the clone holds
    assert gap.drift and "shallow" in gap.message and "fetch-depth: 0" in gap.message
    full = run(history.root, unconfigured(tmp_path, clock), "staging")
    (exact,) = [f for f in full.findings if f.part == "environment"]
    assert exact.since == T0 + timedelta(days=1) and not exact.drift


def test_without_git_history_the_age_is_unknown_and_counts(history, tmp_path, clock):
    import shutil

    history.set_pin("dev", "api", "2.0.0")
    shutil.rmtree(history.root / ".git")
    result = run(history.root, unconfigured(tmp_path, clock), "staging")
    (gap,) = [f for f in result.findings if f.part == "environment"]
    assert gap.since is None and gap.drift and "not a git repository" in gap.message


def test_details_when_argo_cd_marks_nothing_modified_or_fails(root, live, runtime):
    live.apps["dev-api"].sync_status = "OutOfSync"  # the fake's default: nothing modified
    live.apps["dev-worker"].sync_status = "OutOfSync"
    live.fault("GET /api/v1/applications/dev-worker/managed-resources", Fault(403, code=7))
    result = run(root, runtime, "dev", details=True)
    by = {f.app: f for f in result.findings}
    assert by["dev-api"].details.startswith("Argo CD marks no resource as modified")
    assert by["dev-worker"].details == ""
    (unknown,) = result.unknown
    assert (unknown.environment, unknown.app) == ("dev", "dev-worker")
    assert unknown.message.startswith("resources that differ: managed resources of dev-worker")
    assert result.exit_code == 3  # a configured system failed: never green, never just 1


# -- argocd/ that cannot be read settled ---------------------------------------------


def pending_write(root) -> None:
    """What a write under way shows: its transaction folder in argocd/."""
    (root / "argocd" / ".gitops-tool-write").mkdir()


def test_a_lock_held_by_another_writer_makes_repo_drift_unknown_and_the_rest_runs(
        history, live, runtime, tmp_path, clock):
    from tests.support.locks import lock_held

    history.set_pin("dev", "api", "2.0.0")
    history.commit("dev: api 2.0.0", T0)
    live.apps["prod-api"].health = "Degraded"
    pending_write(history.root)
    with lock_held(history.root, tmp_path / "ready", "render dev") as pid:
        result = run(history.root, runtime, lock_timeout=0.3)
    (unknown,) = result.unknown
    assert (unknown.part, unknown.environment) == ("repo", "")
    assert unknown.message.startswith("argocd/ could not be read settled: the repository is "
                                      f"locked by pid {pid} (render dev")
    assert result.exit_code == 3
    # live and environment drift are checked in full
    assert kinds(result) == [("behind", "staging", "staging-api"), ("health", "prod", "prod-api"),
                             ("image-tag", "dev", "dev-api")]  # Argo CD runs the old pin
    assert len(live.requests(LIST)) == 3
    text = drift_text(result)
    assert text.splitlines()[1].startswith("exit 3: not everything could be checked")
    assert "repo drift: unknown: argocd/ could not be read settled: the repository is " \
        "locked by" in text
    data = json.loads(drift_json(result))
    assert data["live"]["state"] == "checked"  # live drift itself was checked
    assert [u["part"] for u in data["unknown"]] == ["repo"]


def test_a_journal_that_is_refused_makes_repo_drift_unknown(root, live, runtime):
    (root / "argocd" / ".gitops-tool-write").write_text("not a folder\n")
    live.apps["dev-api"].sync_status = "OutOfSync"
    result = run(root, runtime)
    (unknown,) = result.unknown
    assert unknown.part == "repo" and "not a folder gitops-tool made" in unknown.message
    assert "remove argocd/.gitops-tool-write" in unknown.message  # the hint, the next step
    assert kinds(result) == [("out-of-sync", "dev", "dev-api")]
    assert result.exit_code == 3
    assert (root / "argocd" / ".gitops-tool-write").read_text() == "not a folder\n"


def test_an_unreadable_output_folder_is_bad_input_and_the_client_is_closed(
        root, live, runtime, monkeypatch):
    from gitops_tool.adapters.argocd.client import ArgoCDClient

    closed = []
    close = ArgoCDClient.close
    monkeypatch.setattr(ArgoCDClient, "close", lambda self: (closed.append(self), close(self)))
    (root / "argocd/dev/.git").mkdir()  # render refuses it: no repository inside argocd/
    with pytest.raises(InputError, match="a git repository inside the output folder"):
        run(root, runtime)
    assert len(closed) == 1 and not live.records
    closed.clear()
    (root / "argocd/dev/.git").rmdir()
    assert run(root, runtime).exit_code == 0 and len(closed) == 1


# -- what render refuses, drift refuses ------------------------------------------------


@pytest.mark.parametrize("shape, text", [
    ("a duplicate key", "replicaCount: 1\nreplicaCount: 2\n"),
    ("a list at the top", "- 1\n- 2\n"),
    ("an alias bomb", 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
                      + "".join(f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                                for p, c in zip("abcdefgh", "bcdefghi", strict=True))),
])
def test_a_values_file_render_refuses_is_bad_input_for_drift_too(root, tmp_path, clock,
                                                                   shape, text):
    from gitops_tool.commands import render

    (root / "charts/portal/values-staging.yaml").write_text(text)
    with pytest.raises(InputError) as refused_by_render:
        render.run(render.RenderOptions(root=root, check=True))
    with pytest.raises(InputError) as refused_by_drift:
        run(root, unconfigured(tmp_path, clock))
    assert refused_by_drift.value.message == refused_by_render.value.message
    assert refused_by_drift.value.message.startswith("charts/portal/values-staging.yaml")
