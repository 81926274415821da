"""Python API of ``ketenradar io …``: exposure, shocks, value-added balance, table checks.

Every function returns a pandas DataFrame with ``df.attrs["provenance"]``, the record the CLI
writes next to its outputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.cache import SingleFlightCache
from ketenradar.core.config import default_data_dir
from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.core.groups import GroupRegistry, user_groups_file
from ketenradar.core.progress import Progress, Steps
from ketenradar.core.provenance import make_provenance
from ketenradar.datasets import DataStore
from ketenradar.datasets.datastore import Dataset
from ketenradar.datasets.iotable import IOTable, check_balance
from ketenradar.datasets.iotable_store import available_years, read_table
from ketenradar.modules.io import shock as shock_mod
from ketenradar.modules.io.analysis import balance as balance_mod
from ketenradar.modules.io.analysis import exposure as exposure_mod
from ketenradar.modules.io.analysis.model import IOModel
from ketenradar.modules.io.analysis.regions import resolve_economy

LEONTIEF = (
    "Leontief demand-side model and value added in final demand: Miller & Blair (2009), "
    "Input-Output Analysis, 2nd ed., ch. 2 and 6; Johnson & Noguera (2012); OECD TiVA"
)
GHOSH = (
    "Ghosh supply-side model and partial hypothetical extraction: Ghosh (1958); Dietzenbacher, "
    "van der Linden & Steenge (1993); Miller & Blair (2009), ch. 12; no substitution (upper "
    "bound)"
)
LOAD_HINT = {
    "icio": "ketenradar io load icio ../shared/data/icio_oecd_2022",
    "wiod": "ketenradar io load wiod ../shared/data/wiod_2013",
}
BY = ("source", "country", "industry", "link", "summary")

#: How many factorised models are kept (an OECD ICIO year, 4,000 industries, holds about
#: 400 MB: the table, ``A`` and its LU factors).
MAX_MODELS = 4

#: The factorised models, per dataset version and year. Shared by every thread of the web
#: application: thread-safe, bounded, and each model is built once however many requests ask
#: for it at the same moment (see :mod:`ketenradar.core.cache`); the models themselves are frozen
#: and safe to solve with from many threads (:mod:`ketenradar.modules.io.analysis.model`).
_MODELS = SingleFlightCache(MAX_MODELS, name="io models")


def _store(data_dir: Path | str | None) -> DataStore:
    return DataStore(Path(data_dir) if data_dir else default_data_dir())


def choose_table_dataset(
    store: DataStore, source: str | None, year: int | None, dataset: str | None = None
) -> Dataset:
    """The ``io_table`` dataset to use: by name, or the one of ``source`` holding ``year``."""
    if dataset:
        ds = store.get(dataset)
        if ds.manifest.kind != "io_table":
            raise UsageError(f"dataset '{dataset}' is of kind {ds.manifest.kind}, not io_table")
        return ds
    if source is not None and source not in LOAD_HINT:
        raise UsageError(f"unknown input-output source '{source}' (choose icio or wiod)")
    found = [
        d
        for d in store.list(kind="io_table")
        if source is None or d.manifest.attributes.get("table_source", d.manifest.source) == source
    ]
    if not found:
        hint = LOAD_HINT.get(source or "icio")
        raise NotFoundError(
            f"no {source or 'input-output'} table in {store.root}: load one with `{hint}`"
        )
    if year is not None:
        with_year = [d for d in found if year in available_years(d)]
        if not with_year:
            held = sorted({y for d in found for y in available_years(d)})
            raise NotFoundError(
                f"no {source or 'input-output'} table for {year} "
                f"(years loaded: {', '.join(map(str, held))})"
            )
        found = with_year
    if len(found) > 1:
        raise UsageError(
            f"several input-output datasets fit: {', '.join(d.name for d in found)}; "
            "choose one with --dataset"
        )
    return found[0]


def load_model(
    *,
    source: str | None = "icio",
    year: int | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    progress: Progress | None = None,
) -> tuple[IOModel, Dataset]:
    """The factorised model of one table year (cached per dataset version and year; safe to
    call from many threads: a model is built once, and its arrays are read-only).
    ``progress`` hears the stage "reading and factorising" (step 0) before the work."""
    store = _store(data_dir)
    ds = choose_table_dataset(store, source, year, dataset)
    if year is None:
        year = max(available_years(ds))
    if progress is not None:
        progress(f"reading and factorising {ds.name} {year}", 0, None)
    key = (str(ds.path), year)
    return _MODELS.get(key, lambda: IOModel(read_table(ds, year)).freeze()), ds


def _registry(data_dir: Path | str | None) -> GroupRegistry:
    return GroupRegistry(user_groups_file(_store(data_dir).root))


def _basis(table: IOTable, basis: str | None) -> tuple[str, list[str]]:
    if basis in (None, "auto"):
        if table.Y is None:
            return "final_output", [
                "this table does not split final demand by destination: value added is "
                "measured in the final output of the economy's industries (production basis)"
            ]
        return "final_demand", []
    return basis, []


def exposure(
    economy: str = "NLD",
    *,
    source: str | None = "icio",
    year: int | None = None,
    by: str = "source",
    basis: str | None = "auto",
    top: int = 50,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Exposure of an economy or bloc: per source country-industry (``by='source'``), per
    source country, per domestic industry, the largest links, or a one-row summary.

    ``progress`` hears two steps: the table read and factorised, the exposure computed."""
    if by not in BY:
        raise UsageError(f"unknown --by '{by}' (choose {', '.join(BY)})")
    step = Steps(2, progress)
    model, ds = load_model(
        source=source, year=year, dataset=dataset, data_dir=data_dir, progress=progress
    )
    step(f"table {model.table.source} {model.table.year} ready; computing exposure by {by}")
    t = model.table
    econ = resolve_economy(t, economy, _registry(data_dir))
    b, notes = _basis(t, basis)
    if by in ("source", "country", "summary"):
        src = exposure_mod.exposure_by_source(model, econ, b)
        df = {
            "source": lambda: src,
            "country": lambda: exposure_mod.exposure_by_country(src),
            "summary": lambda: exposure_mod.exposure_summary(model, econ, src),
        }[by]()
    elif by == "industry":
        df = exposure_mod.exposure_by_industry(model, econ)
    else:
        df = exposure_mod.exposure_links(model, econ, top=top)
    step(f"exposure of {econ.label} by {by}")
    df.attrs["provenance"] = _provenance(
        "io exposure",
        [LEONTIEF],
        ds,
        t,
        {"economy": econ.label, "regions": list(econ.regions), "by": by, "basis": b},
        command,
        notes,
    )
    return df


def shock(
    economy: str = "NLD",
    *,
    scenario_file: Path | None = None,
    supplier: str | None = None,
    fall: Any = None,
    to: str = "world",
    industries: tuple[str, ...] = (),
    model_name: str = "extraction",
    source: str | None = "icio",
    year: int | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Output and value-added loss of the economy's industries under supply shocks.

    Give a scenario file (one scenario or a batch) or one shock (``supplier``, ``fall``…).
    """
    if scenario_file is not None:
        if supplier is not None:
            raise UsageError("give either a scenario file or --supplier/--fall, not both")
        scenarios = shock_mod.load_scenarios(scenario_file)
    else:
        if supplier is None or fall is None:
            raise UsageError("a shock needs --supplier and --fall (or a --scenario file)")
        scenarios = [
            shock_mod.single_scenario(
                supplier, fall, to=to, industries=tuple(industries), model=model_name
            )
        ]
    model, ds = load_model(
        source=source, year=year, dataset=dataset, data_dir=data_dir, progress=progress
    )
    reg = _registry(data_dir)
    econ = resolve_economy(model.table, economy, reg)
    df = shock_mod.run_scenarios(model, econ, scenarios, reg, progress=progress)
    params = {
        "economy": econ.label,
        "scenarios": [
            {
                "name": s.name,
                "model": s.model,
                "shocks": [vars(k) | {"industries": list(k.industries)} for k in s.shocks],
            }
            for s in scenarios
        ],
    }
    if scenario_file is not None:
        params["scenario_file"] = str(scenario_file)
    df.attrs["provenance"] = _provenance(
        "io shock",
        [GHOSH],
        ds,
        model.table,
        params,
        command,
        [
            "losses are upper bounds: buyers cannot substitute a lost supplier",
            *df.attrs.pop("notes", []),
        ],
    )
    return df


def balance(
    economy: str = "NLD",
    *,
    source: str | None = "wiod",
    year: int | None = None,
    basis: str | None = "auto",
    partners: list[str] | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
) -> pd.DataFrame:
    """Value added each way between the economy and every partner, with balance ratios."""
    model, ds = load_model(source=source, year=year, dataset=dataset, data_dir=data_dir)
    t = model.table
    reg = _registry(data_dir)
    econ = resolve_economy(t, economy, reg)
    b, notes = _basis(t, basis)
    wanted = None
    if partners:
        wanted = []
        for p in partners:
            wanted += list(resolve_economy(t, p, reg).regions)
    df = balance_mod.va_balance(model, econ, b, wanted)
    df.attrs["provenance"] = _provenance(
        "io balance",
        [LEONTIEF],
        ds,
        t,
        {"economy": econ.label, "basis": b, "partners": partners},
        command,
        notes,
    )
    return df


def check(
    *,
    source: str | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
) -> pd.DataFrame:
    """The accounting identities of every loaded year, with the tolerance used."""
    store = _store(data_dir)
    if dataset:
        sets = [choose_table_dataset(store, source, None, dataset)]
    else:
        sets = [
            d
            for d in store.list(kind="io_table")
            if source is None or d.manifest.attributes.get("table_source") == source
        ]
        if not sets:
            raise NotFoundError(f"no input-output table in {store.root}")
    rows = []
    for ds in sets:
        for y in available_years(ds):
            rep = check_balance(read_table(ds, y))
            rows.append({"dataset": ds.name, **rep.summary(), "ok": rep.ok})
    df = pd.DataFrame(rows)
    df.attrs["provenance"] = make_provenance(
        analysis="io check",
        methods=["row: x = Z1 + y; column: x = 1'Z + va + other (Miller & Blair 2009, ch. 2)"],
        datasets=[d.manifest.provenance() for d in sets],
        parameters={},
        command=command,
    )
    return df


def _provenance(
    analysis: str,
    methods: list[str],
    ds: Dataset,
    t: IOTable,
    params: dict[str, Any],
    command: str | None,
    notes: list[str],
) -> dict[str, Any]:
    return make_provenance(
        analysis=analysis,
        methods=methods,
        datasets=[ds.manifest.provenance()],
        parameters={"table": f"{t.source} {t.year}", "unit": t.unit, **params},
        command=command,
        notes=notes + list(t.notes),
    )
