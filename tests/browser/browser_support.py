"""Shared by the browser tests: where screenshots go, accounts and the OECD ICIO table made
with the CLI, and the steps many tests take in the browser (signing in, a shock, a what-if)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # also in tests/conftest.py


def shot(page, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def add_users(store: Path, users: dict[str, str]) -> None:
    """Create an account per user name (its role the value, the password ``PASSWORD``) in the
    store ``store`` with ``ketenradar users add``."""
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(store)}
    for name, role in users.items():
        subprocess.run(
            [sys.executable, "-m", "ketenradar", "users", "add", name, "--role", role,
             "--password-stdin"],
            input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True,
        )  # fmt: skip


def load_icio(source: Path, store: Path) -> Path:
    """Load the OECD ICIO table at ``source`` into the store ``store`` with ``ketenradar io
    load icio`` (failing the test with its output if it fails); the store."""
    done = subprocess.run(
        [sys.executable, "-m", "ketenradar", "io", "load", "icio", str(source)],
        env={**os.environ, "KETENRADAR_DATA_DIR": str(store)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return store


def sign_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the server at ``url`` through its English sign-in form."""
    page.goto(f"{url}/en/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def submit_shock(page, *, supplier: str, fall: str, **fields: str) -> None:
    """Fill the input-output page's shock form (``economy``, ``industries`` and ``model``
    when given), submit it and wait for the result."""
    page.fill("#shock-form input[name=supplier]", supplier)
    page.fill("#shock-form input[name=fall]", fall)
    if "economy" in fields:
        page.fill("#shock-form input[name=economy]", fields["economy"])
    if "industries" in fields:
        page.fill("#shock-form input[name=industries]", fields["industries"])
    if "model" in fields:
        page.select_option("#shock-form select[name=model]", fields["model"])
    page.click("#shock-form button[type=submit]")
    page.wait_for_selector("#shock-result[data-done]", timeout=120_000)


def run_shock(page, url: str, lang: str, *, supplier: str, fall: str, **fields: str) -> None:
    """Open the input-output page in ``lang`` and run a shock there (see ``submit_shock``)."""
    page.goto(f"{url}/{lang}/io")
    submit_shock(page, supplier=supplier, fall=fall, **fields)


def run_tin_whatif(page, url: str, lang: str) -> None:
    """Open the materials page in ``lang`` and run the what-if "China restricts its tin
    exports, t = 1.5"; wait for its result."""
    page.goto(f"{url}/{lang}/materials")
    page.select_option("#whatif-type", "export_restriction")
    page.select_option("#whatif-material", "tin")
    page.fill("#whatif-form input[name=country]", "CHN")
    page.fill("#whatif-form input[name=t]", "1.5")
    page.click("#whatif-run")
    page.wait_for_selector("#whatif-result[data-runs='1']", timeout=60_000)
