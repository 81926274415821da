"""EU ETS installations and their verified emissions (EUTL exports) into an ``ets_emissions``
dataset (issue 18, item 1).

The kind ``ets_emissions`` is the industry module's own: it is declared here (:data:`KIND`)
and registered by one entry-point line (group ``ketenradar.dataset_kinds``), served by
:func:`ketenradar.datasets.kinds.canonical_tables`; no central list is edited.

Two layouts are read, each recognised by its header (a folder is searched; CSV files of
another layout in a folder are skipped with a warning, a file named explicitly must be one):

* **The EUTL operator-holding-account export** (``installations-NL.csv`` of GitHub
  ``cedricr/eutl``, extracted from ``ec.europa.eu/clima/ets/oha.do``; CC BY 4.0): one row per
  account with the identity columns (``id`` = account ``NL-144``,
  ``InstallationOrAircraftOperatorID`` = ``144``, ``AccountHolderName``,
  ``CompanyRegistrationNo`` (the KvK number), ``PermitOrPlanID``, ``Address1/2``,
  ``ZipCode``, ``City``, ``MainActivityTypeCode`` and its label, first/last year of emissions,
  ``AccountStatus``), then per year ``YYYY`` a block ``FreeAllocations_YYYY``, …,
  ``VerifiedEmissions_YYYY``, ``ComplianceCode_YYYY``. Values are tonnes of CO₂ equivalent.
* **The large-installation table** 2022–2025 (``nl_ets_large_installations_2022_2025*.csv``:
  ``installation_id`` = ``NL_144``, ``verified_YYYY_t``, ``free_allocation_YYYY_t``,
  ``source_YYYY_YYYY``): the 24 largest Dutch installations from the EU Union Registry 2025
  file and euets.info extracts. It is joined on the installation id.

Rules (checked on the real files):

* ``installation_id`` is ``<registry country>_<EUTL installation id>`` (``NL_144``, as
  euets.info and the large table write it); ids are per registry, not EU-wide.
* ``verified_t`` is NULL unless the cell is a number; the non-numeric markers ``Excluded``
  and ``Not Reported`` are kept in ``status`` (``verified`` when numeric, ``missing`` when the
  cell is empty), never read as zero. Any other text is an error.
* One emissions row per installation and year where the export holds anything (verified
  emissions, free allocation or a compliance code).
* Aircraft operators (activity 10, *Aircraft operator activities*) are kept with
  ``is_aircraft_operator`` true; totals of installations leave them out.
* Large table: a year the export also has must agree (within 0.5 t); disagreements are
  counted in a warning naming the first few, and the export's value is kept. Years only the
  large table has (2023–2025) are added with its ``source_…`` text as their source; an empty
  cell (the table's "not in transcribed range") adds nothing.
* Strict: a missing (or renamed) required column, a duplicate installation (and so
  installation-year), an unparseable number → :class:`~ketenradar.core.errors.DataError`
  naming file, line and field, and nothing is written (the dataset is written atomically by
  :func:`~ketenradar.sources.tables.write_tables_dataset`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ketenradar.core.errors import DataError
from ketenradar.datasets import DataStore
from ketenradar.datasets.kinds import DatasetKind
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import (
    ParsedSource,
    expand_paths,
    ingest_parsed,
)

PARSER_VERSION = "ets_eutl-1.0"
LICENCE = (
    "CC BY 4.0 (EU Transaction Log data, European Commission reuse policy; the large-"
    "installation table: EU Union Registry and euets.info extracts, cite euets.info; the "
    "coordinates: euets.info installation extract, no licence stated)"
)
CITATION = (
    "European Commission, European Union Transaction Log (EUTL), operator holding accounts "
    "and verified emissions (ec.europa.eu/clima/ets/oha.do), as exported by GitHub "
    "cedricr/eutl (CC BY 4.0); for 2023–2025: EU Union Registry verified emissions 2025 and "
    "euets.info extracts; coordinates: euets.info installation extract (geocoded addresses) "
    "via GitHub Hank-Behaeghel/EU_Emissions_Task."
)

#: The non-numeric markers of the EUTL's verified emissions, kept as statuses.
MARKERS = ("Excluded", "Not Reported")
#: Main activity code of aircraft operators in the EUTL.
AIRCRAFT_ACTIVITY = 10
#: Largest difference (t) at which the large table and the export still agree.
TOLERANCE_T = 0.5

INSTALLATION_COLUMNS: dict[str, str] = {
    "installation_id": "VARCHAR",  # NL_144: registry country and EUTL installation id
    "account_id": "VARCHAR",  # NL-144: the operator holding account
    "country": "VARCHAR",  # the registry (NationalAdministratorCode)
    "name": "VARCHAR",
    "holder": "VARCHAR",  # account holder (operator)
    "company_reg_no": "VARCHAR",  # KvK number for Dutch holders
    "permit_id": "VARCHAR",
    "address": "VARCHAR",
    "postcode": "VARCHAR",
    "city": "VARCHAR",
    "activity_code": "SMALLINT",  # EUTL main activity type code
    "activity_label": "VARCHAR",
    "first_year": "SMALLINT",
    "last_year": "SMALLINT",  # NULL: still emitting (the EUTL writes 0)
    "account_status": "VARCHAR",  # open | closed | …
    "is_aircraft_operator": "BOOLEAN",
    "source": "VARCHAR",  # the file the row comes from
}
EMISSION_COLUMNS: dict[str, str] = {
    "installation_id": "VARCHAR",
    "year": "SMALLINT",
    "verified_t": "DOUBLE",  # t CO2e; NULL unless the source gives a number
    "free_allocation_t": "DOUBLE",  # allowances allocated free of charge
    "status": "VARCHAR",  # verified | Excluded | Not Reported | missing
    "compliance_code": "VARCHAR",  # EUTL compliance code (A, A*, B, …)
    "source": "VARCHAR",  # the file (EUTL) or the large table's source text
}
LOCATION_COLUMNS: dict[str, str] = {
    "installation_id": "VARCHAR",
    "latitude": "DOUBLE",  # WGS84 degrees, geocoded from the address by euets.info
    "longitude": "DOUBLE",
    "source": "VARCHAR",  # the file the coordinates come from
}

#: Identity columns of the EUTL export that are read (all required).
EUTL_COLUMNS = (
    "id",
    "InstallationOrAircraftOperatorID",
    "AccountHolderName",
    "NationalAdministratorCode",
    "AccountStatus",
    "CompanyRegistrationNo",
    "InstallationNameOrAircraftOperatorCode",
    "FirstYearOfEmissions",
    "LastYearOfEmissions",
    "PermitOrPlanID",
    "Address1",
    "Address2",
    "City",
    "ZipCode",
    "MainActivityTypeCode",
    "MainActivityTypeCodeLookup",
)
#: Per year: these three columns (name_YYYY) are required.
EUTL_YEAR_COLUMNS = ("FreeAllocations", "VerifiedEmissions", "ComplianceCode")
LARGE_COLUMNS = ("installation_id", "installation_name", "operator", "country", "city")
_YEAR_COL = re.compile(r"^(FreeAllocations|VerifiedEmissions|ComplianceCode)_(\d{4})$")
_LARGE_YEAR = re.compile(r"^verified_(\d{4})_t$")
_LARGE_SOURCE = re.compile(r"^source_(\d{4})_(\d{4})$")
LOCATION_SOURCE_COLUMNS = ("id", "latitudegoogle", "longitudegoogle")
_EUTL_SIGNATURE = {"InstallationOrAircraftOperatorID", "AccountHolderName", "MainActivityTypeCode"}


@dataclass
class _Rows:
    """A CSV file's header and its records with the line each starts on."""

    path: Path
    header: list[str]
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _read_csv(path: Path) -> _Rows:
    """Header and records (with their first line) of a CSV (UTF-8, else Windows-1252)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(newline="", encoding=encoding) as fh:
                reader = csv.reader(fh)
                header = [h.strip() for h in next(reader, [])]
                rows = _Rows(path, header)
                start = reader.line_num + 1
                for rec in reader:
                    if any(v.strip() for v in rec):
                        if len(rec) != len(header):
                            raise DataError(
                                f"{len(rec)} fields where the header has {len(header)}",
                                file=path,
                                line=start,
                            )
                        rows.records.append((start, dict(zip(header, rec, strict=True))))
                    start = reader.line_num + 1
                return rows
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise DataError(f"not a readable CSV: {exc}", file=path) from exc
    raise DataError("not UTF-8 nor Windows-1252 text", file=path)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", "-") else value


#: How the export writes an empty number or code.
EMPTY = ("", "NA")


def _code(value: str | None) -> str | None:
    """A compliance code as written (``-`` included); ``None`` when empty."""
    text = (value or "").strip()
    return None if text in EMPTY else text


def _number(value: str | None, *, path: Path, line: int, fld: str) -> float | None:
    """A number, ``None`` for an empty cell (or ``NA``); anything else is an error."""
    text = (value or "").strip()
    if text in EMPTY:
        return None
    try:
        x = float(text)
    except ValueError:
        raise DataError(f"not a number: {value!r}", file=path, line=line, field=fld) from None
    if not math.isfinite(x):
        raise DataError(f"not a finite number: {value!r}", file=path, line=line, field=fld)
    return x


def _int(value: str | None, *, path: Path, line: int, fld: str) -> int | None:
    x = _number(value, path=path, line=line, fld=fld)
    if x is None:
        return None
    if x != int(x) or not -32768 <= x <= 32767:
        raise DataError(f"not a whole number: {value!r}", file=path, line=line, field=fld)
    return int(x)


def _verified(value: str | None, *, path: Path, line: int, fld: str) -> tuple[float | None, str]:
    """(verified emissions, status): a marker is kept as the status with no number."""
    text = (value or "").strip()
    if text in EMPTY:
        return None, "missing"
    for marker in MARKERS:
        if text.lower() == marker.lower():
            return None, marker
    x = _number(text, path=path, line=line, fld=fld)
    if x is not None and x < 0:
        raise DataError(f"negative emissions: {value!r}", file=path, line=line, field=fld)
    return x, "verified"


def _missing_column(rows: _Rows, column: str, what: str) -> DataError:
    return DataError(
        f"{what}: required column '{column}' missing (renamed?)",
        file=rows.path,
        line=1,
        field=column,
    )


def _eutl_years(rows: _Rows) -> list[int]:
    """The years of the export's yearly blocks, each checked to have its three columns."""
    seen: dict[int, set[str]] = {}
    for col in rows.header:
        m = _YEAR_COL.match(col)
        if m:
            seen.setdefault(int(m.group(2)), set()).add(m.group(1))
    if not seen:
        raise _missing_column(rows, "VerifiedEmissions_YYYY", "EUTL export")
    years = sorted(seen)
    for y in range(years[0], years[-1] + 1):
        for prefix in EUTL_YEAR_COLUMNS:
            if prefix not in seen.get(y, set()):
                raise _missing_column(rows, f"{prefix}_{y}", "EUTL export")
    return years


def parse_eutl(rows: _Rows) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Installations and emissions rows of one EUTL export (strict)."""
    for col in EUTL_COLUMNS:
        if col not in rows.header:
            raise _missing_column(rows, col, "EUTL export")
    years = _eutl_years(rows)
    path, name = rows.path, rows.path.name
    installations: list[dict[str, Any]] = []
    emissions: list[dict[str, Any]] = []
    for line, r in rows.records:
        country = _text(r["NationalAdministratorCode"])
        number = _text(r["InstallationOrAircraftOperatorID"])
        if not country:
            raise DataError(
                "empty registry", file=path, line=line, field="NationalAdministratorCode"
            )
        if not number:
            raise DataError(
                "empty installation id",
                file=path,
                line=line,
                field="InstallationOrAircraftOperatorID",
            )
        iid = f"{country}_{number}"
        activity = _int(r["MainActivityTypeCode"], path=path, line=line, fld="MainActivityTypeCode")
        last = _int(r["LastYearOfEmissions"], path=path, line=line, fld="LastYearOfEmissions")
        first = _int(r["FirstYearOfEmissions"], path=path, line=line, fld="FirstYearOfEmissions")
        address = ", ".join(
            dict.fromkeys(a for a in (_text(r["Address1"]), _text(r["Address2"])) if a)
        )
        installations.append(
            {
                "installation_id": iid,
                "account_id": _text(r["id"]),
                "country": country,
                "name": _text(r["InstallationNameOrAircraftOperatorCode"]),
                "holder": _text(r["AccountHolderName"]),
                "company_reg_no": _text(r["CompanyRegistrationNo"]),
                "permit_id": _text(r["PermitOrPlanID"]),
                "address": address or None,
                "postcode": _text(r["ZipCode"]),
                "city": _text(r["City"]),
                "activity_code": activity,
                "activity_label": _text(r["MainActivityTypeCodeLookup"]),
                "first_year": first or None,
                "last_year": last or None,
                "account_status": _text(r["AccountStatus"]),
                "is_aircraft_operator": activity == AIRCRAFT_ACTIVITY,
                "source": name,
                "_line": line,
            }
        )
        for y in years:
            raw = r[f"VerifiedEmissions_{y}"]
            alloc_col = f"FreeAllocations_{y}"
            alloc = _number(r[alloc_col], path=path, line=line, fld=alloc_col)
            code = _code(r[f"ComplianceCode_{y}"])
            if (raw or "").strip() in EMPTY and alloc is None and code is None:
                continue
            verified, status = _verified(raw, path=path, line=line, fld=f"VerifiedEmissions_{y}")
            emissions.append(
                {
                    "installation_id": iid,
                    "year": y,
                    "verified_t": verified,
                    "free_allocation_t": alloc,
                    "status": status,
                    "compliance_code": code,
                    "source": name,
                }
            )
    return installations, emissions


def parse_large(rows: _Rows) -> list[dict[str, Any]]:
    """Rows (installation, year, verified, allocation, source, line, identity) of the
    large-installation table (strict)."""
    for col in LARGE_COLUMNS:
        if col not in rows.header:
            raise _missing_column(rows, col, "large-installation table")
    years = sorted(int(m.group(1)) for c in rows.header if (m := _LARGE_YEAR.match(c)))
    sources = [
        (int(m.group(1)), int(m.group(2)), c) for c in rows.header if (m := _LARGE_SOURCE.match(c))
    ]
    path = rows.path
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, r in rows.records:
        iid = _text(r["installation_id"])
        if not iid or not re.fullmatch(r"[A-Z]{2}_\d+", iid):
            raise DataError(
                f"not an installation id like NL_144: {r['installation_id']!r}",
                file=path,
                line=line,
                field="installation_id",
            )
        if iid in seen:
            raise DataError(
                f"duplicate installation {iid} (also on line {seen[iid]}): each installation-year "
                "once",
                file=path,
                line=line,
                field="installation_id",
            )
        seen[iid] = line
        for y in years:
            col = f"verified_{y}_t"
            value = _number(r[col], path=path, line=line, fld=col)
            if value is None:
                continue
            alloc_col = f"free_allocation_{y}_t"
            alloc = (
                _number(r[alloc_col], path=path, line=line, fld=alloc_col)
                if alloc_col in r
                else None
            )
            src = next((r[c] for lo, hi, c in sources if lo <= y <= hi), "")
            out.append(
                {
                    "installation_id": iid,
                    "year": y,
                    "verified_t": value,
                    "free_allocation_t": alloc,
                    "source": f"{path.name}: {src.strip()}" if src.strip() else path.name,
                    "_line": line,
                    "_field": col,
                    "_identity": r,
                }
            )
    return out


def parse_locations(rows: _Rows) -> dict[str, dict[str, Any]]:
    """Installation id → coordinates (latitude, longitude, source, line) of a euets.info
    installation extract (strict: an id like ``NL_340`` once, both coordinates or neither,
    numbers in range). Rows without coordinates are left out here and counted by the
    caller."""
    path = rows.path
    out: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for line, r in rows.records:
        iid = _text(r["id"])
        if not iid or not re.fullmatch(r"[A-Z]{2}_\d+", iid):
            raise DataError(
                f"not an installation id like NL_340: {r['id']!r}", file=path, line=line, field="id"
            )
        if iid in seen:
            raise DataError(
                f"duplicate installation {iid} (also on line {seen[iid]})",
                file=path,
                line=line,
                field="id",
            )
        seen[iid] = line
        lat = _number(r["latitudegoogle"], path=path, line=line, fld="latitudegoogle")
        lon = _number(r["longitudegoogle"], path=path, line=line, fld="longitudegoogle")
        if (lat is None) != (lon is None):
            fld = "latitudegoogle" if lat is None else "longitudegoogle"
            raise DataError("one coordinate without the other", file=path, line=line, field=fld)
        if lat is None or lon is None:
            continue
        if not -90 <= lat <= 90:
            raise DataError(
                f"latitude {lat} outside -90…90", file=path, line=line, field="latitudegoogle"
            )
        if not -180 <= lon <= 180:
            raise DataError(
                f"longitude {lon} outside -180…180", file=path, line=line, field="longitudegoogle"
            )
        out[iid] = {
            "installation_id": iid,
            "latitude": lat,
            "longitude": lon,
            "source": path.name,
            "_line": line,
        }
    return out


def _join_locations(
    path: Path, n_rows: int, found: dict[str, dict[str, Any]], installations: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], str]:
    """The coordinates of the installations the export holds, and the warning that counts
    what the extract gives beyond them."""
    known = {r["installation_id"] for r in installations}
    kept = [
        {k: v for k, v in row.items() if not k.startswith("_")}
        for iid, row in found.items()
        if iid in known
    ]
    stationary = [r for r in installations if not r["is_aircraft_operator"]]
    located = {r["installation_id"] for r in kept}
    with_xy = sum(1 for r in stationary if r["installation_id"] in located)
    without = len(stationary) - with_xy
    return kept, (
        f"{path.name}: coordinates for {with_xy:,} of {len(stationary):,} stationary "
        f"installations ({without:,} without: placed at their region's centre on maps); "
        f"{n_rows - len(kept):,} of its {n_rows:,} rows left aside (other registries, accounts "
        "the export does not hold, or no coordinates)"
    )


def _form(rows: _Rows) -> str | None:
    header = set(rows.header)
    if set(LOCATION_SOURCE_COLUMNS) <= header:
        return "locations"
    if header & _EUTL_SIGNATURE or any(_YEAR_COL.match(c) for c in header):
        return "eutl"
    if "installation_id" in header and any(_LARGE_YEAR.match(c) for c in header):
        return "large"
    return None


def parse_ets(paths: Sequence[Path], *, release: str | None = None) -> ParsedSource:
    """Parse EUTL exports and large-installation tables (files or folders) strictly."""
    files: list[tuple[Path, bool]] = []
    seen_files: set[Path] = set()
    for p in paths:
        p = Path(p)
        for f in expand_paths([p], (".csv",)):
            if f.resolve() not in seen_files:
                seen_files.add(f.resolve())
                files.append((f, not p.is_dir()))
    warnings: list[str] = []
    installations: list[dict[str, Any]] = []
    emissions: list[dict[str, Any]] = []
    large: list[dict[str, Any]] = []
    located: list[tuple[Path, int, dict[str, dict[str, Any]]]] = []
    inputs: list[tuple[Path, str]] = []
    where: dict[str, tuple[Path, int]] = {}
    for f, explicit in files:
        rows = _read_csv(f)
        form = _form(rows)
        if form is None:
            if explicit:
                raise DataError(
                    "not an EUTL export (InstallationOrAircraftOperatorID, …, "
                    "VerifiedEmissions_YYYY), a large-installation table (installation_id, "
                    "verified_YYYY_t) nor an installation extract with coordinates (id, "
                    "latitudegoogle, longitudegoogle)",
                    file=f,
                )
            warnings.append(
                f"skipped {f.name}: not an EUTL export, a large-installation table nor an "
                "installation extract with coordinates"
            )
            continue
        if form == "locations":
            located.append((f, len(rows.records), parse_locations(rows)))
            inputs.append((f, "locations"))
        elif form == "eutl":
            inst, em = parse_eutl(rows)
            for row in inst:
                iid = row["installation_id"]
                if iid in where:
                    first, first_line = where[iid]
                    raise DataError(
                        f"duplicate installation {iid} (first on line {first_line} of "
                        f"{first.name}): its installation-years would be counted twice",
                        file=f,
                        line=row["_line"],
                        field="InstallationOrAircraftOperatorID",
                    )
                where[iid] = (f, row["_line"])
            installations += inst
            emissions += em
            inputs.append((f, "eutl_export"))
        else:
            large.append({"path": f, "rows": parse_large(rows)})
            inputs.append((f, "large_installations"))
    if not installations:
        raise DataError(
            "no EUTL export (installations-XX.csv) among the given files",
            file=", ".join(map(str, paths)),
        )
    for block in large:
        warnings += _join_large(block["path"], block["rows"], installations, emissions)
    locations: dict[str, dict[str, Any]] = {}
    for f, n_rows, found in located:
        if seen := sorted(set(found) & set(locations)):
            raise DataError(
                f"installation {seen[0]} has coordinates in two files (also in "
                f"{locations[seen[0]]['source']}): give one",
                file=f,
                line=found[seen[0]]["_line"],
                field="id",
            )
        kept, warning = _join_locations(f, n_rows, found, installations)
        locations |= {
            r["installation_id"]: r | {"_line": found[r["installation_id"]]["_line"]} for r in kept
        }
        warnings.append(warning)
    for row in installations:
        row.pop("_line", None)
    import pandas as pd

    inst_df = pd.DataFrame(installations, columns=list(INSTALLATION_COLUMNS))
    inst_df = inst_df.sort_values("installation_id", kind="stable").reset_index(drop=True)
    em_df = pd.DataFrame(emissions, columns=list(EMISSION_COLUMNS))
    em_df = em_df.sort_values(["installation_id", "year"], kind="stable").reset_index(drop=True)
    for col in ("activity_code", "first_year", "last_year"):
        inst_df[col] = inst_df[col].astype("Int16")
    em_df["year"] = em_df["year"].astype("int16")
    for col in ("verified_t", "free_allocation_t"):
        em_df[col] = em_df[col].astype("float64")
    tables = {"installations": inst_df, "emissions": em_df}
    if located:
        loc_df = pd.DataFrame(
            [{k: v for k, v in r.items() if not k.startswith("_")} for r in locations.values()],
            columns=list(LOCATION_COLUMNS),
        )
        tables["locations"] = loc_df.sort_values("installation_id").reset_index(drop=True)
    have = em_df[em_df["status"] == "verified"]
    years = sorted(int(y) for y in have["year"].unique())
    counts = em_df["status"].value_counts().to_dict()
    return ParsedSource(
        tables=tables,
        inputs=inputs,
        release=release or (f"EUTL {years[0]}–{years[-1]}" if years else "EUTL"),
        attributes={
            "years": years,
            "countries": sorted(inst_df["country"].dropna().unique().tolist()),
            "installations": int((~inst_df["is_aircraft_operator"]).sum()),
            "aircraft_operators": int(inst_df["is_aircraft_operator"].sum()),
            "statuses": {str(k): int(v) for k, v in sorted(counts.items())},
            "located": len(locations),
            "unit": "t CO2e",
        },
        warnings=warnings,
    )


def _join_large(
    path: Path,
    rows: list[dict[str, Any]],
    installations: list[dict[str, Any]],
    emissions: list[dict[str, Any]],
) -> list[str]:
    """Join a large-installation table to the export: check overlapping years, add the
    others. Returns the warnings."""
    warnings: list[str] = []
    known = {r["installation_id"] for r in installations}
    index = {(e["installation_id"], e["year"]): e for e in emissions}
    disagree: list[str] = []
    added_ids: list[str] = []
    n_added = n_agree = 0
    for r in rows:
        iid, year = r["installation_id"], r["year"]
        if iid not in known:
            ident = r["_identity"]
            installations.append(
                {
                    "installation_id": iid,
                    "account_id": _text(ident.get("eutl_account_key")),
                    "country": iid.split("_")[0],
                    "name": _text(ident.get("installation_name")),
                    "holder": _text(ident.get("operator")),
                    **dict.fromkeys(("company_reg_no", "permit_id", "address", "postcode")),
                    "city": _text(ident.get("city")),
                    "activity_code": None,
                    "activity_label": None,
                    "first_year": None,
                    "last_year": None,
                    "account_status": None,
                    "is_aircraft_operator": False,
                    "source": path.name,
                }
            )
            known.add(iid)
            added_ids.append(iid)
        have = index.get((iid, year))
        if have is None:
            new = {
                "installation_id": iid,
                "year": year,
                "verified_t": r["verified_t"],
                "free_allocation_t": r["free_allocation_t"],
                "status": "verified",
                "compliance_code": None,
                "source": r["source"],
            }
            emissions.append(new)
            index[(iid, year)] = new
            n_added += 1
        elif have["verified_t"] is None or abs(have["verified_t"] - r["verified_t"]) > TOLERANCE_T:
            theirs = have["verified_t"] if have["verified_t"] is not None else have["status"]
            disagree.append(
                f"{iid} {year} (line {r['_line']}, {r['_field']}): {r['verified_t']:,.0f} t "
                f"vs the EUTL export's {theirs if isinstance(theirs, str) else f'{theirs:,.0f} t'}"
            )
        else:
            n_agree += 1
    if disagree:
        warnings.append(
            f"{path.name}: {len(disagree)} of {len(disagree) + n_agree} installation-years it "
            "shares with the EUTL export disagree (the export's values are kept): "
            + "; ".join(disagree[:5])
            + (" …" if len(disagree) > 5 else "")
        )
    if added_ids:
        warnings.append(
            f"{path.name}: {len(added_ids)} installation(s) not in the EUTL export, added with "
            f"the table's identity only: {', '.join(added_ids[:5])}"
            + (" …" if len(added_ids) > 5 else "")
        )
    return warnings


#: The dataset kind this connector writes (entry point ``ets_emissions`` of the group
#: ``ketenradar.dataset_kinds``).
KIND = DatasetKind(
    "ets_emissions",
    tables={"installations": INSTALLATION_COLUMNS, "emissions": EMISSION_COLUMNS},
    optional_tables={"locations": LOCATION_COLUMNS},
    load_hint="ketenradar data add ets_eutl ../shared/data/ets_eutl",
)


class EtsEutlConnector:
    """EU ETS installations and verified emissions: the EUTL operator-holding-account export
    and the newer large-installation table (kind ``ets_emissions``)."""

    name: ClassVar[str] = "ets_eutl"
    kind: ClassVar[str] = "ets_emissions"  # KIND.name
    description: ClassVar[str] = (
        "EU ETS (EUTL) installations, verified emissions and free allocation per year"
    )

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the files strictly and write dataset ``ets_eutl`` (or ``dataset_name``).

        Option ``release`` overrides the release label (default ``EUTL <first>–<last year>``).
        """
        return ingest_parsed(
            self,
            parse_ets,
            paths,
            store,
            dataset_name=dataset_name,
            progress=progress,
            options=options,
            reading="reading EUTL exports",
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )
