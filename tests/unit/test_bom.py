"""System exposure from a bill of materials: format, validation, explosion, exposure."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ketenradar.core.errors import DataError
from ketenradar.core.settings import Settings
from ketenradar.core.vocabularies.materials import find_material
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.materials.bom import (
    COUNTRY_COLUMNS,
    EXPLODE_COLUMNS,
    MATERIAL_COLUMNS,
    SUMMARY_COLUMNS,
    Node,
    explode,
    exposure,
    lines,
    load_bom,
    packaged_boms,
    parse_bom,
)

HEADER = """\
system: toy
illustrative: true
unit: mass_kg
sources:
  - {id: s1, citation: "hand-made for the test"}
"""

# Two materials, nesting and a `use`:
#   gallium: board (×2) > chip (×2, via use) > 1.5 kg  = 2 · 2 · 1.5 = 6 kg
#   copper:  cable (×1) > 4 kg                                     = 4 kg
#   total 10 kg → shares gallium 0.6, copper 0.4
TOY = (
    HEADER
    + """\
library:
  - name: chip
    quantity: 7   # a definition's own quantity is not applied where it is used
    materials:
      - {material: Gallium, mass_kg: 1.5, source: s1}
subsystems:
  - name: board
    quantity: 2
    components:
      - use: chip
        quantity: 2
  - name: cable
    materials:
      - {material: copper, mass_kg: 4, stage: extraction, source: s1}
"""
)

# Three countries. gallium/processing: CHN 0.9, DEU 0.1.
# copper/extraction: CHL 0.5, CHN 0.3, DEU 0.2.
SUPPLY = pd.DataFrame(
    [
        ("gallium", "processing", "CHN", 0.9),
        ("gallium", "processing", "DEU", 0.1),
        ("copper", "extraction", "CHL", 0.5),
        ("copper", "extraction", "CHN", 0.3),
        ("copper", "extraction", "DEU", 0.2),
    ],
    columns=["material", "stage", "country", "share"],
)
WGI = {"CHN": 6.0, "DEU": 1.0, "CHL": 3.0}


def _row(df: pd.DataFrame, material: str) -> pd.Series:
    sel = df[df["material"] == material]
    assert len(sel) == 1, sel
    return sel.iloc[0]


# --- exposure by hand -------------------------------------------------------------------------


def test_toy_exposure_by_hand() -> None:
    res = exposure(parse_bom(TOY), SUPPLY, WGI, critical={"gallium"})
    assert list(res.materials.columns) == MATERIAL_COLUMNS
    assert list(res.countries.columns) == COUNTRY_COLUMNS
    assert list(res.summary.columns) == SUMMARY_COLUMNS

    ga = _row(res.materials, "gallium")
    assert ga["quantity"] == pytest.approx(6.0)
    assert ga["share"] == pytest.approx(0.6)  # 6 / 10
    assert ga["is_critical"]
    assert ga["top_country"] == "CHN"
    assert ga["top_share"] == pytest.approx(0.9)
    assert ga["hhi"] == pytest.approx(0.82)  # 0.9² + 0.1² = 0.81 + 0.01
    assert ga["wgi_weighted_risk"] == pytest.approx(5.5)  # 0.9·6 + 0.1·1 = 5.4 + 0.1
    assert ga["single_point_of_failure"]  # 0.9 > 0.65
    assert ga["supply_stage_used"] == "processing"
    assert ga["note"] == ""

    cu = _row(res.materials, "copper")
    assert cu["share"] == pytest.approx(0.4)  # 4 / 10
    assert not cu["is_critical"]
    assert cu["top_country"] == "CHL"
    assert cu["hhi"] == pytest.approx(0.38)  # 0.25 + 0.09 + 0.04
    assert cu["wgi_weighted_risk"] == pytest.approx(3.5)  # 0.5·3 + 0.3·6 + 0.2·1 = 1.5+1.8+0.2
    assert not cu["single_point_of_failure"]  # 0.5 ≤ 0.65

    # Country exposure. Critical inputs: only gallium, weight 6/6 = 1:
    #   CHN 1·0.9 = 0.9, DEU 1·0.1 = 0.1, CHL 0.
    # All inputs: gallium weight 0.6, copper 0.4:
    #   CHN 0.6·0.9 + 0.4·0.3 = 0.54 + 0.12 = 0.66
    #   CHL 0.4·0.5           = 0.20
    #   DEU 0.6·0.1 + 0.4·0.2 = 0.06 + 0.08 = 0.14
    c = res.countries.set_index("country")
    assert list(res.countries["country"]) == ["CHN", "DEU", "CHL"]  # by critical, then all
    assert c.loc["CHN", "exposure_critical"] == pytest.approx(0.9)
    assert c.loc["DEU", "exposure_critical"] == pytest.approx(0.1)
    assert c.loc["CHL", "exposure_critical"] == pytest.approx(0.0)
    assert c.loc["CHN", "exposure_all"] == pytest.approx(0.66)
    assert c.loc["CHL", "exposure_all"] == pytest.approx(0.20)
    assert c.loc["DEU", "exposure_all"] == pytest.approx(0.14)
    assert c["exposure_all"].sum() == pytest.approx(1.0)
    assert c.loc["CHN", "critical_materials"] == "gallium"
    assert c.loc["CHL", "n_critical_materials"] == 0

    s = res.summary.iloc[0]
    assert s["system"] == "toy"
    assert s["n_materials"] == 2
    assert s["n_critical"] == 1
    assert s["critical_materials"] == "gallium"
    assert s["critical_share"] == pytest.approx(0.6)
    assert s["single_points_of_failure"] == "gallium (processing): CHN 90%"
    assert s["no_supply_data"] == ""
    assert s["coverage_critical"] == pytest.approx(1.0)
    assert s["country_hhi"] == pytest.approx(0.82)  # 0.9² + 0.1² of the critical vector
    assert s["top_country"] == "CHN"
    assert s["top_country_exposure"] == pytest.approx(0.9)


def test_default_critical_set_is_the_eu_2023_list() -> None:
    # gallium and copper are both on the 2023 CRM list: the two exposure columns coincide.
    res = exposure(parse_bom(TOY), SUPPLY)
    assert res.materials["is_critical"].all()
    c = res.countries
    assert list(c["exposure_critical"]) == pytest.approx(list(c["exposure_all"]))
    # without WGI the governance-weighted risk is NULL
    assert res.materials["wgi_weighted_risk"].isna().all()


def test_supplier_without_wgi_is_scored_midpoint_and_noted() -> None:
    res = exposure(parse_bom(TOY), SUPPLY, {"CHN": 6.0, "DEU": 1.0})  # no CHL
    cu = _row(res.materials, "copper")
    assert cu["wgi_weighted_risk"] == pytest.approx(0.5 * 5.0 + 0.3 * 6.0 + 0.2 * 1.0)
    assert "1 supplier(s) without WGI" in cu["note"]


def test_spof_threshold_is_strictly_above_65_percent() -> None:
    supply = pd.DataFrame(
        [("gallium", "processing", "CHN", 0.65), ("gallium", "processing", "JPN", 0.35)],
        columns=["material", "stage", "country", "share"],
    )
    ga = _row(exposure(parse_bom(TOY), supply).materials, "gallium")
    assert ga["top_share"] == pytest.approx(0.65)
    assert not ga["single_point_of_failure"]


# --- fallbacks and missing data ---------------------------------------------------------------


def test_stage_fallback_is_noted() -> None:
    supply = SUPPLY.copy()
    supply.loc[supply["material"] == "gallium", "stage"] = "extraction"  # no processing rows
    ga = _row(exposure(parse_bom(TOY), supply).materials, "gallium")
    assert ga["stage"] == "processing"
    assert ga["supply_stage_used"] == "extraction"
    assert "no processing supply data; used extraction" in ga["note"]
    assert ga["top_country"] == "CHN"


def test_material_without_supply_data_is_reported_not_dropped() -> None:
    supply = SUPPLY[SUPPLY["material"] != "copper"]
    res = exposure(parse_bom(TOY), supply, critical={"gallium", "copper"})
    cu = _row(res.materials, "copper")
    assert cu["note"] == "no supply data"
    assert cu["supply_stage_used"] is None or pd.isna(cu["supply_stage_used"])
    assert cu["top_country"] is None
    assert math.isnan(cu["hhi"]) and math.isnan(cu["top_share"])
    assert cu["quantity"] == pytest.approx(4.0)
    s = res.summary.iloc[0]
    assert s["no_supply_data"] == "copper (extraction)"
    # gallium is 6 of the 10 kg of critical input: 60 % of it is covered by supply data
    assert s["coverage_critical"] == pytest.approx(0.6)
    assert res.countries.set_index("country").loc["CHN", "exposure_critical"] == pytest.approx(
        0.6 * 0.9
    )


def test_parent_material_fallback() -> None:
    bom = parse_bom(HEADER + "materials:\n  - {material: neodymium, mass_kg: 1, source: s1}\n")
    supply = pd.DataFrame(
        [("rare_earths", "processing", "CHN", 0.9), ("rare_earths", "processing", "MYS", 0.1)],
        columns=["material", "stage", "country", "share"],
    )
    nd = _row(exposure(bom, supply).materials, "neodymium")
    assert nd["supply_material_used"] == "rare_earths"
    assert "used parent rare_earths" in nd["note"]
    assert nd["top_share"] == pytest.approx(0.9)


def test_supply_with_duplicate_rows_or_missing_columns_is_rejected() -> None:
    with pytest.raises(DataError, match="several rows"):
        exposure(parse_bom(TOY), pd.concat([SUPPLY, SUPPLY]))
    with pytest.raises(DataError, match="share"):
        exposure(parse_bom(TOY), SUPPLY.drop(columns="share"))


# --- explosion --------------------------------------------------------------------------------


def test_quantities_multiply_through_nesting_and_use() -> None:
    text = (
        HEADER
        + """\
subsystems:
  - name: mast
    quantity: 2
    components:
      - name: face
        quantity: 3
        parts:
          - name: module
            quantity: 10
            parts:
              - name: die
                quantity: 4
                materials:
                  - {material: gallium, mass_kg: 0.001, source: s1}
  - name: spare modules
    use: module          # a node defined inside the tree can be reused too
    quantity: 5
  - name: magnet
    materials:
      - {material: gallium, mass_kg: 1, stage: extraction, source: s1}
"""
    )
    bom = parse_bom(text)
    ln = lines(bom)
    # mast 2 · face 3 · module 10 · die 4 · 0.001 kg = 0.24 kg
    deep = ln[ln["path"] == "toy > mast > face > module > die"]
    assert deep["quantity"].iloc[0] == pytest.approx(0.24)
    # spare modules 5 · die 4 · 0.001 kg = 0.02 kg (the module's own ×10 is not applied)
    spare = ln[ln["path"] == "toy > spare modules > die"]
    assert spare["quantity"].iloc[0] == pytest.approx(0.02)

    ex = explode(bom)
    assert list(ex.columns) == EXPLODE_COLUMNS
    assert ex.attrs["unit"] == "mass_kg"
    proc = ex[(ex["material"] == "gallium") & (ex["stage"] == "processing")].iloc[0]
    assert proc["quantity"] == pytest.approx(0.26)
    assert proc["n_paths"] == 2
    assert set(proc["paths"]) == {"toy > mast > face > module > die", "toy > spare modules > die"}
    ext = ex[(ex["material"] == "gallium") & (ex["stage"] == "extraction")].iloc[0]
    assert ext["quantity"] == pytest.approx(1.0)
    assert ex["share"].sum() == pytest.approx(1.0)


def test_value_basis() -> None:
    text = (
        "system: v\nillustrative: false\nunit: value_eur\n"
        "sources: [{id: s1, citation: c}]\n"
        "materials:\n  - {material: gallium, value_eur: 30, source: s1}\n"
        "  - {material: copper, value_eur: 10, source: s1}\n"
    )
    ex = explode(parse_bom(text))
    assert ex.attrs["unit"] == "value_eur"
    assert _row(ex, "gallium")["share"] == pytest.approx(0.75)
    with pytest.raises(DataError, match="unknown key 'mass_kg'"):
        parse_bom(text.replace("value_eur: 30", "mass_kg: 30"))


def test_scientific_notation_written_without_dot_is_accepted() -> None:
    # YAML 1.1 reads 1e-6 as text; the format accepts it as a number.
    bom = parse_bom(HEADER + "materials:\n  - {material: gallium, mass_kg: 1e-6, source: s1}\n")
    assert explode(bom)["quantity"].iloc[0] == pytest.approx(1e-6)


# --- validation -------------------------------------------------------------------------------

RADAR = """\
system: radar
illustrative: true
unit: mass_kg
sources:
  - {{id: s1, citation: c}}
subsystems:
  - name: transmit/receive module
    quantity: {q}
    components:
      - name: GaN MMIC
        materials:
          - {{material: {m}, mass_kg: {kg}, stage: {st}, source: {src}}}
"""


def _radar(
    q: str = "1", m: str = "gallium", kg: str = "0.001", st: str = "processing", src: str = "s1"
) -> str:
    return RADAR.format(q=q, m=m, kg=kg, st=st, src=src)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (
            _radar(m="galium"),
            [
                "radar > transmit/receive module > GaN MMIC > materials[0]",
                "unknown material 'galium'",
                "closest: gallium",
                "line 12",
            ],
        ),
        (
            _radar(q="-2"),
            ["radar > transmit/receive module:", "quantity must not be negative", "line 7"],
        ),
        (_radar(q="many"), ["radar > transmit/receive module:", "quantity must be a number"]),
        (
            _radar(kg="-0.5"),
            ["radar > transmit/receive module > GaN MMIC > materials[0]", "mass_kg"],
        ),
        (_radar(kg="heavy"), ["materials[0]", "mass_kg must be a number"]),
        (
            _radar(src="s9"),
            ["radar > transmit/receive module > GaN MMIC > materials[0]", "unknown source 's9'"],
        ),
        (_radar(st="mining"), ["GaN MMIC > materials[0]", "unknown stage 'mining'"]),
        (
            _radar().replace("    components:", "    quantty: 2\n    components:"),
            ["radar > transmit/receive module", "unknown key 'quantty'", "closest: quantity"],
        ),
        (
            _radar().replace("          - {material", "          - [material"),
            ["not valid YAML", "line 12"],
        ),
        (_radar().replace("name: GaN MMIC", "name: GaN MMIC\n        name: x"), ["duplicate"]),
    ],
)
def test_validation_errors_name_the_path(text: str, needles: list[str]) -> None:
    with pytest.raises(DataError) as err:
        parse_bom(text, file="radar.yaml")
    msg = str(err.value)
    assert msg.startswith("radar.yaml")
    for needle in needles:
        assert needle in msg, msg


def test_cycle_through_use_is_rejected() -> None:
    text = (
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
    with pytest.raises(DataError) as err:
        parse_bom(text)
    msg = str(err.value)
    assert "library > module > die > back to module:" in msg
    assert "cycle through 'use': module > die > back to module (use: module)" in msg


def test_use_of_an_ancestor_is_a_cycle() -> None:
    text = HEADER + "subsystems:\n  - name: a\n    parts:\n      - use: toy\n"
    with pytest.raises(DataError, match="toy > a > toy: cycle through 'use'"):
        parse_bom(text)


def test_use_of_unknown_or_ambiguous_node() -> None:
    leaf = "    materials:\n      - {material: gallium, mass_kg: 1, source: s1}\n"
    text = HEADER + "subsystems:\n  - name: chip\n" + leaf + "  - use: chp\n"
    with pytest.raises(DataError, match=r"toy > chp: 'use: chp' names no defined node; closest"):
        parse_bom(text)
    text = HEADER + "subsystems:\n  - name: chip\n" + leaf + "  - name: chip\n" + leaf
    parse_bom(text)  # defining a name twice is fine while nobody uses it
    with pytest.raises(DataError, match="ambiguous"):
        parse_bom(text + "  - use: chip\n")


def test_top_level_errors() -> None:
    with pytest.raises(DataError, match="unknown unit 'kg'"):
        parse_bom(HEADER.replace("unit: mass_kg", "unit: kg"))
    with pytest.raises(DataError, match="'illustrative' must be true or false"):
        parse_bom(HEADER.replace("illustrative: true", "illustrative: maybe"))
    with pytest.raises(DataError, match="no materials"):
        parse_bom(HEADER)
    with pytest.raises(DataError, match="duplicate source id 's1'"):
        parse_bom(HEADER + "  - {id: s1, citation: again}\n")
    with pytest.raises(DataError, match="YAML mapping"):
        parse_bom("- just a list\n")


def test_load_bom_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text(_radar(src="nowhere"), encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.yaml, line 12, field 'source'"):
        load_bom(f)


# --------------------------------------------------------------------------------------------
# Documents that would explode are refused by the engine itself (CLI and Python API, not only
# the web), quickly: a hang would be the failure, so each refusal is timed.

#: CPU seconds a refusal may take; the documents below would take hours (or forever) to build.
#: CPU time, not wall time, so that a loaded machine (CI runners, parallel jobs) does not fail
#: the test; the first call's imports count, hence the margin.
QUICK = 5.0


def _alias_bomb(levels: int = 8) -> str:
    """A few hundred bytes whose YAML aliases expand to 10^levels nodes."""
    out = [*HEADER.splitlines(), "library:"]
    out.append("  - &n0 {name: leaf, materials: [{material: tin, mass_kg: 1, source: s1}]}")
    for i in range(1, levels + 1):
        out.append(f"  - &n{i} {{name: l{i}, parts: [{', '.join([f'*n{i - 1}'] * 10)}]}}")
    return "\n".join([*out, f"subsystems: [*n{levels}]"]) + "\n"


def _use_bomb(levels: int = 8) -> str:
    """10^levels nodes through 'use:', without a YAML alias or a single material."""
    out = [*HEADER.splitlines(), "library:", "  - {name: l0}"]
    for i in range(1, levels + 1):
        out.append(f"  - {{name: l{i}, parts: [{', '.join([f'{{use: l{i - 1}}}'] * 10)}]}}")
    return "\n".join([*out, f"subsystems: [{{use: l{levels}}}]"]) + "\n"


BOMBS = [
    pytest.param(_alias_bomb(), "expands to more than 500,000 nodes", id="alias-bomb"),
    pytest.param(_use_bomb(), "explodes into more than 100,000 nodes", id="use-bomb"),
    pytest.param(
        HEADER + "subsystems: &a [{name: x, parts: *a}]\n", "recursive alias", id="recursive"
    ),
    pytest.param(
        HEADER + "subsystems: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply", id="deep"
    ),
]


@pytest.mark.parametrize(("text", "needle"), BOMBS)
def test_parse_bom_refuses_documents_that_would_explode_quickly(text: str, needle: str) -> None:
    assert len(text) < 20_000
    start = time.process_time()
    with pytest.raises(DataError) as err:
        parse_bom(text, file="bomb.yaml")
    assert time.process_time() - start < QUICK
    assert str(err.value).startswith("bomb.yaml: ") and needle in str(err.value)


@pytest.mark.parametrize(("text", "needle"), BOMBS)
def test_load_bom_refuses_documents_that_would_explode_quickly(
    tmp_path: Path, text: str, needle: str
) -> None:
    f = tmp_path / "bomb.yaml"
    f.write_text(text, encoding="utf-8")
    start = time.process_time()
    with pytest.raises(DataError) as err:
        load_bom(f)
    assert time.process_time() - start < QUICK
    assert err.value.file == str(f) and needle in str(err.value)


def test_reuse_below_the_limits_is_fine() -> None:
    """The same fan-out, three levels deep: 10³ tin lines through 'use:' and YAML aliases."""
    leaf = "{name: l0, materials: [{material: tin, mass_kg: 1, source: s1}]}"
    uses = _use_bomb(levels=3).replace("{name: l0}", leaf)
    assert explode(parse_bom(uses))["quantity"].sum() == pytest.approx(1000)
    aliases = _alias_bomb(levels=3)
    assert explode(parse_bom(aliases))["quantity"].sum() == pytest.approx(1000)
    assert Settings.model_fields["max_bom_lines"].default == 100_000


def test_cli_bom_exposure_refuses_a_bomb(tmp_path: Path, data_dir: Path) -> None:
    for name, text, needle in (
        ("aliases.yaml", _alias_bomb(), "expands to more than 500,000 nodes"),
        ("uses.yaml", _use_bomb(), "explodes into more than 100,000 nodes"),
    ):
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        start = time.process_time()
        r = CliRunner().invoke(app, ["bom", "exposure", str(f)])
        assert time.process_time() - start < QUICK
        assert r.exit_code == DataError.exit_code, r.output
        assert name in r.output and needle in r.output, r.output


def test_the_documented_example_parses_and_explodes_as_described() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "methods" / "bom.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    ex = explode(parse_bom(example)).set_index("material")
    assert ex.loc["gallium", "quantity"] == pytest.approx(4 * 1000 * 3.0e-7)  # 1.2 g
    assert ex.loc["tantalum", "quantity"] == pytest.approx(4 * 1000 * 2 * 1.0e-4)  # 0.8 kg
    assert ex.loc["aluminium", "quantity"] == pytest.approx(4 * 800.0)


# --- packaged BOMs ----------------------------------------------------------------------------


def _nodes(node: Node) -> list[Node]:
    return [node, *(n for c in node.children for n in _nodes(c))]


def test_packaged_boms_load_and_explode() -> None:
    boms = packaged_boms()
    assert set(boms) == {"naval_aesa_radar", "naval_ship_hull", "mri_scanner"}
    for name, path in boms.items():
        bom = load_bom(path)
        assert bom.illustrative, name
        assert bom.unit == "mass_kg"
        assert all(s.citation for s in bom.sources.values())
        ex = explode(bom)
        assert len(ex) >= 8, name
        assert (ex["quantity"] > 0).all(), name
        assert ex["name"].notna().all(), name  # every material resolved to the vocabulary
        assert all(find_material(m) is not None for m in ex["material"])
        # every leaf has a source, and it is one of the document's sources
        leaves = [m for top in (bom.root, *bom.library) for n in _nodes(top) for m in n.materials]
        assert leaves, name
        assert all(m.source in bom.sources for m in leaves), name
        assert set(lines(bom)["source"]) <= set(bom.sources)


def test_packaged_boms_hold_the_expected_inputs() -> None:
    mats = {k: set(explode(load_bom(p))["material"]) for k, p in packaged_boms().items()}
    radar = {"gallium", "germanium", "tantalum", "tungsten", "beryllium", "samarium"}
    radar |= {"neodymium", "dysprosium", "aluminium", "copper", "gold"}
    hull = {"iron_ore", "coking_coal", "nickel", "chromium", "molybdenum", "manganese"}
    hull |= {"vanadium", "niobium", "copper", "zinc"}
    mri = {"niobium", "titanium_metal", "copper", "helium", "neodymium", "iron_ore"}
    assert radar <= mats["naval_aesa_radar"]
    assert hull <= mats["naval_ship_hull"]
    assert mri <= mats["mri_scanner"]
    assert "gadolinium" not in mats["mri_scanner"]  # contrast agents are consumables


def test_packaged_bom_exposure_runs_with_partial_supply() -> None:
    bom = load_bom(packaged_boms()["naval_aesa_radar"])
    supply = pd.DataFrame(
        [
            ("gallium", "processing", "CHN", 0.98),
            ("gallium", "processing", "JPN", 0.02),
            ("germanium", "processing", "CHN", 0.83),
            ("germanium", "processing", "RUS", 0.17),
        ],
        columns=["material", "stage", "country", "share"],
    )
    res = exposure(bom, supply)
    assert len(res.materials) == len(explode(bom))  # nothing dropped
    assert set(res.materials.loc[res.materials["note"] == "no supply data", "material"]) >= {
        "aluminium",
        "copper",
    }
    spof = res.summary.iloc[0]["single_points_of_failure"]
    assert "gallium (processing): CHN 98%" in spof and "germanium" in spof
