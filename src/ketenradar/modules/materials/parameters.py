"""The editable table of EU-method parameters that are not in the open data.

Import reliance (``ir``), end-of-life recycling input rate (``eol_rir``) and the substitution
indices (``si_sr``, ``si_ei``) come from the EC's factsheets, not from the open tables. The
packaged table ``ketenradar/data/crm_parameters.csv`` ships only values with a public source on
the row (today: EoL-RIR 2023 from the World Mining Data HS-code map of the GeoPolRisk method).
A user table in the same layout (``--parameters FILE``) adds or overrides rows.
"""

from __future__ import annotations

import csv
import io
from importlib.resources import files
from pathlib import Path

import pandas as pd

from ketenradar.core.errors import DataError
from ketenradar.core.vocabularies.materials import closest_hint, find_material, known_names

PARAMETERS = ("ir", "eol_rir", "si_sr", "si_ei")
COLUMNS = ["material", "parameter", "value", "source", "url", "note"]


def _read(text: str, origin: str) -> pd.DataFrame:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"material", "parameter", "value", "source"} - set(reader.fieldnames or [])
    if missing:
        raise DataError(f"missing column(s) {', '.join(sorted(missing))}", file=origin, line=1)
    rows = []
    for rec in reader:
        line = reader.line_num
        m = find_material(rec["material"] or "")
        if m is None:
            raise DataError(
                f"unknown material {rec['material']!r}"
                + closest_hint(rec["material"], known_names()),
                file=origin,
                line=line,
                field="material",
            )
        p = (rec["parameter"] or "").strip()
        if p not in PARAMETERS:
            raise DataError(
                f"unknown parameter {p!r} (one of {', '.join(PARAMETERS)})",
                file=origin,
                line=line,
                field="parameter",
            )
        try:
            v = float(rec["value"])
        except (TypeError, ValueError):
            raise DataError(
                f"not a number: {rec['value']!r}", file=origin, line=line, field="value"
            ) from None
        if not 0.0 <= v <= 1.0:
            raise DataError(
                f"{p} must be a fraction between 0 and 1, got {v}",
                file=origin,
                line=line,
                field="value",
            )
        if not (rec.get("source") or "").strip():
            raise DataError("every value needs a source", file=origin, line=line, field="source")
        rows.append(
            {
                "material": m.material,
                "parameter": p,
                "value": v,
                "source": rec["source"].strip(),
                "url": (rec.get("url") or "").strip() or None,
                "note": (rec.get("note") or "").strip() or None,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def packaged_parameters_path() -> str:
    """Where the packaged parameter table is (for docs and ``--help``)."""
    return str(files("ketenradar.data").joinpath("crm_parameters.csv"))


def load_parameters(user_file: Path | None = None) -> pd.DataFrame:
    """Packaged parameters, overridden per (material, parameter) by ``user_file`` rows."""
    text = files("ketenradar.data").joinpath("crm_parameters.csv").read_text(encoding="utf-8")
    df = _read(text, "ketenradar/data/crm_parameters.csv")
    if user_file is not None:
        p = Path(user_file)
        if not p.is_file():
            raise DataError("no such parameter file", file=p)
        user = _read(p.read_text(encoding="utf-8-sig"), str(p))
        df = pd.concat([df, user]).drop_duplicates(["material", "parameter"], keep="last")
    return df.reset_index(drop=True)


def wide(params: pd.DataFrame) -> pd.DataFrame:
    """One row per material with columns ir, eol_rir, si_sr, si_ei (NaN when absent)."""
    w = params.pivot_table(index="material", columns="parameter", values="value", aggfunc="last")
    for p in PARAMETERS:
        if p not in w.columns:
            w[p] = float("nan")
    return w[list(PARAMETERS)].reset_index()
