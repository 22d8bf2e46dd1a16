"""Commands: one module per verb, `run(options, ...) -> Result` with its `exit_code`. They
read and write through the adapters, decide with the core, and never print."""
