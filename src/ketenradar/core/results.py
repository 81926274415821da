"""The result type: tables, the provenance that made them and their column schema.

A :class:`Result` holds named tables (pandas DataFrames), one :class:`Provenance` (tool,
command, datasets, method, thresholds and parameters) and, per table, its column schema: a
tuple of :class:`~ketenradar.core.modules.Column` (name, the message key of its label, unit,
description). The writers (:mod:`ketenradar.interfaces.reports.writers`) put all three in every
file: CSV with a sidecar, XLSX with ``provenance`` and ``columns`` sheets, Parquet with the
provenance in the file's metadata and each column's label, unit and description in its field
metadata.

Column schemas are built once per quantity: each module keeps a vocabulary of its columns
(``COLUMNS`` in its ``facts.py``), columns several modules share are in :data:`COLUMNS` here,
and :func:`schema` picks a table's columns from them in the table's order, so the same
quantity has the same label, unit and definition in every table. ``docs/results.md`` is
generated from the schemas (``python scripts/generate_results_docs.py``).

Results carry their provenance in ``df.attrs["provenance"]`` too, as the dict
:meth:`Provenance.to_dict` gives (what :func:`ketenradar.core.provenance.make_provenance`
returns), so code that reads ``df.attrs["provenance"]["parameters"]`` keeps working;
:meth:`Provenance.from_dict` reads such a record back.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.modules import Column

if TYPE_CHECKING:
    import pandas as pd

#: Units used in column schemas (``Column.unit``); the generated docs explain them.
UNITS = {
    "kUSD": "thousand US dollars (BACI's unit)",
    "MUSD": "million US dollars (the input-output tables' unit)",
    "MEUR": "million euros",
    "EUR": "euros",
    "EUR/t": "euros per metric tonne",
    "EUR/year": "euros a year",
    "EUR/MWh": "euros per megawatt-hour (of electricity consumed)",
    "days": "days (of demand: days of cover)",
    "USD/kg": "US dollars per kilogram",
    "t": "metric tonnes",
    "t/year": "metric tonnes a year (a pace: the change of a quantity per year; negative: a fall)",
    "kg Cu-eq/kg": "kilograms of copper equivalent per kilogram",
    "share 0–1": "a fraction: 0.25 is 25 %",
    "index 0–1": "an index on 0–1 (an HHI: 1 is a single supplier)",
    "index 0–10": "an index on 0–10",
    "index": "an index without a fixed upper bound",
    "ratio": "one quantity over another; ∞ when the denominator is 0",
    "count": "a number of items",
    "WGI −2.5–2.5": "a World Bank governance estimate, −2.5 (weak) to 2.5 (strong)",
    "currency": "an amount in the currency and price year the row's currency column names",
    "MW": "megawatts",
    "MWe": "megawatts of electric output",
    "MWt": "megawatts of thermal output",
    "months": "months",
    "hours": "hours (of labour)",
    "source currency": "an amount in the source table's own currency and price year",
    "°C": "degrees Celsius",
    "°": "degrees of latitude or longitude (WGS84)",
}

#: Columns several modules share: one definition and one label each. A module's vocabulary
#: may give a column of the same name a narrower definition (see :func:`schema`).
COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("year", "year", "", "Calendar year the figures refer to"),
        Column(
            "importer",
            "importer",
            "",
            "The importing economy: an ISO3 code, a group name (EU27) or members joined by +",
        ),
        Column("partner", "partner", "", "The partner country (ISO3 code)"),
        Column("country", "country", "", "The country (ISO3 code)"),
    )
}

#: The attribution columns every fact table has (not part of a table's declared schema).
ATTRIBUTION: dict[str, Column] = {
    c.name: c
    for c in (
        Column(
            "source",
            "source",
            "",
            "The dataset(s) the row is derived from: name and release, '; '-separated",
        ),
        Column("licence", "licence", "", "The licence(s) of those datasets"),
    )
}


def schema(
    table: str, names: str | Sequence[str], *vocabularies: Mapping[str, Column]
) -> tuple[Column, ...]:
    """The column schema of ``table``: for each of ``names`` (a sequence, or one string of
    names separated by white space), in that order, the column from the first vocabulary that
    has it under ``"<table>.<name>"`` (a definition for this table alone) or ``name``.

    Raises :class:`UsageError` when a name is in no vocabulary, appears twice, or when a
    vocabulary holds a column under a key that does not name it.
    """
    wanted = names.split() if isinstance(names, str) else list(names)
    out: list[Column] = []
    for name in wanted:
        found = None
        for vocab in vocabularies:
            for key in (f"{table}.{name}", name):
                if key in vocab:
                    found = vocab[key]
                    if found.name != name:
                        raise UsageError(
                            f"column vocabulary entry '{key}' is column '{found.name}', "
                            f"not '{name}'"
                        )
                    break
            if found is not None:
                break
        if found is None:
            raise UsageError(f"column '{name}' of table '{table}' is in no column vocabulary")
        out.append(found)
    dupes = sorted({n for n in wanted if wanted.count(n) > 1})
    if dupes:
        raise UsageError(f"table '{table}' lists column(s) {', '.join(dupes)} twice")
    return tuple(out)


def frame_schema(df: pd.DataFrame, columns: Sequence[Column]) -> tuple[Column, ...]:
    """The schema of every column of ``df``, in the frame's order: the declared column, an
    attribution column (``source``, ``licence``), or a bare entry (no label, unit or
    description) for a column the schema does not know."""
    by_name = {c.name: c for c in columns}
    return tuple(
        by_name.get(str(n)) or ATTRIBUTION.get(str(n)) or Column(str(n), "") for n in df.columns
    )


def column_dict(column: Column) -> dict[str, str]:
    """A column as a plain dict: ``name``, ``label`` (the message key), ``unit``,
    ``description``."""
    return {
        "name": column.name,
        "label": column.label,
        "unit": column.unit,
        "description": column.description,
    }


_REQUIRED = ("tool", "analysis", "generated_at", "command", "methods", "parameters", "datasets")


@dataclass(frozen=True)
class Provenance:
    """What made a result: the tool and command, the analysis and its methods (with their
    references), thresholds, parameters, the datasets read (each with release, licence,
    citation and the sha256 of its input files) and notes (deviations, approximations).

    ``extra`` keeps any further keys of a record read with :meth:`from_dict`, so that
    ``Provenance.from_dict(d).to_dict() == d``.
    """

    tool: str
    analysis: str
    generated_at: str
    command: str
    methods: tuple[str, ...] = ()
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    datasets: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The record as ``df.attrs["provenance"]`` holds it (a deep copy: changing it leaves
        this object as it is)."""
        out = {
            "tool": self.tool,
            "analysis": self.analysis,
            "generated_at": self.generated_at,
            "command": self.command,
            "methods": list(self.methods),
            "thresholds": dict(self.thresholds),
            "parameters": dict(self.parameters),
            "datasets": [dict(d) for d in self.datasets],
            "notes": list(self.notes),
            **self.extra,
        }
        return copy.deepcopy(out)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Provenance:
        """A provenance record (``df.attrs["provenance"]``, a CSV sidecar, the Parquet key
        ``ketenradar.provenance``) as a :class:`Provenance`.

        Raises :class:`DataError` naming the field when a required key is missing or of the
        wrong type.
        """
        if not isinstance(record, Mapping):
            raise DataError(f"a provenance record is a mapping, not {type(record).__name__}")
        missing = [k for k in _REQUIRED if k not in record]
        if missing:
            raise DataError(
                f"not a provenance record: no {', '.join(missing)} "
                f"(keys: {', '.join(map(str, record)) or 'none'})"
            )
        for key in ("tool", "analysis", "generated_at", "command"):
            if not isinstance(record[key], str):
                raise DataError("must be text", field=key)
        for key in ("methods", "notes"):
            value = record.get(key, [])
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise DataError("must be a list of text", field=key)
        for key in ("thresholds", "parameters"):
            if not isinstance(record.get(key, {}), Mapping):
                raise DataError("must be a mapping", field=key)
        datasets = record["datasets"]
        if not isinstance(datasets, Sequence) or isinstance(datasets, str):
            raise DataError("must be a list of dataset records", field="datasets")
        for i, d in enumerate(datasets):
            if not isinstance(d, Mapping):
                raise DataError("must be a dataset record (a mapping)", field=f"datasets[{i}]")
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        record = copy.deepcopy(dict(record))
        return cls(
            tool=record["tool"],
            analysis=record["analysis"],
            generated_at=record["generated_at"],
            command=record["command"],
            methods=tuple(record["methods"]),
            thresholds=dict(record.get("thresholds", {})),
            parameters=dict(record["parameters"]),
            datasets=tuple(dict(d) for d in datasets),
            notes=tuple(record.get("notes", [])),
            extra={k: v for k, v in record.items() if k not in known},
        )

    def lines(self) -> list[str]:
        """A human-readable rendering, one fact per line (footers, the XLSX sheet)."""
        from ketenradar.core.provenance import provenance_lines

        return provenance_lines(self.to_dict())


@dataclass(frozen=True)
class Result:
    """Named tables, the provenance that made them and each table's column schema.

    ``columns[name]`` is the schema of table ``name`` (may be absent for a table without
    one). The frames are shared, not copied: do not modify them in place.
    """

    tables: Mapping[str, pd.DataFrame]
    provenance: Provenance
    columns: Mapping[str, tuple[Column, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.tables:
            raise UsageError("a result holds at least one table")
        unknown = sorted(set(self.columns) - set(self.tables))
        if unknown:
            raise UsageError(
                f"column schema for table(s) {', '.join(unknown)} that the result does not "
                f"hold (tables: {', '.join(self.tables)})"
            )

    @classmethod
    def from_frame(
        cls, df: pd.DataFrame, name: str = "result", columns: Sequence[Column] = ()
    ) -> Result:
        """One table whose provenance is in ``df.attrs["provenance"]``."""
        record = df.attrs.get("provenance")
        if record is None:
            raise UsageError(f"table '{name}' carries no provenance (df.attrs['provenance'])")
        prov = record if isinstance(record, Provenance) else Provenance.from_dict(record)
        return cls({name: df}, prov, {name: tuple(columns)} if columns else {})

    def name(self, table: str | None = None) -> str:
        """``table`` checked, or the name of the only table when ``table`` is ``None``."""
        if table is None:
            if len(self.tables) != 1:
                raise UsageError(
                    f"the result holds {len(self.tables)} tables ({', '.join(self.tables)}): "
                    "name one"
                )
            return next(iter(self.tables))
        if table not in self.tables:
            raise UsageError(f"no table '{table}' (tables: {', '.join(self.tables)})")
        return table

    def frame(self, table: str | None = None) -> pd.DataFrame:
        """Table ``table`` (the only one by default) with ``attrs["provenance"]`` set (a
        shallow copy of the stored frame)."""
        df = self.tables[self.name(table)].copy(deep=False)
        df.attrs = {**df.attrs, "provenance": self.provenance.to_dict()}
        return df

    def schema(self, table: str | None = None) -> tuple[Column, ...]:
        """The schema of every column of ``table`` in the frame's order (see
        :func:`frame_schema`); empty when the table has no declared schema."""
        name = self.name(table)
        if name not in self.columns:
            return ()
        return frame_schema(self.tables[name], self.columns[name])
