"""The OECD ICIO benchmark arrays (``bench_cache.npz``), turned back into an input-output table.

The arrays ship in the MIT-licensed PyPI package ``sanction-simulator`` 0.1.4, which builds
them from the OECD ICIO 2025 release, reference year 2022 (``2022_SML.csv``). What each array
means, read from that package's ``Benchmark`` class (checked against the numbers here):

* industries are in **sector-major** order (``sector * 80 + country``); the rest-of-world
  region ``ROW`` is dropped, so 80 economies × 50 sectors = 4,000 industries;
* ``go``: gross output (USD million), 51 inactive industries set to 0;
* ``A``: each industry's intermediate inputs **as shares of its intermediate inputs from the
  80 economies** (columns sum to 1, or 0 for inactive industries) — not technical coefficients;
* ``omb``: intermediate inputs over gross output (1 − β), capped at 0.98 (2 columns capped);
* ``z``: gross output minus intermediate sales to the 80 economies: final demand of every
  destination together, plus intermediate sales to the rest of the world;
* ``s``: output that solves ``s = (A·diag(omb)) s + z``, equal to ``go`` within 1.6 %
  (the difference comes from the cap);
* ``dbar = s − z``: intermediate sales.

This connector rebuilds the balanced table these arrays imply: ``x = s``,
``Z = A·diag(omb·s)``, final demand ``y = z`` (not split by destination: the arrays do not say
where final demand goes) and value added ``va = (1 − omb)·s``. Because ROW was dropped, ``va``
also holds taxes less subsidies on products and inputs bought from the rest of the world —
documented in ``docs/methods/input-output.md``.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError
from ketenradar.datasets.iotable import IOTable

REQUIRED = ("A", "omb", "z", "s", "go", "countries", "sectors")


def _names(folder: Path, pattern: str) -> dict[str, str]:
    files = sorted(folder.glob(pattern))
    if not files:
        return {}
    df = pd.read_csv(files[0], encoding="utf-8-sig", dtype=str)
    return dict(zip(df.iloc[:, 0].str.strip(), df.iloc[:, 1].str.strip(), strict=True))


def _check_npz(path: Path) -> None:
    """Refuse a zip bomb, and arrays whose header claims more bytes than their member holds
    (numpy allocates the claimed shape before reading)."""
    from ketenradar.sources.archives import check_zip_file

    check_zip_file(path, "not a readable numpy .npz file")
    fmt = np.lib.format
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with zf.open(info) as f:
                    version = fmt.read_magic(f)
                    read = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}
                    if version not in read:
                        raise ValueError(f".npy format version {version} is not read here")
                    shape, _, dtype = read[version](f)
                need = math.prod(shape) * dtype.itemsize
                if need > info.file_size:
                    raise DataError(
                        f"array of shape {shape} needs {need} bytes, but its member holds only "
                        f"{info.file_size}",
                        file=f"{path}!{info.filename}",
                    )
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"not a readable numpy .npz file ({exc})", file=path) from exc


def parse_icio_benchmark(path: Path, *, year: int = 2022) -> IOTable:
    """Read ``bench_cache.npz`` (and the code-mapping CSVs beside it) into an :class:`IOTable`."""
    path = Path(path)
    _check_npz(path)
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"not a readable numpy .npz file ({exc})", file=path) from exc
    missing = [k for k in REQUIRED if k not in data.files]
    if missing:
        raise DataError(
            f"not an ICIO benchmark cache: arrays {', '.join(missing)} missing", file=path
        )
    countries = [str(c) for c in data["countries"]]
    sectors = [str(s) for s in data["sectors"]]
    C, S = len(countries), len(sectors)
    n = C * S
    A, omb, z, s = data["A"], data["omb"], data["z"], data["s"]
    if A.shape != (n, n) or any(v.shape != (n,) for v in (omb, z, s)):
        raise DataError(
            f"array shapes do not fit {C} countries × {S} sectors: A {A.shape}, "
            f"omb {omb.shape}, z {z.shape}, s {s.shape}",
            file=path,
        )
    colsum = A.sum(axis=0)
    off = np.flatnonzero((np.abs(colsum - 1) > 1e-9) & (colsum != 0))
    if len(off):
        raise DataError(
            f"A is not a matrix of input shares: {len(off)} column(s) do not sum to 1 or 0 "
            f"(first: column {off[0]}, sum {colsum[off[0]]:.6g})",
            file=path,
        )
    # sector-major (sector * C + country) -> region-major (country * S + sector)
    perm = (np.arange(S)[None, :] * C + np.arange(C)[:, None]).ravel()
    A = A[np.ix_(perm, perm)]
    omb, z, s = omb[perm], z[perm], s[perm]
    Z = A * (omb * s)[None, :]
    audit = json.loads(str(data["audit"])) if "audit" in data.files else {}
    notes = [
        "rebuilt from the sanction-simulator benchmark arrays: x = s, Z = A·diag(omb·s), "
        "y = z (final demand of all destinations, plus intermediate sales to ROW), "
        "va = (1 − omb)·s (also holds taxes less subsidies and inputs from ROW)",
        "final demand is not split by destination",
    ]
    if audit:
        notes.append("builder's audit: " + json.dumps(audit, sort_keys=True))
    folder = path.parent
    return IOTable(
        source="icio",
        year=year,
        regions=countries,
        sectors=sectors,
        Z=Z,
        x=s.astype(float),
        va=(1.0 - omb) * s,
        other=np.zeros(n),
        y_total=z.astype(float),
        Y=None,
        fd_categories=[],
        unit="USD million",
        rounding_unit=0.0,
        region_names=_names(folder, "*country_code_mapping*.csv"),
        sector_names=_names(folder, "*sector_code_mapping*.csv"),
        notes=notes,
    )
