"""EU CRM tables (hand-written in the publisher's layout), the materials CLI and its report."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError
from ketenradar.datasets import DataStore
from ketenradar.interfaces.cli.app import app
from ketenradar.sources.eu_crm import parse_eu_crm, parse_share

runner = CliRunner()


class _Refs(HTMLParser):
    """Every src/href attribute of the tags (not of strings inside scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def write_crm(folder: Path, gs_rows: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dimension_CRMsOverTime.csv").write_text(
        "Material,Year,SR,EI\nGallium,2023,3.9,3.7\nCopper,2023,0.1,4\n"
        '"Natural Teak\nwood",2023,1.7,2.4\nBauxite,2023,-,-\n',
        encoding="utf-8",
    )
    gs = gs_rows or (
        "Gallium,P,China,94%,1.1\nGallium,P,Germany,5%,0.8\nGallium,P,Japan,<1%,1.0\n"
        "Copper,E,Chile,60%,1.0\nCopper,E,Congo, D.R.,40%,1.0\n"
        "Natural teak wood,E,Myanmar,100%,1.0\n"
    )
    # cp1252 like the publisher's files; Congo's comma-name is quoted in the real file
    gs = gs.replace("Congo, D.R.", '"Congo, D.R."')
    (folder / "fact_GlobalSupplyShares&t.csv").write_bytes(
        ("Material,Stage,Country,Share,t\n" + gs).encode("cp1252")
    )
    (folder / "fact_EUSupplyShares&t.csv").write_bytes(
        "Material,Stage,Country,Share,t\nGallium,P,China,69%,1.1\nGallium,P,Germany,25%,0.8\n"
        "Copper,E,Poland,40%,0.8\nCopper,E,Chile,50%,1.0\n".encode("cp1252")
    )
    (folder / "fact_MaterialUseShares.csv").write_bytes(
        "Material,Application,Share,NACE sector,VA in million €\n"
        'Gallium,Chips,70%,"C26 - Manufacture of computer, electronic and optical products",'
        "100000\nGallium,Other,30%,,\nCopper,Wire,100%,C27 - Electrical equipment,200000\n".encode(
            "cp1252"
        )
    )
    return folder


def test_parse_share_forms(tmp_path: Path):
    f = tmp_path / "x.csv"
    assert parse_share("0.4%", file=f, line=2, field="Share") == (pytest.approx(0.004), None)
    assert parse_share("<0.1%", file=f, line=2, field="Share") == (pytest.approx(0.001), "<")
    assert parse_share("-", file=f, line=2, field="Share") == (None, None)
    w: list[str] = []
    assert parse_share("6", file=f, line=9, field="Share", warnings=w)[0] == pytest.approx(0.06)
    assert "no '%'" in w[0]
    with pytest.raises(DataError, match=r"x.csv, line 3, field 'Share'"):
        parse_share("lots", file=f, line=3, field="Share")


def test_parse_tables_and_report_share_sums(tmp_path: Path):
    src = write_crm(tmp_path / "crm")
    p = parse_eu_crm([src])
    sh = p.tables["supply_shares"]
    ga = sh[(sh["material"] == "gallium") & (sh["scope"] == "global")].set_index("country")
    assert ga.loc["CHN", "share"] == pytest.approx(0.94)
    assert ga.loc["JPN", "share_bound"] == "<"
    assert set(sh["country"]) >= {"CHN", "DEU", "JPN", "CHL", "COD", "MMR", "POL"}
    scores = p.tables["scores"].set_index("material")
    assert scores.loc["natural_teak_wood", "eu_name"] == "Natural Teak wood"
    assert pd.isna(scores.loc["bauxite", "sr"])
    eu = p.tables["end_use"]
    assert eu.loc[eu["application"] == "Other", "va_meur"].isna().all()
    assert eu["nace"].dropna().tolist() == ["C26", "C27"]
    # gallium global: 94 + 5 + 1 = 100 % fine; now break it
    bad = write_crm(tmp_path / "bad", gs_rows="Gallium,P,China,60%,1.1\nCopper,E,Chile,100%,1\n")
    warnings = parse_eu_crm([bad]).warnings
    assert any("gallium global processing: shares add up to 60.0%" in w for w in warnings)


def test_unknown_material_in_file_is_an_error(tmp_path: Path):
    src = write_crm(tmp_path / "crm", gs_rows="Unobtainium,E,China,100%,1\n")
    with pytest.raises(DataError, match="Unobtainium"):
        parse_eu_crm([src])


def test_cli_materials_end_to_end(tmp_path: Path, data_dir: Path):
    src = write_crm(tmp_path / "crm")
    r = runner.invoke(app, ["data", "add", "eu_crm", str(src)])
    assert r.exit_code == 0, r.output
    wgi = pd.DataFrame(
        [
            {"country": c, "country_label": c, "year": 2019, "indicator": ind, "estimate": e}
            for c, e in (
                ("CHN", -0.5),
                ("DEU", 1.5),
                ("JPN", 1.2),
                ("CHL", 1.0),
                ("COD", -1.5),
                ("MMR", -1.2),
                ("POL", 0.8),
            )
            for ind in ("VA", "PV", "GE", "RQ", "RL", "CC")
        ]
    )
    from ketenradar.sources.tables import ParsedSource, write_tables_dataset

    # 7 countries only: the default WGI year needs 150; so pass --wgi-year
    write_tables_dataset(
        DataStore(data_dir),
        name="wgi",
        source="wgi",
        kind="governance",
        parsed=ParsedSource({"wgi": wgi}, [], "test"),
        licence="t",
        citation="t",
        parser_version="t",
    )
    out = tmp_path / "crit.csv"
    r = runner.invoke(
        app,
        ["materials", "criticality", "--wgi-year", "2019", "--format", "csv", "--output", str(out)],
    )
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert {"sr_published", "ei_published", "hhi_wgi_t_gs", "hhi_wgi_t_eu"} <= set(df.columns)
    ga = df[df["material"] == "gallium"].iloc[0]
    # CHN WGI scaled 2·(2.5+0.5) = 6; DEU 2·(2.5−1.5) = 2; JPN 2.6
    assert ga["hhi_wgi_t_gs"] == pytest.approx(
        0.94**2 * 6 * 1.1 + 0.05**2 * 2 * 0.8 + 0.01**2 * 2.6 * 1.0
    )
    assert Path(str(out) + ".provenance.json").is_file()
    html = tmp_path / "crit.html"
    r = runner.invoke(
        app,
        [
            "materials",
            "criticality",
            "--wgi-year",
            "2019",
            "--format",
            "html",
            "--output",
            str(html),
        ],
    )
    assert r.exit_code == 0, r.output
    text = html.read_text()
    assert "EI = 2.8" in text and "SR = 1.0" in text and "Largest supplier" in text
    refs = _Refs()
    refs.feed(text)
    assert [u for u in refs.refs if "//" in u] == []  # nothing loaded from another host
    assert text.count("Plotly.newPlot") == 2
    # Unknown material: closest names, non-zero exit
    r = runner.invoke(app, ["materials", "show", "galium"])
    assert r.exit_code == 3 and "closest: gallium" in r.output
    r = runner.invoke(app, ["materials", "criticality", "--wgi-year", "1990"])
    assert r.exit_code != 0 and "1990" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes:\n  - shift: {material: gallium, from: CHN, to: XXX, share: 1}\n")
    r = runner.invoke(
        app, ["materials", "criticality", "--wgi-year", "2019", "--scenario", str(bad)]
    )
    assert r.exit_code == 4 and "unknown country" in r.output
    r = runner.invoke(app, ["materials", "crma", "--format", "csv"])
    assert r.exit_code == 0 and "gallium" in r.output


def test_list_materials_and_api_datasets(data_dir: Path):
    r = runner.invoke(app, ["materials", "list", "--format", "csv"])
    assert r.exit_code == 0 and "gallium" in r.output
    assert api.list_datasets(data_dir).empty
