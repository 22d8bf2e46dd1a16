"""The pure core: from charts and environments to manifests, plans and findings, with no
disk, network, clock, environment variable or subprocess. The shared vocabulary (model,
names, apps, waves, yamldoc...) lives here; each domain has its package: load, render,
validate, argocd, promote, drift."""
