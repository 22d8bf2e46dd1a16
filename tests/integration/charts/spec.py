"""What the charts must render: the tables of HELM-CHARTS-SUMMARY.md and issue 2, as data.

Tests compare helm's output with these tables; nothing here is read back from values files.
Where the summary is silent (ports of secondary infrastructure components, secret keys of
services it lists none for) the choice is ours and is documented in charts/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass

ENVIRONMENTS = ("dev", "staging", "prod")
NAMESPACE = {env: f"ananta-{env}" for env in ENVIRONMENTS}
HOST_PATTERN = {"dev": "{}.ananta.local", "staging": "{}-staging.ananta.io", "prod": "{}.ananta.io"}
CLUSTER_ISSUER = {
    "dev": "letsencrypt-staging",
    "staging": "letsencrypt-staging",
    "prod": "letsencrypt-prod",
}
LOG_LEVEL = {"dev": "debug", "staging": "info", "prod": "warn"}
# Day two (issue 14): what each environment switches on.
EXTERNAL_SECRETS = {"dev": False, "staging": True, "prod": True}  # else the placeholder
ALERT_SEVERITY = {"dev": None, "staging": "warning", "prod": "critical"}  # None: no alerts
TRACE_SAMPLING = {"dev": None, "staging": 1.0, "prod": 0.1}  # None: tracing off
PINNED_TAG = "9.9.9"  # an image.tag parameter no values file names (the session renders
# pass each environment's own release pin)

# The summary's security context, requests and limits. Three fields go beyond the summary's
# (stricter, see charts/README.md "Security context"): runAsGroup on the pod, privileged and
# runAsNonRoot on every container.
POD_SECURITY_CONTEXT = {
    "runAsNonRoot": True,
    "runAsUser": 1000,
    "runAsGroup": 1000,  # added
    "fsGroup": 1000,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY_CONTEXT = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
    "privileged": False,  # added
    "runAsNonRoot": True,  # added
}
SUMMARY_RESOURCES = {
    "requests": {"cpu": "100m", "memory": "256Mi"},
    "limits": {"cpu": "500m", "memory": "512Mi"},
}
SELECTOR_KEYS = {
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
}
REQUIRED_LABELS = SELECTOR_KEYS | {
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/part-of",
    "helm.sh/chart",
}


@dataclass(frozen=True)
class Component:
    """One workload of a chart ("" is the single workload of a one-component chart)."""

    port: int  # the Service port
    image: str  # the image repository
    kind: str = "Deployment"
    host: str | None = None  # the Ingress host prefix; None: no Ingress
    follows_tag: bool = True  # image.tag (the release pin) sets this component's tag
    container_port: int | None = None  # when it differs from the Service port
    # Folders that start with the image's content but must be writable (seededDirs): each is
    # an emptyDir an init container fills from the image. No other workload has init containers.
    seeded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    plane: str
    kind: str  # the summary's Type column: backend, worker, frontend, infrastructure
    components: dict[str, Component]
    secret: str  # secrets.existingSecret default
    secret_keys: frozenset[str]
    metrics_port: int | None = None  # the Monitoring Endpoints table
    readiness: str = "/health"  # the Testing section: /health, and /ping on LoopBack
    nginx: bool = False


def _ananta(
    name: str, port: int, host: str | None = None, container_port: int | None = None
) -> dict[str, Component]:
    """The single component of an Ananta service chart, on its own image."""
    image = f"ghcr.io/ananta-platform/{name}"
    return {"": Component(port, image, host=host, container_port=container_port)}


DB_KEYS = frozenset({"db-user", "db-password"})
TEMPORAL_CONFIG = ("/etc/temporal/config",)

CHARTS: dict[str, Chart] = {
    "tenant-management-service": Chart(
        "control-plane",
        "backend",
        _ananta("tenant-management-service", 14000, host="tenant-management-service"),
        "tenant-management-secrets",
        DB_KEYS | {"redis-password", "jwt-secret", "keycloak-client-secret", "novu-api-key"},
        metrics_port=14000,
        readiness="/ping",
    ),
    "temporal-worker-service": Chart(
        "control-plane",
        "worker",
        _ananta("temporal-worker-service", 8080),
        "temporal-worker-secrets",
        DB_KEYS | {"novu-api-key"},
        metrics_port=8080,
    ),
    "subscription-service": Chart(
        "control-plane",
        "backend",
        _ananta("subscription-service", 14001, host="subscription-service"),
        "subscription-secrets",
        DB_KEYS | {"redis-password", "jwt-secret", "stripe-secret-key"},
        metrics_port=14001,
        readiness="/ping",
    ),
    "orchestrator-service": Chart(
        "control-plane",
        "backend",
        _ananta("orchestrator-service", 14002, host="orchestrator-service"),
        "orchestrator-secrets",
        DB_KEYS | {"redis-password", "jwt-secret"},
        metrics_port=14002,
        readiness="/ping",
    ),
    "admin-app": Chart(
        "control-plane",
        "frontend",
        _ananta("admin-app", 80, host="admin-app", container_port=8080),
        "admin-app-secrets",
        frozenset(),
        nginx=True,
    ),
    "cns-service": Chart(
        "app-plane",
        "backend",
        _ananta("cns-service", 27200, host="cns-service"),
        "cns-secrets",
        frozenset(
            {
                "supabase-db-user",
                "supabase-db-password",
                "components-db-user",
                "components-db-password",
                "redis-password",
                "rabbitmq-password",
            }
        ),
        metrics_port=27200,
    ),
    "cns-dashboard": Chart(
        "app-plane",
        "frontend",
        _ananta("cns-dashboard", 27250, host="cns-dashboard", container_port=8080),
        "cns-dashboard-secrets",
        frozenset(),
        nginx=True,
    ),
    "customer-portal": Chart(
        "app-plane",
        "frontend",
        _ananta("customer-portal", 27100, host="customer-portal", container_port=8080),
        "customer-portal-secrets",
        frozenset(),
        nginx=True,
    ),
    "backstage-portal": Chart(
        "app-plane",
        "frontend",
        _ananta("backstage-portal", 7007, host="backstage-portal"),
        "backstage-portal-secrets",
        frozenset({"postgres-user", "postgres-password", "github-token", "backend-secret"}),
    ),
    "audit-logger": Chart(
        "app-plane",
        "backend",
        _ananta("audit-logger", 27300, host="audit-logger"),
        "audit-logger-secrets",
        DB_KEYS | {"rabbitmq-password"},
        metrics_port=27300,
    ),
    "middleware-api": Chart(
        "app-plane",
        "backend",
        _ananta("middleware-api", 27350, host="middleware-api"),
        "middleware-api-secrets",
        frozenset({"redis-password", "jwt-secret", "keycloak-client-secret"}),
        metrics_port=27350,
    ),
    "novu-consumer": Chart(
        "app-plane",
        "worker",
        _ananta("novu-consumer", 9090),
        "novu-consumer-secrets",
        frozenset({"rabbitmq-password", "novu-api-key"}),
        metrics_port=9090,
    ),
    "temporal": Chart(
        "infrastructure",
        "infrastructure",
        {  # the server's entrypoint renders its config into /etc/temporal/config at start
            "frontend": Component(7233, "temporalio/server", seeded=TEMPORAL_CONFIG),
            "history": Component(7234, "temporalio/server", seeded=TEMPORAL_CONFIG),
            "matching": Component(7235, "temporalio/server", seeded=TEMPORAL_CONFIG),
            "worker": Component(7239, "temporalio/server", seeded=TEMPORAL_CONFIG),
            "web": Component(8080, "temporalio/ui", host="temporal", follows_tag=False),
        },
        "temporal-secrets",
        frozenset({"postgresql-user", "postgresql-password", "elasticsearch-password"}),
    ),
    "novu": Chart(
        "infrastructure",
        "infrastructure",
        {
            "api": Component(3000, "ghcr.io/novuhq/novu/api", host="novu-api"),
            "web": Component(4200, "ghcr.io/novuhq/novu/web", host="novu"),
            "worker": Component(3004, "ghcr.io/novuhq/novu/worker"),
            "ws": Component(3002, "ghcr.io/novuhq/novu/ws", host="novu-ws"),
        },
        "novu-secrets",
        frozenset({"jwt-secret", "api-key", "mongodb-password", "redis-password"}),
    ),
    "supabase": Chart(
        "infrastructure",
        "infrastructure",
        {
            "db": Component(5432, "supabase/postgres", kind="StatefulSet"),
            "api": Component(3000, "postgrest/postgrest", follows_tag=False),
            "auth": Component(9999, "supabase/gotrue", follows_tag=False),
            "storage": Component(5000, "supabase/storage-api", follows_tag=False),
            "studio": Component(3000, "supabase/studio", host="supabase-studio", follows_tag=False),
            "kong": Component(8000, "kong", host="supabase", follows_tag=False),
        },
        "supabase-secrets",
        frozenset({"postgres-password", "jwt-secret", "anon-key", "service-key"}),
    ),
}

CASES = [(chart, env) for chart in CHARTS for env in ENVIRONMENTS]
CASE_IDS = [f"{chart}-{env}" for chart, env in CASES]


def resource_name(chart: str, component: str) -> str:
    """<fullname>-<component> (release name = chart name, so fullname = chart name)."""
    return f"{chart}-{component}" if component else chart
