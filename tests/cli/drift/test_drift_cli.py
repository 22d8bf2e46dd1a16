"""`gitops-tool drift` through the CLI: each output format, every exit code, --github."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.argocd.fake import FakeClock, Fault
from tests.support.trees import pin_line
from tests.support.workflow_commands import commands_read

pytestmark = pytest.mark.timeout(120)
LIST = "GET /api/v1/applications"


def test_table_exit_0_when_nothing_drifts(cli, live):
    result = cli()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("live drift checked on 127.0.0.1:")
    assert lines[1] == "no drift"
    assert "repo drift: argocd/ matches what render produces" in result.stdout


def test_json_exit_1_with_one_object_per_finding(cli, live, root):
    live.apps["staging-api"].sync_status = "OutOfSync"
    edited = root / "argocd/dev/applications/dev-worker.yaml"
    edited.write_text(edited.read_text() + "# by hand\n")
    result = cli("-o", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["exit_code"] == 1 and data["live"]["state"] == "checked"
    assert [{k: f[k] for k in ("kind", "environment", "app", "file", "message")}
            for f in data["findings"]] == [
        {"kind": "repo", "environment": "dev", "app": "dev-worker",
         "file": "argocd/dev/applications/dev-worker.yaml",
         "message": "differs from what render produces (a hand edit or a forgotten render)"},
        {"kind": "out-of-sync", "environment": "staging", "app": "staging-api", "file": "",
         "message": "sync status is OutOfSync"},
    ]
    assert data["counts"] == {"repo": 1, "live": 1, "environment": 0, "drift": 2,
                              "within": 0}


def test_markdown_says_live_drift_skipped_first(cli):
    result = cli("-o", "markdown", server=False)
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("## ✅ gitops-tool drift: live drift skipped: no Argo CD server")


def test_require_live_without_a_server_exits_3(cli):
    result = cli("--require-live", server=False)
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0].endswith("--require-live makes this exit 3")


def test_unreachable_argo_cd_exits_3_and_markdown_says_live_drift_unknown(cli, fake):
    fake.stop()
    result = cli("-o", "markdown")
    assert result.exit_code == 3
    assert "live drift unknown for dev, staging, prod" in result.stdout.splitlines()[0]


def test_unreachable_argo_cd_under_github_the_step_summary_says_live_drift_unknown(
        cli, fake, tmp_path):
    """Row 34 as the scheduled job runs it: exit 3, and the step summary says so first."""
    fake.stop()
    summary = tmp_path / "summary.md"
    result = cli("--github", "--require-live", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 3, result.output
    first = summary.read_text().splitlines()[0]
    assert first.startswith("## ⚠️ gitops-tool drift: live drift unknown for dev, staging, prod")
    assert "no drift" not in summary.read_text()
    assert "| live drift | dev, staging, prod | 0 findings; unknown for dev, staging, prod |" \
        in summary.read_text()


@pytest.mark.parametrize("args, message", [
    (("qa",), "unknown environment 'qa'"),
    (("--max-lag", "a week"), "'a week': not a duration"),
    (("--max-lag", "99999999999d"), "'99999999999d': longer than any date"),
    (("-o", "yaml"), "'yaml' is not one of"),
])
def test_bad_input_exits_2(cli, args, message):
    result = cli(*args, server=False)
    assert result.exit_code == 2 and message in result.output


def test_an_empty_server_secret_is_no_server_exit_3_with_require_live(cli, fake):
    """In CI a secret that is not set expands to "": docs/ci.md says that is exit 3."""
    result = cli("--github", "--require-live", server=False,
                 env={"ARGOCD_SERVER": "", "ARGOCD_AUTH_TOKEN": "some-token"})
    assert result.exit_code == 3, result.output
    assert "::error title=live drift skipped::no Argo CD server configured" in result.stdout
    assert fake.records == []


def test_a_server_without_a_token_exits_2_like_status(cli, fake):
    result = cli(server=False, env={"ARGOCD_SERVER": fake.url})
    assert result.exit_code == 2 and "no Argo CD token" in result.stderr
    assert fake.records == []


def test_ctrl_c_exits_130(cli, live):
    live.fault(LIST, Fault(503), Fault(503))
    result = cli(runtime_clock=FakeClock(interrupt_after=1))
    assert result.exit_code == 130 and "interrupted" in result.stderr


# -- --github -------------------------------------------------------------------------


def test_github_writes_the_step_summary_and_annotations(cli, live, root, tmp_path):
    hostile = "evil::set-output name=x::1\n::error::pwned ##[set-env name=A]b %0A"
    live.add_app(hostile, "ananta-prod", labels={"gitops-tool/environment": "prod"})
    live.apps["dev-api"].image_tag = "0.0.1"
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    result = cli("--github", "--details", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    commands = commands_read(result.stdout)
    assert commands == [
        f"::error file=environments/dev.yaml,line={pin_line(root, 'dev', 'api')},"
        "title=image-tag (dev)::dev-api: image tag "
        "0.0.1, the pin is 1.0.0",
        "::error title=orphan (prod)::evil: :set-output name=x: :1%0A: :error: :pwned ## "
        "[set-env name=A]b %250A: in Argo CD (project ananta-prod) with label "
        "gitops-tool/environment=prod, but git declares no such Application (a removed "
        "chart? delete it, or restore the chart)",
    ]
    text = summary.read_text()
    assert text.startswith("earlier step\n## ❌ gitops-tool drift: live drift checked on")
    # the newline shown as \x0a (its backslash escaped for Markdown), [ and ] escaped
    assert "| prod | evil::set-output name=x::1\\\\x0a::error::pwned ##\\[set-env name=A\\]b " \
        "%0A | orphan |" in text
    assert "<" not in text.replace("<details>", "").replace("</details>", "").replace(
        "<summary>", "").replace("</summary>", "")


def test_github_json_keeps_stdout_one_object_and_annotates_on_stderr(cli, live, tmp_path):
    live.add_app("x##[add-mask]y", "ananta-dev", labels={"gitops-tool/environment": "dev"})
    result = cli("--github", "-o", "json",
                 env={"GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")})
    assert result.exit_code == 1
    assert "##[" not in result.stdout  # written as ##\u005b: the same JSON
    data = json.loads(result.stdout)
    assert data["findings"][0]["app"] == "x##[add-mask]y"
    assert result.stderr.splitlines()[0].startswith("::error title=orphan (dev)::x## [add-mask]y")


def test_github_annotates_ten_per_level_and_says_how_many_more(cli, live):
    for i in range(25):
        live.add_app(f"dev-orphan-{i:02}", "ananta-dev",
                     labels={"gitops-tool/environment": "dev"})
    result = cli("--github")
    commands = commands_read(result.stdout)
    assert len(commands) == 11 and commands[-1].startswith("::notice title=gitops-tool drift"
                                                           "::15 more findings not annotated")
    assert "::warning title=gitops-tool::--github: GITHUB_STEP_SUMMARY is not set" in \
        result.stderr


def test_github_cuts_the_step_summary_under_1_mib_and_says_where(cli, live, tmp_path):
    for i in range(3000):
        live.add_app(f"prod-orphan-{i:04}-{'x' * 200}", "ananta-prod",
                     labels={"gitops-tool/environment": "prod"})
    summary = tmp_path / "summary.md"
    result = cli("--github", "-o", "json", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1 and len(json.loads(result.stdout)["findings"]) == 3000
    size = summary.stat().st_size
    assert 900_000 < size < 1_000_000 < 1024 * 1024
    note = re.search(r"Report cut at (\d+) of 3000 findings", summary.read_text())
    assert note and 0 < int(note.group(1)) < 3000
    rows = summary.read_text().count("| prod | prod-orphan-")
    assert rows == int(note.group(1))


def test_github_annotates_a_stage_behind_as_a_notice_within_max_lag_else_an_error(
        cli, history, live):
    from datetime import timedelta

    from tests.support.drift import T0, render_all

    history.set_pin("dev", "api", "2.0.0")
    render_all(history.root)
    history.commit("dev: api 2.0.0", T0 + timedelta(days=1))  # the clock says 2026-01-01
    live.apps["dev-api"].image_tag = "2.0.0"
    within = commands_read(cli("--github", "--max-lag", "60d").stdout)
    line = pin_line(history.root, "staging", "api")
    assert within == [f"::notice file=environments/staging.yaml,line={line},title=behind (staging)"
                      "::staging-api: api image: staging has 1.0.0, dev has 2.0.0 since "
                      "2025-12-02T09:00:00Z (29d 15h behind)"]
    beyond = cli("--github", "staging")
    assert beyond.exit_code == 1
    assert commands_read(beyond.stdout)[0].startswith(
        f"::error file=environments/staging.yaml,line={line},title=behind (staging)::staging-api: "
        "api image: staging has 1.0.0, dev has 2.0.0 since 2025-12-02T09:00:00Z (29d 15h "
        "behind, more than --max-lag 7d)")


def test_loading_the_cli_imports_no_jinja2_git_or_requests():
    import subprocess
    import sys

    code = ("import sys; import gitops_tool.cli; print(sorted(m for m in "
            "('jinja2', 'git', 'requests', 'gitops_tool.commands.drift') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_refused_journal_exits_3_with_the_rest_of_the_report(cli, live, root, tmp_path):
    (root / "argocd/.gitops-tool-write").write_text("left by hand\n")
    live.apps["dev-api"].health = "Degraded"
    summary = tmp_path / "summary.md"
    result = cli("--github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 3, result.output
    assert commands_read(result.stdout)[0].startswith(
        "::error title=repo drift unknown::argocd/ could not be read settled: "
        "argocd/.gitops-tool-write: not a folder gitops-tool made")
    assert "\nrepo drift: unknown: argocd/ could not be read settled: " in result.stdout
    assert "\nlive drift: 1 finding\n" in result.stdout  # the rest is reported
    assert "| repo drift | dev, staging, prod (and bootstrap) | unknown: argocd/" in \
        summary.read_text()
    data = json.loads(cli("-o", "json").stdout)
    assert data["exit_code"] == 3 and data["live"]["state"] == "checked"
    assert [(u["part"], u["environment"]) for u in data["unknown"]] == [("repo", "")]
