"""What only the whole set of environments can get wrong is bad input (exit 2)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gitops_tool.core.model import Tree
from gitops_tool.core.names import ROOT_PROJECT
from gitops_tool.core.render.rendering import rendering_for
from gitops_tool.errors import InputError


def _with_env(tree: Tree, env_name: str, **changes) -> Tree:
    env = tree.environment(env_name)
    assert env is not None
    envs = tuple(
        replace(env, **changes) if e.name == env_name else e for e in tree.environments
    )
    return replace(tree, environments=envs)


def test_an_environment_named_bootstrap_is_refused(small_tree: Tree) -> None:
    tree = _with_env(small_tree, "dev", name="bootstrap")
    with pytest.raises(InputError, match="'bootstrap' is reserved"):
        rendering_for(tree)


def test_the_root_project_cannot_be_an_environment_project(small_tree: Tree) -> None:
    with pytest.raises(InputError, match="root Applications' project"):
        rendering_for(_with_env(small_tree, "prod", project=ROOT_PROJECT))


def test_two_environments_cannot_share_a_project(small_tree: Tree) -> None:
    with pytest.raises(InputError, match="also the project of environment 'dev'"):
        rendering_for(_with_env(small_tree, "staging", project="proj-dev"))


def test_application_names_must_not_collide_across_environments(small_tree: Tree) -> None:
    # environment "dev-tenant" + chart "api" would also be "dev-tenant-api"
    service = small_tree.service("tenant-api")
    assert service is not None
    api = replace(service, name="api", path="charts/api")
    env = small_tree.environment("staging")
    assert env is not None
    releases = {**env.releases, "api": env.releases["tenant-api"]}
    tree = replace(small_tree, services=(*small_tree.services, api))
    tree = _with_env(tree, "staging", name="dev-tenant", releases=releases)
    with pytest.raises(InputError, match="'dev-tenant-api' is also used by environment 'dev'"):
        rendering_for(tree)
