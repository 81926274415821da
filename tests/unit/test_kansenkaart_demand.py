"""The kansenkaart demand model on hand-built account tables (no files): scaling, learning,
currency conversion, the S-curve's conservation, the taxonomy (every account mapped or an
error), remainder rows and element inheritance, each against figures computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ketenradar.core.errors import DataError, UsageError
from ketenradar.modules.kansenkaart.analysis.demand import (
    Factors,
    ReferenceTable,
    compute_demand,
    currency_factor,
    leaf_table,
    learning_factor,
    parse_taxonomy,
    prepare_design,
    scale_factor,
    scurve_shares,
)
from ketenradar.modules.kansenkaart.analysis.scenario import parse_programme

NAN = float("nan")


def _acc(rows: list[tuple]) -> pd.DataFrame:
    cols = ["account", "parent", "total", "factory_equipment", "site_labour", "site_material"]
    cols += ["site_labour_hours"]
    df = pd.DataFrame(rows, columns=cols)
    df["norm"] = df["account"].str.replace(".", "", regex=False)
    df["level"] = df["account"].str.len() - 1
    df["description"] = df["account"]
    df["nqa1"] = NAN
    df["included"] = True
    df["exclusion"] = None
    df["parent"] = df["parent"].astype(object).where(df["parent"].notna(), None)
    return df


def _ref(rows: list[tuple], mwe: float = 1000.0, year: int = 2018) -> ReferenceTable:
    return ReferenceTable(
        design="toy",
        title="toy",
        code_system="eedb",
        currency="USD",
        price_year=year,
        reference_mwe=mwe,
        construction_months=60,
        accounts=_acc(rows),
    )


TAX = parse_taxonomy(
    {
        "work_packages": {
            "civil": {"lead_months": 0, "start_fraction": 0, "end_fraction": 1},
            "pumps": {"lead_months": 12, "start_fraction": 0, "end_fraction": 0.5},
        },
        "rules": {"eedb": {"21": "civil", "22": "civil", "221": "pumps"}},
    }
)
FACTORS = Factors(deflator={2018: 100.0, 2024: 125.0}, usd_per_eur={2018: 1.2, 2024: 1.1})

# 2 = 21 + 22; 22 = 221 + 222 + 10 (a remainder); 221 has no elements (takes 22's shares)
TOY = [
    ("2", None, 1000.0, NAN, NAN, NAN, NAN),
    ("21", "2", 400.0, 100.0, 200.0, 100.0, 4000.0),
    ("22", "2", 600.0, 300.0, 240.0, 60.0, 2000.0),
    ("221", "22", 290.0, NAN, NAN, NAN, NAN),
    ("222", "22", 300.0, 150.0, 100.0, 40.0, 900.0),
]


def test_scale_and_learning_by_hand():
    assert scale_factor(2000, 1000, 0.8) == pytest.approx(2**0.8)  # 1.7411
    assert scale_factor(1000, 1000, 0.8) == 1.0
    # Wright: 10 % per doubling -> unit 2 at 0.9, unit 4 at 0.81, unit 3 at 3**log2(0.9)
    assert learning_factor(2, 0.1) == pytest.approx(0.9)
    assert learning_factor(4, 0.1) == pytest.approx(0.81)
    assert learning_factor(3, 0.1) == pytest.approx(3 ** math.log2(0.9))
    assert learning_factor(7, 0.0) == 1.0
    with pytest.raises(UsageError) as e:
        learning_factor(2, 1.0)
    assert e.value.field == "learning_rate"


def test_currency_conversion_by_hand():
    assert currency_factor(FACTORS, 2018, "source", None) == (1.0, "USD2018")
    f, label = currency_factor(FACTORS, 2018, "EUR", 2024)
    assert label == "EUR2024" and f == pytest.approx(125 / 100 / 1.1)  # 1.13636
    f, label = currency_factor(FACTORS, 2018, "source", 2024)
    assert label == "USD2024" and f == pytest.approx(1.25)
    with pytest.raises(UsageError) as e:
        currency_factor(FACTORS, 2018, "EUR", 2030)
    assert e.value.field == "price_year"


def test_scurve_conserves_and_is_symmetric():
    years, shares = scurve_shares(2030 * 12, 2034 * 12)  # four whole years
    assert list(years) == [2030, 2031, 2032, 2033]
    assert shares.sum() == pytest.approx(1.0, abs=1e-15)
    # cumulative (1 - cos(pi x)) / 2 at x = 1/4: (1 - cos(pi/4)) / 2 = 0.1464466
    assert shares[0] == pytest.approx((1 - math.cos(math.pi / 4)) / 2)
    assert shares[0] == pytest.approx(shares[3]) and shares[1] == pytest.approx(shares[2])
    # a window that starts mid-year: still sums to one
    years, shares = scurve_shares(2029 * 12 + 7.5, 2036 * 12 + 2)
    assert years[0] == 2029 and years[-1] == 2036
    assert shares.sum() == pytest.approx(1.0, abs=1e-12) and (shares >= 0).all()


def test_leaves_remainder_and_inherited_elements():
    leaves, accounts = leaf_table(_ref(TOY))
    by = leaves.set_index("account")
    assert sorted(by.index) == ["21", "221", "222", "22~rest"]
    assert by.loc["22~rest", "total"] == pytest.approx(10.0)  # 600 - 290 - 300
    # 221 takes 22's shares: factory 300/600, labour 240/600, material 60/600 of 290
    assert by.loc["221", "factory_equipment"] == pytest.approx(145.0)
    assert by.loc["221", "site_labour"] == pytest.approx(116.0)
    assert by.loc["221", "site_material"] == pytest.approx(29.0)
    assert by.loc["221", "site_labour_hours"] == pytest.approx(2000 * 290 / 600)
    # the leaves add up to the root; the elements and unallocated add up to each total
    assert by["total"].sum() == pytest.approx(1000.0)
    el = by[["factory_equipment", "site_labour", "site_material", "unallocated"]].sum(axis=1)
    assert np.allclose(el, by["total"])
    assert by.loc["222", "unallocated"] == pytest.approx(10.0)  # 300 - (150 + 100 + 40)
    assert "22~rest" in set(accounts["account"])


def test_every_account_maps_or_the_model_says_which():
    prep = prepare_design(_ref(TOY), TAX, {"2": 0.8}, 0.8)
    assert dict(zip(prep.leaves["account"], prep.leaves["work_package"], strict=True)) == {
        "21": "civil",
        "221": "pumps",
        "222": "civil",
        "22~rest": "civil",
    }
    bad = [*TOY, ("31", None, 5.0, NAN, NAN, NAN, NAN)]
    with pytest.raises(DataError) as e:
        prepare_design(_ref(bad), TAX, {}, 0.8)
    assert e.value.field == "taxonomy" and "31" in str(e.value)


def _programme(mwe: float, **unit) -> object:
    return parse_programme(
        {
            "name": "toy",
            "learning_rate": unit.pop("learning_rate", 0.0),
            "units": [{"design": "eedb_pwr12_be", "mwe": mwe, "first_concrete_year": 2030, **unit}],
        }
    )


def test_reference_size_in_source_currency_returns_the_source():
    prep = prepare_design(_ref(TOY, mwe=1144), TAX, {}, 0.8)
    demand, accounts = compute_demand(
        _programme(1144), {"eedb_pwr12_be": prep}, TAX, FACTORS, currency="source"
    )
    acc = accounts.set_index("account")
    for code, total in (("2", 1000), ("21", 400), ("22", 600), ("221", 290), ("222", 300)):
        assert acc.loc[code, "total"] == pytest.approx(total)
        assert acc.loc[code, "source_total"] == total
    assert acc.loc["2", "site_labour_hours"] == pytest.approx(
        4000 + 2000 * 290 / 600 + 900 + 2000 * 10 / 600
    )
    # each work package's years add up to its total (conservation), and all to the root
    per_wp = demand.groupby("work_package")["total"].sum()
    assert per_wp["pumps"] == pytest.approx(290.0) and per_wp["civil"] == pytest.approx(710.0)
    assert demand["total"].sum() == pytest.approx(1000.0)
    # pumps: window from 12 months before first concrete to half the 60 months
    pumps = demand[demand["work_package"] == "pumps"]
    assert pumps["year"].min() == 2029 and pumps["year"].max() == 2032


def test_scaled_learned_and_converted_by_hand():
    prep = prepare_design(_ref(TOY, mwe=1000), TAX, {"21": 0.6}, 0.8)
    prog = _programme(2000, learning_rate=0.1, order=2)
    _, accounts = compute_demand(
        prog, {"eedb_pwr12_be": prep}, TAX, FACTORS, currency="EUR", price_year=2024
    )
    acc = accounts.set_index("account")
    conv = 125 / 100 / 1.1
    assert acc.loc["21", "total"] == pytest.approx(400 * 2**0.6 * 0.9 * conv)
    assert acc.loc["22", "total"] == pytest.approx(600 * 2**0.8 * 0.9 * conv)
    assert acc.loc["21", "site_labour_hours"] == pytest.approx(4000 * 2**0.6 * 0.9)  # no currency
    assert (accounts["currency"] == "EUR2024").all()


def test_bad_taxonomy_names_the_field():
    with pytest.raises(DataError) as e:
        parse_taxonomy(
            {"work_packages": {"civil": {"lead_months": 0}}, "rules": {"eedb": {"21": "pumps"}}}
        )
    assert e.value.field == "rules.eedb.21"
    with pytest.raises(DataError) as e:
        parse_taxonomy({"work_packages": {"civil": {"lead_month": 3}}, "rules": {}})
    assert e.value.field == "work_packages.civil.lead_month"
    with pytest.raises(DataError) as e:
        parse_taxonomy(
            {"work_packages": {"civil": {"start_fraction": 0.9, "end_fraction": 0.5}}, "rules": {}}
        )
    assert e.value.field == "work_packages.civil.end_fraction"
