"""Every ``KETENRADAR_*`` setting lives in one model (:mod:`ketenradar.core.settings`): its
generated docs are committed and current, every field is described, no variable is read
around it, invalid values are refused with one line naming the variable, the formats and
defaults of before still hold, and a real ``ketenradar`` process reports a bad value as that
line and a non-zero exit, not a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from ketenradar.core.errors import UsageError
from ketenradar.core.settings import SECTIONS, Settings, env_name, markdown, settings

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "ketenradar"
VARIABLE = re.compile(r"KETENRADAR_[A-Z0-9_]*[A-Z0-9]")
FIELDS = {env_name(name): name for name in Settings.model_fields}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No ``KETENRADAR_*`` variable set (the defaults)."""
    for k in list(os.environ):
        if k.upper().startswith("KETENRADAR_"):
            monkeypatch.delenv(k)
    return monkeypatch


def _text_files(root: Path):
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            try:
                yield p, p.read_text(encoding="utf-8")
            except UnicodeDecodeError:  # binary data (Parquet, images)
                continue


def test_committed_docs_are_generated_from_the_model() -> None:
    committed = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert committed == markdown(), (
        "docs/settings.md is out of date: run "
        "`python -m ketenradar.core.settings --markdown > docs/settings.md`"
    )
    for variable in FIELDS:
        assert f"| `{variable}` |" in committed


def test_the_docs_command_prints_them() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "ketenradar.core.settings", "--markdown"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == markdown()


def test_every_setting_is_described_in_a_section() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description.strip()) > 10, name
        assert (field.json_schema_extra or {}).get("section") in SECTIONS, name


def test_every_variable_named_in_the_source_is_a_setting() -> None:
    """A ``KETENRADAR_*`` name in code, docstrings, templates or packaged files is a field of
    the model: no variable is read, or documented, around it."""
    unknown = {
        f"{p.relative_to(ROOT)}: {name}"
        for p, text in _text_files(SRC)
        for name in VARIABLE.findall(text)
        if name not in FIELDS
    }
    assert not unknown, sorted(unknown)


def test_every_variable_named_in_the_docs_is_a_setting() -> None:
    """The same for the docs and the README (``KETENRADAR_LOGIN_*`` stands for settings
    whose names start so)."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    unknown = set()
    for p in files:
        for name, wildcard in re.findall(r"(KETENRADAR_[A-Z0-9_]*[A-Z0-9])(_\*)?", p.read_text()):
            known = any(v.startswith(name + "_") for v in FIELDS) if wildcard else name in FIELDS
            if not known:
                unknown.add(f"{p.relative_to(ROOT)}: {name}{wildcard}")
    assert not unknown, sorted(unknown)


def test_only_the_model_reads_the_environment() -> None:
    """Code reads settings through the model; the CLI's options that take a variable
    (Typer's ``envvar=``) name one of its fields."""
    readers = []
    for p, text in _text_files(SRC):
        if p.suffix != ".py" or p == SRC / "core" / "settings.py":
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if re.search(r"os\.environ|getenv\(", line):
                readers.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()}")
            for name in re.findall(r'envvar="([^"]+)"', line):
                assert name in FIELDS, f"{p.relative_to(ROOT)}:{n}: {name}"
    assert not readers, readers


def test_defaults_are_those_of_before(clean_env: pytest.MonkeyPatch) -> None:
    from ketenradar.interfaces.web.settings import login_policy
    from ketenradar.registry.service import DEFAULT_POLICY, password_hasher, session_lifetime

    s = settings()
    assert login_policy(s) == DEFAULT_POLICY
    default, configured = PasswordHasher(), password_hasher()
    assert (configured.time_cost, configured.memory_cost, configured.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert session_lifetime() == timedelta(hours=12)
    assert (s.max_upload_bytes, s.max_bom_bytes, s.max_json_bytes) == (4 * 2**30, 10**6, 10**6)
    assert (s.zip_max_total_bytes, s.zip_max_ratio, s.zip_max_members) == (20 << 30, 200, 10_000)
    assert (s.xlsx_max_cells, s.baci_max_line_bytes, s.baci_row_drop_warn) == (
        20_000_000,
        4096,
        0.5,
    )
    assert (s.max_concurrent_whatif, s.max_queued_whatif, s.whatif_cache_size) == (2, 8, 64)
    assert (s.blas_threads, s.stale_upload_hours, s.port) == (1, 24.0, 8000)
    assert (s.data_dir, s.groups_file, s.secret_key, s.database_url) == (None, None, None, None)
    assert s.shared_data == Path("../shared/data") and s.trusted_proxies == ()
    assert not (s.debug or s.read_requires_login or s.secure_cookies)


@pytest.mark.parametrize(
    ("variable", "raw", "field", "value"),
    [
        ("KETENRADAR_MAX_UPLOAD_BYTES", "5M", "max_upload_bytes", 5_000_000),
        ("KETENRADAR_MAX_UPLOAD_BYTES", "1Gi", "max_upload_bytes", 2**30),
        ("KETENRADAR_MAX_JSON_BYTES", " 64kib ", "max_json_bytes", 65_536),
        ("KETENRADAR_ZIP_MAX_TOTAL_BYTES", "100", "zip_max_total_bytes", 100),
        ("KETENRADAR_ZIP_MAX_TOTAL_BYTES", "20Gi", "zip_max_total_bytes", 20 << 30),
        ("KETENRADAR_XLSX_MAX_CELLS", "20_000", "xlsx_max_cells", 20_000),
        ("KETENRADAR_ZIP_MAX_RATIO", "5000", "zip_max_ratio", 5000.0),
        ("KETENRADAR_READ_REQUIRES_LOGIN", "Yes", "read_requires_login", True),
        ("KETENRADAR_SECURE_COOKIES", "off", "secure_cookies", False),
        ("KETENRADAR_DEBUG", "verbose", "debug", True),
        ("KETENRADAR_DEBUG", "no", "debug", False),
        ("KETENRADAR_LOGIN_WAIT", "0", "login_wait", 0.0),
        ("KETENRADAR_LOGIN_MAX_FAILURES", "3", "login_max_failures", 3),
        ("KETENRADAR_MAX_QUEUED_WHATIF", "0", "max_queued_whatif", 0),
        ("KETENRADAR_MAX_CONCURRENT_WHATIF", "inf", "max_concurrent_whatif", 100_000),
        ("KETENRADAR_BLAS_THREADS", "0", "blas_threads", 0),
        ("KETENRADAR_STALE_UPLOAD_HOURS", "0.5", "stale_upload_hours", 0.5),
        ("KETENRADAR_SESSION_HOURS", "0.25", "session_hours", 0.25),
        ("KETENRADAR_DATA_DIR", "~/store", "data_dir", Path("~/store").expanduser()),
        ("KETENRADAR_MAX_JSON_BYTES", "   ", "max_json_bytes", 1_000_000),  # blank: default
        ("KETENRADAR_SECRET_KEY", "", "secret_key", None),
    ],
)
def test_accepted_formats(clean_env, variable, raw, field, value) -> None:
    clean_env.setenv(variable, raw)
    assert getattr(settings(), field) == value


def test_trusted_proxies_are_networks(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KETENRADAR_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert [str(n) for n in settings().trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("KETENRADAR_MAX_JSON_BYTES", "lots", "KETENRADAR_MAX_JSON_BYTES='lots' is not a size"),
        ("KETENRADAR_MAX_UPLOAD_BYTES", "0", "KETENRADAR_MAX_UPLOAD_BYTES='0' is not a size"),
        ("KETENRADAR_MAX_BOM_BYTES", "1.5M", "KETENRADAR_MAX_BOM_BYTES='1.5M' is not a size"),
        ("KETENRADAR_ZIP_MAX_MEMBERS", "none", "='none' must be a whole number above 0 (default"),
        ("KETENRADAR_ZIP_MAX_RATIO", "inf", "KETENRADAR_ZIP_MAX_RATIO='inf' must be a number"),
        ("KETENRADAR_BACI_ROW_DROP_WARN", "-1", "KETENRADAR_BACI_ROW_DROP_WARN='-1' must be"),
        ("KETENRADAR_READ_REQUIRES_LOGIN", "maybe", "='maybe' is not a yes/no setting"),
        ("KETENRADAR_MAX_CONCURRENT_LOGINS", "0", "KETENRADAR_MAX_CONCURRENT_LOGINS='0' is not"),
        ("KETENRADAR_LOGIN_LOCKOUT", "nan", "KETENRADAR_LOGIN_LOCKOUT='nan' is not a number ≥ 1"),
        ("KETENRADAR_LOGIN_WINDOW", "inf", "KETENRADAR_LOGIN_WINDOW='inf' is not a number ≥ 1"),
        ("KETENRADAR_BLAS_THREADS", "many", "KETENRADAR_BLAS_THREADS='many' must be a whole"),
        ("KETENRADAR_STALE_UPLOAD_HOURS", "soon", "='soon' must be a number of hours"),
        ("KETENRADAR_TRUSTED_PROXIES", "127.0.0.1, proxy.example", "'proxy.example' is not an IP"),
        ("KETENRADAR_PORT", "http", "KETENRADAR_PORT='http' must be a port number"),
        ("KETENRADAR_JOBS_KEPT", "-3", "KETENRADAR_JOBS_KEPT='-3' must be a whole number"),
        ("KETENRADAR_ARGON2_MEMORY_KIB", "16", "must be at least 8 times"),
    ],
)
def test_invalid_values_name_the_variable(clean_env, variable, raw, message) -> None:
    clean_env.setenv(variable, raw)
    with pytest.raises(UsageError, match=re.escape(message)):
        settings()
    with pytest.raises(UsageError, match=re.escape(message)):
        Settings()  # the model itself raises the project's error too


def test_every_invalid_value_is_named_at_once(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KETENRADAR_MAX_JSON_BYTES", "lots")
    clean_env.setenv("KETENRADAR_LOGIN_WAIT", "-1")
    with pytest.raises(UsageError) as e:
        settings()
    assert "KETENRADAR_MAX_JSON_BYTES='lots'" in str(e.value)
    assert "KETENRADAR_LOGIN_WAIT='-1' is not a number ≥ 0" in str(e.value)


def test_a_secret_is_not_echoed(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KETENRADAR_SECRET_KEY", "hunter2-very-secret")
    assert "hunter2" not in repr(settings()) and "hunter2" not in str(settings())
    assert settings().secret_key.get_secret_value() == "hunter2-very-secret"


def test_a_changed_variable_takes_effect_at_the_next_use(clean_env: pytest.MonkeyPatch) -> None:
    assert settings().jobs_kept == 500
    assert settings() is settings()  # cached while the variables stay the same
    clean_env.setenv("KETENRADAR_JOBS_KEPT", "7")
    assert settings().jobs_kept == 7
    settings.cache_clear()
    assert settings().jobs_kept == 7
    clean_env.delenv("KETENRADAR_JOBS_KEPT")
    assert settings().jobs_kept == 500


def _ketenradar(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.upper().startswith("KETENRADAR_")}
    return subprocess.run(
        [sys.executable, "-m", "ketenradar", *args],
        env={**base, "NO_COLOR": "1", "COLUMNS": "200", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("KETENRADAR_MAX_JSON_BYTES", "lots", "KETENRADAR_MAX_JSON_BYTES='lots' is not a size"),
        ("KETENRADAR_DEBUG", "", None),  # blank: the default, the command runs
        ("KETENRADAR_ZIP_MAX_MEMBERS", "ten", "KETENRADAR_ZIP_MAX_MEMBERS='ten' must be a whole"),
    ],
)
def test_cli_reports_a_bad_setting_in_one_line(tmp_path: Path, variable, raw, message) -> None:
    res = _ketenradar(
        "data",
        "list",
        env={"KETENRADAR_DATA_DIR": str(tmp_path / "store"), variable: raw},
        cwd=tmp_path,
    )
    assert "Traceback" not in res.stderr, res.stderr
    if message is None:
        assert res.returncode == 0, res.stderr
        return
    assert res.returncode == UsageError.exit_code, (res.returncode, res.stderr)
    errors = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: "), res.stderr
    assert message in errors[0]


def test_cli_help_does_not_load_the_settings_model(tmp_path: Path) -> None:
    """``ketenradar --help`` stays fast: pydantic-settings is imported by the first command
    that reads a setting, not by importing the CLI."""
    code = (
        "import sys, ketenradar.interfaces.cli.app; "
        "print(sorted(m for m in ('pydantic', 'pydantic_settings', 'ketenradar.core.settings') "
        "if m in sys.modules))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
