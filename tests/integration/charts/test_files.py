"""files: config files a process reads, from one ConfigMap per component, mounted read-only one
subPath each. supabase's kong is the one user: its declarative config (KONG_DATABASE off) routes
/auth/v1/, /rest/v1/ and /storage/v1/ to the release's Services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from gitops_tool.adapters import helm
from tests.support.repo.helm import Render, Rendered, parse

from .objects import CHARTS_DIR, pod_spec, values_files
from .spec import CASE_IDS, CASES, ENVIRONMENTS, NAMESPACE, PINNED_TAG, resource_name

pytestmark = pytest.mark.helm

KONG_CONFIG = "/etc/kong/declarative/kong.yml"
# What kong must route (prefix -> the component whose Service serves it).
KONG_ROUTES = {"/auth/v1/": "auth", "/rest/v1/": "api", "/storage/v1/": "storage"}
# The only component with files: (chart, component) -> its file paths.
FILES = {("supabase", "kong"): {KONG_CONFIG}}
COMPONENT = "app.kubernetes.io/component"


def _file_mounts(workload: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """mountPath -> (mount, volume) of the main container's subPath mounts from a ConfigMap."""
    pod = pod_spec(workload)
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    [main] = pod["containers"]
    return {
        m["mountPath"]: (m, volumes[m["name"]])
        for m in main.get("volumeMounts", [])
        if "subPath" in m and "configMap" in volumes[m["name"]]
    }


def _kong_config(r: Render) -> tuple[dict[str, Any], dict[str, Any]]:
    """kong's parsed kong.yml and its files ConfigMap."""
    mount, volume = _file_mounts(r.get("Deployment", "supabase-kong"))[KONG_CONFIG]
    config_map = r.get("ConfigMap", volume["configMap"]["name"])
    return yaml.safe_load(config_map["data"][mount["subPath"]]), config_map


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kong_mounts_its_declarative_config_read_only(rendered: Rendered, env: str) -> None:
    r = rendered("supabase", env)
    kong = r.get("Deployment", "supabase-kong")
    mount, volume = _file_mounts(kong)[KONG_CONFIG]
    assert mount["readOnly"] is True
    config_map = r.get("ConfigMap", volume["configMap"]["name"])
    assert config_map["metadata"]["name"] == "supabase-kong-files"
    assert config_map["metadata"]["labels"][COMPONENT] == "kong"
    assert set(config_map["data"]) == {mount["subPath"]}, "one key per file, nothing else"
    [main] = pod_spec(kong)["containers"]
    [source] = main["envFrom"]
    settings = r.get("ConfigMap", source["configMapRef"]["name"])["data"]
    assert settings["KONG_DATABASE"] == "off"
    assert settings["KONG_DECLARATIVE_CONFIG"] == KONG_CONFIG
    writable = {m["mountPath"] for m in main["volumeMounts"] if not m.get("readOnly")}
    assert not any(KONG_CONFIG.startswith(f"{d}/") for d in writable)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kong_routes_reach_the_releases_services(rendered: Rendered, env: str) -> None:
    r = rendered("supabase", env)
    config, _ = _kong_config(r)
    assert config["_format_version"] == "2.1"
    routed = {}
    for service in config["services"]:
        url = urlsplit(service["url"])
        assert url.scheme == "http" and url.path == "/"
        target = r.get("Service", url.hostname)
        assert url.port in {p["port"] for p in target["spec"]["ports"]}, service["url"]
        for route in service["routes"]:
            assert route["strip_path"] is True
            for path in route["paths"]:
                routed[path] = target["metadata"]["labels"][COMPONENT]
    assert routed == KONG_ROUTES, "and no /pg/: the chart runs no postgres-meta"
    assert not [s for s in config["services"] if "plugins" in s], "the components check JWTs"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_addresses_through_kong_are_routed(rendered: Rendered, env: str) -> None:
    """A setting that calls kong (studio's STUDIO_PG_META_URL did: /pg) uses a routed prefix."""
    r = rendered("supabase", env)
    kong = r.get("Service", "supabase-kong")
    routed = {p for s in _kong_config(r)[0]["services"] for rt in s["routes"] for p in rt["paths"]}
    for config_map in r.of_kind("ConfigMap"):
        for value in config_map["data"].values():
            url = urlsplit(value) if value.startswith("http") else None
            if url and url.hostname == kong["metadata"]["name"]:
                assert any(f"{url.path}/".startswith(p) for p in routed), value


def test_kong_routes_follow_the_library_names_of_a_long_release(built: str) -> None:
    release = "ananta-platform-infrastructure-release-with-long-name"
    chart_dir = CHARTS_DIR / "supabase"
    r = parse(
        helm.template(built, chart_dir, release, "ananta-prod", values_files(chart_dir, "prod"))
    )
    [kong] = [w for w in r.workloads if w["metadata"]["labels"][COMPONENT] == "kong"]
    mount, volume = _file_mounts(kong)[KONG_CONFIG]
    config = yaml.safe_load(
        r.get("ConfigMap", volume["configMap"]["name"])["data"][mount["subPath"]]
    )
    for service in config["services"]:
        url = urlsplit(service["url"])
        assert url.port in {p["port"] for p in r.get("Service", url.hostname)["spec"]["ports"]}


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_only_components_with_files_get_a_files_config_map(
    rendered: Rendered, chart: str, env: str
) -> None:
    r = rendered(chart, env)
    mounted: set[str] = set()
    for workload in r.workloads:
        component = workload["metadata"]["labels"][COMPONENT]
        mounts = _file_mounts(workload)
        assert set(mounts) == FILES.get((chart, component), set()), workload["metadata"]["name"]
        for mount, volume in mounts.values():
            assert mount["readOnly"] is True
            mounted.add(volume["configMap"]["name"])
    files_maps = {  # neither settings (envFrom), an nginx server, nor a Grafana dashboard
        c["metadata"]["name"]
        for c in r.of_kind("ConfigMap")
        if not {"LOG_LEVEL", "default.conf"} & c["data"].keys()
        and "grafana_dashboard" not in c["metadata"]["labels"]
    }
    assert files_maps == mounted
    expected = {resource_name(c, k) + "-files" for c, k in FILES if c == chart}
    assert files_maps == expected


def _render_supabase(
    built: str, tmp_path: Path, kong: dict[str, Any], name: str = "values-extra.yaml",
    tag: str = PINNED_TAG,
) -> helm.HelmRun:
    extra = tmp_path / name
    extra.write_text(yaml.safe_dump({"components": {"kong": kong}}), encoding="utf-8")
    chart_dir = CHARTS_DIR / "supabase"
    files = [*values_files(chart_dir, "dev"), extra]
    return helm.template(
        built, chart_dir, "supabase", NAMESPACE["dev"], files, {"image.tag": tag}
    )


def _checksums(r: Render) -> dict[str, str]:
    return {
        w["metadata"]["name"]: w["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        for w in r.workloads
    }


def test_a_changed_file_rolls_only_its_pods(
    rendered: Rendered, pins: dict[tuple[str, str], str], built: str, tmp_path: Path
) -> None:
    before = _checksums(rendered("supabase", "dev"))
    changed = {"files": {KONG_CONFIG: '_format_version: "2.1"\nservices: []\n'}}
    # the session's pin: the ConfigMaps carry the version (OTEL_RESOURCE_ATTRIBUTES)
    tag = pins[("supabase", "dev")]
    after = parse(_render_supabase(built, tmp_path, changed, tag=tag))
    assert _kong_config(after)[0] == {"_format_version": "2.1", "services": []}
    sums = _checksums(after)
    assert sums.pop("supabase-kong") != before.pop("supabase-kong")
    assert sums == before, "the other components' pods stay"
    again = parse(_render_supabase(built, tmp_path, changed, "values-again.yaml", tag))
    assert _checksums(again)["supabase-kong"] == _checksums(after)["supabase-kong"]


@pytest.mark.parametrize(
    ("kong", "message"),
    [
        ({"files": {"etc/kong/x.yml": "x"}}, '"etc/kong/x.yml" is not an absolute file path'),
        ({"files": {"/etc/kong/../x.yml": "x"}}, "is not an absolute file path"),
        ({"files": {"/etc/kong/": "x"}}, "is not an absolute file path"),
        ({"files": {"/tmp/kong.yml": "x"}}, "/tmp/kong.yml lies inside /tmp, a writableDirs"),
        ({"files": {"/usr/local/kong/kong.conf": "x"}}, "lies inside /usr/local/kong"),
        ({"files": {"/usr/local": "x"}}, "mount /usr/local/kong below it"),
        (
            {"files": {"/a/x": "x"}, "writableDirs": ["/tmp"], "seededDirs": ["/a"]},
            "/a/x lies inside /a, a writableDirs/seededDirs",
        ),
        ({"files": {"/a/b": "one", "/a_b": "two"}}, "give the same ConfigMap key a_b"),
        ({"files": {"/etc/x": "x"}, "writableDirs": ["/files"]}, "colliding volume names"),
        ({"files": {"/etc/x": ["not", "text"]}}, "got array, want string"),
        ({"filez": {"/etc/x": "x"}}, "additional properties"),
    ],
)
def test_files_refuse_paths_that_would_break_the_pod(
    built: str, tmp_path: Path, kong: dict[str, Any], message: str
) -> None:
    run = _render_supabase(built, tmp_path, kong)
    assert not run.ok and message in run.stderr, run.stderr
