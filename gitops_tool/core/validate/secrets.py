"""Secret material in values files, rendered manifests and environment files. Values are
never echoed.

Two ways to recognise a secret:
- by its shape, whatever the key (core.validate.shapes: known token formats, private
  keys, JWTs, URLs with credentials...): one rule per shape, GT-SEC-004 to GT-SEC-021;
- by its key: a password-, token- or key-like field set to a literal (GT-SEC-001 in values
  files, GT-SEC-003 in rendered ConfigMaps and env).
A value found by its shape is reported once, under the shape's rule.

Charts declare secret *references* under a `secrets` key: `existingSecret` (the
name of a Secret created outside git) and `env` (environment variable -> key in
that Secret). Those are names, not secrets, and are not flagged by their key (a
credential written there is still found by its shape).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gitops_tool.core.validate.findings import Finding
from gitops_tool.core.validate.pods import workloads_of
from gitops_tool.core.validate.shapes import Hit, shapes_in
from gitops_tool.core.yamldoc import line_of, load_plain
from gitops_tool.errors import InputError

MASK = "****"
REFERENCES_KEY = "secrets"  # values key under which charts declare secret references
REFERENCE_CHILDREN = ("existingSecret", "env")  # its children that hold names, not values
KEY_RULE = "GT-SEC-001"  # a literal under a secret-like key of a values file
RENDERED_KEY_RULE = "GT-SEC-003"  # a literal secret-like env var or ConfigMap key

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


# `NAME=value` lines of a dotenv, properties or shell file.
# The value is taken to the end of its line and stripped in code: a lazy `(.*?)[ \t]*$` would
# try every split of a long run of blanks.
_ASSIGNMENT = re.compile(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*=(.*)$", re.MULTILINE
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
    if isinstance(data, Mapping | list):  # credentials by shape: already found in `text`
        yield from ((f.path, f.secret) for f in _walk(data, "") if f.rule == KEY_RULE)
    for name, value in _ASSIGNMENT.findall(text):
        value = value.strip(" \t").strip("\"'")
        if sensitive_name(name) and (literal := _literal(value)):
            yield name, literal


def values_secrets(data: Any) -> list[tuple[str, str]]:
    """(dotted key path, literal) for every literal secret in a parsed values file."""
    return [(f.path, f.secret) for f in values_hits(data)]


@dataclass(frozen=True, slots=True)
class Found:
    """A secret at `path` of a values file: its rule, and what it is (for the message)."""

    path: str
    secret: str  # for masking only, never shown
    rule: str
    name: str = ""  # the shape's name ("a GitHub token"); "" when found by its key
    line: int | None = None
    value: str = ""  # the whole value holding it, for masking too


def values_hits(data: Any) -> list[Found]:
    """Every secret in a parsed values file: by its shape, else by its key."""
    return list(_walk(data, ""))


def _shaped(value: Any, path: str, line: int | None) -> list[Found]:
    if not isinstance(value, str):
        return []
    return [Found(path, h.secret, h.rule, h.name, line, value) for h in shapes_in(value)]


def _walk(node: Any, path: str, parent: Any = None, line: int | None = None) -> Iterator[Found]:
    """Secrets under `node`, found at `path`, the value of key `parent` (on `line`)."""
    if isinstance(node, Mapping):
        # An env-style entry: {name: DB_PASSWORD, value: hunter2}.
        entry = f"{path}[name={node['name']}]" if isinstance(node.get("name"), str) else ""
        value = node.get("value")
        if sensitive_name(node.get("name")) and (lit := _literal(value)) and not shapes_in(lit):
            yield Found(f"{entry}.value", lit, KEY_RULE, line=line_of(node, "value") or line)
        for key, value in node.items():
            here = f"{entry}.value" if entry and key == "value" else (
                f"{path}.{key}" if path else str(key))
            at = line_of(node, key) or line
            if key == REFERENCES_KEY and isinstance(value, Mapping):
                for child in REFERENCE_CHILDREN:  # names, but a credential is one anywhere
                    yield from _shapes_under(value.get(child), f"{here}.{child}", at)
                rest = {k: v for k, v in value.items() if k not in REFERENCE_CHILDREN}
                yield from _walk(_keep_lines(value, rest), here, key, at)
                continue
            if isinstance(value, Mapping | list):
                yield from _walk(value, here, key, at)
                continue
            shaped = _shaped(value, here, at)
            yield from shaped
            if not shaped and sensitive_name(key, node.keys(), parent) and (
                lit := _literal(value)
            ):
                yield Found(here, lit, KEY_RULE, line=at)
                continue
            for inner, literal in file_secrets(value):
                if not any(literal in f.secret or f.secret in literal for f in shaped):
                    yield Found(f"{here} > {inner}", literal, KEY_RULE, line=at)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]", parent, line)


def _shapes_under(node: Any, path: str, line: int | None) -> Iterator[Found]:
    """Credentials recognised by their shape anywhere under `node`."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            yield from _shapes_under(value, here, line_of(node, key) or line)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _shapes_under(item, f"{path}[{i}]", line)
    else:
        yield from _shaped(node, path, line)


def _keep_lines(source: Any, data: dict) -> Any:
    """`data` (a filtered copy of `source`) with the key lines of `source`, when it has them."""
    if hasattr(source, "lines"):
        kept = type(source)()
        kept.update(data)
        kept.line, kept.lines = source.line, source.lines
        return kept
    return data


def values_findings(
    chart: str, environment: str, path: str, data: Any
) -> tuple[list[Finding], list[str]]:
    """The findings of one values file (GT-SEC-001 and the shape rules), and the literals
    (for masking, never shown). Each names the file and, when known, the line."""
    found, literals = [], []
    for hit in values_hits(data):
        literals += [hit.secret, hit.value] if hit.value else [hit.secret]
        said = f"holds {hit.name}" if hit.name else "is set to a literal"
        found.append(
            Finding(
                hit.rule,
                chart,
                environment,
                message=f"{hit.path} {said} ({MASK})",
                path=f"{path}:{hit.line}" if hit.line else path,
            )
        )
    return found, literals


def document_findings(source: str, data: Any, environment: str = "") -> list[Finding]:
    """Credentials recognised by their shape in a file people write (environments/<env>.yaml),
    each naming `source:line` and the key."""
    return [
        Finding(
            f.rule, "", environment,
            message=f"{f.path} holds {f.name} ({MASK})",
            path=f"{source}:{f.line}" if f.line else source,
        )
        for f in _shapes_under(data, "", None)
    ]


def rendered_findings(docs: Sequence[Any], chart: str, environment: str) -> list[Finding]:
    """GT-SEC-002 (Secrets with data); in ConfigMaps, container env, args and command: the
    shape rules, else GT-SEC-003 (literal secret-like env vars and ConfigMap keys)."""
    found = []

    def add(rule: str, obj: str, container: str, message: str) -> None:
        found.append(Finding(rule, chart, environment, obj, container, message=message))

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
                add("GT-SEC-002", f"Secret/{name}", "",
                    f"carries data for {', '.join(keys)} ({MASK})")
        elif kind == "ConfigMap":
            for key, value in sorted((doc.get("data") or {}).items(), key=lambda kv: str(kv[0])):
                if hits := _hits(value):
                    for hit in hits:
                        add(hit.rule, f"ConfigMap/{name}", "",
                            f"key {key} holds {hit.name} ({MASK})")
                    continue
                if sensitive_name(key) and _literal(value):
                    where = f"key {key}"
                elif inner := next((w for w, _ in file_secrets(value)), None):
                    where = f"key {key} ({inner})"
                else:
                    continue
                add(RENDERED_KEY_RULE, f"ConfigMap/{name}", "",
                    f"{where} holds a literal secret ({MASK})")
    for w in workloads_of(docs):
        for c in (*(w.pod.get("initContainers") or ()), *(w.pod.get("containers") or ())):
            if not isinstance(c, Mapping):
                continue
            container = str(c.get("name", "?"))
            for var in c.get("env") or ():
                if not isinstance(var, Mapping) or "value" not in var:
                    continue
                var_name, value = var.get("name"), var.get("value")
                if hits := _hits(value):
                    for hit in hits:
                        add(hit.rule, w.ref, container, f"env {var_name} holds {hit.name} ({MASK})")
                elif sensitive_name(var_name) and _literal(value):
                    add(RENDERED_KEY_RULE, w.ref, container,
                        f"env {var_name} is set to a literal ({MASK})")
            for field in ("command", "args"):
                for i, arg in enumerate(c.get(field) or ()):
                    for hit in _hits(arg):
                        add(hit.rule, w.ref, container, f"{field}[{i}] holds {hit.name} ({MASK})")
    return found


def _hits(value: Any) -> list[Hit]:
    return shapes_in(value) if isinstance(value, str) else []


def masked(text: str, literals: Iterable[str]) -> str:
    """`text` with every secret literal replaced by the mask (longest first)."""
    for literal in sorted({s for s in literals if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(literal, MASK)
    return text
