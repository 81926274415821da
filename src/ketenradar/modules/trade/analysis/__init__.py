"""Analyses: pure functions from datasets and parameters to tables (no I/O, no UI)."""
