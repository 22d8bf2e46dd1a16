"""The git adapter (GitPython), every git call gitops-tool makes: `history` (read-only
questions: what a revision holds, a file's versions), `clone` (the clone it commits in:
status, plumbing commits, fetch, push, log) and `errors` (GitError, and `scrub`).

I/O only: the commands decide what to commit, when to retry and what a conflict is; this
turns git's answers and errors into data and GitError, with credentials scrubbed from every
message.
"""
