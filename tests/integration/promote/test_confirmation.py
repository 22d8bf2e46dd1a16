"""The terminal confirmation of promote and rollback: "n" and end of input (Ctrl-D) decline
(exit 1), Ctrl-C interrupts (130 at the CLI); neither commits nor changes the checkout.
Driven through the real prompt, reading what the person types from a stand-in stdin."""

from __future__ import annotations

import io
import sys

import pytest

from gitops_tool.adapters.argocd.runtime import Runtime
from gitops_tool.cli.promote import confirm_on_terminal
from gitops_tool.commands import promote
from gitops_tool.output import promote as promote_output
from tests.support.git import repos as g
from tests.support.git.clones import Repo


def promote_answering(repo: Repo, answer) -> promote.PromoteResult:
    return promote.run(
        promote.PromoteOptions(repo.work, "staging", "prod", push=True, interactive=True),
        promote.PromoteDeps(runtime=Runtime(env={}, home=repo.home),
                            confirm=confirm_on_terminal),
    )


class Keyboard(io.StringIO):
    """stdin as the person uses it: a line of text, end of input, or Ctrl-C."""

    def __init__(self, answer) -> None:
        super().__init__(answer + "\n" if isinstance(answer, str) else "")
        self.answer = answer

    def readline(self, *args) -> str:
        if isinstance(self.answer, BaseException):
            raise self.answer
        return super().readline(*args)


@pytest.mark.parametrize("answer", ["n", "", None], ids=["n", "enter", "ctrl-d"])
def test_no_and_end_of_input_decline(repo: Repo, monkeypatch, answer, capsys):
    head = g.head(repo.work)
    monkeypatch.setattr(sys, "stdin", Keyboard(answer))
    result = promote_answering(repo, answer)
    assert result.outcome is promote.Outcome.DECLINED and result.exit_code == 1
    assert g.head(repo.work) == head == g.head(repo.remote, "main")
    assert "Commit promote staging -> prod" in capsys.readouterr().err


def test_ctrl_c_at_the_prompt_is_an_interruption_that_commits_nothing(repo: Repo, monkeypatch):
    head = g.head(repo.work)
    monkeypatch.setattr(sys, "stdin", Keyboard(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt, match="nothing was committed"):
        promote_answering(repo, None)
    assert g.head(repo.work) == head == g.head(repo.remote, "main")
    assert g.git(repo.work, "status", "--porcelain") == ""


def test_yes_commits(repo: Repo, monkeypatch):
    monkeypatch.setattr(sys, "stdin", Keyboard("y"))
    result = promote_answering(repo, "y")
    assert result.outcome is promote.Outcome.PUSHED
    assert g.head(repo.remote, "main") == g.head(repo.work)


def test_a_branch_behind_its_remote_moves_and_a_no_says_nothing_was_committed(
    repo: Repo, monkeypatch
):
    """--push plans on the remote's head: a branch behind it is fast-forwarded first (as
    `git pull --ff-only` would). A no then commits nothing, and the result says the branch
    moved instead of "nothing was changed"."""
    other = repo.other_clone()
    (other / "NOTES.md").write_text("a change someone pushed meanwhile\n")
    g.git(other, "add", "NOTES.md")
    g.git(other, "commit", "-qm", "notes")
    g.git(other, "push", "-q", "origin", "HEAD:main")
    tip, before = g.head(other), g.head(repo.work)
    monkeypatch.setattr(sys, "stdin", Keyboard("n"))
    result = promote_answering(repo, "n")
    assert result.outcome is promote.Outcome.DECLINED
    assert g.head(repo.work) == tip != before  # moved to the remote's head, no commit of ours
    assert result.fast_forwarded == tip
    text = promote_output.text(result)
    assert f"main was behind origin/main: fast-forwarded to {tip[:12]}" in text
    assert "not confirmed: nothing was committed" in text
    assert "nothing was changed" not in text
