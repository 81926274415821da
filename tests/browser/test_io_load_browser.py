"""Issue 15 point 21 in a real browser: on a fresh install an admin loads the OECD ICIO table
from the input-output page (the shared data's icio_oecd_2022, real data), watches the job,
and once the page has reloaded runs a shock; a wrong folder is refused with the reason and
an analyst sees the command instead of the button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import add_users, shot, sign_in, submit_shock
from conftest import require_shared, running_server

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def fresh_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over an empty store, an admin and an analyst, the real shared data."""
    shared = require_shared("icio_oecd_2022").parent
    data = tmp_path_factory.mktemp("io-load") / "store"
    add_users(data, {"ann": "admin", "alice": "analyst"})
    with running_server(data, {"KETENRADAR_SHARED_DATA": str(shared)}) as url:
        yield url


def test_analyst_sees_the_command_not_the_button(page, fresh_url):
    sign_in(page, fresh_url, "alice")
    page.goto(f"{fresh_url}/nl/io")
    assert page.locator("#io-load-form").count() == 0
    assert page.locator("#io-load-need-admin").is_visible()
    assert "beheerder" in page.locator("#io-load-need-admin").inner_text()
    shot(page, "io_load_analyst_nl")


def test_admin_loads_the_table_then_runs_a_shock(page, fresh_url):
    sign_in(page, fresh_url, "ann")
    page.goto(f"{fresh_url}/en/io")
    assert page.locator("#shock-form").count() == 0
    button = page.locator("#io-load-button")
    assert button.inner_text().startswith("Load the OECD ICIO table from /")
    assert button.inner_text().endswith("icio_oecd_2022")

    # a wrong folder first: refused with the reason, nothing starts
    folder = page.locator("#io-load-form input[name=folder]")
    good = folder.input_value()
    folder.fill("/no/such/folder")
    assert button.inner_text() == "Load the OECD ICIO table from /no/such/folder"
    button.click()
    page.wait_for_selector("#io-load-error:text-matches('.')", timeout=30_000)
    assert "no folder /no/such/folder" in page.locator("#io-load-error").inner_text()
    assert page.locator("#io-load-job").get_attribute("data-state") == "refused"
    shot(page, "io_load_refused")

    # the shared folder: the job runs, shows its phase, and the page reloads with the form
    folder.fill(good)
    button.click()
    page.wait_for_selector(
        "#io-load-step:text-matches('^[12]/2 (add|facts): ')", state="attached", timeout=60_000
    )
    assert button.is_disabled()
    shot(page, "io_load_running")
    page.wait_for_selector("#shock-form", timeout=300_000)
    assert page.locator("#io-no-table").count() == 0
    submit_shock(page, supplier="CHN", fall="50", industries="C26")
    title = page.locator("#shock-result .shock-title").inner_text()
    assert title.startswith("50% fall in deliveries from China (C26)")
    assert page.locator("#shock-result tbody tr").count() == 1 + 50
    # the refused POST above answered 404 (Chromium logs that status); nothing else went wrong
    assert [e for e in page.errors if "404" not in e] == []
    shot(page, "io_load_then_shock")
