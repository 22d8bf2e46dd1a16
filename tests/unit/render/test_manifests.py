"""What each rendered Application, root Application and AppProject says."""

from __future__ import annotations

import fnmatch

import yaml

from gitops_tool.core import names
from gitops_tool.core.model import Tree
from gitops_tool.core.names import ROOT_PROJECT
from gitops_tool.core.render import applications as m
from gitops_tool.core.render.rendering import GENERATED, Rendering


def _app(tree: Tree, env_name: str, chart: str) -> dict:
    env = tree.environment(env_name)
    service = tree.service(chart)
    assert env is not None and service is not None
    return m.application_for(tree.settings, env, service)


def test_application_names_release_project_and_destination(small_tree: Tree) -> None:
    app = _app(small_tree, "dev", "tenant-api")
    assert app["apiVersion"] == "argoproj.io/v1alpha1" and app["kind"] == "Application"
    assert app["metadata"]["name"] == "dev-tenant-api"
    assert app["metadata"]["namespace"] == "argocd"
    spec = app["spec"]
    assert spec["project"] == "proj-dev"
    assert spec["destination"] == {
        "server": "https://kubernetes.default.svc",
        "namespace": "ns-dev",
    }
    assert spec["source"]["helm"]["releaseName"] == "tenant-api"
    prod = _app(small_tree, "prod", "tenant-api")["spec"]["destination"]
    assert prod == {"name": "prod", "namespace": "ns-prod"}  # a cluster by name


def test_application_source_is_this_repo_at_the_environment_revision(small_tree: Tree) -> None:
    dev = _app(small_tree, "dev", "portal")["spec"]["source"]
    assert dev["repoURL"] == "https://git.example.com/platform/gitops.git"
    assert dev["targetRevision"] == "main"
    assert dev["path"] == "charts/portal"
    assert dev["helm"]["valueFiles"] == ["values.yaml", "values-dev.yaml"]
    assert dev["helm"]["parameters"] == [
        {"name": "image.tag", "value": "1.0.0", "forceString": True}
    ]
    staging = _app(small_tree, "staging", "portal")["spec"]["source"]
    assert staging["targetRevision"] == "c" * 40  # the commit promotion pinned


def test_application_labels_wave_paths_and_finalizer(small_tree: Tree) -> None:
    meta = _app(small_tree, "staging", "redis")["metadata"]
    assert meta["labels"] == {
        names.LABEL_PLANE: "infrastructure",
        names.LABEL_ENVIRONMENT: "staging",
        names.LABEL_CHART: "redis",
        names.LABEL_MANAGED_BY: names.MANAGED_BY,
    }
    assert meta["annotations"][names.ANNOTATION_SYNC_WAVE] == "10"
    assert meta["annotations"][names.ANNOTATION_GENERATE_PATHS] == "/charts/redis;/charts/common"
    assert meta["finalizers"] == [names.RESOURCES_FINALIZER]


def test_sync_policy_is_automated_only_where_the_environment_is(small_tree: Tree) -> None:
    dev = _app(small_tree, "dev", "worker")["spec"]["syncPolicy"]
    assert dev["automated"] == {"prune": True, "selfHeal": True}
    prod = _app(small_tree, "prod", "worker")["spec"]["syncPolicy"]
    assert "automated" not in prod
    for policy in (dev, prod):
        assert policy["syncOptions"] == [
            "CreateNamespace=true",
            "ServerSideApply=true",
            "PruneLast=true",
            "SkipDryRunOnMissingResource=true",
            "RespectIgnoreDifferences=true",
        ]
        assert policy["retry"]["refresh"] is True
        assert set(policy["retry"]["backoff"]) == {"duration", "factor", "maxDuration"}


def _ignored(rules: list[dict], group: str, kind: str, manager: str, pointer: str) -> bool:
    """Whether Argo CD's diff may ignore the field at `pointer` of some `group`/`kind`
    resource when `manager` last wrote it, under the rules of `spec.ignoreDifferences`: group
    and kind match as globs; a field is ignored by a JSON pointer at or above it, or by the
    manager that wrote it. A rule narrowed to a name or namespace counts as matching."""
    for rule in rules:
        unknown = set(rule) - {
            "group",
            "kind",
            "name",
            "namespace",
            "jsonPointers",
            "jqPathExpressions",
            "managedFieldsManagers",
        }
        assert not unknown, f"a rule this model cannot judge: {rule}"
        assert not rule.get("jqPathExpressions"), f"a jq rule this model cannot judge: {rule}"
        if not (
            fnmatch.fnmatchcase(group, rule.get("group", ""))
            and fnmatch.fnmatchcase(kind, rule["kind"])
        ):
            continue
        if manager in rule.get("managedFieldsManagers", ()):
            return True
        if any(pointer == p or pointer.startswith(p + "/") for p in rule.get("jsonPointers", ())):
            return True
    return False


# (group, kind, manager, field): which fields the diff must ignore, and which it must show.
# kube-controller-manager is who writes a Deployment's replicas for its HPA; argocd-controller
# is Argo CD's own server-side-apply manager (a replicaCount change from the chart).
HPA_OWNED = [("apps", "Deployment", "kube-controller-manager", "/spec/replicas")]
SHOWN = [
    ("apps", "Deployment", "argocd-controller", "/spec/replicas"),  # not frozen
    ("apps", "Deployment", "argocd-controller", "/spec/template/spec/containers/0/image"),
    ("apps", "Deployment", "kubectl-edit", "/spec/replicas"),  # a hand edit is drift
    ("apps", "StatefulSet", "kube-controller-manager", "/spec/replicas"),
    ("", "Service", "kube-controller-manager", "/spec/ports"),
    ("autoscaling", "HorizontalPodAutoscaler", "argocd-controller", "/spec/maxReplicas"),
    ("argoproj.io", "Application", "argocd-controller", "/spec/source"),
]


def _applications_of(files: dict[str, str]) -> list[tuple[str, dict]]:
    """(where, Application) of every Application in rendered `files`: each file's, and the
    template of each ApplicationSet (its generated Applications)."""
    found = []
    for path, text in files.items():
        for doc in yaml.safe_load_all(text) if path.endswith(".yaml") else ():
            if doc and doc.get("kind") == "Application":
                found.append((path, doc))
            elif doc and doc.get("kind") == "ApplicationSet":
                found.append((f"{path}: template", doc["spec"]["template"]))
    return found


def _assert_only_hpa_owned_fields_are_ignored(files: dict[str, str]) -> int:
    apps = _applications_of(files)
    charts = 0
    for where, app in apps:
        rules = app["spec"].get("ignoreDifferences", [])
        pointers = [p for rule in rules for p in rule.get("jsonPointers", ())]
        assert not [p for p in pointers if "/spec/replicas".startswith(p)], where  # frozen
        for field in SHOWN:
            assert not _ignored(rules, *field), f"{where}: {field} would be hidden"
        if names.LABEL_CHART in app["metadata"].get("labels", {}):
            charts += 1
            everywhere = [r for r in rules if not {"name", "namespace"} & set(r)]
            for field in HPA_OWNED:
                assert _ignored(everywhere, *field), f"{where}: the HPA's {field} would show"
            assert "RespectIgnoreDifferences=true" in app["spec"]["syncPolicy"]["syncOptions"]
        else:  # a root Application deploys Applications: nothing of theirs is ignored
            assert rules == [], where
    assert charts > 0
    return charts


def test_hpa_replicas_are_ignored_only_where_the_hpa_owns_them(
    small_rendering: Rendering,
) -> None:
    """Every Application (and ApplicationSet template) ignores the Deployment fields
    kube-controller-manager owns, which is the HPA's /spec/replicas, and shows every other
    change, the replicas a chart sets included: no JSON pointer freezes /spec/replicas."""
    assert _assert_only_hpa_owned_fields_are_ignored(small_rendering.files) == 3 * (5 + 1)


def test_hpa_replicas_are_ignored_only_where_the_hpa_owns_them_in_this_repository(
    committed_output: dict[str, str],
) -> None:
    assert _assert_only_hpa_owned_fields_are_ignored(committed_output) >= 3


def test_root_application_tracks_the_branch_in_the_root_project(small_tree: Tree) -> None:
    staging = small_tree.environment("staging")
    assert staging is not None and staging.pinned
    root = m.root_application_for(small_tree.settings, staging)
    assert root["metadata"]["name"] == "staging-root"
    assert "finalizers" not in root["metadata"]  # deleting it orphans, never cascades
    assert root["spec"]["project"] == ROOT_PROJECT
    assert root["spec"]["destination"] == {
        "server": "https://kubernetes.default.svc",
        "namespace": "argocd",
    }
    source = root["spec"]["source"]
    assert source["targetRevision"] == "main"  # the branch, though the services are pinned
    assert source["path"] == "argocd/staging/applications"
    assert root["metadata"]["annotations"][names.ANNOTATION_GENERATE_PATHS] == (
        "/argocd/staging/applications"
    )


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def test_appproject_is_narrow_and_carries_the_sync_window(small_tree: Tree) -> None:
    prod = small_tree.environment("prod")
    assert prod is not None
    project = m.appproject_for(prod)
    spec = project["spec"]
    assert project["metadata"]["name"] == "proj-prod"
    assert spec["sourceRepos"] == [prod.repo_url]
    assert spec["destinations"] == [{"name": "prod", "namespace": "ns-prod"}]
    assert spec["clusterResourceWhitelist"] == [
        {"group": "", "kind": "Namespace", "name": "ns-prod"}
    ]
    assert spec["orphanedResources"] == {"warn": True}
    assert spec["syncWindows"] == [
        {
            "kind": "allow",
            "schedule": "0 9 * * 2-4",
            "duration": "6h",
            "timeZone": "UTC",
            "manualSync": False,
            "namespaces": ["ns-prod"],
        }
    ]
    dev = small_tree.environment("dev")
    assert dev is not None and "syncWindows" not in m.appproject_for(dev)["spec"]


def test_no_wildcard_anywhere_in_projects(small_rendering: Rendering) -> None:
    for path, text in small_rendering.files.items():
        for doc in yaml.safe_load_all(text) if path.endswith(".yaml") else ():
            if doc.get("kind") == "AppProject":
                strings = _strings(doc["spec"])
                assert not [s for s in strings if "*" in s and "* *" not in s], path


def test_root_project_admits_only_applications_in_argocd(small_rendering: Rendering) -> None:
    doc = yaml.safe_load(small_rendering.files["argocd/bootstrap/project-root.yaml"])
    assert doc["metadata"]["name"] == ROOT_PROJECT
    assert doc["spec"]["namespaceResourceWhitelist"] == [
        {"group": "argoproj.io", "kind": "Application"}
    ]
    assert doc["spec"]["clusterResourceWhitelist"] == []
    assert doc["spec"]["destinations"] == [
        {"server": "https://kubernetes.default.svc", "namespace": "argocd"}
    ]


def test_every_file_starts_with_the_generated_header(small_rendering: Rendering) -> None:
    for path, text in small_rendering.files.items():
        lines = text.splitlines()
        env = path.split("/")[1]
        command = "gitops-tool render" if env == "bootstrap" else f"gitops-tool render {env}"
        if path.endswith(".md"):
            assert lines[0] == f"<!-- {GENERATED} Regenerate with: {command} -->", path
        else:
            assert lines[0] == f"# {GENERATED}", path
            assert lines[1] == f"# Regenerate with: {command}", path
            assert lines[2].startswith("# From: "), path


def test_bootstrap_covers_every_argocd_namespace(tmp_path) -> None:
    from dataclasses import replace

    from gitops_tool.adapters.files import load_tree
    from gitops_tool.core.render.rendering import rendering_for
    from tests.support.trees import small_spec, write_tree

    spec = small_spec()
    envs = tuple(
        replace(e, argocd_namespace="argocd-prod") if e.name == "prod" else e
        for e in spec.environments
    )
    rendering = rendering_for(load_tree(write_tree(tmp_path, replace(spec, environments=envs))))
    for name in ("project-root.yaml", "argocd-cm.yaml", "argocd-cmd-params-cm.yaml"):
        docs = list(yaml.safe_load_all(rendering.files[f"argocd/bootstrap/{name}"]))
        assert [d["metadata"]["namespace"] for d in docs] == ["argocd", "argocd-prod"]
    prod_root = yaml.safe_load(rendering.files["argocd/prod/root.yaml"])
    assert prod_root["metadata"]["namespace"] == "argocd-prod"
    assert prod_root["spec"]["destination"]["namespace"] == "argocd-prod"


def test_bootstrap_config_maps_carry_only_their_keys(small_rendering: Rendering) -> None:
    # labels would conflict under `kubectl apply --server-side` with those a Helm-installed
    # Argo CD owns on these ConfigMaps
    for name in ("argocd-cm", "argocd-cmd-params-cm"):
        for doc in yaml.safe_load_all(small_rendering.files[f"argocd/bootstrap/{name}.yaml"]):
            assert set(doc) == {"apiVersion", "kind", "metadata", "data"}
            assert doc["metadata"] == {"name": name, "namespace": "argocd"}
