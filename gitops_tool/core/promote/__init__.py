"""Promotion as data: what an environment runs (its versions), the plan that moves TARGET's
versions to SOURCE's, the edit of the environment file, the gate, the commit trailers, and
the history read back from git. Pure: no git, no disk, no network."""
