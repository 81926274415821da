"""Subsidy instruments (issue 18, item 5): the shipped figures with their sources, the
oversubscription computed by hand, a user's rows added, bad rows refused naming file and
field."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ketenradar.core.errors import DataError
from ketenradar.interfaces.cli.app import app
from ketenradar.modules.industry import facts
from ketenradar.modules.industry.analysis import instruments as analysis
from ketenradar.modules.industry.analysis.instruments import oversubscription
from ketenradar.modules.industry.api import instruments
from ketenradar.modules.industry.instruments_file import load_instruments

runner = CliRunner()


def test_the_shipped_figures_name_every_instrument_of_the_letters_with_a_source() -> None:
    figures, files = load_instruments()
    assert set(figures["instrument"]) == {"NIKI", "Flex-e", "IKC-ETS", "SDE++", "VEKI", "DEI+"}
    assert figures["source"].str.len().min() > 20
    niki = figures[figures["instrument"] == "NIKI"].set_index("figure")["amount_eur"]
    assert (niki["budget"], niki["requested"], niki["awarded"]) == (211e6, 364e6, 135e6)
    flex = figures[figures["instrument"] == "Flex-e"].iloc[0]
    assert (flex["figure"], flex["amount_eur"]) == ("reservation", 198.9e6)
    ikc = figures[figures["instrument"] == "IKC-ETS"].iloc[0]
    assert ikc["amount_eur"] == 1e9 and bool(ikc["per_year"])
    named = figures[figures["figure"] == "named"]
    assert set(named["instrument"]) == {"SDE++", "VEKI", "DEI+"}
    assert named["amount_eur"].isna().all()
    assert len(files) == 1


def test_oversubscription_by_hand() -> None:
    rows = pd.DataFrame(
        [
            ("A", "1", "budget", 100.0),
            ("A", "1", "requested", 250.0),
            ("A", "1", "awarded", 60.0),
            ("A", "1", "awarded", 40.0),
            ("A", "2", "budget", 50.0),  # no request published: no ratio
            ("B", "1", "requested", 10.0),  # no budget: not a row
        ],
        columns=["instrument", "round", "figure", "amount_eur"],
    )
    o = oversubscription(rows).set_index(["instrument", "round"])
    assert o.loc[("A", "1"), "oversubscription"] == 2.5
    assert o.loc[("A", "1"), "awarded_eur"] == 100.0
    assert math.isnan(o.loc[("A", "2"), "oversubscription"])
    assert ("B", "1") not in o.index
    shipped = instruments().tables["oversubscription"].set_index("instrument")
    assert shipped.loc["NIKI", "oversubscription"] == pytest.approx(364 / 211)


def test_the_result_tables_declare_the_columns_the_analysis_builds() -> None:
    assert list(analysis.FIGURE_COLUMNS) == facts.FIGURE_COLUMN_NAMES
    assert list(analysis.OVERSUBSCRIPTION_COLUMNS) == facts.OVERSUBSCRIPTION_COLUMN_NAMES


def test_a_users_rows_are_added_and_bad_rows_refused(tmp_path: Path) -> None:
    f = tmp_path / 'it\'s "mine".yaml'
    f.write_text(
        "instruments:\n  - instrument: X\n    name: My scheme\n    source: my note\n    rows:\n"
        "      - {round: '2026', figure: budget, amount_eur: 10}\n"
        "      - {round: '2026', figure: requested, amount_eur: 30}\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    r = runner.invoke(
        app,
        ["industry", "instruments", "--instruments", str(f), "--table", "oversubscription",
         "--format", "csv", "--output", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    o = pd.read_csv(out).set_index("instrument")
    assert o.loc["X", "oversubscription"] == 3.0 and "NIKI" in o.index
    for body, field, needle in (
        ("      - {round: '1', figure: budget}\n", "instruments[0].rows[0]", "needs amount_eur"),
        ("      - {round: '1', figure: named, amount_eur: 5}\n", "instruments[0].rows[0]",
         "no amount_eur"),
        ("      - {round: '1', figure: gift, amount_eur: 5}\n", "instruments[0].rows[0]",
         "one of budget, requested"),
        ("      - {round: '1', figure: budget, amount_eur: -5}\n",
         "instruments[0].rows[0].amount_eur", "greater than or equal to 0"),
    ):  # fmt: skip
        head = "instruments:\n  - instrument: X\n    name: N\n    source: S\n    rows:\n"
        f.write_text(head + body, encoding="utf-8")
        with pytest.raises(DataError) as e:
            load_instruments(f)
        assert e.value.file == str(f) and e.value.field == field and needle in str(e.value)
    f.write_text("instruments:\n  - {instrument: X, name: N, rows: []}\n", encoding="utf-8")
    r = runner.invoke(app, ["industry", "instruments", "--instruments", str(f)])
    assert r.exit_code == DataError.exit_code and "instruments[0].source" in r.output
    r = runner.invoke(app, ["industry", "instruments", "--table", "nope"])
    assert r.exit_code == 2 and "--table 'nope'" in r.output
