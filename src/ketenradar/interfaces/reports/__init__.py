"""Renderers: tables with provenance (CSV, XLSX, Parquet) and self-contained HTML reports."""
