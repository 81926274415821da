"""Requirements per work package (issue 17, item 3): the NQA-1 share of a work package from a
hand-built account table, the packaged requirements and certificates tables, errors naming
the bad field, work-package names in English and Dutch, and the command's exit codes."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ketenradar.core.errors import DataError, UsageError
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.kansenkaart import api
from ketenradar.modules.kansenkaart.analysis.requirements import (
    SAFETY_CLASSES,
    nqa1_shares,
    parse_certificates,
    parse_requirements,
    requirement_tables,
)
from ketenradar.modules.kansenkaart.names import work_package_names
from ketenradar.modules.kansenkaart.references import load_taxonomy
from ketenradar.modules.kansenkaart.tables import load_certificates, load_requirements

NAN = float("nan")


def _accounts(scale: float = 1.0, unit: str = "u1") -> pd.DataFrame:
    # account, parent, nqa1, leaf, work_package, total, excluded
    rows = [
        ("A.2", None, NAN, False, None, 330.0, None),
        ("A.21", "A.2", 1.0, False, None, 100.0, None),
        ("A.211", "A.21", NAN, True, "civil", 30.0, None),  # inherits A.21's 1
        ("A.212", "A.21", 0.0, True, "civil", 70.0, None),  # own 0 wins over A.21's 1
        ("A.23", "A.2", NAN, False, None, 200.0, None),
        ("A.231", "A.23", NAN, True, "turbine", 50.0, None),  # no flag anywhere up
        ("A.232", "A.23", 0.0, True, "turbine", 150.0, None),
        ("A.221", "A.2", 1.0, True, "pumps", 40.0, None),
        ("A.229", "A.2", 1.0, False, None, 1000.0, "template of another design"),
        ("A.2291", "A.229", 1.0, True, "pumps", 1000.0, "template of another design"),
        ("A.9", None, NAN, True, "services", 5.0, None),  # no flag in the data
    ]
    cols = ["account", "parent", "nqa1", "leaf", "work_package", "total", "excluded"]
    df = pd.DataFrame(rows, columns=cols)
    df["total"] *= scale
    df.insert(0, "unit", unit)
    return df


def test_nqa1_share_by_hand():
    out = nqa1_shares(_accounts()).set_index("work_package")
    # civil: 30 of 100 flagged NQA-1 (A.211 through its parent), every leaf has a flag
    assert out.loc["civil", "cost"] == 100 and out.loc["civil", "cost_nqa1"] == 30
    assert out.loc["civil", "nqa1_share"] == pytest.approx(0.3)
    assert out.loc["civil", "flag_coverage"] == pytest.approx(1.0)
    # turbine: 150 of 200 has a flag (0): share 0, coverage 0.75
    assert out.loc["turbine", "nqa1_share"] == 0.0
    assert out.loc["turbine", "flag_coverage"] == pytest.approx(0.75)
    # pumps: the excluded template account (1000) is not counted
    assert out.loc["pumps", "cost"] == 40 and out.loc["pumps", "nqa1_share"] == 1.0
    # services: no flag on the leaf or above it
    assert math.isnan(out.loc["services", "nqa1_share"])
    assert out.loc["services", "flag_coverage"] == 0.0


def test_nqa1_share_sums_units_before_dividing():
    two = pd.concat([_accounts(1.0, "u1"), _accounts(3.0, "u2")], ignore_index=True)
    out = nqa1_shares(two).set_index("work_package")
    assert out.loc["civil", "cost"] == 400 and out.loc["civil", "cost_nqa1"] == 120
    assert out.loc["civil", "nqa1_share"] == pytest.approx(0.3)


def test_packaged_tables_cover_every_work_package_and_the_standards_asked():
    certs = load_certificates()
    tax = load_taxonomy()
    rules = load_requirements(None, certs, dict(tax.work_packages))
    assert set(rules.work_packages) == set(tax.work_packages)
    assert {s.safety_class for s in rules.work_packages.values()} == set(SAFETY_CLASSES)
    want = {"asme_iii_n", "asme_iii_npt", "asme_iii_ns", "rcc_m", "kta_1401", "iso_19443"}
    want |= {"nqa_1", "iso_9001", "iso_3834", "asme_ix", "iso_9712", "vog", "aivd_screening"}
    assert set(certs.certificates) == want
    used = {r.certificate for s in rules.work_packages.values() for r in s.requirements}
    assert used == want  # every certificate is asked somewhere
    for c in certs.certificates.values():
        assert c.standard and c.issuing_body
        assert c.figures == "project estimate"  # no sourced figure yet: labelled as such
    judged = [r.basis for s in rules.work_packages.values() for r in s.requirements]
    assert set(judged) == {"project judgement"}


def test_tables_keep_one_work_package_and_name_it():
    certs = load_certificates()
    tax = load_taxonomy()
    rules = load_requirements(None, certs, dict(tax.work_packages))
    names = work_package_names(tax.work_packages, "nl")
    shares = nqa1_shares(
        pd.DataFrame(
            {
                "unit": ["u"] * 2,
                "account": ["a", "b"],
                "parent": [None, None],
                "nqa1": [1.0, 0.0],
                "leaf": [True, True],
                "work_package": ["pumps", "pumps"],
                "total": [25.0, 75.0],
            }
        )
    )
    t = requirement_tables(rules, certs, shares, names, work_package="pumps")
    wp = t["work_packages"]
    assert list(wp["work_package"]) == ["pumps"] and list(wp["work_package_name"]) == ["Pompen"]
    assert wp["nqa1_share"].iat[0] == pytest.approx(0.25)
    req = t["requirements"]
    assert set(req["work_package"]) == {"pumps"} and "asme_iii_n" in set(req["certificate"])
    assert req["standard"].str.len().min() > 10  # each requirement carries its source's title
    with pytest.raises(DataError) as e:
        requirement_tables(rules, certs, None, names, work_package="nope")
    assert e.value.field == "work_package"


def test_every_work_package_has_an_english_and_a_dutch_name():
    tax = load_taxonomy()
    en = work_package_names(tax.work_packages, "en")
    nl = work_package_names(tax.work_packages, "nl")
    assert set(en) == set(nl) == set(tax.work_packages)
    for wp in tax.work_packages:
        assert en[wp] != wp and nl[wp] != wp  # a name, not the id
    assert en["valves"] == "Valves" and nl["valves"] == "Afsluiters"
    same = [wp for wp in tax.work_packages if en[wp] == nl[wp]]
    assert same == []  # no English text on a Dutch label


CERT = {
    "name": "x",
    "kind": "certificate",
    "standard": "ISO 9001",
    "issuing_body": "a body",
    "months": [1, 2],
    "figures": "project estimate",
}


def test_bad_tables_name_the_field():
    with pytest.raises(DataError) as e:
        parse_certificates({"certificates": {"x": {**CERT, "months": [12, 6]}}}, file="c.yaml")
    assert e.value.field == "certificates.x" and "low <= high" in str(e.value)
    with pytest.raises(DataError) as e:
        parse_certificates({"certificates": {"x": {**CERT, "kind": "badge"}}})
    assert e.value.field == "certificates.x.kind"
    with pytest.raises(DataError) as e:
        parse_certificates({"certificates": {"x": {**CERT, "cost": 3}}})
    assert e.value.field == "certificates.x.cost" and "unknown field" in str(e.value)
    certs = parse_certificates({"certificates": {"x": CERT}})
    wp = {"safety_class": "safety_related", "basis": "project judgement"}
    with pytest.raises(DataError) as e:
        parse_requirements(
            {"work_packages": {"pumps": {**wp, "requirements": [{"certificate": "y"}]}}}, certs
        )
    assert e.value.field == "work_packages.pumps.requirements[0].applies_to"
    bad = {"certificate": "y", "applies_to": "all"}
    with pytest.raises(DataError) as e:
        parse_requirements({"work_packages": {"pumps": {**wp, "requirements": [bad]}}}, certs)
    assert e.value.field == "work_packages.pumps.requirements[0].certificate"
    assert "unknown certificate 'y'" in str(e.value)
    with pytest.raises(DataError) as e:
        parse_requirements({"work_packages": {"pumps": {**wp, "safety_class": "yes"}}}, certs)
    assert e.value.field == "work_packages.pumps.safety_class"
    with pytest.raises(DataError) as e:
        parse_requirements({"work_packages": {"pump": wp}}, certs, {"pumps": {}})
    assert e.value.field == "work_packages.pump"


def _req(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["kansenkaart", "requirements", *args])
    return r.exit_code, r.output


def test_cli_writes_the_tables_without_the_shared_data(tmp_path: Path):
    out = tmp_path / "req.csv"
    code, text = _req(
        "--work-package",
        "valves",
        "--shared-data",
        str(tmp_path),
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert code == 0, text
    df = pd.read_csv(out, comment="#")
    assert set(df["work_package"]) == {"valves"} and "rcc_m" in set(df["certificate"])
    code, text = _req("--table", "certificates", "--shared-data", str(tmp_path))
    assert code == 0 and "project estimate" in text


def test_cli_exit_codes(tmp_path: Path):
    code, text = _req("--table", "stamps")
    assert code == 2 and "allowed requirements, work_packages, certificates" in text
    code, text = _req("--work-package", "nope", "--shared-data", str(tmp_path))
    assert code == 3 and "unknown work package 'nope'" in text
    code, text = _req("--rules", str(tmp_path / "none.yaml"))
    assert code == 2 and "none.yaml" in text
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "work_packages:\n  pumps:\n    safety_class: maybe\n    basis: x\n", encoding="utf-8"
    )
    code, text = _req("--rules", str(bad), "--shared-data", str(tmp_path))
    assert code == 4 and "work_packages.pumps.safety_class" in text and "rules.yaml" in text


def test_the_origin_keeps_the_requirements_of_one_design_origin():
    """``origin`` keeps what is asked for that design origin plus what is asked always; the
    ``origins`` column says which origins a row is for."""
    res = api.requirements(origin="FR", work_package="valves", shared="/nonexistent")
    reqs = res.frame("requirements")
    assert "rcc_m" in set(reqs["certificate"]) and "asme_iii_n" not in set(reqs["certificate"])
    assert set(reqs["origins"]) <= {"FR", ""}
    every = api.requirements(work_package="valves", shared="/nonexistent").frame("requirements")
    assert {"asme_iii_n", "rcc_m"} <= set(every["certificate"])
    assert res.provenance.parameters["origin"] == "FR"
    with pytest.raises(UsageError):
        api.requirements(origin="XX")
