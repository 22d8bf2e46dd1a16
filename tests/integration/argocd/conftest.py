"""The fake Argo CD and its fixtures (shared with tests/cli/argocd)."""

from tests.integration.argocd.fixtures import *  # noqa: F403
