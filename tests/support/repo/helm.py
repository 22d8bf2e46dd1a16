"""This repository's charts through real helm, once per session: one `validate` run.

`validate` of this repository runs `helm lint --strict` and `helm template` for every chart x
environment exactly as an Argo CD Application renders it: release = chart name, the
environment's namespace, values.yaml + values-<env>.yaml, and `image.tag` set (as a string)
to the environment's release pin. The session runs it once, with the real helm adapter
wrapped so that it keeps every run it returns (`RecordingHelm`: it calls the adapter and
changes nothing). `test_real_repo` asserts on the ValidateResult; the chart tests on the
same helm output, parsed (`Render`).

Registered once for tests/integration/ (its conftest.py), so both folders share the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from gitops_tool.adapters import helm
from gitops_tool.core.names import IMAGE_TAG_PARAMETER
from tests.support.helm import helm_binary
from tests.support.repo import REPO

if TYPE_CHECKING:
    from gitops_tool.commands.validate import ValidateResult

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # safe_load_all, 10x faster in C

Case = tuple[str, str]  # (chart, environment)


@dataclass(frozen=True)
class Render:
    """The parsed output of one `helm template`."""

    run: helm.HelmRun
    docs: tuple[dict[str, Any], ...]

    def of_kind(self, *kinds: str) -> list[dict[str, Any]]:
        return [d for d in self.docs if d["kind"] in kinds]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
        return found[0]

    @property
    def workloads(self) -> list[dict[str, Any]]:
        return self.of_kind(*WORKLOAD_KINDS)


# The `rendered` fixture of the chart tests: rendered(chart, env) -> the parsed render.
Rendered = Callable[[str, str], Render]


def parse(run: helm.HelmRun) -> Render:
    assert run.ok, f"{' '.join(run.args)} failed:\n{run.stderr}"
    return Render(run, tuple(d for d in yaml.load_all(run.stdout, Loader=SAFE_LOADER) if d))


class RecordingHelm:
    """The helm adapter module, keeping each lint and template run it returns by (chart,
    environment); everything else is the adapter's own."""

    def __init__(self) -> None:
        self.lints: dict[Case, helm.HelmRun] = {}
        self.templates: dict[Case, helm.HelmRun] = {}
        self.pins: dict[Case, str] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(helm, name)

    def lint(self, helm_bin: str, chart_dir: Path, values_files: list[Path],
             strict: bool = True, set_values: dict[str, str] | None = None) -> helm.HelmRun:
        run = helm.lint(helm_bin, chart_dir, values_files, strict, set_values)
        self._keep(self.lints, chart_dir, values_files, set_values, run)
        return run

    def template(self, helm_bin: str, chart_dir: Path, release: str, namespace: str,
                 values_files: list[Path], set_values: dict[str, str] | None = None
                 ) -> helm.HelmRun:
        run = helm.template(helm_bin, chart_dir, release, namespace, values_files, set_values)
        self._keep(self.templates, chart_dir, values_files, set_values, run)
        return run

    def _keep(self, runs: dict[Case, helm.HelmRun], chart_dir: Path,
              values_files: Sequence[Path], set_values: dict[str, str] | None,
              run: helm.HelmRun) -> None:
        env = values_files[-1].name.removeprefix("values-").removesuffix(".yaml")
        case = (chart_dir.name, env)
        with self._lock:
            assert case not in runs, f"{case}: run twice"
            runs[case] = run
            self.pins[case] = (set_values or {}).get(IMAGE_TAG_PARAMETER, "")


@dataclass(frozen=True)
class RepoValidation:
    """One `validate` of this repository and the helm runs it made."""

    result: ValidateResult
    lints: dict[Case, helm.HelmRun]  # `helm lint --strict`, by (chart, env)
    renders: dict[Case, helm.HelmRun]  # `helm template`, by (chart, env)
    pins: dict[Case, str]  # the image.tag each was given: the environment's release pin


def validate_repo(helm_bin: str) -> RepoValidation:
    """Run validate over this repository with `helm_bin`, keeping its helm runs."""
    from gitops_tool.commands import validate

    recorder = RecordingHelm()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GITOPS_TOOL_HELM", helm_bin)
        result = validate.run(validate.ValidateOptions(root=REPO),
                              validate.ValidateDeps(helm=recorder))
    return RepoValidation(result, recorder.lints, recorder.templates, recorder.pins)


@pytest.fixture(scope="session")
def repo_validation() -> RepoValidation:
    """validate over this repository, once per session (skips without helm)."""
    helm_bin = helm_binary()
    if helm_bin is None:
        pytest.skip("no helm binary (run `make helm`)")
    return validate_repo(helm_bin)
