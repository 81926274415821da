"""Accounts and saved work: users with roles, sessions, the audit log, saved scenarios/BOMs.

Stored with SQLAlchemy in SQLite by default (``<data dir>/ketenradar.db``) or PostgreSQL
(``KETENRADAR_DATABASE_URL``); the schema is managed by Alembic migrations shipped in
``ketenradar.registry.migrations``.
"""
