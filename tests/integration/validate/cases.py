"""One broken copy of the fixture chart per rule, and the findings each must produce.

Each case: the chart-writing patches and the exact set of (rule, environment)
findings; "" as environment means "every environment" (a chart-wide finding).
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.charts import CONTAINER, LIBRARY_DEP, SENTINEL, merge
from tests.support.credentials import POSITIVES

CLOSED = json.dumps({"type": "object", "properties": {"autoscaling": {
    "type": "object", "additionalProperties": False,
    "properties": {k: {} for k in ("enabled", "minReplicas", "maxReplicas")}}}})
BOTH = ("dev", "prod")


def _each_env(rule: str) -> set[tuple[str, str]]:
    return {(rule, env) for env in BOTH}


def _container(patch: dict[str, Any]) -> dict[str, Any]:
    """A values patch of the main container (None deletes a key)."""
    return {"container": patch}


def _without(section: str, key: str) -> dict[str, Any]:
    return _container({"resources": {section: {key: None}}})


def _sidecar(image: str) -> dict[str, Any]:
    return {"extraContainers": [merge(CONTAINER, {"name": "sidecar", "image": image})]}


EXTRA_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra
data:
  API_TOKEN: "literal-from-template"
"""

# helm lint warns (so --strict fails); helm template renders it.
DEPRECATED_PDB = """\
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}-old
spec:
  minAvailable: 1
"""

# An Ingress whose host is outside the fixture environments' domain (*.<env>.example.org).
STRAY_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .Release.Name }}
spec:
  ingressClassName: nginx
  rules:
    - host: {{ .Release.Name }}.{{ .Values.ingressZone }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {{ .Release.Name }}
                port:
                  number: 80
"""

# An ExternalSecret writing the fixture's Secret without the key its container reads.
PARTIAL_EXTERNAL_SECRET = """\
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {{ .Release.Name }}
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: store}
  target: {name: demo-secrets}
  data:
    - secretKey: api-key
      remoteRef: {key: demo/api-key}
"""

# rule -> (write_chart keyword arguments, expected findings)
CASES: dict[str, tuple[dict[str, Any], set[tuple[str, str]]]] = {
    # structure
    "GT-STR-001": ({"files": {"templates/hpa.yaml": None}}, {("GT-STR-001", "")}),
    "GT-STR-002": (
        {"files": {"values-dev.yaml": "replicas: 1\nreplicas: 2\n"}},
        {("GT-STR-002", "")},
    ),
    "GT-STR-003": ({"chart": {"apiVersion": "v1"}}, {("GT-STR-003", "")}),
    "GT-STR-004": ({"chart": {"name": "another-name"}}, {("GT-STR-004", "")}),
    "GT-STR-005": ({"chart": {"version": "1.0"}}, {("GT-STR-005", "")}),
    "GT-STR-006": ({"chart": {"annotations": None}}, {("GT-STR-006", "")}),
    "GT-STR-007": ({"files": {"values-prod.yaml": None}}, {("GT-STR-007", "prod")}),
    "GT-STR-008": (
        {"chart": {"dependencies": [LIBRARY_DEP | {"repository": "file://../missing"}]}},
        {("GT-STR-008", "")},
    ),
    # helm
    "GT-HELM-001": (
        {"chart": {"dependencies": [LIBRARY_DEP | {"version": "9.9.9"}]}},
        {("GT-HELM-001", "")},
    ),
    "GT-HELM-002": (
        {"files": {"templates/lint.yaml": DEPRECATED_PDB}},
        _each_env("GT-HELM-002"),
    ),
    "GT-HELM-003": (
        {
            "files": {
                "templates/ns.yaml": '{{- if eq .Release.Namespace "demo-prod" }}'
                '{{ fail "refused in demo-prod" }}{{ end }}\n'
            }
        },
        {("GT-HELM-003", "prod")},
    ),
    # a misspelled key in values-prod.yaml, refused by a closed values.schema.json: one
    # finding (not lint's and template's both), naming the file and the key
    "GT-HELM-004": (
        {"prod": {"autoscaling": {"minReplica": 3}}, "files": {"values.schema.json": CLOSED}},
        {("GT-HELM-004", "prod")},
    ),
    # pod security
    "GT-POD-001": (
        {"values": {"pod": {"securityContext": {"runAsNonRoot": False}}}},
        _each_env("GT-POD-001"),
    ),
    "GT-POD-002": (
        {"values": {"pod": {"securityContext": {"seccompProfile": {"type": "Unconfined"}}}}},
        _each_env("GT-POD-002"),
    ),
    "GT-POD-003": (
        {"values": _container({"securityContext": {"allowPrivilegeEscalation": True}})},
        _each_env("GT-POD-003"),
    ),
    "GT-POD-004": (
        {"values": _container({"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}})},
        _each_env("GT-POD-004"),
    ),
    "GT-POD-012": (
        {
            "values": _container(
                {"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}}}
            )
        },
        _each_env("GT-POD-012"),
    ),
    "GT-POD-005": (
        {"values": _container({"securityContext": {"readOnlyRootFilesystem": False}})},
        _each_env("GT-POD-005"),
    ),
    "GT-POD-006": (
        {"values": _container({"securityContext": {"privileged": True}})},
        _each_env("GT-POD-006"),
    ),
    "GT-POD-007": ({"values": {"pod": {"hostNetwork": True}}}, _each_env("GT-POD-007")),
    "GT-POD-008": ({"values": {"pod": {"hostPID": True}}}, _each_env("GT-POD-008")),
    "GT-POD-009": ({"values": {"pod": {"hostIPC": True}}}, _each_env("GT-POD-009")),
    "GT-POD-010": (
        {"values": {"pod": {"volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}]}}},
        _each_env("GT-POD-010"),
    ),
    "GT-POD-011": (
        {"values": {"pod": {"automountServiceAccountToken": True}}},
        _each_env("GT-POD-011"),
    ),
    # resources, probes, image
    "GT-RES-001": ({"values": _without("requests", "cpu")}, _each_env("GT-RES-001")),
    "GT-RES-002": ({"values": _without("limits", "cpu")}, _each_env("GT-RES-002")),
    "GT-RES-003": ({"values": _without("requests", "memory")}, _each_env("GT-RES-003")),
    "GT-RES-004": ({"values": _without("limits", "memory")}, _each_env("GT-RES-004")),
    "GT-PRB-001": ({"values": _container({"livenessProbe": None})}, _each_env("GT-PRB-001")),
    "GT-PRB-002": ({"values": _container({"readinessProbe": None})}, _each_env("GT-PRB-002")),
    "GT-IMG-001": ({"values": _sidecar("busybox")}, _each_env("GT-IMG-001")),
    # autoscaling and production
    "GT-HPA-001": (
        {"values": {"forceReplicas": True, "autoscaling": {"enabled": True, "minReplicas": 3}}},
        _each_env("GT-HPA-001"),
    ),
    "GT-PROD-001": ({"prod": {"replicas": 2}}, {("GT-PROD-001", "prod")}),
    "GT-PROD-002": ({"prod": {"pdb": {"minAvailable": 1}}}, {("GT-PROD-002", "prod")}),
    "GT-PROD-003": ({"prod": {"antiAffinity": "preferred"}}, {("GT-PROD-003", "prod")}),
    # ingress: dev's host is on the domain, prod's is not
    "GT-ING-001": (
        {
            "files": {"templates/ingress.yaml": STRAY_INGRESS},
            "values": {"ingressZone": "dev.example.org"},
        },
        {("GT-ING-001", "prod")},
    ),
    # secrets
    "GT-SEC-001": (
        {"values": {"database": {"host": "db", "password": SENTINEL}}},
        {("GT-SEC-001", "")},
    ),
    "GT-SEC-002": ({"values": {"secretData": {"settings": "abc"}}}, _each_env("GT-SEC-002")),
    "GT-SEC-003": ({"files": {"templates/extra.yaml": EXTRA_CONFIGMAP}}, _each_env("GT-SEC-003")),
    # platform kinds: dev (the first stage) may leave pods open, later stages may not
    "GT-NET-001": ({"values": {"networkPolicy": False}}, {("GT-NET-001", "prod")}),
    "GT-ESO-001": (
        {"files": {"templates/externalsecret.yaml": PARTIAL_EXTERNAL_SECRET}},
        _each_env("GT-ESO-001"),
    ),
    # credentials recognised by their shape, under a key that says nothing (not rendered)
    **{
        rule: ({"values": {"notes": {"blob": samples[0]}}}, {(rule, "")})
        for rule, samples in POSITIVES.items()
    },
    # waivers
    "GT-WVR-001": (
        {"chart": {"annotations": {"gitops-tool/waive.GT-POD-006": ""}}},
        {("GT-WVR-001", "")},
    ),
    "GT-WVR-002": (
        {"chart": {"annotations": {"gitops-tool/waive.GT-NOPE-001": "typo"}}},
        {("GT-WVR-002", "")},
    ),
}

# The rules that need helm and a chart are all here; Argo CD rules have their own fixtures.
CHART_RULES = sorted(CASES)


def _ephemeral(patch: dict[str, Any]) -> dict[str, Any]:
    """A values patch adding a hardened debug container (no resources or probes: an ephemeral
    container cannot declare them) to the pod's ephemeralContainers, changed by `patch`."""
    debug = {
        "name": "debug",
        "image": "busybox:1.36",
        "securityContext": CONTAINER["securityContext"],
    }
    return {"pod": {"ephemeralContainers": [merge(debug, patch)]}}


# Rules that must also hold for ephemeral containers: chart name -> (patches, findings).
EPHEMERAL_CASES: dict[str, tuple[dict[str, Any], set[tuple[str, str]]]] = {
    "ephemeral-clean": ({"values": _ephemeral({})}, set()),
    "ephemeral-pod-006": (
        {"values": _ephemeral({"securityContext": {"privileged": True}})},
        _each_env("GT-POD-006"),
    ),
    "ephemeral-pod-012": (
        {"values": _ephemeral({"securityContext": {"capabilities": {"add": ["NET_RAW"]}}})},
        _each_env("GT-POD-012"),
    ),
    "ephemeral-img-001": ({"values": _ephemeral({"image": "busybox"})}, _each_env("GT-IMG-001")),
}


# A credential that values render into a ConfigMap and an env var: found in the values file
# and in what helm renders.
SHAPED_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  SESSION_SEED: {{ .Values.seed | quote }}
"""

# Other ways to break a rule of CASES: chart name -> (patches, findings).
VARIANT_CASES: dict[str, tuple[dict[str, Any], set[tuple[str, str]]]] = {
    "img-latest": ({"values": _sidecar("busybox:latest")}, _each_env("GT-IMG-001")),
    "sec-shape-rendered": (
        {
            "values": {
                "seed": POSITIVES["GT-SEC-011"][0],
                **_container({"env": [{"name": "DEPLOY_HOOK",
                                       "value": POSITIVES["GT-SEC-007"][0]}]}),
            },
            "files": {"templates/settings.yaml": SHAPED_CONFIGMAP},
        },
        {
            ("GT-SEC-011", ""), *_each_env("GT-SEC-011"),
            ("GT-SEC-007", ""), *_each_env("GT-SEC-007"),
        },
    ),
}


def chart_name(rule: str) -> str:
    return rule.lower()
