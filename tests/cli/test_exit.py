"""The console script's exit, in a child process running the real entry point
(`gitops_tool.cli.main`): the output is complete, the exit code exact, and what relies on
a normal exit (atexit callbacks, running threads) gets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gitops_tool.cli import app
from tests.support.trees import small_spec, write_tree

ENTRY = """
import sys
{before}
from gitops_tool.cli import main
sys.argv = ["gitops-tool", *sys.argv[1:]]
main()
"""


def entry(*args: str, before: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    script = ENTRY.format(before=before)
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """A tree whose argocd/ is out of date in every environment: a long diff to print."""
    root = write_tree(tmp_path / "repo", small_spec())
    for env in ("dev", "staging", "prod"):
        path = root / "environments" / f"{env}.yaml"
        path.write_text(path.read_text().replace('"1.0.0"', '"1.0.1"'))
    return root


def test_a_long_output_through_a_pipe_is_complete_and_the_code_exact(drifted: Path) -> None:
    done = entry("--repo", str(drifted), "render", "--check")
    in_process = CliRunner().invoke(app, ["--repo", str(drifted), "render", "--check"])
    assert done.returncode == 1 == in_process.exit_code
    assert len(done.stdout) > 2000
    assert done.stdout == in_process.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [(("render",), 0), (("render", "--check"), 1), (("render", "qa"), 2), (("--version",), 0)],
)
def test_exit_codes_are_the_commands_own(drifted: Path, args: tuple[str, ...], code: int) -> None:
    done = entry("--repo", str(drifted), *args)
    assert done.returncode == code, done.stderr


def test_an_atexit_callback_still_runs(drifted: Path, tmp_path: Path) -> None:
    marker = tmp_path / "atexit-ran"
    before = f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).touch)"
    done = entry("--repo", str(drifted), "render", "--check", before=before)
    assert done.returncode == 1
    assert marker.exists()


def test_a_running_thread_is_waited_for(drifted: Path, tmp_path: Path) -> None:
    marker = tmp_path / "thread-finished"
    before = (
        "import threading, time, pathlib\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        f"    pathlib.Path({str(marker)!r}).touch()\n"
        "threading.Thread(target=late).start()"
    )
    done = entry("--repo", str(drifted), "render", before=before)
    assert done.returncode == 0
    assert marker.exists()


def test_a_usage_error_keeps_clicks_message_and_code() -> None:
    done = entry("render", "--no-such-flag")
    assert done.returncode == 2
    assert "No such option" in done.stderr


@pytest.mark.parametrize(
    ("closed", "args", "code"),
    [
        ("stderr", ("--version",), 0),
        ("stdout", ("render",), 0),  # render's product is files: it prints nothing on stdout
        ("stdout", ("--version",), 2),  # the version cannot be shown: the caller's doing
    ],
)
def test_a_closed_stream_does_not_change_the_exit_code(
    drifted: Path, closed: str, args: tuple[str, ...], code: int
) -> None:
    # A cron job or daemon may start the tool with a descriptor closed: Python then sets that
    # stream to None. The exit is the command's own, unless it had to write to a closed
    # stdout: then one line on stderr and exit 2 (cli/streams.py), never a traceback.
    fd = 1 if closed == "stdout" else 2
    argv = ["gitops-tool", "--repo", str(drifted), *args]
    inner = f"import sys; sys.argv = {argv!r}; from gitops_tool.cli import main; main()"
    script = (
        f"import os, subprocess, sys; os.close({fd}); "
        f"sys.exit(subprocess.call([sys.executable, '-c', {inner!r}], close_fds=False))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if code:
        assert done.stderr.startswith("error: stdout is closed")


def test_ctrl_c_during_the_interpreters_exit_ends_it_without_a_traceback(drifted: Path) -> None:
    """Ctrl-C landing while the interpreter exits (here: inside an atexit callback, where
    logging's shutdown or a thread pool's join runs) ends the process as the signal does:
    the command's output is complete, and no "Exception ignored in atexit callback"."""
    before = ("import atexit, os, signal\n"
              "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              "atexit.register(lambda: os.kill(os.getpid(), signal.SIGINT))")
    done = entry("--repo", str(drifted), "render", "--check", before=before)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == -2  # SIGINT's own end
    assert len(done.stdout) > 2000  # printed in full before


def test_a_bug_exits_70_with_its_traceback_never_1(drifted: Path) -> None:
    """An unexpected exception is a bug, not a finding: CI must not read it as drift or
    findings (exit 1). The traceback is printed (to report it), then one error line."""
    token = "ghp_" + "SENTINEL0123456789abcdefghijklmnopqrstu"  # a GitHub token's shape
    before = ("import gitops_tool.commands.render as command\n"
              "def broken(*args, **kwargs):\n"
              f"    raise ZeroDivisionError('a bug near {token}')\n"
              "command.run = broken")
    done = entry("--repo", str(drifted), "render", "--check", before=before)
    assert done.returncode == 70, done.stderr
    assert done.stderr.count("Traceback (most recent call last)") == 1, done.stderr
    assert "ZeroDivisionError: a bug near" in done.stderr
    assert "SENTINEL" not in done.stderr  # a traceback is masked as every message is
    assert done.stderr.rstrip().splitlines()[-2] == \
        "error: internal error in gitops-tool (the traceback above)"
