"""Loading the OECD ICIO table from the input-output page (a fresh install's first step).

On a fresh install the shock form has no table to run on. An admin (the role that fetches
data on the data page) loads one from a folder on the server — by default
``<shared data>/icio_oecd_2022`` (``KETENRADAR_SHARED_DATA``) — as a background job with
progress (``POST /api/v1/io/load``, the same job as ``ketenradar io load icio FOLDER``
followed by a fact rebuild). The folder is checked before the job starts, so a wrong one
is refused at once in the one error shape and the store is not touched.

An ICIO folder holds, directly inside it, the benchmark arrays ``bench_cache.npz`` or
published OECD ICIO CSV files with a year in their name (``2022_SML.csv``,
``ICIO2023_2019.csv``); the code-mapping CSVs beside them are read along. The folder is not
searched recursively (a typo such as ``/`` must not make the server walk its disk).
"""

from __future__ import annotations

import re
from pathlib import Path

from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.core.settings import settings

#: The folder of the shared data holding the OECD ICIO 2022 table.
ICIO_FOLDER = "icio_oecd_2022"
BENCHMARK = "bench_cache.npz"
#: A year in a file name, as the ICIO reader takes it (``2022_SML.csv`` → 2022).
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
MAX_FOLDER = 1000


def default_folder() -> Path:
    """Where the OECD ICIO 2022 table lies in the shared data (it may be missing)."""
    return (settings().shared_data / ICIO_FOLDER).absolute()


def _is_table(p: Path) -> bool:
    name = p.name.lower()
    if name == BENCHMARK:
        return True
    return (
        name.endswith(".csv")
        and "mapping" not in name
        and "readme" not in name
        and _YEAR.search(p.stem) is not None
    )


def icio_files(folder: str | Path | None) -> tuple[Path, list[Path]]:
    """The ICIO folder to load (``None`` or blank: :func:`default_folder`) and the table files
    directly in it. Raises :class:`NotFoundError` (field ``folder``) when it does not exist,
    :class:`UsageError` when it is not a folder or holds no ICIO table."""
    text = "" if folder is None else str(folder).strip()
    if "\x00" in text or len(text) > MAX_FOLDER:
        raise UsageError("not a folder name", field="folder")
    path = Path(text).expanduser() if text else default_folder()
    if not path.is_absolute():
        path = path.absolute()
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # a name too long, a folder not readable
        raise UsageError(f"not a usable folder name ({exc.strerror})", field="folder") from exc
    if not exists:
        raise NotFoundError(
            f"no folder {path} on the server: give the folder that holds the OECD ICIO table "
            f"(e.g. {default_folder()})",
            field="folder",
        )
    if not is_dir:
        raise UsageError(
            f"{path} is a file, not a folder: give the folder that holds it", field="folder"
        )
    try:
        files = sorted(p for p in path.iterdir() if p.is_file() and _is_table(p))
    except OSError as exc:
        raise UsageError(f"cannot read the folder {path} ({exc.strerror})", field="folder") from exc
    if not files:
        raise UsageError(
            f"{path} is not an OECD ICIO folder: it holds neither {BENCHMARK} nor an ICIO CSV "
            "with a year in its name (such as 2022_SML.csv)",
            field="folder",
        )
    return path, files


def can_load() -> dict[str, object]:
    """What the page's load button shows: the default folder and whether it holds a table."""
    folder = default_folder()
    try:
        icio_files(folder)
    except (NotFoundError, UsageError):
        return {"folder": str(folder), "found": False}
    return {"folder": str(folder), "found": True}
