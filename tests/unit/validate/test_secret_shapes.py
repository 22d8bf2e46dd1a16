"""Credentials recognised by their shape (GT-SEC-004..021): each shape with its positive
cases and near misses, wherever validate looks (values, rendered ConfigMaps, env, args,
environments and gitops-tool.yaml), always masked."""

from __future__ import annotations

import json

import pytest

from gitops_tool.core.validate import shapes
from gitops_tool.core.validate.rules import RULES
from gitops_tool.core.validate.secrets import (
    MASK,
    document_findings,
    masked,
    rendered_findings,
    values_findings,
)
from gitops_tool.core.yamldoc import parse_yaml
from tests.support.credentials import NEGATIVES, POSITIVES, jwt

NAMES = {s.rule: s.name for s in shapes.SHAPES} | {shapes.URL_RULE: shapes.URL_NAME}
CASES = [(rule, value) for rule, values in POSITIVES.items() for value in values]


def _id(case):
    return case[:24] if isinstance(case, str) else str(case)


def test_every_shape_is_a_rule_with_cases():
    assert set(shapes.RULES) == set(POSITIVES)
    for rule_id in shapes.RULES:
        assert RULES[rule_id].area == "secrets" and RULES[rule_id].waivable


@pytest.mark.parametrize(("rule", "value"), CASES, ids=[f"{r}-{i}" for i, (r, _) in
                                                         enumerate(CASES)])
def test_a_credential_is_found_by_its_shape_under_an_innocent_key(rule, value):
    assert [h.rule for h in shapes.shapes_in(value)] == [rule]
    found, literals = values_findings("svc", "staging", "charts/svc/values-staging.yaml",
                                      {"config": {"SESSION_SEED": value}})
    assert [(f.rule, f.message) for f in found] == [
        (rule, f"config.SESSION_SEED holds {NAMES[rule]} ({MASK})")]
    shown = repr(found)
    assert value not in shown and all(hit.secret not in shown
                                      for hit in shapes.shapes_in(value))
    assert masked(f"helm: error: {value}", literals) == f"helm: error: {MASK}"


@pytest.mark.parametrize(("rule", "value"), CASES, ids=[f"{r}-{i}" for i, (r, _) in
                                                         enumerate(CASES)])
def test_a_credential_inside_a_longer_text_is_found(rule, value):
    texts = [
        f"export NOTIFY={value}\nLOG_LEVEL=info\n",
        json.dumps({"auth": {"x": value}}),
        f"Authorization: Bearer {value}",
        f"--flag={value}",
    ]
    for text in texts:
        assert rule in {h.rule for h in shapes.shapes_in(text)}, text


@pytest.mark.parametrize("value", NEGATIVES, ids=[_id(v) for v in NEGATIVES])
def test_near_misses_are_not_credentials(value):
    assert shapes.shapes_in(value) == []
    found, _ = values_findings("svc", "", "charts/svc/values.yaml",
                               {"image": {"digest": value}, "notes": [value]})
    assert found == []


def test_a_jwt_needs_a_header_naming_its_algorithm():
    assert shapes.shapes_in(jwt({"alg": "ES256"}))
    assert not shapes.shapes_in(jwt({"typ": "JWT"}))  # no alg
    assert not shapes.shapes_in("app.kubernetes.io.name")
    assert not shapes.shapes_in("eyJhbGciOi.not-base64!.x")


def test_one_finding_per_value_the_shape_wins_over_the_key():
    token = POSITIVES["GT-SEC-005"][0]
    found, _ = values_findings("svc", "", "v.yaml", {"GITHUB_TOKEN": token, "password": "x1"})
    assert sorted(f.rule for f in found) == ["GT-SEC-001", "GT-SEC-005"]


def test_a_credential_under_the_secret_references_is_still_found():
    token = POSITIVES["GT-SEC-004"][0]
    values = {"secrets": {"existingSecret": "cns-secrets", "env": {"AWS_KEY_ID": token}}}
    found, _ = values_findings("svc", "", "v.yaml", values)
    assert [(f.rule, f.message) for f in found] == [
        ("GT-SEC-004", f"secrets.env.AWS_KEY_ID holds an AWS access key ID ({MASK})")]


def test_values_findings_name_the_line():
    text = "config:\n  PORT: '8080'\n  HOOK: " + POSITIVES["GT-SEC-007"][0] + "\n"
    found, _ = values_findings("svc", "dev", "charts/svc/values-dev.yaml",
                               parse_yaml(text, "charts/svc/values-dev.yaml"))
    assert [(f.rule, f.path) for f in found] == [("GT-SEC-007", "charts/svc/values-dev.yaml:3")]


def test_rendered_configmaps_env_args_and_command_are_read():
    key, hook, aws = POSITIVES["GT-SEC-010"][0], POSITIVES["GT-SEC-007"][0], \
        POSITIVES["GT-SEC-004"][0]
    docs = [
        {"kind": "ConfigMap", "metadata": {"name": "c"},
         "data": {"tls.pem": key, "LOG_LEVEL": "info", "REVISION": NEGATIVES[0]}},
        {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
            "containers": [{
                "name": "app",
                "command": ["/app", f"--aws-key={aws}"],
                "args": ["--hook", hook],
                "env": [{"name": "NOTIFY", "value": hook},
                        {"name": "IMAGE_DIGEST", "value": "sha256:" + "a" * 64}],
            }]}}}},
    ]
    found = rendered_findings(docs, "svc", "dev")
    assert sorted((f.rule, f.object, f.container, f.message) for f in found) == sorted([
        ("GT-SEC-010", "ConfigMap/c", "", f"key tls.pem holds a private key ({MASK})"),
        ("GT-SEC-004", "Deployment/d", "app", f"command[1] holds an AWS access key ID ({MASK})"),
        ("GT-SEC-007", "Deployment/d", "app", f"args[1] holds a Slack webhook URL ({MASK})"),
        ("GT-SEC-007", "Deployment/d", "app", f"env NOTIFY holds a Slack webhook URL ({MASK})"),
    ])
    assert not any(s in repr(found) for s in (key, hook, aws))


def test_environment_and_settings_files_name_file_line_and_key():
    token = POSITIVES["GT-SEC-006"][0]
    text = ("destination:\n  server: https://k8s.test\n  namespace: x\n"
            f"syncPolicy:\n  windows:\n    - kind: allow\n      timeZone: {token}\n")
    found = document_findings("environments/dev.yaml", parse_yaml(text, "x"), "dev")
    assert [(f.rule, f.environment, f.path, f.message) for f in found] == [
        ("GT-SEC-006", "dev", "environments/dev.yaml:7",
         f"syncPolicy.windows[0].timeZone holds a Slack token ({MASK})")]
    assert token not in repr(found)


@pytest.mark.parametrize(("rule", "value"), CASES, ids=[f"{r}-{i}" for i, (r, _) in
                                                         enumerate(CASES)])
def test_no_error_message_quotes_a_credential(rule, value):
    from gitops_tool.errors import GitError, InputError

    for error in (InputError(f"charts/{value}: no such folder", hint=f"restore {value}"),
                  GitError(f"git push {value} failed")):
        shown = f"{error} {error.message} {error.hint} {error!r}"
        assert value.strip() not in shown
        assert all(hit.secret not in shown or rule == shapes.URL_RULE
                   for hit in shapes.shapes_in(value))
    if rule == shapes.URL_RULE:  # a URL keeps its host: only its credentials are masked
        assert "@" in str(InputError(f"remote {value}")) or "?" in value


def test_several_credentials_in_one_text_come_in_rule_order():
    text = " ".join([POSITIVES["GT-SEC-021"][0], POSITIVES["GT-SEC-012"][0],
                     POSITIVES["GT-SEC-013"][0], POSITIVES["GT-SEC-004"][0]])
    assert [h.rule for h in shapes.shapes_in(text)] == [
        "GT-SEC-004", "GT-SEC-012", "GT-SEC-013", "GT-SEC-021"]
    shown = shapes.masked_shapes(text)
    assert not any(h.secret in shown for h in shapes.shapes_in(text))


def test_basic_needs_base64_of_user_and_password():
    import base64

    def basic(raw: bytes) -> str:
        return "Basic " + base64.b64encode(raw).decode()

    assert shapes.shapes_in(basic(b"ci:s3cr3t-Pass"))
    assert shapes.shapes_in("authorization: BASIC " + basic(b"ci:s3cr3t-Pass")[6:])
    assert not shapes.shapes_in(basic(b"ci:s3cr3t-Pass")[:-1])  # not whole base64
    assert not shapes.shapes_in(basic(b"ci:<password>"))
    assert not shapes.shapes_in(basic(b"ci:pass\nword"))  # not printable
