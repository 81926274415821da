"""The kansenkaart's map page in a real browser, on a real server with the fictional demo set
and the real map data: the form switches to COROP regions, the map draws every region at a
readable size with its count in the tooltip (Dutch on /nl/), the legend and the table agree
with the map, and a work package's matchmaking list downloads as CSV. Screenshots in
``test-artifacts/``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser_support import add_users, shot, sign_in
from conftest import require_shared, running_server


@pytest.fixture(scope="module")
def kk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server whose accounts database holds an admin and the demo suppliers."""
    shared = require_shared("geo/nl").parent.parent
    store = tmp_path_factory.mktemp("kansenkaart") / "store"
    env = {**os.environ, "KETENRADAR_DATA_DIR": str(store), "KETENRADAR_SHARED_DATA": str(shared)}
    done = subprocess.run(
        [sys.executable, "-m", "ketenradar", "kansenkaart", "suppliers", "demo", "--count", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    add_users(store, {"ann": "admin"})
    with running_server(store, {"KETENRADAR_SHARED_DATA": str(shared)}) as url:
        yield url


def test_the_map_by_corop_region_with_tooltips_legend_and_table(page, kk_url: str):
    sign_in(page, kk_url, "ann")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{kk_url}/nl/kansenkaart/matching")
    assert page.locator("#matching-map path").count() == 12
    page.select_option("#matching-form select[name=level]", "corop")
    page.select_option("#matching-form select[name=measure]", "candidates")
    page.click("#matching-form button[type=submit]")
    page.wait_for_load_state()
    assert "level=corop" in page.url
    regions = page.locator("#matching-map path")
    assert regions.count() == 40
    box = page.locator("#matching-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 300  # readable, not a thumbnail
    values = regions.evaluate_all("ps => ps.map(p => [p.dataset.region, +p.dataset.value])")
    counted = {k: v for k, v in values if v}
    assert sum(counted.values()) == 60  # every demo supplier has a capability or ambition
    # the table lists exactly the regions the map colours, with the same numbers
    rows = page.locator("#matching-regions tbody tr").evaluate_all(
        "rs => rs.map(r => [r.dataset.region, +r.cells[2].textContent])"
    )
    assert dict(rows) == counted
    # the tooltip of the busiest region: its Dutch name and count
    busiest = max(counted, key=counted.get)
    title = page.locator(f'#matching-map path[data-region="{busiest}"] title').text_content()
    assert title.endswith(f": {counted[busiest]}") and not title.startswith("CR")
    legend = page.locator("#matching-legend li").all_text_contents()
    assert legend[0].strip() == "0" and legend[-1].strip().endswith(str(max(counted.values())))
    shot(page, "kansenkaart-map-corop-nl")

    # a work package's matchmaking list, as a file
    with page.expect_download() as dl:
        page.click('#matching-work-packages tr[data-work-package="valves"] a[href*="match.csv"]')
    df = pd.read_csv(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8")))
    assert len(df) > 0 and set(df["work_package_name"]) == {"Afsluiters"}


def test_the_english_map_and_the_bottlenecks(page, kk_url: str):
    sign_in(page, kk_url, "ann")
    page.goto(f"{kk_url}/en/kansenkaart/matching?design=timcat_pwr12_me&origin=FR")
    assert page.locator("#matching-map path").count() == 12
    assert page.locator("#matching-bottlenecks h2").text_content() == "Bottlenecks"
    items = page.locator("#matching-bottleneck-list li").all_text_contents()
    assert items and all("qualified now" in i for i in items)
    assert page.locator("#matching-form select[name=origin]").input_value() == "FR"
    shot(page, "kansenkaart-map-province-en")
