"""Credentials recognised by their shape, whatever the key that holds them.

Pure. Each shape is a rule of its own (GT-SEC-004 to GT-SEC-021): a known token format
(AWS access key IDs, GitHub, Slack, Stripe, Google, GitLab, npm, SendGrid, OpenAI, PyPI and
Twilio keys), a private key block, a JSON Web Token, a URL carrying a password, an Azure
storage account key, a Discord webhook URL, an HTTP Basic credential. Every shape is
anchored on something a random string does not have (a vendor prefix and its length, a PEM
header, a JWT header that decodes to JSON naming its algorithm, `Basic ` before base64 that
decodes to `user:password`), so commit SHAs, sha256 digests, checksums, UUIDs and base64 of
ordinary data never match. A placeholder is not a credential: a token whose random part
is one or two characters repeated (`AKIAXXXXXXXXXXXXXXXX`, `ghp_000...`), and URLs whose
password is `${VAR}`, `{{ .Values.x }}` or `<password>`.

    shapes_in("key: AKIA2E0A8F3B244C9986")  # -> [Hit("GT-SEC-004", "an AWS access key ID", ...)]
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from gitops_tool.core.urls import masked_url, placeholder, url_credentials, urls_in


@dataclass(frozen=True, slots=True)
class Shape:
    """One credential format: its rule, what to call it, and how to find it."""

    rule: str
    name: str
    pattern: re.Pattern[str]
    valid: Callable[[re.Match[str]], bool]


@dataclass(frozen=True, slots=True)
class Hit:
    """A credential found in a text: its rule, its name, and the credential (to mask it
    elsewhere; never to show it)."""

    rule: str
    name: str
    secret: str


def _random_part(group: int) -> Callable[[re.Match[str]], bool]:
    """Valid when the match's `group` (its random part) is not a placeholder."""

    def valid(match: re.Match[str]) -> bool:
        return not placeholder_body(match.group(group) or "")

    return valid


def placeholder_body(body: str) -> bool:
    """Whether the random part of a token is a placeholder: one or two characters repeated
    (`XXXX`, `xxxx`, `0000`, `xXxX`), ignoring separators."""
    letters = {c.lower() for c in body if c.isalnum()}
    return len(letters) <= 2


def _jwt_header(match: re.Match[str]) -> bool:
    """Valid when the first part decodes (base64url) to a JSON object naming an "alg"."""
    part = match.group(1)
    try:
        header = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


def _basic_credential(match: re.Match[str]) -> bool:
    """Valid when the base64 after `Basic` decodes to printable text `user:password` whose
    password is not a placeholder."""
    encoded = match.group(1)
    if len(encoded) % 4:
        return False
    try:
        text = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (ValueError, binascii.Error):
        return False
    user, colon, password = text.partition(":")
    return bool(colon) and text.isprintable() and bool(password) and not placeholder(
        password) and not placeholder_body(user + password)


def _twilio_key(match: re.Match[str]) -> bool:
    """Valid when the 32 hex digits mix letters and digits and are not a placeholder."""
    body = match.group(1)
    return (not placeholder_body(body) and any(c.isdigit() for c in body)
            and any(c.isalpha() for c in body))


def _always(match: re.Match[str]) -> bool:
    return True


_NOT_AFTER_ALNUM = r"(?<![A-Za-z0-9])"
_NOT_BEFORE_ALNUM = r"(?![A-Za-z0-9])"

SHAPES: tuple[Shape, ...] = (
    Shape(
        "GT-SEC-004", "an AWS access key ID",
        re.compile(_NOT_AFTER_ALNUM + r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])([A-Z0-9]{16})"
                   + _NOT_BEFORE_ALNUM),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-005", "a GitHub token",
        re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_([A-Za-z0-9]{36,251})"
                   r"|github_pat_([A-Za-z0-9_]{22,244}))(?![A-Za-z0-9_])"),
        lambda m: not placeholder_body(m.group(1) or m.group(2)),
    ),
    Shape(
        "GT-SEC-006", "a Slack token",
        re.compile(_NOT_AFTER_ALNUM + r"xox[abprs]-((?=[A-Za-z0-9-]*[0-9])[A-Za-z0-9-]{10,250})"
                   + _NOT_BEFORE_ALNUM),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-007", "a Slack webhook URL",
        re.compile(r"hooks\.slack\.com/(?:services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/([A-Za-z0-9_]{8,})"
                   r"|(?:workflows|triggers)/([A-Za-z0-9_/]{20,}))"),
        lambda m: not placeholder_body(m.group(1) or m.group(2)),
    ),
    Shape(
        "GT-SEC-008", "a Stripe secret or restricted key",
        re.compile(_NOT_AFTER_ALNUM + r"[sr]k_live_([A-Za-z0-9]{10,247})" + _NOT_BEFORE_ALNUM),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-009", "a Google API key",
        re.compile(r"(?<![A-Za-z0-9_-])AIza([0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])"),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-010", "a private key",
        re.compile(r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----"
                   r"(?:[A-Za-z0-9+/=:,\s-]*?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----)?"),
        _always,
    ),
    Shape(
        "GT-SEC-011", "a JSON Web Token",
        re.compile(r"(?<![A-Za-z0-9_.-])([A-Za-z0-9_-]{10,})\.([A-Za-z0-9_-]{2,})\."
                   r"([A-Za-z0-9_-]*)(?![A-Za-z0-9_-])"),
        _jwt_header,
    ),
    # GT-SEC-012 is the URL with credentials, found by core.urls (URL_RULE below).
    Shape(
        "GT-SEC-013", "a GitLab token",
        re.compile(r"(?<![A-Za-z0-9_-])(?:glpat|gldt|glrt|glcbt|glptt|glft|glimt|glagent"
                   r"|gloas|glsoat|glffct)-([A-Za-z0-9_-]{20,255})(?![A-Za-z0-9_-])"),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-014", "an npm access token",
        re.compile(r"(?<![A-Za-z0-9_])npm_([A-Za-z0-9]{36})(?![A-Za-z0-9_])"),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-015", "a SendGrid API key",
        re.compile(r"(?<![A-Za-z0-9_.-])SG\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})"
                   r"(?![A-Za-z0-9_-])"),
        lambda m: not placeholder_body(m.group(1)) and not placeholder_body(m.group(2)),
    ),
    Shape(
        "GT-SEC-016", "an OpenAI API key",
        # A project, service account or admin key (sk-proj-...), or an older key whose
        # middle is the marker T3BlbkFJ (base64 of "OpenAI").
        re.compile(r"(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-([A-Za-z0-9_-]{40,400})"
                   r"|([A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}))(?![A-Za-z0-9_-])"),
        lambda m: not placeholder_body(m.group(1) or m.group(2).replace("T3BlbkFJ", "")),
    ),
    Shape(
        "GT-SEC-017", "a PyPI API token",
        # A macaroon whose first bytes name its issuer: pypi.org or test.pypi.org.
        re.compile(r"(?<![A-Za-z0-9_-])pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)"
                   r"([A-Za-z0-9_-]{50,})"),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-018", "a Twilio API key",
        re.compile(r"(?<![A-Za-z0-9_-])SK([0-9a-fA-F]{32})(?![A-Za-z0-9_-])"),
        _twilio_key,
    ),
    Shape(
        "GT-SEC-019", "an Azure storage account key",
        re.compile(r"(?<![A-Za-z0-9])(?i:AccountKey)=([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])"),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-020", "a Discord webhook URL",
        re.compile(r"(?<![A-Za-z0-9-])(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/"
                   r"(?:v[0-9]{1,2}/)?webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{60,100})"
                   r"(?![A-Za-z0-9_-])"),
        _random_part(1),
    ),
    Shape(
        "GT-SEC-021", "an HTTP Basic credential",
        re.compile(r"(?<![A-Za-z0-9_-])(?i:basic)[ \t]+([A-Za-z0-9+/]{4,2048}={0,2})"
                   r"(?![A-Za-z0-9+/=])"),
        _basic_credential,
    ),
)
URL_RULE, URL_NAME = "GT-SEC-012", "a URL with credentials"
RULES = tuple(sorted((*(s.rule for s in SHAPES), URL_RULE)))


def shapes_in(text: str) -> list[Hit]:
    """Every credential in `text` recognised by its shape, in rule order, each once."""
    hits: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for shape in SHAPES:
        for match in shape.pattern.finditer(text):
            if shape.valid(match) and (shape.rule, match.group(0)) not in seen:
                seen.add((shape.rule, match.group(0)))
                hits.append(Hit(shape.rule, shape.name, match.group(0)))
    if "://" in text:
        for url in urls_in(text):
            if url_credentials(url) and not any(h.secret in url for h in hits):
                hits.append(Hit(URL_RULE, URL_NAME, url))
    return sorted(hits, key=lambda h: h.rule)  # stable: within a rule, in order of appearance


def masked_shapes(text: str, mask: str = "****") -> str:
    """`text` with every credential recognised by its shape replaced by `mask` (in a URL
    with credentials, only the credentials: `https://user:****@host/...`)."""
    for hit in sorted(shapes_in(text), key=lambda h: len(h.secret), reverse=True):
        shown = masked_url(hit.secret, mask) if hit.rule == URL_RULE else mask
        text = text.replace(hit.secret, shown)
    return text
