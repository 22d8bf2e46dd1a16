"""The checks across files name the line of the release pin: `file:line: releases.<svc>: ...`.

An environment file alone cannot know which charts exist, so these errors come from
`tree_from`, after every file was loaded. They must still say where to look, and what
to do.
"""

from __future__ import annotations

import pytest

from gitops_tool.core.load.environments import environment_from
from gitops_tool.core.load.settings import settings_from
from gitops_tool.core.load.tree import tree_from
from gitops_tool.core.model import Service
from gitops_tool.errors import InputError

SETTINGS = """\
planes:
  - {name: infrastructure, wave: 10}
  - {name: app-plane, wave: 30}
promotion: [prod]
"""

HEAD = """\
# prod: deployed by hand inside the window
destination:
  server: https://kubernetes.default.svc
  namespace: ananta-prod
domain: "*.ananta.example"
argocd:
  namespace: argocd
  project: ananta-prod
repoURL: https://example.test/gitops.git
source:
  branch: main
  revision: main
syncPolicy:
  automated: false
"""
RELEASES_LINE = HEAD.count("\n") + 1  # `releases:` follows the head

PINS = """\
releases:
  admin-app:
    image: "2.1.0"

  # added by hand
  ghost:
    image: "1.0.0"
"""
GHOST_LINE = RELEASES_LINE + 5

# An aliased pin: its line is the line of its key, not of the anchored mapping.
ALIASED = HEAD + 'releases:\n  admin-app: &pin\n    image: "2.1.0"\n  ghost: *pin\n'


def error_of(text: str, services: tuple[str, ...] = ("admin-app",)) -> InputError:
    settings = settings_from(SETTINGS)
    env = environment_from("prod", text, "environments/prod.yaml")
    svcs = [Service(name, "app-plane", f"charts/{name}") for name in services]
    with pytest.raises(InputError) as caught:
        tree_from(settings, [env], svcs, {s: ("values-prod.yaml",) for s in services})
    return caught.value


def test_a_pin_for_a_chart_that_does_not_exist_names_its_line() -> None:
    error = error_of(HEAD + PINS)
    assert error.message == (
        f"environments/prod.yaml:{GHOST_LINE}: releases.ghost: no chart charts/ghost exists; "
        "remove the pin or fix the name"
    )
    assert error.hint and "charts/" in error.hint


def test_the_line_of_an_aliased_pin_is_its_key() -> None:
    line = ALIASED.splitlines().index("  ghost: *pin") + 1
    assert error_of(ALIASED).message.startswith(
        f"environments/prod.yaml:{line}: releases.ghost: no chart charts/ghost exists"
    )


def test_a_missing_pin_names_the_line_of_releases_and_what_to_add() -> None:
    text = HEAD + PINS.replace('  ghost:\n    image: "1.0.0"\n', "")
    error = error_of(text, services=("admin-app", "billing"))
    assert error.message == (
        f"environments/prod.yaml:{RELEASES_LINE}: releases.billing: missing: every service "
        "needs a release pin in every environment"
    )
    assert error.hint == (
        "add `billing: {image: <tag>}` under `releases:` in environments/prod.yaml"
    )


def test_without_releases_a_missing_pin_names_the_file() -> None:
    error = error_of(HEAD)
    assert error.message.startswith("environments/prod.yaml: releases.admin-app: missing")
