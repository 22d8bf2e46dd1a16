"""The Jinja2 templates of gitops-tool's texts: commit messages, pull-request bodies and the
drift reports.

`render(name, **context)` fills `gitops_tool/templates/<name>` (shipped as package data).
Jinja2 is imported only when a text is rendered: promote, rollback, `render --commit` and
drift's reports.
"""

from __future__ import annotations

import functools
from typing import Any

from gitops_tool.core.model import is_commit


@functools.cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("gitops_tool", "templates"),
        undefined=StrictUndefined,  # a missing value is a bug, never an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # plain text and Markdown, not HTML
    )
    from gitops_tool.core.wording import agreeing, plural
    from gitops_tool.output import table
    from gitops_tool.output.github import fence, markdown_text

    environment.filters["short"] = short
    environment.filters["plural"] = plural  # {{ n | plural("finding") }}: "1 finding"
    environment.filters["agreeing"] = agreeing  # {{ n | agreeing("counts", "count") }}
    environment.filters["md"] = markdown_text  # text from outside, safe in Markdown
    environment.filters["fence"] = fence
    environment.filters["table"] = lambda rows, headers: table(headers, rows)
    return environment


def short(revision: str) -> str:
    """A commit cut to 12 characters; a branch as it is."""
    return revision[:12] if is_commit(revision) else revision


def render(name: str, **context: Any) -> str:
    """The template `name` (such as "promote/commit.txt.j2") filled with `context`."""
    return _environment().get_template(name).render(**context)
