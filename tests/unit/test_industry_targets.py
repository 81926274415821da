"""Emissions against targets (issue 18, item 3): the pace, projection, gap and status
computed by hand on small series; the targets file refused with the file and the field; the
command on a small EUTL export."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from test_ets_eutl import ROWS, write_eutl
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.industry import facts
from ketenradar.modules.industry.analysis import targets as analysis
from ketenradar.modules.industry.analysis.targets import (
    Target,
    assess,
    scope_series,
    target_level,
    trajectory,
)
from ketenradar.modules.industry.api import targets
from ketenradar.modules.industry.targets_file import DEFAULT, load_targets

runner = CliRunner()


def _rows() -> pd.DataFrame:
    """Two installations per year: a chemicals plant (60 → 54) and a power station (40),
    2019-2022 complete, 2023 from the large table only; one 'Excluded' row."""
    out = []
    chem = {2019: 60.0, 2020: 58.0, 2021: 56.0, 2022: 54.0, 2023: 30.0}
    power = {2019: 40.0, 2020: 39.0, 2021: 39.0, 2022: 40.0, 2023: 20.0}
    for y in chem:
        cov = "all" if y < 2023 else "large only"
        out.append(("A", y, chem[y], "verified", "chemicals", "Chemelot", cov))
        out.append(("B", y, power[y], "verified", "combustion", "cluster 6", cov))
    out.append(("C", 2022, None, "Excluded", "chemicals", "Chemelot", "all"))
    cols = ["installation_id", "year", "verified_t", "status", "sector", "cluster", "coverage"]
    return pd.DataFrame(out, columns=cols)


def _target(**kw) -> Target:
    base = {"id": "t", "name": "t", "source": "s", "baseline_year": 2019, "target_year": 2030}
    return Target(**{**base, **kw})


def test_the_scope_keeps_its_sectors_and_clusters_and_only_verified_numbers() -> None:
    rows = _rows()
    every = scope_series(rows, _target(reduction_t=1))
    assert every.set_index("year")["verified_t"].to_dict() == {
        2019: 100.0,
        2020: 97.0,
        2021: 95.0,
        2022: 94.0,
        2023: 50.0,
    }
    assert every.set_index("year")["installations"][2022] == 2  # the Excluded row not counted
    chem = scope_series(rows, _target(reduction_t=1, sectors=("chemicals",)))
    assert chem["verified_t"].tolist() == [60.0, 58.0, 56.0, 54.0, 30.0]
    no_power = scope_series(rows, _target(reduction_t=1, exclude_sectors=("combustion",)))
    assert no_power["verified_t"].tolist() == chem["verified_t"].tolist()
    six = scope_series(rows, _target(reduction_t=1, clusters=("cluster 6",)))
    assert six["verified_t"].tolist() == [40.0, 39.0, 39.0, 40.0, 20.0]


def test_pace_projection_gap_and_status_by_hand() -> None:
    series = scope_series(_rows(), _target(reduction_t=1))
    # 20 t less than 2019's 100 by 2030: level 80. Latest complete year 2022 (94; 2023 is a
    # subset). Achieved (94 - 100) / 3 = -2 a year; required (80 - 94) / 8 = -1.75 a year;
    # projected 94 - 2 x 8 = 78; gap 78 - 80 = -2: on track.
    a = assess(series, _target(reduction_t=20))
    assert (a.baseline_t, a.target_t, a.latest_year, a.latest_t) == (100.0, 80.0, 2022, 94.0)
    assert a.achieved_pace_t == pytest.approx(-2.0)
    assert a.required_pace_t == pytest.approx(-1.75)
    assert a.projected_t == pytest.approx(78.0)
    assert a.gap_t == pytest.approx(-2.0)
    assert a.status == "on track"
    # half of 2019 by 2030: level 50; required (50 - 94) / 8 = -5.5; gap 78 - 50 = 28
    b = assess(series, _target(reduction_share=0.5))
    assert b.target_t == pytest.approx(50.0)
    assert b.required_pace_t == pytest.approx(-5.5)
    assert b.gap_t == pytest.approx(28.0)
    assert b.status == "off track"
    # a level already reached
    c = assess(series, _target(level_t=95))
    assert c.status == "met" and c.required_pace_t == pytest.approx(1 / 8)
    # a fall so steep that the straight line would cross zero: the projection stops at 0
    steep = pd.DataFrame(
        {"year": [2019, 2022], "verified_t": [100.0, 40.0], "coverage": ["all", "all"]}
    )
    d = assess(steep, _target(reduction_t=70))
    assert d.achieved_pace_t == pytest.approx(-20.0)
    assert d.projected_t == 0.0 and d.status == "on track"


def test_target_level_and_the_straight_path() -> None:
    assert target_level(_target(reduction_t=20), 100.0) == 80.0
    assert target_level(_target(reduction_share=0.62), 200.0) == pytest.approx(76.0)
    assert target_level(_target(level_t=12.5), 100.0) == 12.5
    series = scope_series(_rows(), _target(reduction_t=1))
    path = trajectory(series, _target(reduction_t=20), 100.0).set_index("year")
    assert path.index.tolist() == list(range(2019, 2031))
    assert path.loc[2019, "path_t"] == 100.0 and path.loc[2030, "path_t"] == 80.0
    assert path.loc[2024, "path_t"] == pytest.approx(100 - 20 * 5 / 11)
    assert path.loc[2023, "coverage"] == "large only" and path.loc[2023, "verified_t"] == 50.0
    assert math.isnan(path.loc[2030, "verified_t"])


def test_a_base_year_without_complete_numbers_is_an_error_naming_it() -> None:
    series = scope_series(_rows(), _target(reduction_t=1))
    with pytest.raises(ValueError, match=r"base year 2018 .*complete years: 2019–2022"):
        assess(series, _target(baseline_year=2018, reduction_t=1))
    with pytest.raises(ValueError, match="no complete year after the base year 2022"):
        assess(series, _target(baseline_year=2022, reduction_t=1))


def test_the_result_table_declares_the_columns_the_analysis_builds() -> None:
    assert list(analysis.ASSESSMENT_COLUMNS) == facts.TARGET_ASSESSMENT_COLUMN_NAMES
    assert list(analysis.TRAJECTORY_COLUMNS) == facts.TRAJECTORY_COLUMN_NAMES


def test_the_shipped_targets_file_reads_with_its_sources() -> None:
    shipped = {t.id: t for t in load_targets()}
    assert set(shipped) == {"letter_003_industry_20mt", "eu_ets_2030_minus_62pct"}
    letter = shipped["letter_003_industry_20mt"]
    assert letter.reduction_t == 20e6 and letter.target_year == 2030
    assert "letter 003" in letter.source and "Project's choices" in (letter.judgement or "")
    assert shipped["eu_ets_2030_minus_62pct"].reduction_share == 0.62
    assert DEFAULT.is_file()


HEAD = "targets:\n  - id: a\n    name: A\n    source: S\n"


@pytest.mark.parametrize(
    ("body", "field", "needle"),
    [
        (
            HEAD + "    baseline_year: 2019\n    target_year: 2030\n",
            "targets[0]",
            "exactly one of reduction_t, reduction_share, level_t",
        ),
        (
            HEAD + "    baseline_year: 2019\n    target_year: 2030\n    reduction_t: 5\n"
            "    level_t: 3\n",
            "targets[0]",
            "(given: reduction_t, level_t)",
        ),
        (
            HEAD + "    baseline_year: 2030\n    target_year: 2019\n    reduction_t: 5\n",
            "targets[0]",
            "target_year 2019 must come after baseline_year 2030",
        ),
        (
            HEAD + "    baseline_year: 2019\n    target_year: 2030\n    reduction_share: 1.5\n",
            "targets[0].reduction_share",
            "less than or equal to 1",
        ),
        (
            HEAD + "    baseline_year: 2019\n    target_year: 2030\n    reduction_t: -5\n",
            "targets[0].reduction_t",
            "greater than 0",
        ),
        (
            HEAD + "    baseline_year: 2019\n    target_year: 2030\n    reduction_t: .nan\n",
            "targets[0].reduction_t",
            "finite number",
        ),
        (
            HEAD + "    baseline_year: 2019\n    target_year: 2030\n    reduction_t: 5\n"
            "    sectors: [steel]\n",
            "targets[0]",
            "unknown sector 'steel'",
        ),
        (
            HEAD + "    baseline_year: 2019\n    target_year: 2030\n    reduction_t: 5\n"
            "    colour: red\n",
            "targets[0].colour",
            "Extra inputs are not permitted",
        ),
        ("targets: []\n", "targets", "at least 1 item"),
        ("- just a list\n", "document", "valid dictionary"),
    ],
)
def test_a_bad_targets_file_is_refused_naming_file_and_field(
    tmp_path: Path, body: str, field: str, needle: str
) -> None:
    f = tmp_path / "my targets.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_targets(f)
    assert e.value.file == str(f) and e.value.field == field, str(e.value)
    assert needle in str(e.value)


def test_two_targets_with_one_id_are_refused(tmp_path: Path) -> None:
    one = "  - {id: a, name: A, source: S, baseline_year: 2019, target_year: 2030, level_t: 1}\n"
    f = tmp_path / "t.yaml"
    f.write_text("targets:\n" + one + one, encoding="utf-8")
    with pytest.raises(DataError, match="id 'a' is used twice") as e:
        load_targets(f)
    assert e.value.field == "targets[1].id"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    data = tmp_path / "store"
    api.add_dataset("ets_eutl", [write_eutl(tmp_path / "eutl", ROWS)], data_dir=data)
    return data


def test_targets_on_a_small_eutl_export(tmp_path: Path, store: Path) -> None:
    # 2021: Staal 6,000,000 + Raffinaderij 4,000,000 (Kas Not Reported) = 10,000,000;
    # 2022: Staal 5,822,618 (Raffinaderij Excluded, Kas missing); the airline apart.
    f = tmp_path / "half.yaml"
    f.write_text(
        "targets:\n  - {id: half, name: Half, source: hand, baseline_year: 2021,"
        " target_year: 2030, reduction_share: 0.5}\n",
        encoding="utf-8",
    )
    r = targets(targets_file=f, data_dir=store)
    row = r.tables["targets"].iloc[0]
    assert row["baseline_t"] == 10_000_000 and row["target_t"] == 5_000_000
    assert (row["latest_year"], row["latest_t"]) == (2022, 5_822_618)
    assert row["achieved_pace_t"] == pytest.approx(-4_177_382)
    assert row["required_pace_t"] == pytest.approx((5_000_000 - 5_822_618) / 8)
    assert row["projected_t"] == 0.0 and row["target_status"] == "on track"
    assert row["scope"] == "all stationary installations" and row["source"] == "hand"
    assert r.provenance.parameters["targets_file"] == str(f)
    traj = r.tables["trajectory"]
    assert traj["year"].tolist() == list(range(2021, 2031))


def test_the_command_writes_the_table_and_refuses_bad_input(tmp_path: Path, store: Path):
    f = tmp_path / 'it\'s "targets".yaml'
    f.write_text(
        "targets:\n  - {id: x, name: X, source: hand, baseline_year: 2021, target_year: 2030,"
        " reduction_t: 1000000}\n",
        encoding="utf-8",
    )
    out = tmp_path / "t.csv"
    args = ["industry", "targets", "--targets", str(f), "--data-dir", str(store)]
    r = runner.invoke(app, [*args, "--format", "csv", "--output", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert df.columns.tolist() == facts.TARGET_ASSESSMENT_COLUMN_NAMES
    assert df.loc[0, "target_t"] == 9_000_000 and df.loc[0, "target_status"] == "met"
    r = runner.invoke(app, [*args, "--target", "nope"])
    assert r.exit_code == 2 and "no target 'nope' (the file has: x)" in r.output
    r = runner.invoke(app, [*args, "--table", "nope"])
    assert r.exit_code == 2 and "--table 'nope'" in r.output
    f.write_text("targets:\n  - {id: x}\n", encoding="utf-8")
    r = runner.invoke(app, args)
    assert r.exit_code == DataError.exit_code
    assert str(f) in r.output and "field 'targets[0].name': Field required" in r.output
    bad = tmp_path / "late.yaml"
    bad.write_text(
        "targets:\n  - {id: y, name: Y, source: s, baseline_year: 2024, target_year: 2030,"
        " level_t: 1}\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["industry", "targets", "--targets", str(bad), "--data-dir", str(store)])
    assert r.exit_code == 2 and "no complete emissions for the base year 2024" in r.output
