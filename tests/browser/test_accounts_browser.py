"""Sign-in and roles in a real browser: a wrong password shows the reason, a viewer sees no
data forms, an analyst can upload, an admin sees users and the audit log; the data page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import shot
from conftest import running_server

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def accounts_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose store has an admin, an analyst and a viewer (created with the CLI)."""
    data = tmp_path_factory.mktemp("accounts") / "store"
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(data)}
    for name, role in (("ann", "admin"), ("alice", "analyst"), ("vic", "viewer")):
        subprocess.run(
            [sys.executable, "-m", "ketenradar", "users", "add", name, "--role", role,
             "--password-stdin"],
            input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True,
        )  # fmt: skip
    with running_server(data) as url:
        yield url


def sign_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/en/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def test_wrong_password_then_viewer(page, accounts_url):
    sign_in(page, accounts_url, "vic", "not the password")
    assert "wrong user name or password" in page.inner_text("#login-error")
    sign_in(page, accounts_url, "vic")
    assert page.inner_text("#whoami") == "vic (viewer)"
    page.goto(f"{accounts_url}/en/data")
    assert page.locator("#upload-form").count() == 0 and page.locator("#need-role").count() == 1
    page.goto(f"{accounts_url}/en/account")
    assert page.locator("#users").count() == 0
    page.click("#sign-out")
    page.wait_for_load_state()
    assert page.locator("#sign-in").count() == 1
    # the refused sign-in answers 401 (Chromium logs that status); nothing else went wrong
    assert [e for e in page.errors if "status of 401" not in e] == []
    assert page.external == []


def test_analyst_uploads_a_bad_file_and_sees_why(page, accounts_url, tmp_path: Path):
    sign_in(page, accounts_url, "alice")
    page.goto(f"{accounts_url}/en/data")
    bad = tmp_path / "BACI_HS92_Y2022_V202401b.csv"
    bad.write_text("not,baci\n1,2\n")
    page.select_option("#upload-form select[name=source]", "baci")
    page.set_input_files("#upload-form input[type=file]", str(bad))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#job[data-state=failed]", timeout=30_000)
    assert page.inner_text("#job-error").strip() != ""
    assert page.locator("#fetch-form").count() == 0  # fetching is for admins
    shot(page, "data_upload_failed")
    assert page.external == []


def test_admin_sees_users_and_audit_log(page, accounts_url):
    sign_in(page, accounts_url, "ann")
    page.goto(f"{accounts_url}/nl/account")
    users = page.locator("#users tbody tr").all_inner_texts()
    assert any("alice" in u and "analyst" in u for u in users) and len(users) == 3
    actions = page.locator("#audit-log tbody tr").all_inner_texts()
    assert any("user_created" in a for a in actions) and any("login_failed" in a for a in actions)
    shot(page, "account_admin")
    page.goto(f"{accounts_url}/en/data")
    assert page.locator("#fetch-form").count() == 1
    shot(page, "data")
    assert page.errors == [] and page.external == []
