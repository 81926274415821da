"""The CLI's messages: file content printed literally (no Rich markup, no terminal escapes),
system errors (a full disk, a read-only or impossible data dir, a file that is not UTF-8) as
one line and a non-zero exit code instead of a traceback. Real ``ketenradar`` processes."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_country_dict, write_product_dict, write_trade

from ketenradar.interfaces.cli.app import EXIT_OS_ERROR

NAME = "baci_hs92_v202401b"
#: Rich markup (a closing tag without its opening one crashed the error handler; a link
#: became a hyperlink) and an ANSI escape sequence (turned the terminal red).
EVIL = "[/x] [link=http://evil]click[/link] \x1b[31mred"


def _run(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    """``ketenradar ARGS`` as a real process, its output as a terminal would get it (colour
    forced on: Rich renders markup, links and styles as escape sequences then)."""
    base = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "250"}
    for k in ("KETENRADAR_DATA_DIR", "KETENRADAR_DEBUG", "NO_COLOR"):
        base.pop(k, None)
    return subprocess.run(
        [sys.executable, "-m", "ketenradar", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def _baci(folder: Path, years: range = range(2022, 2023), rows: int = 3, **kw) -> Path:
    folder.mkdir(parents=True)
    write_country_dict(folder)
    write_product_dict(folder, [str(260100 + n) for n in range(rows)])
    for y in years:
        write_trade(
            folder, y, [(y, 156, 528, str(260100 + n), n + 0.5, "NA") for n in range(rows)], **kw
        )
    return folder


def _no_traceback(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr, res.stderr
    errors = [ln for ln in res.stderr.splitlines() if "error:" in ln]
    assert len(errors) == 1, res.stderr


def test_markup_and_escapes_in_a_csv_header_print_literally(tmp_path: Path) -> None:
    src = _baci(tmp_path / "src", header=f"t,i,j,k,v,q,{EVIL}")
    res = _run("data", "add", "baci", str(src), "--data-dir", str(tmp_path / "store"))
    assert res.returncode == 4, res.stderr  # a DataError, not a crash of the handler (1)
    _no_traceback(res)
    assert "unexpected column(s) [/x] [link=http://evil]click[/link] \\x1b[31mred" in res.stderr
    assert "\x1b[31mred" not in res.stderr  # the file's escape sequence did not reach us
    assert "\x1b]8;" not in res.stderr  # no hyperlink (OSC 8)


def test_markup_and_escapes_in_a_file_name_print_literally(tmp_path: Path) -> None:
    """A warning naming a file (an ignored one here) after a successful add."""
    src = _baci(tmp_path / "src")
    (src / "notes [link=http:evil]a[red]b\x1b[31m.csv").write_text("x\n")
    res = _run("data", "add", "baci", str(src), "--data-dir", str(tmp_path / "store"))
    assert res.returncode == 0, res.stderr
    assert "ignored file not recognised as BACI" in res.stderr
    assert "notes [link=http:evil]a[red]b\\x1b[31m.csv" in res.stderr
    assert "\x1b]8;" not in res.stderr and "\x1b[31m.csv" not in res.stderr


def test_progress_descriptions_are_not_markup() -> None:
    """The progress bar shows file names as they are (a ``[/x]`` crashed its rendering)."""
    from rich.console import Console

    from ketenradar.interfaces.cli import common as cli

    bar = cli._progress_bar()
    bar.add_task(cli.printable("parse " + EVIL), total=3)
    console = Console(file=io.StringIO(), force_terminal=True, width=200)
    console.print(bar.get_renderable())
    shown = console.file.getvalue()
    assert "parse [/x] [link=http://evil]click[/link] \\x1b[31mred" in shown
    assert "\x1b]8;" not in shown


def test_run_with_progress_calls_with_the_bar_and_stops_it() -> None:
    """``run_with_progress`` hands ``fn`` its arguments and a progress callback, returns what
    ``fn`` returns, and stops the bar when ``fn`` fails: Rich refuses a second live display
    while one is running, so the run after a failure would raise if it had not."""
    from ketenradar.interfaces.cli.common import run_with_progress

    calls: list[tuple] = []

    def work(a: int, b: str, *, c: int, progress) -> str:
        progress("parse " + EVIL, 1, 2)
        progress("write", 2, 2)
        calls.append((a, b, c))
        return f"{a}{b}{c}"

    def fail(*, progress) -> None:
        progress("half", 1, 2)
        raise ValueError("broken")

    assert run_with_progress("start " + EVIL, work, 1, "x", c=3) == "1x3"
    assert calls == [(1, "x", 3)]
    with pytest.raises(ValueError, match="broken"):
        run_with_progress("failing", fail)
    assert run_with_progress("again", work, 2, "y", c=4) == "2y4"


def test_printable_and_plain() -> None:
    from ketenradar.interfaces.cli.app import plain, printable

    assert printable("a\x1b[2Jb\rc\x07\u202ed\te\n") == "a\\x1b[2Jb\\rc\\x07\\u202ed\te\n"
    assert plain("[/x] [link=y]z") == "\\[/x] \\[link=y]z"


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    """An OSError (here ENOTDIR: the data dir is a file) is one line naming the path and the
    reason, with its own exit code; KETENRADAR_DEBUG=1 shows the traceback instead."""
    not_a_dir = tmp_path / "store [red]x"
    not_a_dir.write_text("a file\n")
    src = _baci(tmp_path / "src")
    res = _run("data", "add", "baci", str(src), "--data-dir", str(not_a_dir))
    assert res.returncode == EXIT_OS_ERROR, res.stderr
    _no_traceback(res)
    assert f"{not_a_dir}/datasets: Not a directory (ENOTDIR)" in res.stderr
    dbg = _run(
        "data", "add", "baci", str(src), "--data-dir", str(not_a_dir), env={"KETENRADAR_DEBUG": "1"}
    )
    assert dbg.returncode != 0 and "NotADirectoryError" in dbg.stderr
    assert "Traceback" in dbg.stderr


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    groups = tmp_path / "groups.yaml"
    groups.write_bytes(b"groups:\n  X\xe9:\n    members: [NLD]\n")
    res = _run(
        "groups", "list", "--data-dir", str(tmp_path), env={"KETENRADAR_GROUPS_FILE": str(groups)}
    )
    assert res.returncode == 4, res.stderr
    _no_traceback(res)
    assert "UTF-8" in res.stderr and "0xe9" in res.stderr


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True
    )
    return probe.returncode == 0


def test_full_disk_and_read_only_data_dir(tmp_path: Path) -> None:
    """A real full disk (ENOSPC) and a real read-only file system (EROFS), as root: a small
    tmpfs mounted in a private mount namespace (gone when the script ends). Each failure is
    one message with exit code 74; the dataset added before stays live, staging is empty."""
    if not _namespaces_work():
        msg = "needs root and mount namespaces (unshare) for a real tmpfs"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    small = _baci(tmp_path / "small")
    big = _baci(tmp_path / "big", years=range(2000, 2012), rows=400)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    store = mnt / "store"
    ktr = f"{sys.executable} -m ketenradar"
    check = (
        "import json, sys; from ketenradar.datasets import DataStore; s = DataStore(sys.argv[1]); "
        "print(json.dumps({'years': s.get('" + NAME + "').manifest.attributes['years'], "
        "'staging': [p.name for p in (s.root / 'staging').iterdir()]}))"
    )
    script = f"""
        set -u
        mount -t tmpfs -o size=96k tmpfs '{mnt}' || exit 99
        {ktr} data add baci '{small}' --data-dir '{store}' > /dev/null 2>&1 || exit 98
        {ktr} data add baci '{big}' --data-dir '{store}' 2> '{tmp_path}/full.err'
        echo $? > '{tmp_path}/full.rc'
        {sys.executable} -c "{check}" '{store}' > '{tmp_path}/after.json'
        mount -o remount,ro '{mnt}'
        {ktr} data remove {NAME} --data-dir '{store}' 2> '{tmp_path}/ro.err'
        echo $? > '{tmp_path}/ro.rc'
    """
    env = {**os.environ, "COLUMNS": "250"}
    env.pop("KETENRADAR_DATA_DIR", None)
    res = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, (res.returncode, res.stdout, res.stderr)
    full = (tmp_path / "full.err").read_text()
    assert int((tmp_path / "full.rc").read_text()) == EXIT_OS_ERROR, full
    assert "No space left on device (ENOSPC)" in full and "Traceback" not in full, full
    assert str(store) in full  # names the file it could not write
    after = json.loads((tmp_path / "after.json").read_text())
    assert after == {"years": [2022], "staging": []}  # as before the failed add
    ro = (tmp_path / "ro.err").read_text()
    assert int((tmp_path / "ro.rc").read_text()) == EXIT_OS_ERROR, ro
    assert "Read-only file system (EROFS)" in ro and "Traceback" not in ro, ro
    assert not mnt.joinpath("store").exists()  # the tmpfs went with its namespace
