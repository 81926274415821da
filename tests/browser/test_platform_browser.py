"""The platform in a real browser: the API docs at /docs from vendored Swagger UI (no CSP
error, nothing from another host); a fresh installation's first-run set-up, an API token made
on the account page and used by a script; "fetch a full BACI release and rebuild the facts"
on the data page with its progress, against the local HTTP server standing in for CEPII."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from browser_support import shot
from conftest import running_server, write_country_dict, write_product_dict, write_trade

PASSWORD = "correct horse battery staple"
CHEAP_ARGON2 = {
    "KETENRADAR_ARGON2_TIME_COST": "1",
    "KETENRADAR_ARGON2_MEMORY_KIB": "64",
    "KETENRADAR_ARGON2_PARALLELISM": "1",
}


def test_api_docs_render_from_vendored_assets(page, base_url: str):
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    ops = page.locator(".opblock")
    assert ops.count() >= 20
    assert page.locator(".opblock-summary-path", has_text="/api/v1/tokens").count() >= 2
    # the security schemes: the Authorize button offers the token and the session
    page.click("button.authorize")
    page.wait_for_selector(".auth-container")
    dialog = page.locator(".dialog-ux").inner_text()
    assert "apiToken" in dialog and "session" in dialog
    shot(page, "platform-api-docs")
    assert page.errors == [], page.errors
    assert page.external == [], page.external
    # /redoc would load from a CDN: it is off
    assert page.request.get(f"{base_url}/redoc").status == 404


def _release(root: Path, src: Path) -> None:
    src.mkdir(parents=True, exist_ok=True)
    files = [write_country_dict(src), write_product_dict(src, ["260111", "810590"])]
    files.append(
        write_trade(
            src,
            2022,
            [(2022, 156, 528, "260111", 500.0, 10.0), (2022, 156, 528, "810590", 75.0, 1.0)],
        )
    )
    with zipfile.ZipFile(root / "BACI_HS92_V202401b.zip", "w") as zf:
        for f in files:
            zf.write(f, f.name)


def test_first_run_token_and_fetch_rebuild(page, http_server, tmp_path: Path):
    _release(http_server.root, tmp_path / "release")
    env = {**CHEAP_ARGON2, "KETENRADAR_BACI_BASE_URL": http_server.url("")}
    with running_server(tmp_path / "store", env) as url:
        # first run: the sign-in page offers the set-up; the set-up makes the admin
        page.goto(f"{url}/en/login")
        page.click("#setup-link a")
        page.wait_for_selector("#setup-form")
        page.fill("input[name=username]", "ann")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        shot(page, "platform-setup")
        page.click("#setup-form button[type=submit]")
        page.wait_for_selector("#whoami")
        assert page.url.endswith("/en/account") and "ann (admin)" in page.inner_text("#whoami")
        assert page.request.get(f"{url}/en/setup").status == 404

        # an API token, shown once; a script uses it without cookies or CSRF token
        page.fill("#new-token-form input[name=name]", "nightly report")
        page.select_option("#new-token-form select[name=role]", "analyst")
        page.click("#new-token-form button[type=submit]")
        token = page.inner_text("#new-token-value").strip()
        assert token.startswith("kr_")
        shot(page, "platform-token-made")
        req = urllib.request.Request(
            f"{url}/api/v1/saved/bom",
            data=json.dumps({"name": "from a script", "body": "system: x\n"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req) as r:
            assert r.status == 201 and json.load(r)["owner"] == "ann"
        page.goto(f"{url}/en/account")
        assert token not in page.content()
        assert "nightly report" in page.inner_text("#tokens")
        page.click("#tokens .revoke-token")
        page.wait_for_selector("#no-tokens")
        with pytest.raises(urllib.error.HTTPError) as gone:
            urllib.request.urlopen(req)
        assert gone.value.code == 401

        # fetch a full BACI release and rebuild the facts: one action, progress, result
        page.goto(f"{url}/en/data")
        assert "rebuild the facts" in page.inner_text("#fetch-rebuild")
        page.click("#fetch-form button[type=submit]")
        page.wait_for_url("**/en/data?job=*", timeout=120_000)
        page.wait_for_selector("#job[data-state=done]", timeout=30_000)
        result = page.inner_text("#job-result")
        assert "baci_hs92_v202401b" in result and "screening" in result
        assert "baci_hs92_v202401b" in page.inner_text("#store-datasets")
        shot(page, "platform-fetch-rebuild-done")
        assert page.errors == [], page.errors
        assert page.external == [], page.external
        facts = page.request.get(f"{url}/api/v1/facts").json()
        assert facts["tables"]["screening"]["origin"] == "store"
