"""The materials page in a real browser: own computation next to the published values, group
values for individual rare earths, "–" where there is no value, the EI × SR chart coloured by
each stage's own result (issue 15, point 11)."""

from __future__ import annotations

from browser_support import shot

from ketenradar.results import starter


def test_materials_page_own_published_and_group_values(page, base_url):
    crit = starter.read("criticality")
    page.goto(f"{base_url}/en/materials")
    page.wait_for_selector("#ei-sr-chart[data-drawn]", timeout=30_000)
    # headers say which values are the project's own and which are published
    head = page.locator("#criticality thead").inner_text()
    assert "SR (own computation)" in head and "SR (published)" in head
    # dysprosium: no published value of its own; the HREE group's is shown, marked
    dy = page.locator("#criticality tbody tr[data-material=dysprosium]").first
    pub = dy.locator("td.sr-published")
    hree = crit[crit["material"] == "hree"]["sr_published"].dropna().iloc[0]
    assert pub.inner_text().startswith(f"{hree:.2f}")
    assert "Heavy rare earth" in pub.inner_text()
    assert "group" in (pub.get_attribute("title") or "")
    assert "✓" in dy.locator("td.critical-published").inner_text()
    # the own SR is the fact table's own computation, not the published value
    dy_sr = crit[(crit["material"] == "dysprosium") & (crit["stage"] == "extraction")]["sr"]
    assert dy.locator("td.sr").inner_text() == f"{float(dy_sr.iloc[0]):.2f}"
    # no value → "–", never a ✓ (lree has a published score but no own SR)
    lree = page.locator("#criticality tbody tr[data-material=lree]").first
    assert lree.locator("td.sr").inner_text() == "–"
    assert lree.locator("td.critical").inner_text() == "–"
    # CRMA rows without data show "–" (never ✓); a row whose EU sourcing has no third
    # country says so instead of a blank
    crma = starter.read("crma")
    for _, r in crma.iterrows():
        row = page.locator(f"#crma-table tbody tr[data-material={r['material']}]").nth(
            int((crma[crma["material"] == r["material"]].index < r.name).sum())
        )
        cells = row.locator("td").all_inner_texts()
        if r["meets_65"] is None:
            assert cells[2:] == ["–", "–", "–"], cells
        else:
            assert cells[4] in ("✓", "✗") and cells[2].strip(), cells
    w = page.locator("#crma-table tbody tr[data-material=tungsten]").first.inner_text()
    assert "EU27 only" in w
    shot(page, "criticality_materials_page")


def test_chart_colours_points_by_the_stage_own_result(page, base_url):
    page.goto(f"{base_url}/en/materials")
    page.wait_for_selector("#ei-sr-chart[data-drawn]", timeout=30_000)
    traces = page.evaluate(
        "Array.from(document.getElementById('ei-sr-chart').data)"
        ".map(t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)}))"
    )
    red, blue = traces[0], traces[1]
    assert red["y"] and blue["y"]
    # every red point is critical at its own stage: none below SR = 1 or EI = 2.8
    assert min(red["y"]) >= 1.0 - 1e-9 and min(red["x"]) >= 2.8 - 1e-9
    assert all(not (x >= 2.8 and y >= 1.0) for x, y in zip(blue["x"], blue["y"], strict=True))
    # there are materials critical through one stage whose other stage lies below SR = 1
    crit = starter.read("criticality").dropna(subset=["sr", "ei"])
    mixed = crit[(crit["critical"] == True) & (crit["sr"] < 1.0)]  # noqa: E712
    assert len(mixed) > 0
    note = page.locator("#ei-sr-note").inner_text()
    assert "stage" in note and "SR = 1.0" in note
    shot(page, "criticality_chart")


def test_dutch_materials_page_labels(page, base_url):
    page.goto(f"{base_url}/nl/materials")
    page.wait_for_selector("#ei-sr-chart[data-drawn]", timeout=30_000)
    head = page.locator("#criticality thead").inner_text()
    assert "eigen berekening" in head and "gepubliceerd" in head
    first = page.locator("#criticality tbody tr").first.locator("td").nth(1).inner_text()
    assert first in {"winning", "verwerking", "–"}, first
    shot(page, "criticality_materials_page_nl")


def test_chart_points_are_named_in_the_page_language(page, base_url):
    """Hovering a point of the EI × SR chart names the material and stage as the table does:
    in Dutch on /nl/ (Kobalt (verwerking)), in English on /en/."""
    for lang, cobalt, stage, other in (
        ("nl", "Kobalt", "verwerking", "processing"),
        ("en", "Cobalt", "processing", "verwerking"),
    ):
        page.goto(f"{base_url}/{lang}/materials")
        page.wait_for_selector("#ei-sr-chart[data-drawn]", timeout=30_000)
        texts = page.evaluate(
            "Array.from(document.getElementById('ei-sr-chart').data)"
            ".flatMap(t => Array.from(t.text))"
        )
        assert f"{cobalt} ({stage})" in texts, texts[:5]
        assert not any(f"({other})" in t for t in texts)
        assert not any("_" in t for t in texts)  # no ids such as silicon_metal
