"""What the platform adds around a chart's workloads, checked on the rendered output:
NetworkPolicies that isolate its pods, and ExternalSecrets that fill the Secrets its
containers read.

Pure: takes the parsed documents of one `helm template` run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.validate.pods import Workload, as_list, as_map, selects, workloads_of


def _isolates(policy: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """Whether `policy` governs ingress to pods with `labels` (an empty podSelector selects
    every pod of the namespace; a policy without policyTypes always governs ingress)."""
    spec = as_map(policy.get("spec"))
    types = as_list(spec.get("policyTypes")) or ["Ingress"]
    if "Ingress" not in types:
        return False
    selector = as_map(spec.get("podSelector"))
    return not selector or selects(selector, labels)


def network_findings(
    docs: Sequence[Any], chart: str, environment: str, required: bool
) -> list[Finding]:
    """GT-NET-001: in an environment that requires isolation, every workload's pods are
    governed by a NetworkPolicy of the same render."""
    if not required:
        return []
    policies = [d for d in docs if isinstance(d, Mapping) and d.get("kind") == "NetworkPolicy"]
    return [
        Finding("GT-NET-001", chart, environment, w.ref,
                message="no NetworkPolicy of the chart selects its pods: ingress is open to "
                "every pod of the cluster")
        for w in workloads_of(docs)
        if not any(_isolates(p, w.labels) for p in policies)
    ]


def _provided(external_secret: Mapping[str, Any]) -> tuple[str, set[str] | None]:
    """(the Secret an ExternalSecret writes, the keys it writes; None when `dataFrom` makes
    them unknowable here)."""
    spec = as_map(external_secret.get("spec"))
    target = str(as_map(spec.get("target")).get("name") or
                 as_map(external_secret.get("metadata")).get("name") or "")
    if spec.get("dataFrom"):
        return target, None
    return target, {str(as_map(d).get("secretKey")) for d in as_list(spec.get("data"))}


def _secret_keys_read(w: Workload) -> Iterator[tuple[str, str, str]]:
    """(container, Secret name, key) for each Secret key a container of `w` must find:
    `env[].valueFrom.secretKeyRef` and the `items` of secret volumes it mounts (optional
    references left out)."""
    pod = w.pod
    containers = [as_map(c) for c in (*as_list(pod.get("initContainers")),
                                       *as_list(pod.get("containers")))]
    for c in containers:
        for var in as_list(c.get("env")):
            ref = as_map(as_map(as_map(var).get("valueFrom")).get("secretKeyRef"))
            if ref and not ref.get("optional"):
                yield str(c.get("name", "?")), str(ref.get("name", "")), str(ref.get("key", ""))
    for volume in as_list(pod.get("volumes")):
        secret = as_map(as_map(volume).get("secret"))
        if not secret or secret.get("optional"):
            continue
        mounted_by = [str(c.get("name", "?")) for c in containers
                      if any(as_map(m).get("name") == as_map(volume).get("name")
                             for m in as_list(c.get("volumeMounts")))]
        for item in as_list(secret.get("items")):
            for container in mounted_by:
                yield container, str(secret.get("secretName", "")), str(as_map(item).get("key"))


def external_secret_findings(docs: Sequence[Any], chart: str, environment: str) -> list[Finding]:
    """GT-ESO-001: a container reads a key of a Secret that an ExternalSecret of the same
    render writes, and the ExternalSecret does not write that key (the pod would not start:
    CreateContainerConfigError)."""
    writers: dict[str, tuple[str, set[str] | None]] = {}
    for doc in docs:
        if isinstance(doc, Mapping) and doc.get("kind") == "ExternalSecret":
            target, keys = _provided(doc)
            writers[target] = (str(as_map(doc.get("metadata")).get("name", "?")), keys)
    found = []
    for w in workloads_of(docs):
        for container, secret, key in sorted(set(_secret_keys_read(w))):
            name, keys = writers.get(secret, ("", None))
            if keys is not None and key not in keys:
                found.append(Finding(
                    "GT-ESO-001", chart, environment, w.ref, container,
                    message=f"reads key {key!r} of Secret {secret}, which "
                    f"ExternalSecret/{name} does not write",
                ))
    return found
