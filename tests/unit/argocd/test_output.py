"""Progress lines: one live line on a terminal, plain lines per change otherwise."""

from __future__ import annotations

import io

from gitops_tool.cli.sync import _ProgressDisplay
from gitops_tool.commands.sync import Progress
from gitops_tool.output.sync import progress_changes, progress_line

FIRST = Progress("wave 20 (control-plane)", (
    ("dev-api", "done", "Synced and Healthy"),
    ("dev-worker", "waiting", "operation Running"),
    ("dev-jobs", "waiting", "health Progressing"),
))
SECOND = Progress("wave 20 (control-plane)", (
    ("dev-api", "done", "Synced and Healthy"),
    ("dev-worker", "waiting", "health Progressing"),
    ("dev-jobs", "waiting", "health Progressing"),
))


def test_progress_line_summarises_a_wave():
    assert progress_line(FIRST) == (
        "wave 20 (control-plane): 1/3 done; dev-worker: operation Running (+1 more)")


def test_progress_changes_lists_only_what_changed():
    seen = {name: reason for name, _, reason in FIRST.apps}
    assert progress_changes(seen, SECOND) == [
        "wave 20 (control-plane): dev-worker: health Progressing"]
    assert len(progress_changes({}, FIRST)) == 3


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_rewritten_line(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    display = _ProgressDisplay()
    display(FIRST)
    display(SECOND)
    display.close()
    text = terminal.getvalue()
    assert text.count("\r\x1b[2K") == 2 and text.endswith("\n") and text.count("\n") == 1
    assert text.rstrip().endswith("dev-worker: health Progressing (+1 more)")
