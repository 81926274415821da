"""``ketenradar users deactivate / activate / reset-password / delete``, the last active
admin, and the password rules, on SQLite and PostgreSQL (real databases, the real CLI)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ketenradar.core.errors import AuthError, UsageError
from ketenradar.interfaces.cli.app import app as cli
from ketenradar.registry import db, service
from ketenradar.registry.models import AuditEvent, Session

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "purple ostrich under a lamp"


@pytest.fixture
def users(accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run ``ketenradar users …`` against the accounts database; returns (run, factory)."""
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None):
        return runner.invoke(
            cli, ["--data-dir", str(tmp_path / "data"), "users", *args], input=stdin
        )

    r = run("create-admin", "root", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = run("add", "alice", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    return run, db.sessions(accounts_db_url)


def _sign_in(factory, name: str, password: str = PASSWORD) -> str:
    user = service.authenticate(factory, name, password, "192.0.2.1")
    return service.start_session(factory, user)


def _actions(factory) -> list[tuple[str | None, str, str | None]]:
    with factory() as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.username, e.action, e.target) for e in rows]


def test_deactivate_activate_and_reset_password(users):
    run, factory = users
    token = _sign_in(factory, "alice")
    assert service.session_user(factory, token).username == "alice"

    r = run("deactivate", "alice")
    assert r.exit_code == 0 and "deactivated" in r.output
    assert service.session_user(factory, token) is None  # signed out everywhere
    with factory() as s:
        assert s.scalars(select(Session)).all() == []
    with pytest.raises(AuthError):
        _sign_in(factory, "alice")
    assert "alice" in run("list").output and " no " in run("list").output

    assert run("activate", "alice").exit_code == 0
    token = _sign_in(factory, "alice")

    # a new password, from standard input: the old one and the old sessions are gone
    r = run("reset-password", "alice", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert service.session_user(factory, token) is None
    with pytest.raises(AuthError):
        _sign_in(factory, "alice")
    _sign_in(factory, "alice", NEW_PASSWORD)
    # … or prompted twice
    r = run("reset-password", "alice", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    _sign_in(factory, "alice")

    # the password rules: length, the common-password list, the user name
    for weak, why in (
        ("short", "at least 10 characters"),
        ("qwertyuiop", "10,000 most common passwords"),
        ("1234567890", "10,000 most common passwords"),
        ("my name is Alice!", "must not contain the user name"),
    ):
        r = run("reset-password", "alice", "--password-stdin", stdin=weak + "\n")
        assert r.exit_code == 2 and why in r.output, (weak, r.output)
    r = run("add", "bob", "--password-stdin", stdin="bob bob bob bob 42\n")
    assert r.exit_code == 2 and "must not contain the user name" in r.output
    assert run("deactivate", "nobody").exit_code == 3

    assert [a for a in _actions(factory) if a[0] == "cli"][2:] == [
        ("cli", "user_deactivated", "alice"),
        ("cli", "user_activated", "alice"),
        ("cli", "password_reset", "alice"),
        ("cli", "password_reset", "alice"),
    ]


def test_the_last_active_admin_cannot_be_demoted_deactivated_or_deleted(users):
    run, factory = users
    for args in (
        ("deactivate", "root"),
        ("set-role", "root", "viewer"),
        ("delete", "root", "--yes"),
    ):
        r = run(*args)
        assert r.exit_code == 2 and "'root' is the last active admin" in r.output, r.output
    # a second admin, deactivated, does not count
    assert (
        run("add", "ann", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n").exit_code
        == 0
    )
    assert run("deactivate", "ann").exit_code == 0
    assert run("set-role", "root", "analyst").exit_code == 2
    assert run("activate", "ann").exit_code == 0
    assert run("set-role", "root", "analyst").exit_code == 0
    assert run("delete", "ann", "--yes").exit_code == 2  # now ann is the last one
    # deleting asks first; without a yes nothing happens
    r = run("delete", "alice", stdin="n\n")
    assert r.exit_code == 2 and "not deleted" in r.output
    alice = next(u for u in service.list_users(factory) if u.username == "alice")
    service.save_item(factory, alice, "bom", "radar", "name: r\n")
    token = _sign_in(factory, "alice")
    r = run("delete", "alice", "--yes")
    assert r.exit_code == 0, r.output
    assert [u.username for u in service.list_users(factory)] == ["ann", "root"]
    assert service.session_user(factory, token) is None
    assert service.visible_items(factory, None) == []
    assert ("cli", "user_deleted", "alice") in _actions(factory)


def test_two_admins_demoting_each_other_at_once_leave_one(users):
    run, factory = users
    assert (
        run("add", "ann", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n").exit_code
        == 0
    )
    for _ in range(8):  # unserialized, about every other round lost both admins
        barrier = threading.Barrier(2)
        outcome: dict[str, str] = {}

        def demote(name: str, barrier=barrier, outcome=outcome) -> None:
            barrier.wait(timeout=30)
            try:
                service.set_role(factory, name, "analyst", by="test")
                outcome[name] = "demoted"
            except UsageError as exc:
                outcome[name] = str(exc)

        threads = [threading.Thread(target=demote, args=(n,)) for n in ("root", "ann")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        admins = [u.username for u in service.list_users(factory) if u.role == "admin"]
        assert len(admins) == 1, outcome
        assert sorted(v == "demoted" for v in outcome.values()) == [False, True], outcome
        (kept,) = admins
        other = "ann" if kept == "root" else "root"
        service.set_role(factory, other, "admin", by="test")


def test_tokens_of_an_unknown_user_are_refused(users):
    """``users token create`` and ``users token list`` name a user who does not exist (exit
    code 2, no token made); ``list`` without a user lists everyone's tokens."""
    run, factory = users
    for args in (("create", "nobody", "--name", "cron"), ("list", "nobody")):
        r = run("token", *args)
        assert r.exit_code == UsageError.exit_code, r.output
        assert "no user 'nobody'" in r.output
    assert service.list_tokens(factory) == []
    r = run("token", "create", "alice", "--name", "cron")
    assert r.exit_code == 0, r.output
    r = run("token", "list")
    assert r.exit_code == 0 and "alice" in r.stdout and "cron" in r.stdout


def test_password_rules():
    assert len(service.common_passwords()) == 10_000
    assert {"123456", "password", "qwertyuiop"} <= service.common_passwords()
    service.check_password(PASSWORD, "alice")
    service.check_password("al" + PASSWORD, "al")  # names under 3 characters: only equality
    for weak, name in (
        ("Password123", "x"),
        ("QWERTYUIOP", "x"),
        ("xX-ALICE-Xx-1", "alice"),
    ):
        with pytest.raises(UsageError):
            service.check_password(weak, name)
    with pytest.raises(UsageError, match="must not contain the user name"):
        service.check_password("ab" * 6, "ab" * 6)
