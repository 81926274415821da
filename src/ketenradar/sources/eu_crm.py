"""EU Critical Raw Materials assessment tables into a ``crm_assessment`` dataset.

Source: European Commission, *Study on the critical raw materials for the EU 2023 – Final
Report* (and the 2020, 2017, 2014 and 2011 reports), as tabulated in the files
``dimension_CRMsOverTime.csv`` (published SR and EI per material and assessment year),
``fact_GlobalSupplyShares&t.csv`` (global supply shares per country and stage, with the trade
parameter t), ``fact_EUSupplyShares&t.csv`` (EU sourcing shares ≥ 1 % with t) and
``fact_MaterialUseShares.csv`` (end-use shares with the NACE sector and its EU value added).

Reading rules (each checked on the real files):

* The ``fact_*`` files are Windows-1252 (the value-added header holds ``€`` as byte 0x80), the
  ``dimension_*`` files UTF-8; a byte-order mark is tolerated.
* Names may be split over two lines inside quotes (``"Natural Teak\\nwood"``); whitespace is
  normalised.
* Shares are percentage strings: ``0.4%`` → 0.004; ``<0.1%`` → its bound 0.001 with
  ``share_bound = '<'``; ``-`` and empty mean "not assessed" → NULL.
* Stages ``E``/``P`` become ``extraction``/``processing``; countries become ISO3 (the
  publisher's spelling stays in ``country_label``).
* Files are recognised by their header, so a folder can be given.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ketenradar.core.countries import names_to_iso3
from ketenradar.core.errors import DataError
from ketenradar.core.vocabularies.materials import find_material
from ketenradar.datasets import DataStore
from ketenradar.sources.base import IngestReport, Progress
from ketenradar.sources.tables import ParsedSource, expand_paths, write_tables_dataset

PARSER_VERSION = "eu_crm-1.0"
LICENCE = (
    "CC BY 4.0 (European Commission reuse policy; reproduction authorised with acknowledgement)"
)
CITATION = (
    "European Commission (2023). Study on the critical raw materials for the EU 2023 – Final "
    "Report. Publications Office of the EU, doi:10.2873/725585 (and the 2020, 2017, 2014 "
    "reports); tables as extracted by the EU-Critical-Raw-Materials-CRM-Reports-Datasets "
    "repository (CC BY 4.0)."
)

_HEADERS = {
    ("material", "year", "sr", "ei"): "scores",
    ("material", "stage", "country", "share", "t"): "shares",
    ("material", "application", "share", "nace sector", "va in million €"): "end_use",
    ("screened_material",): "groupings",
}
_STAGES = {"E": "extraction", "P": "processing"}


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    header: list[str] | None = None
    for rec in reader:
        if header is None:
            header = [_clean(h) for h in rec]
            continue
        if not any(c.strip() for c in rec):
            continue
        if len(rec) != len(header):
            raise DataError(
                f"expected {len(header)} fields, found {len(rec)}", file=path, line=reader.line_num
            )
        rows.append((reader.line_num, rec))
    if header is None:
        raise DataError("empty file", file=path)
    return header, rows


def _role(path: Path, header: list[str]) -> str:
    key = tuple(h.casefold() for h in header)
    if key[:1] == ("screened_material",):
        return "groupings"
    if key in _HEADERS:
        return _HEADERS[key]
    raise DataError(
        "not an EU CRM assessment table (unrecognised header: " + ", ".join(header) + ")",
        file=path,
        line=1,
    )


def parse_share(
    text: str, *, file: Path, line: int, field: str, warnings: list[str] | None = None
) -> tuple[float | None, str | None]:
    """``'0.4%'`` → (0.004, None); ``'<0.1%'`` → (0.001, '<'); ``'-'``/empty → (None, None).

    The share columns hold percentages; a bare number (``'6'``, one typo in the 2023 EU
    sourcing table) is read as a percentage too, and noted in ``warnings``.
    """
    s = text.strip().replace(",", ".")
    if s in ("", "-"):
        return None, None
    bound = None
    if s[0] in "<>":
        bound, s = s[0], s[1:].strip()
    pct = s.endswith("%")
    s = s.rstrip("%").strip()
    try:
        v = float(s)
    except ValueError:
        raise DataError(f"not a share: {text!r}", file=file, line=line, field=field) from None
    if not pct and warnings is not None:
        warnings.append(f"{file.name} line {line}: share {text!r} has no '%'; read as {v}%")
    v /= 100.0
    if not 0.0 <= v <= 1.0 + 1e-9:
        raise DataError(f"share outside 0–100 %: {text!r}", file=file, line=line, field=field)
    return v, bound


def _number(text: str, *, file: Path, line: int, field: str) -> float | None:
    s = text.strip()
    if s in ("", "-"):
        return None
    try:
        return float(s.replace(",", ""))
    except ValueError:
        raise DataError(f"not a number: {text!r}", file=file, line=line, field=field) from None


def _material(name: str, *, file: Path, line: int) -> str:
    m = find_material(name)
    if m is None:
        raise DataError(
            f"material {name!r} is not in the vocabulary (ketenradar/data/materials.csv)",
            file=file,
            line=line,
            field="Material",
        )
    return m.material


def parse_eu_crm(paths: Sequence[Path]) -> ParsedSource:
    """Parse the EU CRM assessment tables (files or folders) into canonical tables."""
    files = expand_paths(paths, (".csv",))
    scores, shares, end_use = [], [], []
    inputs: list[tuple[Path, str]] = []
    warnings: list[str] = []
    for path in files:
        header, rows = _read_rows(path)
        role = _role(path, header)
        if role == "shares":
            scope = "eu" if "eusupply" in path.name.replace(" ", "").casefold() else "global"
            role = f"supply_shares_{scope}"
        inputs.append((path, role))
        for line, rec in rows:
            name = _clean(rec[0])
            if role == "scores":
                year = _number(rec[1], file=path, line=line, field="Year")
                scores.append(
                    {
                        "material": _material(name, file=path, line=line),
                        "eu_name": name,
                        "year": int(year) if year is not None else None,
                        "sr": _number(rec[2], file=path, line=line, field="SR"),
                        "ei": _number(rec[3], file=path, line=line, field="EI"),
                    }
                )
            elif role.startswith("supply_shares"):
                stage = _STAGES.get(rec[1].strip().upper())
                if stage is None:
                    raise DataError(
                        f"unknown stage {rec[1]!r} (E or P)", file=path, line=line, field="Stage"
                    )
                share, bound = parse_share(
                    rec[3], file=path, line=line, field="Share", warnings=warnings
                )
                shares.append(
                    {
                        "material": _material(name, file=path, line=line),
                        "eu_name": name,
                        "scope": role.rsplit("_", 1)[1],
                        "stage": stage,
                        "country": None,
                        "country_label": _clean(rec[2]),
                        "share": share,
                        "share_bound": bound,
                        "t": _number(rec[4], file=path, line=line, field="t"),
                    }
                )
            elif role == "end_use":
                share, bound = parse_share(
                    rec[2], file=path, line=line, field="Share", warnings=warnings
                )
                sector = _clean(rec[3])
                code, _, label = sector.partition(" - ")
                end_use.append(
                    {
                        "material": _material(name, file=path, line=line),
                        "eu_name": name,
                        "application": _clean(rec[1]),
                        "share": share,
                        "share_bound": bound,
                        "nace": code.strip() or None,
                        "nace_label": label.strip() or None,
                        "va_meur": _number(rec[4], file=path, line=line, field="VA"),
                    }
                )
    missing = {
        "scores": not scores,
        "supply shares": not shares,
    }
    for what, empty in missing.items():
        if empty:
            raise DataError(f"no {what} table among the given files", file=str(paths[0]))
    share_df = pd.DataFrame(shares)
    iso = names_to_iso3(share_df["country_label"].tolist())
    share_df["country"] = share_df["country_label"].map(iso)
    unknown = sorted(share_df.loc[share_df["country"].isna(), "country_label"].unique())
    if unknown:
        warnings.append(
            f"{len(unknown)} country names without ISO3 kept with country NULL: "
            + ", ".join(unknown)
        )
    warnings += share_sum_warnings(share_df)
    years = sorted({s["year"] for s in scores if s["year"] is not None})
    return ParsedSource(
        tables={
            "scores": pd.DataFrame(scores),
            "supply_shares": share_df,
            "end_use": pd.DataFrame(
                end_use,
                columns=[
                    "material",
                    "eu_name",
                    "application",
                    "share",
                    "share_bound",
                    "nace",
                    "nace_label",
                    "va_meur",
                ],
            ),
        },
        inputs=inputs,
        release=f"CRM {max(years)}" if years else "CRM",
        attributes={"assessment_years": years, "years": years},
        warnings=warnings,
    )


#: Global supply shares of a material and stage should add up to 1 within this (rounding of
#: many ``<0.1%`` entries); EU sourcing lists only shares ≥ 1 % and may add up to less.
SHARE_SUM_TOLERANCE = 0.05


def share_sum_warnings(shares: pd.DataFrame) -> list[str]:
    """One warning per material, scope and stage whose shares do not add up within tolerance.

    Global supply: the sum must be within 1 ± 5 %. EU sourcing: at most 1 + 5 % (it lists
    only shares of at least 1 %, so less than 1 is expected and not reported).
    """
    sums = shares.groupby(["material", "scope", "stage"])["share"].sum().reset_index()
    bad = sums[
        ((sums["scope"] == "global") & ((sums["share"] - 1).abs() > SHARE_SUM_TOLERANCE))
        | ((sums["scope"] == "eu") & (sums["share"] > 1 + SHARE_SUM_TOLERANCE))
    ]
    return [
        f"{r.material} {r.scope} {r.stage}: shares add up to {r.share:.1%} "
        f"(expected 100 % ± {SHARE_SUM_TOLERANCE:.0%})"
        for r in bad.itertuples()
    ]


class EuCrmConnector:
    """EU CRM assessment tables (scores, supply shares with t, end uses)."""

    name: ClassVar[str] = "eu_crm"
    kind: ClassVar[str] = "crm_assessment"
    description: ClassVar[str] = "EU critical raw materials assessments 2011–2023 (EC)"

    def ingest(
        self,
        paths: Sequence[Path],
        store: DataStore,
        *,
        dataset_name: str | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> IngestReport:
        """Parse the tables strictly and write dataset ``eu_crm`` (or ``dataset_name``)."""
        if progress:
            progress("reading EU CRM tables", 0, None)
        parsed = parse_eu_crm(paths)
        return write_tables_dataset(
            store,
            name=dataset_name or "eu_crm",
            source=self.name,
            kind=self.kind,
            parsed=parsed,
            licence=LICENCE,
            citation=CITATION,
            parser_version=PARSER_VERSION,
        )
