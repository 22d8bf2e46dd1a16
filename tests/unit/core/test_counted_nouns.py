"""Counted nouns agree: "1 chart", "1 application", "1 finding", "2 findings"."""

from __future__ import annotations

from types import SimpleNamespace

from gitops_tool.commands.doctor import Check, DoctorResult
from gitops_tool.commands.status import StatusResult
from gitops_tool.commands.sync import SyncOutcome, SyncResult
from gitops_tool.core.apps import AppTarget
from gitops_tool.core.argocd.appstatus import StatusRow
from gitops_tool.core.argocd.rollout import RolloutPlan, Wave
from gitops_tool.core.promote.gate import Gate, GateRow, GateStatus
from gitops_tool.core.render.plan import WritePlan
from gitops_tool.core.wording import agreeing, plural
from gitops_tool.output.doctor import doctor_text
from gitops_tool.output.promote import gate_line
from gitops_tool.output.render import summary as render_summary
from gitops_tool.output.status import status_table
from gitops_tool.output.sync import sync_text
from gitops_tool.output.validate import summary as validate_summary


def _app(name: str, wave: int = 30) -> AppTarget:
    return AppTarget(name=name, service=name[4:], plane="app-plane", wave=wave,
                     project="p", namespace="argocd", revision="main", automated=True)


def test_plural():
    assert [plural(n, "chart") for n in (0, 1, 2)] == ["0 charts", "1 chart", "2 charts"]
    assert plural(1, "argocd/ file") == "1 argocd/ file"


def test_render_summary():
    plan = WritePlan(write=(), unchanged=("argocd/dev/root.yaml",), remove=(), new=frozenset())
    result = SimpleNamespace(output_dir="argocd", plan=plan, check=True, diff="",
                             counts=(("dev", (("app-plane", 1),)),), exit_code=0)
    assert render_summary(result).splitlines() == [
        "dev: 1 Application (app-plane 1)", "argocd/ is up to date (1 file)."]


def test_validate_summary():
    result = SimpleNamespace(charts=("web",), environments=("dev",), helm_version="v4.1.4",
                             argocd_files=1, schemas=("Application",), findings=("f",),
                             waived=(), warnings=(), seconds=1.0)
    assert validate_summary(result) == (
        "1 chart x 1 environment checked (helm v4.1.4), 1 argocd/ file (CRD schemas: "
        "Application): 1 finding, 0 waived, 1.0s")


def test_status_sync_and_doctor():
    row = StatusRow("dev-web", "app-plane", 30, "Synced", "Healthy", "a" * 40, "1.0", "1.0",
                    "Succeeded", ())
    assert "dev: 1 of 1 application Synced and Healthy at main (h)" in status_table(
        StatusResult("dev", "main", "h", (row,)))
    plan = RolloutPlan("dev", _app("dev-root", 0), (Wave(30, "app-plane", (_app("dev-web"),)),))
    assert sync_text(SyncResult(plan, SyncOutcome.DONE, sync_id="x")) == (
        "dev: synced dev-root and 1 application in 1 wave (sync id x)")
    assert doctor_text(DoctorResult((Check("git", False, "not found", "install git"),))
                       ).endswith("1 of 1 check failed")


def test_render_names_one_kept_file_as_it():
    plan = WritePlan(write=(), unchanged=(), remove=(), new=frozenset(),
                     foreign=("argocd/dev/by-hand.yaml",))
    result = SimpleNamespace(output_dir="argocd", plan=plan, check=False, diff="", counts=(),
                             exit_code=0)
    text = render_summary(result)
    assert "1 file that render does not produce" in text
    assert "never removes it; remove it by hand if it should go" in text


def _row(app: str, problems: tuple[str, ...] = ()) -> GateRow:
    return GateRow(app, app[8:], "Synced", "Healthy", "a" * 40, "1.0", "a" * 40, "1.0",
                   problems)


def test_promote_gate_counts_apps_and_its_verb_agrees():
    assert gate_line(Gate(GateStatus.PASSED, rows=(_row("staging-web"),)), "staging").startswith(
        "passed: 1 app of staging Synced and Healthy")
    refused = Gate(GateStatus.FAILING,
                   rows=(_row("staging-web", ("OutOfSync",)), _row("staging-api")))
    assert gate_line(refused, "staging") == (
        "refused: 1 of 2 apps of staging does not run what would be promoted, healthy")


def test_agreeing_words_follow_the_count():
    assert [agreeing(n, "was", "were") for n in (0, 1, 2)] == ["were", "was", "were"]
    assert plural(2, "retry", "retries") == "2 retries"
