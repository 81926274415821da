"""The reference designs' cost accounts, read strictly from the publishers' files in the shared
data folder (``$KETENRADAR_SHARED_DATA``: ``eedb/`` and ``nuclear_costs/``), with the sha256
of every file read; and the packaged taxonomy, scaling and factor tables.

Three reference designs (docs/methods/kansenkaart.md, "Reference designs"):

- ``eedb_pwr12_be``: the EEDB PWR12 better-experience direct-cost accounts as ACCERT ships
  them (``eedb/PWR12-BE_accounts.csv``, cost elements from ``PWR12-BE_cost_element.csv``),
  2017 USD;
- ``timcat_pwr12_me``: the EEDB PWR12 median-experience accounts of MIT's TIMCAT
  (``nuclear_costs/timcat/head/PWR12_ME_inflated_reduced.csv``), 2018 USD, with NQA-1 flags
  and site labour hours;
- ``accert_ap1000``: ACCERT's AP1000 baseline by generalized code of accounts
  (``nuclear_costs/accert_2025/crt/AP1000_baseline.csv``).
"""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.modules.kansenkaart.analysis.demand import (
    Factors,
    ReferenceTable,
    Taxonomy,
    parse_taxonomy,
)
from ketenradar.places.regions import shared_root

TIMCAT_EXPONENTS = "nuclear_costs/timcat/head/input_scaling_exponents.xlsx"
#: The version of these readers (recorded in the provenance).
PARSER_VERSION = "kansenkaart.references 1"

#: What the demand model knows of each design besides its table (docs/methods/kansenkaart.md).
DESIGNS: dict[str, dict[str, Any]] = {
    "eedb_pwr12_be": {
        "title": "EEDB PWR12 better experience, direct costs (ACCERT reference table PWR12-BE)",
        "files": ("eedb/PWR12-BE_accounts.csv", "eedb/PWR12-BE_cost_element.csv"),
        "code_system": "eedb",
        "price_year": 2017,
        "reference_mwe": 1144.0,
        "construction_months": 72,
        "licence": "Apache-2.0",
        "source": "ACCERT reference tables (github accert-dev/ACCERT, tutorial/ref_tables)",
        "release": "snapshot 2ed8e06 (2025-04-10)",
        "citation": "ACCERT, Idaho National Laboratory / Argonne National Laboratory; "
        "US DOE Energy Economic Data Base (EEDB) Phase IX, PWR12 better experience",
    },
    "timcat_pwr12_me": {
        "title": "EEDB PWR12 median experience, base cost (TIMCAT PWR12_ME_inflated_reduced)",
        "files": ("nuclear_costs/timcat/head/PWR12_ME_inflated_reduced.csv",),
        "code_system": "eedb",
        "price_year": 2018,
        "reference_mwe": 1144.0,
        "construction_months": 72,
        "licence": "MIT",
        "source": "TIMCAT (github mit-crpg/TIMCAT, PWR12_ME_inflated_reduced.csv)",
        "release": "HEAD efd801a (2024-01-26)",
        "citation": "Stewart, W. R., Shirvan, K. (2021), Renewable and Sustainable Energy "
        "Reviews 155, 111880; EEDB Phase IX PWR12 median experience",
    },
    "accert_ap1000": {
        "title": "AP1000 baseline by generalized code of accounts (ACCERT crt, 2025)",
        "files": ("nuclear_costs/accert_2025/crt/AP1000_baseline.csv",),
        "code_system": "gncoa",
        "price_year": 2018,
        "reference_mwe": 2234.0,
        "construction_months": 68,
        "licence": "Apache-2.0",
        "source": "ACCERT cost reduction tool data (github accert-dev/ACCERT, src/crt/data)",
        "release": "commit 941dd0f",
        "citation": "ACCERT, Idaho National Laboratory / Argonne National Laboratory: AP1000 "
        "baseline by generalized code of accounts",
    },
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _file(root: Path, rel: str) -> Path:
    p = root / rel
    if not p.is_file():
        raise NotFoundError(
            f"source table {rel} not found under {root} (set KETENRADAR_SHARED_DATA to the "
            "folder holding eedb/ and nuclear_costs/)",
            field="shared_data",
        )
    return p


def _number(text: str | None, *, file: str, line: int, column: str) -> float:
    """A number of a source cell: blank and ``NULL`` are missing; thousands separators and
    surrounding spaces are allowed (TIMCAT writes `` 15,007,922 ``)."""
    t = (text or "").strip().replace(",", "")
    if t in ("", "NULL", "-"):
        return np.nan
    try:
        return float(t)
    except ValueError:
        raise DataError(f"not a number: {text!r}", file=file, line=line, field=column) from None


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(
                f"missing column(s) {', '.join(missing)}", file=str(path), field=missing[0]
            )
        return [(i + 2, row) for i, row in enumerate(reader)]


def _norm(code: str) -> str:
    c = code.strip()
    if c.startswith("A."):
        c = c[2:]
    return c.replace(".", "")


def _prefix_parents(codes: list[str]) -> dict[str, str | None]:
    """The parent of each code: the code whose normalised form is the longest proper prefix."""
    by_norm = {_norm(c): c for c in codes}
    out: dict[str, str | None] = {}
    for c in codes:
        n = _norm(c)
        out[c] = next((by_norm[n[:k]] for k in range(len(n) - 1, 0, -1) if n[:k] in by_norm), None)
    return out


def _levels(parents: dict[str, str | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in parents:
        depth, p = 0, parents[c]
        while p is not None:
            depth, p = depth + 1, parents.get(p)
        out[c] = depth
    return out


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    cols = [
        "account",
        "norm",
        "parent",
        "level",
        "description",
        "nqa1",
        "total",
        "factory_equipment",
        "site_labour",
        "site_material",
        "site_labour_hours",
        "included",
        "exclusion",
    ]
    df = pd.DataFrame.from_records(records, columns=cols)
    df["parent"] = df["parent"].astype(object).where(df["parent"].notna(), None)
    return df


def read_pwr12_be(root: Path) -> tuple[pd.DataFrame, list[str]]:
    """ACCERT's PWR12-BE accounts with the cost elements of its cost-element table."""
    acc_path = _file(root, DESIGNS["eedb_pwr12_be"]["files"][0])
    el_path = _file(root, DESIGNS["eedb_pwr12_be"]["files"][1])
    req = ("code_of_account", "account_description", "total_cost", "level", "supaccount")
    records, placeholders = [], 0
    for line, r in _rows(acc_path, req):
        total = _number(r["total_cost"], file=str(acc_path), line=line, column="total_cost")
        if np.isnan(total):
            placeholders += 1  # GNCOA placeholder (DUMMY…) rows: no amount, no EEDB account
            continue
        code = r["code_of_account"].strip()
        records.append(
            {
                "account": code,
                "norm": _norm(code),
                "parent": r["supaccount"].strip() or None,
                "level": int(float(r["level"])),
                "description": r["account_description"].strip(),
                "nqa1": np.nan,
                "total": total,
                "included": True,
                "exclusion": None,
            }
        )
    elements: dict[str, dict[str, float]] = {}
    key = {"fac": "factory_equipment", "lab": "site_labour", "mat": "site_material"}
    for line, r in _rows(el_path, ("cost_element", "cost_2017", "account")):
        name = r["cost_element"].strip()
        kind = name.rsplit("_", 1)[-1]
        if kind not in key:
            raise DataError(f"unknown cost element {name!r}", file=str(el_path), line=line)
        v = _number(r["cost_2017"], file=str(el_path), line=line, column="cost_2017")
        elements.setdefault(r["account"].strip(), {})[key[kind]] = v
    for rec in records:
        el = elements.get(rec["account"], {})
        for m in key.values():
            rec[m] = el.get(m, np.nan)
        rec["site_labour_hours"] = np.nan
    codes = {r["account"] for r in records}
    bad = [r["account"] for r in records if r["parent"] is not None and r["parent"] not in codes]
    if bad:
        raise DataError(
            f"accounts with an unknown supaccount: {', '.join(bad)}", file=str(acc_path)
        )
    notes = [
        f"PWR12-BE: {placeholders} GNCOA placeholder rows without an amount (DUMMY…) not read",
        "PWR12-BE: no site labour hours in the source table (hours left empty)",
    ]
    return _frame(records), notes


#: TIMCAT template accounts that the PWR12 totals leave out (other designs' options).
TIMCAT_EXCLUDED = {
    "A.219.": "reactor shield building of a passive design: not in A.21 of PWR12",
    "A.229.": "NuScale/HTGR/BWR equipment template: not in A.22 of PWR12",
}


def read_timcat_pwr12_me(root: Path) -> tuple[pd.DataFrame, list[str]]:
    """TIMCAT's PWR12 median-experience accounts (2018 USD): hierarchy from the codes."""
    path = _file(root, DESIGNS["timcat_pwr12_me"]["files"][0])
    cols = {
        "total": "Total Cost",
        "factory_equipment": "Factory Equipment Cost",
        "site_labour": "Site Labor Cost",
        "site_material": "Site Material Cost",
        "site_labour_hours": "Site Labor Hours",
    }
    rows = _rows(path, ("Account", "Account Description", "NQA1", *cols.values()))
    codes = [r["Account"].strip() for _, r in rows]
    if len(set(codes)) != len(codes):
        raise DataError("duplicate account codes", file=str(path), field="Account")
    parents = _prefix_parents(codes)
    parents["A.2"] = parents["A.9"] = "A.1"  # A.1 total base cost = A.2 direct + A.9 indirect
    levels = _levels(parents)
    excluded_roots = set(TIMCAT_EXCLUDED)
    records = []
    for (line, r), code in zip(rows, codes, strict=True):
        rec: dict[str, Any] = {
            "account": code,
            "norm": _norm(code),
            "parent": parents[code],
            "level": levels[code],
            "description": r["Account Description"].strip(),
        }
        nq = r["NQA1"].strip()
        rec["nqa1"] = float(nq) if nq in ("0", "1") else np.nan
        for k, c in cols.items():
            rec[k] = _number(r[c], file=str(path), line=line, column=c)
        anc: str | None = code
        reason = None
        while anc is not None:
            if anc in excluded_roots:
                reason = TIMCAT_EXCLUDED[anc]
                break
            anc = parents.get(anc)
        rec["included"] = reason is None
        rec["exclusion"] = reason
        records.append(rec)
    df = _frame(records)
    for m in ("factory_equipment", "site_labour", "site_material"):
        df.loc[df["total"].notna() & df[m].isna() & df["included"], m] = 0.0
    notes = [
        "TIMCAT: A.219 and A.229 (with their items) are template accounts of other designs that "
        "the source's A.21 and A.22 leave out; listed as excluded",
    ]
    return df, notes


def read_accert_ap1000(root: Path) -> tuple[pd.DataFrame, list[str]]:
    """ACCERT's AP1000 baseline by generalized code of accounts (crt)."""
    path = _file(root, DESIGNS["accert_ap1000"]["files"][0])
    cols = {
        "total": "Total Cost (USD)",
        "factory_equipment": "Factory Equipment Cost",
        "site_labour": "Site Labor Cost",
        "site_material": "Site Material Cost",
        "site_labour_hours": "Site Labor Hours",
    }
    rows = _rows(path, ("Account", "Title", *cols.values()))
    codes = [r["Account"].strip() for _, r in rows]
    parents = _prefix_parents(codes)
    levels = _levels(parents)
    records = []
    for (line, r), code in zip(rows, codes, strict=True):
        rec: dict[str, Any] = {
            "account": code,
            "norm": _norm(code),
            "parent": parents[code],
            "level": levels[code] + 1,
            "description": r["Title"].strip(),
            "nqa1": np.nan,
            "included": True,
            "exclusion": None,
        }
        for k, c in cols.items():
            v = _number(r[c], file=str(path), line=line, column=c)
            rec[k] = 0.0 if np.isnan(v) else v
        records.append(rec)
    notes = [
        "AP1000 (crt): account 23's factory equipment, labour and hours differ from the sum of "
        "232.1 and 233 in the source; the model takes the items (totals agree)",
        "AP1000 (crt): price year 2018 and reference size 2,234 MWe (two units) are assumed "
        "(not stated in the file)",
    ]
    return _frame(records), notes


READERS: dict[str, Callable[[Path], tuple[pd.DataFrame, list[str]]]] = {
    "eedb_pwr12_be": read_pwr12_be,
    "timcat_pwr12_me": read_timcat_pwr12_me,
    "accert_ap1000": read_accert_ap1000,
}


def reference_table(design: str, shared: Path | str | None = None) -> ReferenceTable:
    """One design's accounts from the shared data, with the checksums of the files read."""
    if design not in DESIGNS:
        raise NotFoundError(
            f"unknown design {design!r} (known: {', '.join(DESIGNS)})", field="design"
        )
    root = shared_root(shared)
    spec = DESIGNS[design]
    df, notes = READERS[design](root)
    files = tuple({"file": rel, "sha256": _sha256(_file(root, rel))} for rel in spec["files"])
    return ReferenceTable(
        design=design,
        title=spec["title"],
        code_system=spec["code_system"],
        currency="USD",
        price_year=spec["price_year"],
        reference_mwe=spec["reference_mwe"],
        construction_months=spec["construction_months"],
        accounts=df,
        files=files,
        notes=tuple(notes),
    )


def timcat_exponents(shared: Path | str | None = None) -> tuple[dict[str, float], dict[str, Any]]:
    """TIMCAT's scaling parameters (sheet ``param_ranges``: parameter → base value) and the
    file record; empty when the workbook is missing or unreadable."""
    path = shared_root(shared) / TIMCAT_EXPONENTS
    record: dict[str, Any] = {
        "dataset": "timcat_scaling_exponents",
        "source": "TIMCAT (github mit-crpg/TIMCAT, input_scaling_exponents.xlsx, param_ranges)",
        "release": "HEAD efd801a (2024-01-26)",
        "version": "",
        "parser_version": PARSER_VERSION,
        "licence": "MIT",
        "citation": "Stewart, W. R., Shirvan, K. (2021), Renewable and Sustainable Energy "
        "Reviews 155, 111880",
        "inputs": [],
        "read": False,
    }
    if not path.is_file():
        return {}, record
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb["param_ranges"]
        out: dict[str, float] = {}
        for row in ws.iter_rows(min_row=2, values_only=True):
            name, value = row[1], row[2]
            if isinstance(name, str) and isinstance(value, int | float):
                out[name.strip()] = float(value)
        wb.close()
    except Exception as exc:  # a broken workbook: fall back to the documented defaults
        return {}, {**record, "error": str(exc)}
    digest = _sha256(path)
    inputs = [{"file": TIMCAT_EXPONENTS, "sha256": digest}]
    return out, {**record, "version": digest[:12], "inputs": inputs, "read": True}


def _packaged(name: str) -> Any:
    text = (resources.files("ketenradar.modules.kansenkaart") / "data" / name).read_text(
        encoding="utf-8"
    )
    return load_yaml(text, file=name)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The work-package taxonomy: ``path`` (YAML/JSON) or the packaged one."""
    if path is None:
        return parse_taxonomy(_packaged("work_packages.yaml"), file="work_packages.yaml")
    text = Path(path).read_text(encoding="utf-8")
    return parse_taxonomy(load_yaml(text, file=str(path)), file=str(path))


@functools.cache
def scaling_table() -> dict[str, Any]:
    """The packaged scaling exponents per code system and account group."""
    return _packaged("scaling.yaml")


@functools.cache
def factors() -> Factors:
    """The packaged deflator and exchange-rate table."""
    doc = _packaged("factors.yaml")
    return Factors(
        deflator={int(k): float(v) for k, v in doc["deflator"]["index"].items()},
        usd_per_eur={int(k): float(v) for k, v in doc["usd_per_eur"]["rate"].items()},
        sources={
            "deflator": doc["deflator"]["source"],
            "usd_per_eur": doc["usd_per_eur"]["source"],
        },
        verified={
            "deflator": bool(doc["deflator"]["verified"]),
            "usd_per_eur": bool(doc["usd_per_eur"]["verified"]),
        },
    )
