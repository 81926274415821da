"""The input-output analyses: pure functions over an IOTable (no store, no files)."""
