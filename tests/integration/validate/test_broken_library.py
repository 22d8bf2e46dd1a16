"""A broken library chart is a structure finding of the charts using it, never a crash."""

from __future__ import annotations

import pytest
import yaml

from gitops_tool.commands import validate as command
from tests.support.charts import LIBRARY_DEP, chart_tree, write_chart

pytestmark = [pytest.mark.helm]


@pytest.mark.parametrize(
    "library",
    [
        {"apiVersion": "v2", "name": "common", "type": "library"},  # no version
        {"apiVersion": "v2", "name": "common", "version": ["0.1.0"], "type": "library"},
        ["not", "a", "mapping"],
    ],
)
def test_a_library_without_name_or_version_is_gt_str_008_and_not_rendered(tmp_path, library):
    root = chart_tree(tmp_path / "repo", ["web"])
    write_chart(root / "charts", "web", chart={"dependencies": [LIBRARY_DEP]})
    (root / "charts" / "common" / "Chart.yaml").write_text(yaml.safe_dump(library))
    result = command.run(command.ValidateOptions(root=root, charts=("web",), jobs=2))
    assert {(f.rule, f.chart, f.environment) for f in result.findings} == {
        ("GT-STR-008", "web", "")
    }
    assert {c.status for c in result.checks} == {"not rendered"}
    assert result.exit_code == 1
