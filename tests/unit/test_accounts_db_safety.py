"""The accounts database: created readable by its owner only; ``db downgrade`` (which drops
tables, and with ``base`` every account) asks first and refuses without a terminal."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

PASSWORD = "a long enough pass phrase 42"


def _run(data_dir: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(data_dir), "COLUMNS": "250"}
    env.pop("KETENRADAR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "ketenradar", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(data_dir: Path, *args: str, stdin: str | None = None):
    """``ketenradar ARGS`` in this process (Typer's runner: standard input is no terminal)."""
    from typer.testing import CliRunner

    from ketenradar.interfaces.cli.app import app

    env = {"KETENRADAR_DATA_DIR": str(data_dir), "KETENRADAR_DATABASE_URL": None}
    return CliRunner().invoke(app, list(args), input=stdin, env=env)


def _add_user(data_dir: Path, name: str = "alice") -> None:
    res = _cli(data_dir, "users", "add", name, "--password-stdin", stdin=PASSWORD + "\n")
    assert res.exit_code == 0, res.output


def test_sqlite_file_is_private_after_users_add(tmp_path: Path) -> None:
    """A real ``ketenradar users add`` process with the usual umask (files 0644 unless made
    private)."""
    res = _run(
        tmp_path,
        "users",
        "add",
        "alice",
        "--password-stdin",
        input=PASSWORD + "\n",
        preexec_fn=lambda: os.umask(0o022),
    )
    assert res.returncode == 0, res.stderr
    assert _mode(tmp_path / "ketenradar.db") == 0o600


def test_sqlite_file_is_private_after_create_app(data_dir: Path, monkeypatch) -> None:
    from ketenradar.interfaces.web.app import create_app

    monkeypatch.delenv("KETENRADAR_DATABASE_URL", raising=False)
    data_dir.mkdir(parents=True)
    old = os.umask(0o022)
    try:
        create_app()
    finally:
        os.umask(old)
    db = data_dir / "ketenradar.db"
    assert _mode(db) == 0o600
    assert _mode(data_dir / "secret_key") == 0o600


def test_existing_world_readable_sqlite_file_is_tightened(tmp_path: Path) -> None:
    _add_user(tmp_path)
    db = tmp_path / "ketenradar.db"
    db.chmod(0o644)  # as earlier versions left it
    res = _run(tmp_path, "users", "list")  # a new process opens it
    assert res.returncode == 0 and "alice" in res.stdout, res.stderr
    assert _mode(db) == 0o600


def _users(data_dir: Path) -> str:
    res = _cli(data_dir, "users", "list")
    assert res.exit_code == 0, res.output
    return res.output


def test_downgrade_refuses_without_a_terminal(tmp_path: Path) -> None:
    _add_user(tmp_path)
    res = _run(tmp_path, "db", "downgrade", "base", stdin=subprocess.DEVNULL)  # real process
    assert res.returncode == 2, res.stderr
    assert "every account" in res.stderr and "--yes" in res.stderr
    assert "alice" in _users(tmp_path)  # nothing dropped
    res = _cli(tmp_path, "db", "downgrade", "base", "--yes")
    assert res.exit_code == 0, res.output
    assert "database at revision None" in res.output


def _on_a_terminal(data_dir: Path, answer: str) -> tuple[int, str]:
    """``db downgrade base`` with a real pseudo-terminal as standard input, answering."""
    master, slave = os.openpty()
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(data_dir)}
    env.pop("KETENRADAR_DATABASE_URL", None)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ketenradar", "db", "downgrade", "base"],
            env=env,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        os.write(master, (answer + "\n").encode())
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(master)
        os.close(slave)
    return proc.returncode, out


def test_downgrade_asks_on_a_terminal(tmp_path: Path) -> None:
    _add_user(tmp_path)
    rc, out = _on_a_terminal(tmp_path, "n")
    assert rc == 2 and "This deletes every account" in out and "not migrated" in out, out
    assert "alice" in _users(tmp_path)
    rc, out = _on_a_terminal(tmp_path, "y")
    assert rc == 0 and "database at revision None" in out, out


def test_postgresql_without_its_driver_is_a_clear_error(tmp_path: Path) -> None:
    """PostgreSQL's driver is the extra `postgres`: without it, a one-line error naming it."""
    code = (
        "import sys; sys.modules['psycopg'] = None  # as if the extra were not installed\n"
        "from ketenradar.interfaces.cli.app import main\n"
        "sys.argv = ['ketenradar', 'users', 'list']\n"
        "main()\n"
    )
    env = {
        **os.environ,
        "KETENRADAR_DATA_DIR": str(tmp_path / "store"),
        "KETENRADAR_DATABASE_URL": "postgresql+psycopg://postgres:secret@127.0.0.1:5432/test",
    }
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 2, r
    assert "pip install 'ketenradar[postgres]'" in r.stderr, r.stderr
    assert "secret" not in r.stderr and "Traceback" not in r.stderr, r.stderr
