"""A helm-renderable fixture chart, written into a tree made by `tests.support.trees`.

The chart is self-contained and driven by its values, so that a broken copy differs from
the passing one by one values change (or one file): `write_chart(charts_dir, name, ...)`
with patches. `chart_tree(root, charts)` is the tree the validate tests write them into
(`chart_spec`: dev and prod pinning `charts`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from tests.support.trees import chart_spec, write_tree

SENTINEL = "hunter2-SENTINEL-7f3a"  # a secret that must never be printed
LIBRARY_DEP = {"name": "common", "version": "0.1.0", "repository": "file://../common"}

HELPERS = '{{- define "demo.labels" -}}\napp: {{ .Release.Name }}\n{{- end -}}\n'

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {{- include "demo.labels" . | nindent 4 }}
spec:
  {{- if or (not .Values.autoscaling.enabled) .Values.forceReplicas }}
  replicas: {{ .Values.replicas }}
  {{- end }}
  selector:
    matchLabels: {{- include "demo.labels" . | nindent 6 }}
  template:
    metadata:
      labels: {{- include "demo.labels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ .Release.Name }}
      {{- toYaml .Values.pod | nindent 6 }}
      {{- if eq .Values.antiAffinity "required" }}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels: {{- include "demo.labels" . | nindent 18 }}
      {{- end }}
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          {{- toYaml .Values.container | nindent 10 }}
        {{- with .Values.extraContainers }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {{- include "demo.labels" . | nindent 4 }}
  ports:
    - port: 80
      targetPort: 8080
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data: {{- toYaml .Values.config | nindent 2 }}
"""

SECRET = """\
{{- if .Values.secretData }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}
stringData: {{- toYaml .Values.secretData | nindent 2 }}
{{- end }}
"""

HPA = """\
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .Release.Name }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .Release.Name }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
{{- end }}
"""

SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Release.Name }}
automountServiceAccountToken: false
"""

PDB = """\
{{- if .Values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}
spec:
  minAvailable: {{ .Values.pdb.minAvailable }}
  selector:
    matchLabels: {{- include "demo.labels" . | nindent 6 }}
{{- end }}
"""

NETWORK_POLICY = """\
{{- if .Values.networkPolicy }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .Release.Name }}
spec:
  podSelector:
    matchLabels: {{- include "demo.labels" . | nindent 6 }}
  policyTypes: [Ingress]
{{- end }}
"""

TEMPLATES = {
    "_helpers.tpl": HELPERS,
    "deployment.yaml": DEPLOYMENT,
    "service.yaml": SERVICE,
    "ingress.yaml": "# no Ingress in the fixture\n",
    "configmap.yaml": CONFIGMAP,
    "secret.yaml": SECRET,
    "hpa.yaml": HPA,
    "servicemonitor.yaml": "# no ServiceMonitor in the fixture\n",
    "serviceaccount.yaml": SERVICE_ACCOUNT,
    "poddisruptionbudget.yaml": PDB,
    "networkpolicy.yaml": NETWORK_POLICY,
}

CONTAINER = {
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
    },
    "resources": {
        "requests": {"cpu": "10m", "memory": "16Mi"},
        "limits": {"cpu": "100m", "memory": "64Mi"},
    },
    "livenessProbe": {"httpGet": {"path": "/health", "port": 8080}},
    "readinessProbe": {"httpGet": {"path": "/health", "port": 8080}},
    "env": [
        {
            "name": "DB_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "demo-secrets", "key": "db-password"}},
        }
    ],
}

VALUES: dict[str, Any] = {
    "replicas": 1,
    "forceReplicas": False,
    "image": {"repository": "example.org/demo", "tag": "0.0.0"},
    "autoscaling": {"enabled": False, "minReplicas": 1, "maxReplicas": 2},
    "pdb": {"enabled": False, "minAvailable": 1},
    "antiAffinity": "",
    "pod": {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 1000,
            "fsGroup": 1000,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    },
    "container": CONTAINER,
    "extraContainers": [],
    "config": {"LOG_LEVEL": "info"},
    "secretData": {},
    "networkPolicy": True,
    # References, not secrets: these must never be flagged.
    "secrets": {"existingSecret": "demo-secrets", "env": {"DB_PASSWORD": "db-password"}},
}

PROD_VALUES: dict[str, Any] = {
    "replicas": 3,
    "pdb": {"enabled": True, "minAvailable": 2},
    "antiAffinity": "required",
}


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`base` deep-merged with `patch`; a None in the patch deletes the key."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def write_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def write_chart(
    charts_dir: Path,
    name: str,
    values: dict[str, Any] | None = None,
    prod: dict[str, Any] | None = None,
    chart: dict[str, Any] | None = None,
    files: dict[str, str | None] | None = None,
) -> Path:
    """A passing chart, changed by the given patches; `files` adds (text) or deletes (None)."""
    folder = charts_dir / name
    meta = merge(
        {
            "apiVersion": "v2",
            "name": name,
            "version": "0.1.0",
            "type": "application",
            "annotations": {"gitops-tool/plane": "app-plane"},
        },
        chart or {},
    )
    write_yaml(folder / "Chart.yaml", meta)
    write_yaml(folder / "values.yaml", merge(VALUES, values or {}))
    write_yaml(folder / "values-dev.yaml", {})
    write_yaml(folder / "values-prod.yaml", merge(PROD_VALUES, prod or {}))
    (folder / "values.schema.json").write_text(json.dumps({"type": "object"}))
    for template, text in TEMPLATES.items():
        (folder / "templates").mkdir(parents=True, exist_ok=True)
        (folder / "templates" / template).write_text(text)
    for rel, text in (files or {}).items():
        if text is None:
            (folder / rel).unlink()
        else:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text)
    return folder


def chart_tree(root: Path, charts: Iterable[str]) -> Path:
    """Settings, dev and prod pinning `charts`, and the library chart: `chart_spec(charts)`
    without the charts' folders, which the caller writes (`write_chart`)."""
    return write_tree(root, chart_spec(charts), charts=False)
