"""Fixtures of the integration tests."""

from __future__ import annotations

# This repository validated once per session: test_real_repo and the chart tests share it.
from tests.support.repo.helm import repo_validation  # noqa: F401
