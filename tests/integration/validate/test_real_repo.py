"""This repository passes validate: 15 charts x 3 environments, real helm, exit 0.

Runs once for the module on the repository itself (helm dependency build writes only the
git-ignored charts/*/charts/ archives).
"""

from __future__ import annotations

import pytest

from gitops_tool.commands import validate as command
from gitops_tool.output.validate import report
from tests.support.helm import helm_binary

pytestmark = [
    pytest.mark.helm,
    pytest.mark.slow,
    pytest.mark.skipif(helm_binary() is None, reason="no helm binary (run `make helm`)"),
]


@pytest.fixture(scope="module")
def result(repo_root):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GITOPS_TOOL_HELM", helm_binary())
        return command.run(command.ValidateOptions(root=repo_root))


def test_every_chart_in_every_environment_passes(result):
    assert result.exit_code == 0, report(result)
    assert len(result.charts) == 15
    assert result.environments == ("dev", "staging", "prod")
    rows = [c for c in result.checks if c.chart != "argocd/"]
    assert len(rows) == 45
    assert {c.status for c in rows} == {"pass"}
    assert result.helm_version.startswith("v4.")
