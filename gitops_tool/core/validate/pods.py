"""Pod security, resources, probes, images and availability, on parsed `helm template` output.

Pure: `policy_findings(docs, chart, environment, production)` reads the
rendered objects of one chart in one environment and returns findings.
Workloads are Deployment, StatefulSet, DaemonSet, Job, CronJob (and a bare Pod).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitops_tool.core.validate.findings import Finding

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
RUN_TO_COMPLETION = ("Job", "CronJob")  # probes do not apply
REPLICATED = ("Deployment", "StatefulSet")  # the production availability rules apply
PROD_MIN_REPLICAS = 3
PROD_MIN_AVAILABLE = 2
# The one capability the Pod Security Standards "restricted" profile lets a container add:
# binding a port below 1024 as non-root. Anything else (SYS_ADMIN, NET_RAW...) is GT-POD-012.
ADDABLE_CAPABILITIES = ("NET_BIND_SERVICE",)


@dataclass(frozen=True, slots=True)
class Workload:
    """A rendered object that runs pods, with its pod template."""

    kind: str
    name: str
    doc: Mapping[str, Any]
    pod: Mapping[str, Any]  # the pod spec
    labels: Mapping[str, Any]  # the pod template's labels

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


def as_map(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else {}: parsed YAML may hold anything anywhere."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a list, else []."""
    return value if isinstance(value, list) else []


def workloads_of(docs: Sequence[Any]) -> list[Workload]:
    """The workloads among rendered documents."""
    found = []
    for doc in docs:
        if not isinstance(doc, Mapping) or doc.get("kind") not in WORKLOAD_KINDS:
            continue
        kind, spec = doc["kind"], as_map(doc.get("spec"))
        if kind == "Pod":
            template: Mapping[str, Any] = {"metadata": doc.get("metadata"), "spec": spec}
        elif kind == "CronJob":
            template = as_map(as_map(as_map(spec.get("jobTemplate")).get("spec")).get("template"))
        else:
            template = as_map(spec.get("template"))
        name = str(as_map(doc.get("metadata")).get("name", "?"))
        labels = as_map(as_map(template.get("metadata")).get("labels"))
        found.append(Workload(kind, name, doc, as_map(template.get("spec")), labels))
    return found


def policy_findings(
    docs: Sequence[Any], chart: str, environment: str, production: bool
) -> list[Finding]:
    """Every policy finding in one chart's render for one environment."""
    workloads = workloads_of(docs)
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for doc in docs:
        if isinstance(doc, Mapping):
            by_kind.setdefault(str(doc.get("kind")), []).append(doc)
    found: list[Finding] = []
    for w in workloads:
        for rule_id, container, message in _pod_problems(w, by_kind):
            found.append(Finding(rule_id, chart, environment, w.ref, container, message))
    for rule_id, ref, message in _scaling_problems(workloads, by_kind, production):
        found.append(Finding(rule_id, chart, environment, ref, "", message))
    return found


def _containers(pod: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    """(container, role) for every container: role is "init", "sidecar" (an init container
    that runs all along), "main" or "ephemeral" (a debug container: no resources or probes)."""
    for c in as_list(pod.get("initContainers")):
        if isinstance(c, Mapping):
            yield c, "sidecar" if c.get("restartPolicy") == "Always" else "init"
    for role, key in (("main", "containers"), ("ephemeral", "ephemeralContainers")):
        for c in as_list(pod.get(key)):
            if isinstance(c, Mapping):
                yield c, role


def _pod_problems(
    w: Workload, by_kind: Mapping[str, list[Mapping[str, Any]]]
) -> Iterator[tuple[str, str, str]]:
    pod = w.pod
    pod_sc = as_map(pod.get("securityContext"))
    for key, rule_id in (("hostNetwork", "GT-POD-007"), ("hostPID", "GT-POD-008"),
                         ("hostIPC", "GT-POD-009")):
        if pod.get(key) is True:
            yield rule_id, "", f"{key} is true"
    for vol in as_list(pod.get("volumes")):
        if isinstance(vol, Mapping) and "hostPath" in vol:
            path = as_map(vol.get("hostPath")).get("path", "?")
            yield "GT-POD-010", "", f"volume {vol.get('name')!r} mounts host path {path}"
    if not _token_unmounted(pod, by_kind):
        yield "GT-POD-011", "", "the service account token is mounted into the pods"
    probes_apply = w.kind not in RUN_TO_COMPLETION
    for c, role in _containers(pod):
        name = str(c.get("name", "?"))
        for rule_id, message in _container_problems(c, pod_sc, role == "ephemeral"):
            yield rule_id, name, message
        if probes_apply and role in ("main", "sidecar"):
            if not c.get("livenessProbe"):
                yield "GT-PRB-001", name, "livenessProbe is not set"
            if not c.get("readinessProbe"):
                yield "GT-PRB-002", name, "readinessProbe is not set"


def _shown(value: Any) -> str:
    return "not set" if value is None else repr(value)


def _container_problems(
    c: Mapping[str, Any], pod_sc: Mapping[str, Any], ephemeral: bool = False
) -> Iterator[tuple[str, str]]:
    """Security, resources and image problems of one container (an ephemeral container
    cannot declare resources: only its security and image are checked)."""
    sc = as_map(c.get("securityContext"))

    def effective(key: str) -> Any:
        return sc[key] if key in sc else pod_sc.get(key)

    if effective("runAsNonRoot") is not True:
        yield "GT-POD-001", f"runAsNonRoot is {_shown(effective('runAsNonRoot'))}, not true"
    elif effective("runAsUser") == 0:
        yield "GT-POD-001", "runAsUser is 0 (root)"
    seccomp = as_map(effective("seccompProfile")).get("type")
    if seccomp != "RuntimeDefault":
        yield "GT-POD-002", f"seccompProfile.type is {_shown(seccomp)}, not RuntimeDefault"
    if sc.get("allowPrivilegeEscalation") is not False:
        value = sc.get("allowPrivilegeEscalation")
        yield "GT-POD-003", f"allowPrivilegeEscalation is {_shown(value)}, not false"
    capabilities = as_map(sc.get("capabilities"))
    drop = as_list(capabilities.get("drop"))
    if "ALL" not in drop:
        yield "GT-POD-004", f"capabilities.drop is {drop or 'not set'}, without ALL"
    added = [str(a) for a in as_list(capabilities.get("add")) if str(a) not in ADDABLE_CAPABILITIES]
    if added:
        yield "GT-POD-012", f"capabilities.add adds {added}"
    if sc.get("readOnlyRootFilesystem") is not True:
        yield "GT-POD-005", "readOnlyRootFilesystem is not true"
    if sc.get("privileged") is True:
        yield "GT-POD-006", "privileged is true"
    resources = as_map(c.get("resources"))
    for rule_id, section, key in (
        ("GT-RES-001", "requests", "cpu"),
        ("GT-RES-002", "limits", "cpu"),
        ("GT-RES-003", "requests", "memory"),
        ("GT-RES-004", "limits", "memory"),
    ):
        if not ephemeral and as_map(resources.get(section)).get(key) in (None, ""):
            yield rule_id, f"resources.{section}.{key} is not set"
    if problem := image_problem(c.get("image")):
        yield "GT-IMG-001", problem


def image_problem(image: Any) -> str | None:
    """Why an image reference is not pinned, or None (a tag other than latest, or a digest)."""
    if not isinstance(image, str) or not image.strip():
        return "the container has no image"
    if "@" in image:
        return None  # pinned by digest
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag"
    tag = last.rsplit(":", 1)[1]
    if not tag or tag == "latest":
        return f"image {image!r} uses the tag {tag or '(empty)'!r}"
    return None


def _token_unmounted(pod: Mapping[str, Any], by_kind: Mapping[str, list]) -> bool:
    """True when the pod, or else its rendered ServiceAccount, disables the token mount."""
    if "automountServiceAccountToken" in pod:
        return pod["automountServiceAccountToken"] is False
    account = pod.get("serviceAccountName") or pod.get("serviceAccount") or "default"
    for sa in by_kind.get("ServiceAccount", ()):
        if as_map(sa.get("metadata")).get("name") == account:
            return sa.get("automountServiceAccountToken") is False
    return False


def selects(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) selects `labels`.

    An empty selector selects nothing here: a PDB or affinity term must say whom it means.
    """
    match = as_map(selector.get("matchLabels"))
    exprs = as_list(selector.get("matchExpressions"))
    if not match and not exprs:
        return False
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for e in exprs:
        e = as_map(e)
        key, op, values = e.get("key"), e.get("operator"), as_list(e.get("values"))
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }.get(str(op), False)
        if not ok:
            return False
    return True


def _scaling_problems(
    workloads: Sequence[Workload], by_kind: Mapping[str, list[Mapping[str, Any]]],
    production: bool,
) -> Iterator[tuple[str, str, str]]:
    hpas: dict[tuple[str, str], Mapping[str, Any]] = {}
    for hpa in by_kind.get("HorizontalPodAutoscaler", ()):
        target = as_map(as_map(hpa.get("spec")).get("scaleTargetRef"))
        hpas[(str(target.get("kind")), str(target.get("name")))] = hpa
    pdbs = by_kind.get("PodDisruptionBudget", [])
    for w in workloads:
        if w.kind not in REPLICATED:
            continue
        spec = as_map(w.doc.get("spec"))
        hpa = hpas.get((w.kind, w.name))
        if hpa is not None and w.kind == "Deployment" and "replicas" in spec:
            yield "GT-HPA-001", w.ref, (
                f"replicas is {spec['replicas']!r} although HorizontalPodAutoscaler/"
                f"{as_map(hpa.get('metadata')).get('name')} scales it"
            )
        if not production:
            continue
        if hpa is not None:
            floor = as_map(hpa.get("spec")).get("minReplicas", 1)
            what = "HPA minReplicas"
        else:
            floor = spec.get("replicas", 1)
            what = "replicas"
        if not isinstance(floor, int) or floor < PROD_MIN_REPLICAS:
            yield "GT-PROD-001", w.ref, (
                f"{what} is {floor!r}; production needs at least {PROD_MIN_REPLICAS}"
            )
        if problem := _pdb_problem(w, pdbs, floor if isinstance(floor, int) else 1):
            yield "GT-PROD-002", w.ref, problem
        if problem := _anti_affinity_problem(w):
            yield "GT-PROD-003", w.ref, problem


def _pdb_problem(w: Workload, pdbs: Sequence[Mapping[str, Any]], replicas: int) -> str | None:
    matching = [p for p in pdbs if selects(as_map(as_map(p.get("spec")).get("selector")), w.labels)]
    if not matching:
        return "no PodDisruptionBudget selects its pods"
    best = None
    for pdb in matching:
        value = as_map(pdb.get("spec")).get("minAvailable")
        if isinstance(value, int):
            count = value
        elif isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
            count = math.ceil(int(value[:-1]) * replicas / 100)
        else:
            count = 0
        if count >= PROD_MIN_AVAILABLE:
            return None
        best = value
    return (
        f"PodDisruptionBudget minAvailable is {best!r}; production needs at least "
        f"{PROD_MIN_AVAILABLE}"
    )


def _anti_affinity_problem(w: Workload) -> str | None:
    anti = as_map(as_map(w.pod.get("affinity")).get("podAntiAffinity"))
    terms = as_list(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))
    if not terms:
        return "podAntiAffinity has no requiredDuringSchedulingIgnoredDuringExecution term"
    if not any(selects(as_map(as_map(t).get("labelSelector")), w.labels) for t in terms):
        return "no required podAntiAffinity term selects the workload's own pods"
    return None
