"""Session fixtures: every chart x environment linted and rendered once.

The runs are those of the session's one `validate` of this repository (`repo_validation`,
tests/support/repo/helm.py): what an Argo CD Application renders, release = chart name,
namespace ananta-<env>, values.yaml + values-<env>.yaml, and image.tag (a string) = the
environment's release pin.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops_tool.adapters import helm
from gitops_tool.errors import HelmError
from tests.support.repo import REPO
from tests.support.repo.helm import Render, Rendered, RepoValidation, parse

from .objects import CHARTS_DIR, TemplateWith, parallel, values_files
from .spec import CASES, CHARTS, NAMESPACE, PINNED_TAG


@pytest.fixture(scope="session")
def helm_bin() -> str:
    try:
        return helm.find_helm(REPO)
    except HelmError as e:
        pytest.skip(f"{e.message}: {e.hint}")


@pytest.fixture(scope="session")
def built(helm_bin: str) -> str:
    """helm, once every service chart has its library vendored."""
    parallel(lambda chart: helm.dependency_build(helm_bin, CHARTS_DIR / chart), CHARTS)
    return helm_bin


@pytest.fixture(scope="session")
def renders(repo_validation: RepoValidation) -> dict[tuple[str, str], helm.HelmRun]:
    """`helm template` of every chart x environment, keyed by (chart, env)."""
    assert set(repo_validation.renders) == set(CASES)
    return repo_validation.renders


@pytest.fixture(scope="session")
def pins(repo_validation: RepoValidation) -> dict[tuple[str, str], str]:
    """The image.tag each render was given (the environment's release pin), by (chart, env)."""
    return repo_validation.pins


@pytest.fixture(scope="session")
def rendered(renders: dict[tuple[str, str], helm.HelmRun]) -> Rendered:
    """rendered(chart, env): the parsed render (asserting that helm succeeded)."""
    cache: dict[tuple[str, str], Render] = {}

    def get(chart: str, env: str) -> Render:
        if (chart, env) not in cache:
            cache[chart, env] = parse(renders[chart, env])
        return cache[chart, env]

    return get


@pytest.fixture(scope="session")
def lints(repo_validation: RepoValidation) -> dict[tuple[str, str], helm.HelmRun]:
    """`helm lint --strict` of every chart x environment, keyed by (chart, env)."""
    assert set(repo_validation.lints) == set(CASES)
    return repo_validation.lints


@pytest.fixture(scope="session")
def chart_copy(tmp_path_factory: pytest.TempPathFactory, built: str) -> Callable[[str], Path]:
    """chart_copy(name): a scratch copy of a chart beside a copy of the library."""
    root = tmp_path_factory.mktemp("charts")
    shutil.copytree(CHARTS_DIR / "common", root / "common")

    def copy(name: str) -> Path:
        target = root / name
        if not target.exists():
            ignore = shutil.ignore_patterns("charts", "Chart.lock")
            shutil.copytree(CHARTS_DIR / name, target, ignore=ignore)
            helm.dependency_build(built, target)
        return target

    return copy


@pytest.fixture
def template_with(
    built: str, chart_copy: Callable[[str], Path], tmp_path: Path
) -> TemplateWith:
    """template_with(chart, env, extra): `helm template` of a copy of `chart` with `env`'s
    values files, then `extra` (YAML) as the last one, and the pinned image tag, as Argo CD
    renders it."""
    made = itertools.count()

    def template(chart: str, env: str, extra: str) -> helm.HelmRun:
        chart_dir = chart_copy(chart)
        extra_file = tmp_path / f"extra-{next(made)}.yaml"
        extra_file.write_text(extra)
        return helm.template(built, chart_dir, chart, NAMESPACE[env],
                             [*values_files(chart_dir, env), extra_file],
                             {"image.tag": PINNED_TAG})

    return template
