"""`gitops-tool render` through Typer's CliRunner: exit codes, stdout (the diff), stderr."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gitops_tool import __version__
from gitops_tool.cli import app
from gitops_tool.commands.render import RenderOptions, RenderResult, run
from tests.support.trees import small_spec, write_tree


def invoke(root: Path, *args: str):
    return CliRunner().invoke(app, ["--repo", str(root), "render", *args])


def state(root: Path) -> dict[str, str]:
    out = root / "argocd"
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted(out.rglob("*"))
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small tree with argocd/ rendered."""
    root = write_tree(tmp_path / "repo", small_spec())
    assert invoke(root).exit_code == 0
    return root


def test_render_writes_argocd_and_summarises_on_stderr(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", small_spec())
    result = invoke(root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "dev: 5 Applications (infrastructure 2, control-plane 1, app-plane 2)" in result.stderr
    assert "argocd/: 32 written (32 new), 0 unchanged, 0 removed" in result.stderr
    app = yaml.safe_load((root / "argocd/prod/applications/prod-portal.yaml").read_text())
    assert app["metadata"]["name"] == "prod-portal"
    again = run(RenderOptions(root))
    assert (len(again.plan.write), len(again.plan.unchanged), len(again.plan.remove)) == (0, 32, 0)


def test_check_is_clean_after_render(repo: Path) -> None:
    before = state(repo)
    result = invoke(repo, "--check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "argocd/ is up to date" in result.stderr
    assert state(repo) == before


def test_check_reports_drift_as_a_diff_and_writes_nothing(repo: Path) -> None:
    app = repo / "argocd/dev/applications/dev-portal.yaml"
    app.write_text(app.read_text().replace('value: "1.0.0"', 'value: "0.9.0"'))
    (repo / "argocd/dev/applications/dev-old.yaml").write_text("old: true\n")
    (repo / "argocd/staging/root.yaml").unlink()
    before = state(repo)
    result = invoke(repo, "--check")
    assert result.exit_code == 1
    assert '-          value: "0.9.0"\n+          value: "1.0.0"\n' in result.stdout
    assert "--- a/argocd/dev/applications/dev-old.yaml\n+++ /dev/null\n" in result.stdout
    assert "--- /dev/null\n+++ b/argocd/staging/root.yaml\n" in result.stdout
    assert state(repo) == before
    checked: RenderResult = run(RenderOptions(repo, check=True))
    assert checked.exit_code == 1
    assert [p for p, _ in checked.plan.write] == [
        "argocd/dev/applications/dev-portal.yaml",
        "argocd/staging/root.yaml",
    ]
    assert checked.plan.new == {"argocd/staging/root.yaml"}
    assert checked.plan.remove == ("argocd/dev/applications/dev-old.yaml",)
    assert checked.diff == result.stdout
    assert state(repo) == before
    assert invoke(repo).exit_code == 0
    assert invoke(repo, "--check").exit_code == 0


def test_rendering_one_environment_leaves_the_others(repo: Path) -> None:
    (repo / "argocd/prod/applications/prod-portal.yaml").write_text("edited by hand\n")
    result = run(RenderOptions(repo, ("dev", "staging")))
    assert [env for env, _ in result.counts] == ["dev", "staging"]
    assert not any(p.startswith("argocd/prod/") for p in result.plan.unchanged)
    assert (repo / "argocd/prod/applications/prod-portal.yaml").read_text() == "edited by hand\n"
    assert invoke(repo, "dev", "--check").exit_code == 0
    assert invoke(repo, "--check").exit_code == 1


def test_help_and_version() -> None:
    result = CliRunner().invoke(app, ["render", "--help"])
    assert result.exit_code == 0
    assert "--check" in result.stdout
    usage = next(line for line in result.stdout.splitlines() if line.startswith("Usage:"))
    assert usage.endswith(" render [OPTIONS] [ENV]...")  # any number of environments
    version = CliRunner().invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == f"gitops-tool {__version__}"


VERB_WORDS = ("render", "validate", "promote", "sync", "status", "doctor", "diff", "rollback")


def test_the_top_level_help_names_only_commands_that_exist() -> None:
    import re

    import typer.main

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    summary = (app.info.help or "").lower()
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    named = {w for w in VERB_WORDS if re.search(rf"\b{w}\b", summary)}
    assert {"render", "validate"} <= named
    assert named <= commands, f"the help names {sorted(named - commands)}, which do not exist"


def test_ctrl_c_exits_130_and_leaves_argocd(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dev = repo / "environments/dev.yaml"
    dev.write_text(dev.read_text().replace('"1.0.0"', '"1.1.0"'))
    before = state(repo)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    result = invoke(repo)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert state(repo) == before


def _edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text()
        assert old in text, (path, old)
        file.write_text(text.replace(old, new, 1))

    return edit


def _symlink_chart_outside(root: Path) -> None:
    outside = root.parent / "elsewhere"
    shutil.copytree(root / "charts/portal", outside)
    shutil.rmtree(root / "charts/portal")
    (root / "charts/portal").symlink_to(outside)


def _rename_chart(new: str) -> Callable[[Path], None]:
    def rename(root: Path) -> None:
        (root / "charts/portal").rename(root / f"charts/{new}")
        chart = root / f"charts/{new}/Chart.yaml"
        chart.write_text(chart.read_text().replace("name: portal", f"name: {new}"))
        for env in ("dev", "staging", "prod"):
            _edit(f"environments/{env}.yaml", "  portal:", f"  {new}:")(root)

    return rename


def _add_environment(root: Path, name: str) -> None:
    text = (root / "environments/dev.yaml").read_text()
    text = text.replace("proj-dev", f"proj-{name}").replace("ns-dev", f"ns-{name}")
    (root / f"environments/{name}.yaml").write_text(text)
    for chart in (root / "charts").iterdir():
        if chart.name != "common":
            (chart / f"values-{name}.yaml").write_text("{}\n")


LONG = "a" * 46  # staging-<46> is 54 characters: one over Helm's 53

BAD_INPUTS = {
    "malformed environment": (
        _edit("environments/staging.yaml", "  namespace: ns-staging", "  namespace: [ns"),
        "environments/staging.yaml:4:7: did not find expected ',' or ']'",
    ),
    "malformed values file": (
        _edit("charts/redis/values-prod.yaml", "replicaCount: 2", "replicaCount: {2"),
        "charts/redis/values-prod.yaml:",
    ),
    "malformed Chart.yaml": (
        _edit("charts/redis/Chart.yaml", "version: 0.1.0", "version: 0.1.0\n  bad: indent"),
        "charts/redis/Chart.yaml:",
    ),
    "duplicate key in an environment": (
        _edit("environments/dev.yaml", "domain:", "domain: x\ndomain:"),
        "environments/dev.yaml:5:1: duplicate key 'domain'",
    ),
    "duplicate key in a values file": (
        _edit("charts/portal/values.yaml", "replicaCount: 1", "replicaCount: 1\nreplicaCount: 2"),
        "charts/portal/values.yaml:7:1: duplicate key 'replicaCount'",
    ),
    "chart without a plane": (
        _edit("charts/worker/Chart.yaml", "  gitops-tool/plane: app-plane\n", "  x: y\n"),
        "charts/worker/Chart.yaml: annotations.gitops-tool/plane: missing",
    ),
    "chart with an unknown plane": (
        _edit("charts/worker/Chart.yaml", "plane: app-plane", "plane: data-plane"),
        "unknown plane 'data-plane'",
    ),
    "missing values-<env>.yaml": (
        lambda root: (root / "charts/worker/values-prod.yaml").unlink(),
        "charts/worker/values-prod.yaml: missing",
    ),
    "pin for a chart that does not exist": (
        _edit("environments/prod.yaml", "releases:\n", 'releases:\n  ghost:\n    image: "1.0"\n'),
        "environments/prod.yaml:21: releases.ghost: no chart charts/ghost exists; "
        "remove the pin or fix the name",
    ),
    "pin for a chart that does not exist, after the others": (
        _edit(
            "environments/prod.yaml",
            '  worker:\n    image: "1.0.0"\n',
            '  worker:\n    image: "1.0.0"\n  ghost:\n    image: "1.0"\n',
        ),
        "environments/prod.yaml:31: releases.ghost: no chart charts/ghost exists",
    ),
    "missing release pin": (
        _edit("environments/prod.yaml", '  worker:\n    image: "1.0.0"\n', ""),
        "environments/prod.yaml:20: releases.worker: missing: every service needs a release "
        "pin in every environment",
    ),
    "invalid chart name": (_rename_chart("Bad_Name"), "chart name 'Bad_Name'"),
    "chart name that is no Service name": (_rename_chart("api.v2"), "chart name 'api.v2'"),
    "chart name starting with a digit": (_rename_chart("1api"), "chart name '1api'"),
    "too-long Application name": (
        _rename_chart(LONG),
        f"Application name 'staging-{LONG}' is 54 characters long; the limit is 53",
    ),
    "charts folder leaving the repository": (
        _edit("gitops-tool.yaml", "charts: charts", "charts: ../charts"),
        "gitops-tool.yaml:10: charts: '../charts' leaves the repository",
    ),
    "output folder leaving the repository": (
        _edit("gitops-tool.yaml", "output: argocd", "output: ../argocd"),
        "output: '../argocd' leaves the repository",
    ),
    "symlinked chart folder leaving the repository": (
        _symlink_chart_outside,
        "charts/portal: resolves to",
    ),
    "environment file with the .yml extension": (
        lambda root: shutil.copy(root / "environments/dev.yaml", root / "environments/qa.yml"),
        "environments/qa.yml: environment files end in .yaml",
    ),
    "library chart deleted": (
        lambda root: shutil.rmtree(root / "charts/common"),
        "charts/common: no such folder; gitops-tool.yaml names it as the library chart",
    ),
    "folder where render writes a file": (
        lambda root: (
            (root / "argocd/dev/root.yaml").unlink(),
            (root / "argocd/dev/root.yaml").mkdir(),
        ),
        "a folder stands where render writes a file: argocd/dev/root.yaml; remove it",
    ),
    "environment named like the bootstrap folder": (
        lambda root: _add_environment(root, "bootstrap"),
        "environment name 'bootstrap' is reserved",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_message_and_writes_nothing(repo: Path, case: str) -> None:
    change, message = BAD_INPUTS[case]
    change(repo)
    before = state(repo)
    result = invoke(repo)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and len(lines) <= 2, result.stderr
    assert all(line.startswith(("error: ", "hint: ")) for line in lines)
    assert result.stdout == ""
    assert state(repo) == before


def test_a_near_miss_environment_gets_a_guess(repo: Path) -> None:
    before = state(repo)
    result = invoke(repo, "prd")
    assert result.exit_code == 2
    assert "hint: did you mean 'prod'? known environments: dev, staging, prod" in result.stderr
    assert state(repo) == before


def test_unknown_environment_lists_the_known_ones(repo: Path) -> None:
    before = state(repo)
    result = invoke(repo, "dev", "qa")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown environment 'qa'\n"
        "hint: known environments: dev, staging, prod (files under environments/)\n"
    )
    assert state(repo) == before


def test_a_folder_where_render_writes_a_file_is_an_input_error_with_check(repo: Path) -> None:
    (repo / "argocd/dev/root.yaml").unlink()
    (repo / "argocd/dev/root.yaml").mkdir()
    (repo / "argocd/dev/root.yaml/x").write_text("x\n")
    before = state(repo)
    result = invoke(repo, "--check")
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert state(repo) == before


def _denied_for(real: Callable, target: Path) -> Callable:
    """`real` (os.scandir or open), failing with EACCES for `target`: an OS fault, injected
    because tests run as root here, where chmod 000 does not bite."""

    def call(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    return call


@pytest.mark.parametrize(
    ("where", "args"),
    [
        ("charts/portal", ()),  # chmod 000 charts/portal
        ("charts", ()),
        ("argocd/dev", ("--check",)),  # an unreadable output folder
        ("argocd/dev", ()),
    ],
)
def test_an_unreadable_folder_exits_2_naming_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch, where: str, args: tuple[str, ...]
) -> None:
    before = state(repo)
    monkeypatch.setattr(os, "scandir", _denied_for(os.scandir, repo / where))
    result = invoke(repo, *args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"error: {where}: cannot read: Permission denied\n")
    monkeypatch.undo()
    assert state(repo) == before


def test_an_unreadable_file_under_argocd_exits_2_naming_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    target = repo / "argocd/prod/project.yaml"
    monkeypatch.setattr(builtins, "open", _denied_for(builtins.open, target))
    for args in ((), ("--check",)):
        result = invoke(repo, *args)
        assert result.exit_code == 2, result.stderr
        assert "argocd/prod/project.yaml: cannot read: Permission denied" in result.stderr
