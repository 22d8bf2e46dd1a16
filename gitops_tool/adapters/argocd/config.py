"""Where the Argo CD server and token come from, found the way the argocd CLI finds them.

Layers, later ones winning (as in argo-cd `apiclient.NewClient`):
1. the current context (or `--argocd-context`) of the argocd config file,
   `$ARGOCD_CONFIG_DIR/config`, else `$XDG_CONFIG_HOME/argocd/config`, else
   `~/.config/argocd/config`; a file whose mode is not 0600 or 0400 is refused;
2. `ARGOCD_SERVER` and `ARGOCD_AUTH_TOKEN`;
3. flags in `ARGOCD_OPTS` (the CLI uses them as flag defaults);
4. the flags given: `--server`, `--auth-token`, `--insecure`, `--plaintext`, `--server-crt`.

The file is only read, never written. The token is kept in a `Secret` that never shows
its value in a repr, a message or a log line.
"""

from __future__ import annotations

import base64
import shlex
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from gitops_tool.adapters.files import read_text
from gitops_tool.core.urls import masked_url, masked_userinfo, url_credentials
from gitops_tool.core.yamldoc import load_plain
from gitops_tool.errors import InputError

CONFIG_FILE = "config"
_VALUE_FLAGS = {"--server", "--auth-token", "--server-crt", "--argocd-context", "--config"}
_BOOL_FLAGS = {"--insecure", "--plaintext"}
_LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
_UNSUPPORTED = {"--core", "--port-forward", "--port-forward-namespace", "--grpc-web"}


class NoServerError(InputError):
    """No Argo CD server is configured anywhere (flags, environment, ARGOCD_OPTS, config)."""


class Secret:
    """A value that is never shown: repr and str are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class ConnectionFlags:
    """The connection flags of status, sync and doctor (None: not given)."""

    server: str | None = None
    auth_token: str | None = field(default=None, repr=False)
    insecure: bool = False
    plaintext: bool = False
    server_crt: str | None = None
    context: str | None = None
    config: str | None = None  # only from ARGOCD_OPTS, as in the argocd CLI


@dataclass(frozen=True, slots=True)
class Connection:
    """How to reach Argo CD: the base URL, TLS settings and a token with its source."""

    base_url: str  # scheme://host[:port][/root-path], no trailing slash
    token: Secret = field(repr=False)
    token_source: str
    server_source: str
    verify: bool | str = True  # False with --insecure, a CA file with --server-crt
    ca_data: str | None = field(default=None, repr=False)  # PEM from the config file
    warnings: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        """The address as messages show it: host[:port][/root-path], any user info masked."""
        return _address(self.base_url)


@dataclass
class _Layer:
    server: str | None = None
    server_source: str = ""
    token: str | None = field(default=None, repr=False)
    token_source: str = ""
    insecure: bool = False
    insecure_source: str = ""  # where `insecure` came from, for the warning
    plaintext: bool = False
    server_crt: str | None = None
    ca_data: str | None = field(default=None, repr=False)
    root_path: str = ""


def config_path(env: Mapping[str, str], home: Path) -> Path:
    """The argocd CLI's config file for this environment."""
    if env.get("ARGOCD_CONFIG_DIR"):
        return Path(env["ARGOCD_CONFIG_DIR"]) / CONFIG_FILE
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    return base / "argocd" / CONFIG_FILE


def parse_opts(text: str) -> tuple[ConnectionFlags, tuple[str, ...]]:
    """The connection flags in ARGOCD_OPTS, and warnings for flags gitops-tool cannot honour."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise InputError(f"ARGOCD_OPTS: cannot parse: {exc}") from None
    values: dict[str, Any] = {}
    warnings: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, inline = word.partition("=")
        if name in _VALUE_FLAGS:
            if eq:
                value = inline
            elif i + 1 < len(words):
                i += 1
                value = words[i]
            else:
                raise InputError(f"ARGOCD_OPTS: {name} needs a value")
            values[name[2:].replace("-", "_")] = value
        elif name in _BOOL_FLAGS:
            values[name[2:]] = inline.lower() not in ("false", "0") if eq else True
        elif name in _UNSUPPORTED:
            warnings.append(f"ARGOCD_OPTS: {name} is not supported by gitops-tool; ignored")
        i += 1
    if "argocd_context" in values:
        values["context"] = values.pop("argocd_context")
    return ConnectionFlags(**values), tuple(warnings)


def _named(items: Any, name: str, kind: str, path: Path) -> dict:
    for item in items or ():
        if isinstance(item, dict) and item.get("name" if kind != "server" else "server") == name:
            return item
    raise InputError(
        f"{path}: the context refers to {kind} {masked_url(name)!r}, which the file does not "
        "define",
        hint="run `argocd login <server>` again, or fix the file by hand",
    )


def read_config(path: Path) -> dict | None:
    """The parsed argocd config file, or None when there is none. Refuses loose modes."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if mode not in (0o600, 0o400):
        raise InputError(
            f"{path}: has mode {mode:04o}; the argocd config holds tokens and must be "
            "readable only by you (0600 or 0400), as the argocd CLI requires",
            hint=f"chmod 600 {path}",
        )
    # read as every file is (bounded, a regular file only), then parsed bounded too
    text = read_text(path, None)
    try:
        data = load_plain(text, str(path))
    except yaml.YAMLError as exc:  # report the position only: the text may hold a token
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(
            f"{path}{where}: {problem}", hint="run `argocd login <server>` to rewrite it"
        ) from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    return data


def _address(url: str) -> str:
    """`url` without its scheme, any user info (even a user name alone) masked."""
    return masked_userinfo(url).split("://", 1)[-1]


def _shown(server: dict) -> str:
    """A server entry's address as it may be printed: any credential in it masked."""
    return masked_url(str(server.get("server") or ""))


def _context_layer(data: dict, path: Path, wanted: str | None) -> _Layer:
    name = wanted or data.get("current-context") or ""
    if not name:
        return _Layer()
    contexts = data.get("contexts") or []
    context = next(
        (c for c in contexts if isinstance(c, dict) and c.get("name") == name), None
    )
    if context is None:
        known = ", ".join(str(c.get("name")) for c in contexts if isinstance(c, dict)) or "none"
        what = "--argocd-context" if wanted else "current-context"
        raise InputError(
            f"{path}: {what} {name!r} does not exist (contexts: {known})",
            hint="run `argocd context <name>` to pick one, or `argocd login <server>`",
        )
    server = _named(data.get("servers"), str(context.get("server", "")), "server", path)
    user = _named(data.get("users"), str(context.get("user", "")), "user", path)
    ca_data = None
    if server.get("certificate-authority-data"):
        try:
            ca_data = base64.b64decode(server["certificate-authority-data"]).decode()
        except (ValueError, UnicodeDecodeError):
            raise InputError(
                f"{path}: server {_shown(server)!r}: certificate-authority-data is "
                "not base64 PEM"
            ) from None
    source = f"context {name!r} in {path}"
    return _Layer(
        server=str(server.get("server") or "") or None,
        server_source=source,
        token=str(user.get("auth-token") or "") or None,
        token_source=source,
        insecure=bool(server.get("insecure")),
        insecure_source=f"insecure: true for server {_shown(server)!r} in {path}",
        plaintext=bool(server.get("plain-text")),
        ca_data=ca_data,
        root_path=str(server.get("grpc-web-root-path") or ""),
    )


def _apply_flags(layer: _Layer, flags: ConnectionFlags, where: str) -> _Layer:
    if flags.server:
        layer = replace(layer, server=flags.server, server_source=where + "--server",
                        root_path="")
    if flags.auth_token:
        layer = replace(layer, token=flags.auth_token.strip(),
                        token_source=where + "--auth-token")
    if flags.insecure:
        layer = replace(layer, insecure=True, insecure_source=where + "--insecure")
    if flags.plaintext:
        layer = replace(layer, plaintext=True)
    if flags.server_crt:
        layer = replace(layer, server_crt=flags.server_crt)
    return layer


def base_url(server: str, plaintext: bool, root_path: str = "") -> str:
    """`server` (host[:port], with or without scheme) as a URL without trailing slash."""
    server = server.strip()
    if "://" in server:
        scheme, rest = server.split("://", 1)
        if scheme not in ("http", "https"):
            raise InputError(f"Argo CD server {masked_userinfo(server)!r}: scheme must be https "
                             "or http")
    else:
        scheme, rest = ("http" if plaintext else "https"), server
    rest = rest.rstrip("/")
    if not rest or rest.startswith("/"):
        raise InputError(f"Argo CD server {masked_userinfo(server)!r}: no host")
    path = root_path.strip("/")
    return f"{scheme}://{rest}" + (f"/{path}" if path else "")


def refuse_credentials(server: str, source: str) -> None:
    """Refuse a server address that carries a user and password (or a token as user name,
    or a secret query): it would be printed in every message, and Argo CD takes a token.
    The message shows the address masked."""
    if problem := url_credentials(server.strip()):
        raise InputError(
            f"the Argo CD server from {source} holds {problem}: {masked_url(server.strip())!r}; "
            "gitops-tool authenticates with a token, never with credentials in the URL",
            hint="give the server as host[:port] (or a URL without user and password), and "
            "the token in ARGOCD_AUTH_TOKEN (`argocd account generate-token`) or --auth-token",
        )


def resolve_connection(
    flags: ConnectionFlags, env: Mapping[str, str], home: Path
) -> Connection:
    """Combine the config file, the environment and the flags into one Connection.

    Raises InputError (exit 2) before any request when no server or no token is found.
    """
    opts, warnings = parse_opts(env.get("ARGOCD_OPTS", ""))
    wanted_context = flags.context or opts.context
    path = Path(opts.config) if opts.config else config_path(env, home)
    data = read_config(path)
    layer = _context_layer(data, path, wanted_context) if data else _Layer()
    if data is None and wanted_context:
        raise InputError(
            f"--argocd-context {wanted_context!r}: no argocd config file at {path}",
            hint="run `argocd login <server>` first, or set ARGOCD_CONFIG_DIR",
        )
    if env.get("ARGOCD_SERVER"):
        layer = replace(layer, server=env["ARGOCD_SERVER"], server_source="ARGOCD_SERVER",
                        root_path="")
    if env.get("ARGOCD_AUTH_TOKEN"):
        layer = replace(layer, token=env["ARGOCD_AUTH_TOKEN"].strip(),
                        token_source="ARGOCD_AUTH_TOKEN")
    layer = _apply_flags(layer, opts, "ARGOCD_OPTS ")
    layer = _apply_flags(layer, flags, "")
    if not layer.server:
        raise NoServerError(
            "no Argo CD server given",
            hint="pass --server HOST, set ARGOCD_SERVER, or run `argocd login HOST`",
        )
    refuse_credentials(layer.server, layer.server_source)
    url = base_url(layer.server, layer.plaintext, layer.root_path)
    if not layer.token:
        raise InputError(
            f"no Argo CD token for {_address(url)}",
            hint="set ARGOCD_AUTH_TOKEN (e.g. `argocd account generate-token`), pass "
            "--auth-token, or run `argocd login` to store one in the argocd config",
        )
    if not all(" " <= c <= "~" for c in layer.token):
        raise InputError(
            f"the Argo CD token from {layer.token_source} holds a control or non-ASCII "
            "character; a token is printable ASCII (the value is not shown)",
            hint="copy the token again without line breaks or stray characters",
        )
    verify: bool | str = True
    if layer.server_crt:
        crt = Path(layer.server_crt)
        if not crt.is_file():
            raise InputError(f"--server-crt {crt}: no such file")
        verify = str(crt)
    if layer.insecure:
        verify = False
        warnings += (
            f"TLS verification is off ({layer.insecure_source}): the token is sent to "
            f"whoever answers at {_address(url)}",
        )
    host = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    if url.startswith("http://") and host not in _LOOPBACK:
        warnings += ("plain HTTP (--plaintext): the token crosses the network unencrypted",)
    return Connection(
        base_url=url,
        token=Secret(layer.token),
        token_source=layer.token_source,
        server_source=layer.server_source,
        verify=verify,
        ca_data=layer.ca_data if verify is True else None,
        warnings=tuple(warnings),
    )


def server_given(flags: ConnectionFlags, env: Mapping[str, str], home: Path) -> bool:
    """Whether an Argo CD server is configured at all (a flag, ARGOCD_SERVER, ARGOCD_OPTS or
    the argocd config's context), whether or not the rest (the token) is usable: promote's
    gate runs only then."""
    try:
        resolve_connection(flags, env, home)
    except InputError as exc:
        return not exc.message.startswith("no Argo CD server given")
    return True
