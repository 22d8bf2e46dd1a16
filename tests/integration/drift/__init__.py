"""`drift` against real git history and the fake Argo CD."""
