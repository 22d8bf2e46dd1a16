"""The fake Argo CD and its fixtures (tests/support/argocd/fixtures.py)."""

from tests.support.argocd.fixtures import *  # noqa: F403
