"""The materials area in a real browser: what-if on a material, one material, BOM upload."""

from __future__ import annotations

from pathlib import Path

from browser_support import shot

from ketenradar.results import starter

TOY = """\
system: toy radar
illustrative: false
unit: mass_kg
sources:
  - {id: s1, citation: "hand-made for the test"}
subsystems:
  - name: board
    quantity: 2
    components:
      - name: chip
        materials:
          - {material: gallium, mass_kg: 1.5, source: s1}
  - name: cable
    materials:
      - {material: copper, mass_kg: 4, stage: extraction, source: s1}
"""


def test_whatif_on_a_material_without_a_page_reload(page, base_url):
    page.goto(f"{base_url}/en/materials")
    page.wait_for_selector("#ei-sr-chart[data-drawn]", timeout=30_000)
    url = page.url
    page.evaluate("window.__noReload = 'still here'")
    # tin export restrictions by China and Indonesia (t = 1.5), as in the example scenario
    page.select_option("#whatif-type", "export_restriction")
    page.select_option("#whatif-material", "tin")
    page.fill("#whatif-form input[name=country]", "CHN")
    page.fill("#whatif-form input[name=t]", "1.5")
    page.click("#whatif-add")
    page.fill("#whatif-form input[name=country]", "IDN")
    page.click("#whatif-add")
    page.select_option("#whatif-type", "wgi")
    assert page.is_hidden("#whatif-material")  # a WGI change has no material
    page.fill("#whatif-form input[name=country]", "MMR")
    page.fill("#whatif-form input[name=estimate]", "-2.5")
    page.click("#whatif-add")
    assert page.locator("#whatif-changes li").count() == 3
    page.click("#whatif-run")
    page.wait_for_selector("#whatif-result[data-runs='1']", timeout=30_000)
    # no navigation happened: same URL, same window state
    assert page.url == url
    assert page.evaluate("window.__noReload") == "still here"
    status = page.locator("#whatif-status").inner_text()
    assert "Tin: becomes critical" in status
    tin = page.locator("#whatif-table tbody tr[data-material=tin]")
    assert tin.count() == 2
    assert "status-change" in (tin.first.get_attribute("class") or "")
    delta = tin.locator("td.delta").first.inner_text()
    assert delta.startswith("+")
    # baseline SR of tin (processing) as shipped (the what-if's baseline is the calibrated
    # one), and the scenario's points on the chart
    crit = starter.read("criticality")
    tin_p = crit[(crit["material"] == "tin") & (crit["stage"] == "processing")]
    sr = tin_p["sr_calibrated"].iloc[0]
    row = page.locator("#whatif-table tbody tr[data-material=tin][data-stage=processing]")
    assert row.locator("td.sr").inner_text() == f"{sr:.2f}"
    names = page.evaluate("document.getElementById('ei-sr-chart').data.map((t) => t.name)")
    assert "Scenario" in names
    shot(page, "materials_whatif")
    assert page.errors == [] and page.external == []


def test_whatif_error_is_shown_in_the_page(page, base_url):
    page.goto(f"{base_url}/nl/materials?material=gallium")
    assert page.input_value("#whatif-material") == "gallium"
    page.fill("#whatif-form input[name=country]", "Chna")
    page.click("#whatif-run")
    page.wait_for_selector("#whatif-errors:not([hidden])", timeout=30_000)
    text = page.locator("#whatif-errors").inner_text()
    assert "422" in text and "unknown country 'Chna'" in text
    assert page.is_hidden("#whatif-result")
    # the server said 422: the browser logs the failed request; nothing else went wrong
    assert [e for e in page.errors if "422" not in e] == [] and page.external == []


def test_material_detail_page(page, base_url):
    page.goto(f"{base_url}/en/materials")
    page.click("#criticality a.material-link >> text=Gallium")
    page.wait_for_url("**/en/materials/gallium")
    assert page.inner_text("h1") == "Gallium"
    assert page.locator("#reconciliation tbody tr").count() >= 1
    assert page.locator("#concentration tbody tr").count() >= 2
    assert "China" in page.inner_text("#crma-material")  # the country's name, not CHN
    shot(page, "material_detail")
    page.click("#whatif-link")
    page.wait_for_selector("#whatif-form")
    assert page.input_value("#whatif-material") == "gallium"
    assert page.errors == [] and page.external == []


def test_bom_packaged_and_upload(page, base_url, tmp_path: Path):
    page.goto(f"{base_url}/en/bom")
    options = page.locator("#bom-packaged select[name=name] option").all_inner_texts()
    assert options and all("illustrative" in o for o in options)
    page.select_option("#bom-packaged select[name=name]", "naval_aesa_radar")
    page.click("#bom-packaged button")
    page.wait_for_url("**name=naval_aesa_radar**")
    assert page.is_visible("#bom-illustrative")
    assert "Gallium" in page.inner_text("#bom-summary")  # the material's name, not its id
    # a bad file: rejected with the reasons on the page
    bad = tmp_path / "bad.yaml"
    bad.write_text(TOY.replace("quantity: 2", "quantity: -2"))
    page.set_input_files("#bom-upload input[name=file]", str(bad))
    page.click("#bom-upload button")
    page.wait_for_selector("#bom-errors")
    errors = page.inner_text("#bom-errors")
    assert "bad.yaml" in errors and "toy radar > board" in errors
    assert "quantity must not be negative" in errors and "line 7" in errors
    assert page.locator("#bom-result").count() == 0
    # a good file: the exposure
    good = tmp_path / "good.yaml"
    good.write_text(TOY)
    page.set_input_files("#bom-upload input[name=file]", str(good))
    page.click("#bom-upload button")
    page.wait_for_selector("#bom-result")
    assert page.inner_text("#bom-system") == "toy radar"
    assert page.locator("#bom-errors").count() == 0
    assert page.locator("#bom-materials tbody tr").count() == 2
    assert page.locator("#bom-illustrative").count() == 0
    shot(page, "bom")
    # the failed upload answered 422 (an invalid document): the browser logs it, nothing else
    assert [e for e in page.errors if "422" not in e] == [] and page.external == []
