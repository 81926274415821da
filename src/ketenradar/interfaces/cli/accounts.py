"""``ketenradar users …`` and ``ketenradar db …``: accounts of the web application."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ketenradar.core.errors import UsageError
from ketenradar.interfaces.cli.common import (
    _dir,
    handle_errors,
    out,
    plain,
    printable,
)

if TYPE_CHECKING:  # SQLAlchemy only in annotations: `ketenradar --help` does not load it
    from sqlalchemy.orm import sessionmaker

    from ketenradar.registry.models import User

users_app = typer.Typer(help="Accounts of the web application (roles viewer, analyst, admin).")
db_app = typer.Typer(help="The accounts database: migrations (Alembic).", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _settings_url() -> str:
    """The accounts database's URL, from the settings (``--data-dir``, ``KETENRADAR_*``)."""
    from ketenradar.interfaces.web.settings import WebSettings

    return WebSettings.from_env(_dir(None)).database_url


def _db_url() -> str:
    """The accounts database's URL, migrated to the latest revision first."""
    from ketenradar.registry import db

    url = _settings_url()
    db.upgrade(url)
    return url


def _user(factory: sessionmaker, username: str) -> User:
    """The account called ``username``, or a usage error."""
    from ketenradar.registry import service

    user = next((u for u in service.list_users(factory) if u.username == username), None)
    if user is None:
        raise UsageError(f"no user '{printable(username)}'")
    return user


def _password(from_stdin: bool) -> str:
    if from_stdin:
        pw = sys.stdin.readline().rstrip("\n")
    else:
        pw = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not pw:
        raise UsageError("empty password")
    return pw


@users_app.command("create-admin")
@handle_errors
def create_admin(
    username: Annotated[str, typer.Argument(help="User name of the admin.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an admin (the first account of a new installation)."""
    from ketenradar.registry import db, service

    url = _db_url()
    service.create_user(db.sessions(url), username, _password(password_stdin), "admin", by="cli")
    out.print(f"admin '{plain(username)}' created")


@users_app.command("add")
@handle_errors
def add_user(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "viewer",
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user with a role."""
    from ketenradar.registry import db, service

    service.check_role(role)
    url = _db_url()
    service.create_user(db.sessions(url), username, _password(password_stdin), role, by="cli")
    out.print(f"{plain(role)} '{plain(username)}' created")


@users_app.command("set-role")
@handle_errors
def set_role(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Argument(help="viewer, analyst or admin.")],
) -> None:
    """Change a user's role (logged in the audit log)."""
    from ketenradar.registry import db, service

    service.set_role(db.sessions(_db_url()), username, role, by="cli")
    out.print(f"'{plain(username)}' is now a {plain(role)}")


@users_app.command("deactivate")
@handle_errors
def deactivate(username: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Stop a user from signing in and end their sessions.

    Refused for the last active admin."""
    from ketenradar.registry import db, service

    service.set_active(db.sessions(_db_url()), username, False, by="cli")
    out.print(f"'{plain(username)}' is deactivated (signed out everywhere)")


@users_app.command("activate")
@handle_errors
def activate(username: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Let a deactivated user sign in again."""
    from ketenradar.registry import db, service

    service.set_active(db.sessions(_db_url()), username, True, by="cli")
    out.print(f"'{plain(username)}' is active")


@users_app.command("reset-password")
@handle_errors
def reset_password(
    username: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Give a user a new password; their sessions end.

    The password is prompted twice, or read from standard input."""
    from ketenradar.registry import db, service

    url = _db_url()
    service.reset_password(db.sessions(url), username, _password(password_stdin), by="cli")
    out.print(f"new password set for '{plain(username)}' (signed out everywhere)")


@users_app.command("delete")
@handle_errors
def delete_user(
    username: Annotated[str, typer.Argument(help="User name.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask; delete the user and their saved work.")
    ] = False,
) -> None:
    """Delete a user with their sessions and saved work.

    Refused for the last active admin; ``deactivate`` keeps the saved work."""
    from ketenradar.registry import db, service

    if not yes and not typer.confirm(
        f"Delete '{username}' and everything they saved?", default=False
    ):
        raise UsageError("not deleted (confirm, or pass --yes)")
    service.delete_user(db.sessions(_db_url()), username, by="cli")
    out.print(f"'{plain(username)}' deleted")


@users_app.command("list")
@handle_errors
def list_users() -> None:
    """The users and their roles."""
    from ketenradar.registry import db, service

    table = Table("user", "role", "active", "created")
    for u in service.list_users(db.sessions(_db_url())):
        table.add_row(
            plain(u.username), plain(u.role), "yes" if u.active else "no", str(u.created_at)[:19]
        )
    out.print(table)


@db_app.command("upgrade")
@handle_errors
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the accounts database up (``serve`` does this on start too)."""
    from ketenradar.registry import db

    url = _settings_url()
    db.upgrade(url, revision)
    out.print(f"database at revision {db.current_revision(url)}")


@db_app.command("downgrade")
@handle_errors
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision ('base': empty).")],
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Do not ask (needed without a terminal): data is deleted."),
    ] = False,
) -> None:
    """Migrate the accounts database down: deletes the tables later revisions added, with
    their rows ('base': every account, session and audit entry). Asks first."""
    from sqlalchemy.engine import make_url

    from ketenradar.registry import db

    url = _settings_url()
    if not yes:
        where = make_url(url).render_as_string(hide_password=True)
        what = (
            "every account, session and audit log entry"
            if revision == "base"
            else f"the tables and rows that the revisions after {revision} added"
        )
        if not sys.stdin.isatty():
            raise UsageError(
                f"db downgrade {revision} deletes {what} in {where}; no terminal to ask for "
                "confirmation: pass --yes"
            )
        if not typer.confirm(
            f"Migrate {where} down to {revision}? This deletes {what}.", default=False
        ):
            raise UsageError("not migrated (confirm, or pass --yes)")
    db.downgrade(url, revision)
    out.print(f"database at revision {db.current_revision(url)}")


@db_app.command("current")
@handle_errors
def db_current() -> None:
    """The revision the accounts database is at."""
    from ketenradar.registry import db

    out.print(db.current_revision(_settings_url()) or "not migrated")


token_app = typer.Typer(
    help="Personal API tokens: a script sends 'Authorization: Bearer <token>' to the JSON API.",
    no_args_is_help=True,
)
users_app.add_typer(token_app, name="token")


@token_app.command("create")
@handle_errors
def token_create(
    username: Annotated[str, typer.Argument(help="Whose token (it acts as this user).")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    role: Annotated[
        str | None, typer.Option(help="viewer, analyst or admin; at most the user's role.")
    ] = None,
    days: Annotated[
        int | None, typer.Option(help="Expires after this many days (default: never).")
    ] = None,
) -> None:
    """Make a personal API token for a user.

    The token is printed once, on standard output; only its SHA-256 is kept.
    The rest goes to standard error.
    """
    from ketenradar.registry import db, service

    factory = db.sessions(_db_url())
    user = _user(factory, username)
    row, secret = service.create_token(factory, user, name, role, days=days, by="cli")
    err = f"token {row.id} '{plain(row.name)}' for '{plain(username)}' ({row.role})"
    typer.echo(err + ": shown this once, keep it secret", err=True)
    typer.echo(secret)


@token_app.command("list")
@handle_errors
def token_list(
    username: Annotated[
        str | None, typer.Argument(help="Only this user's tokens (default: everyone's).")
    ] = None,
) -> None:
    """The API tokens (never their secrets: the first characters, to tell them apart)."""
    from ketenradar.registry import db, service

    factory = db.sessions(_db_url())
    user = None if username is None else _user(factory, username)
    table = Table("id", "user", "name", "role", "starts with", "created", "expires", "last used")
    for t in service.list_tokens(factory, user):
        table.add_row(
            str(t.id),
            plain(t.user.username),
            plain(t.name),
            plain(t.role),
            plain(t.prefix) + "…",
            str(t.created_at)[:19],
            str(t.expires_at)[:19] if t.expires_at else "never",
            str(t.last_used_at)[:19] if t.last_used_at else "–",
        )
    out.print(table)


@token_app.command("revoke")
@handle_errors
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see 'users token list').")],
) -> None:
    """Revoke an API token: it stops working at once (logged)."""
    from ketenradar.registry import db, service

    service.revoke_token(db.sessions(_db_url()), None, token_id, by="cli")
    out.print(f"token {token_id} revoked")
