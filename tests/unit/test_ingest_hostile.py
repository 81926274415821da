"""BACI ingestion of hostile and damaged input: over-long and over-wide lines, binary files,
zip bombs, truncated downloads, implausible years and non-finite numbers, special files.

The costly cases run the real ingestion in a child process with a deadline (there is no
pytest-timeout here): a regression to quadratic parsing fails the test instead of hanging it,
and the child reports its own time and peak memory.
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import write_country_dict, write_product_dict, write_trade
from typer.testing import CliRunner

from ketenradar import api
from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.interfaces.cli.app import app

TRADE_NAME = "BACI_HS92_Y2022_V202401b.csv"
PRODUCTS = "product_codes_HS92_V202401b.csv"
GOOD = (2022, 156, 528, "260111", 1.0, "NA")

CHILD = r"""
import json, sys, time
from ketenradar import api
from ketenradar.core.errors import DataError
paths, data_dir = json.loads(sys.argv[1]), sys.argv[2]
out = {}
t = time.perf_counter()
try:
    reports = api.add_dataset("baci", paths, data_dir=data_dir)
    out.update(ok=True, warnings=[w for r in reports for w in r.warnings])
except DataError as e:
    out.update(ok=False, error=str(e), file=e.file, line=e.line, field=e.field)
out["seconds"] = time.perf_counter() - t
# VmHWM, not ru_maxrss: after fork + exec, ru_maxrss keeps the forking parent's peak (the
# pytest process)
hwm = next(x for x in open("/proc/self/status") if x.startswith("VmHWM"))
out["peak_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(out))
"""


def ingest_in_child(paths: list[Path], data_dir: Path, deadline: float = 30) -> dict:
    """``api.add_dataset("baci", paths)`` in a child process killed after ``deadline`` s."""
    try:
        res = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps([str(p) for p in paths]), str(data_dir)],
            capture_output=True,
            text=True,
            timeout=deadline,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"ingestion did not finish within {deadline} s (killed)")
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.splitlines()[-1])


def dictionaries(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_country_dict(folder)
    write_product_dict(folder, ["010121", "260111"])
    return folder


def trade_bytes(folder: Path, body: bytes, name: str = TRADE_NAME) -> Path:
    p = dictionaries(folder) / name
    p.write_bytes(body)
    return p


# -- item 2: one malformed line must not make ingestion quadratic ------------------------------


def _one_long_line(size: int) -> bytes:
    # a line of empty fields is the worst case for DuckDB: one reject row per extra field,
    # each holding a copy of the whole line (100 kB took 10 s and 1.6 GB before the fix)
    return b"t,i,j,k,v,q\n" + b"1," * (size // 2) + b"\n"


def _wide_lines(size: int) -> bytes:
    # lines under the length limit but with 1200 fields each: 5 MB took 19 s and 7 GB before
    line = b"2022,1,2,3,4,5," * 200 + b"\n"
    return b"t,i,j,k,v,q\n" + line * (size // len(line))


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        (lambda: _one_long_line(5_000_000), 2, "longer than 4096 bytes"),
        (lambda: _one_long_line(50_000_000), 2, "longer than 4096 bytes"),
        (lambda: _wide_lines(5_000_000), 2, "too many columns: expected 6 fields, found 1201"),
    ],
    ids=["one-line-5MB", "one-line-50MB", "wide-lines-5MB"],
)
def test_malformed_lines_are_refused_in_bounded_time_and_memory(
    tmp_path: Path, data_dir: Path, body, line: int, reason: str
) -> None:
    src = tmp_path / "src"
    trade_bytes(src, body())
    r = ingest_in_child([src], data_dir)
    assert not r["ok"], r
    assert r["file"].endswith(TRADE_NAME) and r["line"] == line, r
    assert reason in r["error"], r
    assert r["seconds"] < 10, r  # 0.3-0.5 s here; before the fix: > 10 min, or killed
    assert r["peak_mb"] < 1000, r  # about 200-420 MB (the imports); before: 6.9 GB at 50 MB
    assert DataStore(data_dir).names() == []


def test_line_limit_is_configurable(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    trade_bytes(src, b"t,i,j,k,v,q\n2022,156,528,260111,1.0,NA\n2022,842,528,260111," + b"1" * 60)
    monkeypatch.setenv("KETENRADAR_BACI_MAX_LINE_BYTES", "64")
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    assert e.value.line == 3 and "longer than 64 bytes" in str(e.value)
    monkeypatch.setenv("KETENRADAR_BACI_MAX_LINE_BYTES", "lots")
    with pytest.raises(UsageError, match="KETENRADAR_BACI_MAX_LINE_BYTES"):
        api.add_dataset("baci", [src], data_dir=data_dir)


def test_first_bad_line_is_named_in_a_large_file(tmp_path: Path, data_dir: Path) -> None:
    """Several bad lines spread over blocks of the scan: the first one is reported."""
    row = b"2022,156,528,260111,1.0,NA\n"
    n = 400_000  # ~11 MB, three scan blocks
    lines = [row] * n
    lines[250_000] = b"2022,156,528,260111,1.0\n"  # missing field, line 250002
    lines[300_000] = b"2022,156,528,260111,1.0,NA,7\n"
    src = tmp_path / "src"
    trade_bytes(src, b"t,i,j,k,v,q\n" + b"".join(lines))
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    assert e.value.line == 250_002 and e.value.field == "q", e.value
    assert "missing columns: expected 6 fields, found 5" in str(e.value)


def test_first_cast_error_is_named_when_the_reject_table_fills_up(
    tmp_path: Path, data_dir: Path
) -> None:
    """DuckDB keeps at most REJECTS_LIMIT rejects; read in parallel, the kept ones may all be
    later lines (3 of 3 runs on 8 threads here). The first bad line must still be named."""
    import duckdb

    from ketenradar.sources.baci import first_reject, trade_csv_sql

    n = 1_000_000
    lines = [b"2022,156,528,260111,1.0,NA\n"] * n
    for i in range(n // 2, n, 7):
        lines[i] = b"2022,x,528,260111,1.0,NA\n"
    lines[n // 5] = b"2022,y,528,260111,1.0,NA\n"  # line 200002
    src = tmp_path / "src"
    path = trade_bytes(src, b"t,i,j,k,v,q\n" + b"".join(lines))
    con = duckdb.connect()
    con.execute("SET threads=8")
    types = ("INTEGER", "INTEGER", "INTEGER", "VARCHAR", "DOUBLE", "VARCHAR")
    cols = "{" + ", ".join(f"'{c}': '{t}'" for c, t in zip("tijkvq", types, strict=True)) + "}"
    read = trade_csv_sql(path, cols, ",")
    con.execute(f"SELECT count(COLUMNS(*)) FROM {read}").fetchall()
    line, column, _, _, count = first_reject(con, read)
    assert (line, column, count) == (200_002, "i", "at least 100")
    # through the API, on a small file with more bad lines than the limit
    small = tmp_path / "small"
    trade_bytes(small, b"t,i,j,k,v,q\n" + b"".join(lines[n // 5 : n // 5 + 1] + lines[-1400:]))
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [small], data_dir=data_dir)
    assert e.value.line == 2 and e.value.field == "i", e.value
    assert "at least 100 bad row(s) in all" in str(e.value)


def test_quoted_delimiters_are_data_not_fields(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "src"
    trade_bytes(src, b't,i,j,k,v,q\n2022,156,528,"260111",1.0,"N,A"\n2022,842,528,260111,2,"x\n')
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    # line 2 has 6 fields (the quoted comma is data); line 3 has an unterminated quote
    assert e.value.line == 3 and "unterminated quoted value" in str(e.value), e.value


@pytest.mark.parametrize("where", ["whole file", "after the header"])
def test_binary_garbage_names_line_and_reason(tmp_path: Path, data_dir: Path, where: str) -> None:
    rnd = random.Random(13).randbytes(200_000)
    body = rnd if where == "whole file" else b"t,i,j,k,v,q\n2022,156,528,260111,1,NA\n" + rnd
    src = tmp_path / "src"
    trade_bytes(src, body)
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    msg = str(e.value)
    assert TRADE_NAME in msg
    assert e.value.line == (1 if where == "whole file" else 3), msg
    assert "not UTF-8 text" in msg or "binary content" in msg, msg
    assert "state machine" not in msg and "Possible fixes" not in msg  # no raw DuckDB text


def test_cast_error_message_is_cut(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "src"
    trade_bytes(src, b"t,i,j,k,v,q\n2022," + b"x" * 4000 + b",528,260111,1,NA\n")
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    assert e.value.line == 2 and e.value.field == "i"
    assert len(str(e.value)) < 600, str(e.value)


# -- item 8: damaged trade files ---------------------------------------------------------------

FULL = b"t,i,j,k,v,q\n2022,156,528,260111,80.0,1.5\n2022,842,528,260111,10.0,2.25\n"


@pytest.mark.parametrize(
    "cut",
    [
        b"2022,276,528,260111,12",  # cut in v: 5 fields
        b"2022,276,528,2601",  # cut in k
        b"2022,27",
    ],
)
def test_file_cut_mid_row_is_refused(tmp_path: Path, data_dir: Path, cut: bytes) -> None:
    src = tmp_path / "src"
    trade_bytes(src, FULL + cut)
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    assert e.value.line == 4, e.value
    assert "missing columns" in str(e.value) and "truncated" in str(e.value)
    assert DataStore(data_dir).names() == []


def test_file_without_final_line_break_is_accepted_with_a_warning(
    tmp_path: Path, data_dir: Path
) -> None:
    """A last line cut inside ``q`` still has six fields and parses: it cannot be told from a
    complete last line without a line break (legal CSV), so it is kept, with a warning that
    names the line. BACI's own files always end with a line break."""
    src = tmp_path / "src"
    trade_bytes(src, FULL + b"2022,276,528,260111,12.5,3.1")  # q was perhaps 3.125
    rep = api.add_dataset("baci", [src], data_dir=data_dir)[0]
    assert rep.manifest.tables["trade"]["years"] == {"2022": 3}
    (w,) = [w for w in rep.warnings if "line break" in w]
    assert TRADE_NAME in w and "line 4" in w and "interrupted download" in w
    # the same file with its line break: no warning
    trade_bytes(tmp_path / "fixed", FULL)
    rep = api.add_dataset("baci", [tmp_path / "fixed"], data_dir=tmp_path / "store2")[0]
    assert not [w for w in rep.warnings if "line break" in w]


def test_sharp_drop_in_rows_is_warned(tmp_path: Path, data_dir: Path) -> None:
    rows = [(2022, e, i, "260111", 1.0, "NA") for e in (156, 842, 276) for i in (528, 251)]
    rows += [(2021, 156, 528, "260111", 1.0, "NA")]
    first = tmp_path / "first"
    dictionaries(first)
    write_trade(first, 2022, rows[:6])
    write_trade(first, 2021, rows[6:])
    api.add_dataset("baci", [first], data_dir=data_dir)
    cut = tmp_path / "cut"
    cut.mkdir()
    write_trade(cut, 2022, rows[:2])  # 2 of 6 rows: a truncated download?
    res = CliRunner().invoke(app, ["data", "add", "baci", str(cut)])
    assert res.exit_code == 0, res.output
    printed = " ".join(res.output.split())  # the console wraps long lines
    assert "warning: year 2022: 2 rows, 33% of the 6 rows of the live version" in printed
    rep = DataStore(data_dir).get("baci_hs92_v202401b")
    assert any("year 2022: 2 rows" in w for w in rep.manifest.warnings)
    # a year that keeps most of its rows: no warning
    ok = tmp_path / "ok"
    ok.mkdir()
    write_trade(ok, 2022, rows[:5])
    rep = api.add_dataset("baci", [ok], data_dir=data_dir)[0]
    assert not [w for w in rep.warnings if "rows of the live version" in w]


@pytest.mark.parametrize(
    ("v", "q", "field"),
    [
        ("1.0", "nan", "q"),
        ("1.0", "inf", "q"),
        ("1.0", "-Infinity", "q"),
        ("1.0", "1e999", "q"),  # overflows to inf
        ("1.0", "9" * 400, "q"),
        ("inf", "NA", "v"),
        ("NaN", "NA", "v"),
        ("1e999", "NA", "v"),
    ],
)
def test_non_finite_numbers_are_refused(
    tmp_path: Path, data_dir: Path, v: str, q: str, field: str
) -> None:
    src = tmp_path / "src"
    trade_bytes(src, FULL + f"2022,276,528,260111,{v},{q}\n".encode())
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    assert e.value.line == 4 and e.value.field == field, e.value
    assert "not a finite number" in str(e.value)


def test_implausible_year_in_file_name(tmp_path: Path, data_dir: Path) -> None:
    src = tmp_path / "src"
    trade_bytes(src, FULL, name="BACI_HS92_Y99999_V202401b.csv")
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    assert "BACI_HS92_Y99999_V202401b.csv" in str(e.value)
    assert "year 99999 is outside the plausible range 1988–" in str(e.value)


@pytest.mark.parametrize("year", [9999, 1900, 0])
def test_implausible_year_in_t_column(tmp_path: Path, data_dir: Path, year: int) -> None:
    src = tmp_path / "src"
    # no year in the file name: only the t column says which year it is
    trade_bytes(
        src, FULL + f"{year},276,528,260111,1.0,NA\n".encode(), name="BACI_HS92_V202401b.csv"
    )
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [src], data_dir=data_dir)
    assert e.value.line == 4 and e.value.field == "t", e.value
    assert "outside the plausible range 1988–" in str(e.value)


# -- item 5: zip bombs --------------------------------------------------------------------------


def _release_zip(tmp_path: Path, extra: dict[str, bytes] | None = None) -> Path:
    src = dictionaries(tmp_path / "zsrc")
    write_trade(src, 2022, [GOOD])
    z = tmp_path / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in src.iterdir():
            zf.write(f, f.name)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return z


def zeros_zip(z: Path, mib: int) -> Path:
    """A zip bomb: a BACI-named member of ``mib`` MiB of zeros (packs about 1000:1)."""
    zeros = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open(TRADE_NAME, "w", force_zip64=True) as f,
    ):
        for _ in range(mib):
            f.write(zeros)
    return z


def _leftovers(data_dir: Path) -> list[Path]:
    staging = data_dir / "staging"
    return [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []


def test_zip_bomb_is_refused_before_extraction(tmp_path: Path, data_dir: Path) -> None:
    z = zeros_zip(tmp_path / "BACI_HS92_V202401b.zip", 100)  # 100 MiB of zeros in ~100 kB
    assert z.stat().st_size < 200_000
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [z], data_dir=data_dir)
    msg = str(e.value)
    assert f"{z}!{TRADE_NAME}" in msg and "zip bomb" in msg and "KETENRADAR_ZIP_MAX_RATIO" in msg
    assert _leftovers(data_dir) == []
    assert DataStore(data_dir).names() == []


def test_zip_whose_header_lies_about_the_size(tmp_path: Path, data_dir: Path) -> None:
    """Declared 1000 bytes, 15 MB inside: extraction stops at the declared size and the
    archive is refused as corrupt, naming the member; nothing is left on disk."""
    z = tmp_path / "BACI_HS92_V202401b.zip"
    body = b"t,i,j,k,v,q\n" + b"2022,156,528,260111,1.0,NA\n" * 600_000
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(TRADE_NAME, body)
    data = bytearray(z.read_bytes())
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 1000)  # uncompressed size, local header
    struct.pack_into("<I", data, central + 24, 1000)  # and central directory
    z.write_bytes(data)
    assert zipfile.ZipFile(z).infolist()[0].file_size == 1000
    with pytest.raises(DataError) as e:
        api.add_dataset("baci", [z], data_dir=data_dir)
    assert f"{z}!{TRADE_NAME}" in str(e.value) and "CRC" in str(e.value), e.value
    assert _leftovers(data_dir) == []


def test_encrypted_member_and_twin_members_are_refused(tmp_path: Path, data_dir: Path) -> None:
    z = _release_zip(tmp_path)
    data = bytearray(z.read_bytes())
    for sig, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # mark every member encrypted
        at = data.find(sig)
        while at >= 0:
            data[at + flags_at] |= 1
            at = data.find(sig, at + 4)
    z.write_bytes(data)
    with pytest.raises(DataError, match=r"cannot extract .*encrypted") as e:
        api.add_dataset("baci", [z], data_dir=data_dir)
    assert f"{z}!" in str(e.value)
    twins = tmp_path / "twins" / "BACI_HS92_V202401b.zip"
    twins.parent.mkdir()
    with zipfile.ZipFile(twins, "w") as zf:
        zf.writestr(f"a/{TRADE_NAME}", b"t,i,j,k,v,q\n")
        zf.writestr(f"b/{TRADE_NAME}", b"t,i,j,k,v,q\n")
    with pytest.raises(DataError, match=f"two members are named {TRADE_NAME}"):
        api.add_dataset("baci", [twins], data_dir=data_dir)
    assert _leftovers(data_dir) == []


def test_zip_limits_are_configurable(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    z = _release_zip(tmp_path)
    monkeypatch.setenv("KETENRADAR_ZIP_MAX_TOTAL_BYTES", "100")
    with pytest.raises(DataError, match="KETENRADAR_ZIP_MAX_TOTAL_BYTES") as e:
        api.add_dataset("baci", [z], data_dir=data_dir)
    assert str(z) in str(e.value)
    monkeypatch.delenv("KETENRADAR_ZIP_MAX_TOTAL_BYTES")
    monkeypatch.setenv("KETENRADAR_ZIP_MAX_MEMBERS", "2")
    with pytest.raises(DataError, match="3 entries, more than the limit of 2"):
        api.add_dataset("baci", [z], data_dir=data_dir)
    monkeypatch.delenv("KETENRADAR_ZIP_MAX_MEMBERS")
    # a member of one repeated row packs ~1000:1: refused at the default ratio, read at 5000
    rows = b"t,i,j,k,v,q\n" + b"2022,156,528,260111,1.0,NA\n" * 400_000  # ~11 MB, ~ 1000:1
    z2 = tmp_path / "z2" / "BACI_HS92_V202401b.zip"
    z2.parent.mkdir()
    with zipfile.ZipFile(z2, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(TRADE_NAME, rows)
    dicts = [tmp_path / "zsrc" / n for n in ("country_codes_V202401b.csv", PRODUCTS)]
    with pytest.raises(DataError, match="zip bomb"):
        api.add_dataset("baci", [z2, *dicts], data_dir=data_dir)
    monkeypatch.setenv("KETENRADAR_ZIP_MAX_RATIO", "5000")
    with pytest.raises(DataError, match="duplicate key"):  # extracted and parsed
        api.add_dataset("baci", [z2, *dicts], data_dir=data_dir)
    assert _leftovers(data_dir) == []
    assert DataStore(data_dir).names() == []


def test_zip_bomb_uploaded_by_an_analyst(tmp_path: Path) -> None:
    """The web upload ends in the same extraction: the job fails with the reason."""
    from conftest import csrf_headers
    from fastapi.testclient import TestClient

    from ketenradar.interfaces.web.app import create_app
    from ketenradar.interfaces.web.settings import WebSettings
    from ketenradar.registry import service

    application = create_app(settings=WebSettings.from_env(tmp_path / "data"))
    service.create_user(application.state.accounts, "alice", "correct horse battery", "analyst")
    c = TestClient(application)
    r = c.post(
        "/api/v1/login",
        json={"username": "alice", "password": "correct horse battery"},
        headers=csrf_headers(c),
    )
    assert r.status_code == 200
    z = zeros_zip(tmp_path / "BACI_HS92_V202401b.zip", 64)
    r = c.post(
        "/api/v1/datasets",
        data={"source": "baci"},
        files=[("files", (z.name, z.read_bytes(), "application/zip"))],
        headers=csrf_headers(c),
    )
    assert r.status_code == 202, r.text
    job = application.state.jobs.wait(r.json()["id"])
    assert job.state == "failed" and "zip bomb" in job.error, job.error
    assert _leftovers(tmp_path / "data") == []


# -- item 9b: special files in an input folder --------------------------------------------------


def test_broken_symlinks_fifos_and_subfolders_are_reported(tmp_path: Path, data_dir: Path) -> None:
    src = dictionaries(tmp_path / "src")
    write_trade(src, 2022, [GOOD])
    os.symlink(tmp_path / "gone.csv", src / "BACI_HS92_Y2021_V202401b.csv")
    os.mkfifo(src / "BACI_HS92_Y2020_V202401b.csv")
    (src / "older").mkdir()
    r = ingest_in_child([src], data_dir, deadline=60)  # a FIFO opened would block forever
    assert r["ok"], r
    ws = "\n".join(r["warnings"])
    assert "BACI_HS92_Y2021_V202401b.csv: broken symbolic link" in ws, ws
    assert "BACI_HS92_Y2020_V202401b.csv: not a regular file but a named pipe (FIFO)" in ws, ws
    assert f"skipped sub-folder {src / 'older'}" in ws, ws


def test_fifo_given_explicitly_is_refused_without_blocking(tmp_path: Path, data_dir: Path) -> None:
    src = dictionaries(tmp_path / "src")
    fifo = src / TRADE_NAME
    os.mkfifo(fifo)
    r = ingest_in_child([fifo], data_dir, deadline=60)
    assert not r["ok"] and r["file"] == str(fifo), r
    assert "named pipe" in r["error"], r
    broken = src / "BACI_HS92_Y2021_V202401b.csv"
    os.symlink(tmp_path / "gone.csv", broken)
    with pytest.raises(DataError, match="broken symbolic link"):
        api.add_dataset("baci", [broken], data_dir=data_dir)
