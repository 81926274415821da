"""The engine seam: where the relational analyses run.

An analysis is written once, as SQL in DuckDB's dialect over named relations (``trade``,
``products``, ...). An *engine* holds those relations and runs the SQL: DuckDB in the process
(the default), or Apache Spark on a cluster or in local mode, which receives the same query
translated by sqlglot. Engines register themselves in the entry-point group
:data:`ENGINE_GROUP` (the built-in ones too, see ``pyproject.toml``), as ibis declares its
backends, and each declares the analyses it can run (:attr:`Engine.capabilities`): an analysis
asks :func:`require` first and an engine without the capability refuses with a clear error
instead of failing half-way.

The implementations live in :mod:`ketenradar.datasets.engines` (DuckDB) and
:mod:`ketenradar.datasets.spark` (Spark); this module is the contract the analyses see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from ketenradar.core.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

#: The entry-point group engines register in (name → class).
ENGINE_GROUP = "ketenradar.engines"
#: The engine used when none is named.
DEFAULT_ENGINE = "duckdb"

#: The analyses an engine may declare it can run.
SCREENING = "screening"  #: dependency screening (EU 2021, GeoDep), every importer set
BALANCE = "balance"  #: the mutual-dependency balance (screenings of importer and partners)
WORLD_CONCENTRATION = "world_concentration"  #: world exports and their HHI per product
GEOPOLRISK = "geopolrisk"  #: GeoPolRisk HHI, import risk, score and CF
SUPPLIER_SHARES = "supplier_shares"  #: one importer's suppliers of named products (reports)
#: every analysis named above, with the label an error message uses
ANALYSES = {
    SCREENING: "dependency screening",
    BALANCE: "mutual-dependency balance",
    WORLD_CONCENTRATION: "world export concentration",
    GEOPOLRISK: "GeoPolRisk",
    SUPPLIER_SHARES: "supplier shares (the HTML screening report)",
}


class EngineCapabilityError(UsageError):
    """The chosen engine cannot run this analysis (it does not declare the capability)."""


@runtime_checkable
class Engine(Protocol):
    """Relations by name, and a way to run DuckDB-dialect SQL over them into Arrow."""

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[str]]

    def register(self, name: str, table: pa.Table) -> None:
        """Make an in-memory Arrow table queryable as ``name`` (replacing one of that name)."""
        ...

    def register_parquet(self, name: str, files: Sequence[str]) -> None:
        """Make Parquet files (paths or URIs the engine can reach) queryable as ``name``."""
        ...

    def materialize(self, name: str, sql: str) -> None:
        """Compute ``sql`` (DuckDB dialect) once and keep its result as the relation ``name``
        (for an intermediate several queries read, e.g. trade aggregated to HS6 years)."""
        ...

    def unregister(self, name: str) -> None:
        """Forget the relation ``name`` (no error when it is not there)."""
        ...

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` (DuckDB dialect) and return its result as an Arrow table."""
        ...

    def describe(self) -> dict[str, Any]:
        """The engine, its version and (for a cluster engine) its master: for provenance."""
        ...

    def close(self) -> None:
        """Release what the engine holds for this caller."""
        ...


def require(engine: Engine, capability: str) -> None:
    """Raise :class:`EngineCapabilityError` unless ``engine`` declares ``capability``."""
    if capability in engine.capabilities:
        return
    can = ", ".join(ANALYSES.get(c, c) for c in sorted(engine.capabilities)) or "nothing"
    raise EngineCapabilityError(
        f"the {engine.name} engine cannot run the {ANALYSES.get(capability, capability)}; "
        f"it runs: {can}. Use --engine duckdb for this one",
        field="engine",
    )


def scalar_column(table: pa.Table, column: int | str = 0) -> list[Any]:
    """One column of a query result as a Python list (for the small look-ups analyses do)."""
    return table.column(column).to_pylist()
