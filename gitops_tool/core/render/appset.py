"""The ApplicationSet alternative: one per environment, generating the same Applications.

Pure. A list generator carries one element per chart (everything that differs
between the environment's Applications); the template is `application_from`
with `{{.key}}` placeholders, so template + element == the rendered Application
(a test instantiates it). RollingSync rolls the planes out one step each, in
wave order, matching the plane label on the generated Applications.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gitops_tool.core import names
from gitops_tool.core.apps import AppTarget, app_target
from gitops_tool.core.model import Environment, Service, Settings
from gitops_tool.core.render.applications import API_VERSION, application_from

# The list-generator element key of each AppTarget field that differs between the services
# of one environment (Go templates read `{{.imageTag}}`); the other fields are the same for
# all of them and are written into the template as they are.
ELEMENT_KEYS = {
    "name": "name",
    "service": "chart",
    "plane": "plane",
    "wave": "wave",
    "path": "path",
    "image_tag": "imageTag",
    "generate_paths": "generatePaths",
}
# Added to ELEMENT_KEYS when a pin of the environment carries its own `revision` (a
# per-service promotion): then the revision differs between services too. Without such a
# pin, the template holds the environment's revision and the elements carry none.
REVISION_KEY = {"revision": "revision"}


def applicationset_name(env: Environment) -> str:
    """The ApplicationSet of `env`."""
    return f"{env.name}-services"


def element_keys(env: Environment) -> dict[str, str]:
    """The AppTarget fields that differ between the services of `env`, with their element
    keys: the revision too when a pin carries its own."""
    if any(pin.revision for pin in env.releases.values()):
        return {**ELEMENT_KEYS, **REVISION_KEY}
    return ELEMENT_KEYS


def element_for(app: AppTarget, keys: dict[str, str] = ELEMENT_KEYS) -> dict[str, str]:
    """The list-generator element of one Application (every value a string)."""
    return {key: str(getattr(app, attr)) for attr, key in keys.items()}


def template_target(env: Environment) -> AppTarget:
    """What the ApplicationSet template is built from: a `{{.key}}` placeholder in each field
    that differs between services (the wave too: its annotation is text either way), and
    `env`'s own values in the others, as `app_target` gives them."""
    fixed: dict[str, Any] = {
        "project": env.project,
        "namespace": env.argocd_namespace,
        "revision": env.revision,
        "automated": env.sync_policy.automated,
    }
    placeholders = {attr: f"{{{{.{key}}}}}" for attr, key in element_keys(env).items()}
    return AppTarget(**{**fixed, **placeholders})


def steps_for(settings: Settings, env: Environment) -> list[dict[str, Any]]:
    """One RollingSync step per plane, in wave order, selecting by the plane label.

    RollingSync starts syncs by itself (Progressive-Syncs.md). Where the environment is not
    automated (prod), every step gets `maxUpdate: 0`, the manual gate (pitfall 5): the
    ApplicationSet never rolls such an environment out on its own; `gitops-tool sync` does.
    """
    gate: dict[str, Any] = {} if env.sync_policy.automated else {"maxUpdate": 0}
    return [
        {
            "matchExpressions": [
                {"key": names.LABEL_PLANE, "operator": "In", "values": [plane.name]}
            ],
            **gate,
        }
        for plane in sorted(settings.planes, key=lambda p: p.wave)
    ]


def applicationset_for(
    settings: Settings, env: Environment, services: Iterable[Service]
) -> dict[str, Any]:
    """The ApplicationSet generating every Application of `env`, plane after plane.

    RollingSync turns auto-sync off on what it generates (the controller syncs step by
    step and logs a warning about the template's `automated`), and the sync-wave
    annotation does nothing here (pitfall 5): the steps do the ordering.
    """
    template = application_from(env, template_target(env))
    keys = element_keys(env)
    elements = [element_for(app_target(settings, env, s), keys) for s in services]
    return {
        "apiVersion": API_VERSION,
        "kind": "ApplicationSet",
        "metadata": {
            "name": applicationset_name(env),
            "namespace": env.argocd_namespace,
            "labels": {
                names.LABEL_MANAGED_BY: names.MANAGED_BY,
                names.LABEL_ENVIRONMENT: env.name,
            },
        },
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            # No `deletionOrder: Reverse`: with it the controller deletes every generated
            # Application itself when the ApplicationSet is deleted, even with
            # --cascade=orphan, and their finalizers then delete every workload.
            "strategy": {
                "type": "RollingSync",
                "rollingSync": {"steps": steps_for(settings, env)},
            },
            # Generated Applications keep the resources finalizer, exactly like the rendered
            # ones: removing a chart prunes its workloads. Even --cascade=orphan leaves the
            # finalizer on them (pitfall 23): to switch back to the root Application, first
            # set preserveResourcesOnDeletion: true, then delete with --cascade=orphan
            # (argocd/bootstrap/README.md).
            "syncPolicy": {"preserveResourcesOnDeletion": False},
            "template": {"metadata": template["metadata"], "spec": template["spec"]},
        },
    }
