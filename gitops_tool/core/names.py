"""Names, label keys and annotation keys: defined once, used everywhere."""

from __future__ import annotations

import re

# Labels and annotations gitops-tool puts on what it renders.
LABEL_PLANE = "gitops-tool/plane"
LABEL_ENVIRONMENT = "gitops-tool/environment"
LABEL_CHART = "gitops-tool/chart"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY = "gitops-tool"

# The Chart.yaml annotation in which a service chart names its plane.
CHART_PLANE_ANNOTATION = "gitops-tool/plane"
# Chart.yaml annotations `gitops-tool/waive.<RULE-ID>: <reason>` waive a policy rule.
CHART_WAIVER_PREFIX = "gitops-tool/waive."

# `helm dependency build` works in <chart>/tmpcharts-<pid>, created and removed while it
# runs: no listing of a chart folder may look inside one.
HELM_TEMP_PREFIX = "tmpcharts-"

ANNOTATION_SYNC_WAVE = "argocd.argoproj.io/sync-wave"
ANNOTATION_GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"

# Kubernetes object names (RFC 1123 subdomain) and Helm release names.
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_RFC1123_SUBDOMAIN = re.compile(rf"^{_DNS_LABEL}(\.{_DNS_LABEL})*$")
_RFC1123_LABEL = re.compile(rf"^{_DNS_LABEL}$")
# Service names: the chart name is the Helm release and the Service name, and a Service name
# must be an RFC 1035 label (it starts with a letter).
_RFC1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
RELEASE_NAME_MAX = 53  # Helm's limit on release names
LABEL_VALUE_MAX = 63
OBJECT_NAME_MAX = 253


def name_problem(name: str, limit: int = RELEASE_NAME_MAX) -> str | None:
    """Why `name` is not a valid Helm release / Argo CD Application name, or None."""
    if not name:
        return "is empty"
    if len(name) > limit:
        return f"is {len(name)} characters long; the limit is {limit}"
    if not _RFC1123_SUBDOMAIN.fullmatch(name):
        return (
            "must be lowercase letters, digits, '-' and '.', starting and ending "
            "with a letter or digit (RFC 1123)"
        )
    return None


def label_problem(value: str) -> str | None:
    """Why `value` cannot be a DNS label (service, environment or plane name), or None."""
    if not value or len(value) > LABEL_VALUE_MAX or not _RFC1123_LABEL.fullmatch(value):
        return (
            f"must be 1-{LABEL_VALUE_MAX} lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return None


def service_name_problem(name: str, limit: int = RELEASE_NAME_MAX) -> str | None:
    """Why `name` cannot be a service (chart) name -- its release and Service name -- or None."""
    if not name:
        return "is empty"
    if len(name) > limit:
        return f"is {len(name)} characters long; the limit is {limit}"
    if not _RFC1035_LABEL.fullmatch(name):
        return (
            "must be lowercase letters, digits and '-', starting with a letter and ending "
            "with a letter or digit (RFC 1035: it is also the Service name)"
        )
    return None


# The files people write, by their repository-relative names.
SETTINGS_FILE = "gitops-tool.yaml"
ENVIRONMENTS_DIR = "environments"


def environment_file(environment: str) -> str:
    """The file that declares `environment`: `environments/prod.yaml`."""
    return f"{ENVIRONMENTS_DIR}/{environment}.yaml"


# The AppProject of the root Applications (they deploy Applications into Argo CD's namespace).
ROOT_PROJECT = "gitops-root"
# The file of an environment's root Application, in its folder of the output (argocd/<env>/).
ROOT_FILE = "root.yaml"
# The Helm parameter render sets from a release pin (`--set-string image.tag=<pin>`).
IMAGE_TAG_PARAMETER = "image.tag"


def application_name(environment: str, service: str) -> str:
    """The stable Argo CD Application name of a service in an environment."""
    return f"{environment}-{service}"


def root_application_name(environment: str) -> str:
    """The environment's root (app-of-apps) Application."""
    return f"{environment}-root"
