"""The exit code of a drift check: never green on an unknown state."""

from __future__ import annotations

import pytest

from gitops_tool.core.drift.findings import Finding, Unknown, exit_code_of

DRIFT = Finding("out-of-sync", "live", "dev", "dev-api", "", "sync status is OutOfSync")
WITHIN = Finding("behind", "environment", "prod", "prod-api", "environments/prod.yaml",
                 "api image: ...", drift=False)
UNKNOWN = Unknown("live", "prod", "cannot reach Argo CD")


@pytest.mark.parametrize("findings, unknown, skipped_but_required, code", [
    ((), (), False, 0),
    ((WITHIN,), (), False, 0),  # reported, does not count
    ((DRIFT, WITHIN), (), False, 1),
    ((), (UNKNOWN,), False, 3),
    ((DRIFT,), (UNKNOWN,), False, 3),  # unknown wins over drift
    ((DRIFT,), (), True, 3),  # --require-live without a server
])
def test_exit_code_precedence(findings, unknown, skipped_but_required, code):
    assert exit_code_of(findings, unknown, skipped_but_required) == code


def test_docs_name_every_kind():
    from pathlib import Path

    from gitops_tool.core.drift.findings import KINDS

    docs = (Path(__file__).resolve().parents[3] / "docs" / "drift.md").read_text()
    for kinds in KINDS.values():
        for kind in kinds:
            assert f"`{kind}`" in docs, f"docs/drift.md does not describe kind {kind}"
