"""The material and BOM pages say in words what the data holds (issue 15, points 15 and 16).

Every check renders the real app over the committed starter pack and compares the page with
the JSON API or the served fact table: the reconciliation notes (catalog messages with their
numbers in the page's language, the same notes as the fact table's English ``note``), the
single points of failure of a BOM (material names, stage labels, country names, Dutch
percentages), the BOM's quantity label and unit, the USGS source by name, translated trends
and CRMA notes, and a missing-data hint with its command as code, not Markdown backticks.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from conftest import csrf_headers
from fastapi.testclient import TestClient
from test_dutch import visible

from ketenradar.core.countries import country_name
from ketenradar.core.vocabularies.materials import display_name
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.i18n import format_number, format_percent, gettext
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.materials.assessment import NOTE_TEXTS, note_items, note_text


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The real app over an empty store: it serves the starter pack."""
    return TestClient(
        create_app(settings=WebSettings.from_env(tmp_path_factory.mktemp("words") / "store"))
    )


def texts(html: str) -> list[str]:
    """The visible text pieces of a page (no scripts), as the Dutch test reads them."""
    return [p.text for p in visible(html).texts]


def notes_list(html: str) -> dict[str, str]:
    """The reconciliation notes of a material page by stage: the ``<li>``'s text."""
    ul = re.search(r'<ul id="reconciliation-notes"[^>]*>(.*?)</ul>', html, re.S)
    assert ul, "no reconciliation notes"
    out = {}
    for stage, body in re.findall(r'<li data-stage="([^"]*)">(.*?)</li>', ul.group(1), re.S):
        out[stage] = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", body)).split())
    return out


def test_notes_rebuilt_from_the_fact_table_equal_its_note_column(client: TestClient):
    """Every row of the served criticality table: the structured notes the pages show say
    exactly what the English ``note`` column says."""
    crit = client.app.state.facts.table("criticality")
    assert len(crit) > 100
    for _, g in crit.groupby("material"):
        for r in g.to_dict(orient="records"):
            _, items = note_items(r, g["sr"].max(), r["eol_rir"], r["bottleneck_stage"])
            assert note_text(items) == r["note"], r["material"]
            assert {k for k, _ in items} <= set(NOTE_TEXTS)


def test_english_material_page_shows_the_fact_tables_notes(client: TestClient):
    """On /en/ the notes read as the fact table's ``note`` (the catalog's English wording is
    the method's), numbers included: IR 0.95 for cobalt, an assumed IR of 1 for gallium."""
    for material in ("cobalt", "gallium", "lithium", "hree", "lree", "neodymium", "boron"):
        api = client.get(f"/api/v1/materials/{material}").json()
        html = client.get(f"/en/materials/{material}").text
        shown = notes_list(html)
        want = {
            (r["stage"] or ""): (
                f"{gettext('en', 'mat_stage_' + r['stage'])}: " if r["stage"] else ""
            )
            + r["note"]
            for r in api["reconciliation"]
            if r["note"]
        }
        assert want, material
        for stage, text in want.items():
            assert shown[stage] == " ".join(text.split()), (material, stage)


def test_dutch_material_page_notes_are_dutch_with_dutch_numbers(client: TestClient):
    api = client.get("/api/v1/materials/cobalt").json()
    html = client.get("/nl/materials/cobalt").text
    shown = notes_list(html)
    rows = {r["stage"]: r for r in api["reconciliation"]}
    for stage, row in rows.items():
        assert row["ir_source"] == "trade"
        ir = format_number(row["ir"], "nl", 2)
        assert "," in ir  # 0,95
        assert f"IR {ir} berekend uit de handelsgegevens van BACI" in shown[stage]
        assert shown[stage].startswith(gettext("nl", f"mat_stage_{stage}") + ": ")
        for english in ("computed", "the ", "used for both", "assumed"):
            assert english not in shown[stage]
    # the JSON API carries the same notes as keys and numbers, for scripts
    assert rows["extraction"]["notes"][0] == {"key": "no_eu_shares", "params": {}}
    ir_note = next(n for n in rows["processing"]["notes"] if n["key"] == "ir_trade")
    assert ir_note["params"]["ir"] == pytest.approx(rows["processing"]["ir"])


def test_trends_and_crma_notes_are_translated(client: TestClient):
    api = client.get("/api/v1/materials/cobalt").json()
    trends = {r["trend"] for r in api["concentration"] if r["trend"]}
    assert "more concentrated" in trends
    html = client.get("/nl/materials/cobalt").text
    shown = texts(html)
    assert gettext("nl", "mat_trend_more_concentrated") in shown
    assert "more concentrated" not in html.split('id="concentration"')[1].split("</table>")[0]
    crma_notes = [r["note"] for r in api["crma"] if r["note"]]
    assert crma_notes == ["no EU sourcing shares: 65 % benchmark not judged"]
    assert gettext("nl", "mat_crma_note_no_eu_sourcing") in shown
    assert crma_notes[0] not in shown


def test_usgs_source_is_named_not_its_file_stem(client: TestClient):
    api = client.get("/api/v1/materials/gallium").json()
    assert api["usgs_codes"] == ["galli"]
    release = next(
        d["release"] for d in client.app.state.facts.manifest()["datasets"] if d["source"] == "usgs"
    )
    years = re.findall(r"\d{4}", release)
    for lang in ("nl", "en"):
        shown = texts(client.get(f"/{lang}/materials/gallium").text)
        assert f"USGS MCS {years[0]}–{years[-1]}, Gallium" in shown
        assert "galli" not in shown
        assert gettext(lang, "mat_usgs_source") in shown


def test_bom_single_points_of_failure_are_named(client: TestClient):
    """The summary lists each input above 65 % with the material's name, the stage's label,
    the country's name and a Dutch percentage, the same inputs as the JSON API."""
    api = client.get("/api/v1/bom/naval_aesa_radar/exposure").json()
    spof = [r for r in api["materials"] if r["single_point_of_failure"]]
    assert len(spof) >= 5
    assert any(r["material"] == "silicon_metal" for r in spof)
    html = client.get("/nl/bom?name=naval_aesa_radar").text
    spans = re.findall(r'<span class="spof" data-material="([^"]+)">([^<]*)</span>', html)
    assert [m for m, _ in spans] == [r["material"] for r in spof]
    for (_, text), r in zip(spans, spof, strict=True):
        want = (
            f"{display_name(r['material'], 'nl')} ({gettext('nl', 'mat_stage_' + r['stage'])}): "
            f"{country_name(r['top_country'], 'nl')} {format_percent(r['top_share'], 'nl')}"
        )
        assert text == want
    assert "Siliciummetaal (verwerking): China" in html
    shown = texts(html)
    for raw in ("silicon_metal", "mass_kg", "CHN", "(processing)"):
        assert not any(raw in t for t in shown), raw


def test_bom_quantity_is_labelled_with_its_unit(client: TestClient):
    api = client.get("/api/v1/bom/naval_aesa_radar/exposure").json()
    assert api["bom"]["unit"] == "mass_kg"
    assert api["quantity_column"]["unit"] == "kg"
    for lang, label in (("nl", "Massa (kg)"), ("en", "Mass (kg)")):
        html = client.get(f"/{lang}/bom?name=naval_aesa_radar").text
        head = html.split('id="bom-materials"')[1].split("</thead>")[0]
        assert f"<th>{label}</th>" in head
        assert "mass_kg" not in " ".join(texts(html))
    # the countries' critical materials by name, and the critical list in the summary
    html = client.get("/nl/bom?name=naval_aesa_radar").text
    countries = html.split('id="bom-countries"')[1].split("</table>")[0]
    assert "Siliciummetaal" in countries and "silicon_metal" not in countries


def test_bom_notes_name_the_stage_used(client: TestClient):
    """An input with no supply data at its stage (fluorspar is only mined in the EU CRM
    tables): the engine's English note, and the page's note in Dutch with the stages named."""
    text = """\
system: toy
illustrative: false
unit: mass_kg
sources:
  - {id: s1, citation: "hand-made for the test"}
materials:
  - {material: fluorspar, stage: processing, mass_kg: 2, source: s1}
  - {material: gallium, mass_kg: 1, source: s1}
"""
    headers = csrf_headers(client)
    api = client.post(
        "/api/v1/bom/exposure", files={"file": ("t.yaml", text.encode())}, headers=headers
    )
    assert api.status_code == 200, api.text[:300]
    row = next(r for r in api.json()["materials"] if r["material"] == "fluorspar")
    assert row["supply_stage_used"] == "extraction"
    assert row["note"] == "no processing supply data; used extraction"
    page = client.post(
        "/nl/bom",
        files={"file": ("t.yaml", text.encode())},
        data={"csrf_token": headers["X-CSRF-Token"]},
    )
    assert page.status_code == 200, page.text[:300]
    cells = page.text.split('data-material="fluorspar"')[1].split("</tr>")[0]
    assert "geen aanbodgegevens voor verwerking; winning gebruikt" in cells
    assert "supply data" not in cells


def test_missing_usgs_data_shows_the_command_as_code(client: TestClient):
    r = client.get("/nl/bom?name=naval_aesa_radar&supply=usgs")
    assert r.status_code == 409
    box = r.text.split('id="bom-errors"')[1].split("</div>")[0]
    assert "`" not in box
    assert "<code>ketenradar data add usgs " in box
    assert gettext("nl", "bom_not_computed") in box
    assert gettext("nl", "bom_rejected") not in box
