"""Sign-in and roles in a real browser: a wrong password shows the reason, a viewer sees no
data forms, an analyst can upload, an admin sees users and the audit log; the data page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import add_users, run_tin_whatif, shot, sign_in
from conftest import running_server


@pytest.fixture(scope="module")
def accounts_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose store has an admin, an analyst and a viewer (created with the CLI)."""
    data = tmp_path_factory.mktemp("accounts") / "store"
    add_users(data, {"ann": "admin", "alice": "analyst", "vic": "viewer"})
    with running_server(data) as url:
        yield url


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
    other = page.context.browser.new_page()  # a failed sign-in to see logged, elsewhere
    sign_in(other, accounts_url, "vic", "wrong password")
    other.close()
    sign_in(page, accounts_url, "ann")
    page.goto(f"{accounts_url}/nl/account")
    users = page.locator("#users tbody tr").all_inner_texts()
    assert any("alice" in u and "analyst" in u for u in users) and len(users) == 3
    # the actions by their code, shown in words (Dutch here)
    actions = page.locator("#audit-log td[data-action]")
    codes = [actions.nth(i).get_attribute("data-action") for i in range(actions.count())]
    assert "user_created" in codes and "login_failed" in codes
    shown = " ".join(actions.all_inner_texts())
    assert "user_created" not in shown and "login_failed" not in shown
    shot(page, "account_admin")
    page.goto(f"{accounts_url}/en/data")
    assert page.locator("#fetch-form").count() == 1
    shot(page, "data")
    assert page.errors == [] and page.external == []


def test_analyst_saves_a_whatif_and_opens_it_again(page, accounts_url):
    sign_in(page, accounts_url, "alice")
    run_tin_whatif(page, accounts_url, "en")
    first = page.locator("#whatif-table tbody").inner_text()
    page.fill("#whatif-save input[name=name]", "tin from China, t = 1.5")
    page.click("#whatif-save-button")
    page.wait_for_selector("#whatif-save-status[data-id]", timeout=10_000)
    saved = page.get_attribute("#whatif-save-status", "data-id")
    assert page.inner_text("#whatif-save-status") == f"Saved as #{saved}"
    # the account page lists it; opening it runs the same scenario again
    page.goto(f"{accounts_url}/en/account")
    page.click(f"#saved-items tr[data-id='{saved}'] a.open-saved")
    page.wait_for_selector("#whatif-result[data-runs='1']", timeout=30_000)
    assert "tin from China, t = 1.5" in page.inner_text("#whatif-opened")
    assert page.locator("#whatif-changes li").count() == 1
    assert page.locator("#whatif-table tbody").inner_text() == first
    shot(page, "materials_whatif_saved")
    assert page.errors == [] and page.external == []


def test_analyst_saves_an_uploaded_bom(page, accounts_url, tmp_path: Path):
    sign_in(page, accounts_url, "alice")
    page.goto(f"{accounts_url}/en/bom")
    bom = tmp_path / "mine.yaml"
    bom.write_text(
        "system: my fan\nillustrative: false\nunit: mass_kg\n"
        "sources:\n  - {id: s1, citation: hand-made}\n"
        "materials:\n  - {material: gallium, mass_kg: 1, source: s1}\n"
        "  - {material: copper, mass_kg: 3, source: s1}\n"
    )
    page.set_input_files("#bom-upload input[type=file]", str(bom))
    page.check("#bom-save-fields input[name=save]")
    page.click("#bom-upload button[type=submit]")
    page.wait_for_selector("#bom-saved")
    assert "my fan" in page.inner_text("#bom-saved")
    rows = page.locator("#bom-materials tbody tr").count()
    page.click("#bom-saved a")
    page.wait_for_selector("#bom-result")
    assert "?saved=" in page.url and page.locator("#bom-materials tbody tr").count() == rows == 2
    assert page.errors == [] and page.external == []
