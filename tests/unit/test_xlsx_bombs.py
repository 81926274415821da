"""Decompression bombs given to the connectors that read zip containers and compressed files:
Excel workbooks (``wgi``, ``wmd``, ``wiod``), numpy ``.npz`` (``icio``) and compressed R data
(``wiod``). ``eu_crm`` and ``usgs`` read CSV only.

Each bomb is a real file (an openpyxl workbook with one member swapped for a huge, highly
compressible one; a workbook whose cells claim far-apart coordinates; ...) given to the real
``ketenradar data add`` command in a child process that is killed past a deadline or a
resident-memory cap, and reports its own peak memory. Before the guards of
``ketenradar.sources.archives`` these children ran for minutes and grew by gigabytes (killed
by the cap), or ended in a traceback instead of a data error.
"""

from __future__ import annotations

import bz2
import gzip
import io
import os
import struct
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook
from test_wgi_wmd import write_wgi_xlsx

from ketenradar import api
from ketenradar.core.errors import DataError, UsageError
from ketenradar.datasets import DataStore

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
BOMB_MIB = 512  # packs to about 0.5 MB: about 1000:1
RSS_CAP_MB = 1500  # the child is killed above this (it would go on to gigabytes)
PEAK_MB = 500  # what a refused bomb may cost, imports included (about 200-270 MB here)

CHILD = r"""
import atexit, sys

def _peak():
    # VmHWM, not ru_maxrss: after fork + exec, ru_maxrss keeps the forking parent's peak (the
    # pytest process)
    hwm = next(x for x in open("/proc/self/status") if x.startswith("VmHWM"))
    peak = int(hwm.split()[1]) / 1024
    sys.stderr.write(f"\nPEAK_MB {peak:.0f}\n")

atexit.register(_peak)
from ketenradar.interfaces.cli.app import main

sys.argv = ["ketenradar", *sys.argv[1:]]
main()
"""


@dataclass
class Run:
    code: int
    stderr: str
    seconds: float
    peak_mb: float


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def data_add(source: str, path: Path, data_dir: Path, deadline: float = 60) -> Run:
    """``ketenradar data add SOURCE PATH`` in a child process, killed past ``deadline`` s or
    :data:`RSS_CAP_MB` of resident memory."""
    out = data_dir.parent / f"child-{source}.err"
    env = {**os.environ, "COLUMNS": "1000", "KETENRADAR_DATA_DIR": str(data_dir)}
    with open(out, "w") as err:
        start = time.monotonic()
        p = subprocess.Popen(
            [sys.executable, "-c", CHILD, "data", "add", source, str(path)],
            stdout=err,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        try:
            while p.poll() is None:
                rss = _rss_mb(p.pid)
                if rss > RSS_CAP_MB:
                    pytest.fail(f"{source}: the child grew to {rss:.0f} MB (killed)")
                if time.monotonic() - start > deadline:
                    pytest.fail(f"{source}: the child ran for more than {deadline} s (killed)")
                time.sleep(0.02)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
    seconds = time.monotonic() - start
    text = out.read_text()
    peak = [float(line.split()[1]) for line in text.splitlines() if line.startswith("PEAK_MB")]
    return Run(p.returncode, text, seconds, peak[-1] if peak else 0.0)


def assert_refused(r: Run, *fragments: str) -> None:
    assert r.code == DataError.exit_code, r.stderr
    assert "error:" in r.stderr and "Traceback" not in r.stderr, r.stderr
    for f in fragments:
        assert f in r.stderr, (f, r.stderr)
    assert r.seconds < 30, r  # about 2 s here, imports included
    assert r.peak_mb < PEAK_MB, r


# -- building the files -----------------------------------------------------------------------


def small_workbook(path: Path) -> Path:
    """A real workbook written by openpyxl: a title, a header, a few rows (shared strings)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "VoiceandAccountability"
    ws.append(["Voice and Accountability"])
    ws.append(["Country/Territory", "Code", "Estimate"])
    for name, code in (("Netherlands", "NLD"), ("Chile", "CHL")):
        ws.append([name, code, 1.0])
    wb.save(path)
    return path


def swap_members(path: Path, bodies: dict, *, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """Rewrite the zip ``path`` with each member named in ``bodies`` replaced by the bytes of
    its chunks, streamed (the declared sizes are then the true ones)."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    members = [(i, src.read(i)) for i in src.infolist() if i.filename not in bodies]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
        for member, chunks in bodies.items():
            info = zipfile.ZipInfo(member)
            info.compress_type = method
            with zf.open(info, "w", force_zip64=True) as f:
                for chunk in chunks:
                    f.write(chunk)
    return path


def declare_shared_strings(path: Path) -> None:
    """Add the shared-strings part to the workbook's relationships and content types (its
    body is then added by :func:`swap_members`); openpyxl reads it when opening the file."""
    rels, types = "xl/_rels/workbook.xml.rels", "[Content_Types].xml"
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    rel = (
        '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9" />'
    )
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
    )
    edits = {
        rels: src.read(rels).replace(b"</Relationships>", rel.encode() + b"</Relationships>"),
        types: src.read(types).replace(b"</Types>", override.encode() + b"</Types>"),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, edits.get(info.filename) or src.read(info))


def padded_sheet(mib: int):
    """A valid sheet whose one cell holds ``mib`` MiB of one letter (packs about 1000:1)."""
    cell = '<row r="1"><c r="A1" t="inlineStr"><is><t>'
    yield f'<worksheet xmlns="{MAIN}"><sheetData>{cell}'.encode()
    block = b"A" * (1 << 20)
    for _ in range(mib):
        yield block
    yield b"</t></is></c></row></sheetData></worksheet>"


def many_rows_sheet(mib: int):
    """A valid sheet of ``mib`` MiB of rows of one number each (about 20 million rows)."""
    yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    block = b"<row><c><v>1</v></c></row>" * 40329  # 1 MiB
    for _ in range(mib):
        yield block
    yield b"</sheetData></worksheet>"


def padded_strings(mib: int):
    yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
    block = b"A" * (1 << 20)
    for _ in range(mib):
        yield block
    yield b"</t></si></sst>"


@pytest.fixture(scope="module")
def sheet_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook whose first sheet expands from about 0.5 MB to 512 MiB of rows."""
    path = small_workbook(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")
    swap_members(path, {SHEET: many_rows_sheet(BOMB_MIB)})
    assert path.stat().st_size < 2_000_000
    return path


def store_is_empty(data_dir: Path) -> bool:
    return not data_dir.exists() or DataStore(data_dir).names() == []


# -- zip bombs in workbooks --------------------------------------------------------------------


@pytest.mark.parametrize("source", ["wgi", "wmd", "wiod"])
def test_sheet_bomb_is_refused_by_every_workbook_connector(
    sheet_bomb: Path, tmp_path: Path, source: str
) -> None:
    data_dir = tmp_path / "store"
    r = data_add(source, sheet_bomb, data_dir)
    assert_refused(r, f"{sheet_bomb}!{SHEET}", "zip bomb", "KETENRADAR_ZIP_MAX_RATIO")
    assert store_is_empty(data_dir)


@pytest.mark.parametrize(
    ("member", "body"),
    [(SHEET, padded_sheet), (STRINGS, padded_strings)],
    ids=["sheet-cell", "shared-string"],
)
def test_enormous_compressible_string_is_refused(tmp_path: Path, member: str, body) -> None:
    path = small_workbook(tmp_path / "wgi.xlsx")
    if member == STRINGS:  # openpyxl writes inline strings: declare a shared-strings part
        declare_shared_strings(path)
    swap_members(path, {member: body(BOMB_MIB)})
    r = data_add("wgi", path, tmp_path / "store")
    assert_refused(r, f"{path}!{member}", "zip bomb")


def test_many_small_members_are_refused_as_a_whole(tmp_path: Path) -> None:
    """Ten sheets below the 8 MiB floor of the per-member ratio, together 1000:1."""
    wb = Workbook()
    for n in range(10):
        (wb.active if n == 0 else wb.create_sheet()).append(["Code", "Estimate"])
    path = tmp_path / "wgi.xlsx"
    wb.save(path)
    sheets = [f"xl/worksheets/sheet{n}.xml" for n in range(1, 11)]
    assert set(sheets) <= set(zipfile.ZipFile(path).namelist())
    swap_members(path, {s: many_rows_sheet(7) for s in sheets})  # 7 MiB each
    with pytest.raises(DataError, match=r"zip archive expands \d+-fold") as e:
        api.add_dataset("wgi", [path], data_dir=tmp_path / "store")
    assert e.value.file == str(path)


def test_cells_far_apart_are_refused(tmp_path: Path) -> None:
    """Two cells, A1 and XFD1048576: openpyxl pads every row to 16,384 cells and yields all
    1,048,576 rows (17 billion cells; this child grew past 1.5 GB within a second)."""
    for source in ("wgi", "wmd", "wiod"):
        wb = Workbook()
        ws = wb.active
        ws.title = "Sheet1"
        ws["A1"] = "Country"
        ws["XFD1048576"] = 1
        path = tmp_path / f"{source}-far.xlsx"
        wb.save(path)
        assert path.stat().st_size < 10_000
        r = data_add(source, path, tmp_path / f"store-{source}")
        assert_refused(r, f"{path} [Sheet1]", "more than 20,000,000 cells")
        assert "KETENRADAR_XLSX_MAX_CELLS" in r.stderr


def test_workbook_limits_are_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_wgi_xlsx(tmp_path)
    monkeypatch.setenv("KETENRADAR_XLSX_MAX_CELLS", "50")
    with pytest.raises(DataError, match="more than 50 cells") as e:
        api.add_dataset("wgi", [path], data_dir=tmp_path / "store")
    assert e.value.file.startswith(f"{path} [")
    monkeypatch.setenv("KETENRADAR_XLSX_MAX_CELLS", "none")
    with pytest.raises(UsageError, match="KETENRADAR_XLSX_MAX_CELLS"):
        api.add_dataset("wgi", [path], data_dir=tmp_path / "store")
    monkeypatch.delenv("KETENRADAR_XLSX_MAX_CELLS")
    monkeypatch.setenv("KETENRADAR_ZIP_MAX_MEMBERS", "3")
    with pytest.raises(DataError, match=r"entries, more than the limit of 3"):
        api.add_dataset("wgi", [path], data_dir=tmp_path / "store")
    monkeypatch.delenv("KETENRADAR_ZIP_MAX_MEMBERS")
    (rep,) = api.add_dataset("wgi", [path], data_dir=tmp_path / "store")  # within the limits
    assert rep.manifest.tables


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    """Make the zip's headers (local and central) declare ``size`` bytes for ``member``."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for sig, name_len_at, name_at, size_at in (
        (b"PK\x03\x04", 26, 30, 22),
        (b"PK\x01\x02", 28, 46, 24),
    ):
        at = data.find(sig)
        while at >= 0:
            (n,) = struct.unpack_from("<H", data, at + name_len_at)
            if data[at + name_at : at + name_at + n] == name:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(sig, at + 4)
    path.write_bytes(data)


def test_member_lying_about_its_size_is_refused_as_corrupt(tmp_path: Path) -> None:
    """Declared 1 MiB, 64 MiB inside: the declared size passes the checks, but reading stops
    at it and the CRC fails (a guard for the reasoning that declared sizes bound what
    openpyxl reads; this one was refused before the guards too)."""
    path = small_workbook(tmp_path / "wgi.xlsx")
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    members = [(i, src.read(i)) for i in src.infolist() if i.filename != SHEET]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
        zf.writestr(SHEET, b"".join(many_rows_sheet(64)))  # not zip64: plain 32-bit sizes
    _patch_declared_size(path, SHEET, 1 << 20)
    assert zipfile.ZipFile(path).getinfo(SHEET).file_size == 1 << 20
    r = data_add("wgi", path, tmp_path / "store")
    assert_refused(r, str(path), SHEET, "CRC")


def test_bzip2_member_is_refused(tmp_path: Path) -> None:
    """zipfile inflates a whole read buffer of a bzip2 member at once, whatever its declared
    size: only stored and deflate members are read."""
    path = small_workbook(tmp_path / "wgi.xlsx")
    sheet = zipfile.ZipFile(path).read(SHEET)
    swap_members(path, {SHEET: [sheet]}, method=zipfile.ZIP_BZIP2)
    with pytest.raises(DataError, match="compressed with bzip2") as e:
        api.add_dataset("wgi", [path], data_dir=tmp_path / "store")
    assert e.value.file == f"{path}!{SHEET}"


# -- numpy .npz (icio) ---------------------------------------------------------------------------


def _npz(path: Path, header: dict, chunks) -> Path:
    """The arrays of an ICIO benchmark cache for 2 × 2 industries, but ``A`` with ``header``
    and ``chunks`` as its data."""
    n = 4
    np.savez_compressed(
        path,
        **{k: np.ones(n) for k in ("omb", "z", "s", "go")},
        countries=np.array(["NLD", "DEU"]),
        sectors=np.array(["A01", "B05"]),
    )
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(head, header)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("A.npy", "w", force_zip64=True) as f,
    ):
        f.write(head.getvalue())
        for chunk in chunks:
            f.write(chunk)
    return path


def test_npz_bomb_is_refused(tmp_path: Path) -> None:
    n = 8192  # 8192 × 8192 float64 = 512 MiB of zeros
    zeros = b"\0" * (1 << 20)
    path = _npz(
        tmp_path / "bench_cache.npz",
        {"descr": "<f8", "fortran_order": False, "shape": (n, n)},
        (zeros for _ in range(BOMB_MIB)),
    )
    assert path.stat().st_size < 2_000_000
    r = data_add("icio", path, tmp_path / "store")
    assert_refused(r, f"{path}!A.npy", "zip bomb")


def test_npz_array_claiming_more_than_it_holds_is_refused(tmp_path: Path) -> None:
    """numpy allocates the claimed shape first: 10^14 floats ended in a MemoryError traceback."""
    path = _npz(
        tmp_path / "bench_cache.npz",
        {"descr": "<f8", "fortran_order": False, "shape": (10**7, 10**7)},
        [b"\0" * 1000],
    )
    r = data_add("icio", path, tmp_path / "store")
    assert_refused(r, f"{path}!A.npy", "needs 800000000000000 bytes")


# -- compressed R data (wiod) --------------------------------------------------------------------


def _compressed(path: Path, opener, mib: int) -> Path:
    with opener(path, "wb") as f:
        f.write(b"RDX2\nX\n")
        zeros = b"\0" * (1 << 20)
        for _ in range(mib):
            f.write(zeros)
    return path


@pytest.mark.parametrize(
    ("opener", "kind"), [(gzip.open, "gzip"), (bz2.open, "bzip2")], ids=["gzip", "bzip2"]
)
def test_rdata_bomb_is_refused(tmp_path: Path, opener, kind: str) -> None:
    path = _compressed(tmp_path / "wiot_2011.RData", opener, BOMB_MIB)
    assert path.stat().st_size < 2_000_000
    r = data_add("wiod", path, tmp_path / "store")
    assert_refused(r, str(path), f"{kind} data expands", "zip bomb")


def test_truncated_rdata_is_refused(tmp_path: Path) -> None:
    path = _compressed(tmp_path / "wiot_2011.RData", gzip.open, 1)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match="gzip data is truncated") as e:
        api.add_dataset("wiod", [path], data_dir=tmp_path / "store")
    assert e.value.file == str(path)
