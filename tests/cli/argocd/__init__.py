"""status, sync and doctor on the command line against the fake Argo CD, `-o json` of every
command, and the README's quickstart."""
