"""The self-contained HTML report: content, provenance, and nothing loaded from elsewhere."""

from __future__ import annotations

import math
from html.parser import HTMLParser

import pandas as pd

from ketenradar.core.provenance import make_provenance
from ketenradar.modules.trade.report import render_screening_report

SHA = "ab" * 32


def _screen(dependent: bool = True) -> pd.DataFrame:
    rows = [
        ("720293", "Ferro-alloys: ferro-niobium", 500.0, 0.99, 0.88, "BRA", 0.94, 2.0, 0.54,
         dependent, True),
        ("283691", "Carbonates: lithium carbonate", 100.0, 0.82, 0.73, "CHL", 0.84, math.inf,
         0.68, dependent, False),
        ("270900", "Oils: petroleum oils", 9000.0, 0.98, 0.10, "RUS", 0.17, 6.3, 0.07, False,
         False),
    ]  # fmt: skip
    df = pd.DataFrame(
        rows,
        columns=["product", "product_description", "external_imports_kusd", "external_share",
                 "supplier_hhi", "top_supplier", "top_supplier_share", "import_export_ratio",
                 "world_export_hhi", "dependent_eu2021", "dependent_geodep"],
    )  # fmt: skip
    df["dependent_geodep"] = df["dependent_geodep"].astype("boolean")
    df["year"], df["importer"], df["reference_bloc"] = 2022, "NLD", "EU27"
    df["transit"] = False
    df["ecosystem"] = "Energy-Intensive Industries"
    return df


def _prov() -> dict:
    return make_provenance(
        analysis="strategic import dependency screening (HS6)",
        methods=["SWD(2021) 352", "GeoDep"],
        datasets=[{"dataset": "baci_hs92_v202401b", "source": "baci", "release": "V202401b",
                   "version": "v1", "licence": "BACI terms", "citation": "Gaulier & Zignago",
                   "parser_version": "baci-1.0", "ingested_at": "2026-11-23",
                   "inputs": [{"file": "BACI_HS92_Y2022_V202401b.csv", "sha256": SHA}]}],
        parameters={"importer": "NLD", "year": 2022},
        thresholds={"supplier_hhi": 0.4, "external_share": 0.5, "import_export_ratio": 1.0,
                    "world_export_hhi": 0.4, "geodep_min_years": 2, "transit_ratio": 0.9},
        command="ketenradar screen --importer NLD --format html",
    )  # fmt: skip


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.scripts += tag == "script"
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def test_report_content_and_offline() -> None:
    history = pd.DataFrame(
        {"year": [2021, 2022], "ecosystem": ["Energy-Intensive Industries"] * 2,
         "dependent_eu2021": [1, 2], "dependent_geodep": pd.array([pd.NA, 1], dtype="Int64")}
    )  # fmt: skip
    suppliers = pd.DataFrame(
        {"product": ["720293", "720293"], "supplier": ["BRA", "other"],
         "value_kusd": [470.0, 30.0], "share": [0.94, 0.06], "external": [True, None]}
    )  # fmt: skip
    html = render_screening_report(_screen(), history, suppliers, _prov())
    assert html.startswith("<!DOCTYPE html>") and html.count("<html") == 1
    assert "NLD" in html and "2022" in html
    assert "720293" in html and "283691" in html
    assert "270900" not in html  # not dependent: not in the table nor the charts
    assert SHA in html and "ketenradar screen --importer NLD" in html
    assert "∞" in html
    assert html.count("Plotly.newPlot") >= 3
    p = _Refs()
    p.feed(html)
    assert [r for r in p.refs if "//" in r or r.startswith("http")] == []
    assert html.count("plotly.js v") <= 2  # the library is embedded once


def test_report_without_dependencies() -> None:
    html = render_screening_report(
        _screen(dependent=False).assign(dependent_geodep=pd.NA), pd.DataFrame(),
        pd.DataFrame(), _prov(),
    )  # fmt: skip
    assert "No dependent products" in html
    assert "needs years 2020–2022 loaded" in html
