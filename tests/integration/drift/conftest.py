"""The fake Argo CD and the drift fixtures (tests/support/)."""

from tests.support.argocd.fixtures import *  # noqa: F403
from tests.support.drift import *  # noqa: F403
