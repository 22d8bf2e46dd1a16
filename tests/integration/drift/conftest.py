"""The fake Argo CD and the drift fixtures (tests/support/)."""

from tests.support.argocd_fixtures import *  # noqa: F403
from tests.support.drift_fixtures import *  # noqa: F403
