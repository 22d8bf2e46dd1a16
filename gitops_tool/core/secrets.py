"""Secret material in values files and rendered manifests. Values are never echoed.

Charts declare secret *references* under a `secrets` key: `existingSecret` (the
name of a Secret created outside git) and `env` (environment variable -> key in
that Secret). Those are names, not secrets, and are not flagged. Anywhere else a
password-, token- or key-like field set to a literal is a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from gitops_tool.core.findings import Finding
from gitops_tool.core.policy import workloads_of

MASK = "****"
REFERENCES_KEY = "secrets"  # values key under which charts declare secret references
REFERENCE_CHILDREN = ("existingSecret", "env")  # its children that hold names, not values

# Normalised (lowercase, letters and digits only) field names that hold secret material.
_SENSITIVE = re.compile(
    r"(password|passwd|passphrase|pwd|secret|token|apikey|accesskey|secretkey|privatekey"
    r"|signingkey|encryptionkey|masterkey|clientsecret|credential|credentials|connectionstring)$"
)
# Names that end like a secret but name or point at one.
_REFERENCE_NAME = re.compile(r"^(existing|use|enable|create)|(existingsecret)$")
_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^(\{\{.*\}\}|\$\{[^}]+\}|\$\([^)]+\))$", re.DOTALL)


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def sensitive_name(name: Any) -> bool:
    """Whether a field or variable name looks like it holds a password, token or key."""
    if not isinstance(name, str):
        return False
    normal = _normal(name)
    return bool(_SENSITIVE.search(normal)) and not _REFERENCE_NAME.search(normal)


def _literal(value: Any) -> str | None:
    """The secret-looking literal in `value` (as text), or None for references and blanks."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if not text or _PLACEHOLDER.match(text):
            return None
        return value
    return None


def _password_in_url(value: Any) -> str | None:
    if isinstance(value, str) and (m := _URL_WITH_PASSWORD.match(value.strip())):
        secret = m.group(1)
        return None if secret.startswith("$") or "{{" in secret else secret
    return None


def values_secrets(data: Any) -> list[tuple[str, str]]:
    """(dotted key path, literal) for every literal secret in a parsed values file."""
    return list(_walk(data, ""))


def _walk(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        # An env-style entry: {name: DB_PASSWORD, value: hunter2}.
        if sensitive_name(node.get("name")) and (lit := _literal(node.get("value"))):
            yield f"{path}[name={node['name']}].value", lit
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key == REFERENCES_KEY and isinstance(value, Mapping):
                rest = {k: v for k, v in value.items() if k not in REFERENCE_CHILDREN}
                yield from _walk(rest, here)
                continue
            if isinstance(value, Mapping | list):
                yield from _walk(value, here)
            elif sensitive_name(key) and (lit := _literal(value)):
                yield here, lit
            elif (secret := _password_in_url(value)) is not None:
                yield here, secret
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")


def values_findings(
    chart: str, environment: str, path: str, data: Any
) -> tuple[list[Finding], list[str]]:
    """GT-SEC-001 findings for one values file, and the literals (for masking, never shown)."""
    found, literals = [], []
    for key, literal in values_secrets(data):
        literals.append(literal)
        found.append(
            Finding(
                "GT-SEC-001", chart, environment, message=f"{key} is set to a literal "
                f"({MASK})", path=path,
            )
        )
    return found, literals


def rendered_findings(docs: Sequence[Any], chart: str, environment: str) -> list[Finding]:
    """GT-SEC-002 (Secrets with data) and GT-SEC-003 (literal secret env vars, ConfigMap keys)."""
    found = []
    for doc in docs:
        if not isinstance(doc, Mapping):
            continue
        kind = doc.get("kind")
        name = (doc.get("metadata") or {}).get("name", "?")
        if kind == "Secret":
            keys = sorted(
                str(k)
                for section in ("data", "stringData")
                for k, v in (doc.get(section) or {}).items()
                if v not in (None, "")
            )
            if keys:
                found.append(
                    Finding(
                        "GT-SEC-002", chart, environment, f"Secret/{name}",
                        message=f"carries data for {', '.join(keys)} ({MASK})",
                    )
                )
        elif kind == "ConfigMap":
            for key, value in sorted((doc.get("data") or {}).items()):
                if (sensitive_name(key) and _literal(value)) or _password_in_url(value):
                    found.append(
                        Finding(
                            "GT-SEC-003", chart, environment, f"ConfigMap/{name}",
                            message=f"key {key} holds a literal secret ({MASK})",
                        )
                    )
    for w in workloads_of(docs):
        for c in (*(w.pod.get("initContainers") or ()), *(w.pod.get("containers") or ())):
            if not isinstance(c, Mapping):
                continue
            for var in c.get("env") or ():
                if not isinstance(var, Mapping) or "value" not in var:
                    continue
                var_name, value = var.get("name"), var.get("value")
                if (sensitive_name(var_name) and _literal(value)) or _password_in_url(value):
                    found.append(
                        Finding(
                            "GT-SEC-003", chart, environment, w.ref, str(c.get("name", "?")),
                            message=f"env {var_name} is set to a literal ({MASK})",
                        )
                    )
    return found


def masked(text: str, literals: Iterable[str]) -> str:
    """`text` with every secret literal replaced by the mask (longest first)."""
    for literal in sorted({s for s in literals if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(literal, MASK)
    return text
