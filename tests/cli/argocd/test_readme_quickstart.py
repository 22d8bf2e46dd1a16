"""The README's Quickstart, followed literally: every line of its code blocks is checked or
run, in order.

- `make X` names a target of the Makefile (running `make run`/`make test` from a fresh clone
  inside the tests would build a venv and fetch packages and helm: minutes, and the network;
  CI runs exactly those two commands on every push instead, and `make demo`'s launcher is
  run end to end by tests/integration/argocd/test_demo.py).
- `.venv/bin/gitops-tool --help` runs this venv's console script: it starts and prints usage.
- `source .venv/bin/activate` is there to source; `pipx install .` installs the console
  script pyproject.toml declares (tests/integration/packaging builds the package).
- Every `gitops-tool ...` line runs, in order, on a copy of this repository; the Argo CD
  ones against the fake loaded as `make demo` loads it, with the exports it prints: each
  exits 0, and `status dev` prints the environment.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.adapters.files import load_tree
from gitops_tool.cli import app
from gitops_tool.cli.app import GlobalOptions
from tests.support.argocd import demo
from tests.support.argocd.fixtures import ANSWERING
from tests.support.repo import REPO, copy_tree

pytestmark = pytest.mark.timeout(300)
ARGO_VERBS = ("status", "sync", "doctor")


def quickstart_lines() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Quickstart"):]
    section = section[:section.index("\n## ", 1)]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command and not command.startswith("#"):
                lines.append(command)
    return lines


def test_the_quickstart_has_the_steps_a_newcomer_needs():
    lines = quickstart_lines()
    assert lines[:2] == ["make run", "make test"]
    assert ".venv/bin/gitops-tool --help" in lines
    assert lines.index("make demo") < lines.index("gitops-tool status dev")
    assert len((REPO / "README.md").read_bytes()) < 10_000


def test_the_quickstart_followed_literally(tmp_path, fake, clock, monkeypatch):
    copy = copy_tree(tmp_path / "repo")
    monkeypatch.chdir(copy)
    token = "demo-quickstart-token"
    fake.token_hash = None  # the fake takes any token, as the demo takes its own
    demo.load(fake, load_tree(copy))
    exports = dict(line[len("export "):].split("=", 1) for line in demo.exports(fake, token))
    env = {**exports, "ARGOCD_CONFIG_DIR": str(tmp_path / "argocd"), "HOME": str(tmp_path)}
    runtime = Runtime(env=env, home=tmp_path, clock=clock, policy=ANSWERING, new_id=lambda: "qs")
    makefile = (REPO / "Makefile").read_text()
    bin_dir = Path(sys.executable).parent
    outputs = {}
    for line in quickstart_lines():
        args = shlex.split(line)
        if args[0] == "make":
            assert re.search(rf"^{args[1]}:", makefile, flags=re.M), line
        elif args[0] == ".venv/bin/gitops-tool":
            script = bin_dir / "gitops-tool"
            if not script.is_file():
                pytest.skip(f"no console script beside {sys.executable}")
            done = subprocess.run([str(script), *args[1:]], capture_output=True, text=True,
                                  timeout=60)
            assert done.returncode == 0 and done.stdout.startswith("Usage: gitops-tool")
        elif args[:2] == ["source", ".venv/bin/activate"]:
            assert (bin_dir / "activate").is_file() or not (REPO / ".venv").exists()
        elif args[:2] == ["pipx", "install"]:
            pyproject = (REPO / "pyproject.toml").read_text()
            assert 'gitops-tool = "gitops_tool.cli:main"' in pyproject
        elif args[0] == "gitops-tool":
            if args[1] == "validate" and "--no-helm" not in args:
                from gitops_tool.adapters.helm import find_helm

                find_helm()  # the Quickstart says validate needs helm: `make test` fetched it
            obj = GlobalOptions(runtime=runtime if args[1] in ARGO_VERBS else None)
            result = CliRunner().invoke(app, args[1:], obj=obj)
            assert result.exit_code == 0, f"$ {line}\n{result.stdout}\n{result.stderr}"
            outputs[line] = result.stdout
        else:
            pytest.fail(f"the Quickstart has a line this test does not know: {line}")
    assert "dev: 15 of 15 applications Synced and Healthy at main" in outputs[
        "gitops-tool status dev"]
    assert outputs["gitops-tool sync dev"].startswith("dev: synced dev-root and 15 applications")
