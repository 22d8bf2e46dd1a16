"""Real git for tests: repositories, bare remotes and git daemon (repos), dated histories
(history), and the remote-and-clone pair the promote tests work in (clones)."""
