"""Policy on parsed objects: what the chart fixtures cannot cheaply show (Jobs, CronJobs,
init containers, overrides, selectors, percentages)."""

from __future__ import annotations

import copy

import pytest

from gitops_tool.core.validate.pods import image_problem, policy_findings, selects
from tests.support.charts import CONTAINER as COMPLIANT_CONTAINER

LABELS = {"app": "web"}
# The fixture chart's container, which passes every rule (its env only references a Secret).
CONTAINER = {
    "name": "app",
    "image": "example.org/web:1.0.0",
    **{key: value for key, value in COMPLIANT_CONTAINER.items() if key != "env"},
}
POD = {
    "automountServiceAccountToken": False,
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [CONTAINER],
}


def workload(kind="Deployment", pod=None, **spec):
    template = {"metadata": {"labels": LABELS}, "spec": copy.deepcopy(pod or POD)}
    if kind == "CronJob":
        body = {"jobTemplate": {"spec": {"template": template}}}
    else:
        body = {"template": template, **spec}
    return {"kind": kind, "metadata": {"name": "web"}, "spec": body}


def rules(docs, production=False):
    return sorted(f.rule for f in policy_findings(docs, "web", "dev", production))


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"])
def test_a_hardened_workload_of_every_kind_passes(kind):
    assert rules([workload(kind)]) == []


@pytest.mark.parametrize("kind", ["Job", "CronJob"])
def test_run_to_completion_workloads_need_no_probes(kind):
    pod = copy.deepcopy(POD)
    del pod["containers"][0]["livenessProbe"], pod["containers"][0]["readinessProbe"]
    assert rules([workload(kind, pod)]) == []
    assert rules([workload("Deployment", pod)]) == ["GT-PRB-001", "GT-PRB-002"]


def test_init_containers_are_hardened_but_need_no_probes():
    pod = copy.deepcopy(POD)
    init = {k: v for k, v in CONTAINER.items() if not k.endswith("Probe")} | {"name": "init"}
    pod["initContainers"] = [init]
    assert rules([workload(pod=pod)]) == []
    pod["initContainers"][0]["securityContext"] = {}
    found = policy_findings([workload(pod=pod)], "web", "dev", False)
    assert {(f.rule, f.container) for f in found} == {
        ("GT-POD-003", "init"), ("GT-POD-004", "init"), ("GT-POD-005", "init")
    }


def test_container_security_context_overrides_the_pod():
    pod = copy.deepcopy(POD)
    pod["containers"][0]["securityContext"]["runAsNonRoot"] = False
    pod["containers"][0]["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
    assert rules([workload(pod=pod)]) == ["GT-POD-001", "GT-POD-002"]
    pod = copy.deepcopy(POD)
    pod["securityContext"] = {}
    pod["containers"][0]["securityContext"] |= {
        "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}
    }
    assert rules([workload(pod=pod)]) == []


def test_run_as_user_zero_is_root_even_with_run_as_non_root():
    pod = copy.deepcopy(POD)
    pod["securityContext"]["runAsUser"] = 0
    assert rules([workload(pod=pod)]) == ["GT-POD-001"]


def test_token_mount_follows_the_service_account_when_the_pod_is_silent():
    pod = copy.deepcopy(POD)
    del pod["automountServiceAccountToken"]
    pod["serviceAccountName"] = "web"
    sa = {"kind": "ServiceAccount", "metadata": {"name": "web"}}
    assert rules([workload(pod=pod), sa]) == ["GT-POD-011"]
    assert rules([workload(pod=pod), sa | {"automountServiceAccountToken": False}]) == []


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("nginx:1.27.3", True),
        ("registry:5000/team/app:2.0", True),
        ("nginx@sha256:" + "a" * 64, True),
        ("nginx", False),
        ("registry:5000/team/app", False),
        ("nginx:latest", False),
        ("nginx:", False),
        ("", False),
    ],
)
def test_image_pinning(image, pinned):
    assert (image_problem(image) is None) is pinned


def test_selectors():
    assert selects({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"})
    assert not selects({"matchLabels": {"app": "api"}}, {"app": "web"})
    assert not selects({}, {"app": "web"})  # an empty selector means nobody here
    exprs = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}
    assert selects(exprs, {"app": "web"})
    assert not selects(exprs, {"app": "api"})


def prod_docs(replicas=3, min_available=2, anti=True, hpa_min=None):
    pod = copy.deepcopy(POD)
    if anti:
        pod["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": LABELS}}
        ]}}
    spec = {} if hpa_min is not None else {"replicas": replicas}
    docs = [
        workload("Deployment", pod, **spec),
        {"kind": "PodDisruptionBudget", "metadata": {"name": "web"},
         "spec": {"minAvailable": min_available, "selector": {"matchLabels": LABELS}}},
    ]
    if hpa_min is not None:
        docs.append({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
                     "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
                              "minReplicas": hpa_min, "maxReplicas": 10}})
    return docs


def test_production_rules():
    assert rules(prod_docs(), production=True) == []
    assert rules(prod_docs(), production=False) == []
    assert rules(prod_docs(replicas=2), production=True) == ["GT-PROD-001"]
    assert rules(prod_docs(hpa_min=3), production=True) == []
    assert rules(prod_docs(hpa_min=2), production=True) == ["GT-PROD-001"]
    assert rules(prod_docs(min_available=1), production=True) == ["GT-PROD-002"]
    assert rules(prod_docs(min_available="50%"), production=True) == []  # ceil(1.5) = 2 of 3
    assert rules(prod_docs(min_available="33%"), production=True) == ["GT-PROD-002"]
    assert rules(prod_docs(anti=False), production=True) == ["GT-PROD-003"]
    assert rules(prod_docs(replicas=1), production=False) == []


def test_daemonsets_and_jobs_are_not_held_to_replica_counts():
    for kind in ("DaemonSet", "Job", "CronJob"):
        assert rules([workload(kind)], production=True) == []


def test_hpa_with_replicas_fires_in_every_environment():
    docs = prod_docs(hpa_min=3)
    docs[0]["spec"]["replicas"] = 3
    assert rules(docs) == ["GT-HPA-001"]


@pytest.mark.parametrize(
    ("add", "expected"),
    [
        (["SYS_ADMIN"], ["GT-POD-012"]),
        (["NET_BIND_SERVICE", "NET_RAW"], ["GT-POD-012"]),
        (["NET_BIND_SERVICE"], []),  # the one the restricted Pod Security Standard allows
        ([], []),
    ],
)
def test_added_capabilities_beside_drop_all(add, expected):
    pod = copy.deepcopy(POD)
    pod["containers"][0]["securityContext"]["capabilities"] = {"drop": ["ALL"], "add": add}
    found = policy_findings([workload(pod=pod)], "web", "dev", False)
    assert [(f.rule, f.container) for f in found] == [(r, "app") for r in expected]
    if expected:
        assert "NET_BIND_SERVICE" not in found[0].message and add[-1] in found[0].message


def test_ephemeral_containers_get_the_security_and_image_rules_only():
    debug = {"name": "debug", "image": "busybox", "securityContext": {"privileged": True}}
    pod = copy.deepcopy(POD) | {"ephemeralContainers": [debug]}
    found = policy_findings([workload(pod=pod)], "web", "dev", False)
    assert sorted((f.rule, f.container) for f in found) == [
        (rule_id, "debug")
        for rule_id in ("GT-IMG-001", "GT-POD-003", "GT-POD-004", "GT-POD-005", "GT-POD-006")
    ]
