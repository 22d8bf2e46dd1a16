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

from gitops_tool.core.findings import Finding

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
RUN_TO_COMPLETION = ("Job", "CronJob")  # probes do not apply
REPLICATED = ("Deployment", "StatefulSet")  # the production availability rules apply
PROD_MIN_REPLICAS = 3
PROD_MIN_AVAILABLE = 2


@dataclass(frozen=True)
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


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def workloads_of(docs: Sequence[Any]) -> list[Workload]:
    """The workloads among rendered documents."""
    found = []
    for doc in docs:
        if not isinstance(doc, Mapping) or doc.get("kind") not in WORKLOAD_KINDS:
            continue
        kind, spec = doc["kind"], _map(doc.get("spec"))
        if kind == "Pod":
            template: Mapping[str, Any] = {"metadata": doc.get("metadata"), "spec": spec}
        elif kind == "CronJob":
            template = _map(_map(_map(spec.get("jobTemplate")).get("spec")).get("template"))
        else:
            template = _map(spec.get("template"))
        name = str(_map(doc.get("metadata")).get("name", "?"))
        labels = _map(_map(template.get("metadata")).get("labels"))
        found.append(Workload(kind, name, doc, _map(template.get("spec")), labels))
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


def _containers(pod: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], bool]]:
    """(container, long-running) for every container and init container."""
    for c in _list(pod.get("initContainers")):
        if isinstance(c, Mapping):
            yield c, c.get("restartPolicy") == "Always"  # a native sidecar runs all along
    for c in _list(pod.get("containers")):
        if isinstance(c, Mapping):
            yield c, True


def _pod_problems(
    w: Workload, by_kind: Mapping[str, list[Mapping[str, Any]]]
) -> Iterator[tuple[str, str, str]]:
    pod = w.pod
    pod_sc = _map(pod.get("securityContext"))
    for key, rule_id in (("hostNetwork", "GT-POD-007"), ("hostPID", "GT-POD-008"),
                         ("hostIPC", "GT-POD-009")):
        if pod.get(key) is True:
            yield rule_id, "", f"{key} is true"
    for vol in _list(pod.get("volumes")):
        if isinstance(vol, Mapping) and "hostPath" in vol:
            path = _map(vol.get("hostPath")).get("path", "?")
            yield "GT-POD-010", "", f"volume {vol.get('name')!r} mounts host path {path}"
    if not _token_unmounted(pod, by_kind):
        yield "GT-POD-011", "", "the service account token is mounted into the pods"
    probes_apply = w.kind not in RUN_TO_COMPLETION
    for c, long_running in _containers(pod):
        name = str(c.get("name", "?"))
        for rule_id, message in _container_problems(c, pod_sc):
            yield rule_id, name, message
        if probes_apply and long_running:
            if not c.get("livenessProbe"):
                yield "GT-PRB-001", name, "livenessProbe is not set"
            if not c.get("readinessProbe"):
                yield "GT-PRB-002", name, "readinessProbe is not set"


def _shown(value: Any) -> str:
    return "not set" if value is None else repr(value)


def _container_problems(
    c: Mapping[str, Any], pod_sc: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    sc = _map(c.get("securityContext"))

    def effective(key: str) -> Any:
        return sc[key] if key in sc else pod_sc.get(key)

    if effective("runAsNonRoot") is not True:
        yield "GT-POD-001", f"runAsNonRoot is {_shown(effective('runAsNonRoot'))}, not true"
    elif effective("runAsUser") == 0:
        yield "GT-POD-001", "runAsUser is 0 (root)"
    seccomp = _map(effective("seccompProfile")).get("type")
    if seccomp != "RuntimeDefault":
        yield "GT-POD-002", f"seccompProfile.type is {_shown(seccomp)}, not RuntimeDefault"
    if sc.get("allowPrivilegeEscalation") is not False:
        value = sc.get("allowPrivilegeEscalation")
        yield "GT-POD-003", f"allowPrivilegeEscalation is {_shown(value)}, not false"
    drop = _list(_map(sc.get("capabilities")).get("drop"))
    if "ALL" not in drop:
        yield "GT-POD-004", f"capabilities.drop is {drop or 'not set'}, without ALL"
    if sc.get("readOnlyRootFilesystem") is not True:
        yield "GT-POD-005", "readOnlyRootFilesystem is not true"
    if sc.get("privileged") is True:
        yield "GT-POD-006", "privileged is true"
    resources = _map(c.get("resources"))
    for rule_id, section, key in (
        ("GT-RES-001", "requests", "cpu"),
        ("GT-RES-002", "limits", "cpu"),
        ("GT-RES-003", "requests", "memory"),
        ("GT-RES-004", "limits", "memory"),
    ):
        if _map(resources.get(section)).get(key) in (None, ""):
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
        if _map(sa.get("metadata")).get("name") == account:
            return sa.get("automountServiceAccountToken") is False
    return False


def selects(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) selects `labels`.

    An empty selector selects nothing here: a PDB or affinity term must say whom it means.
    """
    match = _map(selector.get("matchLabels"))
    exprs = _list(selector.get("matchExpressions"))
    if not match and not exprs:
        return False
    if any(labels.get(k) != v for k, v in match.items()):
        return False
    for e in exprs:
        e = _map(e)
        key, op, values = e.get("key"), e.get("operator"), _list(e.get("values"))
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
        target = _map(_map(hpa.get("spec")).get("scaleTargetRef"))
        hpas[(str(target.get("kind")), str(target.get("name")))] = hpa
    pdbs = by_kind.get("PodDisruptionBudget", [])
    for w in workloads:
        if w.kind not in REPLICATED:
            continue
        spec = _map(w.doc.get("spec"))
        hpa = hpas.get((w.kind, w.name))
        if hpa is not None and w.kind == "Deployment" and "replicas" in spec:
            yield "GT-HPA-001", w.ref, (
                f"replicas is {spec['replicas']!r} although HorizontalPodAutoscaler/"
                f"{_map(hpa.get('metadata')).get('name')} scales it"
            )
        if not production:
            continue
        if hpa is not None:
            floor = _map(hpa.get("spec")).get("minReplicas", 1)
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
    matching = [p for p in pdbs if selects(_map(_map(p.get("spec")).get("selector")), w.labels)]
    if not matching:
        return "no PodDisruptionBudget selects its pods"
    best = None
    for pdb in matching:
        value = _map(pdb.get("spec")).get("minAvailable")
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
    anti = _map(_map(w.pod.get("affinity")).get("podAntiAffinity"))
    terms = _list(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))
    if not terms:
        return "podAntiAffinity has no requiredDuringSchedulingIgnoredDuringExecution term"
    if not any(selects(_map(_map(t).get("labelSelector")), w.labels) for t in terms):
        return "no required podAntiAffinity term selects the workload's own pods"
    return None
