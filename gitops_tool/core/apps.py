"""The Argo CD Applications of an environment, one value object each.

Pure. An `AppTarget` is one service's Application in one environment (or the
environment's root Application) as the repository says it should be: render
writes it, status compares Argo CD's answer with it, sync waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitops_tool.core import names
from gitops_tool.core.model import Environment, Service, Settings


@dataclass(frozen=True, slots=True)
class AppTarget:
    """One Application as the repository says it should be."""

    name: str
    service: str  # the chart; "" for the root Application
    plane: str  # "" for the root Application
    wave: int  # the plane's sync wave; 0 for the root Application
    project: str
    namespace: str  # where the Application object lives (Argo CD's namespace)
    revision: str  # the targetRevision: a branch or a commit
    automated: bool
    path: str = ""  # the folder it deploys, repository-relative
    image_tag: str = ""  # the release pin; "" for the root Application
    generate_paths: str = ""  # the manifest-generate-paths annotation


def generate_paths_for(settings: Settings, service: Service) -> str:
    """`manifest-generate-paths`: the chart (values files included) and the library it uses.

    Absolute from the repository root; a push touching neither leaves the app's cache valid
    (pitfall 17). Values live inside the chart folder, so environment-only changes are seen.
    """
    return f"/{service.path};/{settings.charts_dir}/{settings.library}"


def applications_path(settings: Settings, env: Environment) -> str:
    """The folder (repository-relative) of the environment's Applications."""
    return f"{settings.output_dir}/{env.name}/applications"


def app_target(settings: Settings, env: Environment, service: Service) -> AppTarget:
    """The Application that deploys `service` in `env`."""
    plane = settings.plane(service.plane)
    assert plane is not None, f"{service.name}: unknown plane {service.plane!r}"  # loading checks
    pin = env.releases.get(service.name)
    return AppTarget(
        name=names.application_name(env.name, service.name),
        service=service.name,
        plane=service.plane,
        wave=plane.wave,
        project=env.project,
        namespace=env.argocd_namespace,
        revision=pin.revision_in(env) if pin is not None else env.revision,
        automated=env.sync_policy.automated,
        path=service.path,
        image_tag=pin.image_tag if pin is not None else "",
        generate_paths=generate_paths_for(settings, service),
    )


def root_target(settings: Settings, env: Environment) -> AppTarget:
    """The environment's root Application: it tracks the branch, in the root project, and
    deploys the folder of the environment's Applications."""
    path = applications_path(settings, env)
    return AppTarget(
        name=names.root_application_name(env.name),
        service="",
        plane="",
        wave=0,
        project=names.ROOT_PROJECT,
        namespace=env.argocd_namespace,
        revision=env.branch,
        automated=env.sync_policy.automated,
        path=path,
        generate_paths=f"/{path}",
    )
