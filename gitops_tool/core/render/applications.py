"""Argo CD manifests as data: Applications, root Applications, AppProjects, kustomizations.

Pure: each function takes model objects and returns the plain dicts and lists
`yamlout.dump` writes. Key order does not matter here (the emitter fixes it).
The ApplicationSet (`render.appset`) builds its template with the same
`application_from` as the rendered Applications, with `{{.key}}` placeholders
in place of what varies per chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitops_tool.core import names
from gitops_tool.core.apps import AppTarget, app_target, root_target
from gitops_tool.core.model import Environment, Service, Settings, SyncWindow
from gitops_tool.core.names import IMAGE_TAG_PARAMETER

API_VERSION = "argoproj.io/v1alpha1"
IN_CLUSTER = "https://kubernetes.default.svc"
KUSTOMIZE_API_VERSION = "kustomize.config.k8s.io/v1beta1"

# Every service Application syncs with these (pitfalls 7, 24, 25, 26). The sync command must
# send them with any request that sets syncOptions: a request's options replace these (pitfall 10).
SYNC_OPTIONS = (
    "CreateNamespace=true",
    "ServerSideApply=true",
    "PruneLast=true",
    "SkipDryRunOnMissingResource=true",
    "RespectIgnoreDifferences=true",
)
ROOT_SYNC_OPTIONS = ("PruneLast=true",)
# Retry with the newest revision, not the one that failed (pitfall 27).
RETRY = {
    "limit": 5,
    "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"},
    "refresh": True,
}
# HPA-scaled Deployments: the HPA writes `/spec/replicas` through the scale subresource as
# kube-controller-manager. Ignoring exactly the fields that manager owns keeps the *diff*
# quiet where an HPA scales, and still shows `replicaCount` changes to Deployments without one
# (a plain `jsonPointers: [/spec/replicas]` would silently freeze those). managedFieldsManagers
# affect only the diff: when it pre-patches for a sync, RespectIgnoreDifferences applies only
# jsonPointers and jqPathExpressions (pitfall 7). What keeps the HPA's replicas in a sync is
# that the charts omit `replicas` when the HPA is on and the Applications use ServerSideApply,
# so a sync never sets the field there. RespectIgnoreDifferences stays for the jsonPointers
# and jqPathExpressions entries users add.
HPA_MANAGER = "kube-controller-manager"
IGNORE_DIFFERENCES = (
    {"group": "apps", "kind": "Deployment", "managedFieldsManagers": [HPA_MANAGER]},
)
def destination_for(env: Environment) -> dict[str, str]:
    """Where the environment's services run: its cluster (by URL or name) and namespace."""
    where = {"server": env.server} if env.server else {"name": env.cluster}
    return {**where, "namespace": env.namespace}


def labels_for(env: Environment, app: AppTarget | None = None) -> dict[str, str]:
    """Labels of what render produces for `env`; with `app`, those of one service's
    Application."""
    labels = {names.LABEL_MANAGED_BY: names.MANAGED_BY, names.LABEL_ENVIRONMENT: env.name}
    if app is not None:
        labels[names.LABEL_PLANE] = app.plane
        labels[names.LABEL_CHART] = app.service
    return labels


def sync_policy_for(env: Environment, options: tuple[str, ...] = SYNC_OPTIONS) -> dict[str, Any]:
    """Automated (with the environment's prune and selfHeal) only when the environment is."""
    policy: dict[str, Any] = {
        "syncOptions": list(options),
        "retry": {**RETRY, "backoff": dict(RETRY["backoff"])},
    }
    if env.sync_policy.automated:
        policy["automated"] = {
            "prune": env.sync_policy.prune,
            "selfHeal": env.sync_policy.self_heal,
        }
    return policy


@dataclass(frozen=True, slots=True)
class EnvParts:
    """The parts every Application of one environment has in common, built once.

    Applications built with the same parts share these dicts and lists (render builds
    thousands of Applications): treat them as read-only.
    """

    destination: dict[str, str]
    value_files: list[str]
    ignore_differences: list[dict[str, Any]]
    sync_policy: dict[str, Any]
    finalizers: list[str]


def parts_for(env: Environment) -> EnvParts:
    """The shared parts of `env`'s Applications."""
    return EnvParts(
        destination=destination_for(env),
        value_files=["values.yaml", f"values-{env.name}.yaml"],
        ignore_differences=[
            {**rule, "managedFieldsManagers": list(rule["managedFieldsManagers"])}
            for rule in IGNORE_DIFFERENCES
        ],
        sync_policy=sync_policy_for(env),
        finalizers=[names.RESOURCES_FINALIZER],
    )


def application_from(
    env: Environment, app: AppTarget, parts: EnvParts | None = None
) -> dict[str, Any]:
    """The Application of one service in `env`. The ApplicationSet template passes an
    `app` whose per-service fields are `{{.key}}` placeholders."""
    parts = parts or parts_for(env)
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": {
            "name": app.name,
            "namespace": app.namespace,
            "labels": labels_for(env, app),
            "annotations": {
                names.ANNOTATION_SYNC_WAVE: str(app.wave),
                names.ANNOTATION_GENERATE_PATHS: app.generate_paths,
            },
            "finalizers": parts.finalizers,
        },
        "spec": {
            "project": app.project,
            "destination": parts.destination,
            "source": {
                "repoURL": env.repo_url,
                "targetRevision": app.revision,
                "path": app.path,
                "helm": {
                    "releaseName": app.service,
                    "valueFiles": parts.value_files,
                    # forceString: `--set-string`, so a tag such as 1.10 stays a string.
                    "parameters": [
                        {
                            "name": IMAGE_TAG_PARAMETER,
                            "value": app.image_tag,
                            "forceString": True,
                        }
                    ],
                },
            },
            "ignoreDifferences": parts.ignore_differences,
            "syncPolicy": parts.sync_policy,
        },
    }


def application_for(
    settings: Settings, env: Environment, service: Service, parts: EnvParts | None = None
) -> dict[str, Any]:
    """The Application that deploys `service` in `env` (`parts`: see EnvParts)."""
    return application_from(env, app_target(settings, env, service), parts)


def root_application_for(settings: Settings, env: Environment) -> dict[str, Any]:
    """The environment's root Application: the folder of its Applications, at the branch.

    It always tracks the branch (never the pinned commit), so new Application specs reach the
    cluster. No finalizer: deleting the root orphans the Applications instead of cascading
    into every workload of the environment.
    """
    root = root_target(settings, env)
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": {
            "name": root.name,
            "namespace": root.namespace,
            "labels": labels_for(env),
            "annotations": {names.ANNOTATION_GENERATE_PATHS: root.generate_paths},
        },
        "spec": {
            "project": root.project,
            "destination": {"server": IN_CLUSTER, "namespace": env.argocd_namespace},
            "source": {
                "repoURL": env.repo_url,
                "targetRevision": root.revision,
                "path": root.path,
                "directory": {"recurse": False},
            },
            "syncPolicy": sync_policy_for(env, ROOT_SYNC_OPTIONS),
        },
    }


def _window(window: SyncWindow, env: Environment) -> dict[str, Any]:
    return {
        "kind": window.kind,
        "schedule": window.schedule,
        "duration": window.duration,
        "timeZone": window.time_zone,
        "manualSync": window.manual_sync,
        "namespaces": [env.namespace],
    }


def appproject_for(env: Environment) -> dict[str, Any]:
    """The environment's AppProject: this repository only, its namespace on its cluster only."""
    spec: dict[str, Any] = {
        "description": f"Services of the {env.name} environment (generated by gitops-tool).",
        "sourceRepos": [env.repo_url],
        "destinations": [destination_for(env)],
        # Only the environment's own Namespace (CreateNamespace=true needs it).
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": env.namespace}],
        "orphanedResources": {"warn": True},
    }
    if env.sync_policy.windows:
        spec["syncWindows"] = [_window(w, env) for w in env.sync_policy.windows]
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": {
            "name": env.project,
            "namespace": env.argocd_namespace,
            "labels": labels_for(env),
            # Argo CD refuses to delete a project while Applications still use it.
            "finalizers": [names.RESOURCES_FINALIZER],
        },
        "spec": spec,
    }


def root_appproject_for(namespace: str, repo_urls: list[str]) -> dict[str, Any]:
    """The project of the root Applications: they may only put Applications into Argo CD's
    own namespace, from this repository, and touch no cluster-scoped resource."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": {
            "name": names.ROOT_PROJECT,
            "namespace": namespace,
            "labels": {names.LABEL_MANAGED_BY: names.MANAGED_BY},
            "finalizers": [names.RESOURCES_FINALIZER],
        },
        "spec": {
            "description": "Root Applications of every environment (generated by gitops-tool).",
            "sourceRepos": sorted(set(repo_urls)),
            "destinations": [{"server": IN_CLUSTER, "namespace": namespace}],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [{"group": "argoproj.io", "kind": "Application"}],
        },
    }


def kustomization_for(resources: list[str]) -> dict[str, Any]:
    """A kustomization listing `resources`, so that `kubectl apply -k` applies them."""
    return {
        "apiVersion": KUSTOMIZE_API_VERSION,
        "kind": "Kustomization",
        "resources": list(resources),
    }
