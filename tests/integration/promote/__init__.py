"""promote, rollback, history, diff and sync's git check on real repositories with bare
remotes: the gate, pushes that lose nothing, confirmation, the lock and Ctrl-C."""
