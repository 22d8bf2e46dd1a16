"""Secret detection: references pass, literals are found, values are never shown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.secrets import (
    MASK,
    masked,
    rendered_findings,
    sensitive_name,
    values_findings,
    values_secrets,
)

SENTINEL = "s3cr3t-SENTINEL"


@pytest.mark.parametrize(
    "name",
    ["password", "dbPassword", "DB_PASSWORD", "jwtSecret", "novuApiKey", "api-key", "token",
     "GITHUB_TOKEN", "clientSecret", "privateKey", "accessKey", "credentials", "POSTGRES_PWD"],
)
def test_secret_like_names(name):
    assert sensitive_name(name)


@pytest.mark.parametrize(
    "name",
    ["existingSecret", "secretName", "secretRef", "passwordKey", "tokenTTL", "keycloakUrl",
     "host", "key", "monkey", "passwordPolicy", "createSecret", "enabled", 42],
)
def test_names_that_merely_mention_secrets(name):
    assert not sensitive_name(name)


def test_secret_references_are_not_literals():
    values = {
        "secrets": {
            "existingSecret": "tenant-management-secrets",
            "env": {"DB_PASSWORD": "db-password", "JWT_SECRET": "jwt-secret"},
        },
        "components": {"api": {"secrets": {"env": {"API_KEY": "novu-api-key"}}}},
        "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "db-password"}}}],
        "database": {"password": "", "passwordFromEnv": True, "url": "postgres://db:5432/x"},
        "template": {"token": "{{ .Values.other }}", "apiKey": "${API_KEY}"},
    }
    assert values_secrets(values) == []


def test_literals_are_found_anywhere_else():
    values = {
        "password": SENTINEL,
        "database": {"password": SENTINEL, "port": 5432},
        "secrets": {"existingSecret": "x", "jwtSecret": SENTINEL},
        "env": [{"name": "API_TOKEN", "value": SENTINEL}],
        "list": [{"apiKey": SENTINEL}],
        "numeric": {"pin": 1, "password": 123456},
        "dsn": f"postgres://app:{SENTINEL}@db:5432/app",
    }
    found = dict(values_secrets(values))
    assert set(found) == {
        "password", "database.password", "secrets.jwtSecret", "env[0][name=API_TOKEN].value",
        "list[0].apiKey", "numeric.password", "dsn",
    }


def test_findings_mask_the_value():
    found, literals = values_findings("svc", "prod", "charts/svc/values-prod.yaml",
                                      {"password": SENTINEL})
    assert [f.rule for f in found] == ["GT-SEC-001"]
    assert SENTINEL not in repr(found) and MASK in found[0].message
    assert literals == [SENTINEL]


def test_rendered_secret_with_data_and_literal_env():
    docs = [
        {"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"db-password": SENTINEL}},
        {"kind": "Secret", "metadata": {"name": "placeholder"}, "data": {"db-password": ""}},
        {"kind": "ConfigMap", "metadata": {"name": "c"},
         "data": {"JWT_SECRET": SENTINEL, "LOG_LEVEL": "info"}},
        {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
            "containers": [{"name": "app", "env": [
                {"name": "API_TOKEN", "value": SENTINEL},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"key": "x"}}},
            ]}]}}}},
    ]
    found = rendered_findings(docs, "svc", "dev")
    assert [(f.rule, f.object, f.container) for f in found] == [
        ("GT-SEC-002", "Secret/s", ""),
        ("GT-SEC-003", "ConfigMap/c", ""),
        ("GT-SEC-003", "Deployment/d", "app"),
    ]
    assert SENTINEL not in repr(found)


def test_masked_replaces_every_literal():
    text = f"Error: values don't meet the schema: password: {SENTINEL} (and {SENTINEL}x)"
    assert SENTINEL not in masked(text, [SENTINEL, "ab"])
    assert masked("ab cd", ["ab"]) == "ab cd"  # too short to mask meaningfully


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text("QXZ0123456789", max_size=12),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["password", "token", "name", "value", "secrets", "env",
                                       "x"]), children, max_size=3),
    max_leaves=12,
))
def test_findings_never_carry_a_literal(values):
    found, literals = values_findings("svc", "", "values.yaml", values)
    shown = repr(found)
    assert all(lit not in shown for lit in literals if len(lit) >= 5)
