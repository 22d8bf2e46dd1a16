"""gitops_tool.adapters.helm against the real binary: finding helm, failures, dependency builds."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

from gitops_tool.adapters import helm
from gitops_tool.errors import HelmError
from tests.support.signals import default_sigint

from .objects import CHARTS_DIR

pytestmark = pytest.mark.helm


def test_find_helm_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, helm_bin: str) -> None:
    monkeypatch.setenv("GITOPS_TOOL_HELM", helm_bin)
    assert helm.find_helm(tmp_path) == helm_bin
    monkeypatch.setenv("GITOPS_TOOL_HELM", str(tmp_path / "missing"))
    with pytest.raises(HelmError, match="GITOPS_TOOL_HELM"):
        helm.find_helm(tmp_path)
    monkeypatch.delenv("GITOPS_TOOL_HELM")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(HelmError, match="helm not found") as caught:
        helm.find_helm(tmp_path)
    assert "ensure_helm.py" in (caught.value.hint or "")
    local = tmp_path / ".tools" / "bin" / "helm"
    local.parent.mkdir(parents=True)
    shutil.copy(helm_bin, local)
    assert helm.find_helm(tmp_path) == str(local)


def test_version(helm_bin: str) -> None:
    assert helm.helm_version(helm_bin).startswith("v")


def test_failures_are_results_and_a_missing_binary_is_an_error(
    helm_bin: str, tmp_path: Path
) -> None:
    run = helm.template(helm_bin, tmp_path / "no-chart", "x", "ananta-dev", [])
    assert not run.ok and run.returncode != 0 and run.stderr and run.seconds >= 0
    with pytest.raises(HelmError, match="cannot start"):
        helm.lint(str(tmp_path / "no-helm"), tmp_path, [])


def test_a_hung_helm_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(HelmError, match="no answer"):
        helm._run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert time.monotonic() - started < 10


def test_an_interrupt_kills_helm_and_propagates(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"

    def interrupt_once_the_child_runs() -> None:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)  # delivered to the main thread, inside communicate()

    threading.Thread(target=interrupt_once_the_child_runs, daemon=True).start()
    with default_sigint(), pytest.raises(KeyboardInterrupt):
        helm._run([sys.executable, "-c", child])
    with pytest.raises(ProcessLookupError):  # terminated and reaped
        os.kill(int(pid_file.read_text()), 0)


def test_stop_all_ends_runs_in_other_threads_and_refuses_new_ones(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    runs: list[helm.HelmRun] = []
    worker = threading.Thread(target=lambda: runs.append(helm._run([sys.executable, "-c", child])))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        helm.stop_all()
        worker.join(timeout=20)
        assert not worker.is_alive(), "the helm run in the other thread was not stopped"
        assert runs and runs[0].returncode == -signal.SIGTERM
        with pytest.raises(helm.HelmStopped):
            helm._run([sys.executable, "-c", "pass"])
    finally:
        helm.allow_runs()
    assert helm._run([sys.executable, "-c", "pass"]).ok


def _scratch(tmp_path: Path, chart: str = "audit-logger") -> Path:
    shutil.copytree(CHARTS_DIR / "common", tmp_path / "common")
    ignore = shutil.ignore_patterns("charts", "Chart.lock")
    return Path(shutil.copytree(CHARTS_DIR / chart, tmp_path / chart, ignore=ignore))


def _archive(chart_dir: Path) -> Path:
    [archive] = (chart_dir / "charts").glob("*.tgz")
    return archive


def test_dependency_build_skips_when_up_to_date_and_rebuilds_on_change(
    helm_bin: str, tmp_path: Path
) -> None:
    chart_dir = _scratch(tmp_path)
    helm.dependency_build(helm_bin, chart_dir)
    archive = _archive(chart_dir)
    built_at = archive.stat().st_mtime_ns
    helm.dependency_build(helm_bin, chart_dir)
    assert archive.stat().st_mtime_ns == built_at, "up to date: no rebuild"
    helper = tmp_path / "common" / "templates" / "_helpers.tpl"
    helper.write_text(helper.read_text() + "{{/* changed */}}\n")
    helm.dependency_build(helm_bin, chart_dir)
    with tarfile.open(_archive(chart_dir)) as tar:
        content = tar.extractfile("common/templates/_helpers.tpl").read()  # type: ignore[union-attr]
    assert b"changed" in content
    (tmp_path / "common" / "schema").mkdir(exist_ok=True)
    (tmp_path / "common" / "schema" / "note.txt").write_text("helmignored")
    rebuilt_at = _archive(chart_dir).stat().st_mtime_ns
    helm.dependency_build(helm_bin, chart_dir)
    assert _archive(chart_dir).stat().st_mtime_ns == rebuilt_at, ".helmignore is honoured"


def test_concurrent_dependency_builds(helm_bin: str, tmp_path: Path) -> None:
    chart_dir = _scratch(tmp_path)
    errors: list[BaseException] = []

    def build() -> None:
        try:
            helm.dependency_build(helm_bin, chart_dir)
            run = helm.template(
                helm_bin, chart_dir, "audit-logger", "ananta-dev", [chart_dir / "values.yaml"]
            )
            assert run.ok, run.stderr
        except BaseException as e:  # collected and re-raised in the test thread
            errors.append(e)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [p.name for p in (chart_dir / "charts").iterdir()] == [_archive(chart_dir).name]


def _drop_version(text: str) -> str:
    return "\n".join(x for x in text.splitlines() if not x.startswith("version:")) + "\n"


@pytest.mark.parametrize(
    ("which", "broken"),
    [
        ("common", _drop_version),
        ("common", lambda _text: "- not\n- a mapping\n"),
        ("common", lambda text: text.replace("name: common", "name: [common]")),
        ("chart", lambda text: text.replace("repository:", "ignored:")),
    ],
)
def test_dependency_build_of_an_odd_chart_yaml_is_a_helm_error_not_a_crash(
    helm_bin: str, tmp_path: Path, which: str, broken
) -> None:
    chart_dir = _scratch(tmp_path)
    target = (tmp_path / "common" if which == "common" else chart_dir) / "Chart.yaml"
    before = target.read_text()
    target.write_text(broken(before))
    assert target.read_text() != before
    with pytest.raises(HelmError):  # never KeyError/TypeError from the up-to-date check
        helm.dependency_build(helm_bin, chart_dir)


@pytest.mark.parametrize(
    "dependencies",
    ["[{name: ~, version: 0.1.0, repository: 'file://../common'}]", "[common]", "common"],
)
def test_an_odd_dependency_list_is_not_up_to_date_and_never_a_crash(
    helm_bin: str, tmp_path: Path, dependencies: str
) -> None:
    chart_dir = _scratch(tmp_path)
    (chart_dir / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: audit-logger\nversion: 0.1.0\ndependencies: {dependencies}\n"
    )
    assert not helm._dependencies_up_to_date(chart_dir)
    with contextlib.suppress(HelmError):  # helm decides; never KeyError, TypeError...
        helm.dependency_build(helm_bin, chart_dir)
