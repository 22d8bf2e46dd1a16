"""Drift: where the repository, Argo CD and the promotion chain disagree (pure)."""
