"""The Argo CD connection options shared by status, sync and doctor, and the runtime those
commands get (the real one, or the one a test passes in the Typer context)."""

from dataclasses import replace
from typing import Any

import typer

from gitops_tool.cli.app import err, options_of

_PANEL = "Argo CD connection"
SERVER = typer.Option(None, "--server", help="Argo CD server (host[:port], or a URL).",
                      rich_help_panel=_PANEL)
AUTH_TOKEN = typer.Option(None, "--auth-token", help="Argo CD token (prefer ARGOCD_AUTH_TOKEN).",
                          rich_help_panel=_PANEL)
INSECURE = typer.Option(False, "--insecure", help="Skip TLS certificate verification.",
                        rich_help_panel=_PANEL)
PLAINTEXT = typer.Option(False, "--plaintext", help="Use plain HTTP instead of TLS.",
                         rich_help_panel=_PANEL)
SERVER_CRT = typer.Option(None, "--server-crt", help="CA certificate (PEM) of the server.",
                          rich_help_panel=_PANEL)
CONTEXT = typer.Option(None, "--argocd-context", help="Context of the argocd config to use.",
                       rich_help_panel=_PANEL)


def flags(server: str | None, auth_token: str | None, insecure: bool, plaintext: bool,
          server_crt: str | None, context: str | None) -> Any:
    """The connection flags as given on the command line (the rest comes from the
    environment and the argocd config file)."""
    from gitops_tool.adapters.argocd.config import ConnectionFlags

    return ConnectionFlags(server=server, auth_token=auth_token, insecure=insecure,
                           plaintext=plaintext, server_crt=server_crt, context=context)


def runtime(ctx: typer.Context, **changes: Any) -> Any:
    """The Argo CD commands' runtime, warning on stderr, with `changes` applied."""
    from gitops_tool.adapters.argocd.runtime import Runtime

    base = options_of(ctx).runtime or Runtime()
    return replace(base, **{"warn": err, **changes})
