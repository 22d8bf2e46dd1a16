#!/usr/bin/env python3
"""Write the one values.schema.json into every service chart (charts/<name>/values.schema.json).

Helm applies only the schema at a chart's own root (a library chart's schema would only see
`.Values.common`), so each service chart carries a copy. This file is their single source:
edit it, then run

    python3 charts/common/schema/generate.py           # rewrite every copy
    python3 charts/common/schema/generate.py --check   # exit 1 if a copy is stale

The schema mirrors charts/common/values.yaml (exports.defaults). It uses only draft-07
keywords (no $ref), so Helm 3 and Helm 4 read it alike. tests/integration/charts checks
that every copy equals `render()`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CHARTS = Path(__file__).resolve().parents[2]
LIBRARY_REPOSITORY = "file://../common"

Schema = dict[str, Any]


def obj(properties: dict[str, Schema], description: str = "") -> Schema:
    """A mapping with exactly these optional keys."""
    schema: Schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if description:
        schema["description"] = description
    return schema


def string(description: str = "", **extra: Any) -> Schema:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def integer(minimum: int, maximum: int | None = None, description: str = "") -> Schema:
    schema: Schema = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    if description:
        schema["description"] = description
    return schema


def boolean(description: str = "") -> Schema:
    return {"type": "boolean", **({"description": description} if description else {})}


def enum(*choices: str, description: str = "") -> Schema:
    return {
        "type": "string",
        "enum": list(choices),
        **({"description": description} if description else {}),
    }


def string_map(description: str = "", key_pattern: str | None = None) -> Schema:
    schema: Schema = {"type": "object", "additionalProperties": {"type": "string"}}
    if key_pattern:
        schema["propertyNames"] = {"pattern": key_pattern}
    if description:
        schema["description"] = description
    return schema


def string_list(description: str = "", **item: Any) -> Schema:
    schema: Schema = {"type": "array", "items": {"type": "string", **item}}
    if description:
        schema["description"] = description
    return schema


QUANTITY = {
    "type": ["string", "number"],
    "pattern": r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$",
}
INT_OR_PERCENT = {"type": ["integer", "string"], "minimum": 0, "pattern": r"^[0-9]{1,3}%$"}
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"
HOST = r"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
PORT_NAME = r"^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$"
ABSOLUTE_PATH = r"^/[^\s]*$"
# A folder below the root, in characters a shell command can hold unquoted (seededDirs).
FOLDER = r"^(/[-._a-zA-Z0-9]+)+$"
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
CIDR = r"^([0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9a-fA-F:]*:[0-9a-fA-F:]*/[0-9]{1,3})$"
DURATION = r"^([0-9]+(ns|us|ms|s|m|h))+$"  # a Go duration (refreshInterval)
LABEL_NAME = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
# An in-cluster OTLP endpoint; the template checks the same shape and names the problem.
OTLP_ENDPOINT = (
    r"^https?://[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    r"(\.svc(\.cluster\.local)?)?:[0-9]+/?$"
)


def dns_labels(description: str = "") -> Schema:
    return string_list(description, pattern=DNS_LABEL)


def network_policy() -> Schema:
    port = integer(1, 65535)
    return obj(
        {
            "enabled": boolean("render a NetworkPolicy per component"),
            "ingressNamespace": string("namespace of the ingress controller", pattern=DNS_LABEL),
            "monitoringNamespace": string("namespace of Prometheus", pattern=DNS_LABEL),
            "dns": obj(
                {
                    "namespace": string(pattern=DNS_LABEL),
                    "podLabels": {**string_map("labels of the DNS pods"), "minProperties": 1},
                    "port": port,
                }
            ),
            "clients": dns_labels("releases whose pods may reach the container port"),
            "peers": {
                "description": "components of other releases this one calls",
                "type": "array",
                "items": {
                    **obj(
                        {
                            "release": string(pattern=DNS_LABEL),
                            "component": string(pattern=DNS_LABEL),
                            "port": port,
                        }
                    ),
                    "required": ["release", "component", "port"],
                },
            },
            "externals": dns_labels("names from externalServices this component calls"),
            "externalEgress": {
                "description": "addresses outside the cluster this component calls, by CIDR",
                "type": "array",
                "items": {
                    **obj(
                        {
                            "cidr": string(pattern=CIDR),
                            "except": string_list("CIDRs inside cidr left out", pattern=CIDR),
                            "ports": {
                                "description": "TCP ports",
                                "type": "array",
                                "items": port,
                                "minItems": 1,
                            },
                        }
                    ),
                    "required": ["cidr", "ports"],
                },
            },
            "externalServices": {
                "description": "name -> the namespace and TCP port of an external service",
                "type": "object",
                "additionalProperties": {
                    **obj({"namespace": string(pattern=DNS_LABEL), "port": port}),
                    "required": ["namespace", "port"],
                },
            },
        }
    )


def tracing() -> Schema:
    return obj(
        {
            "enabled": boolean("export traces over OTLP"),
            "endpoint": string("the in-cluster OTLP collector", pattern=OTLP_ENDPOINT),
            "protocol": enum("grpc", "http/protobuf"),
            "samplingRatio": {"type": "number", "minimum": 0, "maximum": 1},
        }
    )


def chart_wide() -> dict[str, Schema]:
    """The keys only a chart sets (never a component)."""
    return {
        "environment": string("dev, staging or prod", pattern=DNS_LABEL),
        "externalSecrets": obj(
            {
                "enabled": boolean("render ExternalSecrets instead of the placeholder"),
                "storeName": string("the ClusterSecretStore (through tpl)", minLength=1),
                "remoteKeyPrefix": string("remote keys: <prefix>/<key> (through tpl)", minLength=1),
                "remoteProperty": string("the property holding the value ('' : whole value)"),
                "refreshInterval": string("Go duration", pattern=DURATION),
            }
        ),
        "alerts": obj(
            {
                "enabled": boolean("render the PrometheusRule"),
                "severity": enum("critical", "warning", "info"),
                "runbookURL": string("the runbook page", pattern=r"^https?://[^\s#]+$"),
                "labels": string_map("extra PrometheusRule labels", LABEL_NAME),
            }
        ),
        "dashboard": obj(
            {
                "enabled": boolean("render the plane's Grafana dashboard"),
                "labels": string_map("labels the Grafana sidecar selects", LABEL_NAME),
                "services": {
                    "type": "array",
                    "items": {
                        **obj(
                            {
                                "name": string("the release", pattern=DNS_LABEL),
                                "deployments": dns_labels("its Deployments"),
                                "statefulSets": dns_labels("its StatefulSets"),
                                "scrapeJobs": dns_labels("its ServiceMonitor jobs"),
                            }
                        ),
                        "required": ["name"],
                    },
                },
            }
        ),
    }


def resources_of() -> Schema:
    pair = obj({"cpu": QUANTITY, "memory": QUANTITY})
    return obj({"requests": pair, "limits": pair}, "requests and limits of the container")


def workload() -> dict[str, Schema]:
    """The keys a chart sets at its root and a component may override."""
    return {
        "role": enum(
            "backend", "frontend", "worker", "database", description="what the process is"
        ),
        "kind": enum("Deployment", "StatefulSet"),
        "image": obj(
            {
                "repository": string("image repository", minLength=1),
                "tag": {
                    "description": "a pinned version (Argo CD's image.tag parameter); not latest",
                    "type": ["string", "integer"],
                    "minLength": 1,
                    "not": {"enum": ["latest", ""]},
                },
                "pullPolicy": enum("IfNotPresent", "Always", "Never"),
            }
        ),
        "imagePullSecrets": {
            "type": "array",
            "items": obj({"name": string(minLength=1)}),
        },
        "command": string_list("container command"),
        "args": string_list("container args"),
        "containerPort": integer(1024, 65535, "the container port (never privileged)"),
        "service": obj(
            {
                "type": enum("ClusterIP", "NodePort", "LoadBalancer"),
                "port": integer(1, 65535, "the Service port"),
                "portName": string("name of the container and Service port", pattern=PORT_NAME),
                "primaryOnly": boolean("StatefulSet: route to ordinal 0 only"),
            }
        ),
        "ingress": obj(
            {
                "enabled": boolean(),
                "className": string(minLength=1),
                "clusterIssuer": string("cert-manager.io/cluster-issuer", minLength=1),
                "host": string("the environment's host", pattern=HOST),
                "path": string(pattern=ABSOLUTE_PATH),
                "pathType": enum("Prefix", "Exact", "ImplementationSpecific"),
                "annotations": string_map("extra Ingress annotations"),
                "tlsSecretName": string(),
            }
        ),
        "replicaCount": integer(1, description="replicas when not autoscaled"),
        "autoscaling": obj(
            {
                "enabled": boolean(),
                "minReplicas": integer(1),
                "maxReplicas": integer(1),
                "targetCPUUtilizationPercentage": integer(1, 100),
                "targetMemoryUtilizationPercentage": integer(1, 100),
            }
        ),
        "podDisruptionBudget": obj(
            {
                "enabled": boolean(),
                "minAvailable": INT_OR_PERCENT,
                "maxUnavailable": INT_OR_PERCENT,
            }
        ),
        "podAntiAffinity": enum("preferred", "required"),
        "networkPolicy": network_policy(),
        "resources": resources_of(),
        "probes": obj(
            {
                "type": enum("http", "tcp", "exec"),
                "livenessPath": string(pattern=ABSOLUTE_PATH),
                "readinessPath": string(pattern=ABSOLUTE_PATH),
                "startupPath": string(pattern=ABSOLUTE_PATH),
                "command": string_list("exec probe command"),
                "periodSeconds": integer(1),
                "timeoutSeconds": integer(1),
                "failureThreshold": integer(1),
                "startupFailureThreshold": integer(1),
            }
        ),
        "logLevel": enum("debug", "info", "warn", "error"),
        "logFormat": enum("json", "text"),
        "tracing": tracing(),
        "config": string_map("settings rendered into the ConfigMap", ENV_NAME),
        "secrets": obj(
            {
                "existingSecret": string("the Secret the containers read"),
                "placeholder": boolean(
                    "without ExternalSecrets, render a data-less placeholder of that Secret"
                ),
                "env": {
                    "description": "ENV_VAR: secret-key references",
                    "type": "object",
                    "propertyNames": {"pattern": ENV_NAME},
                    "additionalProperties": {"type": "string", "pattern": SECRET_KEY},
                },
                "optional": string_list("keys that may be absent", pattern=SECRET_KEY),
            }
        ),
        "serviceMonitor": obj(
            {
                "enabled": boolean(),
                "path": string(pattern=ABSOLUTE_PATH),
                "interval": string(pattern=r"^[0-9]+(ms|s|m|h)$"),
                "scrapeTimeout": string(pattern=r"^[0-9]+(ms|s|m|h)$"),
                "labels": string_map(),
            }
        ),
        "nginx": obj({"enabled": boolean("the image is an unprivileged nginx")}),
        "writableDirs": string_list("emptyDir mounts", pattern=ABSOLUTE_PATH),
        "seededDirs": string_list(
            "emptyDir mounts an init container first fills with the image's folder",
            pattern=FOLDER,
        ),
        # The paths are checked by the template (common.validate), whose message says what
        # an acceptable path is and which writableDirs/seededDirs folder one lies in.
        "files": string_map("absolute file path -> content (through tpl), mounted read-only"),
        "persistence": obj(
            {
                "enabled": boolean(),
                "size": QUANTITY,
                "storageClassName": string(),
                "accessModes": {
                    "type": "array",
                    "items": enum(
                        "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"
                    ),
                },
                "mountPath": string(pattern=ABSOLUTE_PATH),
            }
        ),
        "podSecurityContext": obj(
            {"runAsUser": integer(1), "runAsGroup": integer(1), "fsGroup": integer(1)},
            "never root: runAsNonRoot and seccomp RuntimeDefault are fixed in the library",
        ),
        "podAnnotations": string_map(),
        "nodeSelector": string_map(),
        "tolerations": {"type": "array", "items": {"type": "object"}},
    }


NO_INGRESS_FOR_WORKERS = {
    "if": {"properties": {"role": {"const": "worker"}}, "required": ["role"]},
    "then": {"properties": {"ingress": {"properties": {"enabled": {"const": False}}}}},
}


def schema() -> Schema:
    """The values.schema.json of every service chart."""
    component = {**obj(workload()), **NO_INGRESS_FOR_WORKERS}
    root = obj(
        {
            "nameOverride": string(),
            "fullnameOverride": string(),
            "partOf": string(minLength=1),
            **chart_wide(),
            **workload(),
            "serviceAccount": obj(
                {
                    "create": boolean(),
                    "name": string(),
                    "automountToken": boolean("mount an API token (needs a waiver)"),
                    "annotations": string_map(),
                }
            ),
            "components": {
                "description": "name -> workload settings merged over the chart-level ones",
                "type": "object",
                "propertyNames": {"pattern": r"^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$"},
                "additionalProperties": component,
            },
            "common": {"description": "reserved: the library chart's own values", "type": "object"},
            "global": {"description": "reserved: Helm's global values", "type": "object"},
        }
    )
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Ananta service chart values (generated: charts/common/schema/generate.py)",
        **root,
        **NO_INGRESS_FOR_WORKERS,
    }


def render() -> str:
    """The exact text of every copy."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def service_charts() -> list[Path]:
    """Every chart that depends on the library."""
    return sorted(
        chart.parent
        for chart in CHARTS.glob("*/Chart.yaml")
        if LIBRARY_REPOSITORY in chart.read_text(encoding="utf-8")
    )


def main(argv: list[str]) -> int:
    text = render()
    stale = [
        chart / "values.schema.json"
        for chart in service_charts()
        if not (chart / "values.schema.json").is_file()
        or (chart / "values.schema.json").read_text(encoding="utf-8") != text
    ]
    if "--check" in argv:
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
