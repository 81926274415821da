"""What the input-output page and its API calls show, as pure functions (no web framework).

* :func:`industries` — exposure per industry of an economy, goods and services apart: from the
  starter pack (the Netherlands, OECD ICIO 2022) by default, or from an ``io_table`` dataset
  of the user's store for any economy or bloc and year it holds
  (:func:`ketenradar.modules.io.api.exposure`, ``by='industry'``).
* :func:`run_shock` — one supply shock on a loaded table
  (:func:`ketenradar.modules.io.api.shock`): output and value-added loss per industry of the
  economy, with the ``TOTAL`` row and the provenance.

Every bad parameter raises a :class:`~ketenradar.core.errors.KetenradarError` naming the field and
the allowed values (the web application turns it into a 4xx); a shock without a loaded table
raises :class:`NoTableError` (409) naming the command that loads one.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.errors import MissingDataError, NotFoundError, UsageError
from ketenradar.datasets import DataStore
from ketenradar.datasets.datastore import Dataset, validate_name
from ketenradar.datasets.engine import connect
from ketenradar.datasets.iotable_store import available_years
from ketenradar.interfaces.web.frames import choice, records
from ketenradar.interfaces.web.i18n import LANGUAGES, country, format_percent, translator
from ketenradar.interfaces.web.pages import store_footer
from ketenradar.modules.io import api as io_api
from ketenradar.modules.io.facts import SHOCK_COLUMNS as SHOCK_SCHEMA
from ketenradar.modules.io.shock import MODELS, SCOPES
from ketenradar.modules.io.web import load as io_load
from ketenradar.modules.io.web.texts import readable_notes, scenario_title
from ketenradar.results.facts import Facts

#: The starter pack's table of exposure per Dutch industry (OECD ICIO 2022).
STARTER_TABLE = "io_exposure_industry"
STARTER = {"economy": "NLD", "source": "icio", "year": 2022}
SOURCES = ("icio", "wiod")
KINDS = ("goods", "services")
#: The columns of an industry row (starter pack and store alike).
INDUSTRY_COLUMNS = [
    "economy",
    "year",
    "region",
    "industry",
    "industry_name",
    "kind",
    "output_musd",
    "intermediate_inputs_musd",
    "foreign_inputs_musd",
    "foreign_input_share",
    "top_foreign_input_country",
    "top_foreign_input_share",
    "foreign_va_content",
    "top_foreign_va_country",
    "top_foreign_va_content",
    "exports_musd",
    "foreign_va_in_exports_musd",
]
SHOCK_COLUMNS = [
    "region",
    "industry",
    "industry_name",
    "output_musd",
    "output_loss_musd",
    "output_loss_share",
    "va_musd",
    "va_loss_musd",
    "va_loss_share",
    "output_loss_capped",
]
SHOCK_FIELDS = ("economy", "supplier", "industries", "fall", "to", "model", "source", "year")
SHOCK_FIELDS_ALL = (*SHOCK_FIELDS, "dataset", "lang")
#: The industries the shock chart draws (the table below it lists every industry).
CHART_TOP = 15
MAX_INDUSTRIES = 100
MAX_CODE = 100


class NoTableError(MissingDataError):
    """The store holds no input-output table for what was asked: load one first (409)."""


def load_command(source: str | None = None) -> str:
    """The command that loads an input-output table into the store."""
    return f"ketenradar io load {source or 'icio'} PATH"


def load_steps() -> dict[str, Any]:
    """What a fresh install must run before the shock form works: the command that loads the
    OECD ICIO 2022 table from the shared data folder (``found``: the folder holds it), else
    the general load command."""
    from ketenradar.core.config import shared_data_dir

    found = (shared_data_dir() / "icio_oecd_2022" / "bench_cache.npz").is_file()
    return {"found": found, "command": io_api.LOAD_HINT["icio"] if found else load_command()}


def _no_table(source: str | None) -> NoTableError:
    what = f"{source} input-output" if source else "input-output"
    return NoTableError(
        f"no {what} table is loaded in the data store: load one with "
        f"`{load_command(source)}` (PATH: an OECD ICIO CSV such as 2022_SML.csv or its "
        "folder, or a WIOD release for `io load wiod`) and reload this page"
    )


def _source_of(ds: Dataset) -> str:
    return str(ds.manifest.attributes.get("table_source", ds.manifest.source))


def _table_codes(ds: Dataset) -> dict[str, list[dict[str, str]]]:
    """Region and sector codes (with names) of a dataset, read from its labels table."""
    con = connect()
    try:
        lab = con.execute(
            "SELECT kind, code, name FROM read_parquet(?) ORDER BY kind, position",
            [[str(f) for f in ds.table_files("labels")]],
        ).df()
    finally:
        con.close()

    def of(kind: str) -> list[dict[str, str]]:
        sub = lab[lab["kind"] == kind]
        return [{"code": c, "name": n or ""} for c, n in zip(sub["code"], sub["name"], strict=True)]

    return {"regions": of("region"), "sectors": of("sector")}


def store_tables(data_dir: Path | str, *, codes: bool = False) -> list[dict[str, Any]]:
    """The ``io_table`` datasets of the store: name, source, release, years, size, licence
    (and, with ``codes``, their region and sector codes)."""
    out = []
    for ds in DataStore(data_dir).list(kind="io_table"):
        m = ds.manifest
        a = m.attributes
        item = {
            "dataset": ds.name,
            "source": _source_of(ds),
            "release": m.release,
            "version": m.version,
            "licence": m.licence,
            "years": available_years(ds),
            "regions": a.get("regions"),
            "sectors": a.get("sectors"),
            "unit": a.get("unit"),
            "final_demand_by_destination": a.get("final_demand_by_destination"),
        }
        if codes:
            item["codes"] = _table_codes(ds)
        out.append(item)
    return out


def _check_source(source: str | None) -> str | None:
    if source is not None and source not in SOURCES:
        raise UsageError(f"source '{source}' is not available (choose one of: icio, wiod)")
    return source


def _check_year(year: Any) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        raise UsageError(f"year must be a whole number between 1900 and 2100, not {year!r}")
    return year


def _check_dataset(dataset: Any) -> str | None:
    if dataset in (None, ""):
        return None
    if not isinstance(dataset, str):
        raise UsageError(f"dataset must be a dataset name, not {dataset!r}")
    try:
        return validate_name(dataset)
    except UsageError as exc:
        raise UsageError(f"dataset: {exc}") from exc


def _code(field: str, value: Any, default: str | None = None) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise UsageError(f"{field} is required (a region code such as CHN, or a group: EU27)")
        return default
    if not isinstance(value, str) or len(value) > MAX_CODE:
        raise UsageError(
            f"{field} must be a region code or group name of at most {MAX_CODE} characters"
        )
    return value.strip()


def table_dataset(
    data_dir: Path | str, source: str | None, year: int | None, dataset: str | None
) -> Dataset:
    """The store's ``io_table`` dataset for the request; :class:`NoTableError` when the store
    holds none of that source, :class:`NotFoundError` when the year is not loaded."""
    store = DataStore(data_dir)
    held = [d for d in store.list(kind="io_table") if source is None or _source_of(d) == source]
    if not held and dataset is None:
        raise _no_table(source)
    if dataset is not None and store.find(dataset) is None:
        # (the store's own message names its folder: not for the web)
        names = ", ".join(d.name for d in store.list(kind="io_table")) or "none"
        raise NotFoundError(f"no dataset named '{dataset}' (input-output tables: {names})")
    return io_api.choose_table_dataset(store, source, year, dataset)


def _kind_summary(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Goods, services and all industries: output, inputs and the direct foreign share."""
    live = df[df["output_musd"] > 0]
    out = []
    for kind in (*KINDS, "all"):
        sub = live if kind == "all" else live[live["kind"] == kind]
        inputs = float(sub["intermediate_inputs_musd"].sum())
        foreign = float(sub["foreign_inputs_musd"].sum())
        out.append(
            {
                "kind": kind,
                "industries": len(sub),
                "output_musd": float(sub["output_musd"].sum()),
                "intermediate_inputs_musd": inputs,
                "foreign_inputs_musd": foreign,
                "foreign_input_share": foreign / inputs if inputs > 0 else None,
            }
        )
    return out


def _starter_ok(
    economy: str | None, source: str | None, year: int | None, dataset: str | None
) -> bool:
    return (
        dataset is None
        and economy in (None, STARTER["economy"])
        and source in (None, STARTER["source"])
        and year in (None, STARTER["year"])
    )


def industries(
    facts: Facts,
    data_dir: Path | str,
    *,
    economy: str | None = None,
    source: str | None = None,
    year: int | None = None,
    dataset: str | None = None,
) -> dict[str, Any]:
    """Exposure per industry of an economy, with the goods/services split.

    Without parameters: the starter pack (the Netherlands, OECD ICIO 2022). With any of
    ``economy``, ``source``, ``year``, ``dataset``: a table of the user's store when one is
    loaded (any economy or bloc it holds), else the starter pack when it answers the request,
    else :class:`NoTableError`.
    """
    source = _check_source(source)
    year = _check_year(year)
    dataset = _check_dataset(dataset)
    if economy is not None:
        economy = _code("economy", economy)
    asked = any(v is not None for v in (economy, source, year, dataset))
    has_store = bool(DataStore(data_dir).list(kind="io_table"))
    if not asked or (not has_store and _starter_ok(economy, source, year, dataset)):
        return facts.cached(("io_industries", "starter"), lambda: _starter_industries(facts))
    ds = table_dataset(data_dir, source, year, dataset)
    econ = economy or STARTER["economy"]
    # cached per build of the facts and version of the table: the Leontief solve is the cost
    key = ("io_industries", ds.name, ds.manifest.version, econ, source, year)
    return facts.cached(key, lambda: _store_industries(data_dir, ds, econ, source, year))


def _starter_industries(facts: Facts) -> dict[str, Any]:
    df = facts.table(STARTER_TABLE)
    df = df[df["economy"] == STARTER["economy"]][INDUSTRY_COLUMNS].reset_index(drop=True)
    return {
        "origin": "starter",
        "economy": STARTER["economy"],
        "year": STARTER["year"],
        "source": STARTER["source"],
        "dataset": None,
        "unit": "USD million",
        "summary": _kind_summary(df),
        "rows": records(df),
        "provenance": None,
        "footer": facts.footer([STARTER_TABLE]),
    }


def _store_industries(
    data_dir: Path | str, ds: Dataset, econ: str, source: str | None, year: int | None
) -> dict[str, Any]:
    df = io_api.exposure(
        econ,
        source=source,
        year=year,
        by="industry",
        dataset=ds.name,
        data_dir=data_dir,
        command=_cli(
            "exposure",
            economy=econ,
            by="industry",
            source=source,
            year=year,
            dataset=ds.name,
        ),
    )
    prov = df.attrs["provenance"]
    df = df[INDUSTRY_COLUMNS]
    return {
        "origin": "store",
        "economy": str(df["economy"].iat[0]) if len(df) else econ,
        "year": int(df["year"].iat[0]) if len(df) else year,
        "source": _source_of(ds),
        "dataset": ds.name,
        "unit": prov["parameters"].get("unit"),
        "summary": _kind_summary(df),
        "rows": records(df),
        "provenance": prov,
        "footer": store_footer(
            prov["datasets"][:1],
            what=f"exposure per industry, {prov['parameters']['table']}",
            methods=prov["methods"],
            built_at=prov["generated_at"],
            tool=prov["tool"],
        ),
    }


def _cli(command: str, **options: Any) -> str:
    """The ``ketenradar io …`` command that computes the same result."""
    parts = ["ketenradar", "io", command]
    for k, v in options.items():
        if v is None or v == "":
            continue
        for item in v if isinstance(v, (list, tuple)) else [v]:
            parts += [f"--{k.replace('_', '-')}", str(item)]
    return "(web) " + shlex.join(parts)


def shock_request(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a shock request; the clean request (defaults filled in).

    Fields: ``economy`` (default NLD), ``supplier`` (required: a region code or group),
    ``industries`` (optional list of the supplier's industry codes, or a comma-separated
    string), ``fall`` (required, 0 < fall ≤ 1), ``to`` (world|economy), ``model``
    (extraction|ghosh), ``source`` (icio|wiod), ``year``, ``dataset``.
    """
    if not isinstance(raw, Mapping):
        raise UsageError(
            "a shock request must be an object with the fields " + ", ".join(SHOCK_FIELDS)
        )
    unknown = sorted(set(raw) - set(SHOCK_FIELDS_ALL))
    if unknown:
        raise UsageError(
            f"unknown field(s) {', '.join(unknown)} (allowed: {', '.join(SHOCK_FIELDS_ALL)})"
        )
    economy = _code("economy", raw.get("economy"), STARTER["economy"])
    supplier = _code("supplier", raw.get("supplier"))
    inds = raw.get("industries") or []
    if isinstance(inds, str):
        inds = inds.replace(";", ",").split(",")
    if not isinstance(inds, (list, tuple)) or not all(isinstance(i, str) for i in inds):
        raise UsageError('industries must be a list of industry codes (e.g. ["C26", "C27"])')
    inds = [i.strip() for i in inds if i.strip()]
    if len(inds) > MAX_INDUSTRIES or any(len(i) > MAX_CODE for i in inds):
        raise UsageError(f"industries: at most {MAX_INDUSTRIES} codes of {MAX_CODE} characters")
    fall = raw.get("fall")
    if fall is None:
        raise UsageError("fall is required: the share of deliveries lost, above 0 and at most 1")
    if isinstance(fall, bool) or not isinstance(fall, (int, float)) or not math.isfinite(fall):
        raise UsageError(f"fall must be a number above 0 and at most 1 (0.5 = 50 %), not {fall!r}")
    if not 0 < fall <= 1:
        raise UsageError(f"fall must be above 0 and at most 1 (0.5 = 50 %), not {fall}")
    to = raw.get("to") or "world"
    if to not in SCOPES:
        raise UsageError(f"to '{to}' is not available (choose one of: {', '.join(SCOPES)})")
    model = raw.get("model") or "extraction"
    if model not in MODELS:
        raise UsageError(f"model '{model}' is not available (choose one of: extraction, ghosh)")
    lang = raw.get("lang") or "en"
    if lang not in LANGUAGES:
        raise UsageError(f"lang '{lang}' is not available (choose one of: {', '.join(LANGUAGES)})")
    return {
        "lang": lang,
        "economy": economy,
        "supplier": supplier,
        "industries": list(dict.fromkeys(inds)),
        "fall": float(fall),
        "to": to,
        "model": model,
        "source": _check_source(raw.get("source") or None),
        "year": _check_year(raw.get("year")),
        "dataset": _check_dataset(raw.get("dataset")),
    }


def run_shock(data_dir: Path | str, request: Mapping[str, Any]) -> dict[str, Any]:
    """Run one supply shock on the store's input-output table.

    Returns the clean request, the scenario, the ``TOTAL`` row, one row per industry of the
    economy (TOTAL first, then by output loss, largest first) and the provenance.
    """
    req = shock_request(request)
    ds = table_dataset(data_dir, req["source"], req["year"], req["dataset"])
    df = io_api.shock(
        req["economy"],
        supplier=req["supplier"],
        fall=req["fall"],
        to=req["to"],
        industries=tuple(req["industries"]),
        model_name=req["model"],
        source=req["source"],
        year=req["year"],
        dataset=ds.name,
        data_dir=data_dir,
        command=_cli(
            "shock",
            economy=req["economy"],
            supplier=req["supplier"],
            industry=req["industries"],
            fall=req["fall"],
            to=req["to"],
            model=req["model"],
            source=req["source"],
            year=req["year"],
            dataset=ds.name,
        ),
    )
    prov = df.attrs["provenance"]
    is_total = df["industry"] == "TOTAL"
    rows = pd.concat(
        [
            df[is_total],
            df[~is_total].sort_values("output_loss_musd", ascending=False, kind="stable"),
        ]
    )
    total = records(df[is_total])[0]
    lang = req["lang"]
    t = translator(lang)

    def pct(v: float) -> str:
        return format_percent(v, lang, 0 if round(v * 100, 6) == round(v * 100) else 1)

    scenario = prov["parameters"]["scenarios"][0]
    economy = str(df["economy"].iat[0])
    labels = {c.name: t(c.label) for c in SHOCK_SCHEMA}
    return {
        "request": req,
        "title": scenario_title(
            scenario, economy, int(df["year"].iat[0]), t, pct, lambda c: country(c, lang)
        ),
        "notes": readable_notes(prov["notes"], t, pct),
        "labels": {c: labels[c] for c in SHOCK_COLUMNS if c in labels},
        "chart": {
            "top": CHART_TOP,
            "title": t("io_shock_chart").format(n=CHART_TOP),
            "description": t("io_shock_chart_desc").format(n=CHART_TOP),
        },
        "scenario": str(df["scenario"].iat[0]),
        "model": req["model"],
        "economy": str(df["economy"].iat[0]),
        "year": int(df["year"].iat[0]),
        "source": _source_of(ds),
        "dataset": ds.name,
        "unit": prov["parameters"].get("unit"),
        "total": total,
        "columns": SHOCK_COLUMNS,
        "rows": records(rows[SHOCK_COLUMNS]),
        "provenance": prov,
    }


def page(
    facts: Facts,
    data_dir: Path | str,
    *,
    economy: str | None = None,
    source: str | None = None,
    year: int | None = None,
    dataset: str | None = None,
) -> dict[str, Any]:
    """Everything the input-output page shows: the exposure per industry, the tables the
    shock form can run on (or the message naming the command that loads one)."""
    exp = industries(facts, data_dir, economy=economy, source=source, year=year, dataset=dataset)
    tables = store_tables(data_dir, codes=True)
    choices = [
        {"value": f"{t['dataset']}:{y}", "label": f"{t['dataset']} — {t['source']} {y}"}
        for t in tables
        for y in sorted(t["years"], reverse=True)
    ]
    return {
        "exposure": exp,
        "tables": tables,
        "table_choices": choices,
        "no_table": None if tables else str(_no_table(None)),
        "load_steps": None if tables else load_steps(),
        "load_button": None if tables else io_load.can_load(),
        "models": list(MODELS[::-1]),
        "scopes": list(SCOPES),
    }


def exposure_table(facts: Facts, by: str = "country") -> dict[str, Any]:
    """The Netherlands' input-output exposure (OECD ICIO 2022) per source country or industry."""
    tables = {"country": "io_exposure_country", "industry": "io_exposure_industry"}
    choice("by", by, list(tables))
    df = facts.table(tables[by]).drop(columns=["source", "licence"])
    return {"by": by, "rows": records(df), "footer": facts.footer([tables[by]])}
