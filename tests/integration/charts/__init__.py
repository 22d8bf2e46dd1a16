"""This repository's charts through real helm (the session's one validate): workloads,
resources, network policies, secrets, alerts, dashboards, schemas; and the helm adapter."""
