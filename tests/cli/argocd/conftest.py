"""Fixtures of the fake Argo CD for the CLI tests."""

from tests.integration.argocd.fixtures import *  # noqa: F403
