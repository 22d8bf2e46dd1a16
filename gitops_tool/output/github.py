"""GitHub Actions: workflow-command annotations and the step summary's size limit.

Strings only. What comes from outside (app names, server messages, file contents) is
escaped by the toolkit's rules (`%` `\\r` `\\n` in the message; also `:` and `,` in a
property), and `::` and `##[` in it are broken up, so a finding is always exactly one
annotation line and can never start a workflow command. Text printed between annotations
is wrapped in `::stop-commands::` with a random token, so nothing in it is read as one.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub refuses a step summary above 1 MiB
SUMMARY_BUDGET = 1_000_000  # what gitops-tool lets a step summary grow to, in bytes
ANNOTATIONS_PER_LEVEL = 10  # GitHub shows 10 errors and 10 warnings per step


def escape_data(text: str) -> str:
    """A workflow command's message, as the Actions toolkit escapes it, with `::` and `##[`
    broken up so that nothing in it reads as a command."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace("::", ": :").replace("##[", "## [")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title), as the toolkit escapes it."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C").replace("##[", "## [")


def command(name: str, message: str, properties: Mapping[str, object] | None = None) -> str:
    """One workflow-command line: `::name key=value,...::message`."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in (properties or {}).items()
        if value not in (None, "")
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def json_for_actions(text: str) -> str:
    """JSON text with each `##[` inside its strings written `##\\u005b`: the same JSON value,
    but no line of it reads as a legacy `##[command]` to the runner. (Outside strings JSON
    has no `#`; `::` cannot start a line of it, which starts with a bracket, a quote or
    spaces and a quote.)"""
    return text.replace("##[", "##\\u005b")


def stop_token() -> str:
    return f"gitops-tool-{secrets.token_hex(16)}"


def shielded(text: str, token: str | None = None) -> str:
    """`text` between `::stop-commands::TOKEN` and `::TOKEN::`: the runner reads no
    workflow command in it, whatever it holds."""
    token = token or stop_token()
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"::stop-commands::{token}\n{body}::{token}::"


def fence(text: str, info: str = "") -> str:
    """A Markdown code block around `text`, its fence longer than any run of backticks in
    it, so that nothing in it can close the block."""
    longest, run = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{ticks}{info}\n{body}{ticks}"


_MD_SPECIAL = "\\`*_[]|~"  # what formats inline text (HTML's <, >, & are escaped apart)
_MD_TABLE = str.maketrans(
    {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\r": " ", "\n": " ", "\t": " ",
     **{c: "\\" + c for c in _MD_SPECIAL}}
)


def markdown_text(text: str) -> str:
    """Text from outside as inline Markdown: one line, every special character escaped (HTML
    included), so a name can neither format the report nor inject HTML or a table cell."""
    text = str(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c in "\r\n\t" else f"\\x{ord(c):02x}"
                       for c in text)
    return text.translate(_MD_TABLE)
