"""Validation: the rules and their findings, chart structure, pod and availability policy on
what helm renders, secrets in values and manifests, and the checks of argocd/."""
