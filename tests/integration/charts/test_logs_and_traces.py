"""Logs and traces (issue 14): every ConfigMap a container reads carries LOG_FORMAT=json and the
standard OpenTelemetry variables; traces go over OTLP in staging and prod, with the
environment's sampling, and the SDK is off in dev unless tracing.enabled is set. The nginx
frontends' access logs are JSON too, with the request ID and the W3C trace context."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.repo.helm import Render, Rendered, parse

from .objects import TemplateWith, pod_spec
from .spec import CASE_IDS, CASES, TRACE_SAMPLING

pytestmark = pytest.mark.helm


def attributes(text: str) -> dict[str, str]:
    """OTEL_RESOURCE_ATTRIBUTES as a mapping (key=value pairs, comma separated)."""
    return dict(pair.split("=", 1) for pair in text.split(","))


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_json_logs_and_opentelemetry_in_every_config_map(
    rendered: Rendered, chart: str, env: str
) -> None:
    r = rendered(chart, env)
    for workload in r.workloads:
        name, labels = workload["metadata"]["name"], workload["metadata"]["labels"]
        for container in pod_spec(workload)["containers"]:
            [source] = container["envFrom"]
            data = r.get("ConfigMap", source["configMapRef"]["name"])["data"]
            assert data["LOG_FORMAT"] == "json"
            assert data["OTEL_SERVICE_NAME"] == name
            resource = attributes(data["OTEL_RESOURCE_ATTRIBUTES"])
            assert resource == {
                "deployment.environment.name": env,
                "service.namespace": labels["app.kubernetes.io/part-of"],
                "service.version": container["image"].rsplit(":", 1)[1],
            }
            assert data["OTEL_PROPAGATORS"].split(",")[0] == "tracecontext"
            assert data["OTEL_METRICS_EXPORTER"] == data["OTEL_LOGS_EXPORTER"] == "none"
            # Every environment names the collector and the sampler; only the switch differs.
            endpoint = urlsplit(data["OTEL_EXPORTER_OTLP_ENDPOINT"])
            assert endpoint.scheme in ("http", "https") and endpoint.port
            assert data["OTEL_EXPORTER_OTLP_PROTOCOL"] in ("grpc", "http/protobuf")
            assert data["OTEL_TRACES_SAMPLER"] == "parentbased_traceidratio"
            assert 0 <= float(data["OTEL_TRACES_SAMPLER_ARG"]) <= 1
            ratio = TRACE_SAMPLING[env]
            if ratio is None:
                assert data["OTEL_SDK_DISABLED"] == "true"
                assert data["OTEL_TRACES_EXPORTER"] == "none"
                continue
            assert data["OTEL_SDK_DISABLED"] == "false"
            assert data["OTEL_TRACES_EXPORTER"] == "otlp"
            assert float(data["OTEL_TRACES_SAMPLER_ARG"]) == ratio


def test_tracing_can_be_switched_on_in_dev(template_with: TemplateWith) -> None:
    run = template_with("audit-logger", "dev", "tracing:\n  enabled: true\n  samplingRatio: 0.5\n")
    r = parse(run)
    data = r.get("ConfigMap", "audit-logger")["data"]
    assert data["OTEL_TRACES_EXPORTER"] == "otlp" and data["OTEL_TRACES_SAMPLER_ARG"] == "0.5"
    [policy] = r.of_kind("NetworkPolicy")
    to = [
        (peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], port["port"])
        for rule in policy["spec"]["egress"]
        for peer in rule["to"]
        if "namespaceSelector" in peer and "podSelector" not in peer
        for port in rule["ports"]
    ]
    assert ("observability-system", 4317) in to, "egress to the collector"


@pytest.mark.parametrize(
    "endpoint",
    ["https://otlp.vendor.example:443", "http://otel-collector:4317", "otel-collector.o:4317"],
)
def test_an_endpoint_outside_the_cluster_is_refused(
    template_with: TemplateWith, endpoint: str
) -> None:
    run = template_with("audit-logger", "prod",
                        f"tracing:\n  enabled: true\n  endpoint: {endpoint}\n")
    assert not run.ok and "endpoint" in run.stderr


NGINX_CHARTS = {"admin-app", "cns-dashboard", "customer-portal"}  # the static frontends
LOG_FORMAT = re.compile(r"^log_format\s+(\S+)\s+escape=json\s+((?:'[^']*'\s*)+);", re.MULTILINE)
ACCESS_LOG = re.compile(r"^\s*access_log\s+(\S+)(?:\s+(\S+))?;", re.MULTILINE)
JSON_LOG_FIELDS = {
    "time": "$time_iso8601",
    "request_id": "$ananta_request_id",
    "trace_id": "$ananta_trace_id",
    "traceparent": "$http_traceparent",
    "method": "$request_method",
    "uri": "$request_uri",
    "status": "$status",
    "request_time": "$request_time",
    "bytes_sent": "$bytes_sent",
    "user_agent": "$http_user_agent",
}
NUMERIC = {"$status", "$request_time", "$bytes_sent", "$body_bytes_sent", "$request_length"}


def nginx_configs(r: Render) -> dict[str, str]:
    """default.conf of each workload that mounts an nginx server config, by workload name."""
    found = {}
    for workload in r.workloads:
        for volume in pod_spec(workload).get("volumes", []):
            if volume["name"] == "nginx-conf":
                config = r.get("ConfigMap", volume["configMap"]["name"])
                found[workload["metadata"]["name"]] = config["data"]["default.conf"]
    return found


def logged(template: str) -> dict[str, Any]:
    """One log line as nginx would write it: every variable replaced by a sample value (a
    number where nginx prints one), parsed as JSON."""
    def sample(m: re.Match[str]) -> str:
        return "1.5" if m[0] in NUMERIC else "x"

    return json.loads(re.sub(r"\$[a-z_]+", sample, template))


@pytest.mark.parametrize(("chart", "env"), CASES, ids=CASE_IDS)
def test_nginx_access_logs_are_json_with_correlation_ids(
    rendered: Rendered, chart: str, env: str
) -> None:
    r = rendered(chart, env)
    configs = nginx_configs(r)
    assert bool(configs) == (chart in NGINX_CHARTS)
    for name, conf in configs.items():
        [(format_name, pieces)] = LOG_FORMAT.findall(conf)
        template = "".join(re.findall(r"'([^']*)'", pieces))
        line = logged(template)
        assert line["service"] == name
        for field, variable in JSON_LOG_FIELDS.items():
            assert f'"{field}":' in template and variable in template.split(f'"{field}":')[1]
            assert field in line
        assert re.search(r"map \$http_x_request_id \$ananta_request_id \{[^}]*\$request_id;", conf)
        assert re.search(r"map \$http_traceparent \$ananta_trace_id \{", conf)
        server = conf[conf.index("server {"):]
        logs = dict(ACCESS_LOG.findall(server.split("location")[0]))
        assert logs == {"/dev/stdout": format_name}, "the server's access log uses the format"


def test_nginx_keeps_its_text_access_log_with_log_format_text(
    template_with: TemplateWith,
) -> None:
    r = parse(template_with("admin-app", "dev", "logFormat: text\n"))
    [conf] = nginx_configs(r).values()
    assert "log_format" not in conf and "map " not in conf
    assert [a for a, _ in ACCESS_LOG.findall(conf)] == ["off"], "only /health is silenced"
    assert r.get("ConfigMap", "admin-app")["data"]["LOG_FORMAT"] == "text"
