"""Environment files: every mistake is an InputError naming file, line and key."""

from __future__ import annotations

import pytest

from gitops_tool.core.load.environments import environment_from
from gitops_tool.core.load.settings import settings_from
from gitops_tool.core.load.tree import tree_from
from gitops_tool.core.model import Service
from gitops_tool.errors import InputError

VALID = """\
destination:
  server: https://kubernetes.default.svc
  namespace: ananta-dev
domain: "*.ananta.local"
argocd:
  namespace: argocd
  project: ananta-dev
repoURL: https://example.test/gitops.git
source:
  branch: main
  revision: main
syncPolicy:
  automated: true
  prune: true
  selfHeal: true
releases:
  admin-app:
    image: "2.1.0"
"""

SETTINGS = """\
planes:
  - {name: infrastructure, wave: 10}
  - {name: app-plane, wave: 30}
promotion: [dev, prod]
"""


def load(text: str):
    return environment_from("dev", text, "environments/dev.yaml")


def error_of(text: str) -> str:
    with pytest.raises(InputError) as caught:
        load(text)
    return caught.value.message


def test_valid_file_gives_the_environment():
    env = load(VALID)
    assert env.namespace == "ananta-dev"
    assert env.sync_policy.automated and env.sync_policy.prune and env.sync_policy.self_heal
    assert env.releases["admin-app"].image_tag == "2.1.0"
    assert not env.pinned


def test_a_commit_revision_is_pinned():
    env = load(VALID.replace("revision: main", "revision: " + "a" * 40))
    assert env.pinned


F = "environments/dev.yaml"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("  prune: true\n", "  prnue: true\n"), f"{F}:14: syncPolicy.prnue: unknown key"),
        (("domain:", "domian:"), f"{F}:4: domian: unknown key"),
        (("  automated: true", "  automated: maybe"), "syncPolicy.automated: expected true"),
        (('image: "2.1.0"', "image: [2, 1]"), "admin-app.image: expected a string, got a list"),
        (('image: "2.1.0"', "image: latest"), "admin-app.image: 'latest' is not a pinned image"),
        (("  revision: main", "  revision: abc123"), None),
        (("  revision: main", "  revision: ../etc"), "source.revision"),
        (("repoURL: https://example.test/gitops.git\n", ""), "missing required key 'repoURL'"),
        (("  namespace: ananta-dev", "  namespace: Ananta_Dev"), "namespace: 'Ananta_Dev'"),
        (("  server: https://kubernetes.default.svc\n", ""), "exactly one of 'server' or 'name'"),
        (("  automated: true", "  automated: false"), "prune and selfHeal only apply"),
        (
            ("repoURL: https://example.test/gitops.git", 'repoURL: "{{.x}}"'),
            f"{F}:8: repoURL: '{{{{.x}}}}' holds '{{{{' or '}}}}'",
        ),
        (("repoURL: https://example.test/gitops.git", "repoURL: example/g"), f"{F}:8: repoURL"),
        (('domain: "*.ananta.local"', 'domain: "{{.domain}}"'), f"{F}:4: domain: "),
        (("  project: ananta-dev", "  project: default"), f"{F}:7: argocd.project: 'default'"),
    ],
)
def test_each_mistake_names_the_key(edit, expected):
    old, new = edit
    text = VALID.replace(old, new)
    assert text != VALID
    if expected is None:  # a short hex string is a valid branch name, not a commit
        assert not load(text).pinned
        return
    assert expected in error_of(text)


def test_duplicate_keys_are_errors_with_both_lines():
    text = VALID + "domain: other\n"
    message = error_of(text)
    assert message.startswith("environments/dev.yaml:19:")
    assert "duplicate key 'domain' (first on line 4)" in message


def test_malformed_yaml_gives_file_and_line():
    message = error_of(VALID.replace("  project: ananta-dev", "\tproject: ananta-dev"))
    assert message.startswith("environments/dev.yaml:7:")


def test_empty_file_is_an_error():
    assert "the file is empty" in error_of("")


def test_settings_refuse_waves_out_of_order():
    with pytest.raises(InputError, match="must be greater"):
        settings_from(SETTINGS.replace("wave: 30", "wave: 5"))


def test_settings_refuse_paths_leaving_the_repository():
    with pytest.raises(InputError, match="leaves the repository"):
        settings_from(SETTINGS + "charts: ../elsewhere\n")
    with pytest.raises(InputError, match="relative path"):
        settings_from(SETTINGS + "output: /tmp/argocd\n")


@pytest.mark.parametrize("written", ["argocd/", "./argocd", "argocd//", "./x/../argocd"])
def test_settings_paths_are_normalised(written):
    """They are joined into the paths the Applications carry (`path: argocd/dev/...`)."""
    settings = settings_from(SETTINGS + f"output: {written}\ncharts: ./charts/\n")
    assert (settings.output_dir, settings.charts_dir) == ("argocd", "charts")


def _tree(env_text: str, services=("admin-app",), files=("values-dev.yaml",)):
    settings = settings_from(SETTINGS.replace("[dev, prod]", "[dev]"))
    svcs = [Service(name, "app-plane", f"charts/{name}") for name in services]
    return tree_from(settings, [load(env_text)], svcs, {s: files for s in services})


def test_tree_accepts_a_consistent_tree():
    tree = _tree(VALID)
    assert [s.name for s in tree.services] == ["admin-app"]


def test_tree_refuses_a_pin_for_a_chart_that_does_not_exist():
    with pytest.raises(InputError, match=r"releases\.admin-app: no chart charts/admin-app"):
        _tree(VALID, services=())


def test_tree_refuses_a_service_without_pin():
    with pytest.raises(InputError, match=r"releases\.audit-logger: missing"):
        _tree(VALID, services=("admin-app", "audit-logger"))


def test_tree_refuses_a_chart_without_the_environment_values_file():
    with pytest.raises(InputError, match=r"charts/admin-app/values-dev\.yaml: missing"):
        _tree(VALID, files=("values.yaml",))


def test_tree_refuses_a_chain_naming_an_environment_without_file():
    settings = settings_from(SETTINGS)
    with pytest.raises(InputError, match=r"'prod' has no file environments/prod\.yaml"):
        tree_from(settings, [load(VALID)], [], {})


WINDOW = """\
syncPolicy:
  automated: false
  windows:
    - kind: allow
      schedule: "0 9 * * 2-4"
      duration: 1h30m
"""


def test_sync_windows_are_checked_with_file_and_line():
    text = VALID.split("syncPolicy:")[0] + WINDOW
    window = load(text).sync_policy.windows[0]
    assert (window.schedule, window.duration) == ("0 9 * * 2-4", "1h30m")
    bad_schedule = error_of(text.replace('"0 9 * * 2-4"', '"0 9 * *"'))
    assert bad_schedule.startswith(f"{F}:16: syncPolicy.windows[0].schedule: '0 9 * *'")
    bad_duration = error_of(text.replace("1h30m", "90 minutes"))
    assert bad_duration.startswith(f"{F}:17: syncPolicy.windows[0].duration: '90 minutes'")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.test/gitops.git",
        "ssh://git@example.test/org/gitops.git",
        "git@example.test:org/gitops.git",
        "file:///srv/git/gitops.git",
    ],
)
def test_repository_urls_argo_cd_clones_are_accepted(url):
    assert load(VALID.replace("https://example.test/gitops.git", url)).repo_url == url


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('image: "2.1.0"', 'image: "2.1.0\\n"', "releases.admin-app.image"),
        ("branch: main", 'branch: "main\\n"', "source.branch"),
        ("revision: main", 'revision: "main\\n"', "source.revision"),
        ("repoURL: https://example.test/gitops.git",
         'repoURL: "https://example.test/gitops.git\\n"', "repoURL"),
        ("namespace: ananta-dev", 'namespace: "ananta-dev\\n"', "destination.namespace"),
        ("project: ananta-dev", 'project: "ananta-dev\\n"', "argocd.project"),
    ],
)
def test_a_value_with_a_final_newline_is_refused(old, new, key):
    # A pattern checked with re.match and a final `$` lets "x\n" through: it would be written
    # into argocd/ as it is. Every value is checked whole.
    with pytest.raises(InputError) as err:
        environment_from("dev", VALID.replace(old, new, 1), "environments/dev.yaml")
    assert f": {key}: " in err.value.message
