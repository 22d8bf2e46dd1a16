"""The shared core: names, YAML parsing, loading messages and hints, URLs, redaction, wording."""
