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

Sign-in (the scheme: :mod:`ketenradar.registry.service`):

========================================  ===================================================
``KETENRADAR_TRUSTED_PROXIES``            comma-separated IPs/CIDRs of reverse proxies whose
                                          ``Forwarded`` / ``X-Forwarded-For`` is believed
                                          (default: none; the client is the direct peer)
``KETENRADAR_LOGIN_MAX_FAILURES``         attempts of one (client, user name) before that
                                          pair is locked (default 5)
``KETENRADAR_LOGIN_CLIENT_MAX_FAILURES``  attempts of one client across user names before
                                          the client is locked (default 20)
``KETENRADAR_LOGIN_LOCKOUT``              seconds of the first lock (default 60); each
                                          further lock of a key twice as long …
``KETENRADAR_LOGIN_LOCKOUT_MAX``          … up to this many seconds (default 3600)
``KETENRADAR_LOGIN_WINDOW``               seconds after which a quiet key is forgotten
                                          (default 900)
``KETENRADAR_MAX_CONCURRENT_LOGINS``      Argon2 password hashes at once (64 MiB each;
                                          default 4)
``KETENRADAR_LOGIN_WAIT``                 seconds a sign-in waits for a free hashing slot
                                          before 429 with ``Retry-After`` (default 5)
========================================  ===================================================

Request bodies (checked before a byte of the body is read: by ``Content-Length``, then by
counting what arrives, chunked or not; over the limit → 413 naming the limit;
:mod:`~ketenradar.interfaces.web.guard`).
A number with a suffix K, M, G (10³, 10⁶, 10⁹) or Ki, Mi, Gi
(2¹⁰, 2²⁰, 2³⁰) bytes:

========================================  ===================================================
``KETENRADAR_MAX_UPLOAD_BYTES``           a dataset upload (``POST /api/v1/datasets``, all
                                          files together); default 4 GiB; the files stream
                                          straight into ``<data dir>/uploads``
``KETENRADAR_MAX_BOM_BYTES``              a BOM file uploaded for its exposure (API and
                                          page); default 1 MB
``KETENRADAR_MAX_JSON_BYTES``             every other request body (JSON and forms: what-if,
                                          sign-in, users, …); default 1 MB. Saving a
                                          scenario or BOM (``POST /api/v1/saved/{kind}``)
                                          may send up to 8 MB or this, whichever is larger
========================================  ===================================================

Costly computations: the what-if (:func:`ketenradar.modules.materials.web.views.run_whatif`) and the
input-output solves (:mod:`ketenradar.modules.io.blas`):

========================================  ===================================================
``KETENRADAR_MAX_CONCURRENT_WHATIF``      different what-ifs computed at once (default 2);
                                          identical ones share one computation and result
``KETENRADAR_MAX_QUEUED_WHATIF``          what-ifs waiting for a turn (default 8); beyond,
                                          429 with ``Retry-After`` (logged as a warning)
``KETENRADAR_WHATIF_CACHE_SIZE``          what-if results kept, per version of the inputs
                                          and scenario (default 64; least recently used go)
``KETENRADAR_BLAS_THREADS``               BLAS/LAPACK threads per call in the server
                                          (default 1; 0: the libraries' own, one per core)
========================================  ===================================================
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ketenradar.core.config import default_data_dir
from ketenradar.core.errors import UsageError
from ketenradar.registry.service import DEFAULT_POLICY, LoginPolicy

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


def _number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value >= minimum:  # also NaN
        raise UsageError(f"{name}={raw!r} is not a number ≥ {minimum:g}")
    return value


_SIZE_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def _bytes(name: str, default: int) -> int:
    """A size in bytes from the environment: ``1000000``, ``1M``, ``4Gi`` (at least 1)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    v = raw.strip().lower().removesuffix("b")
    digits = v.rstrip("kmgi")
    unit = v[len(digits) :]
    if not digits.isdigit() or unit not in _SIZE_UNITS or int(digits) < 1:
        raise UsageError(
            f"{name}={raw!r} is not a size in bytes (a whole number ≥ 1, optionally with K, M, "
            "G or Ki, Mi, Gi: 1000000, 1M, 4Gi)"
        )
    return int(digits) * _SIZE_UNITS[unit]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(raw: str | None) -> tuple[Network, ...]:
    """``KETENRADAR_TRUSTED_PROXIES`` parsed: comma-separated IP addresses or CIDR networks."""
    nets = []
    for part in (raw or "").split(","):
        if part.strip():
            try:
                nets.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise UsageError(
                    f"KETENRADAR_TRUSTED_PROXIES: '{part.strip()}' is not an IP address or "
                    "network (e.g. 127.0.0.1, 10.0.0.0/8, ::1)"
                ) from None
    return tuple(nets)


def login_policy() -> LoginPolicy:
    """The sign-in limits from the environment (``KETENRADAR_LOGIN_…``)."""
    d = DEFAULT_POLICY
    return LoginPolicy(
        max_failures=int(_number("KETENRADAR_LOGIN_MAX_FAILURES", d.max_failures, 1)),
        client_max_failures=int(
            _number("KETENRADAR_LOGIN_CLIENT_MAX_FAILURES", d.client_max_failures, 1)
        ),
        window=timedelta(seconds=_number("KETENRADAR_LOGIN_WINDOW", d.window.total_seconds(), 1)),
        lockout=timedelta(
            seconds=_number("KETENRADAR_LOGIN_LOCKOUT", d.lockout.total_seconds(), 1)
        ),
        lockout_max=timedelta(
            seconds=_number("KETENRADAR_LOGIN_LOCKOUT_MAX", d.lockout_max.total_seconds(), 1)
        ),
        max_concurrent_hashing=int(
            _number("KETENRADAR_MAX_CONCURRENT_LOGINS", d.max_concurrent_hashing, 1)
        ),
        hashing_wait=_number("KETENRADAR_LOGIN_WAIT", d.hashing_wait, 0),
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
            trusted_proxies=trusted_proxies(os.environ.get("KETENRADAR_TRUSTED_PROXIES")),
            login=login_policy(),
            max_upload_bytes=_bytes("KETENRADAR_MAX_UPLOAD_BYTES", 4 * 2**30),
            max_bom_bytes=_bytes("KETENRADAR_MAX_BOM_BYTES", 1_000_000),
            max_json_bytes=_bytes("KETENRADAR_MAX_JSON_BYTES", 1_000_000),
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
