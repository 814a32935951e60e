"""affordd's model tool-chain."""
