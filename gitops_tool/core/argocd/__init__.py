"""Argo CD's view: an Application's state as data, the status comparison with the
repository, the rollout plan by wave, and the wait predicate."""
