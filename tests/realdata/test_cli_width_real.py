"""The CLI at 80 columns on the real OECD ICIO 2022 table (issue 15, point 20): every table the
``io`` commands print fits the terminal, says which columns it left out and how to get them,
long commands report progress, and the provenance goes to stderr only with ``--provenance``.

Runs the real ``ketenradar`` command in a subprocess with ``COLUMNS`` set, as a terminal would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_shared

pytestmark = pytest.mark.realdata


def ketenradar(store: Path, *args: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns), "KETENRADAR_DATA_DIR": str(store)}
    env.pop("LINES", None)
    done = subprocess.run(
        [sys.executable, "-m", "ketenradar", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared = require_shared()
    d = tmp_path_factory.mktemp("width") / "store"
    ketenradar(d, "io", "load", "icio", str(shared / "icio_oecd_2022"))
    ketenradar(d, "data", "add", "eu_crm", str(shared / "eu_crm"))
    ketenradar(d, "data", "add", "baci", str(shared / "baci_raw_materials_hs92"))
    return d


@pytest.mark.parametrize(
    "args",
    [
        ("io", "exposure", "--by", "source"),
        ("io", "exposure", "--by", "country"),
        ("io", "exposure", "--by", "industry"),
        ("io", "exposure", "--by", "link"),
        ("io", "exposure", "--by", "summary"),
        ("io", "shock", "--supplier", "CHN", "--industry", "C26", "--fall", "50%"),
        ("io", "balance", "--source", "icio"),
        ("io", "check"),  # no --limit: one row per table year
        ("materials", "concentration"),
        ("screen", "--year", "2022"),
        ("screen", "--importer", "EU27", "--only-dependent"),
        ("screen", "--importer", "all", "--year", "2022"),
        ("screen", "--year", "1995"),  # GeoDep not computable: empty, not <NA>
        ("balance", "--year", "2022"),
        ("balance", "--importer", "EU27"),
    ],
)
def test_tables_fit_80_columns(store: Path, args: tuple[str, ...]):
    limit = () if args == ("io", "check") else ("--limit", "12")
    done = ketenradar(store, *args, *limit)
    assert done.stdout.count("┏") == 1, done.stdout  # one table, drawn
    assert widest(done.stdout) <= 80, done.stdout
    assert widest(done.stderr) <= 80, done.stderr
    # no provenance unless asked for
    assert "Method:" not in done.stderr and "Data:" not in done.stderr


def test_left_out_columns_are_named_with_the_way_to_get_them(store: Path):
    done = ketenradar(store, "io", "exposure", "--by", "industry", "--limit", "5", columns=60)
    assert widest(done.stdout) <= 60
    assert "Not shown at 60 columns:" in done.stdout
    said = done.stdout.split("Not shown at 60 columns:")[1].split(". Every column")[0]
    left = [c.strip() for c in " ".join(said.split()).split(",")]
    assert "top_foreign_va_country" in left
    header = done.stdout.split("┡")[0]
    assert "Top source of" not in header  # the label of a column left out is not shown
    assert "--format csv" in done.stdout
    wide = ketenradar(store, "io", "exposure", "--by", "industry", "--limit", "5", columns=220)
    assert "Not shown" not in wide.stdout and widest(wide.stdout) <= 220
    assert "Top source of foreign VA" in " ".join(wide.stdout.split())
    assert "top_foreign_va_country" in wide.stdout  # room for the names under the labels


def test_shock_table_reads_as_numbers_and_caps_are_said(store: Path):
    done = ketenradar(
        store,
        *("io", "shock", "--economy", "CHN", "--supplier", "CHN", "--fall", "100%"),
        *("--model", "ghosh", "--limit", "8"),
    )
    assert widest(done.stdout) <= 80
    assert "100.0%" in done.stdout  # shares as percentages
    # the capped losses are said whatever --provenance, and the marker column is kept
    assert "34 industries above their output (up to 216%)" in " ".join(done.stderr.split())
    assert "capped" in done.stdout.split("┡")[0] and "│ yes" in done.stdout


def test_provenance_on_request_only(store: Path):
    plain = ketenradar(store, "io", "exposure", "--by", "country", "--limit", "3")
    asked = ketenradar(store, "io", "exposure", "--by", "country", "--limit", "3", "--provenance")
    assert plain.stdout == asked.stdout
    assert "Method: Leontief" in asked.stderr and "Data: icio" in asked.stderr
    assert "ketenradar data show icio" in asked.stderr
    assert "Method:" not in plain.stderr
    # every command that records a provenance has the option
    for cmd in (("screen",), ("balance",), ("materials", "concentration"), ("io", "shock")):
        help_text = ketenradar(store, *cmd, "--help", columns=200).stdout
        assert "--provenance" in help_text, cmd
    assert "--provenance" not in ketenradar(store, "data", "list", "--help").stdout


def test_long_commands_report_progress(store: Path):
    """Progress goes through the one protocol: the API's stages, as the bar would show them."""
    from ketenradar.modules.io import api as ioapi

    calls: list[tuple[str, int, int | None]] = []
    ioapi.exposure("NLD", by="country", data_dir=store, progress=lambda *a: calls.append(tuple(a)))
    stages = [c[0] for c in calls]
    assert stages[0].startswith("reading and factorising icio 2022")
    assert [c[1:] for c in calls[1:]] == [(1, 2), (2, 2)]
    calls.clear()
    ioapi.shock(
        "NLD", supplier="CHN", fall=0.5, data_dir=store, progress=lambda *a: calls.append(a)
    )
    assert calls[0][0].startswith("reading and factorising") and calls[-1][1:] == (1, 1)


def _csv(text: str):
    import io

    import pandas as pd

    return pd.read_csv(io.StringIO(text), dtype={"product": str})


def _first_cells(table: str) -> list[str]:
    """The first cell of each row of a drawn table (its continuation lines left out)."""
    body = table.split("┡")[1].split("└")[0]
    cells = [line.split("│")[1].strip() for line in body.splitlines() if line.startswith("│")]
    return [c for c in cells if c]


def test_screen_shows_the_most_important_columns_and_counts_every_product(store: Path):
    args = ("screen", "--year", "2022", "--limit", "6")
    done = ketenradar(store, *args)
    every = _csv(ketenradar(store, "screen", "--year", "2022", "--format", "csv").stdout)
    assert widest(done.stdout) <= 80
    # the rows are the screening's, in its order (by external imports)
    assert _first_cells(done.stdout) == every["product"].head(6).tolist()
    header = " ".join(done.stdout.split("┡")[0].split())
    assert "Import dependency screening of NLD, 2022" in header
    for word in ("Product", "description", "(thousand", "Dependent", "(EU", "(GeoDep)"):
        assert word in header, word
    said = " ".join(done.stdout.split("Not shown at 80 columns:")[1].split(". Every")[0].split())
    left = [c.strip() for c in said.split(",")]
    assert "world_export_hhi" in left and "dependent_geodep_country" in left
    assert "product" not in left and "dependent_eu2021" not in left
    text = " ".join(done.stdout.split())
    n_eu = int(every["dependent_eu2021"].sum())
    assert f"{len(every):,} products imported; {n_eu} dependent (EU 2021);" in text
    assert "Showing 6 products by external imports." in text
    wide = ketenradar(store, *args, columns=250)
    assert "Not shown" not in wide.stdout and widest(wide.stdout) <= 250
    assert "World export HHI" in " ".join(wide.stdout.split())


def test_balance_with_a_partner_fits_both_tables(store: Path):
    args = ("balance", "--year", "2022", "--partner", "CHN", "--min-dependency-kusd", "0")
    done = ketenradar(store, *args)
    assert done.stdout.count("┏") == 2 and widest(done.stdout) <= 80, done.stdout
    summary, products = done.stdout.split("The products behind it: NLD and CHN")
    assert _first_cells(summary) == ["CHN"]
    every = _csv(ketenradar(store, *args, "--products", "--format", "csv").stdout)
    # the side comes first, wrapped; the product codes are in the table, in the file's order
    codes = [
        line.split("│")[2].strip()
        for line in products.split("┡")[1].splitlines()
        if line.startswith("│") and line.split("│")[2].strip()
    ]
    assert len(codes) >= 1 and codes == every["product"].head(25).tolist()
    assert "Method:" not in done.stderr
