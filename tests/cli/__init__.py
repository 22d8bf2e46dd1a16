"""The command line through Typer's CliRunner and real child processes: exit codes, stdout,
stderr; one folder per verb family, the global options and shell completion beside them."""
