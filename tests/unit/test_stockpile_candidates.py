"""Stockpile candidates on a tiny hand-made store (BACI files written by hand, World Mining
Data and EU CRM end uses as tables): demand, import reliance, suppliers, prices and the
inputs, each computed by hand; missing data keeps the item's row with a note."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_country_dict, write_product_dict, write_trade

from ketenradar import api
from ketenradar.core.errors import DataError, NotFoundError, UsageError
from ketenradar.core.results import Provenance, Result
from ketenradar.datasets import DataStore
from ketenradar.datasets.kinds import CANONICAL_TABLES, OPTIONAL_TABLES
from ketenradar.modules.stockpile.candidates import (
    CANDIDATE_COLUMNS,
    ItemInputs,
    candidate_tables,
    candidates,
    crm_2023_items,
    resolve_items,
)
from ketenradar.sources.tables import ParsedSource, write_tables_dataset

# BACI codes: 528 NLD, 276 DEU, 251 FRA, 156 CHN, 842 USA, 76 BRA, 516 NAM
TRADE = {
    2022: [
        # cobalt oxides 282200: unit values 10000, 12500, 15000 USD/t; one flow without q
        (2022, 156, 528, "282200", 600, 60),
        (2022, 276, 528, "282200", 500, 40),
        (2022, 528, 276, "282200", 300, 20),
        (2022, 842, 276, "282200", 100, "NA"),
        # unwrought cobalt 810510: 5000, 6000 and an outlier of 10 USD/t; one flow without q
        (2022, 76, 528, "810510", 50, 10),
        (2022, 156, 842, "810510", 60, 10),
        (2022, 842, 156, "810510", 1, 100),
        (2022, 251, 528, "810510", 40, "NA"),
        # copper concentrate 260300 (no production data for copper)
        (2022, 516, 528, "260300", 200, 100),
        (2022, 528, 276, "260300", 50, 25),
        # nickel ores 260400: NLD exports more than it imports
        (2022, 76, 528, "260400", 10, 10),
        (2022, 528, 276, "260400", 30, 30),
    ],
    # earlier years: one world flow per cobalt product (prices 10000/5000, 8000/4000,
    # 12000/6000 USD/t), none with NLD
    2019: [(2019, 156, 842, "282200", 100, 10), (2019, 842, 156, "810510", 50, 10)],
    2020: [(2020, 156, 842, "282200", 80, 10), (2020, 842, 156, "810510", 40, 10)],
    2021: [(2021, 156, 842, "282200", 120, 10), (2021, 842, 156, "810510", 60, 10)],
}
P_OXIDE_2022 = 1400 / 120 * 1000  # (600 + 500 + 300) / (60 + 40 + 20)
P_METAL_2022 = 110 / 20 * 1000  # (50 + 60) / (10 + 10); the 10 USD/t flow is an outlier
FRA_Q = 40 * 1000 / P_METAL_2022  # FRA→NLD quantity estimated at the world price
USA_Q = 100 * 1000 / P_OXIDE_2022  # USA→DEU likewise


def _rows(kind: str, table: str, rows: list[dict]) -> pd.DataFrame:
    cols = {**CANONICAL_TABLES[kind], **OPTIONAL_TABLES.get(kind, {})}[table]
    df = pd.DataFrame(rows, columns=list(cols))
    for c, t in cols.items():
        if t == "VARCHAR":
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def _write(store: DataStore, name: str, kind: str, tables: dict[str, pd.DataFrame]) -> None:
    for t in CANONICAL_TABLES[kind]:
        tables.setdefault(t, _rows(kind, t, []))
    write_tables_dataset(
        store,
        name=name,
        source=name,
        kind=kind,
        parsed=ParsedSource(tables, [], "test"),
        licence="test",
        citation="test",
        parser_version="t",
    )


def _prod(sheet: str, material: str, values: dict[tuple[str, int], float]) -> list[dict]:
    return [
        {
            "material": material,
            "source_name": sheet,
            "stage": "processing",
            "description": "test",
            "country": c,
            "country_label": c,
            "row_type": "country",
            "year": y,
            "value": v,
            "unit": "metr. t",
            "estimated": False,
            "note": None,
            "release": "test",
        }
        for (c, y), v in values.items()
    ]


def _hs(material: str, sheet: str, stage: str | None, codes: str | None) -> dict:
    return {
        "reference_id": sheet,
        "sheet": sheet,
        "material": material,
        "category": "test",
        "stage": stage,
        "eol_rir": 0.0,
        "hs_codes": codes,
        "description": sheet,
        "reference": "test",
    }


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stockpile")
    src = root / "baci"
    src.mkdir()
    write_country_dict(src)
    write_product_dict(src, ["282200", "810510", "260300", "260400"])
    for year, rows in TRADE.items():
        write_trade(src, year, rows)
    data = root / "store"
    api.add_dataset("baci", [src], data_dir=data)
    st = DataStore(data)
    production = _prod(
        "Cobalt",
        "cobalt",
        {
            ("CHN", 2022): 90,
            ("BRA", 2022): 10,
            ("NLD", 2022): 5,
            ("CHN", 2021): 80,
            ("NLD", 2021): 4,
        },
    ) + _prod("Nickel", "nickel", {("BRA", 2021): 50, ("BRA", 2022): 50})
    hs_map = [
        _hs("cobalt", "Cobalt", "processing", "282200;810510"),
        _hs("copper", "Copper", "extraction", "260300"),
        _hs("nickel", "Nickel", "extraction", "260400"),
        _hs("gallium", "Gallium", None, None),
    ]
    kind = "mineral_production"
    _write(
        st,
        "wmd",
        kind,
        {
            "production": _rows(kind, "production", production),
            "hs_map": _rows(kind, "hs_map", hs_map),
        },
    )
    end_use = [
        {"material": "cobalt", "eu_name": "Cobalt", "application": a, "share": s, "nace": n}
        for a, s, n in (("Batteries", 0.5, "C27"), ("Alloys", 0.3, "C25"), ("Tools", 0.2, "C25"))
    ]
    _write(st, "eu_crm", "crm_assessment", {"end_use": _rows("crm_assessment", "end_use", end_use)})
    return data


def _row(df: pd.DataFrame, item: str) -> pd.Series:
    return df.set_index("item").loc[item]


def test_cobalt_for_the_netherlands_by_hand(store: Path):
    res = candidate_tables(["Cobalt"], "NLD", 2022, data_dir=store)
    r = _row(res.frame("candidates"), "cobalt")
    imports = 60 + 40 + 10 + FRA_Q
    assert r["imports_t"] == pytest.approx(imports)
    assert r["exports_t"] == pytest.approx(20)
    assert r["production_t"] == pytest.approx(5)
    assert r["annual_demand_t"] == pytest.approx(5 + imports - 20)
    assert r["demand_source"] == "apparent_consumption"
    assert r["import_reliance"] == pytest.approx((imports - 20) / (5 + imports - 20))
    # suppliers by value: CHN 600, DEU 500, BRA 50, FRA 40
    assert r["top_supplier"] == "CHN" and r["n_suppliers"] == 4
    assert r["top_supplier_share"] == pytest.approx(600 / 1190)
    assert r["top_supplier_share_t"] == pytest.approx(60 / imports)
    assert r["supplier_hhi"] == pytest.approx((600**2 + 500**2 + 50**2 + 40**2) / 1190**2)
    assert r["supplier_hhi_t"] == pytest.approx((60**2 + 40**2 + 10**2 + FRA_Q**2) / imports**2)
    assert r["imports_kusd"] == pytest.approx(1190)
    # the importer's own unit value: reported quantities only (1150 kUSD / 110 t)
    assert r["import_unit_value_usd_per_t"] == pytest.approx(1150 / 110 * 1000)
    # world production 2022: CHN 90, BRA 10, NLD 5
    assert r["world_production_hhi"] == pytest.approx((90**2 + 10**2 + 5**2) / 105**2)
    assert r["top_producer"] == "CHN" and r["top_producer_share"] == pytest.approx(90 / 105)
    assert r["using_sectors"] == 2  # C25, C27
    assert "1 import flow(s) without quantity" in r["note"]

    sup = res.frame("suppliers")
    assert list(sup["supplier"]) == ["CHN", "DEU", "BRA", "FRA"]
    assert sup["value_share"].sum() == pytest.approx(1) and list(sup["rank"]) == [1, 2, 3, 4]
    assert sup.set_index("supplier").loc["FRA", "quantity_t"] == pytest.approx(FRA_Q)


def test_cobalt_price_and_volatility_by_hand(store: Path):
    res = candidate_tables(["cobalt"], "NLD", 2022, data_dir=store)
    r = _row(res.frame("candidates"), "cobalt")
    # weights: NLD's 2022 import quantities, 100 t of oxide and 10 t + FRA_Q of metal
    wa, wb = 100, 10 + FRA_Q
    wa, wb = wa / (wa + wb), wb / (wa + wb)
    series = {
        2019: wa * 10000 + wb * 5000,
        2020: wa * 8000 + wb * 4000,
        2021: wa * 12000 + wb * 6000,
        2022: wa * P_OXIDE_2022 + wb * P_METAL_2022,
    }
    assert r["price_usd_per_t"] == pytest.approx(series[2022])
    assert r["price_year"] == 2022 and r["years_of_prices"] == 4
    assert r["price_flows_used"] == 3 + 2  # oxide: 3 of 4 (one without q); metal: 2 of 4
    assert r["usd_per_eur"] == pytest.approx(1.0530)
    assert r["price_eur_per_t"] == pytest.approx(series[2022] / 1.0530)
    d = [math.log(series[y] / series[y - 1]) for y in (2020, 2021, 2022)]
    mean = sum(d) / 3
    assert r["price_volatility"] == pytest.approx(math.sqrt(sum((x - mean) ** 2 for x in d) / 2))
    med = sorted(d)[1]
    assert r["price_volatility_robust"] == pytest.approx(
        1.4826 * sorted(abs(x - med) for x in d)[1], rel=1e-4
    )
    prices = res.frame("prices").set_index("year")
    assert list(prices.index) == [2019, 2020, 2021, 2022]
    assert prices.loc[2022, "n_flows"] == 8 and prices.loc[2022, "n_used"] == 5


def test_eu27_counts_extra_eu_trade_only(store: Path):
    r = _row(candidates(["cobalt"], "EU27", 2022, data_dir=store), "cobalt")
    # extra-EU imports: CHN→NLD 60, BRA→NLD 10, USA→DEU (estimated); DEU/FRA→NLD are inside
    imports = 60 + 10 + USA_Q
    assert r["importer"] == "EU27"
    assert r["imports_t"] == pytest.approx(imports) and r["exports_t"] == 0
    assert r["annual_demand_t"] == pytest.approx(5 + imports)
    assert r["import_reliance"] == pytest.approx(imports / (5 + imports))
    assert r["top_supplier"] == "CHN"
    assert r["top_supplier_share"] == pytest.approx(600 / 750)


def test_average_over_years_counts_a_year_without_trade(store: Path):
    r = _row(candidates(["cobalt"], "NLD", 2022, data_dir=store, average_years=2), "cobalt")
    imports = (60 + 40 + 10 + FRA_Q) / 2  # no NLD trade in 2021
    assert r["years_used"] == "2021–2022"
    assert r["production_t"] == pytest.approx((4 + 5) / 2)
    assert r["imports_t"] == pytest.approx(imports) and r["exports_t"] == pytest.approx(10)
    assert r["annual_demand_t"] == pytest.approx(4.5 + imports - 10)
    assert r["imports_kusd"] == pytest.approx(1190 / 2)


def test_missing_data_keeps_every_row_with_a_note(store: Path):
    df = candidates(["copper", "nickel", "gallium", "260300", "cobalt"], data_dir=store).set_index(
        "item"
    )
    assert list(df.index) == ["copper", "nickel", "gallium", "260300", "cobalt"]
    assert (df["year"] == 2022).all()  # the latest year of both trade and production
    # copper: HS codes but no production data → net imports, import reliance unknown
    cu = df.loc["copper"]
    assert cu["annual_demand_t"] == pytest.approx(75) and cu["demand_source"] == "net_imports"
    assert math.isnan(cu["production_t"]) and math.isnan(cu["import_reliance"])
    assert "no World Mining Data production" in cu["note"]
    # nickel: net exporter (10 t in, 30 t out, no production) → no demand, reliance 0
    ni = df.loc["nickel"]
    assert math.isnan(ni["annual_demand_t"]) and ni["demand_source"] == "none"
    assert ni["import_reliance"] == 0 and "apparent consumption ≤ 0" in ni["note"]
    # gallium: no HS code → no trade, demand or price, but a row
    ga = df.loc["gallium"]
    assert "no HS code" in ga["note"] and math.isnan(ga["price_usd_per_t"])
    # a product: net imports, price from its flows (one flow each way: 2000 USD/t)
    hs = df.loc["260300"]
    assert hs["item_kind"] == "product" and hs["annual_demand_t"] == pytest.approx(75)
    assert hs["price_usd_per_t"] == pytest.approx(2000)
    assert "no production data for a product" in hs["note"]
    assert df.loc[df["annual_demand_t"].isna(), "note"].notna().all()


def test_user_inputs_defaults_and_overrides(store: Path):
    df = candidates(
        ["cobalt", "copper", "nickel", "260300"],
        data_dir=store,
        inputs={
            "Cobalt": {"commercial_stock_days": 30, "storage_cost_eur_per_t_year": 50},
            "copper": ItemInputs(annual_demand_t=200, price_usd_per_t=9000),
        },
    ).set_index("item")
    co, cu = df.loc["cobalt"], df.loc["copper"]
    assert co["commercial_stock_days"] == 30 and co["storage_cost_eur_per_t_year"] == 50
    assert "commercial_stock_days" not in co["defaults_used"]
    assert "exchange_traded" in co["defaults_used"]
    assert co["exchange_traded"] and co["specificity"] == "uniform"
    assert not co["special_storage"] and not co["certification_required"]
    assert pd.isna(co["shelf_life_years"])  # no limit
    assert cu["annual_demand_t"] == 200 and cu["demand_source"] == "user"
    assert cu["price_usd_per_t"] == 9000 and "price: the user's" in cu["note"]
    assert df.loc["nickel", "exchange_traded"]  # the material is LME-traded (its ore too)
    assert df.loc["260300", "specificity"] == "graded"
    assert not df.loc["260300", "exchange_traded"]


def test_nickel_material_default_is_exchange_traded():
    (ni,) = resolve_items(["nickel"])
    inputs, unset = ItemInputs().resolved(ni)
    assert inputs.exchange_traded and "exchange_traded" in unset
    (hg,) = resolve_items(["mercury"])
    assert ItemInputs().resolved(hg)[0].special_storage


@pytest.mark.parametrize(
    ("inputs", "field", "error"),
    [
        ({"cobalt": {"colour": "blue"}}, "inputs.cobalt.colour", DataError),
        (
            {"cobalt": {"commercial_stock_days": -1}},
            "inputs.cobalt.commercial_stock_days",
            DataError,
        ),
        ({"cobalt": {"specificity": "unique"}}, "inputs.cobalt.specificity", DataError),
        ({"cobalt": {"annual_demand_t": float("nan")}}, "inputs.cobalt.annual_demand_t", DataError),
        ({"cobalt": 5}, "inputs.cobalt", DataError),
        ({"copper": {}}, "inputs.copper", UsageError),
    ],
)
def test_bad_inputs_name_the_field(store: Path, inputs, field, error):
    with pytest.raises(error) as e:
        candidates(["cobalt"], data_dir=store, inputs=inputs)
    assert e.value.field == field


@pytest.mark.parametrize(
    ("items", "importer", "year", "field", "error", "match"),
    [
        (["unobtainium"], "NLD", None, "items", NotFoundError, "neither a six-digit HS code"),
        (["coppr"], "NLD", None, "items", NotFoundError, "(?i)closest: copper"),
        (["12345"], "NLD", None, "items", UsageError, "six digits"),
        (["999999"], "NLD", None, "items", NotFoundError, "unknown HS6 product"),
        ([], "NLD", None, "items", UsageError, "no items"),
        (["cobalt"], "XXX", None, "importer", NotFoundError, "none of its countries"),
        (["cobalt"], "Atlantis", None, "importer", NotFoundError, "neither an ISO3"),
        (["cobalt"], "NLD", 1990, "year", NotFoundError, "2019–2022"),
    ],
)
def test_bad_requests_name_the_field(store: Path, items, importer, year, field, error, match):
    with pytest.raises(error, match=match) as e:
        candidates(items, importer, year, data_dir=store)
    assert e.value.field == field


def test_average_years_must_be_positive(store: Path):
    with pytest.raises(UsageError) as e:
        candidates(["cobalt"], data_dir=store, average_years=0)
    assert e.value.field == "average_years"


def test_result_columns_and_provenance(store: Path):
    res = candidate_tables(["cobalt", "260300"], "NLD", data_dir=store, usd_per_eur=1.25)
    assert isinstance(res, Result) and set(res.tables) == {"candidates", "suppliers", "prices"}
    df = res.frame("candidates")
    assert list(df.columns) == list(CANDIDATE_COLUMNS)
    assert _row(df, "cobalt")["usd_per_eur"] == 1.25
    prov = Provenance.from_dict(df.attrs["provenance"])
    assert {d["dataset"] for d in prov.datasets} == {"baci_hs92_v202401b", "wmd", "eu_crm"}
    assert prov.parameters["year"] == 2022 and prov.parameters["importer"] == "NLD"
    assert prov.analysis == "stockpile_candidates"


def test_crm_2023_items_cover_the_list():
    items = crm_2023_items()
    assert len(items) == len(set(items)) == 36
    # groups with members of their own in World Mining Data are split
    assert {"aluminium", "bauxite", "palladium", "platinum", "rhodium"} <= set(items)
    assert "aluminium_bauxite" not in items and "pgm" not in items
    assert {"rare_earths", "gallium", "copper", "helium"} <= set(items)
