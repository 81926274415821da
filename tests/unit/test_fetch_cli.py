"""``ketenradar data fetch baci`` end to end against a real local HTTP server."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from conftest import write_country_dict, write_product_dict, write_trade
from typer.testing import CliRunner

from ketenradar.interfaces.cli.app import app


def test_cli_fetch_and_ingest(http_server, tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    write_country_dict(src)
    write_product_dict(src, ["260111"])
    write_trade(src, 2022, [(2022, 156, 528, "260111", 5.0, "NA")])
    z = http_server.root / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in src.iterdir():
            zf.write(f, f.name)
    sha = hashlib.sha256(z.read_bytes()).hexdigest()
    runner = CliRunner()
    res = runner.invoke(app, ["data", "fetch", "baci", "--release", "V202401b", "--hs", "HS92",
                              "--base-url", http_server.url(""), "--sha256", sha])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "downloaded" in res.output and "added baci_hs92_v202401b" in res.output
    assert (data_dir / "downloads" / "BACI_HS92_V202401b.zip").is_file()
    # a wrong checksum fails with exit code 5 and leaves no file
    (data_dir / "downloads" / "BACI_HS92_V202401b.zip").unlink()
    res = runner.invoke(app, ["data", "fetch", "baci", "--base-url", http_server.url(""),
                              "--sha256", "1" * 64])  # fmt: skip
    assert res.exit_code == 5
    assert "mismatch" in res.output
    assert not (data_dir / "downloads" / "BACI_HS92_V202401b.zip").exists()


def test_cli_fetch_ember_and_eurostat_from_a_local_server(http_server, tmp_path: Path) -> None:
    """The live sources of the speelveldtoets through the same command: the file lands in
    the downloads folder, verified, and is ingested."""
    from test_ember import write_ember
    from test_eurostat_prices import write_tsv

    from ketenradar.sources.ember import FILE_NAME

    data = tmp_path / "store"
    body = write_ember(tmp_path / "ember").read_bytes()
    http_server.add_file(f"price/{FILE_NAME}", body)
    sha = hashlib.sha256(body).hexdigest()
    runner = CliRunner()
    args = ["data", "fetch", "ember", "--base-url", http_server.url("price/"), "--sha256", sha]
    res = runner.invoke(app, [*args, "--data-dir", str(data)])
    assert res.exit_code == 0, res.output
    assert "downloaded" in res.output and "added ember" in res.output
    assert (data / "downloads" / FILE_NAME).read_bytes() == body
    tsv = write_tsv(tmp_path / "eurostat").read_bytes()
    http_server.add_file("api/nrg_pc_205", tsv)
    res = runner.invoke(
        app,
        ["data", "fetch", "eurostat_prices", "--base-url", http_server.url("api"),
         "--data-dir", str(data)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "added eurostat_prices" in res.output
    assert (data / "downloads" / "nrg_pc_205.tsv").read_bytes() == tsv
    # a connector without a live file says so
    res = runner.invoke(app, ["data", "fetch", "wgi", "--data-dir", str(data)])
    assert res.exit_code == 2 and "connector 'wgi' has no live file to fetch" in res.output


def test_cli_fetch_passes_options_to_the_connector(http_server, tmp_path: Path) -> None:
    """``--option indicator=…`` picks the WDI indicator whose live file is downloaded; a
    malformed or unknown option is refused before anything is downloaded."""
    from test_wdi import wdi_zip

    body = wdi_zip(tmp_path / "src" / "w.zip").read_bytes()
    http_server.add_file("wb/SP.POP.SCIE.RD.P6", body)
    data = tmp_path / "store"
    runner = CliRunner()
    base = ["data", "fetch", "wdi", "--base-url", http_server.url("wb"), "--data-dir", str(data)]
    res = runner.invoke(app, [*base, "--option", "indicator=SP.POP.SCIE.RD.P6"])
    assert res.exit_code == 0, res.output
    assert (data / "downloads" / "API_SP.POP.SCIE.RD.P6_DS2_en_csv_v2.zip").read_bytes() == body
    res = runner.invoke(app, [*base, "--option", "indicator"])
    assert res.exit_code == 2 and "give KEY=VALUE" in res.output
    res = runner.invoke(app, [*base, "--option", "colour=red"])
    assert res.exit_code == 2 and "unknown option(s) for wdi: colour" in res.output
    res = runner.invoke(app, ["data", "fetch", "baci", "--option", "x=1"])
    assert res.exit_code == 2 and "not --option" in res.output
