"""`validate` with real helm: every rule firing on a broken fixture chart, argocd/ manifests,
pinned revisions, Ctrl-C, and this repository."""
