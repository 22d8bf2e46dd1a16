"""This repository passes validate: 15 charts x 3 environments, real helm, exit 0.

The run is the session's one validate of the repository (`repo_validation`,
tests/support/repo/helm.py), whose helm output the chart tests read too. helm dependency
build writes only the git-ignored charts/*/charts/ archives.
"""

from __future__ import annotations

import pytest

from gitops_tool.output.validate import report

pytestmark = [pytest.mark.helm, pytest.mark.slow]


@pytest.fixture(scope="module")
def result(repo_validation):
    return repo_validation.result


def test_every_chart_in_every_environment_passes(result):
    assert result.exit_code == 0, report(result)
    assert len(result.charts) == 15
    assert result.environments == ("dev", "staging", "prod")
    rows = [c for c in result.checks if c.chart != "argocd/"]
    assert len(rows) == 45
    assert {c.status for c in rows} == {"pass"}
    assert result.helm_version.startswith("v4.")


def test_each_chart_was_linted_and_rendered_once_per_environment(repo_validation):
    cases = {(c.chart, c.environment) for c in repo_validation.result.checks
             if c.chart != "argocd/"}
    assert set(repo_validation.lints) == set(repo_validation.renders) == cases
    assert all(run.ok for run in (*repo_validation.lints.values(),
                                  *repo_validation.renders.values()))
