"""``ketenradar kansenkaart demand``: bad input fails with a clear message and a non-zero exit
(a bad scenario names its field; a missing source table names the file)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "kansenkaart"


def _demand(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["kansenkaart", "demand", *args])
    return r.exit_code, r.output


def test_a_bad_scenario_names_the_field(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        "name: x\nunits:\n  - {design: timcat_pwr12_me, mwe: 0, first_concrete_year: 2030}\n"
    )
    code, out = _demand("--scenario", str(f), "--shared-data", str(tmp_path))
    assert code != 0 and "units[0].mwe" in out and "bad.yaml" in out


def test_a_missing_source_table_names_the_file(tmp_path):
    code, out = _demand(
        "--scenario", str(EXAMPLES / "accert_ap1000.yaml"), "--shared-data", str(tmp_path)
    )
    assert code != 0 and "AP1000_baseline.csv" in out and "KETENRADAR_SHARED_DATA" in out


def test_bad_options_are_refused(tmp_path):
    scenario = str(EXAMPLES / "timcat_pwr12_me.yaml")
    code, out = _demand("--scenario", scenario, "--currency", "GBP")
    assert code == 2 and "allowed source, EUR" in out
    code, out = _demand("--scenario", scenario, "--table", "years")
    assert code == 2 and "allowed demand, accounts" in out
    code, out = _demand("--scenario", str(tmp_path / "none.yaml"))
    assert code != 0 and "none.yaml" in out
