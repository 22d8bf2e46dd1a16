"""The promotion plan, the byte-exact edit, the gate, trailers and push answers."""
