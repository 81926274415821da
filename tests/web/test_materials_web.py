"""The materials area of the web application: one material, the what-if, BOM exposure.

Results are compared with values computed independently: the shipped starter tables read with
pandas, the scenario engine and the BOM engine called directly, HHI_WGI,t summed by hand, and
(with ../shared/data) the CLI's Python API on a store loaded from the real sources.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import csrf_headers, require_shared
from fastapi.testclient import TestClient

from ketenradar.core.vocabularies.materials import materials as vocabulary
from ketenradar.interfaces.web.app import create_app
from ketenradar.interfaces.web.errors import ErrorBody
from ketenradar.interfaces.web.settings import WebSettings
from ketenradar.modules.materials.analysis.criticality import WGI_SCALED_MISSING
from ketenradar.modules.materials.bom import exposure, packaged_boms, parse_bom
from ketenradar.modules.materials.scenario import parse_scenario, run_scenario
from ketenradar.modules.materials.web import views as mp
from ketenradar.modules.materials.web.views import MAX_BOM_BYTES
from ketenradar.results import starter

REPO = Path(__file__).resolve().parents[2]
TIN = REPO / "examples" / "scenarios" / "tin_export_restriction.yaml"
GALLIUM = REPO / "examples" / "scenarios" / "gallium_diversification.yaml"

HEADER = """\
system: toy
illustrative: false
unit: mass_kg
sources:
  - {id: s1, citation: "hand-made for the test"}
"""
TOY = (
    HEADER
    + """\
subsystems:
  - name: board
    quantity: 2
    components:
      - name: chip
        materials:
          - {material: Gallium, mass_kg: 1.5, source: s1}
  - name: cable
    materials:
      - {material: copper, mass_kg: 4, stage: extraction, source: s1}
      - {material: tin, mass_kg: 0.5, source: s1}
"""
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = WebSettings.from_env(tmp_path_factory.mktemp("materials") / "store")
    return TestClient(create_app(settings=settings))


def _whatif(client: TestClient, doc: object) -> tuple[int, dict]:
    r = client.post("/api/v1/materials/whatif", json=doc, headers=csrf_headers(client))
    return r.status_code, r.json()


def _by_key(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["material"], r["stage"]): r for r in rows}


# --- what-if ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [TIN, GALLIUM])
def test_whatif_equals_the_scenario_engine_run_directly(client: TestClient, path: Path):
    doc = yaml.safe_load(path.read_text())
    status, body = _whatif(client, doc)
    assert status == 200
    assert body["inputs"]["origin"] == "starter"
    direct = run_scenario(mp.criticality_inputs(), parse_scenario(doc))
    got = _by_key(body["rows"])
    assert len(got) == len(direct)
    for r in direct.itertuples():
        g = got[(r.material, r.stage)]
        for col in (
            "sr_calibrated",
            "sr_scenario",
            "ei_calibrated",
            "ei_scenario",
            "hhi_wgi_t_gs_scenario",
        ):
            want = getattr(r, col)
            if pd.isna(want):
                assert g[col] is None
            else:
                assert g[col] == pytest.approx(want, rel=1e-12, abs=1e-12), (r.material, col)
        assert g["critical_change"] == r.critical_change
    changed = {k for k, g in got.items() if g["changed"]}
    assert body["n_changed"] == len(changed) > 0


def test_tin_export_restriction_turns_tin_critical(client: TestClient):
    status, body = _whatif(client, yaml.safe_load(TIN.read_text()))
    assert status == 200
    assert {"material": "tin", "name": "Tin", "change": "becomes critical"} in body[
        "status_changes"
    ]
    rows = _by_key(body["rows"])
    shipped = starter.read("criticality").set_index(["material", "stage"])
    for stage in ("extraction", "processing"):
        tin = rows[("tin", stage)]
        # the baseline is the shipped criticality table's calibrated variant, where tin is
        # not critical
        assert tin["sr_calibrated"] == pytest.approx(shipped.loc[("tin", stage), "sr_calibrated"])
        assert not shipped.loc[("tin", stage), "critical_calibrated"]
        assert tin["critical_calibrated"] is False
        assert tin["critical_scenario"] is True and tin["critical_change"] == "becomes critical"
        assert tin["sr_delta"] > 0
        assert tin["ei_delta"] == pytest.approx(0.0)  # the change does not touch EI
    # critical at the material level: the bottleneck stage's SR crosses 1.0, EI stays ≥ 2.8
    tin = [rows[("tin", s)] for s in ("extraction", "processing")]
    assert max(r["sr_scenario"] for r in tin) >= 1.0 > max(r["sr_calibrated"] for r in tin)
    assert min(r["ei_scenario"] for r in tin) >= 2.8
    # HHI_WGI,t of tin extraction (global supply) summed by hand from the shipped inputs
    shares = starter.read("criticality_shares")
    wgi = starter.read("criticality_wgi").set_index("country")["wgi_scaled"].to_dict()
    wgi["MMR"] = 10.0  # estimate −2.5 is the bottom of the scale: 10 on the 0–10 scale
    g = shares[(shares["material"] == "tin") & (shares["stage"] == "extraction")]
    g = g[(g["scope"] == "global")].dropna(subset=["share"])
    total = 0.0
    for c, s, t in zip(g["country"], g["share"], g["t"], strict=True):
        t = 1.5 if c in ("CHN", "IDN") else (1.0 if pd.isna(t) else t)
        total += s * s * wgi.get(c, WGI_SCALED_MISSING) * t
    assert rows[("tin", "extraction")]["hhi_wgi_t_gs_scenario"] == pytest.approx(total)


def test_whatif_row_left_alone_is_unchanged(client: TestClient):
    doc = {"changes": [{"export_restriction": {"material": "gallium", "country": "CHN", "t": 2}}]}
    status, body = _whatif(client, doc)
    assert status == 200
    rows = _by_key(body["rows"])
    assert rows[("gallium", "processing")]["changed"] is True
    assert rows[("gallium", "processing")]["sr_delta"] > 0
    assert all(not r["changed"] for k, r in rows.items() if k[0] != "gallium")


@pytest.mark.parametrize(
    ("doc", "needles"),
    [
        (
            {"changes": [{"export_restriction": {"material": "tinn", "country": "CHN", "t": 1}}]},
            ["changes[0].export_restriction", "unknown material 'tinn'", "closest: tin"],
        ),
        (
            {"name": "x", "chnages": [], "changes": [{"wgi": {"country": "CHN", "scaled": 8}}]},
            ["unknown key(s): chnages"],
        ),
        (
            {"changes": [{"export_restriction": {"material": "tin", "country": "CHN", "t": "hi"}}]},
            ["changes[0].export_restriction.t", "not a number: 'hi'"],
        ),
        (
            {"changes": [{"export_restriction": {"material": "tin", "country": "CHN", "t": 20}}]},
            ["outside 0..10"],
        ),
        (
            {"changes": [{"wgi": {"country": "Chna", "estimate": -1}}]},
            ["unknown country 'Chna'"],
        ),
        ({"changes": [{"embargo": {"country": "CHN"}}]}, ["unknown change 'embargo'"]),
        (
            {"changes": [{"wgi": {"country": "CHN", "estimate": "low"}}]},
            ["changes[0].wgi.estimate", "not a number: 'low'"],
        ),
        (
            {"changes": [{"recycling": {"material": "cobalt", "eol_rir": 0.4, "colour": 1}}]},
            ["unknown field(s) colour"],
        ),
        ({"changes": []}, ["'changes' must be a non-empty list"]),
        (
            {"changes": [{"wgi": {"country": "CHN", "scaled": 8}}] * 26},
            ["at most 25 changes"],
        ),
    ],
)
def test_invalid_scenarios_get_422_with_the_reason(client: TestClient, doc: dict, needles):
    status, body = _whatif(client, doc)
    assert status == 422
    for needle in needles:
        assert needle in body["detail"], body
    assert body["code"] == "invalid_data" and set(body) == set(ErrorBody.model_fields)
    if needles[0].startswith("changes["):  # the path to the bad node, as a field of its own
        assert body["node"] == needles[0], body


def test_whatif_body_must_be_a_json_object(client: TestClient):
    r = client.post("/api/v1/materials/whatif", json=[1, 2], headers=csrf_headers(client))
    assert r.status_code == 422 and "a scenario is a mapping" in r.json()["detail"]
    r = client.post(
        "/api/v1/materials/whatif",
        content=b"{not json",
        headers={**csrf_headers(client), "Content-Type": "application/json"},
    )
    assert r.status_code == 422


# --- one material -----------------------------------------------------------------------------


def test_material_detail_equals_the_starter_tables(client: TestClient):
    d = client.get("/api/v1/materials/Gallium").json()  # a name resolves through the vocabulary
    assert d["material"] == "gallium" and d["crm_2023"] and d["strategic_2023"]
    crit = starter.read("criticality")
    crit = crit[crit["material"] == "gallium"].set_index("stage")
    assert {r["stage"] for r in d["reconciliation"]} == set(crit.index)
    for r in d["reconciliation"]:
        row = crit.loc[r["stage"]]
        for col in ("sr", "ei", "sr_published", "ei_published", "implied_si_ei"):
            if pd.isna(row[col]):
                assert r[col] is None
            else:
                assert r[col] == pytest.approx(float(row[col]))
    assert d["reconciliation"][0]["sr_published"] == pytest.approx(3.9)
    conc = starter.read("concentration")
    conc = conc[conc["material"] == "gallium"]
    got = {
        (r["stage"], r["year"], r["top_country"], round(r["hhi"], 12)) for r in d["concentration"]
    }
    want = {
        (s, int(y), c, round(h, 12))
        for s, y, c, h in zip(
            conc["stage"], conc["year"], conc["top_country"], conc["hhi"], strict=True
        )
    }
    assert got == want and len(d["concentration"]) == len(conc)
    crma = starter.read("crma")
    crma = crma[crma["material"] == "gallium"]
    assert len(d["crma"]) == len(crma) == 1
    assert d["crma"][0]["max_third_country"] == "CHN"
    assert d["crma"][0]["max_third_country_share_eu_sourcing"] == pytest.approx(0.69)
    assert d["crma"][0]["meets_65"] is False


def test_material_concentration_basis_matches_a_hand_hhi(client: TestClient):
    d = client.get("/api/v1/materials/tin").json()
    shares = starter.read("criticality_shares")
    for r in d["concentration"]:
        if r["basis"] not in ("global_supply", "eu_sourcing"):
            assert r["basis"] == "world_production" and r["unit"] != "fraction"
            continue
        scope = "global" if r["basis"] == "global_supply" else "eu"
        s = shares[
            (shares["material"] == "tin")
            & (shares["stage"] == r["stage"])
            & (shares["scope"] == scope)
        ].dropna(subset=["share", "country"])
        assert r["hhi"] == pytest.approx(float((s["share"] ** 2).sum()))
        assert r["top_country"] == s.sort_values("share").iloc[-1]["country"]
    bases = {r["basis"] for r in d["concentration"]}
    assert bases == {"global_supply", "eu_sourcing", "world_production"}
    assert d["crma"] == []  # tin is not a strategic raw material


def test_unknown_material_is_404_with_the_closest_names(client: TestClient):
    r = client.get("/api/v1/materials/galium")
    assert r.status_code == 404 and "closest: gallium" in r.json()["detail"]
    page = client.get("/en/materials/galium")
    assert page.status_code == 404 and "closest: gallium" in page.text


def test_material_page_shows_the_values(client: TestClient):
    page = client.get("/en/materials/tin")
    assert page.status_code == 200
    crit = starter.read("criticality")
    tin = crit[(crit["material"] == "tin") & (crit["stage"] == "processing")].iloc[0]
    assert f"{tin['sr_published']:.2f}" in page.text and 'id="reconciliation"' in page.text
    assert 'id="concentration"' in page.text and "world production (USGS)" in page.text
    assert 'href="/en/materials?material=tin#whatif"' in page.text
    assert "Herberekening" in client.get("/nl/materials/tin").text


def test_materials_page_carries_the_whatif_form(client: TestClient):
    page = client.get("/en/materials")
    assert 'id="whatif-form"' in page.text and "/static/materials_whatif.js" in page.text
    assert 'href="/en/materials/gallium"' in page.text
    assert client.get("/static/materials_whatif.js").status_code == 200
    n = starter.read("criticality")["material"].nunique()
    assert page.text.count('<option value="', page.text.index('id="whatif-material"')) >= n


# --- bills of materials -----------------------------------------------------------------------


def _starter_supply() -> tuple[pd.DataFrame, dict[str, float]]:
    s = starter.read("criticality_shares")
    s = s[s["scope"] == "global"].dropna(subset=["country", "share"])
    w = starter.read("criticality_wgi")
    return s[["material", "stage", "country", "share"]], dict(
        zip(w["country"], w["wgi_scaled"], strict=True)
    )


def _upload(client: TestClient, text: str | bytes, name: str = "mine.yaml", **params):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/api/v1/bom/exposure",
        files={"file": (name, data, "application/x-yaml")},
        params=params,
        headers=csrf_headers(client),
    )


def _assert_same_exposure(body: dict, res) -> None:
    want = res.summary.iloc[0]
    s = body["summary"]
    assert s["n_materials"] == want["n_materials"] and s["n_critical"] == want["n_critical"]
    assert s["critical_share"] == pytest.approx(want["critical_share"])
    assert s["country_hhi"] == pytest.approx(want["country_hhi"])
    assert s["top_country"] == want["top_country"]
    assert s["single_points_of_failure"] == want["single_points_of_failure"]
    got = {(r["material"], r["stage"]): r for r in body["materials"]}
    for r in res.materials.itertuples():
        g = got[(r.material, r.stage)]
        assert g["quantity"] == pytest.approx(r.quantity)
        assert g["top_country"] == r.top_country
        assert g["hhi"] == pytest.approx(r.hhi)
        assert g["wgi_weighted_risk"] == pytest.approx(r.wgi_weighted_risk)
    countries = {r["country"]: r for r in body["countries"]}
    assert len(countries) == len(res.countries)
    for r in res.countries.itertuples():
        assert countries[r.country]["exposure_critical"] == pytest.approx(r.exposure_critical)


def test_bom_upload_equals_the_bom_engine_on_the_starter_supply(client: TestClient):
    r = _upload(client, TOY)
    assert r.status_code == 200
    body = r.json()
    shares, wgi = _starter_supply()
    critical = {m.material for m in vocabulary() if m.crm_2023}
    res = exposure(parse_bom(TOY), shares, wgi_scaled=wgi, critical=critical)
    _assert_same_exposure(body, res)
    # by hand: gallium 2 × 1.5 = 3 kg, copper 4 kg, tin 0.5 kg → gallium 40 %
    gallium = next(m for m in body["materials"] if m["material"] == "gallium")
    assert gallium["quantity"] == pytest.approx(3.0) and gallium["share"] == pytest.approx(0.4)
    g = shares[(shares["material"] == "gallium") & (shares["stage"] == "processing")]
    assert gallium["hhi"] == pytest.approx(float((g["share"] ** 2).sum()))
    assert body["bom"]["illustrative"] is False and body["supply"]["origin"] == "starter"


def test_packaged_boms_are_listed_as_illustrative_and_computed(client: TestClient):
    listed = client.get("/api/v1/bom/packaged").json()
    assert {b["name"] for b in listed} == set(packaged_boms())
    assert all(b["illustrative"] for b in listed)
    body = client.get("/api/v1/bom/naval_aesa_radar/exposure").json()
    shares, wgi = _starter_supply()
    from ketenradar.modules.materials.bom import load_bom

    res = exposure(load_bom(packaged_boms()["naval_aesa_radar"]), shares, wgi_scaled=wgi)
    _assert_same_exposure(body, res)
    assert "gallium" in body["summary"]["critical_materials"]
    assert client.get("/api/v1/bom/nothere/exposure").status_code == 404
    assert client.get("/api/v1/bom/Bad-Name/exposure").status_code == 422
    usgs = client.get("/api/v1/bom/naval_aesa_radar/exposure", params={"supply": "usgs"})
    assert usgs.status_code == 409 and "USGS" in usgs.json()["detail"]
    assert client.get("/api/v1/bom/naval_aesa_radar/exposure?supply=x").status_code == 422


CYCLE = (
    HEADER
    + """\
library:
  - name: module
    components:
      - name: die
        parts:
          - name: back to module
            use: module
subsystems:
  - use: module
"""
)
NEGATIVE = TOY.replace("quantity: 2", "quantity: -2")
UNKNOWN = TOY.replace("material: Gallium", "material: Galium")


@pytest.mark.parametrize(
    ("text", "node", "needles"),
    [
        (CYCLE, "library > module > die > back to module", ["cycle through 'use'"]),
        (NEGATIVE, "toy > board", ["quantity must not be negative", "line 7"]),
        (
            UNKNOWN,
            "toy > board > chip > materials[0]",
            ["unknown material 'Galium'", "closest: gallium"],
        ),
        (TOY.replace("unit: mass_kg", "unit: kg"), "toy", ["unknown unit 'kg'"]),
        (TOY.replace("    components:", "    componets:"), "toy > board", ["unknown key"]),
        ("system: [unclosed", None, ["not valid YAML"]),
    ],
)
def test_invalid_bom_is_422_with_the_reasons(client: TestClient, text: str, node, needles):
    r = _upload(client, text, name="../../etc/mine.yaml")
    assert r.status_code == 422
    body = r.json()
    assert body["detail"].startswith("mine.yaml")  # only the base name of the upload
    assert (body["code"], body["file"], body["node"]) == ("invalid_data", "mine.yaml", node)
    for needle in needles:
        assert needle in body["detail"], body


def _alias_bomb(levels: int = 8) -> str:
    """A few hundred bytes whose YAML aliases expand to 10^levels nodes."""
    lines = [*HEADER.splitlines(), "library:"]
    lines.append("  - &n0 {name: leaf, materials: [{material: tin, mass_kg: 1, source: s1}]}")
    for i in range(1, levels + 1):
        lines.append(f"  - &n{i} {{name: l{i}, parts: [{', '.join([f'*n{i - 1}'] * 10)}]}}")
    return "\n".join([*lines, f"subsystems: [*n{levels}]"])


def _use_bomb(levels: int = 8) -> str:
    """The same through 'use:', without a single material (parsing alone would explode)."""
    lines = [*HEADER.splitlines(), "library:", "  - {name: l0}"]
    for i in range(1, levels + 1):
        lines.append(f"  - {{name: l{i}, parts: [{', '.join([f'{{use: l{i - 1}}}'] * 10)}]}}")
    return "\n".join([*lines, f"subsystems: [{{use: l{levels}}}]"])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (_alias_bomb(), "expands to more than 500,000 nodes"),
        (_use_bomb(), "explodes into more than 100,000 nodes"),
        (HEADER + "subsystems: &a [{name: x, parts: *a}]\n", "recursive alias"),
        (HEADER + "subsystems: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ],
)
def test_uploads_that_would_explode_are_refused_quickly(client: TestClient, text: str, needle):
    assert len(text) < 20_000
    r = _upload(client, text)
    assert r.status_code == 422 and needle in r.json()["detail"], r.json()


def test_bad_uploads_are_refused_and_nothing_is_stored(client: TestClient, tmp_path: Path):
    data_dir = client.app.state.settings.data_dir
    before = sorted(p.relative_to(data_dir) for p in Path(data_dir).rglob("*"))
    big = _upload(client, b"#" * (MAX_BOM_BYTES + 1))
    assert big.status_code == 413 and "larger than 1 MB" in big.json()["detail"]
    assert _upload(client, b"\xff\xfe\x00bad").status_code == 422
    assert "not UTF-8" in _upload(client, b"\xff\xfe\x00bad").json()["detail"]
    nul = _upload(client, b"\x00")  # valid UTF-8, but YAML refuses control characters
    assert nul.status_code == 422 and "YAML" in nul.json()["detail"]
    assert "empty" in _upload(client, b"  \n").json()["detail"]
    r = client.post(
        "/api/v1/bom/exposure",
        files={"other": ("x.yaml", TOY.encode())},
        headers=csrf_headers(client),
    )
    assert r.status_code == 400 and "field 'file'" in r.json()["detail"]
    r = client.post("/api/v1/bom/exposure", json={"file": TOY}, headers=csrf_headers(client))
    assert r.status_code == 400 and "multipart/form-data" in r.json()["detail"]
    assert _upload(client, TOY).status_code == 200
    after = sorted(p.relative_to(data_dir) for p in Path(data_dir).rglob("*"))
    assert after == before  # uploads are computed on and discarded


def test_posts_without_the_csrf_token_are_refused(client: TestClient):
    doc = yaml.safe_load(TIN.read_text())
    assert client.post("/api/v1/materials/whatif", json=doc).status_code == 403
    files = {"file": ("mine.yaml", TOY.encode())}
    assert client.post("/api/v1/bom/exposure", files=files).status_code == 403
    assert client.post("/en/bom", files=files).status_code == 403
    bad = client.post("/en/bom", files=files, data={"csrf_token": "forged.token"})
    assert bad.status_code == 403


def test_bom_page_lists_computes_and_shows_the_reasons(client: TestClient):
    page = client.get("/en/bom")
    assert page.status_code == 200 and 'id="bom-upload"' in page.text
    assert page.text.count("(illustrative)") >= len(packaged_boms())
    shown = client.get("/en/bom", params={"name": "mri_scanner"})
    assert shown.status_code == 200 and 'id="bom-result"' in shown.text
    assert 'id="bom-illustrative"' in shown.text and "helium" in shown.text
    token = csrf_headers(client)["X-CSRF-Token"]
    files = {"file": ("mine.yaml", NEGATIVE.encode())}
    bad = client.post("/nl/bom", files=files, data={"csrf_token": token})
    assert bad.status_code == 422 and 'id="bom-errors"' in bad.text
    assert "toy &gt; board" in bad.text and "quantity must not be negative" in bad.text
    good = client.post(
        "/en/bom", files={"file": ("mine.yaml", TOY.encode())}, data={"csrf_token": token}
    )
    assert (
        good.status_code == 200 and 'id="bom-result"' in good.text and "bom-errors" not in good.text
    )
    big = client.post(
        "/en/bom",
        files={"file": ("big.yaml", b"#" * (MAX_BOM_BYTES + 1))},
        data={"csrf_token": token},
    )
    assert big.status_code == 413 and "larger than 1 MB" in big.text
    usgs = client.get("/en/bom", params={"name": "mri_scanner", "supply": "usgs"})
    assert usgs.status_code == 409 and "USGS" in usgs.text and 'id="bom-upload"' in usgs.text


def test_openapi_documents_the_materials_endpoints(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/v1/materials/{material}",
        "/api/v1/materials/whatif",
        "/api/v1/bom/packaged",
        "/api/v1/bom/{name}/exposure",
        "/api/v1/bom/exposure",
    ):
        assert p in paths, p
    upload = paths["/api/v1/bom/exposure"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


# --- the user's own store (real data) ---------------------------------------------------------


def test_with_a_loaded_store_the_results_equal_the_cli_api(tmp_path: Path):
    shared = require_shared()
    from ketenradar import api
    from ketenradar.modules.materials import api as mapi

    store = tmp_path / "store"
    api.add_dataset("eu_crm", [shared / "eu_crm"], data_dir=store)
    wgi = shared / "wgi" / "2020_Worldwide_Governance_Indicators_1996-2019.csv"
    api.add_dataset("wgi", [wgi], data_dir=store)
    client = TestClient(create_app(settings=WebSettings.from_env(store)))
    status, body = _whatif(client, yaml.safe_load(TIN.read_text()))
    assert status == 200 and body["inputs"]["origin"] == "store"
    cli = mapi.criticality(data_dir=store, scenario_file=TIN)
    got = _by_key(body["rows"])
    for r in cli.itertuples():
        g = got[(r.material, r.stage)]
        if not pd.isna(r.sr_scenario):
            assert g["sr_scenario"] == pytest.approx(r.sr_scenario)
        assert g["critical_change"] == r.critical_change
    bom_file = tmp_path / "toy.yaml"
    bom_file.write_text(TOY)
    r = _upload(client, TOY)
    assert r.status_code == 200 and r.json()["supply"]["origin"] == "store"
    out = mapi.bom_exposure(bom_file, data_dir=store)

    class Res:
        materials, countries, summary = out["materials"], out["countries"], out["summary"]

    _assert_same_exposure(r.json(), Res)
    # and the starter pack gives the same exposure as the store it was built from
    fresh = TestClient(create_app(settings=WebSettings.from_env(tmp_path / "empty")))
    _assert_same_exposure(_upload(fresh, TOY).json(), Res)


def test_packaged_bom_exposure_follows_the_store_it_is_cached_for(tmp_path: Path):
    """The packaged BOM's exposure is cached, keyed on the datasets its supply came from: a
    CRM assessment added to the store while the server runs is used at once."""
    shared = require_shared()
    from ketenradar import api

    store = tmp_path / "store"
    client = TestClient(create_app(settings=WebSettings.from_env(store)))
    url = "/api/v1/bom/naval_aesa_radar/exposure"
    first = client.get(url).json()
    assert first["supply"]["origin"] == "starter" and client.get(url).json() == first
    api.add_dataset("eu_crm", [shared / "eu_crm"], data_dir=store)
    now = client.get(url).json()
    assert now["supply"]["origin"] == "store + starter"  # the WGI still from the starter pack
    assert now["supply"]["datasets"][0]["dataset"] == "eu_crm"
    # the store holds the assessment the starter pack was built from: the same exposure
    assert now["materials"] == first["materials"] and now["summary"] == first["summary"]
