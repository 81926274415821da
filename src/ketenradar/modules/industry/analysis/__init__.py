"""Pure computations of the industry module (no store, no I/O beyond the tables given)."""
