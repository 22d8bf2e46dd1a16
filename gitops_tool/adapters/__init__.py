"""Adapters: I/O only, no policy. files (reading the tree), writer (atomic writes), git
(GitPython), helm (subprocesses) and argocd (the REST API over requests)."""
