"""The fake Argo CD and its fixtures (tests/support/argocd_fixtures.py)."""

from tests.support.argocd_fixtures import *  # noqa: F403
