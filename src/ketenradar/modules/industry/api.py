"""The industry module's Python API (issue 18), mirroring ``ketenradar industry …``: the EU
ETS verified emissions per year or per installation (:func:`emissions`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ketenradar.core.errors import UsageError
from ketenradar.core.progress import Progress, Steps
from ketenradar.core.provenance import new_provenance
from ketenradar.core.results import Result
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table
from ketenradar.datasets.kinds import choose_dataset
from ketenradar.modules.industry.facts import (
    INSTALLATION_COLUMN_NAMES,
    INSTALLATION_COLUMNS,
    TOTAL_COLUMN_NAMES,
    TOTAL_COLUMNS,
)

__all__ = ["BY", "emissions", "totals_per_year"]

#: What :func:`emissions` groups by.
BY = ("year", "installation")
KIND = "ets_emissions"

METHODS = [
    "EU ETS verified emissions as the EU Transaction Log records them (docs/methods/"
    "industry.md): per year the sum over stationary installations with a verified number; "
    "'Excluded' and 'Not Reported' counted apart, never as zero; aircraft operators apart",
]


def totals_per_year(
    installations: pd.DataFrame,
    rows: pd.DataFrame,
    *,
    country: str,
    export_files: set[str],
) -> pd.DataFrame:
    """The totals per year of one registry (``TOTAL_COLUMN_NAMES``) from the dataset's
    ``installations`` and ``emissions`` tables. A year is ``all`` when the EUTL export
    (``export_files``) gives its numbers, ``large only`` when only the large table does."""
    inst = installations[installations["country"] == country]
    em = rows.merge(
        inst[["installation_id", "is_aircraft_operator"]], on="installation_id", how="inner"
    )
    air = em["is_aircraft_operator"].astype(bool)
    verified = em["status"] == "verified"
    out = []
    for year, g in em.groupby("year", sort=True):
        ga, gs = g[air.loc[g.index]], g[~air.loc[g.index]]
        vs = gs[verified.loc[gs.index]]
        va = ga[verified.loc[ga.index]]
        from_export = vs["source"].isin(export_files).any()
        out.append(
            {
                "year": int(year),
                "country": country,
                "verified_t": float(vs["verified_t"].sum(min_count=1)),
                "installations": len(vs),
                "excluded": int((gs["status"] == "Excluded").sum()),
                "not_reported": int((gs["status"] == "Not Reported").sum()),
                "free_allocation_t": float(gs["free_allocation_t"].sum(min_count=1)),
                "aircraft_verified_t": float(va["verified_t"].sum(min_count=1)),
                "aircraft_operators": len(va),
                "coverage": "all" if from_export else "large only",
            }
        )
    df = pd.DataFrame(out, columns=TOTAL_COLUMN_NAMES)
    return df.astype({"year": "int64", "installations": "int64", "aircraft_operators": "int64"})


def emissions(
    *,
    by: str = "year",
    country: str = "NL",
    year: int | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """EU ETS verified emissions of one registry (default the Netherlands).

    ``by="year"``: table ``emissions`` with the total of the stationary installations and
    their number per year (aircraft operators in columns of their own); ``by="installation"``:
    one row per installation and year (aircraft operators left out). ``year`` keeps one year.
    ``dataset``: the ``ets_emissions`` dataset (default the only one in the store)."""
    if by not in BY:
        raise UsageError(f"by {by!r}: allowed {', '.join(BY)}", field="by")
    country = country.strip().upper()
    steps = Steps(2, progress)
    steps("reading the ETS dataset")
    ds = choose_dataset(open_store(data_dir), KIND, dataset)
    inst = read_table(ds, "installations")
    rows = read_table(ds, "emissions")
    if country not in set(inst["country"]):
        have = ", ".join(sorted(inst["country"].dropna().unique()))
        raise UsageError(
            f"no installations of registry {country} in dataset '{ds.name}' (it has: {have})",
            field="country",
        )
    if year is not None:
        rows = rows[rows["year"] == year]
        if rows.empty:
            raise UsageError(f"no emissions for {year} in dataset '{ds.name}'", field="year")
    steps("totals" if by == "year" else "installations")
    notes = []
    if by == "year":
        exports = {i.name for i in ds.manifest.inputs if i.role == "eutl_export"}
        df = totals_per_year(inst, rows, country=country, export_files=exports)
        columns = TOTAL_COLUMNS
        partial = df.loc[df["coverage"] != "all", "year"].tolist()
        if partial:
            notes.append(
                "years "
                + ", ".join(map(str, partial))
                + " come from the large-installation table only: a subset, not the national "
                "total"
            )
    else:
        keep = inst[(inst["country"] == country) & ~inst["is_aircraft_operator"].astype(bool)]
        df = rows.merge(
            keep[["installation_id", "name", "holder", "city", "activity_label"]],
            on="installation_id",
            how="inner",
        )
        df = df.sort_values(["year", "verified_t"], ascending=[True, False], kind="stable")
        df = df[INSTALLATION_COLUMN_NAMES].reset_index(drop=True)
        df["year"] = df["year"].astype("int64")
        columns = INSTALLATION_COLUMNS
    prov = new_provenance(
        analysis="industry emissions",
        methods=METHODS,
        datasets=[ds.manifest.provenance()],
        parameters={"by": by, "country": country, "year": year},
        command=command,
        notes=notes,
    )
    return Result({"emissions": df}, prov, {"emissions": columns})
