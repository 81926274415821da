"""Sign-in limits under real concurrency: real servers (uvicorn in a thread, or the
``ketenradar serve`` process), real threads, SQLite and PostgreSQL.

* N wrong passwords at once get at most ``max_failures`` passwords checked (counted by the
  service's own counter), and the owner signing in from another client is let in.
* The client is the direct peer: a rotated ``X-Forwarded-For`` counts only behind a trusted
  proxy; an over-long one never reaches the database.
* No more Argon2 computations at once than ``KETENRADAR_MAX_CONCURRENT_LOGINS``; a sign-in
  that finds them all busy gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from conftest import running_server
from sqlalchemy import select

from ketenradar.core.errors import AuthError, RateLimitedError
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.auth import client_address
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.registry import db, service
from ketenradar.registry.models import AuditEvent, LoginThrottle

PASSWORD = "correct horse battery staple"
USERS = (("ann", "admin"), ("alice", "analyst"), ("bob", "analyst"))


@contextmanager
def served(app) -> Iterator[tuple[str, int]]:
    """``app`` behind a real uvicorn server in a thread (configured as ``ketenradar serve``:
    no proxy headers), on a free loopback port; yields (host, port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def request(
    where: tuple[str, int],
    method: str,
    path: str,
    body: dict | None = None,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], dict]:
    """One HTTP request from the loopback address ``source``: status, headers, JSON."""
    conn = http.client.HTTPConnection(*where, timeout=120, source_address=(source, 0))
    try:
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json"} | (headers or {})
        conn.request(method, path, data, hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            parsed = json.loads(raw or b"{}")
        except ValueError:  # not JSON (a bare 500 page): kept for the assertion's message
            parsed = {"raw": raw.decode(errors="replace")}
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed
    finally:
        conn.close()


def csrf_of(where: tuple[str, int]) -> dict[str, str]:
    """Headers with an anonymous CSRF token and its cookie (good for every anonymous POST)."""
    _, _, body = request(where, "GET", "/api/v1/session")
    token = body["csrf_token"]
    return {"X-CSRF-Token": token, "Cookie": f"kr_csrf={token}"}


def login(
    where: tuple[str, int],
    csrf: dict[str, str],
    username: str,
    password: str,
    *,
    source: str = "127.0.0.1",
    forwarded_for: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], dict]:
    """``POST /api/v1/login`` from ``source`` (optionally claiming ``X-Forwarded-For``)."""
    extra = dict(csrf) | (headers or {})
    if forwarded_for is not None:
        extra["X-Forwarded-For"] = forwarded_for
    body = {"username": username, "password": password}
    return request(where, "POST", "/api/v1/login", body, source=source, headers=extra)


def at_once(n: int, job) -> list:
    """``job(i)`` for i in 0..n-1 on n real threads released together."""
    barrier = threading.Barrier(n)

    def run(i: int):
        barrier.wait(timeout=60)
        return job(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


@pytest.fixture
def make_app(accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Build the application over the accounts database (SQLite, then PostgreSQL) with the
    environment given; ann (admin), alice and bob (analysts) exist."""

    def make(**env: str):
        monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        app = create_app(settings=WebSettings.from_env(tmp_path / "data"))
        for name, role in USERS:
            service.create_user(app.state.accounts, name, PASSWORD, role)
        service.HASH_GATE.reset_counts()
        return app

    return make


def events(app, action: str) -> list[AuditEvent]:
    with app.state.accounts() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_concurrent_wrong_passwords_check_at_most_the_limit(make_app):
    app = make_app()
    limit = app.state.settings.login.max_failures
    with served(app) as where:
        csrf = csrf_of(where)
        results = at_once(30, lambda i: login(where, csrf, "ann", f"guess {i}"))
        statuses = [r[0] for r in results]
        # the limit holds however many arrive at once: at most `limit` passwords checked
        assert statuses.count(401) == limit, statuses
        assert statuses.count(429) == 30 - limit, statuses
        assert service.HASH_GATE.evaluations == limit
        assert all(int(h["retry-after"]) > 0 for s, h, _ in results if s == 429)
        assert len(events(app, "login_failed")) == limit
        (locked,) = events(app, "login_locked")
        assert locked.detail["key"] == "user+client" and locked.client == "127.0.0.1"
        # the attacker's client stays locked out, even with the right password …
        status, _, body = login(where, csrf, "ann", PASSWORD)
        assert status == 429 and "too many failed sign-ins" in body["detail"]
        # … but the owner (an admin) signs in from another client
        status, _, body = login(where, csrf, "ann", PASSWORD, source="127.0.0.2")
        assert status == 200 and body["user"]["username"] == "ann"
        assert service.HASH_GATE.evaluations == limit + 1


def test_x_forwarded_for_is_not_believed_from_an_untrusted_peer(
    accounts_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """``ketenradar serve`` itself: rotating X-Forwarded-For from 127.0.0.1 (no trusted proxy)
    neither makes new clients nor reaches the audit log; an over-long one is no 5xx."""
    monkeypatch.setenv("KETENRADAR_DATABASE_URL", accounts_db_url)
    monkeypatch.setenv("KETENRADAR_LOGIN_CLIENT_MAX_FAILURES", "3")
    monkeypatch.delenv("KETENRADAR_TRUSTED_PROXIES", raising=False)
    db.upgrade(accounts_db_url)
    factory = db.sessions(accounts_db_url)
    service.create_user(factory, "alice", PASSWORD, "analyst")
    with running_server(tmp_path / "data") as url:
        host, port = url.removeprefix("http://").split(":")
        where = (host, int(port))
        csrf = csrf_of(where)
        # longer than the audit log's client column (64): on PostgreSQL this was a 500
        status, _, body = login(where, csrf, "alice", "wrong one", forwarded_for="a" * 100)
        assert status == 401, body
        # a new user name and a new forwarded address each time: still one client
        statuses = [
            login(where, csrf, f"user{i}", "wrong one", forwarded_for=f"198.51.100.{i}")[0]
            for i in range(4)
        ]
        assert statuses == [401, 401, 429, 429]
        # the owner from elsewhere is let in
        status, _, _ = login(where, csrf, "alice", PASSWORD, source="127.0.0.2")
        assert status == 200
    with factory() as s:
        clients = set(s.scalars(select(AuditEvent.client).where(AuditEvent.client.is_not(None))))
    assert clients == {"127.0.0.1", "127.0.0.2"}


def test_forwarded_addresses_count_behind_a_trusted_proxy(make_app):
    app = make_app(
        KETENRADAR_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8",
        KETENRADAR_LOGIN_CLIENT_MAX_FAILURES="3",
    )
    with served(app) as where:
        csrf = csrf_of(where)
        # each forwarded address is its own client: no client limit after three
        for i in range(5):
            status, _, _ = login(where, csrf, f"user{i}", "wrong", forwarded_for=f"192.0.2.{i}")
            assert status == 401
        # the right-most address that is not a trusted proxy: a spoofed left part is ignored
        spoofed = "203.0.113.66, 198.51.100.7, 10.1.2.3"
        assert login(where, csrf, "x1", "wrong", forwarded_for=spoofed)[0] == 401
        # RFC 7239 Forwarded (IPv6 with a port) wins over X-Forwarded-For
        fwd = {"Forwarded": 'for="[2001:db8::1]:4711";proto=https, for=10.9.9.9'}
        assert login(where, csrf, "x2", "wrong", forwarded_for="192.0.2.200", headers=fwd)[0] == 401
        # still limited per forwarded client: 192.0.2.0 has 1 failure; two more lock it
        statuses = [
            login(where, csrf, f"z{i}", "w", forwarded_for="192.0.2.0")[0] for i in range(3)
        ]
        assert statuses == [401, 401, 429]
    clients = [e.client for e in events(app, "login_failed")]
    assert clients[:5] == [f"192.0.2.{i}" for i in range(5)]
    assert clients[5:7] == ["198.51.100.7", "2001:db8::1"]


def test_concurrent_hashing_never_exceeds_the_setting(make_app):
    app = make_app(
        KETENRADAR_MAX_CONCURRENT_LOGINS="2",
        KETENRADAR_TRUSTED_PROXIES="127.0.0.1",
        KETENRADAR_LOGIN_WAIT="30",
    )
    with served(app) as where:
        csrf = csrf_of(where)

        def job(i: int):
            name, pw = ("alice", PASSWORD) if i % 2 else (f"nobody{i}", "wrong password")
            return login(where, csrf, name, pw, forwarded_for=f"192.0.2.{i}")[0]

        statuses = at_once(12, job)
        assert sorted(set(statuses)) == [200, 401] and statuses.count(200) == 6
        assert service.HASH_GATE.evaluations == 12
        assert service.HASH_GATE.peak == 2  # reached, never passed


def test_a_sign_in_finding_all_hashing_slots_busy_gets_429(make_app):
    app = make_app(KETENRADAR_MAX_CONCURRENT_LOGINS="2", KETENRADAR_LOGIN_WAIT="0.3")
    with served(app) as where:
        csrf = csrf_of(where)
        # both slots taken (as by two slow sign-ins): wait 0.3 s, then 429 with Retry-After
        with service.HASH_GATE.slot(2, 0), service.HASH_GATE.slot(2, 0):
            status, headers, body = login(where, csrf, "bob", PASSWORD)
        assert status == 429 and int(headers["retry-after"]) >= 1
        assert "busy" in body["detail"] and service.HASH_GATE.evaluations == 0
        # that attempt was never checked and is not counted against bob or the client
        with app.state.accounts() as s:
            counts = {r.key: r.failures for r in s.scalars(select(LoginThrottle))}
        assert counts == {"u|127.0.0.1|bob": 0, "c|127.0.0.1": 0}
        assert login(where, csrf, "bob", PASSWORD)[0] == 200
        assert service.HASH_GATE.peak == 2


# --- the scheme, step by step, through the service ------------------------------------------


def _throttle(factory, key: str) -> LoginThrottle | None:
    with factory() as s:
        return s.get(LoginThrottle, key)


def test_locks_double_and_a_right_password_takes_the_attempt_back(accounts_db_url: str):
    db.upgrade(accounts_db_url)
    factory = db.sessions(accounts_db_url)
    service.create_user(factory, "alice", PASSWORD, "analyst")
    policy = service.LoginPolicy(max_failures=2, client_max_failures=50)
    attacker, owner = "192.0.2.1", "192.0.2.2"

    def attempt(password: str, client: str = attacker):
        return service.authenticate(factory, "alice", password, client, policy)

    # a right password takes its attempt back: the pair starts afresh, the client drops by one
    with pytest.raises(AuthError):
        attempt("wrong")
    assert attempt(PASSWORD).username == "alice"
    assert _throttle(factory, f"u|{attacker}|alice") is None
    assert _throttle(factory, f"c|{attacker}").failures == 1
    # two failures lock the pair for `lockout` (60 s) …
    for _ in range(2):
        with pytest.raises(AuthError):
            attempt("wrong")
    with pytest.raises(RateLimitedError) as first:
        attempt(PASSWORD)
    assert 55 <= first.value.retry_after <= 60
    assert attempt(PASSWORD, owner).username == "alice"  # the owner elsewhere: in
    # … and, once that lock is over, the next lock lasts twice as long
    with factory() as s:
        row = s.get(LoginThrottle, f"u|{attacker}|alice")
        row.locked_until = service.utcnow() - timedelta(seconds=1)  # the minute has passed
        s.commit()
    for _ in range(2):
        with pytest.raises(AuthError):
            attempt("wrong")
    with pytest.raises(RateLimitedError) as second:
        attempt(PASSWORD)
    assert 115 <= second.value.retry_after <= 120
    assert _throttle(factory, f"u|{attacker}|alice").lockouts == 2


def test_a_client_is_limited_across_user_names(accounts_db_url: str):
    db.upgrade(accounts_db_url)
    factory = db.sessions(accounts_db_url)
    service.create_user(factory, "alice", PASSWORD, "analyst")
    policy = service.LoginPolicy(max_failures=5, client_max_failures=3)
    for name in ("a1", "a2", "a3"):
        with pytest.raises(AuthError):
            service.authenticate(factory, name, "wrong", "192.0.2.7", policy)
    with pytest.raises(RateLimitedError, match="too many failed sign-ins"):
        service.authenticate(factory, "alice", PASSWORD, "192.0.2.7", policy)
    assert service.authenticate(factory, "alice", PASSWORD, "192.0.2.8", policy)


def test_keys_quiet_for_longer_than_the_window_are_purged(accounts_db_url: str):
    db.upgrade(accounts_db_url)
    factory = db.sessions(accounts_db_url)
    policy = service.LoginPolicy(max_failures=1)
    for client in ("192.0.2.1", "192.0.2.2"):
        with pytest.raises(AuthError):
            service.authenticate(factory, "nobody", "wrong", client, policy)
    long_ago = service.utcnow() - policy.window - timedelta(seconds=1)
    with factory() as s:
        for row in s.scalars(select(LoginThrottle).where(LoginThrottle.key.contains("192.0.2.1"))):
            row.last_at = row.locked_until = long_ago
        s.commit()
    service._purge_throttle(factory, policy, service.utcnow())
    with factory() as s:
        keys = set(s.scalars(select(LoginThrottle.key)))
    assert keys == {"u|192.0.2.2|nobody", "c|192.0.2.2"}


def test_client_address_rules():
    trusted = [ipaddress.ip_network("127.0.0.1"), ipaddress.ip_network("10.0.0.0/8")]
    assert client_address("192.0.2.1", ["6.6.6.6"], trusted) == "192.0.2.1"  # untrusted peer
    assert client_address("127.0.0.1", ["6.6.6.6"], []) == "127.0.0.1"  # nothing trusted
    assert client_address("127.0.0.1", ["6.6.6.6", " 192.0.2.5 ", "10.0.0.9"], trusted) == (
        "192.0.2.5"
    )
    assert client_address("127.0.0.1", ["10.0.0.1", "10.0.0.2"], trusted) == "10.0.0.1"
    assert client_address("127.0.0.1", ["192.0.2.5", "unknown"], trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", ["x" * 500], trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", ['"[2001:db8::7]:443"'], trusted) == "2001:db8::7"
    assert client_address("127.0.0.1", ["192.0.2.9:8080"], trusted) == "192.0.2.9"
    assert client_address("127.0.0.1", ["::ffff:192.0.2.3"], trusted) == "192.0.2.3"
    assert client_address("testclient", ["192.0.2.5"], trusted) == "testclient"


def test_trusted_proxies_setting_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KETENRADAR_TRUSTED_PROXIES", "127.0.0.1, proxy.example")
    with pytest.raises(Exception, match=r"'proxy\.example' is not an IP address"):
        WebSettings.from_env(tmp_path)
    monkeypatch.setenv("KETENRADAR_TRUSTED_PROXIES", "")
    monkeypatch.setenv("KETENRADAR_MAX_CONCURRENT_LOGINS", "0")
    with pytest.raises(Exception, match="KETENRADAR_MAX_CONCURRENT_LOGINS='0' is not a number"):
        WebSettings.from_env(tmp_path)
