"""Country names → ISO3 over the packaged tables (``ketenradar.core.countries``).

The real-data test compares what the connectors make of every country name and code in
``../shared/data`` with ``tests/unit/data/country_names_realdata.csv``, first recorded with
country_converter 1.3.2 (the lookup before issue 14), so the packaged table reproduces it.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from conftest import REPO, require_shared

from ketenradar.core.countries import (
    country_names,
    exact_country_names,
    is_iso3,
    iso_countries,
    known_country_names,
    name_key,
    names_to_iso3,
)
from ketenradar.sources.eu_crm import parse_eu_crm

SCRIPT = REPO / "scripts" / "build_country_table.py"
DATA = REPO / "src" / "ketenradar" / "data"


def _script():
    spec = importlib.util.spec_from_file_location("build_country_table", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _rows(path: Path) -> list[dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def test_names_match_whatever_the_case_accents_and_punctuation() -> None:
    got = names_to_iso3(
        [
            "Côte d’Ivoire",
            "COTE D'IVOIRE",
            "Türkiye",
            "Turkiye",
            "Korea, South",
            "korea  south",
            "Congo, D.R.",
            "Congo (Kinshasa)",
            "The Gambia",
            "Gambia, The",
            "Russia",
            "south africa",
            "Netherlands\xa0",
        ]
    )
    assert got == {
        "Côte d’Ivoire": "CIV",
        "COTE D'IVOIRE": "CIV",
        "Türkiye": "TUR",
        "Turkiye": "TUR",
        "Korea, South": "KOR",
        "korea  south": "KOR",
        "Congo, D.R.": "COD",
        "Congo (Kinshasa)": "COD",
        "The Gambia": "GMB",
        "Gambia, The": "GMB",
        "Russia": "RUS",
        "south africa": "ZAF",
        "Netherlands\xa0": "NLD",
    }
    assert name_key("Côte d’Ivoire") == name_key("cote d'ivoire") == "cote d ivoire"


def test_codes_iso3_iso2_numeric() -> None:
    got = names_to_iso3(["NLD", "nld", "NL", "528", "XKX", "CSK", "ZZZ", "DRC", "UK", "00"])
    assert got == {
        "NLD": "NLD",
        "nld": "NLD",
        "NL": "NLD",
        "528": "NLD",
        "XKX": "XKX",  # Kosovo: user-assigned code, in the table
        "CSK": None,  # withdrawn (Czechoslovakia): not an ISO3 code of the table
        "ZZZ": None,
        "DRC": "COD",  # a name of three capitals that is no code
        "UK": "GBR",
        "00": None,
    }
    assert is_iso3("CHN") and is_iso3("XKX") and not is_iso3("chn") and not is_iso3("S19")


def test_unknown_names_are_reported_not_dropped(tmp_path: Path) -> None:
    got = names_to_iso3(["Atlantis", "World total", "China", "Atlantis", "Chnia", "²", ""])
    assert got == {
        "Atlantis": None,
        "World total": None,
        "China": "CHN",
        "Chnia": None,
        "²": None,
        "": None,
    }
    # a connector names them in a warning and keeps the rows with country NULL
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "dimension_CRMsOverTime.csv").write_text(
        "Material,Year,SR,EI\nGallium,2023,3.9,3.7\n"
    )
    (folder / "fact_GlobalSupplyShares&t.csv").write_text(
        "Material,Stage,Country,Share,t\nGallium,P,China,94%,1.1\nGallium,P,Atlantis,6%,1.0\n"
    )
    parsed = parse_eu_crm([folder])
    shares = parsed.tables["supply_shares"].set_index("country_label")
    assert shares.loc["China", "country"] == "CHN"
    assert shares["country"].isna().sum() == 1 and "Atlantis" in shares.index
    assert any("without ISO3" in w and "Atlantis" in w for w in parsed.warnings)


def test_short_names_and_suggestions() -> None:
    names = country_names()
    assert names["CHN"] == "China" and names["RUS"] == "Russia" and names["XKX"] == "Kosovo"
    assert names["COD"] == "DR Congo" and names["KOR"] == "South Korea"
    assert len(names) == len(iso_countries()) == 250  # ISO 3166-1 (249) and Kosovo
    assert all(names.values())
    assert {"CHN", "China", "Netherlands"} <= set(known_country_names())
    assert {"Congo (Kinshasa)", "Korea, Republic of", "Russia"} <= exact_country_names()


def test_packaged_tables_are_consistent() -> None:
    countries = _rows(DATA / "countries.csv")
    names = _rows(DATA / "country_names.csv")
    codes = {r["iso3"] for r in countries}
    assert len(codes) == len(countries)
    assert all(
        r["numeric"].isdigit() and len(r["numeric"]) == 3 for r in countries if r["iso2"] != "XK"
    )
    by_key: dict[str, str] = {}
    for r in names:
        assert r["iso3"] in codes and r["source"], r
        assert by_key.setdefault(name_key(r["name"]), r["iso3"]) == r["iso3"], r
    # every country is found by its own short name
    assert names_to_iso3([r["name"] for r in countries]) == {
        r["name"]: r["iso3"] for r in countries
    }


def test_packaged_tables_equal_a_fresh_build() -> None:
    """The committed CSVs are what the maintainer script writes from the pinned pycountry."""
    try:
        import pycountry  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("pycountry is missing (the test extra pins it)")
        pytest.skip("pycountry is not installed")
    rendered = _script().render()
    assert set(rendered) == {DATA / "countries.csv", DATA / "country_names.csv"}
    for path, text in rendered.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run python scripts/build_country_table.py"
        )


@pytest.mark.realdata
def test_real_files_map_as_recorded() -> None:
    """Every country name and code in the real files maps as the committed expectation says."""
    data = require_shared()
    script = _script()
    want = _rows(script.REALDATA_CSV)
    got = script.realdata_mapping(data)
    assert len(want) > 1500
    key = script.REALDATA_COLUMNS[:4]
    want_by = {tuple(r[c] for c in key): r for r in want}
    got_by = {tuple(r[c] for c in key): r for r in got}
    assert set(got_by) == set(want_by), (
        "the real files changed: review and re-record with "
        "python scripts/build_country_table.py --record-realdata ../shared/data"
    )
    wrong = {k: (want_by[k], got_by[k]) for k in want_by if want_by[k] != got_by[k]}
    assert not wrong, wrong
    # the recording covers every source, and some names only the publishers' spellings give
    assert {r["source"] for r in want} == {"baci", "eu_crm", "usgs", "wgi", "wmd"}
    sample = {(r["source"], r["name"]): r["iso3"] for r in want}
    assert sample[("eu_crm", "Congo, D.R.")] == "COD"
    assert sample[("usgs", "Korea, Republic ofe")] == "KOR"
    assert sample[("usgs", "World total (rounded)")] == ""
