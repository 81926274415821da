"""Every setting of ketenradar in one place: the ``KETENRADAR_*`` environment variables.

:class:`Settings` holds one field per setting, each with its default and a description;
``docs/settings.md`` is generated from it (``python -m ketenradar.core.settings --markdown``).
Code reads the settings through :func:`settings`, which validates the environment as it is at
the moment of the call (cached while the ``KETENRADAR_*`` variables stay the same), so a
changed variable takes effect at the next use. An unset or blank variable means the default;
an invalid value raises :class:`~ketenradar.core.errors.UsageError` naming the variable, the
value and what it should be (every invalid variable at once).

Formats: a size in bytes is a whole number with an optional suffix K, M, G (10³, 10⁶, 10⁹)
or Ki, Mi, Gi (2¹⁰, 2²⁰, 2³⁰): ``1000000``, ``1M``, ``4Gi``; a yes/no setting takes
``1``/``0``, ``true``/``false``, ``yes``/``no``, ``on``/``off``; whole numbers may group
digits with ``_`` (``20_000_000``).
"""

from __future__ import annotations

import functools
import ipaddress
import math
import os
import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ketenradar.core.errors import UsageError

PREFIX = "KETENRADAR_"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The sections of ``docs/settings.md``, in order: key -> title.
SECTIONS = {
    "paths": "Where things live",
    "web": "Web application",
    "login": "Sign-in",
    "bodies": "Request bodies",
    "compute": "Computations, caches and pages",
    "files": "Reading files",
    "cli": "Command line",
    "methods": "Method thresholds",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SIZE_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def env_name(field: str) -> str:
    """The environment variable of the setting ``field``: ``max_json_bytes`` ->
    ``KETENRADAR_MAX_JSON_BYTES``."""
    return PREFIX + field.upper()


def _default(info: ValidationInfo) -> Any:
    return Settings.model_fields[info.field_name or ""].default


# -- the formats: each parser takes the raw value (a string from the environment, or a value
# given in code) and raises ValueError with what the value should be ---------------------------


def _flag(value: Any) -> bool:
    """A yes/no setting."""
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError("is not a yes/no setting (use 1/0, true/false)")


def _debug_flag(value: Any) -> bool:
    """On unless empty, ``0``, ``false``, ``no`` or ``off`` (anything else asks for it)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("", *_FALSE)


def _size(value: Any) -> int:
    """A size in bytes: ``1000000``, ``1M``, ``4Gi`` (at least 1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        v = str(value).strip().lower().replace("_", "").removesuffix("b")
        digits = v.rstrip("kmgi")
        unit = v[len(digits) :]
        ok = digits.isascii() and digits.isdigit() and unit in _SIZE_UNITS
        n = int(digits) * _SIZE_UNITS[unit] if ok else 0
    if n < 1:
        raise ValueError(
            "is not a size in bytes (a whole number ≥ 1, optionally with K, M, G or Ki, Mi, "
            "Gi: 1000000, 1M, 4Gi)"
        )
    return n


def _count(value: Any, info: ValidationInfo) -> int:
    """A whole number above 0 (digits may be grouped with ``_``)."""
    try:
        n = value if isinstance(value, int) else int(str(value).strip().replace("_", ""))
    except ValueError:
        n = 0
    if isinstance(n, bool) or n < 1:
        raise ValueError(f"must be a whole number above 0 (default {_default(info)})")
    return n


def _positive(value: Any, info: ValidationInfo) -> float:
    """A finite number above 0."""
    try:
        x = float(str(value).strip().replace("_", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        x = -1.0
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"must be a number above 0 (default {_default(info):g})")
    return x


def _at_least(minimum: float, *, whole: bool = False, cap: float | None = None):
    """A number ≥ ``minimum`` (a fraction is cut for a ``whole`` one; at most ``cap``)."""

    def parse(value: Any) -> float | int:
        try:
            x = float(value)
        except (TypeError, ValueError):
            x = math.nan
        if cap is not None:
            x = min(x, cap)
        if not (x >= minimum and math.isfinite(x)):  # also NaN
            raise ValueError(f"is not a number ≥ {minimum:g}")
        return int(x) if whole else x

    return BeforeValidator(parse)


def _hours(value: Any) -> float:
    """A number of hours, 0 or more."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = -1.0
    if not x >= 0:  # also NaN
        raise ValueError("must be a number of hours (0 or more)")
    return x


def _threads(value: Any) -> int:
    """A number of threads from 0 (the libraries' own) to 1024."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= 1024:
        raise ValueError("must be a whole number from 0 to 1024 (0: one per core)")
    return n


def _port(value: Any) -> int:
    """A TCP port."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= 65535:
        raise ValueError("must be a port number from 1 to 65535")
    return n


def _path(value: Any) -> Path:
    """A path; ``~`` is the home directory."""
    return Path(value).expanduser()


def _networks(value: Any) -> tuple[Network, ...]:
    """Comma-separated IP addresses or CIDR networks."""
    parts = value.split(",") if isinstance(value, str) else list(value or ())
    nets = []
    for part in parts:
        text = str(part).strip()
        if text:
            try:
                nets.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(
                    f"'{text}' is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8, ::1)"
                ) from None
    return tuple(nets)


Flag = Annotated[bool, BeforeValidator(_flag)]
Size = Annotated[int, BeforeValidator(_size)]
Count = Annotated[int, BeforeValidator(_count)]
Positive = Annotated[float, BeforeValidator(_positive)]
Hours = Annotated[float, BeforeValidator(_hours)]
Seconds = Annotated[float, _at_least(1)]
Attempts = Annotated[int, _at_least(1, whole=True)]
Folder = Annotated[Path, BeforeValidator(_path)]


def _field(default: Any, section: str, description: str, **kw: Any) -> Any:
    return Field(default, description=description, json_schema_extra={"section": section}, **kw)


class Settings(BaseSettings):
    """The settings of ketenradar, from the ``KETENRADAR_*`` environment variables (the
    variable of a field is ``KETENRADAR_`` and its name in capitals)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid")

    # -- where things live -------------------------------------------------------------
    data_dir: Folder | None = _field(
        None,
        "paths",
        "The data store: datasets, derived facts, uploads, the SQLite accounts database and "
        "the web app's secret key. Default: the platform's user data folder (on Linux "
        "~/.local/share/ketenradar). The command line's --data-dir wins over it.",
    )
    shared_data: Folder = _field(
        Path("../shared/data"),
        "paths",
        "The shared public reference data the starter pack is built from and the "
        "development commands load (e.g. baci_raw_materials_hs92/, icio_oecd_2022/).",
    )
    groups_file: Folder | None = _field(
        None,
        "paths",
        "A YAML file of your own country groups; default: groups.yaml in the data store when "
        "it exists. A file named here must exist.",
    )

    # -- web application ---------------------------------------------------------------
    database_url: str | None = _field(
        None,
        "web",
        "Accounts and saved work (an SQLAlchemy URL); default SQLite `<data dir>/ketenradar.db`; "
        "PostgreSQL e.g. `postgresql+psycopg://user@127.0.0.1:5432/ketenradar` (needs the "
        "extra postgres).",
        repr=False,
    )
    secret_key: SecretStr | None = _field(
        None,
        "web",
        "Signs the CSRF tokens; default: a random key kept in `<data dir>/secret_key` (created "
        "on first start, readable by the owner only). Set the same key on every server "
        "process behind one address.",
    )
    read_requires_login: Flag = _field(
        False,
        "web",
        "Yes: every page and API call needs a login (except sign-in, health and static "
        "files). No: reading is open, writing needs a role.",
    )
    secure_cookies: Flag = _field(
        False,
        "web",
        "Yes: cookies are sent over HTTPS only (set it behind a TLS proxy).",
    )
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode, BeforeValidator(_networks)] = _field(
        (),
        "web",
        "Comma-separated IP addresses or CIDR networks of the reverse proxies whose "
        "Forwarded / X-Forwarded-For headers are believed. Default: none (the client is "
        "the direct peer).",
    )
    session_hours: Positive = _field(
        12.0, "web", "Hours a sign-in lasts (the session and its cookie)."
    )

    # -- sign-in -----------------------------------------------------------------------
    login_max_failures: Attempts = _field(
        5,
        "login",
        "Sign-in attempts of one (client, user name) before that pair is locked.",
    )
    login_client_max_failures: Attempts = _field(
        20,
        "login",
        "Sign-in attempts of one client across user names before the client is locked.",
    )
    login_lockout: Seconds = _field(
        60.0,
        "login",
        "Seconds of the first lock; each further lock of the same key lasts twice as long, "
        "up to KETENRADAR_LOGIN_LOCKOUT_MAX.",
    )
    login_lockout_max: Seconds = _field(3600.0, "login", "Seconds of the longest lock.")
    login_window: Seconds = _field(
        900.0,
        "login",
        "Seconds after which a key (client, or client and user name) with no attempt and no "
        "lock is forgotten.",
    )
    max_concurrent_logins: Attempts = _field(
        4,
        "login",
        "Password hashes (Argon2) computed at once, each taking KETENRADAR_ARGON2_MEMORY_KIB "
        "of memory.",
    )
    login_wait: Annotated[float, _at_least(0)] = _field(
        5.0,
        "login",
        "Seconds a sign-in waits for a free hashing slot before 429 with Retry-After.",
    )
    argon2_time_cost: Count = _field(
        3,
        "login",
        "Argon2id passes over the memory per password hash. Stored hashes keep their own "
        "parameters and are rehashed with the new ones at the next sign-in.",
    )
    argon2_memory_kib: Count = _field(
        65536,
        "login",
        "Argon2id memory per password hash, in KiB (65536: 64 MiB); at least 8 times "
        "KETENRADAR_ARGON2_PARALLELISM.",
    )
    argon2_parallelism: Count = _field(4, "login", "Argon2id lanes per password hash.")

    # -- request bodies ----------------------------------------------------------------
    max_upload_bytes: Size = _field(
        4 * 2**30,
        "bodies",
        "A dataset upload (POST /api/v1/datasets), all files together; the files stream "
        "straight into `<data dir>/uploads`. Larger files are loaded from the command line.",
    )
    max_upload_files: Count = _field(500, "bodies", "Files in one dataset upload.")
    max_bom_bytes: Size = _field(
        1_000_000, "bodies", "A BOM file uploaded for its exposure (API and page)."
    )
    max_json_bytes: Size = _field(
        1_000_000,
        "bodies",
        "Every other request body (JSON and forms: what-if, sign-in, users, ...).",
    )
    max_saved_bytes: Size = _field(
        8_000_000,
        "bodies",
        "Saving a scenario or BOM (POST /api/v1/saved/{kind}): its body may be this large or "
        "KETENRADAR_MAX_JSON_BYTES, whichever is larger.",
    )

    # -- computations, caches and pages ------------------------------------------------
    max_concurrent_whatif: Annotated[int, _at_least(1, whole=True, cap=100_000)] = _field(
        2,
        "compute",
        "Different what-ifs computed at once in the web app; identical ones share one "
        "computation and result.",
    )
    max_queued_whatif: Annotated[int, _at_least(0, whole=True, cap=100_000)] = _field(
        8,
        "compute",
        "What-ifs waiting for a turn; beyond, 429 with Retry-After (logged as a warning).",
    )
    whatif_cache_size: Annotated[int, _at_least(1, whole=True, cap=100_000)] = _field(
        64,
        "compute",
        "What-if results kept, per version of the inputs and scenario (the least recently "
        "used go).",
    )
    max_concurrent_plans: Annotated[int, _at_least(1, whole=True, cap=100_000)] = _field(
        1,
        "compute",
        "Different stock plans computed at once in the web app (a plan simulates thousands of "
        "paths: seconds of CPU); identical ones share one computation and result.",
    )
    max_queued_plans: Annotated[int, _at_least(0, whole=True, cap=100_000)] = _field(
        4,
        "compute",
        "Stock plans waiting for a turn; beyond, 429 with Retry-After (logged as a warning).",
    )
    plan_cache_size: Annotated[int, _at_least(1, whole=True, cap=100_000)] = _field(
        16,
        "compute",
        "Stock plans kept, per version of the data and request (the least recently used go).",
    )
    blas_threads: Annotated[int, BeforeValidator(_threads)] = _field(
        1,
        "compute",
        "BLAS/LAPACK threads per call in the web server (0: the libraries' own, one per "
        "core). The command line keeps the libraries' own.",
    )
    spark_master: str = _field(
        "local[*]",
        "compute",
        "The Spark master the `--engine spark` analyses run on: `local[*]` (Spark in this "
        "process, every core), `local[2]`, `spark://host:7077`, `yarn`, ... When it is not "
        "set, the master Spark is configured with (`spark-submit --master`, "
        "spark-defaults.conf), else `local[*]` (docs/scale-out.md). Needs the extra "
        "`ketenradar[spark]`.",
    )
    spark_driver_memory: str = _field(
        "4g",
        "compute",
        "Memory of the Spark driver when ketenradar starts Spark itself (not under "
        "spark-submit, which sets its own): spark.driver.memory. In local mode the driver is "
        "also the executor, and Spark's own default of 1g loses large results.",
    )
    spark_data_uri: str | None = _field(
        None,
        "compute",
        "Where the Spark executors read the data directory's Parquet files when they cannot "
        "reach its local path: a URI the data directory is mirrored at (e.g. "
        "`hdfs://namenode:8020/ketenradar`, `s3a://bucket/ketenradar`); files are read as "
        "`<uri>/datasets/<name>/<version>/<table>/<file>`. Default: the local path.",
    )
    facts_cache_size: Count = _field(
        128,
        "compute",
        "Derived views of the fact tables kept per build (a sorted explorer view of a full "
        "BACI year for one importer is about 1 MB).",
    )
    max_page_size: Count = _field(
        500, "compute", "Rows per page the dependency explorer returns at most (page_size)."
    )
    jobs_kept: Count = _field(
        500,
        "compute",
        "Finished background jobs (web uploads and fetches) kept for their status; the "
        "oldest finished go.",
    )

    # -- method thresholds (docs/methods/dependencies.md, "Materiality") -----------------
    min_dependency_kusd: Annotated[float, _at_least(0)] = _field(
        100.0,
        "methods",
        "Materiality: a product counts as a dependency (EU 2021, GeoDep; also a partner's "
        "dependency on the importer, i.e. leverage) only when the imports from its top "
        "external supplier are at least this value, in thousand USD. 0: as published.",
    )
    min_dependency_share: Annotated[float, _at_least(0, cap=1)] = _field(
        0.05,
        "methods",
        "Materiality: ... and at least this share (0–1) of all imports of the product. "
        "0: as published.",
    )
    mutual_min_value_ratio: Annotated[float, _at_least(0, cap=1)] = _field(
        0.1,
        "methods",
        "A balance is called mutual only when both sides have dependent products and the "
        "smaller side's value is at least this share (0–1) of the larger side's; else the "
        "larger side depends.",
    )

    # -- reading files -----------------------------------------------------------------
    zip_max_total_bytes: Size = _field(
        20 * 2**30,
        "files",
        "Bytes a zip may expand to, all members read together (a BACI release zip is about "
        "2.5 GB packed, 9 GB unpacked). Also bounds a compressed R data file.",
    )
    zip_max_ratio: Positive = _field(
        200.0,
        "files",
        "Expansion ratio allowed for a zip member larger than 8 MiB and for the archive as a "
        "whole (BACI CSVs pack about 4:1, workbooks 4-10:1, the WIOD R files 27:1).",
    )
    zip_max_members: Count = _field(10_000, "files", "Entries a zip may hold.")
    xlsx_max_cells: Count = _field(
        20_000_000,
        "files",
        "Cells read from one workbook, all sheets together, empty cells included (the WIOD "
        "2016 world table, the largest workbook read, has 6.7 million).",
    )
    baci_max_line_bytes: Count = _field(
        4096,
        "files",
        "Longest line accepted in a BACI trade CSV (a BACI row is under 100 bytes).",
    )
    baci_row_drop_warn: Positive = _field(
        0.5,
        "files",
        "A year re-ingested with fewer rows than this share of the live version's rows for "
        "it is warned about in the ingest report.",
    )
    baci_base_url: str = _field(
        "https://www.cepii.fr/DATA_DOWNLOAD/baci/data",
        "files",
        "Where `ketenradar data fetch baci` downloads release zips from (e.g. a mirror).",
    )
    max_yaml_nodes: Count = _field(
        500_000,
        "files",
        "Nodes a YAML document (BOM, scenario, shock, groups file) may expand to through "
        "aliases, counting a node as often as aliases repeat it.",
    )
    max_bom_lines: Count = _field(
        100_000,
        "files",
        "Nodes and material lines a BOM may expand to through its library (`use:`) and aliases.",
    )
    stale_upload_hours: Hours = _field(
        24.0,
        "files",
        "Hours an upload folder (`<data dir>/uploads/upload-*`) may stay unchanged before it "
        "counts as abandoned and is removed.",
    )

    # -- command line ------------------------------------------------------------------
    debug: Annotated[bool, BeforeValidator(_debug_flag)] = _field(
        False,
        "cli",
        "Anything but empty, 0, false, no or off: a system error (disk full, I/O error, a file "
        "that is not UTF-8) shows its Python traceback instead of the one-line message.",
    )
    port: Annotated[int, BeforeValidator(_port)] = _field(
        8000, "cli", "The port `ketenradar serve` listens on (its --port wins)."
    )

    def __init__(self, **values: Any) -> None:
        """The settings from the environment; ``values`` given here win over it. An invalid
        value raises :class:`UsageError` naming the variable."""
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise UsageError(explain(exc)) from None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_default(cls, data: Any) -> Any:
        """An empty or blank variable means the default."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @model_validator(mode="after")
    def _argon2_memory(self) -> Settings:
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise ValueError(
                f"{env_name('argon2_memory_kib')}={self.argon2_memory_kib} must be at least 8 "
                f"times {env_name('argon2_parallelism')} ({8 * self.argon2_parallelism})"
            )
        return self


def explain(exc: ValidationError) -> str:
    """The errors of ``exc`` as one line, each naming the variable, its value and what it
    should be: ``KETENRADAR_ZIP_MAX_MEMBERS='none' must be a whole number above 0 (…); …``."""
    parts = []
    for e in exc.errors():
        reason = str(e["ctx"]["error"]) if e["type"] == "value_error" else e["msg"]
        if not e["loc"]:  # a check across fields: the reason names them
            parts.append(reason)
            continue
        name = str(e["loc"][0])
        shown = "'…'" if name == "secret_key" else repr(e.get("input"))
        sep = " " if reason.startswith(("is ", "must ")) else ": "
        parts.append(f"{env_name(name)}={shown}{sep}{reason}")
    return "; ".join(parts)


def _environment() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX)))


@functools.lru_cache(maxsize=8)
def _load(environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()


def settings() -> Settings:
    """The settings from the environment as it is now (validated once per distinct set of
    ``KETENRADAR_*`` variables); an invalid value raises :class:`UsageError`.
    ``settings.cache_clear()`` forgets the cached ones."""
    return _load(_environment())


settings.cache_clear = _load.cache_clear  # type: ignore[attr-defined]


# -- docs/settings.md --------------------------------------------------------------------


def _shown_default(name: str) -> str:
    """A field's default as one would set it."""
    field = Settings.model_fields[name]
    value = field.default
    if value is None or value == ():
        return "—"
    if isinstance(value, bool):
        return "`off`" if not value else "`on`"
    if any(getattr(m, "func", None) is _size for m in field.metadata):
        for unit, f in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10), ("G", 10**9), ("M", 10**6)):
            if value % f == 0:
                return f"`{value // f}{unit}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, int) and value >= 10_000:
        return f"`{value:_}`"
    return f"`{value}`"


def markdown() -> str:
    """``docs/settings.md``: every setting, by section, with its default and description."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from ketenradar.core.settings.Settings by",
        "     `python -m ketenradar.core.settings --markdown > docs/settings.md`;",
        "     tests/unit/test_settings.py checks that it is up to date. Do not edit. -->",
        "",
        "Every setting of ketenradar is an environment variable `KETENRADAR_*`, read and checked",
        "by one model, `ketenradar.core.settings.Settings`. An unset or blank variable means the",
        "default. An invalid value stops the command or the server with one line naming the",
        "variable, the value and what it should be, e.g.",
        "`KETENRADAR_MAX_JSON_BYTES='lots' is not a size in bytes (…)`.",
        "",
        "Formats: a size in bytes is a whole number with an optional suffix K, M, G",
        "(10³, 10⁶, 10⁹) or Ki, Mi, Gi (2¹⁰, 2²⁰, 2³⁰): `1000000`, `1M`, `4Gi`. A yes/no setting",
        "takes `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`. Whole numbers may group digits",
        "with `_` (`20_000_000`). Why the limits are there: [security.md](security.md).",
    ]
    by_section: dict[str, list[str]] = {key: [] for key in SECTIONS}
    for name, field in Settings.model_fields.items():
        by_section[(field.json_schema_extra or {})["section"]].append(name)  # type: ignore[index]
    for key, title in SECTIONS.items():
        lines += ["", f"## {title}", "", "| Variable | Default | What it sets |"]
        lines.append("| --- | --- | --- |")
        for name in by_section[key]:
            text = (Settings.model_fields[name].description or "").replace("|", "\\|")
            lines.append(f"| `{env_name(name)}` | {_shown_default(name)} | {text} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m ketenradar.core.settings --markdown`` prints ``docs/settings.md``; without
    an option, the settings in force (secrets hidden), or the error."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ketenradar.core.settings")
    parser.add_argument("--markdown", action="store_true", help="print docs/settings.md")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown())
        return 0
    try:
        current = settings()
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name in Settings.model_fields:
        value = getattr(current, name)
        if name in ("secret_key", "database_url") and value is not None:
            value = "(set)"
        print(f"{env_name(name)}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
