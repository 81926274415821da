"""The materials analyses: pure functions, tables in and tables out (no store, no files)."""
