"""Listing chart folders never races with helm, and a folder of build output is no chart.

`helm dependency build` creates and removes <chart>/tmpcharts-<pid> while it works; a
listing running beside it must neither fail on the vanished folder nor report it. After
`git rm -r charts/<name>`, the git-ignored Chart.lock and charts/*.tgz stay behind.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gitops_tool.adapters import files
from gitops_tool.commands import render
from gitops_tool.commands import validate as command
from gitops_tool.errors import InputError
from tests.support.charts import chart_tree, write_chart
from tests.support.repo import REPO


@contextmanager
def _helm_at_work(chart: Path, prefix: str = "tmpcharts-") -> Iterator[None]:
    """What `helm dependency build` does in `chart`, as fast as it can, in a thread: a
    folder <prefix><n> made, filled and removed, again and again."""
    stop = threading.Event()

    def work() -> None:
        n = 0
        while not stop.is_set():
            temp = chart / f"{prefix}{n}"
            (temp / "common" / "templates").mkdir(parents=True)
            (temp / "common" / "templates" / "_names.tpl").write_text("x")
            shutil.rmtree(temp)
            n += 1

    worker = threading.Thread(target=work)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()


def test_a_listing_beside_helms_temporary_folders_neither_fails_nor_reports_them(tmp_path):
    chart = write_chart(tmp_path / "charts", "web")
    expected = files.chart_file_names(chart)
    with _helm_at_work(chart):
        for _ in range(300):
            assert files.chart_file_names(chart) == expected
    assert not any(name.startswith("tmpcharts-") for name in expected)


@pytest.mark.parametrize("prefix", ["tmpcharts-", "scratch-"])
def test_loading_a_chart_beside_helms_temporary_folders_never_fails(tmp_path, prefix):
    """load_service, which every command that loads charts runs, checks the links of each
    subfolder: helm's folder is skipped, and any folder that vanishes while it is walked
    is gone, never 'cannot read'."""
    root = chart_tree(tmp_path / "repo", ["web"])
    chart = write_chart(root / "charts", "web")
    (chart / "templates" / "extra").mkdir()  # a subfolder whose links are checked
    settings = files.load_settings(root)
    expected = files.load_service(root, chart, settings)
    errors = []
    with _helm_at_work(chart, prefix):
        for _ in range(300):
            try:
                assert files.load_service(root, chart, settings) == expected
            except InputError as exc:
                errors.append(exc.message)
    assert errors == []


def test_a_link_out_of_the_repository_is_still_refused_beside_helms_folders(tmp_path):
    root = chart_tree(tmp_path / "repo", ["web"])
    chart = write_chart(root / "charts", "web")
    (chart / "templates" / "outside.yaml").symlink_to(tmp_path)
    with _helm_at_work(chart), pytest.raises(InputError) as error:
        files.load_service(root, chart, files.load_settings(root))
    assert error.value.message.startswith("charts/web/templates/outside.yaml: a symlink to")


def _leftover(root: Path, name: str = "gone") -> Path:
    """What `git rm -r charts/<name>` leaves: the git-ignored build output only."""
    folder = root / "charts" / name
    (folder / "charts").mkdir(parents=True)
    (folder / "charts" / "common-0.1.0.tgz").write_bytes(b"\x1f\x8b")
    (folder / "Chart.lock").write_text("dependencies: []\n")
    return folder


def test_a_folder_of_build_output_is_not_a_chart(tmp_path):
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(root / "charts", "web")
    _leftover(root)
    settings = files.load_settings(root)
    assert [p.name for p in files.chart_folders(root, settings)] == ["web"]
    assert [s.name for s in files.load_tree(root).services] == ["web"]
    assert render.run(render.RenderOptions(root=root)).exit_code == 0
    result = command.run(command.ValidateOptions(root=root, helm=False))
    assert result.charts == ("web",)


def test_a_folder_without_chart_yaml_but_with_sources_says_what_to_do(tmp_path):
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(root / "charts", "web")
    (_leftover(root) / "values.yaml").write_text("{}\n")
    with pytest.raises(InputError) as error:
        files.load_tree(root)
    assert error.value.message == "charts/gone/Chart.yaml: missing"
    assert "remove the folder charts/gone if the chart is gone" in error.value.hint


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(),
                    reason="needs git and this repository's checkout")
def test_helms_temporary_folders_are_git_ignored():
    done = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "-q", "charts/supabase/tmpcharts-16986/x"],
        capture_output=True,
    )
    assert done.returncode == 0
