"""What issue 13 asks of the workflows, read from their YAML: triggers, least-privilege
permissions, timeouts, one run per environment at a time, current action majors, the pip cache,
and no secret or untrusted input reaching a `run:` script."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.integration.ci.workflows import all_workflows, jobs, load, promotion_chain, steps

WORKFLOWS = all_workflows()

# Every job's permissions, exactly: adding a scope (or a job) is a decision this test records.
PERMISSIONS = {
    ("ci", "test"): {"contents": "read"},
    ("drift", "drift"): {"contents": "read"},
    ("promote", "preflight"): {"contents": "read"},
    ("promote", "push"): {"contents": "write"},
    ("promote", "pull-request"): {"contents": "write", "pull-requests": "write"},
}

# The first major of each action that runs on Node 24 (Node 20 is deprecated on GitHub's
# runners): checkout@v4 and setup-python@v5 are the deprecated ones. docs/ci.md says which
# majors the workflows use and how they were checked.
NODE24_FROM = {"actions/checkout": 5, "actions/setup-python": 6}

SECRET_ENV = re.compile(r"\$\{\{\s*secrets\.")


def run_scripts(name: str) -> dict[str, str]:
    """Step name (or run text) -> run script, for the steps of workflow `name` that run one."""
    return {
        step.get("name", step["run"]): step["run"]
        for _, step in steps(WORKFLOWS[name])
        if "run" in step
    }


def commands(script: str) -> list[list[str]]:
    """The script's lines as words (continuations joined), for checking a command's flags."""
    joined = script.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.strip()]


def test_the_three_workflows_are_there():
    assert {"ci", "drift", "promote"} <= set(WORKFLOWS)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_job_has_a_timeout(name):
    for job_id, job in jobs(WORKFLOWS[name]):
        minutes = job.get("timeout-minutes")
        assert isinstance(minutes, int) and 0 < minutes <= 60, f"{name}.{job_id}: {minutes!r}"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_permissions_are_granted_per_job_and_no_more(name):
    workflow = WORKFLOWS[name]
    assert workflow.get("permissions") == {}, f"{name}: the workflow grants nothing by default"
    for job_id, job in jobs(workflow):
        assert (name, job_id) in PERMISSIONS, f"{name}.{job_id}: a job this test does not know"
        assert job.get("permissions") == PERMISSIONS[name, job_id], f"{name}.{job_id}"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_actions_are_at_node24_majors(name):
    for job_id, step in steps(WORKFLOWS[name]):
        if "uses" not in step:
            continue
        action, _, ref = step["uses"].partition("@")
        assert action in NODE24_FROM, f"{name}.{job_id}: {action} is not a known action"
        major = re.fullmatch(r"v(\d+)", ref)
        assert major, f"{name}.{job_id}: {step['uses']}: pin the major version tag (vN)"
        assert int(major[1]) >= NODE24_FROM[action], f"{name}.{job_id}: {step['uses']} is Node 20"


def test_the_docs_examples_use_the_workflows_action_majors():
    from pathlib import Path

    used = {step["uses"] for w in WORKFLOWS.values() for _, step in steps(w) if "uses" in step}
    docs = Path(__file__).resolve().parents[3] / "docs"
    for page in sorted(docs.glob("*.md")):
        for line in page.read_text().splitlines():
            if found := re.match(r"\s*-?\s*uses:\s*(\S+)", line):
                assert found[1] in used, f"{page.name}: {line.strip()} (the workflows use " \
                    f"{', '.join(sorted(used))})"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_setup_python_caches_pip(name):
    setups = [
        s
        for _, s in steps(WORKFLOWS[name])
        if s.get("uses", "").startswith("actions/setup-python@")
    ]
    assert setups, f"{name}: no setup-python step"
    for step in setups:
        assert step["with"]["cache"] == "pip"
        assert step["with"]["cache-dependency-path"] == "pyproject.toml"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_run_scripts_take_no_expressions(name):
    """Inputs, matrix values, secrets and event fields reach scripts through env: only, so
    nothing is pasted into shell source (script injection) or printed with the command."""
    for step_name, script in run_scripts(name).items():
        assert "${{" not in script, f"{name}: {step_name}"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_secrets_reach_only_the_steps_that_need_them(name):
    workflow = WORKFLOWS[name]
    assert not SECRET_ENV.search(str(workflow.get("env", {}))), f"{name}: workflow env"
    for job_id, job in jobs(workflow):
        assert not SECRET_ENV.search(str(job.get("env", {}))), f"{name}.{job_id}: job env"
        for step in job.get("steps", []):
            assert not SECRET_ENV.search(str(step.get("with", {}))), f"{name}.{job_id}: with"
            secret_vars = [k for k, v in step.get("env", {}).items() if SECRET_ENV.search(str(v))]
            script = step.get("run", "")
            for var in secret_vars:
                # The tools (gitops-tool, gh) read them from the environment: a script that
                # names one could only print or pass it on.
                assert var not in script, f"{name}.{job_id}: the script names ${var}"
            assert "set -x" not in script and "set -o xtrace" not in script


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_only_jobs_that_push_keep_git_credentials(name):
    for job_id, job in jobs(WORKFLOWS[name]):
        pushes = job.get("permissions", {}).get("contents") == "write"
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                kept = step.get("with", {}).get("persist-credentials", True)
                assert kept is pushes, f"{name}.{job_id}: persist-credentials {kept}"


def test_ci_lints_tests_and_checks_on_push_and_pull_request():
    ci = WORKFLOWS["ci"]
    assert {"push", "pull_request"} <= set(ci["on"])
    words = [cmd for script in run_scripts("ci").values() for cmd in commands(script)]
    assert ["make", "lint"] in words
    assert ["make", "test"] in words
    assert [".venv/bin/gitops-tool", "render", "--check"] in words
    assert [".venv/bin/gitops-tool", "validate"] in words  # the full check, with helm v4


def test_ci_cancels_only_superseded_pull_request_runs():
    concurrency = WORKFLOWS["ci"]["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_drift_runs_on_a_schedule_and_on_demand_only():
    assert set(WORKFLOWS["drift"]["on"]) == {"schedule", "workflow_dispatch"}
    (cron,) = WORKFLOWS["drift"]["on"]["schedule"]
    assert len(cron["cron"].split()) == 5


def test_drift_job_never_runs_for_a_pull_request():
    condition = WORKFLOWS["drift"]["jobs"]["drift"]["if"]
    events = re.findall(r"github\.event_name == '(\w+)'", condition)
    # The condition is exactly a list of allowed events: no other clause can widen it.
    assert condition == " || ".join(f"github.event_name == '{e}'" for e in events)
    assert set(events) == {"schedule", "workflow_dispatch"}


def test_drift_checks_each_environment_of_the_chain_live():
    job = WORKFLOWS["drift"]["jobs"]["drift"]
    assert job["strategy"]["matrix"]["environment"] == promotion_chain()
    assert job["strategy"]["fail-fast"] is False
    (step,) = [s for s in job["steps"] if "drift" in s.get("run", "")]
    assert step["env"]["ENVIRONMENT"] == "${{ matrix.environment }}"
    assert step["env"]["ARGOCD_SERVER"] == "${{ secrets.ARGOCD_SERVER }}"
    assert step["env"]["ARGOCD_AUTH_TOKEN"] == "${{ secrets.ARGOCD_AUTH_TOKEN }}"
    assert 'args=(drift "$ENVIRONMENT" --github --require-live)' in step["run"]
    assert 'gitops-tool "${args[@]}"' in step["run"]
    others = [s for s in job["steps"] if s is not step]
    assert not any(SECRET_ENV.search(str(s.get("env", {}))) for s in others)


def test_one_drift_run_per_environment_at_a_time():
    concurrency = WORKFLOWS["drift"]["jobs"]["drift"]["concurrency"]
    assert concurrency["group"] == "drift-${{ matrix.environment }}"
    assert concurrency["cancel-in-progress"] is False


def test_promote_offers_the_chain_as_choices():
    inputs = WORKFLOWS["promote"]["on"]["workflow_dispatch"]["inputs"]
    chain = promotion_chain()
    assert inputs["source"]["type"] == inputs["target"]["type"] == "choice"
    assert inputs["source"]["options"] == chain[:-1]
    assert inputs["target"]["options"] == chain[1:]
    assert inputs["mode"]["options"] == ["pull-request", "push"]
    assert set(WORKFLOWS["promote"]["on"]) == {"workflow_dispatch"}


@pytest.mark.parametrize("job_id", ["push", "pull-request"])
def test_promotion_runs_under_the_target_environment_one_at_a_time(job_id):
    job = WORKFLOWS["promote"]["jobs"][job_id]
    assert job["environment"] == "${{ inputs.target }}"  # its required reviewers apply
    assert job["needs"] == "preflight"
    assert job["if"] == f"inputs.mode == '{job_id}'"
    assert job["concurrency"] == {
        "group": "promote-${{ inputs.target }}",
        "cancel-in-progress": False,
    }


@pytest.mark.parametrize(
    ("job_id", "flags"),
    [
        ("push", ["--yes", "--push"]),
        ("pull-request", ["--yes", "--branch", "--push", "-o", "markdown"]),
    ],
)
def test_promotion_commits_with_an_identity(job_id, flags):
    job_steps = WORKFLOWS["promote"]["jobs"][job_id]["steps"]
    runs = [s.get("run", "") for s in job_steps]
    promote_at = next(i for i, r in enumerate(runs) if 'args=(promote "$SOURCE" "$TARGET"' in r)
    identity = "\n".join(runs[:promote_at])
    assert "git config user.name" in identity and "git config user.email" in identity
    (line,) = [c for c in commands(runs[promote_at]) if c[:2] == ["args=(promote", "$SOURCE"]]
    for flag in flags:
        assert flag in line or flag + ")" in line, f"{job_id}: {flag} missing from {line}"


@pytest.mark.parametrize("job_id", ["push", "pull-request"])
def test_promotion_gate_reads_argo_cd_with_the_secrets(job_id):
    job_steps = WORKFLOWS["promote"]["jobs"][job_id]["steps"]
    (step,) = [s for s in job_steps if 'args=(promote "$SOURCE"' in s.get("run", "")]
    assert step["env"]["ARGOCD_SERVER"] == "${{ secrets.ARGOCD_SERVER }}"
    assert step["env"]["ARGOCD_AUTH_TOKEN"] == "${{ secrets.ARGOCD_AUTH_TOKEN }}"
    for key in ("SOURCE", "TARGET", "SERVICES", "SKIP_GATE_REASON"):
        assert step["env"][key].startswith("${{ inputs."), key


def test_pull_request_path_opens_the_pr_with_the_markdown_body():
    job_steps = WORKFLOWS["promote"]["jobs"]["pull-request"]["steps"]
    promote = next(s for s in job_steps if s.get("id") == "promote")
    assert '> "$RUNNER_TEMP/pull-request.md"' in promote["run"]
    (gh,) = [s for s in job_steps if "gh pr create" in s.get("run", "")]
    assert '--body-file "$RUNNER_TEMP/pull-request.md"' in gh["run"]
    assert gh["env"]["BRANCH"] == "${{ steps.promote.outputs.branch }}"
    assert "GH_TOKEN" in gh["env"]


def test_preflight_checks_the_pair_before_any_reviewer_is_asked():
    preflight = WORKFLOWS["promote"]["jobs"]["preflight"]
    assert "environment" not in preflight
    runs = [s.get("run", "") for s in preflight["steps"]]
    assert any('scripts/promotion_pair.py "$SOURCE" "$TARGET"' in r for r in runs)


def test_loader_reads_on_as_a_key():
    assert "on" in load("ci") and True not in load("ci")
