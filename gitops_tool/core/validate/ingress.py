"""Ingress hosts against the environment's `domain` (environments/<env>.yaml). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.validate.pods import as_list, as_map


def _hosts(ingress: Mapping[str, Any]) -> list[str]:
    """Every host an Ingress names, in its rules and its TLS entries, in order, once each."""
    spec = as_map(ingress.get("spec"))
    hosts = [as_map(rule).get("host") for rule in as_list(spec.get("rules"))]
    hosts += [h for tls in as_list(spec.get("tls")) for h in as_list(as_map(tls).get("hosts"))]
    return list(dict.fromkeys(str(h) for h in hosts if h))


def ingress_findings(
    docs: Sequence[Any], chart: str, environment: str, domain: str
) -> list[Finding]:
    """GT-ING-001 for each Ingress host that does not match the environment's domain pattern
    (a shell-style pattern such as `*-staging.ananta.io`)."""
    found = []
    for doc in docs:
        if not isinstance(doc, Mapping) or doc.get("kind") != "Ingress":
            continue
        ref = f"Ingress/{as_map(doc.get('metadata')).get('name', '?')}"
        for host in _hosts(doc):
            if not fnmatchcase(host, domain):
                message = f"host {host!r} does not match the environment's domain {domain!r}"
                found.append(Finding("GT-ING-001", chart, environment, ref, "", message))
    return found
