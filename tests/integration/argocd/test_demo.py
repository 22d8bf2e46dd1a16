"""`make demo`: the fake Argo CD loaded with this repository, end to end.

The launcher runs as `make demo` runs it (`python -m tests.support.argocd.demo` in the repository),
prints its export lines, and the session of docs/argocd.md ("Try it without a cluster") is
replayed against it command by command, its output compared with the page's after
normalising what changes from run to run (port, token, times, sync id, local paths, the
commit `main` points at); a line `...` on the page stands for any number of lines. The only
change to the page's commands: a sync polls every 0.5 s instead of 2 s, to keep the test
short. Then Ctrl-C, and the launcher exits 0. Another test runs the README's `diff` and
`promote --dry-run` against the demo; a third loads the same Applications into an
in-process fake, whose traffic the swagger contract check reads.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gitops_tool.adapters.files import load_tree
from gitops_tool.commands import doctor, status, sync
from gitops_tool.errors import GitopsError
from tests.support.argocd import demo
from tests.support.repo import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

PAGE = REPO / "docs" / "argocd.md"
SESSION_MARK = "<!-- demo-session:"
NORMALISE = (
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"demo-[A-Za-z0-9_-]+"), "demo-TOKEN"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "YYYY-MM-DDTHH:MM:SSZ"),
    (re.compile(r"sync id [0-9a-f]{16}"), "sync id ID"),
    (re.compile(r"helm: \S+ v[\d.]+"), "helm: HELM"),
    (re.compile(r"git: /\S+"), "git: GIT"),
    (re.compile(r"local v[\d.]+,"), "local HELM,"),
    # a table's REVISION column: the commit `main` points at when the test runs
    (re.compile(r"(?<=  )[0-9a-f]{7}(?=  )"), "COMMIT"),
)


def normalised(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def blocks(text: str) -> list[str]:
    """The ```console blocks of a Markdown text."""
    return re.findall(r"```console\n(.*?)```", text, flags=re.S)


def commands_of(block: str) -> list[tuple[str, str]]:
    """(command, expected output) for each `$ ` line of a console block."""
    found: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif found:
            found[-1][1].append(line)
    return [(command, "\n".join(lines)) for command, lines in found]


def matches(expected: str, actual: str) -> bool:
    """Whether `actual` is `expected`, a line `...` standing for any number of lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + r"\n"
        for line in normalised(expected).splitlines()
    )
    return re.fullmatch(pattern, normalised(actual).rstrip("\n") + "\n") is not None


def _helm_or_skip() -> None:
    from gitops_tool.adapters.helm import find_helm

    try:
        find_helm()
    except GitopsError as exc:
        pytest.skip(f"doctor's session needs helm: {exc.message}")


def _clean_env(tmp_path) -> dict[str, str]:
    """The environment of a fresh terminal: no Argo CD settings, no argocd config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGOCD_")}
    env.update(ARGOCD_CONFIG_DIR=str(tmp_path / "argocd"), HOME=str(tmp_path),
               PYTHONPATH=str(REPO))
    return env


def _launch(env: dict[str, str], *args: str) -> subprocess.Popen:
    """`make demo`'s launcher, run in this repository as the Makefile runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.argocd.demo", *args], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def _banner_of(launcher: subprocess.Popen) -> list[str]:
    """The lines the launcher prints before it serves."""
    printed: list[str] = []
    while not printed or printed[-1] != "# Serving until Ctrl-C.":
        line = launcher.stdout.readline()
        assert line, f"the demo ended early: {launcher.stderr.read()}"
        printed.append(line.rstrip("\n"))
    return printed


def _interrupt(launcher: subprocess.Popen) -> str:
    """Ctrl-C in the demo's terminal; what it printed on stderr."""
    os.killpg(launcher.pid, signal.SIGINT)
    try:
        _, stderr = launcher.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, signal.SIGKILL)
        raise
    return stderr


def test_the_demo_session_of_the_docs_replays_against_make_demo(tmp_path):
    _helm_or_skip()
    page = PAGE.read_text()
    started, session = blocks(page[: page.index(SESSION_MARK)])[-1], \
        blocks(page[page.index(SESSION_MARK):])[0]
    (make_demo, banner), = commands_of(started)
    assert make_demo == "make demo"
    env = _clean_env(tmp_path)
    launcher = _launch(env)
    try:
        printed = _banner_of(launcher)
        assert matches(banner, "\n".join(printed)), "\n".join(printed)
        exports = [line for line in printed if line.startswith("export ")]
        assert [line.split("=", 1)[0] for line in exports] == [
            "export ARGOCD_SERVER", "export ARGOCD_AUTH_TOKEN", "export ARGOCD_OPTS"]
        env.update(line[len("export "):].split("=", 1) for line in exports)
        assert env["ARGOCD_OPTS"] == "--plaintext"

        for command, expected in commands_of(session):
            args = shlex.split(command)
            assert args[0] == "gitops-tool", command
            if args[1] == "sync" and "--dry-run" not in args:
                args += ["--interval", "0.5"]
            done = subprocess.run(
                [sys.executable, "-m", "gitops_tool", *args[1:]], cwd=REPO, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
            )
            assert done.returncode == 0, f"$ {command}\n{done.stdout}"
            # A checkout without a remote (not a clone of the GitOps repository) makes sync
            # warn that it cannot compare with what Argo CD deploys: not part of the page.
            shown = "".join(line for line in done.stdout.splitlines(keepends=True)
                            if not (line.startswith("warning: ") and "without a remote" in line))
            assert matches(expected, shown), f"$ {command}\n{done.stdout}"
    finally:
        stderr = _interrupt(launcher)
    assert launcher.returncode == 0, stderr
    assert stderr.rstrip().endswith("demo: stopped")
    assert "GET /api/v1/applications" in stderr  # it logs each request, as a dev server


def test_diff_and_promote_dry_run_of_the_readme_work_against_make_demo(tmp_path):
    """dev tracks a branch: the demo reports the commit that branch points at in the
    repository, which the clone has, so the README's day-to-day commands answer (before,
    a made-up commit stopped both at exit 2). A clone of the committed repository keeps
    promote's clean-tree check independent of this checkout's edits."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    env = _clean_env(tmp_path)
    launcher = _launch(env, "--quiet", "--repo", str(clone))
    try:
        env.update(line[len("export "):].split("=", 1)
                   for line in _banner_of(launcher) if line.startswith("export "))
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, check=True, text=True,
                              capture_output=True).stdout.strip()
        for command in (["diff", "dev", "staging"], ["promote", "dev", "staging", "--dry-run"]):
            done = subprocess.run(
                [sys.executable, "-m", "gitops_tool", *command, "-o", "json"], cwd=clone,
                env=env, capture_output=True, text=True, timeout=120)
            shown = f"$ gitops-tool {' '.join(command)}\n{done.stdout}{done.stderr}"
            assert done.returncode in (0, 1), shown  # 1: diff found differences
            result = json.loads(done.stdout)
            assert "error" not in result, shown
            assert {c["new_revision"] for c in result["changes"]} == {head}, shown
    finally:
        _interrupt(launcher)
    assert launcher.returncode == 0


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_ctrl_c_under_make_stops_the_demo_cleanly_and_only_make_complains(tmp_path):
    """The Makefile's demo recipe, without its set-up prerequisites (which would build a
    venv), under make in a terminal's process group: Ctrl-C reaches make and the launcher
    alike. The launcher stops cleanly; make ends on the signal, as docs/argocd.md says."""
    recipe = re.search(r"^demo: .*\n(\t.*)\n", (REPO / "Makefile").read_text(), flags=re.M)
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"BIN := {Path(sys.executable).parent}\ndemo:\n{recipe.group(1)} "
                        "--quiet\n")
    env = {**_clean_env(tmp_path), "PYTHONPATH": str(REPO)}
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-C", str(REPO), "-f", str(makefile), "demo"],
        env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    _banner_of(make)
    stderr = _interrupt(make)
    assert "demo: stopped" in stderr and "Traceback" not in stderr, stderr
    assert make.returncode in (0, -signal.SIGINT, 2, 130), stderr
    page = PAGE.read_text()
    assert "That line is make's own" in page and "harmless" in page


def test_make_demo_runs_the_launcher():
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^demo: \$\(STAMP\)", makefile, flags=re.M)  # sets up .venv first
    assert "\t@$(BIN)/python -m tests.support.argocd.demo\n" in makefile


@pytest.mark.timeout(60)
def test_the_demo_applications_are_what_render_writes_and_speak_swagger(fake, runtime,
                                                                        tmp_path):
    """In process, on the contract-checked fake: everything the demo loads is served as
    swagger.json says, and status, sync and doctor find it complete."""
    tree = load_tree(REPO)
    assert demo.load(fake, tree) == 3 * (1 + 15)
    assert status.run(status.StatusOptions(REPO, "prod"), runtime).exit_code == 0
    planned = sync.run(sync.SyncOptions(REPO, "staging", dry_run=True), runtime)
    assert planned.outcome is sync.SyncOutcome.PLANNED
    assert all(row.ok for row in planned.observed)
    prod = {app.name: app for app in fake.apps.values() if app.name.startswith("prod-")}
    assert prod["prod-cns-service"].target_revision == tree.environment("prod").revision
    assert prod["prod-root"].target_revision == "main"
    done = sync.run(sync.SyncOptions(REPO, "dev", apps=("cns-service",), interval=1), runtime)
    assert done.outcome is sync.SyncOutcome.DONE, done
    checks = doctor.run(doctor.DoctorOptions(REPO, "dev"), runtime).checks
    assert [c.name for c in checks if not c.ok] in ([], ["helm"], ["helm", "helm major version"])
    assert demo.exports(fake, "tok") == [
        f"export ARGOCD_SERVER=127.0.0.1:{fake.port}", "export ARGOCD_AUTH_TOKEN=tok",
        "export ARGOCD_OPTS=--plaintext"]
