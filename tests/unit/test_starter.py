"""The starter pack's attribution: every fact table names its datasets and licences, and an
analysis column that attribution would overwrite is refused rather than lost."""

from __future__ import annotations

import pandas as pd
import pytest

from ketenradar.results import starter

PROV = [
    {"dataset": "eu_crm", "release": "CRM 2023", "licence": "CC BY 4.0"},
    {"dataset": "usgs_mcs", "release": "MCS2024", "licence": "US public domain"},
]


def test_add_attributes_every_row():
    out = starter.Derived()
    out.add("t", pd.DataFrame({"x": [1, 2]}), PROV)
    t = out.tables["t"]
    assert list(t["source"]) == ["eu_crm (CRM 2023); usgs_mcs (MCS2024)"] * 2
    assert list(t["licence"]) == ["CC BY 4.0; US public domain"] * 2
    assert out.used["t"] == ["eu_crm", "usgs_mcs"] and set(out.datasets) == {"eu_crm", "usgs_mcs"}


def test_add_refuses_a_column_attribution_would_overwrite():
    out = starter.Derived()
    with pytest.raises(ValueError, match="own source column"):
        out.add("t", pd.DataFrame({"source": ["usgs"]}), PROV)
    assert out.tables == {}


def test_shipped_concentration_keeps_its_basis():
    """Each concentration row says its basis (EU CRM global supply or EU sourcing, USGS world
    production) apart from the attribution."""
    conc = starter.read("concentration")
    assert set(conc["basis"]) == {"eu_crm", "eu_crm_eu", "usgs"}
    assert conc["source"].str.contains("eu_crm").all()
    # the EU CRM rows are supply shares of the 2023 assessment; USGS rows are in tonnes & co
    eu = conc[conc["basis"] != "usgs"]
    assert set(eu["unit"]) == {"fraction"} and set(eu["year"]) == {2023}
    assert "fraction" not in set(conc.loc[conc["basis"] == "usgs", "unit"])
