"""The Argo CD version the rendered manifests need (3.3), read from GET /api/version."""

from __future__ import annotations

import pytest

from gitops_tool.core.argocd.version import MINIMUM, parse_version, version_problem


@pytest.mark.parametrize(("text", "parsed"), [
    ("v3.6.1+abc1234", (3, 6, 1)), ("v3.3.0", (3, 3, 0)), ("3.4", (3, 4, 0)),
    ("v3.3.0-rc2+1a2b3c4", (3, 3, 0)), ("?", None), ("", None),
])
def test_parse_version(text, parsed):
    assert parse_version(text) == parsed


def test_3_3_is_the_minimum_and_older_or_unknown_versions_are_refused():
    assert MINIMUM == (3, 3, 0)
    assert version_problem("v3.3.0+abc") is None and version_problem("v3.6.1+abc") is None
    assert "below 3.3" in version_problem("v3.2.4+abc")
    assert "clusterResourceWhitelist[].name" in version_problem("v2.14.0")
    assert "cannot tell the version" in version_problem("unknown")


@pytest.mark.parametrize("text", ["v" + "9" * 5000 + ".1.0", "v3.1234567.0", "v3.6.1234567"])
def test_a_version_with_absurd_numbers_is_no_version(text):
    assert parse_version(text) is None
