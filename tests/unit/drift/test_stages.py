"""Environment drift in the core: durations, pins, arrivals from history, and the verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gitops_tool.core.drift.stages import (
    IMAGE,
    NOT_COMMITTED,
    REVISION,
    Arrival,
    FileVersion,
    Gap,
    arrivals,
    environment_findings,
    format_duration,
    parse_duration,
    pins_in,
)
from gitops_tool.errors import InputError

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    ("7d", timedelta(days=7)), ("36h", timedelta(hours=36)), ("90m", timedelta(minutes=90)),
    ("45s", timedelta(seconds=45)), ("1d12h", timedelta(days=1, hours=12)),
    ("0m", timedelta(0)),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "7 days", "1h1d", "-1d", "1.5h", "d"])
def test_parse_duration_refuses_what_is_not_a_duration(text):
    with pytest.raises(InputError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["99999999999d", "1000000000d", "9" * 30 + "s"])
def test_parse_duration_refuses_a_lag_past_any_date(text):
    with pytest.raises(InputError, match="longer than any date"):
        parse_duration(text)


@pytest.mark.parametrize("delta, text", [
    (timedelta(days=7), "7d"), (timedelta(days=7, hours=1, minutes=5), "7d 1h"),
    (timedelta(hours=5, minutes=12), "5h 12m"), (timedelta(minutes=45), "45m"),
    (timedelta(seconds=30), "30s"), (timedelta(0), "0s"), (timedelta(days=-1), "0s"),
])
def test_format_duration(delta, text):
    assert format_duration(delta) == text


def env_text(api: str = "1.0.0", revision: str = "main", worker_revision: str = "") -> str:
    worker = f"    revision: {worker_revision}\n" if worker_revision else ""
    return (f"source:\n  branch: main\n  revision: {revision}\nreleases:\n"
            f"  api:\n    image: \"{api}\"\n  worker:\n    image: \"2.0.0\"\n{worker}")


def test_pins_in_reads_images_and_per_service_revisions_leniently():
    assert pins_in(env_text(revision="a" * 40, worker_revision="b" * 40)) == {
        ("api", IMAGE): "1.0.0", ("api", REVISION): "a" * 40, ("worker", IMAGE): "2.0.0",
        ("worker", REVISION): "b" * 40}
    assert pins_in(None) == {} and pins_in("- a\n") == {}
    assert pins_in("releases: [1, 2]\n") == {}
    # a version that cannot be read says nothing of its pins (not: it had none)
    assert pins_in(": not yaml: [") is None
    assert pins_in("a: &a [x, x]\nb: &b [*a, *a]\n" + "c: [" + ", ".join(["*b"] * 30000)
                   + "]\n") is None


def versions(*items: tuple[int, str | None], cut_last: bool = False) -> list[FileVersion]:
    """(day, text) newest first -> FileVersions dated T0 + day."""
    out = [FileVersion(f"{day:040x}", T0 + day * DAY, text) for day, text in items]
    if cut_last:
        out[-1] = FileVersion(out[-1].commit, out[-1].committed_at, out[-1].text, cut=True)
    return out


API = ("api", IMAGE)


def test_the_arrival_is_the_oldest_commit_of_the_newest_run_holding_the_value():
    history = versions((9, env_text("3.0.0")), (5, env_text("3.0.0")), (4, env_text("2.0.0")),
                       (2, env_text("3.0.0")))  # 3.0.0 once before: not this run
    assert arrivals({API: "3.0.0"}, history) == {API: Arrival(T0 + 5 * DAY, f"{5:040x}")}


def test_arrivals_stop_reading_once_every_value_is_dated():
    read = []

    def lazy():
        for version in versions((3, env_text("3.0.0")), (2, env_text("2.0.0")),
                                (1, env_text("1.0.0"))):
            read.append(version.commit)
            yield version

    arrivals({API: "3.0.0"}, lazy())
    assert len(read) == 2


def test_a_value_held_since_the_first_commit_is_exact_unless_history_is_cut():
    whole = versions((3, env_text("3.0.0")), (1, env_text("3.0.0")))
    assert arrivals({API: "3.0.0"}, whole)[API] == Arrival(T0 + DAY, f"{1:040x}")
    cut = versions((3, env_text("3.0.0")), (1, env_text("3.0.0")), cut_last=True)
    assert arrivals({API: "3.0.0"}, cut)[API] == Arrival(T0 + DAY, f"{1:040x}", exact=False)


def test_a_version_that_cannot_be_read_is_stepped_over_and_the_date_is_not_exact():
    """An alias bomb committed and reverted since (or a version past 8 MiB) does not end the
    run of versions holding the value: what it held is unknown."""
    bomb = "x: &x [1, 1]\n" + "y: [" + ", ".join(["*x"] * 60000) + "]\n"
    history = versions((9, env_text("3.0.0")), (7, bomb), (5, env_text("3.0.0")),
                       (4, env_text("2.0.0")))
    assert arrivals({API: "3.0.0"}, history)[API] == Arrival(T0 + 5 * DAY, f"{5:040x}",
                                                             exact=False)
    huge = versions((9, env_text("3.0.0")), (7, None), (5, env_text("3.0.0")),
                    (4, env_text("2.0.0")))
    huge[1] = FileVersion(huge[1].commit, huge[1].committed_at, None, unread=True)
    assert arrivals({API: "3.0.0"}, huge)[API] == Arrival(T0 + 5 * DAY, f"{5:040x}",
                                                          exact=False)


def test_a_value_the_newest_commit_lacks_is_not_committed_and_no_history_is_unknown():
    assert arrivals({API: "9.0.0"}, versions((3, env_text("3.0.0")))) == {
        API: Arrival(None, why=NOT_COMMITTED)}
    assert arrivals({API: "9.0.0"}, []) == {
        API: Arrival(None, why="the file has no committed version")}
    deleted = versions((4, None), (3, env_text("9.0.0")))
    assert arrivals({API: "9.0.0"}, deleted)[API].why == NOT_COMMITTED


def gap(key=API) -> Gap:
    return Gap("staging", "prod", key, "3.0.0", "2.0.0", "environments/prod.yaml", 12)


@pytest.mark.parametrize("arrival, drift, text", [
    (Arrival(T0, "c"), True, "since 2026-03-01T00:00:00Z (8d behind, more than --max-lag 7d)"),
    (Arrival(T0 + 2 * DAY, "c"), False, "since 2026-03-03T00:00:00Z (6d behind)"),
    (Arrival(T0 + 2 * DAY, "c", exact=False), True,
     "since 2026-03-03T00:00:00Z or earlier (the clone's history is shallow; at least 6d "
     "behind; fetch the full history to tell: fetch-depth: 0)"),
    (Arrival(T0, "c", exact=False), True, "at least 8d behind, more than --max-lag 7d)"),
    (Arrival(None, why=NOT_COMMITTED), False, "(staging's value is not committed yet)"),
    (Arrival(None, why="not a git repository"), True,
     "(since when is unknown: not a git repository)"),
])
def test_a_gap_counts_as_drift_beyond_max_lag_or_when_its_age_is_unknown(arrival, drift, text):
    (finding,) = environment_findings([gap()], {"staging": {API: arrival}}, T0 + 8 * DAY,
                                      timedelta(days=7))
    assert finding.drift is drift and text in finding.message
    assert finding.message.startswith("api image: prod has 2.0.0, staging has 3.0.0 ")
    assert (finding.kind, finding.environment, finding.app, finding.file, finding.line) == (
        "behind", "prod", "prod-api", "environments/prod.yaml", 12)


# -- per-service pins between stages --------------------------------------------------

R1, R2, R3 = "1" * 40, "2" * 40, "3" * 40


def chain(staging: str, prod: str, staging_own: dict[str, str] | None = None,
          prod_own: dict[str, str] | None = None):
    """argocd_spec's tree with staging and prod deploying `staging`/`prod` (source.revision)
    and some services pinned to their own chart commit."""
    from dataclasses import replace

    from gitops_tool.core.model import Tree
    from tests.support.trees import argocd_spec, tree_from_spec

    tree = tree_from_spec(argocd_spec())
    envs = []
    for env in tree.environments:
        own = {"staging": staging_own or {}, "prod": prod_own or {}}.get(env.name, {})
        revision = {"staging": staging, "prod": prod}.get(env.name, env.revision)
        releases = {name: replace(r, revision=own.get(name, "")) for name, r in
                    env.releases.items()}
        envs.append(replace(env, revision=revision, releases=releases))
    return Tree(tree.settings, tree.services, tuple(envs))


def test_a_service_whose_own_chart_commit_differs_is_a_gap_of_that_service():
    from gitops_tool.core.drift.stages import stage_gaps

    # Same source.revision, but staging's api runs its chart from another commit.
    tree = chain(R1, R1, staging_own={"api": R2})
    (gap_,) = stage_gaps(tree, ["prod"])
    assert (gap_.earlier, gap_.later, gap_.key) == ("staging", "prod", ("api", REVISION))
    assert (gap_.earlier_value, gap_.later_value) == (R2, R1)
    assert gap_.line == tree.environment("prod").releases["api"].line
    # The other way round: prod's worker has its own commit, staging's runs the environment's.
    tree = chain(R1, R1, prod_own={"worker": R3})
    assert [(g.key, g.earlier_value, g.later_value) for g in stage_gaps(tree, ["prod"])] == [
        (("worker", REVISION), R1, R3)]
    # Own commits that equal what the other stage deploys are no gap.
    assert stage_gaps(chain(R1, R2, prod_own={s: R1 for s in
                                              ("api", "worker", "portal", "ingress",
                                               "cert-manager")}), ["prod"]) == ()


def test_a_source_revision_gap_is_reported_for_each_service_it_moves():
    from gitops_tool.core.drift.stages import stage_gaps

    tree = chain(R1, R2, prod_own={"portal": R1})  # portal already runs staging's commit
    gaps = stage_gaps(tree, ["prod"])
    assert {g.key for g in gaps} == {(s, REVISION) for s in
                                     ("cert-manager", "ingress", "api", "worker")}
    assert all((g.earlier_value, g.later_value) == (R1, R2) for g in gaps)
    # Services in wave order, as the report lists them.
    assert [g.key[0] for g in gaps] == [s.name for s in tree.services if s.name != "portal"]
    # A branch cannot be compared with a commit: dev tracks main.
    assert not [g for g in stage_gaps(tree, ["staging"]) if g.key[1] == REVISION]


def test_a_revision_gap_names_the_service_and_shows_short_commits():
    (finding,) = environment_findings(
        [Gap("staging", "prod", ("api", REVISION), R2, R1, "environments/prod.yaml", 7)],
        {"staging": {("api", REVISION): Arrival(T0, "c")}}, T0 + DAY, timedelta(days=7))
    assert finding.app == "prod-api" and (finding.expected, finding.actual) == (R2, R1)
    assert finding.message.startswith(
        f"api chart revision: prod has {R1[:12]}, staging has {R2[:12]} since")


def test_pins_in_reads_the_commit_each_service_deploys():
    text = env_text(revision=R1, worker_revision=R2)
    assert pins_in(text) == {("api", IMAGE): "1.0.0", ("api", REVISION): R1,
                             ("worker", IMAGE): "2.0.0", ("worker", REVISION): R2}
    # A branch is no commit: only a service's own commit is read then.
    assert pins_in(env_text(revision="main", worker_revision=R2)) == {
        ("api", IMAGE): "1.0.0", ("worker", IMAGE): "2.0.0", ("worker", REVISION): R2}


def test_each_chosen_stage_is_compared_with_the_one_before_it_in_the_chain():
    from gitops_tool.core.drift.stages import stage_pairs

    tree = chain(R1, R1)
    assert stage_pairs(tree, ["dev", "staging", "prod"]) == (("dev", "staging"),
                                                             ("staging", "prod"))
    assert stage_pairs(tree, ["prod"]) == (("staging", "prod"),)
    assert stage_pairs(tree, ["dev"]) == ()  # the first stage has nothing before it
