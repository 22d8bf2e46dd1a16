"""The validate core: structure and waivers, pod and platform policy, secrets, ingress,
argocd/ checks, helm's messages."""
