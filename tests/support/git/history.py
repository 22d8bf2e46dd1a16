"""Real git history for tests: commits with the dates a test chooses.

    repo = GitHistory(root)            # git init, a test identity
    repo.commit("dev: api 2.0.0", when=datetime(2026, 1, 2, tzinfo=UTC))

Each commit takes every change in the work tree; its author and committer dates are
`when` (GIT_AUTHOR_DATE and GIT_COMMITTER_DATE), so code that reads dates from history
can be tested against known answers.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path


class GitHistory:
    def __init__(self, root: Path, branch: str = "main") -> None:
        self.root = root
        self.git("init", "-q", "-b", branch)
        self.git("config", "user.email", "test@example.test")
        self.git("config", "user.name", "Test")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True,
            # no user config; an empty file of ours, never /dev/null, which a `git config
            # --global` would replace with a file by renaming over it
            env={**os.environ, "GIT_CONFIG_GLOBAL": str(self.root.parent / ".gitconfig-test"),
                 "GIT_CONFIG_NOSYSTEM": "1", **(env or {})},
        )
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    def commit(self, message: str, when: datetime) -> str:
        """Commit everything in the work tree at `when`; the new commit's full SHA."""
        stamp = when.isoformat()
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message,
                 env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
        return self.git("rev-parse", "HEAD")

    def set_pin(self, env: str, service: str, tag: str) -> None:
        """Set `releases.<service>.image` in environments/<env>.yaml."""
        path = self.root / "environments" / f"{env}.yaml"
        text = path.read_text()
        pattern = rf"(\n  {re.escape(service)}:\n    image: )\"[^\"]*\""
        new, count = re.subn(pattern, rf'\g<1>"{tag}"', text)
        assert count == 1, f"no pin for {service} in {path}"
        path.write_text(new)

    def set_revision(self, env: str, revision: str) -> None:
        """Set `source.revision` in environments/<env>.yaml."""
        path = self.root / "environments" / f"{env}.yaml"
        new, count = re.subn(r"(\n  revision: )\S+", rf"\g<1>{revision}", path.read_text())
        assert count == 1
        path.write_text(new)
