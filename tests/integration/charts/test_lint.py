"""helm lint --strict passes for every chart x environment, and the schema catches mistakes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tool.adapters import helm

from .objects import values_files
from .spec import CASE_IDS, CASES, PINNED_TAG

pytestmark = pytest.mark.helm


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_lint_strict_passes(
    lints: dict[tuple[str, str], helm.HelmRun], chart: str, env: str
) -> None:
    run = lints[chart, env]
    assert run.ok, f"{' '.join(run.args)}\n{run.stdout}\n{run.stderr}"
    assert "[ERROR]" not in run.stdout and "[WARNING]" not in run.stdout


TMS = "tenant-management-service"
# (chart, values merged into its values-prod.yaml, what helm's message must name)
BAD_VALUES = {
    "misspelled top-level key": (TMS, "replicaCont: 3", "replicaCont"),
    "misspelled nested key": (TMS, "autoscaling: {minReplica: 3}", "minReplica"),
    "misspelled key in a component": (
        "temporal",  # its values-prod.yaml has components: the mistake sits beside web's keys
        "components: {history: {replicaCont: 2}}",
        "replicaCont",
    ),
    "wrong type": (TMS, 'replicaCount: "three"', "replicaCount"),
    "wrong type in a component": (TMS, "components: {web: {containerPort: web}}", "containerPort"),
    "privileged container port": (TMS, "containerPort: 80", "containerPort"),
    "latest tag": (TMS, "image: {tag: latest}", "tag"),
    "unknown log level": (TMS, "logLevel: verbose", "logLevel"),
    # day two (issue 14)
    "misspelled networkPolicy key": (TMS, "networkPolicy: {client: [x]}", "client"),
    "peer without a port": (TMS, "networkPolicy: {peers: [{release: a, component: b}]}", "port"),
    "unknown external service": (TMS, "networkPolicy: {externals: [mysql]}", "mysql"),
    "unknown severity": (TMS, "alerts: {severity: page}", "severity"),
    "sampling above 1": (TMS, "tracing: {samplingRatio: 2}", "samplingRatio"),
    "externalSecrets on a component": (
        "temporal", "components: {web: {externalSecrets: {enabled: true}}}", "externalSecrets"
    ),
    "refresh that is no duration": (TMS, "externalSecrets: {refreshInterval: hourly}", "refresh"),
}


def _merged(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: _merged(base.get(k), v) for k, v in extra.items()}}
    return extra


@pytest.mark.parametrize("case", BAD_VALUES, ids=list(BAD_VALUES))
def test_lint_fails_on_a_values_file_the_schema_refuses(
    built: str, chart_copy: Callable[[str], Path], tmp_path: Path, case: str
) -> None:
    chart, content, culprit = BAD_VALUES[case]
    chart_dir = chart_copy(chart)
    prod = yaml.safe_load((chart_dir / "values-prod.yaml").read_text())
    bad = tmp_path / "values-prod.yaml"
    bad.write_text(yaml.safe_dump(_merged(prod, yaml.safe_load(content)), sort_keys=False))
    run = helm.lint(built, chart_dir, [chart_dir / "values.yaml", bad])  # no --set: it would win
    assert not run.ok, f"lint accepted {content!r}"
    assert culprit in run.stdout + run.stderr
    good = tmp_path / "values-prod-as-is.yaml"  # the same file without the mistake lints clean
    good.write_text(yaml.safe_dump(prod, sort_keys=False))
    assert helm.lint(built, chart_dir, [chart_dir / "values.yaml", good]).ok


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
