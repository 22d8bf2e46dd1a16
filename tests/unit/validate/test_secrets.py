"""Secret detection: references pass, literals are found, values are never shown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitops_tool.core.validate.secrets import (
    MASK,
    masked,
    rendered_findings,
    sensitive_name,
    values_findings,
    values_secrets,
)

SENTINEL = "s3cr3t-SENTINEL"


KEY_NAMES = [
    "hmacKey",
    "sessionKey",
    "tlsKey",
    "sshKey",
    "jwtKey",
    "clientKey",
    "licenseKey",
    "signingKey",
    "encryptionKey",
    "key",
    "KEY",
    "SERVICE_KEY",
    "tls.key",
    "APIKey",
]


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "dbPassword",
        "DB_PASSWORD",
        "jwtSecret",
        "novuApiKey",
        "api-key",
        "token",
        "GITHUB_TOKEN",
        "clientSecret",
        "privateKey",
        "accessKey",
        "credentials",
        "POSTGRES_PWD",
        "userPassword",
        "dbpassword",
        "apikey",
        "DBPWD",
        "rootpwd",
        "password2",
        "OAuth2Token",
        "connectionString",
        "DB_CONNECTION_STRING",
        "smtp_pass",
        *KEY_NAMES,
    ],
)
def test_secret_like_names(name):
    assert sensitive_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "existingSecret",
        "existingSecretPasswordKey",
        "secretName",
        "secretRef",
        "secretKeyRef",
        "configMapKeyRef",
        "keyRef",
        "passwordKey",
        "tokenKey",
        "tokenTTL",
        "keycloakUrl",
        "keycloak",
        "publicKey",
        "sshPublicKey",
        "topologyKey",
        "routingKey",
        "keyId",
        "passwordFile",
        "host",
        "monkey",
        "turkey",
        "passkey",
        "passwordPolicy",
        "createSecret",
        "useToken",
        "enabled",
        "",
        "_",
        42,
    ],
)
def test_names_that_merely_mention_secrets(name):
    assert not sensitive_name(name)


@pytest.mark.parametrize(
    ("mapping", "flagged"),
    [
        ({"cert": "x", "key": SENTINEL}, True),  # key material beside its certificate
        ({"key": SENTINEL}, True),
        ({"key": "node-role", "operator": "Exists", "effect": "NoSchedule"}, False),
        ({"key": "app", "operator": "In", "values": ["web"]}, False),
        ({"name": "demo-secrets", "key": "db-password"}, False),  # a secretKeyRef
        ({"key": "config.json", "path": "config.json"}, False),  # a volume item
        ({"key": "team", "value": "platform"}, False),  # a key/value pair
    ],
)
def test_a_plain_key_is_key_material_unless_it_selects_or_references(mapping, flagged):
    assert sensitive_name("key", mapping.keys()) is flagged
    assert bool(values_secrets({"x": mapping})) is flagged


def test_a_plain_key_inside_a_reference_is_not_key_material():
    assert not sensitive_name("key", parent="configMapKeyRef")
    assert not sensitive_name("key", parent="nodeSelector")
    assert sensitive_name("key", parent="tls")
    assert values_secrets({"tls": {"key": SENTINEL}}) == [("tls.key", SENTINEL)]


def test_generalised_key_names_are_found_and_masked():
    values = {"webhook": {name: f"{SENTINEL}-{i}" for i, name in enumerate(KEY_NAMES)}}
    found, literals = values_findings("svc", "dev", "charts/svc/values-dev.yaml", values)
    assert [f.message.split(" ")[0] for f in found] == [f"webhook.{n}" for n in KEY_NAMES]
    assert sorted(literals) == sorted(values["webhook"].values())
    shown = repr(found) + masked(f"helm: bad {' '.join(literals)}", literals)
    assert SENTINEL not in shown


WORDS = st.sampled_from(
    [
        "db",
        "hmac",
        "session",
        "tls",
        "ssh",
        "jwt",
        "client",
        "license",
        "signing",
        "encryption",
        "api",
        "admin",
        "app",
        "redis",
        "smtp",
        "x",
    ]
)
STYLES = {
    "camel": lambda w: w[0] + "".join(x.capitalize() for x in w[1:]),
    "pascal": lambda w: "".join(x.capitalize() for x in w),
    "snake": "_".join,
    "screaming": lambda w: "_".join(w).upper(),
    "kebab": "-".join,
    "dotted": ".".join,
}


def _name(prefix, last, style):
    return STYLES[style]([*prefix, *last])


@given(
    st.lists(WORDS, max_size=3),
    st.sampled_from(
        [
            "password",
            "passwd",
            "pwd",
            "pass",
            "passphrase",
            "secret",
            "token",
            "key",
            "credential",
            "credentials",
        ]
    ),
    st.sampled_from(sorted(STYLES)),
)
def test_any_style_of_a_secret_word_last_is_flagged_and_masked(prefix, last, style):
    name = _name(prefix, [last], style)
    assert sensitive_name(name), name
    found, literals = values_findings("svc", "", "values.yaml", {name: SENTINEL})
    assert [f.rule for f in found] == ["GT-SEC-001"] and literals == [SENTINEL]
    assert SENTINEL not in repr(found)
    assert masked(f"Error: {name}: {SENTINEL}", literals) == f"Error: {name}: {MASK}"


@given(
    st.lists(WORDS, max_size=3),
    st.sampled_from(
        [
            ["name"],
            ["ref"],
            ["key", "ref"],
            ["file"],
            ["path"],
            ["url"],
            ["ttl"],
            ["policy"],
            ["id"],
            ["length"],
            ["public", "key"],
            ["topology", "key"],
            ["password", "key"],
            ["token", "key"],
        ]
    ),
    st.sampled_from(sorted(STYLES)),
)
def test_any_style_of_a_reference_or_public_name_is_not_flagged(prefix, last, style):
    name = _name(prefix, last, style)
    assert not sensitive_name(name), name
    assert values_secrets({name: SENTINEL}) == []


@given(
    st.lists(WORDS, max_size=2),
    st.sampled_from(["password", "token", "secret", "key"]),
    st.sampled_from(sorted(STYLES)),
)
def test_existing_secret_references_are_never_flagged(middle, last, style):
    assert not sensitive_name(_name(["existing", "secret", *middle], [last], style))


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
        "password",
        "database.password",
        "secrets.jwtSecret",
        "env[0][name=API_TOKEN].value",
        "list[0].apiKey",
        "numeric.password",
        "dsn",
    }


def test_findings_mask_the_value():
    found, literals = values_findings(
        "svc", "prod", "charts/svc/values-prod.yaml", {"password": SENTINEL}
    )
    assert [f.rule for f in found] == ["GT-SEC-001"]
    assert SENTINEL not in repr(found) and MASK in found[0].message
    assert literals == [SENTINEL]


def test_rendered_secret_with_data_and_literal_env():
    docs = [
        {"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"db-password": SENTINEL}},
        {"kind": "Secret", "metadata": {"name": "placeholder"}, "data": {"db-password": ""}},
        {
            "kind": "ConfigMap",
            "metadata": {"name": "c"},
            "data": {"JWT_SECRET": SENTINEL, "LOG_LEVEL": "info"},
        },
        {
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "app",
                                "env": [
                                    {"name": "API_TOKEN", "value": SENTINEL},
                                    {
                                        "name": "DB_PASSWORD",
                                        "valueFrom": {"secretKeyRef": {"key": "x"}},
                                    },
                                ],
                            }
                        ]
                    }
                }
            },
        },
    ]
    docs[3]["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "WEBHOOK_HMAC_KEY", "value": SENTINEL}
    )
    found = rendered_findings(docs, "svc", "dev")
    assert [(f.rule, f.object, f.container) for f in found] == [
        ("GT-SEC-002", "Secret/s", ""),
        ("GT-SEC-003", "ConfigMap/c", ""),
        ("GT-SEC-003", "Deployment/d", "app"),
        ("GT-SEC-003", "Deployment/d", "app"),
    ]
    assert SENTINEL not in repr(found)


def test_masked_replaces_every_literal():
    text = f"Error: values don't meet the schema: password: {SENTINEL} (and {SENTINEL}x)"
    assert SENTINEL not in masked(text, [SENTINEL, "ab"])
    assert masked("ab cd", ["ab"]) == "ab cd"  # too short to mask meaningfully


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text("QXZ0123456789", max_size=12),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(["password", "token", "name", "value", "secrets", "env", "x"]),
                children,
                max_size=3,
            )
        ),
        max_leaves=12,
    )
)
def test_findings_never_carry_a_literal(values):
    found, literals = values_findings("svc", "", "values.yaml", values)
    shown = repr(found)
    assert all(lit not in shown for lit in literals if len(lit) >= 5)


FILE_CONTENTS = {
    "yaml": ("db:\n  host: postgres\n  password: {s}\n", "db.password"),
    "json": ('{{"auth": {{"apiKey": "{s}"}}}}', "auth.apiKey"),
    "dotenv": ('LOG_LEVEL=info\nexport DB_PASSWORD="{s}"\n', "DB_PASSWORD"),
}


@pytest.mark.parametrize("style", sorted(FILE_CONTENTS))
def test_a_secret_inside_a_file_carried_in_values_is_found_and_masked(style):
    # A chart's `files` entry (or any string holding a file) is one opaque value: its content
    # is read as YAML/JSON or as NAME=value lines.
    content, where = FILE_CONTENTS[style]
    values = {"components": {"app": {"files": {"/etc/app/config": content.format(s=SENTINEL)}}}}
    found, literals = values_findings("svc", "dev", "charts/svc/values.yaml", values)
    assert [f.rule for f in found] == ["GT-SEC-001"]
    assert f"components.app.files./etc/app/config > {where}" in found[0].message
    assert literals == [SENTINEL] and SENTINEL not in repr(found)


def test_files_without_secrets_and_references_inside_files_are_not_flagged():
    routes = "_format_version: '2.1'\nservices:\n  - name: auth\n    url: http://auth:9999/\n"
    env = "DB_PASSWORD=${DB_PASSWORD}\nTOKEN_FILE=/run/token\n"
    assert values_secrets({"files": {"/etc/kong/kong.yml": routes, "/etc/app/.env": env}}) == []
    assert values_secrets({"note": "password: in one line is just text"}) == []


def test_a_rendered_configmap_file_with_a_secret_inside_is_flagged():
    docs = [
        {
            "kind": "ConfigMap",
            "metadata": {"name": "app-files"},
            "data": {"etc_app_app.yaml": f"db:\n  password: {SENTINEL}\n", "ok.yaml": "a: 1\n"},
        }
    ]
    found = rendered_findings(docs, "svc", "dev")
    assert [(f.rule, f.object) for f in found] == [("GT-SEC-003", "ConfigMap/app-files")]
    assert "etc_app_app.yaml (db.password)" in found[0].message
    assert SENTINEL not in repr(found)
