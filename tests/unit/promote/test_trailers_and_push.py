"""Trailers read back from messages; `git push` answers classified (a Kargo-style table);
credentials scrubbed from git's messages; history entries from commits."""

from __future__ import annotations

import pytest

from gitops_tool.adapters.git.errors import scrub
from gitops_tool.core.promote import trailers as t
from gitops_tool.core.promote.history import Version, history_entry
from gitops_tool.core.promote.push import PushOutcome, classify_push, remote_messages
from gitops_tool.core.promote.versions import Pin, Versions

MESSAGE = """promote staging -> prod: 1 service

Gitops-Tool-Mentioned: in the body, not a trailer

- api: 1.0 -> 2.0

Gitops-Tool-Promotion: prod-20260101T000000Z-abcdef
Gitops-Tool-Environment: prod
Gitops-Tool-Gate: skipped: INC-1 hotfix
Gitops-Tool-Gate-Skipped: INC-1 hotfix
"""


def test_trailers_come_from_the_last_paragraph_only():
    found = t.parse_trailers(MESSAGE)
    assert found[t.PROMOTION] == ["prod-20260101T000000Z-abcdef"]
    assert found[t.GATE] == ["skipped: INC-1 hotfix"]
    assert "Gitops-Tool-Mentioned" not in found
    assert t.is_ours(found) and not t.is_ours(t.parse_trailers("fix typo\n\nSigned-off-by: x"))
    assert t.parse_trailers("one line only") == {}


def test_a_trailer_value_is_one_line():
    assert t.trailer_lines([(t.GATE, t.gate_value("skipped", "two\nlines  here"))]) == [
        "Gitops-Tool-Gate: skipped: two lines here"]
    assert t.gate_value("passed") == "passed"


REJECTED = "To origin\n!\trefs/heads/main:refs/heads/main\t[rejected] ({})\nDone\n"
REMOTE_REJECTED = "To origin\n!\trefs/heads/main:refs/heads/main\t[remote rejected] ({})\nDone\n"


@pytest.mark.parametrize(
    ("status", "stdout", "stderr", "outcome"),
    [
        (0, "To o\n \trefs/heads/main:refs/heads/main\t1111111..2222222\nDone\n", "",
         PushOutcome.PUSHED),
        (0, "To o\n*\trefs/heads/x:refs/heads/x\t[new branch]\nDone\n", "", PushOutcome.PUSHED),
        (0, "To o\n=\trefs/heads/main:refs/heads/main\t[up to date]\nDone\n", "",
         PushOutcome.UP_TO_DATE),
        (1, REJECTED.format("fetch first"), "error: failed to push some refs",
         PushOutcome.MOVED),
        (1, REJECTED.format("non-fast-forward"), "", PushOutcome.MOVED),
        (1, REJECTED.format("stale info"), "", PushOutcome.MOVED),
        (1, REMOTE_REJECTED.format("failed to update ref"),
         "remote: error: cannot lock ref 'refs/heads/main': is at 1 but expected 2",
         PushOutcome.MOVED),
        (1, REMOTE_REJECTED.format("incorrect old value provided"), "", PushOutcome.MOVED),
        (1, REMOTE_REJECTED.format("pre-receive hook declined"), "remote: protected branch",
         PushOutcome.REFUSED),
        (1, REMOTE_REJECTED.format("protected branch hook declined"), "", PushOutcome.REFUSED),
        (128, "", "fatal: unable to access 'http://***@h/r.git/': Failed to connect to h port "
         "80: Connection refused", PushOutcome.UNREACHABLE),
        (128, "", "fatal: Could not read from remote repository.", PushOutcome.UNREACHABLE),
        (128, "", "ssh: Could not resolve hostname h: Name or service not known\nfatal: Could "
         "not read from remote repository.", PushOutcome.UNREACHABLE),
        (1, "", "error: src refspec nope does not match any", PushOutcome.FAILED),
    ],
)
def test_push_answers_are_classified(status, stdout, stderr, outcome):
    assert classify_push(status, stdout, stderr).outcome is outcome


@pytest.mark.parametrize(
    ("status", "stdout", "stderr", "outcome"),
    [
        # a hook that refuses and happens to say "non-fast-forward" or "cannot lock ref":
        # the ref line says refused, and it decides
        (1, REMOTE_REJECTED.format("pre-receive hook declined"),
         "remote: rejected: non-fast-forward merges are not allowed on main\n"
         "error: failed to push some refs", PushOutcome.REFUSED),
        (1, REMOTE_REJECTED.format("pre-receive hook declined"),
         "remote: cannot lock ref for the release train, ask #deploy", PushOutcome.REFUSED),
        # the remote moved, whatever else stderr says (a flaky connection's words)
        (1, REJECTED.format("fetch first"), "fatal: the remote end hung up unexpectedly",
         PushOutcome.MOVED),
        (1, REMOTE_REJECTED.format("cannot lock ref 'refs/heads/main': is at 1 but expected 2"),
         "", PushOutcome.MOVED),
        # the ref line says it landed: pushed, even when git exits non-zero for another reason
        (1, "To o\n \trefs/heads/main:refs/heads/main\t1111111..2222222\nDone\n",
         "error: failed to push some refs (connection reset)", PushOutcome.PUSHED),
        # a ref the remote could not report on is a failure, not a refusal or a move
        (1, "To o\n!\trefs/heads/main:refs/heads/main\t[remote failure] (remote failed to "
         "report status)\nDone\n", "fatal: early EOF", PushOutcome.FAILED),
        (1, REJECTED.format("needs force"), "", PushOutcome.REFUSED),
    ],
)
def test_the_ref_line_decides_before_stderr(status, stdout, stderr, outcome):
    assert classify_push(status, stdout, stderr).outcome is outcome


def test_the_remotes_own_lines_are_kept():
    assert remote_messages("remote: main is protected\nremote: \nTo x\n") == [
        "main is protected"]


@pytest.mark.parametrize(
    "text",
    ["fatal: unable to access 'https://bot:s3cr3t-SENTINEL@git.example.org/r.git/': 403",
     "https://ghp_SENTINELtoken@github.com/o/r.git", "ssh://git:SENTINEL@host:22/r.git"],
)
def test_credentials_in_urls_are_scrubbed(text):
    assert "SENTINEL" not in scrub(text)
    assert "***@" in scrub(text)


def test_a_known_secret_is_scrubbed_anywhere():
    assert scrub("token=SENTINEL-x in the message", ["SENTINEL-x"]) == "token=*** in the message"


def test_history_entries():
    before = Version(Versions("a" * 40, {"api": Pin("1.0")}))
    after = Version(Versions("b" * 40, {"api": Pin("2.0")}))
    entry = history_entry("c" * 40, "Pat <p@x>", "2026-01-01T00:00:00Z", MESSAGE, before, after)
    assert entry is not None and entry.kind == "promotion"
    assert entry.promotion_id == "prod-20260101T000000Z-abcdef"
    assert [(m.service, m.old_image, m.new_image) for m in entry.moves] == [("api", "1.0", "2.0")]
    assert history_entry("d" * 40, "P", "t", "replicas", before, before) is None
    edit = history_entry("d" * 40, "P", "t", "by hand", before, after)
    assert edit is not None and edit.kind == "edit"
    rollback = history_entry("e" * 40, "P", "t", "rollback\n\nGitops-Tool-Promotion: x\n"
                             "Gitops-Tool-Rollback-Of: y", after, before)
    assert rollback is not None and rollback.kind == "rollback" and rollback.rollback_of == "y"


def test_history_shows_a_pin_added_as_coming_from_none():
    from gitops_tool.commands.history import HistoryResult
    from gitops_tool.output.history import history_text

    before = Version(Versions("a" * 40, {"api": Pin("1.0")}))
    after = Version(Versions("a" * 40, {"api": Pin("1.0"), "billing": Pin("0.1.0")}))
    entry = history_entry("f" * 40, "Pat <p@x>", "2026-01-01T00:00:00Z", "add billing",
                          before, after)
    assert entry is not None and entry.kind == "edit"
    text = history_text(HistoryResult("prod", (entry,), False))
    assert "    billing: (none) -> 0.1.0" in text.splitlines()
    assert "None" not in text.replace("(none)", "")


def test_history_says_which_versions_it_did_not_read():
    """A version past the YAML bounds (an alias bomb committed, then reverted) moves
    nothing it can show: the commit that wrote it says it was not read, and the commit after
    it is an edit whose earlier version was not read, never 'file created'."""
    from gitops_tool.commands.history import HistoryResult
    from gitops_tool.output.history import history_text

    good = Version(Versions("a" * 40, {"api": Pin("1.0")}))
    bomb = Version(None, "environments/prod.yaml:3:1: its aliases reach more than 100,000 nodes")
    wrote = history_entry("1" * 40, "P", "t", "a bomb", good, bomb)
    reverted = history_entry("2" * 40, "P", "t", "revert", bomb, good)
    assert wrote is not None and wrote.kind == "not read" and wrote.moves == ()
    assert reverted is not None and reverted.kind == "edit" and reverted.moves == ()
    text = history_text(HistoryResult("prod", (reverted, wrote), False))
    assert "a version gitops-tool does not read: environments/prod.yaml:3:1" in text
    assert "edited by hand (the version before it was not read: " in text
    assert "file created" not in text and "source.revision" not in text
    back = history_entry("3" * 40, "P", "t", "rollback\n\nGitops-Tool-Promotion: x\n"
                         "Gitops-Tool-Rollback-Of: y", bomb, good)
    assert back is not None and back.kind == "rollback" and back.old_revision == ""


@pytest.mark.parametrize(
    "url",
    ["https://github.com/ananta-platform/ananta-gitops.git",
     "https://bot:tok@github.com/ananta-platform/ananta-gitops",
     "git@github.com:ananta-platform/ananta-gitops.git",
     "ssh://git@github.com:22/ananta-platform/ananta-gitops.git/"],
)
def test_spellings_of_one_repository_compare_equal(url):
    from gitops_tool.commands.gate import same_repository_key

    assert same_repository_key(url) == "github.com/ananta-platform/ananta-gitops"
