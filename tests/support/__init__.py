"""What the tests of every layer share, and the only test code they share: the fixture trees
(trees, charts), this repository and its session validate (repo, repo_helm), helm (helm),
the fake Argo CD server, its fixtures, Applications and contract check (fakeargo,
argocd_fixtures, argocd_apps, contract), signals and the import reader (signals, imports).
See docs/development.md, "The test layers"."""
