"""What the tests of every layer share, and the only test code they share: the fixture trees
(trees, charts), this repository and its session validate (repo, repo_helm), helm (helm),
the fake Argo CD server, its state, fixtures, Applications and contract check (fakeargo,
fakestate, argocd_fixtures, argocd_apps, contract), a hostile server (hostile), git remotes
and history (gitrepos, githistory), the promote and drift tests' repositories
(promote_repos, drift_fixtures), another process holding the lock (locks), credentials and
leak detection (credentials, sentinel), signals and the import reader (signals, imports),
and `make demo` (demo). See docs/development.md, "The test layers"."""
