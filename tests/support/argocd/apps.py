"""What `gitops-tool render` would have created in Argo CD, played by the fake.

`populate(fake, tree, env)` adds the environment's root Application and one Application per
service, each taken from the Application the core renders for it (`application_for`,
`root_application_for`): names, namespace, project, labels, annotations, source and image
tag are the core's, never restated here.
"""

from __future__ import annotations

from typing import Any

from gitops_tool.core.model import Tree
from gitops_tool.core.names import IMAGE_TAG_PARAMETER, ROOT_PROJECT
from gitops_tool.core.render.applications import application_for, root_application_for
from tests.support.argocd.fake import FakeArgo


def populate(fake: FakeArgo, tree: Tree, env_name: str, *, synced: bool = True,
             skip: tuple[str, ...] = ()) -> None:
    """The root Application and one Application per service of `env_name` (but those in
    `skip`), as rendered, Synced (or OutOfSync) and Healthy."""
    env = tree.environment(env_name)
    assert env is not None, f"no environment {env_name!r} in the tree"
    fake.add_project(ROOT_PROJECT)
    fake.add_project(env.project)
    add_rendered(fake, root_application_for(tree.settings, env), synced=synced)
    for service in tree.services:
        if service.name not in skip:
            add_rendered(fake, application_for(tree.settings, env, service), synced=synced)


def add_rendered(fake: FakeArgo, app: dict[str, Any], *, synced: bool = True) -> None:
    """One rendered Application (the dict render writes) as a live app in the fake."""
    meta, spec = app["metadata"], app["spec"]
    source = spec["source"]
    parameters = {p["name"]: p["value"] for p in source.get("helm", {}).get("parameters", [])}
    fake.add_app(
        meta["name"], spec["project"], synced=synced,
        namespace=meta["namespace"],
        labels=dict(meta.get("labels", {})),
        annotations=dict(meta.get("annotations", {})),
        repo_url=source["repoURL"],
        path=source["path"],
        target_revision=source["targetRevision"],
        automated="automated" in spec.get("syncPolicy", {}),
        image_tag=parameters.get(IMAGE_TAG_PARAMETER, ""),
    )
