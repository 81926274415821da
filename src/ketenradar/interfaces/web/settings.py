"""Settings of the web application: :class:`WebSettings`, built from the ``KETENRADAR_*``
settings of :mod:`ketenradar.core.settings` (listed with their defaults in
``docs/settings.md``; why the limits are there: ``docs/security.md``).

The secret key defaults to a random key kept in ``<data dir>/secret_key`` (created on first
start, readable by the owner only: :func:`_stored_secret`); the accounts database defaults to
SQLite ``<data dir>/ketenradar.db``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ketenradar.core.config import default_data_dir
from ketenradar.core.settings import Network, Settings, settings
from ketenradar.registry.service import DEFAULT_POLICY, LoginPolicy


def login_policy(current: Settings | None = None) -> LoginPolicy:
    """The sign-in limits of the settings (``KETENRADAR_LOGIN_MAX_FAILURES`` and the other
    sign-in settings; default: those in force now)."""
    s = current or settings()
    return LoginPolicy(
        max_failures=s.login_max_failures,
        client_max_failures=s.login_client_max_failures,
        window=timedelta(seconds=s.login_window),
        lockout=timedelta(seconds=s.login_lockout),
        lockout_max=timedelta(seconds=s.login_lockout_max),
        max_concurrent_hashing=s.max_concurrent_logins,
        hashing_wait=s.login_wait,
    )


@dataclass(frozen=True)
class WebSettings:
    """Everything the web application is configured with."""

    data_dir: Path
    database_url: str
    read_requires_login: bool
    secret_key: str
    secure_cookies: bool
    trusted_proxies: tuple[Network, ...] = ()
    login: LoginPolicy = DEFAULT_POLICY
    max_upload_bytes: int = 4 * 2**30
    max_bom_bytes: int = 1_000_000
    max_json_bytes: int = 1_000_000
    max_saved_bytes: int = 8_000_000

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> WebSettings:
        """The settings from the environment (:func:`ketenradar.core.settings.settings`), with
        the defaults under ``data_dir`` (default: the data dir of the settings)."""
        s = settings()
        root = Path(data_dir) if data_dir else default_data_dir()
        key = s.secret_key.get_secret_value() if s.secret_key else _stored_secret(root)
        return cls(
            data_dir=root,
            database_url=s.database_url or f"sqlite:///{root / 'ketenradar.db'}",
            read_requires_login=s.read_requires_login,
            secret_key=key,
            secure_cookies=s.secure_cookies,
            trusted_proxies=s.trusted_proxies,
            login=login_policy(s),
            max_upload_bytes=s.max_upload_bytes,
            max_bom_bytes=s.max_bom_bytes,
            max_json_bytes=s.max_json_bytes,
            max_saved_bytes=s.max_saved_bytes,
        )


def _stored_secret(root: Path) -> str:
    """The key in ``root/secret_key``, made on first use: created 0600 whatever the umask
    (never readable by others, not even for a moment), written whole under a name of its own,
    then linked into place; of processes starting together the first one's key is kept."""
    path = root / "secret_key"
    if path.exists():
        return path.read_text().strip()
    root.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    tmp = root / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if another process was first: use its key
        except FileExistsError:
            return path.read_text().strip()
        except OSError:  # a file system without hard links
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return key
