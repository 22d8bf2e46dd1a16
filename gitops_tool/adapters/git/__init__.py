"""The git adapter (GitPython): every git call gitops-tool makes. I/O only: the commands
decide what to commit, when to retry and what a conflict is; this turns git's answers and
errors into data and GitError, with credentials scrubbed from every message.

- `history`: read-only questions about commits (what a revision holds, a file's versions);
- `clone`: the clone gitops-tool commits in (status, plumbing commits, fetch, push, log);
- `errors`: the errors it raises, and `scrub`.
"""
