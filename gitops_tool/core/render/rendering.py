"""What `gitops-tool render` writes: every file under the output folder, as text.

Pure: from a checked Tree to `{repository-relative path: text}` plus the folders
this run owns (files there that render did not produce are removed). Each file
starts with a header naming the command that regenerates it.

Layout (`argocd/` by default):

    bootstrap/README.md, kustomization.yaml, project-root.yaml, argocd-cm.yaml,
              argocd-cmd-params-cm.yaml
    <env>/kustomization.yaml, project.yaml, root.yaml
    <env>/applications/<env>-<chart>.yaml      (one per chart; the root app's folder)
    <env>/applicationset/applicationset.yaml   (the alternative; applied by hand)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gitops_tool.core.apps import applications_path
from gitops_tool.core.model import Environment, Tree
from gitops_tool.core.names import (
    ENVIRONMENTS_DIR,
    ROOT_FILE,
    ROOT_PROJECT,
    SETTINGS_FILE,
    application_name,
    environment_file,
    root_application_name,
)
from gitops_tool.core.render import applications as m
from gitops_tool.core.render import appset, bootstrap
from gitops_tool.core.render.plan import GENERATED_BY
from gitops_tool.core.render.yamlout import comment, dump, dump_all
from gitops_tool.core.waves import waves_of
from gitops_tool.errors import InputError

GENERATED = f"{GENERATED_BY}; do not edit."  # is_generated() proves render wrote a file
BOOTSTRAP = "bootstrap"


@dataclass(frozen=True, slots=True)
class Rendering:
    """Everything one render run produces."""

    files: dict[str, str]  # repository-relative path -> text
    owned: tuple[str, ...]  # folders ("argocd/dev/") whose other files are removed
    counts: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # env -> ((plane, apps), ...)


def _check(tree: Tree) -> None:
    """What only the whole set of environments can get wrong."""
    apps: dict[tuple[str, str], str] = {}
    projects: dict[tuple[str, str], str] = {}
    for env in tree.environments:
        if env.name == BOOTSTRAP:
            raise InputError(
                f"{env.source}: environment name {BOOTSTRAP!r} is reserved "
                f"({tree.settings.output_dir}/{BOOTSTRAP}/ holds the Argo CD settings)",
                hint="rename the environment file",
            )
        if env.project == ROOT_PROJECT:
            raise InputError(
                f"{env.source}: argocd.project: {ROOT_PROJECT!r} is the root Applications' "
                "project",
                hint="give the environment a project of its own",
            )
        other = projects.setdefault((env.argocd_namespace, env.project), env.name)
        if other != env.name:
            raise InputError(
                f"{env.source}: argocd.project: {env.project!r} is also the project of "
                f"environment {other!r}",
                hint="each environment needs its own AppProject",
            )
        app_names = [root_application_name(env.name)]
        app_names += [application_name(env.name, s.name) for s in tree.services]
        for name in app_names:
            other = apps.setdefault((env.argocd_namespace, name), env.name)
            if other != env.name:
                raise InputError(
                    f"{env.source}: Application name {name!r} is also used by environment "
                    f"{other!r}",
                    hint="rename the environment or the chart so that `<env>-<chart>` "
                    "names differ",
                )


def _yaml(command: str, sources: Sequence[str], *documents: object) -> str:
    head = comment((GENERATED, f"Regenerate with: {command}", f"From: {', '.join(sources)}"))
    return head + (dump(documents[0]) if len(documents) == 1 else dump_all(documents))


def _environment_files(tree: Tree, env: Environment) -> dict[str, str]:
    settings = tree.settings
    folder = f"{settings.output_dir}/{env.name}"
    command = f"gitops-tool render {env.name}"
    env_file = environment_file(env.name)
    files = {
        f"{folder}/kustomization.yaml": _yaml(
            command, (env_file,), m.kustomization_for(["project.yaml", ROOT_FILE])
        ),
        f"{folder}/project.yaml": _yaml(command, (env_file,), m.appproject_for(env)),
        f"{folder}/{ROOT_FILE}": _yaml(
            command, (SETTINGS_FILE, env_file), m.root_application_for(settings, env)
        ),
    }
    apps = applications_path(settings, env)
    parts = m.parts_for(env)  # shared by every Application of env
    for service in tree.services:
        sources = (SETTINGS_FILE, env_file, f"{service.path}/Chart.yaml")
        app = m.application_for(settings, env, service, parts)
        files[f"{apps}/{app['metadata']['name']}.yaml"] = _yaml(command, sources, app)
    files[f"{folder}/applicationset/applicationset.yaml"] = _yaml(
        command,
        (SETTINGS_FILE, env_file, f"{settings.charts_dir}/*/Chart.yaml"),
        appset.applicationset_for(settings, env, tree.services),
    )
    return files


def _bootstrap_files(tree: Tree) -> dict[str, str]:
    settings = tree.settings
    folder = f"{settings.output_dir}/{BOOTSTRAP}"
    command = "gitops-tool render"
    sources = (f"{ENVIRONMENTS_DIR}/*.yaml",)
    by_namespace: dict[str, list[str]] = {}
    for env in tree.environments:
        by_namespace.setdefault(env.argocd_namespace, []).append(env.repo_url)
    namespaces = sorted(by_namespace)
    first = namespaces[0] if namespaces else "argocd"
    readme = bootstrap.bootstrap_readme(settings.output_dir, first, ROOT_PROJECT)
    return {
        f"{folder}/README.md": f"<!-- {GENERATED} Regenerate with: {command} -->\n{readme}",
        f"{folder}/kustomization.yaml": _yaml(
            command,
            sources,
            m.kustomization_for(
                ["project-root.yaml", "argocd-cm.yaml", "argocd-cmd-params-cm.yaml"]
            ),
        ),
        f"{folder}/project-root.yaml": _yaml(
            command, sources, *(m.root_appproject_for(n, by_namespace[n]) for n in namespaces)
        ),
        f"{folder}/argocd-cm.yaml": _yaml(
            command, sources, *(bootstrap.argocd_cm_for(n) for n in namespaces)
        ),
        f"{folder}/argocd-cmd-params-cm.yaml": _yaml(
            command, sources, *(bootstrap.cmd_params_cm_for(n) for n in namespaces)
        ),
    }


def rendering_for(tree: Tree, environments: Sequence[str] | None = None) -> Rendering:
    """Render `environments` (default: all) and the bootstrap folder.

    `tree` must hold every environment: the bootstrap folder and the cross-environment
    checks depend on all of them, whichever are rendered.
    """
    _check(tree)
    out = tree.settings.output_dir
    chosen = [e for e in tree.environments if environments is None or e.name in environments]
    files = _bootstrap_files(tree)
    for env in chosen:
        files.update(_environment_files(tree, env))
    owned = (
        (f"{out}/",)
        if environments is None
        else (f"{out}/{BOOTSTRAP}/", *(f"{out}/{e.name}/" for e in chosen))
    )
    waves = waves_of(tree)
    counts = tuple((e.name, tuple((w.plane, len(w.services)) for w in waves)) for e in chosen)
    return Rendering(files=files, owned=owned, counts=counts)
