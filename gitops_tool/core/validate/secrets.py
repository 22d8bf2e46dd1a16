"""Secret material in values files and rendered manifests. Values are never echoed.

Charts declare secret *references* under a `secrets` key: `existingSecret` (the
name of a Secret created outside git) and `env` (environment variable -> key in
that Secret). Those are names, not secrets, and are not flagged. Anywhere else a
password-, token- or key-like field set to a literal is a finding.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.validate.pods import workloads_of
from gitops_tool.core.yamldoc import load_plain
from gitops_tool.errors import InputError

MASK = "****"
REFERENCES_KEY = "secrets"  # values key under which charts declare secret references
REFERENCE_CHILDREN = ("existingSecret", "env")  # its children that hold names, not values

# A name is split into lowercase words (camelCase, snake_case, kebab-case; trailing numbers
# dropped); it is secret-like when its last word is one of these...
_SECRET_WORD = re.compile(r"pass(word|wd|phrase)?|pwd|secret|token|key|credentials?")
# ...or its words written as one end in one of these (`dbpassword`, `apikey`,
# `connectionString`).
_SECRET_SUFFIX = re.compile(
    r"(password|passwd|passphrase|pwd|secret|token|credentials?|connectionstring"
    r"|(api|access|secret|private|signing|encryption|master|hmac|session|jwt|license|licence"
    r"|client|ssh|tls|auth)key)$"
)
# Not secrets: names that start by pointing at one (`existingSecret...`, `createSecret`)...
_REFERENCE_FIRST = frozenset({"existing", "use", "enable", "enabled", "create", "generate"})
# ...and `<word>Key` names that are public or structural, or that name the key of a Secret
# holding the password or token (`passwordKey`, `existingSecretPasswordKey`).
_NOT_SECRET_KEY_AFTER = re.compile(
    r"public|topology|routing|partition|primary|foreign|sort|hash|shard|cache|label|lookup"
    r"|idempotency|object|pass(word|wd)?|pwd|token|credentials?"
)
# A plain `key` beside these is a selector or a reference (a toleration, a match expression,
# a secretKeyRef/configMapKeyRef, a volume item, a key/value pair), not key material; so is
# one inside a mapping whose own name ends in one of _KEY_PARENTS (`secretKeyRef: {key: x}`).
_KEY_SIBLINGS = frozenset({"operator", "effect", "values", "value", "path", "name", "optional"})
_KEY_PARENTS = frozenset({"ref", "refs", "selector", "selectors"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^(\{\{.*\}\}|\$\{[^}]+\}|\$\([^)]+\))$", re.DOTALL)


def words_of(name: str) -> list[str]:
    """`name` as lowercase words: "dbPassword", "DB_PASSWORD", "db-password" -> [db, password]."""
    return [w.lower() for w in _WORD.findall(name)]


def sensitive_name(name: Any, siblings: Collection[Any] = (), parent: Any = None) -> bool:
    """Whether a field or variable name looks like it holds a password, token or key.

    `siblings` (the keys of the mapping holding `name`) and `parent` (that mapping's own key)
    tell a plain `key` holding key material from the `key` of a selector or a reference.
    """
    if not isinstance(name, str):
        return False
    words = words_of(name)
    while words and words[-1].isdigit():
        words.pop()
    if not words or words[0] in _REFERENCE_FIRST:
        return False
    last = words[-1]
    if not _SECRET_WORD.fullmatch(last):
        return bool(_SECRET_SUFFIX.search("".join(words)))
    if last != "key":
        return True
    if len(words) == 1:
        held_by = words_of(parent) if isinstance(parent, str) else []
        if held_by and held_by[-1] in _KEY_PARENTS:
            return False
        return not _KEY_SIBLINGS.intersection(s for s in siblings if isinstance(s, str))
    return not _NOT_SECRET_KEY_AFTER.fullmatch(words[-2])


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


# `NAME=value` lines of a dotenv, properties or shell file.
_ASSIGNMENT = re.compile(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*=[ \t]*(.*?)[ \t]*$", re.MULTILINE
)


def file_secrets(text: Any) -> Iterator[tuple[str, str]]:
    """(where, literal) for literal secrets inside a file carried as one string: a chart's
    `files` entry, a ConfigMap value. YAML or JSON content is walked like a values file;
    `NAME=value` lines are checked one by one. Anything else yields nothing."""
    if not isinstance(text, str) or not ("\n" in text.strip() or text.lstrip()[:1] in "{["):
        return
    try:
        data = load_plain(text, "an embedded file")  # bounded, like every YAML load
    except InputError:
        data = None
    if isinstance(data, Mapping | list):
        yield from _walk(data, "")
    for name, value in _ASSIGNMENT.findall(text):
        value = value.strip("\"'")
        if sensitive_name(name) and (literal := _literal(value)):
            yield name, literal


def values_secrets(data: Any) -> list[tuple[str, str]]:
    """(dotted key path, literal) for every literal secret in a parsed values file."""
    return list(_walk(data, ""))


def _walk(node: Any, path: str, parent: Any = None) -> Iterator[tuple[str, str]]:
    """Literal secrets under `node`, found at `path`, the value of key `parent`."""
    if isinstance(node, Mapping):
        # An env-style entry: {name: DB_PASSWORD, value: hunter2}.
        if sensitive_name(node.get("name")) and (lit := _literal(node.get("value"))):
            yield f"{path}[name={node['name']}].value", lit
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key == REFERENCES_KEY and isinstance(value, Mapping):
                rest = {k: v for k, v in value.items() if k not in REFERENCE_CHILDREN}
                yield from _walk(rest, here, key)
                continue
            if isinstance(value, Mapping | list):
                yield from _walk(value, here, key)
            elif sensitive_name(key, node.keys(), parent) and (lit := _literal(value)):
                yield here, lit
            elif (secret := _password_in_url(value)) is not None:
                yield here, secret
            else:
                for inner, literal in file_secrets(value):
                    yield f"{here} > {inner}", literal
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]", parent)


def values_findings(
    chart: str, environment: str, path: str, data: Any
) -> tuple[list[Finding], list[str]]:
    """GT-SEC-001 findings for one values file, and the literals (for masking, never shown)."""
    found, literals = [], []
    for key, literal in values_secrets(data):
        literals.append(literal)
        found.append(
            Finding(
                "GT-SEC-001",
                chart,
                environment,
                message=f"{key} is set to a literal ({MASK})",
                path=path,
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
                        "GT-SEC-002",
                        chart,
                        environment,
                        f"Secret/{name}",
                        message=f"carries data for {', '.join(keys)} ({MASK})",
                    )
                )
        elif kind == "ConfigMap":
            for key, value in sorted((doc.get("data") or {}).items()):
                if (sensitive_name(key) and _literal(value)) or _password_in_url(value):
                    where = f"key {key}"
                elif inner := next((w for w, _ in file_secrets(value)), None):
                    where = f"key {key} ({inner})"
                else:
                    continue
                found.append(
                    Finding(
                        "GT-SEC-003",
                        chart,
                        environment,
                        f"ConfigMap/{name}",
                        message=f"{where} holds a literal secret ({MASK})",
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
                            "GT-SEC-003",
                            chart,
                            environment,
                            w.ref,
                            str(c.get("name", "?")),
                            message=f"env {var_name} is set to a literal ({MASK})",
                        )
                    )
    return found


def masked(text: str, literals: Iterable[str]) -> str:
    """`text` with every secret literal replaced by the mask (longest first)."""
    for literal in sorted({s for s in literals if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(literal, MASK)
    return text
