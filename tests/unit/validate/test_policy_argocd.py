"""Argo CD manifest checks: one small negative fixture per rule, the passing set clean."""

from __future__ import annotations

import copy

import pytest
import yaml

from gitops_tool.core.model import Environment, Release, SyncPolicy, SyncWindow
from gitops_tool.core.validate.argocd import (
    ArgoInputs,
    Manifest,
    argocd_findings,
    crd_schema,
    schema_findings,
)

REPO = "https://example.org/gitops.git"


def env(name, windows=()):
    return Environment(
        name=name,
        source=f"environments/{name}.yaml",
        namespace=f"demo-{name}",
        domain="*.example.org",
        project=f"demo-{name}",
        argocd_namespace="argocd",
        repo_url=REPO,
        branch="main",
        revision="main",
        sync_policy=SyncPolicy(automated=False, windows=windows),
        server="https://kubernetes.default.svc",
        releases={"web": Release("web", "1.2.3")},
    )


ENVS = (env("dev"), env("prod", (SyncWindow("allow", "0 9 * * 2-4", "6h"),)))
INPUTS = ArgoInputs(
    "charts",
    {"web": frozenset({"Chart.yaml", "values.yaml", "values-dev.yaml", "values-prod.yaml"})},
    ENVS,
    "prod",
    frozenset({"argocd/prod/applications"}),
)


def application(env_name="prod", **changes):
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": f"{env_name}-web",
            "namespace": "argocd",
            "labels": {"gitops-tool/environment": env_name},
        },
        "spec": {
            "project": f"demo-{env_name}",
            "destination": {
                "server": "https://kubernetes.default.svc",
                "namespace": f"demo-{env_name}",
            },
            "source": {
                "repoURL": REPO,
                "targetRevision": "main",
                "path": "charts/web",
                "helm": {
                    "releaseName": "web",
                    "valueFiles": ["values.yaml", f"values-{env_name}.yaml"],
                    "parameters": [{"name": "image.tag", "value": "1.2.3", "forceString": True}],
                },
            },
        },
    }
    for dotted, value in changes.items():
        node = app
        *path, last = dotted.split("__")
        for key in path:
            node = node[key]
        node[last] = value
    return app


def project(name="demo-prod", **spec):
    body = {
        "sourceRepos": [REPO],
        "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "demo-prod"}],
        "syncWindows": [{"kind": "allow", "schedule": "0 9 * * 2-4", "duration": "6h"}],
    } | spec
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": body,
    }


def manifests(*docs):
    return [Manifest(f"argocd/prod/applications/x{i}.yaml", d) for i, d in enumerate(docs)]


def rules(*docs):
    return sorted(f.rule for f in argocd_findings(manifests(*docs), INPUTS))


def test_the_passing_set_is_clean():
    assert rules(application(), project()) == []


@pytest.mark.parametrize(
    ("docs", "rule"),
    [
        ((application(spec__project="default"), project()), "GT-ARGO-002"),
        ((application(), project(sourceRepos=["*"])), "GT-ARGO-003"),
        ((application(), project(sourceRepos=[REPO, "https://github.com/*"])), "GT-ARGO-003"),
        (
            (application(), project(sourceRepos=[REPO, "https://example.org/gitops.gi?"])),
            "GT-ARGO-003",
        ),
        (
            (application(), project(sourceRepos=[REPO, "!https://example.org/other.git"])),
            "GT-ARGO-003",
        ),
        (
            (application(), project(destinations=[{"server": "*", "namespace": "demo-prod"}])),
            "GT-ARGO-004",
        ),
        (
            (
                application(),
                project(
                    destinations=[
                        {"server": "https://kubernetes.default.svc", "namespace": "demo-*"}
                    ]
                ),
            ),
            "GT-ARGO-004",
        ),
        (
            (
                application(),
                project(
                    destinations=[
                        {"server": "https://kubernetes.default.svc", "namespace": "demo-[a-z]*"}
                    ]
                ),
            ),
            "GT-ARGO-004",
        ),
        (
            (
                application(),
                project(
                    destinations=[
                        {"server": "https://kubernetes.default.svc", "namespace": "demo-prod"},
                        {"server": "https://kubernetes.default.svc", "namespace": "!kube-system"},
                    ]
                ),
            ),
            "GT-ARGO-004",
        ),
        (
            (application(), project(clusterResourceWhitelist=[{"group": "*", "kind": "*"}])),
            "GT-ARGO-005",
        ),
        ((application(spec__source__path="charts/gone"), project()), "GT-ARGO-006"),
        ((application(), project(syncWindows=[])), "GT-ARGO-008"),
        ((application(spec__source__helm__releaseName="prod-web"), project()), "GT-ARGO-010"),
        (
            (
                application(spec__destination__namespace="demo-other"),
                project(
                    destinations=[
                        {"server": "https://kubernetes.default.svc", "namespace": "demo-other"}
                    ]
                ),
            ),
            "GT-ARGO-010",
        ),
        ((application(), project(name="elsewhere")), "GT-ARGO-011"),
    ],
)
def test_each_rule_fires_alone(docs, rule):
    assert rules(*docs) == [rule]


def test_missing_values_file_and_parity():
    app = application(spec__source__helm__valueFiles=["values.yaml", "values-qa.yaml"])
    assert rules(app, project()) == ["GT-ARGO-006", "GT-ARGO-010"]


def test_release_name_limit_fires_alone_outside_an_environment():
    """An Application of no environment (no label, not under argocd/<env>/) is not held to
    render parity, so an invalid release name is GT-ARGO-009 alone."""
    app = application(metadata__name="p" * 60)
    del app["metadata"]["labels"]
    del app["spec"]["source"]["helm"]["releaseName"]
    found = argocd_findings([Manifest("argocd/extra/app.yaml", app), *manifests(project())], INPUTS)
    assert [(f.rule, f.environment) for f in found] == [("GT-ARGO-009", "")]
    assert "p" * 60 in found[0].message


def test_release_name_limit():
    app = application(metadata__name="p" * 60)
    del app["spec"]["source"]["helm"]["releaseName"]
    assert rules(app, project()) == ["GT-ARGO-009", "GT-ARGO-010"]


def test_image_tag_must_be_the_pin():
    app = application()
    app["spec"]["source"]["helm"]["parameters"][0]["value"] = "9.9.9"
    assert rules(app, project()) == ["GT-ARGO-010"]


def test_applicationsets_must_not_template_or_default_the_project():
    appset = {
        "kind": "ApplicationSet",
        "metadata": {"name": "prod"},
        "spec": {"template": {"spec": {"project": "{{.project}}"}}},
    }
    assert rules(appset) == ["GT-ARGO-007"]
    appset["spec"]["template"]["spec"]["project"] = "default"
    assert rules(appset) == ["GT-ARGO-002"]


def test_root_application_paths_must_hold_manifests():
    root = application(spec__source={"repoURL": REPO, "path": "argocd/prod/applications"})
    assert rules(root, project()) == []
    root["spec"]["source"]["path"] = "argocd/prod/nowhere"
    assert rules(root, project()) == ["GT-ARGO-006"]


def test_pattern_findings_name_the_entry():
    found = argocd_findings(
        manifests(
            project(
                sourceRepos=[REPO, "https://github.com/*"],
                destinations=[{"server": "https://kubernetes.default.svc", "namespace": "demo-*"}],
            )
        ),
        INPUTS,
    )
    assert [(f.rule, f.message) for f in found] == [
        ("GT-ARGO-003", "sourceRepos[1] is the pattern 'https://github.com/*'"),
        ("GT-ARGO-004", "destinations[0] has the pattern namespace 'demo-*'"),
    ]


def test_schemas_are_closed_so_typos_are_found(reference_dir):
    crd = yaml.safe_load((reference_dir / "argocd" / "application-crd.yaml").read_text())
    kind, schema = crd_schema(crd)
    assert kind == "Application"
    good = application()
    assert schema_findings(manifests(good), {kind: schema}) == []
    bad = copy.deepcopy(good)
    bad["spec"]["syncPolicy"] = {"automatd": {"prune": True}}
    bad["spec"]["source"]["helm"]["valueFiles"] = "values.yaml"
    found = schema_findings(manifests(bad), {kind: schema})
    assert {f.rule for f in found} == {"GT-ARGO-001"}
    messages = " ".join(f.message for f in found)
    assert "automatd" in messages and "spec.source.helm.valueFiles" in messages
