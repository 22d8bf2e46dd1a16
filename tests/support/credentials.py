"""Credentials of every shape validate recognises, and near misses that are not credentials.

Built at run time from parts (a fixed seed), so that this source holds no literal token
for a scanner to flag. `POSITIVES[rule]` are credentials of that rule's shape;
`NEGATIVES` are strings that look alike and are not (SHAs, digests, UUIDs, base64 of
ordinary data, placeholders, public keys and certificates).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid

_rng = random.Random(20261127)
_ALNUM = string.ascii_letters + string.digits
_UPPER = string.ascii_uppercase + string.digits


def _random(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(header: dict | None = None, payload: dict | None = None, signature: bool = True) -> str:
    head = _b64url(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64url(json.dumps(payload or {"sub": "1234567890", "iat": 1700000000}).encode())
    return f"{head}.{body}.{_b64url(_rng.randbytes(32)) if signature else ''}"


PRIVATE_KEY = "\n".join([
    "-----BEGIN " + "RSA PRIVATE KEY-----",
    *(_random(64, _ALNUM + "+/") for _ in range(4)),
    "-----END " + "RSA PRIVATE KEY-----",
    "",
])

POSITIVES: dict[str, list[str]] = {
    "GT-SEC-004": [
        "AK" + "IA" + _random(16, _UPPER),
        "AS" + "IA" + _random(16, _UPPER),
        "AK" + "IAIOSFODNN7" + "EXAMPLE",  # AWS's documented key: still the shape of a real one
    ],
    "GT-SEC-005": [
        "gh" + "p_" + _random(36),
        "gh" + "o_" + _random(36),
        "gh" + "u_" + _random(36),
        "gh" + "s_" + _random(36),
        "gh" + "r_" + _random(36),
        "github" + "_pat_" + _random(22) + "_" + _random(59),
    ],
    "GT-SEC-006": [
        "xo" + "xb-" + _random(12, string.digits) + "-" + _random(13, string.digits) + "-"
        + _random(24),
        "xo" + "xp-" + "-".join(_random(12, string.digits) for _ in range(3)) + "-"
        + _random(32, "0123456789abcdef"),
        "xo" + "xa-2-" + _random(12, string.digits) + "-" + _random(40),
    ],
    "GT-SEC-007": [
        "https://hooks.slack" + ".com/services/T" + _random(8, _UPPER) + "/B" + _random(10, _UPPER)
        + "/" + _random(24),
        "https://hooks.slack" + ".com/workflows/T" + _random(8, _UPPER) + "/A" + _random(10, _UPPER)
        + "/" + _random(18, string.digits) + "/" + _random(24),
    ],
    "GT-SEC-008": [
        "sk" + "_live_" + _random(24),
        "rk" + "_live_" + _random(99),
    ],
    "GT-SEC-009": ["AI" + "za" + _random(35, _ALNUM + "_-")],
    "GT-SEC-010": [
        PRIVATE_KEY,
        PRIVATE_KEY.replace("RSA ", ""),
        PRIVATE_KEY.replace("RSA ", "OPENSSH "),
        PRIVATE_KEY.replace("RSA ", "EC "),
        PRIVATE_KEY.replace("RSA ", "ENCRYPTED "),
    ],
    "GT-SEC-011": [
        jwt(),
        jwt({"alg": "RS256", "kid": "k1"}, {"iss": "supabase", "role": "service_role"}),
        jwt({"alg": "none"}, signature=False),
        "Bearer " + jwt(),
    ],
    "GT-SEC-012": [
        "postgres://cns:" + _random(16) + "@postgresql.database-system.svc:5432/components",
        "redis://:" + _random(20) + "@redis-master:6379/0",
        "amqp://guest:" + _random(12) + "@rabbitmq:5672/",
        "https://deploy:" + _random(12) + "@registry.example.test/v2/",
        "https://example.test/x.git?access_" + "token=" + _random(30),
    ],
    "GT-SEC-013": [
        "gl" + "pat-" + _random(20, _ALNUM + "_-"),
        "gl" + "dt-" + _random(20),
        "gl" + "rt-" + _random(27, _ALNUM + "_-"),
        "gl" + "cbt-" + _random(40),
    ],
    "GT-SEC-014": ["np" + "m_" + _random(36)],
    "GT-SEC-015": ["S" + "G." + _random(22, _ALNUM + "_-") + "." + _random(43, _ALNUM + "_-")],
    "GT-SEC-016": [
        "sk-" + "proj-" + _random(74, _ALNUM + "_-") + "T3Blbk" + "FJ" + _random(74, _ALNUM + "_-"),
        "sk-" + "proj-" + _random(48),
        "sk-" + "svcacct-" + _random(64, _ALNUM + "_-"),
        "sk-" + _random(20) + "T3Blbk" + "FJ" + _random(20),
    ],
    "GT-SEC-017": [
        "py" + "pi-" + "AgEIcHlwaS5v" + "cmc" + _random(150, _ALNUM + "_-"),
        "py" + "pi-" + "AgENdGVzdC5weXBp" + "Lm9yZw" + _random(120, _ALNUM + "_-"),
    ],
    "GT-SEC-018": [
        "S" + "K" + _random(32, "0123456789abcdef"),
        "S" + "K" + _random(32, "0123456789ABCDEF"),
    ],
    "GT-SEC-019": [
        "DefaultEndpointsProtocol=https;AccountName=ananta;Account" + "Key="
        + base64.b64encode(_rng.randbytes(64)).decode() + ";EndpointSuffix=core.windows.net",
        "account" + "key=" + base64.b64encode(_rng.randbytes(64)).decode(),
    ],
    "GT-SEC-020": [
        "https://discord" + ".com/api/webhooks/" + _random(18, string.digits) + "/"
        + _random(68, _ALNUM + "_-"),
        "https://canary.discord" + "app.com/api/v10/webhooks/" + _random(19, string.digits)
        + "/" + _random(68, _ALNUM + "_-"),
    ],
    "GT-SEC-021": [
        "Basic " + base64.b64encode(b"deploy:" + _random(16).encode()).decode(),
        "basic " + base64.b64encode(b"admin:" + _random(9).encode()).decode(),
        "Authorization: Basic " + base64.b64encode(b":" + _random(24).encode()).decode(),
    ],
}

_sha1 = hashlib.sha1(b"commit").hexdigest()
_sha256 = hashlib.sha256(b"image").hexdigest()
NEGATIVES: list[str] = [
    _sha1,  # a commit SHA
    _sha1.upper(),
    "sha256:" + _sha256,  # an image digest
    "ghcr.io/ananta-platform/cns-service@sha256:" + _sha256,
    _sha256,  # a checksum
    hashlib.md5(b"file").hexdigest(),
    str(uuid.UUID(int=_rng.getrandbits(128))),
    base64.b64encode(b"just some configuration, nothing secret at all").decode(),
    _b64url(json.dumps({"foo": "bar", "list": [1, 2, 3]}).encode()),  # JSON, no "alg"
    _b64url(b'{"typ":"JWT"}') + "." + _b64url(b'{"sub":"x"}') + ".sig",  # no alg
    "postgresql.database-system.svc.cluster.local",
    "v1.2.3-rc.1+build.20261127",
    "AK" + "IA" + "X" * 16,  # placeholders
    "AK" + "IA" + "0" * 16,
    "gh" + "p_" + "x" * 36,
    "gh" + "p_" + "short",
    "ghx_" + _random(36),  # not a GitHub prefix
    "xo" + "xz-" + _random(20),  # not a Slack prefix
    "xo" + "xb-" + "notdigits",
    "https://hooks.slack" + ".com/services/T00000000/B00000000/" + "X" * 24,
    "sk" + "_test_" + _random(24),  # a Stripe test key
    "pk" + "_live_" + _random(24),  # a publishable key: public by design
    "AI" + "za" + "short",
    "-----BEGIN PUBLIC KEY-----\n" + _random(64) + "\n-----END PUBLIC KEY-----\n",
    "-----BEGIN CERTIFICATE-----\n" + _random(64) + "\n-----END CERTIFICATE-----\n",
    "postgres://cns@postgresql:5432/components",  # a user, no password
    "postgres://cns:${DB_PASSWORD}@postgresql:5432/components",
    "postgres://cns:{{ .Values.password }}@postgresql:5432/components",
    "postgres://cns:<password>@postgresql:5432/components",
    "https://github.com/ananta-platform/ananta-gitops.git",
    "git@github.com:ananta-platform/ananta-gitops.git",
    "ssh://git@github.com/ananta-platform/ananta-gitops.git",
    "https://ananta@dev.azure.com/ananta/platform/_git/gitops",
    "https://example.test/search?q=token&page=2",
    "gl" + "pat-" + "short",  # too short
    "gl" + "pat-" + "x" * 20,
    "glxyz-" + _random(20),  # not a GitLab prefix
    "np" + "m_" + _random(35),  # one short
    "np" + "m_" + _random(37),  # one long
    "np" + "m_" + "0" * 36,
    "npm_config_registry",
    "S" + "G." + _random(21) + "." + _random(43),
    "S" + "G.x.y",
    "sk-" + _random(48),  # no project prefix, no marker
    "sk-" + "proj-" + "x" * 48,
    "sk-" + "proj-" + "short",
    "py" + "pi-" + _random(120),  # no macaroon header
    "py" + "pi-" + "AgEIcHlwaS5v" + "cmc" + "short",
    "S" + "K" + _sha256[:31],  # one short
    "S" + "K" + _sha256[:33],  # one long
    "TA" + "SK" + _sha256[:32],  # not at a word boundary
    "S" + "K" + "0" * 32,
    "S" + "K" + "1234567890" * 3 + "12",  # digits only
    "Account" + "Key=" + base64.b64encode(_rng.randbytes(32)).decode(),  # too short
    "Account" + "Key=" + "A" * 86 + "==",
    "Account" + "Key=${STORAGE_KEY}",
    "https://discord" + ".com/channels/123456789012345678/123456789012345678",
    "https://discord" + ".com/api/webhooks/123/abc",
    "Basic " + base64.b64encode(b"no colon in here").decode(),
    "Basic " + base64.b64encode(b"user:").decode(),  # no password
    "Basic " + base64.b64encode(b"user:${PASSWORD}").decode(),
    "Basic " + base64.b64encode(_rng.randbytes(24)).decode(),  # not text
    "Basic auth is off; basic realm=\"ananta\"",
    "the basic plan",
]
