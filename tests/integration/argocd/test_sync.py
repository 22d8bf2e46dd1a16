"""`sync ENV` against the fake: root first, waves in order, failures, races (rows 3-5, 11-13)."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from gitops_tool.adapters.argocd.client import ArgoCDNotFound, RetryPolicy, SyncWindowClosed
from gitops_tool.commands import sync
from gitops_tool.core.argocd.appstatus import SYNC_ID_INFO
from gitops_tool.errors import EXIT_EXTERNAL
from tests.support.argocd.apps import populate
from tests.support.argocd.fake import FakeClock, Fault, runtime_error
from tests.support.trees import PINNED

pytestmark = pytest.mark.timeout(60)
SYNC = "POST /api/v1/applications/{name}/sync"
GET_APP = "GET /api/v1/applications/{name}"
WINDOWS = "GET /api/v1/applications/{name}/syncwindows"
IN_PROGRESS = {"code": 9, "error": "another operation is already in progress",
               "message": "another operation is already in progress"}


def run(tree_root, runtime, env="dev", **options) -> sync.SyncResult:
    return sync.run(sync.SyncOptions(tree_root, env, **options), runtime)


def posted(fake) -> list[str]:
    return [r.path.split("/")[4] for r in fake.posts()]


@pytest.fixture
def dev(fake, tree):
    populate(fake, tree, "dev")
    return fake


def test_root_first_then_each_wave_only_after_the_previous_is_done(dev, tree_root, runtime):
    result = run(tree_root, runtime)
    assert result.outcome is sync.SyncOutcome.DONE and result.sync_id == "run-1"
    assert posted(dev) == ["dev-root", "dev-cert-manager", "dev-ingress", "dev-api",
                           "dev-worker", "dev-portal"]
    first = dev.requests(GET_APP)[0]
    assert (first.path, first.query["refresh"], first.query["project"]) == (
        "/api/v1/applications/dev-root", ["normal"], ["gitops-root"])
    waves = [["dev-root"], ["dev-cert-manager", "dev-ingress"], ["dev-api", "dev-worker"],
             ["dev-portal"]]
    seq = {r.path.split("/")[4]: r.seq for r in dev.posts()}
    root_done = max(r.seq for r in dev.requests(GET_APP) if r.path.endswith("/dev-root"))

    def done_at(name: str) -> int:  # the root is done once synced: it plays no health frame
        return root_done if name == "dev-root" else dev.apps[name].done_seq

    for earlier, later in itertools.pairwise(waves):
        done = max(done_at(name) for name in earlier)
        assert all(seq[name] > done for name in later), (earlier, later)


def test_the_sync_body_carries_no_options_no_revision_and_our_tag(dev, tree_root, runtime):
    run(tree_root, runtime, prune=True)
    for record in dev.posts():
        assert set(record.body) == {"name", "project", "prune", "infos", "appNamespace"}
        assert record.body["prune"] is True and record.body["appNamespace"] == "argocd"
        assert record.body["infos"] == [{"name": SYNC_ID_INFO, "value": "run-1"}]
    assert dev.posts()[1].body["project"] == "ananta-dev"
    assert all(r.query.get("project") for r in dev.requests(GET_APP))


def test_dry_run_lists_once_and_sends_nothing(dev, tree_root, runtime):
    result = run(tree_root, runtime, dry_run=True, apps=("api",))
    assert result.outcome is sync.SyncOutcome.PLANNED and result.exit_code == 0
    assert [(r.method, r.route) for r in dev.records] == [("GET", "/api/v1/applications")]
    assert [a.name for a in result.plan.apps] == ["dev-api"]
    assert [(r.app, r.sync, r.health, r.ok) for r in result.observed] == [
        ("dev-root", "Synced", "Healthy", True), ("dev-api", "Synced", "Healthy", True)]


def test_app_limits_the_children_but_the_root_goes_first(dev, tree_root, runtime):
    assert run(tree_root, runtime, apps=("api", "dev-portal")).outcome is sync.SyncOutcome.DONE
    assert posted(dev) == ["dev-root", "dev-api", "dev-portal"]


def test_a_degraded_app_stops_the_rollout(dev, tree_root, runtime):
    dev.apps["dev-ingress"].outcome = "degraded"
    result = run(tree_root, runtime)
    assert result.outcome is sync.SyncOutcome.FAILED
    assert result.failure.app == "dev-ingress" and "Degraded" in result.failure.reason
    assert [str(r) for r in result.failure.resources] == [
        "Deployment apps/dev-ingress: Degraded (Deployment has timed out progressing)"]
    assert result.failure.operation_message == "successfully synced (all tasks run)"
    assert not {"dev-api", "dev-worker", "dev-portal"} & set(posted(dev))


def test_a_failed_operation_stops_the_rollout(dev, tree_root, runtime):
    dev.apps["dev-api"].outcome = "failed"
    result = run(tree_root, runtime)
    assert result.outcome is sync.SyncOutcome.FAILED and result.failure.app == "dev-api"
    assert "failed to apply" in result.failure.reason
    assert "dev-portal" not in posted(dev)


def test_a_closed_window_stops_a_manual_env_before_any_sync(fake, tree, tree_root, runtime):
    populate(fake, tree, "prod")
    fake.apps["prod-api"].window_open = False
    with pytest.raises(SyncWindowClosed) as info:
        run(tree_root, runtime, env="prod")
    assert info.value.exit_code == EXIT_EXTERNAL
    assert "blocks prod app prod-api" in info.value.message and "manualSync" in info.value.hint
    assert fake.posts() == []


def test_a_closed_window_stops_an_auto_synced_env_before_any_sync(dev, tree_root, runtime):
    dev.apps["dev-api"].window_open = False  # our POSTs are manual syncs, auto-sync or not
    with pytest.raises(SyncWindowClosed) as info:
        run(tree_root, runtime)
    assert "blocks dev app dev-api" in info.value.message and dev.posts() == []
    checked = [r.path.split("/")[4] for r in dev.requests(WINDOWS)]
    assert checked == ["dev-root", "dev-cert-manager", "dev-ingress", "dev-api"]


def test_a_sync_window_403_is_not_retried(dev, tree_root, runtime):
    closed = runtime_error(7, "cannot sync: blocked by sync window")  # opened after the check
    dev.fault("POST /api/v1/applications/dev-api/sync", Fault(403, body=closed))
    with pytest.raises(SyncWindowClosed, match="blocks dev app dev-api"):
        run(tree_root, runtime)
    assert posted(dev).count("dev-api") == 1


def test_another_operation_is_waited_for_then_synced_once(dev, tree_root, runtime):
    dev.start_operation("dev-cert-manager", username="admin", polls=2)
    result = run(tree_root, runtime)
    assert result.outcome is sync.SyncOutcome.DONE
    posts = [r for r in dev.posts() if r.path.endswith("dev-cert-manager/sync")]
    assert [p.status for p in posts] == [400, 200]
    foreign_done = next(r.seq for r in dev.requests(GET_APP)
                        if r.path.endswith("dev-cert-manager") and r.response
                        and r.response["status"]["operationState"]["phase"] == "Succeeded"
                        and r.seq > posts[0].seq)
    assert posts[1].seq > foreign_done


def test_an_operation_in_progress_that_is_ours_is_waited_for(dev, tree_root, runtime):
    dev.fault(SYNC, Fault(400, body=IN_PROGRESS, apply=True))  # the root's POST
    assert run(tree_root, runtime).outcome is sync.SyncOutcome.DONE
    assert posted(dev).count("dev-root") == 1


@pytest.mark.parametrize("fault", [Fault(503, apply=True), Fault(close=True, apply=True)],
                         ids=["503", "reset"])
def test_a_lost_sync_answer_is_not_repeated_when_the_sync_started(dev, tree_root, runtime,
                                                                 fault):
    dev.fault("POST /api/v1/applications/dev-api/sync", fault)
    assert run(tree_root, runtime).outcome is sync.SyncOutcome.DONE
    assert posted(dev).count("dev-api") == 1


def test_a_lost_sync_that_did_not_start_is_posted_once_more(dev, tree_root, runtime):
    dev.fault("POST /api/v1/applications/dev-api/sync", Fault(503))
    assert run(tree_root, runtime).outcome is sync.SyncOutcome.DONE
    assert posted(dev).count("dev-api") == 2


def test_timeout_reports_the_last_known_state(dev, tree_root, runtime, clock):
    dev.apps["dev-api"].outcome = "running"
    result = run(tree_root, runtime, timeout=60)
    assert result.outcome is sync.SyncOutcome.TIMEOUT
    states = {name: state for name, _, state in result.apps}
    assert states["dev-api"] == "operation Running" and states["dev-cert-manager"] == "done"
    assert states["dev-portal"] == "not started" and "dev-api" in result.running
    assert clock.sleeps and all(s == 2.0 for s in clock.sleeps)


def test_timeout_while_someone_elses_operation_runs_names_them(dev, tree_root, runtime):
    dev.start_operation("dev-ingress", username="alice", outcome="running")
    result = run(tree_root, runtime, timeout=20)
    assert result.outcome is sync.SyncOutcome.TIMEOUT
    assert dict((n, s) for n, _, s in result.apps)["dev-ingress"] == (
        "waiting for the operation started by alice")


def test_ctrl_c_stops_waiting_and_lists_what_runs(dev, tree_root, runtime, clock):
    clock.interrupt_after = 3  # the root took 3 polls (no health wait); wave 10 started
    result = run(tree_root, runtime)
    assert result.outcome is sync.SyncOutcome.INTERRUPTED
    assert result.running == ("dev-cert-manager", "dev-ingress")


def test_the_stale_status_race_never_reports_the_old_revision(fake, tree, tree_root, runtime):
    """Row 11: after the POST, the app still shows Synced and Healthy at the old revision
    for 3 polls; nothing may be reported done until it shows the new one."""
    populate(fake, tree, "prod")
    old = "f" * 40
    for app in fake.apps.values():  # Synced and Healthy, but at the previous pin
        app.sync_revision = old
        app.op_state["syncResult"]["revision"] = old
        app.stale_polls = 3
    reports: list[tuple[int, dict[str, str]]] = []  # (requests so far, app -> kind)
    runtime.progress = lambda p: reports.append(
        (len(fake.records), {name: kind for name, kind, _ in p.apps}))
    result = run(tree_root, runtime, env="prod", apps=("cert-manager", "api"))
    assert result.outcome is sync.SyncOutcome.DONE
    for name in ("prod-cert-manager", "prod-api"):
        post = next(r.seq for r in fake.posts() if r.path.split("/")[4] == name)
        polls = [r for r in fake.requests(GET_APP)
                 if r.path.split("/")[4] == name and "refresh" not in r.query]

        def looks(r, revision: str) -> bool:
            status = r.response["status"]
            return (status["sync"]["status"], status["sync"]["revision"],
                    status["health"]["status"]) == ("Synced", revision, "Healthy")

        for count, kinds in reports:  # never done while the last poll showed the old one
            seen = [r for r in polls if r.seq < count]
            if kinds.get(name) and seen and looks(seen[-1], old):
                assert kinds[name] == "waiting", (name, count)
        stale = [r for r in polls if looks(r, old)]
        assert len(stale) == 3 and all(r.seq > post for r in stale)  # the race was played
        first_new = min(r.seq for r in polls if r.response["status"]["sync"]["revision"]
                        == PINNED)
        first_healthy_new = min(r.seq for r in polls if looks(r, PINNED))
        assert post < max(r.seq for r in stale) < first_new <= first_healthy_new
        done = [count for count, kinds in reports if kinds.get(name) == "done"]
        assert done and min(done) > first_healthy_new  # reported only after it was seen


def test_each_app_is_refreshed_before_its_sync_and_its_first_wait_poll(dev, tree_root,
                                                                    runtime):
    assert run(tree_root, runtime).outcome is sync.SyncOutcome.DONE
    posts = {r.path.split("/")[4]: r.seq for r in dev.posts()}
    for name, project in [("dev-root", "gitops-root"), ("dev-cert-manager", "ananta-dev"),
                          ("dev-ingress", "ananta-dev"), ("dev-api", "ananta-dev"),
                          ("dev-worker", "ananta-dev"), ("dev-portal", "ananta-dev")]:
        gets = [r for r in dev.requests(GET_APP) if r.path.split("/")[4] == name]
        refresh, *polls = gets
        assert refresh.query == {"project": [project], "appNamespace": ["argocd"],
                                 "refresh": ["normal"]}, name
        assert polls and all("refresh" not in r.query for r in polls)
        assert refresh.seq < posts[name] < polls[0].seq, name
    # a wave's refreshes come after the previous wave is done, before its first POST
    refreshed = {r.path.split("/")[4]: r.seq for r in dev.requests(GET_APP)
                 if r.query.get("refresh")}
    assert max(refreshed["dev-api"], refreshed["dev-worker"]) < min(posts["dev-api"],
                                                                     posts["dev-worker"])
    assert refreshed["dev-api"] > max(dev.apps[n].done_seq
                                      for n in ("dev-cert-manager", "dev-ingress"))


def test_a_child_missing_in_argo_cd_fails_with_how_to_fix(fake, tree, tree_root, runtime):
    populate(fake, tree, "dev", skip=("worker",))
    with pytest.raises(ArgoCDNotFound) as info:
        run(tree_root, runtime)
    assert "dev-worker does not exist" in info.value.message and "dev-root" in info.value.hint


def test_a_refresh_or_a_poll_that_fails_is_not_fatal(dev, tree_root, runtime, warnings_seen):
    cut = Fault(200, body={"x": 1}, half_body=True)
    dev.fault("GET /api/v1/applications/dev-portal", cut, cut)  # the refresh, the first poll
    assert run(tree_root, runtime, apps=("portal",)).outcome is sync.SyncOutcome.DONE
    asked = [r for r in dev.requests(GET_APP) if r.path.endswith("/dev-portal")]
    assert [r.faulted for r in asked[:3]] == [True, True, False]
    assert asked[0].query.get("refresh") == ["normal"] and "refresh" not in asked[1].query
    assert any("dev-portal" in w and "syncing without the refresh" in w for w in warnings_seen)
    assert any("dev-portal" in w and "polling again" in w for w in warnings_seen)


@pytest.mark.parametrize("health", ["Degraded", "Suspended"])
def test_the_root_is_judged_by_its_sync_not_by_its_childrens_health(dev, tree_root, runtime,
                                                                     health):
    ingress = dev.apps["dev-ingress"]  # broken now; the sync rolls out its fix
    ingress.health, ingress.health_message = health, "Deployment has timed out progressing"
    dev.health_from_children("dev-root")
    result = run(tree_root, runtime)
    root_seen = {r.response["status"]["health"]["status"] for r in dev.requests(GET_APP)
                 if r.path.endswith("dev-root") and r.response}
    assert health in root_seen
    assert result.outcome is sync.SyncOutcome.DONE and result.failure is None
    assert posted(dev) == ["dev-root", "dev-cert-manager", "dev-ingress", "dev-api",
                           "dev-worker", "dev-portal"]


def test_a_degraded_child_still_stops_its_wave_when_the_root_mirrors_it(dev, tree_root,
                                                                        runtime):
    dev.apps["dev-ingress"].outcome = "degraded"
    dev.health_from_children("dev-root")
    result = run(tree_root, runtime)
    assert result.outcome is sync.SyncOutcome.FAILED and result.failure.app == "dev-ingress"


class WallClock(FakeClock):
    """Fake sleeps, but time also passes while a request hangs."""

    def __init__(self) -> None:
        super().__init__()
        self.started = time.monotonic()

    def now(self):
        return self.time + timedelta(seconds=time.monotonic() - self.started)


def test_timeout_bounds_a_hung_request_not_only_the_rounds(dev, tree_root, runtime):
    root = "GET /api/v1/applications/dev-root"
    dev.fault(root, *[Fault(hang=True)] * 5)
    slow = replace(runtime, clock=WallClock(),
                   policy=RetryPolicy(retries=4, connect_timeout=5.0, read_timeout=30.0))
    result = run(tree_root, slow, timeout=1.0)
    assert result.outcome is sync.SyncOutcome.TIMEOUT and dev.posts() == []
    asked = [r for r in dev.requests(GET_APP) if r.path.endswith("/dev-root")]
    assert len(asked) == 1  # one attempt of at most 1 s (not 30), no retry past the deadline
