"""Settings of the web application, read from the environment with embedded defaults.

=================================  ==========================================================
``KETENRADAR_DATABASE_URL``        accounts and saved work (SQLAlchemy URL); default SQLite
                                   ``<data dir>/ketenradar.db``; PostgreSQL e.g.
                                   ``postgresql+psycopg://user@127.0.0.1:5432/ketenradar``
``KETENRADAR_READ_REQUIRES_LOGIN`` ``1``/``true``: every page and API call needs a login
                                   (default: reading is open, writing needs a role)
``KETENRADAR_SECRET_KEY``          signs CSRF tokens; default: a random key kept in
                                   ``<data dir>/secret_key`` (created on first start)
``KETENRADAR_SECURE_COOKIES``      ``1``: cookies only over HTTPS (set behind a TLS proxy)
``KETENRADAR_DATA_DIR``            the data store (datasets, derived facts, the SQLite file)
=================================  ==========================================================
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ketenradar.config import default_data_dir
from ketenradar.errors import UsageError

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    v = raw.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise UsageError(f"{name}={raw!r} is not a yes/no setting (use 1/0, true/false)")


@dataclass(frozen=True)
class WebSettings:
    """Everything the web application is configured with."""

    data_dir: Path
    database_url: str
    read_requires_login: bool
    secret_key: str
    secure_cookies: bool

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> WebSettings:
        """The settings from the environment (and defaults under ``data_dir``)."""
        root = Path(data_dir) if data_dir else default_data_dir()
        url = os.environ.get("KETENRADAR_DATABASE_URL") or f"sqlite:///{root / 'ketenradar.db'}"
        key = os.environ.get("KETENRADAR_SECRET_KEY") or _stored_secret(root)
        return cls(
            data_dir=root,
            database_url=url,
            read_requires_login=_flag("KETENRADAR_READ_REQUIRES_LOGIN", False),
            secret_key=key,
            secure_cookies=_flag("KETENRADAR_SECURE_COOKIES", False),
        )


def _stored_secret(root: Path) -> str:
    path = root / "secret_key"
    if path.exists():
        return path.read_text().strip()
    root.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key)
    tmp.chmod(0o600)
    tmp.replace(path)
    return key
