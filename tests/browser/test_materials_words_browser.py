"""The material and BOM pages' words in a real browser, in Dutch (issue 15, points 15 and 16):
the reconciliation notes in Dutch with Dutch decimals, the USGS source by name, the BOM's
single points of failure with names and Dutch percentages, the quantity with its unit."""

from __future__ import annotations

import json
import re
import urllib.request

from browser_support import shot


def _json(url: str) -> dict:
    with urllib.request.urlopen(url) as r:
        return json.load(r)


def test_dutch_material_page_notes_and_usgs_source(page, base_url):
    api = _json(f"{base_url}/api/v1/materials/cobalt")
    page.goto(f"{base_url}/nl/materials/cobalt")
    notes = page.inner_text("#reconciliation-notes")
    shot(page, "materials_words_cobalt_nl")
    ir = api["reconciliation"][0]["ir"]
    assert f"IR {ir:.2f}".replace(".", ",") + " berekend" in notes
    assert "computed" not in notes and "supply used" not in notes
    assert page.inner_text("#usgs-source").startswith("USGS MCS ")
    assert "Kobalt" in page.inner_text("#usgs-source")  # the Dutch name


def test_dutch_bom_summary_names_materials_countries_and_percentages(page, base_url):
    api = _json(f"{base_url}/api/v1/bom/naval_aesa_radar/exposure")
    spof = [r for r in api["materials"] if r["single_point_of_failure"]]
    page.goto(f"{base_url}/nl/bom?name=naval_aesa_radar")
    page.wait_for_selector("#bom-summary")
    summary = page.inner_text("[data-key=single_points_of_failure]")
    shot(page, "materials_words_bom_nl")
    assert summary.count("(verwerking)") + summary.count("(winning)") == len(spof)
    assert "Siliciummetaal (verwerking): China 76%" in summary
    assert not re.search(r"\b[A-Z]{3}\b \d", summary)  # no ISO3 codes before a share
    assert "silicon_metal" not in summary and "processing" not in summary
    head = page.inner_text("#bom-materials thead")
    assert "Massa (kg)" in head and "mass_kg" not in page.inner_text("main")
