"""Adapters: I/O only, no policy. files (reading the tree), writer and journal (the write
transaction of argocd/), lock (the repository lock), oserror (what an OS error means), git/
(GitPython), helm (subprocesses) and argocd/ (the REST API over requests)."""
