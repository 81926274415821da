"""Input-output tables to and from the store's ``io_table`` kind (Parquet + manifest)."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.datasets.datastore import Dataset
from ketenradar.datasets.iotable import BalanceReport, IOTable, check_balance


def to_frames(
    tables: list[IOTable], reports: list[BalanceReport] | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The canonical tables for one or more years of the same table, and manifest attributes.

    All years must share regions, sectors, categories and unit (one dataset = one table
    layout); each year's accounting check (``reports``, in the order of ``tables``, or
    computed here) goes into the attributes.
    """
    if reports is None:
        reports = [check_balance(t) for t in tables]
    by_year = {t.year: r for t, r in zip(tables, reports, strict=True)}
    first = tables[0]
    years = [t.year for t in tables]
    if len(set(years)) != len(years):
        raise DataError(f"the same year appears twice among the inputs: {sorted(years)}")
    for t in tables[1:]:
        for what in ("regions", "sectors", "fd_categories", "unit", "source"):
            if getattr(t, what) != getattr(first, what):
                raise DataError(
                    f"year {t.year} has other {what} than year {first.year}; load tables of "
                    "different layouts as different datasets (--name)"
                )
    industries, flows, fd = [], [], []
    balance: dict[str, Any] = {}
    for t in sorted(tables, key=lambda t: t.year):
        idx = t.index()
        industries.append(
            pd.DataFrame(
                {
                    "year": t.year,
                    "position": np.arange(t.n, dtype=np.int32),
                    "region": idx["region"],
                    "sector": idx["sector"],
                    "output": t.x,
                    "value_added": t.va,
                    "other_inputs": t.other,
                    "final_demand": t.y_total,
                }
            )
        )
        r, c = np.nonzero(t.Z)
        flows.append(
            pd.DataFrame(
                {
                    "year": np.full(len(r), t.year, dtype=np.int16),
                    "row": r.astype(np.int32),
                    "col": c.astype(np.int32),
                    "value": t.Z[r, c],
                }
            )
        )
        if t.Y is not None:
            i, d, k = np.nonzero(t.Y)
            fd.append(
                pd.DataFrame(
                    {
                        "year": np.full(len(i), t.year, dtype=np.int16),
                        "row": i.astype(np.int32),
                        "destination": np.array(t.regions, dtype=object)[d],
                        "category": np.array(t.fd_categories, dtype=object)[k],
                        "value": t.Y[i, d, k],
                    }
                )
            )
        balance[str(t.year)] = by_year[t.year].summary()
    labels = pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": kind,
                    "position": np.arange(len(codes), dtype=np.int32),
                    "code": codes,
                    "name": [names.get(c, "") for c in codes],
                }
            )
            for kind, codes, names in (
                ("region", first.regions, first.region_names),
                ("sector", first.sectors, first.sector_names),
                ("category", first.fd_categories, {}),
            )
        ],
        ignore_index=True,
    )
    empty_fd = pd.DataFrame(
        {
            "year": pd.Series(dtype="int16"),
            "row": pd.Series(dtype="int32"),
            "destination": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "value": pd.Series(dtype=float),
        }
    )
    frames = {
        "industries": pd.concat(industries, ignore_index=True),
        "flows": pd.concat(flows, ignore_index=True),
        "final_demand": pd.concat(fd, ignore_index=True) if fd else empty_fd,
        "labels": labels,
    }
    attributes = {
        "table_source": first.source,
        "unit": first.unit,
        "rounding_unit": first.rounding_unit,
        "final_demand_by_destination": first.Y is not None,
        "regions": len(first.regions),
        "sectors": len(first.sectors),
        "years": sorted(years),
        "balance": balance,
        "notes": first.notes,
    }
    return frames, attributes


def _files(ds: Dataset, table: str) -> list[str]:
    return [str(f) for f in ds.table_files(table)]


def available_years(ds: Dataset) -> list[int]:
    """Years held by an ``io_table`` dataset."""
    return [int(y) for y in ds.manifest.attributes.get("years", [])]


def read_table(ds: Dataset, year: int | None = None) -> IOTable:
    """One year of an ``io_table`` dataset as an :class:`IOTable` (default: the latest)."""
    years = available_years(ds)
    if year is None:
        year = max(years)
    if year not in years:
        raise NotFoundError(
            f"dataset '{ds.name}' has no year {year} (years: {', '.join(map(str, years))})"
        )
    attrs = ds.manifest.attributes
    con = duckdb.connect()
    try:
        labels = con.execute(
            "SELECT kind, code, name FROM read_parquet(?) ORDER BY kind, position",
            [_files(ds, "labels")],
        ).df()
        ind = con.execute(
            "SELECT * FROM read_parquet(?) WHERE year = ? ORDER BY position",
            [_files(ds, "industries"), year],
        ).df()
        fl = con.execute(
            "SELECT row, col, value FROM read_parquet(?) WHERE year = ?",
            [_files(ds, "flows"), year],
        ).fetchnumpy()
        fd = con.execute(
            "SELECT row, destination, category, value FROM read_parquet(?) WHERE year = ?",
            [_files(ds, "final_demand"), year],
        ).df()
    finally:
        con.close()

    def codes(kind: str) -> tuple[list[str], dict[str, str]]:
        sub = labels[labels["kind"] == kind]
        return list(sub["code"]), {c: n for c, n in zip(sub["code"], sub["name"], strict=True) if n}

    regions, region_names = codes("region")
    sectors, sector_names = codes("sector")
    categories, _ = codes("category")
    n = len(regions) * len(sectors)
    Z = np.zeros((n, n))
    Z[fl["row"], fl["col"]] = fl["value"]
    Y = None
    if attrs.get("final_demand_by_destination"):
        Y = np.zeros((n, len(regions), len(categories)))
        d = pd.Categorical(fd["destination"], categories=regions).codes
        k = pd.Categorical(fd["category"], categories=categories).codes
        Y[fd["row"].to_numpy(), d, k] = fd["value"].to_numpy()
    return IOTable(
        source=attrs.get("table_source", ds.manifest.source),
        year=year,
        regions=regions,
        sectors=sectors,
        Z=Z,
        x=ind["output"].to_numpy(float),
        va=ind["value_added"].to_numpy(float),
        other=ind["other_inputs"].to_numpy(float),
        y_total=ind["final_demand"].to_numpy(float),
        Y=Y,
        fd_categories=categories,
        unit=attrs.get("unit", "USD million"),
        rounding_unit=float(attrs.get("rounding_unit", 0.0)),
        region_names=region_names,
        sector_names=sector_names,
        notes=list(attrs.get("notes", [])),
    )
