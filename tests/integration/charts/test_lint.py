"""helm lint --strict passes for every chart x environment, and the schema catches mistakes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gitops_tool.adapters import helm

from .conftest import values_files
from .spec import CASE_IDS, CASES, PINNED_TAG

pytestmark = pytest.mark.helm


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_lint_strict_passes(
    lints: dict[tuple[str, str], helm.HelmRun], chart: str, env: str
) -> None:
    run = lints[chart, env]
    assert run.ok, f"{' '.join(run.args)}\n{run.stdout}\n{run.stderr}"
    assert "[ERROR]" not in run.stdout and "[WARNING]" not in run.stdout


BAD_VALUES = {
    "misspelled top-level key": ("replicaCont: 3\n", "replicaCont"),
    "misspelled nested key": ("autoscaling:\n  minReplica: 3\n", "minReplica"),
    "wrong type": ('replicaCount: "three"\n', "replicaCount"),
    "wrong type in a component": ("components:\n  web:\n    containerPort: web\n", "containerPort"),
    "privileged container port": ("containerPort: 80\n", "containerPort"),
    "latest tag": ("image:\n  tag: latest\n", "tag"),
    "unknown log level": ("logLevel: verbose\n", "logLevel"),
}


@pytest.mark.parametrize("case", BAD_VALUES, ids=list(BAD_VALUES))
def test_lint_fails_on_a_values_file_the_schema_refuses(
    built: str, chart_copy: Callable[[str], Path], tmp_path: Path, case: str
) -> None:
    content, culprit = BAD_VALUES[case]
    chart_dir = chart_copy("tenant-management-service")
    bad = tmp_path / "values-prod.yaml"
    bad.write_text((chart_dir / "values-prod.yaml").read_text() + content)
    run = helm.lint(built, chart_dir, [chart_dir / "values.yaml", bad])  # no --set: it would win
    assert not run.ok, f"lint accepted {content!r}"
    assert culprit in run.stdout + run.stderr


def test_the_scratch_copy_lints_clean_so_failures_above_are_the_schema(
    built: str, chart_copy: Callable[[str], Path]
) -> None:
    chart_dir = chart_copy("tenant-management-service")
    run = helm.lint(
        built, chart_dir, values_files(chart_dir, "prod"), set_values={"image.tag": PINNED_TAG}
    )
    assert run.ok, run.stdout + run.stderr


def test_a_worker_cannot_get_an_ingress(
    built: str, chart_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    chart_dir = chart_copy("novu-consumer")
    bad = tmp_path / "ingress.yaml"
    bad.write_text("ingress:\n  enabled: true\n  host: novu-consumer.ananta.io\n")
    files = [*values_files(chart_dir, "prod"), bad]
    run = helm.lint(built, chart_dir, files)
    assert not run.ok and "ingress" in run.stdout + run.stderr
    rendered = helm.template(built, chart_dir, "novu-consumer", "ananta-prod", files)
    assert not rendered.ok


def test_a_numeric_tag_is_accepted(
    built: str, chart_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    # `--set image.tag=20240101` (Argo CD without forceString) makes the tag a number
    chart_dir = chart_copy("tenant-management-service")
    numeric = tmp_path / "numeric-tag.yaml"
    numeric.write_text("image:\n  tag: 20240101\n")
    files = [*values_files(chart_dir, "dev"), numeric]
    assert helm.lint(built, chart_dir, files).ok
    run = helm.template(built, chart_dir, "tenant-management-service", "ananta-dev", files)
    assert run.ok, run.stderr
    assert "tenant-management-service:20240101" in run.stdout
