"""The Argo CD core: app status, rollout by wave, the wait predicate, versions, the shapes of
its answers; connection settings and output."""
