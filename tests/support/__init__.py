"""What the tests of every layer share, and the only test code they share: the fixture trees
(trees, charts), this repository and its helm renders (repo, repo.helm), helm (helm), the
fake Argo CD and what goes with it (argocd: fake, state, fixtures, apps, contract, demo), a
hostile server (hostile), real git (git: repos, history, clones), the drift tests' fixtures
(drift), another process holding the lock (locks), credentials and leak detection
(credentials, sentinel), signals and the import reader (signals, imports), and what the
runner reads as a workflow command (workflow_commands). See docs/development.md, "The test
layers"."""
