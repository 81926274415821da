"""The Python API: the same operations as the ``ketenradar`` command, returning data frames.

Every result frame carries its provenance in ``frame.attrs["provenance"]``.

>>> from ketenradar import api
>>> api.add_dataset("baci", ["../shared/data/baci_raw_materials_hs92"])   # doctest: +SKIP
>>> df = api.screen("NLD", 2022)                                            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ketenradar.core.engines import (
    BALANCE,
    SUPPLIER_SHARES,
    WORLD_CONCENTRATION,
    Engine,
    require,
    scalar_column,
)
from ketenradar.core.errors import NotFoundError, UsageError
from ketenradar.core.groups import (
    EU27,
    Group,
    GroupRegistry,
    user_groups_file,
)
from ketenradar.core.provenance import make_provenance
from ketenradar.datasets import open_store
from ketenradar.datasets.kinds import world_exports_sql
from ketenradar.datasets.trade import TradeSession, choose_trade_dataset, open_trade
from ketenradar.modules.trade.analysis.balance import METHOD_COLUMNS, mutual_dependency
from ketenradar.modules.trade.analysis.dependencies import (
    METHOD_EU2021,
    METHOD_GEODEP,
    METHOD_GEODEP_COUNTRY,
    ImporterSet,
    Thresholds,
)
from ketenradar.modules.trade.analysis.dependencies import screen as _screen

ECOSYSTEM_NOTE = "ecosystem: the project's own HS→ecosystem table (docs/methods/ecosystems.md)"

#: The method every page and command counts by default ("dependent" without a method named).
DEFAULT_METHOD = "eu2021"
#: The methods' names as printed beside a count.
METHOD_NAMES = {
    "eu2021": "EU 2021",
    "geodep": "GeoDep",
    "geodep_country": "GeoDep (CEPII, country level)",
    "any": "EU 2021 or GeoDep",
}


def default_thresholds() -> Thresholds:
    """The published thresholds with the materiality minimums of the settings
    (``KETENRADAR_MIN_DEPENDENCY_KUSD``, ``KETENRADAR_MIN_DEPENDENCY_SHARE``)."""
    from ketenradar.core.settings import settings

    s = settings()
    return Thresholds(
        min_dependency_kusd=s.min_dependency_kusd, min_dependency_share=s.min_dependency_share
    )


def build_thresholds() -> dict[str, float]:
    """The thresholds a fact build screens with (:func:`default_thresholds`) and judges a
    balance "mutual" by (``KETENRADAR_MUTUAL_MIN_VALUE_RATIO``), as the facts' manifest
    records them."""
    from ketenradar.core.settings import settings

    return {
        **default_thresholds().as_dict(),
        "mutual_min_value_ratio": settings().mutual_min_value_ratio,
    }


def materiality_note(th: Thresholds) -> str:
    """What the materiality minimums mean, for provenance notes."""
    return (
        f"materiality (the project's addition to the published methods): a product counts as "
        f"dependent only when its imports from the top external supplier are at least "
        f"{th.min_dependency_kusd:g} thousand USD and {th.min_dependency_share:.0%} of all its "
        "imports (docs/methods/dependencies.md)"
    )


def default_reference(members: frozenset[str]) -> Group:
    """EU27 when the importer set lies inside the EU27, else the importer set itself."""
    if members and members <= set(EU27):
        return Group("EU27", frozenset(EU27), "European Union, 27 member states")
    return Group("", members)


def _check_year(session: TradeSession, year: int | None) -> int:
    """The year to screen: the given one if loaded, else the latest loaded."""
    if year is None:
        return max(session.years)
    if year not in session.years:
        raise NotFoundError(
            f"year {year} is not in dataset {session.dataset.name} (years: "
            f"{min(session.years)}–{max(session.years)})"
        )
    return year


def _importer_sets(
    session: TradeSession,
    registry: GroupRegistry,
    importer: str,
    year: int,
    reference_bloc: str | None,
) -> list[ImporterSet]:
    ref_group = registry.resolve(reference_bloc) if reference_bloc else None
    importers = scalar_column(
        session.engine.query(
            f"SELECT DISTINCT importer FROM trade WHERE year = {int(year)} ORDER BY 1"
        )
    )
    if importer.lower() == "all":
        groups_ = [Group(c, frozenset({c})) for c in importers]
    else:
        groups_ = [registry.resolve(importer)]
        known = set(importers)
        missing = groups_[0].members - known
        if missing == groups_[0].members:
            raise NotFoundError(
                f"importer '{importer}' has no imports in {session.dataset.name} for {year}"
            )
    out = []
    for g in groups_:
        ref = ref_group or default_reference(g.members)
        ref_label = ref.name or g.name
        out.append(
            ImporterSet(g.name, tuple(sorted(g.members)), ref_label, tuple(sorted(ref.members)))
        )
    return out


def screen(
    importer: str = "NLD",
    year: int | None = None,
    *,
    reference_bloc: str | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    thresholds: Thresholds | None = None,
    share_from: str | None = None,
    ecosystems: bool = True,
    command: str | None = None,
    engine: str | Engine | None = None,
) -> pd.DataFrame:
    """Screen the importer's (``NLD``, ``EU27``, a group, ``DEU,FRA`` or ``all``) imports.

    Returns one row per importer and imported product for ``year`` with the columns of
    :data:`~ketenradar.modules.trade.analysis.dependencies.SCREEN_COLUMNS`
    (plus ``ecosystem`` and, with
    ``share_from``, ``share_from_<group>``). ``year`` defaults to the latest year loaded.
    ``engine`` runs it: ``duckdb`` (default), ``spark`` (docs/scale-out.md) or an open
    :class:`~ketenradar.core.engines.Engine`.
    """
    store = open_store(data_dir)
    registry = GroupRegistry(user_groups_file(store.root))
    th = thresholds or default_thresholds()
    ds = choose_trade_dataset(store, dataset, year)
    with open_trade(ds, engine=engine) as session:
        ran_on = session.provenance()
        year = _check_year(session, year)
        sets = _importer_sets(session, registry, importer, year, reference_bloc)
        share_group = registry.resolve(share_from) if share_from else None
        df = _screen(
            session.engine,
            sets,
            year,
            thresholds=th,
            available_years=session.years,
            share_from=sorted(share_group.members) if share_group else None,
            world_table=session.world_table,
        )
    if share_group is not None:
        df = df.rename(columns={"share_from_group": f"share_from_{share_group.name.lower()}"})
    notes = [materiality_note(th)]
    if ecosystems:
        from ketenradar.modules.trade.ecosystems import ecosystem_frame

        eco = ecosystem_frame(df["product"].unique())
        df = df.merge(eco, on="product", how="left")
        notes.append(ECOSYSTEM_NOTE)
    if df["dependent_geodep"].isna().all():
        notes.append(
            f"dependent_geodep is empty: GeoDep needs years {year - 2}, {year - 1} and {year} "
            "loaded"
        )
    df.attrs["provenance"] = make_provenance(
        analysis="strategic import dependency screening (HS6)",
        methods=[METHOD_EU2021, METHOD_GEODEP, METHOD_GEODEP_COUNTRY],
        datasets=[ds.manifest.provenance()],
        parameters={
            "importer": importer,
            "year": year,
            "reference_bloc": reference_bloc or "default (EU27 for EU members, else the importer)",
            **({"share_from": share_from} if share_from else {}),
        },
        thresholds=th.as_dict(),
        command=command,
        notes=notes,
        engine=ran_on,
    )
    return df


def world_concentration(
    year: int | None = None,
    *,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    engine: str | Engine | None = None,
    command: str | None = None,
) -> pd.DataFrame:
    """World exports of every product in ``year`` and their concentration: columns ``year,
    product, product_description, world_exports_kusd, world_export_hhi, n_exporters``, the
    largest first (the same numbers as the screening's ``world_export_hhi``, computed from
    every exporter's exports to every other country). Runs on ``engine`` (as :func:`screen`).
    """
    store = open_store(data_dir)
    ds = choose_trade_dataset(store, dataset, year)
    with open_trade(ds, engine=engine) as session:
        require(session.engine, WORLD_CONCENTRATION)
        ran_on = session.provenance()
        year = _check_year(session, year)
        df = session.engine.query(
            f"""
            SELECT w.year, w.product, p.description AS product_description,
                   w.world_exports_kusd, w.world_export_hhi, w.n_exporters
            FROM ({world_exports_sql("trade", [year])}) w
            LEFT JOIN products p ON p.product = w.product
            ORDER BY w.world_exports_kusd DESC, w.product
            """
        ).to_pandas()
    df["year"] = df["year"].astype("int64")
    df["n_exporters"] = df["n_exporters"].astype("int64")
    df.attrs["provenance"] = make_provenance(
        analysis="world export concentration (HS6)",
        methods=[METHOD_GEODEP],
        datasets=[ds.manifest.provenance()],
        parameters={"year": year},
        command=command,
        notes=[
            "world_export_hhi = Σ_e (X_e / X)², X_e = exports of the product by exporter e to "
            "every other country (docs/methods/dependencies.md)"
        ],
        engine=ran_on,
    )
    return df


@dataclass
class BalanceResult:
    """Result of :func:`balance`: a table per partner and the products behind it."""

    summary: pd.DataFrame
    products: pd.DataFrame


def balance(
    importer: str = "NLD",
    year: int | None = None,
    *,
    partner: str | None = None,
    method: str = "eu2021",
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    thresholds: Thresholds | None = None,
    command: str | None = None,
    engine: str | Engine | None = None,
) -> BalanceResult:
    """Mutual dependency of ``importer`` and each partner (``ketenradar balance``); the
    screenings run on ``engine`` (as :func:`screen`), the balance of their results here."""
    if method not in METHOD_COLUMNS:
        raise UsageError(f"unknown method '{method}' (use one of {', '.join(METHOD_COLUMNS)})")
    store = open_store(data_dir)
    registry = GroupRegistry(user_groups_file(store.root))
    th = thresholds or default_thresholds()
    ds = choose_trade_dataset(store, dataset, year)
    with open_trade(ds, engine=engine) as session:
        require(session.engine, BALANCE)
        ran_on = session.provenance()
        year = _check_year(session, year)
        own_sets = _importer_sets(session, registry, importer, year, None)
        all_sets = _importer_sets(session, registry, "all", year, None)
        partners = None
        if partner:
            pg = registry.resolve(partner)
            partners = sorted(pg.members)
            all_sets = [s for s in all_sets if s.label in pg.members]
        kw = {
            "thresholds": th,
            "available_years": session.years,
            "world_table": session.world_table,
        }
        own = _screen(session.engine, own_sets, year, **kw)
        others = _screen(session.engine, all_sets, year, **kw)
    if method == "geodep" and own["dependent_geodep"].isna().all():
        raise UsageError(f"method geodep needs years {year - 2}–{year} loaded")
    summary, products = mutual_dependency(
        own, others, frozenset(own_sets[0].members), method=method, partners=partners
    )
    summary.insert(0, "year", year)
    summary.insert(1, "importer", own_sets[0].label)
    prov = make_provenance(
        analysis="mutual dependency balance",
        methods=[METHOD_EU2021 if method == "eu2021" else METHOD_GEODEP],
        datasets=[ds.manifest.provenance()],
        parameters={
            "importer": importer,
            "year": year,
            "partner": partner or "all",
            "method": method,
        },
        thresholds=th.as_dict(),
        command=command,
        notes=[
            materiality_note(th),
            "importer side: the importer's dependent products whose top external supplier is "
            "the partner; partner side: the partner's dependent products (partner screened as "
            "importer, same method) whose top supplier is a member of the importer set",
            "balance_ratio_*: partner side / importer side (>1: the partner depends more on "
            "the importer than the other way round)",
        ],
        engine=ran_on,
    )
    summary.attrs["provenance"] = prov
    products.attrs["provenance"] = prov
    return BalanceResult(summary, products)


def supplier_shares(
    importer: str,
    year: int,
    products: Sequence[str],
    *,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    top: int = 5,
    engine: str | Engine | None = None,
) -> pd.DataFrame:
    """Shares of the importer set's imports of ``products`` by supplier (top ``top`` + other).

    Shares are of all the set's imports, as the screening's ``imports_kusd``: a member's
    imports from itself are left out, trade between members of a bloc is kept, and
    ``external`` marks the suppliers outside the reference bloc (empty for ``other``).
    Columns: ``product, supplier, value_kusd, share, external``. Runs on DuckDB only (a
    parameterised query): another ``engine`` refuses with a capability error.
    """
    store = open_store(data_dir)
    registry = GroupRegistry(user_groups_file(store.root))
    ds = choose_trade_dataset(store, dataset, year)
    g = registry.resolve(importer)
    ref = default_reference(g.members)
    with open_trade(ds, engine=engine) as session:
        require(session.engine, SUPPLIER_SHARES)
        df = session.con.execute(
            """
            SELECT product, exporter AS supplier, sum(value_kusd) AS value_kusd
            FROM trade
            WHERE year = ? AND importer IN (SELECT unnest(?::VARCHAR[]))
              AND exporter <> importer AND product IN (SELECT unnest(?::VARCHAR[]))
            GROUP BY ALL
            """,
            [year, sorted(g.members), list(products)],
        ).df()
    if df.empty:
        return pd.DataFrame(columns=["product", "supplier", "value_kusd", "share", "external"])
    df["share"] = df["value_kusd"] / df.groupby("product")["value_kusd"].transform("sum")
    # ties broken by supplier code, so the top-N is the same on every run
    df = df.sort_values(
        ["product", "value_kusd", "supplier"], ascending=[True, False, True], kind="stable"
    )
    df["rank"] = df.groupby("product").cumcount()
    head = df[df["rank"] < top]
    rest = (
        df[df["rank"] >= top]
        .groupby("product", as_index=False)[["value_kusd", "share"]]
        .sum()
        .assign(supplier="other")
    )
    res = pd.concat([head, rest], ignore_index=True)
    external = ~res["supplier"].isin(ref.members if ref.name else g.members)
    res["external"] = external.astype("boolean").mask(res["supplier"] == "other")
    return res[["product", "supplier", "value_kusd", "share", "external"]].reset_index(drop=True)


def screening_history(
    importer: str,
    *,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    thresholds: Thresholds | None = None,
    reference_bloc: str | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Dependent products per ecosystem and year, over the years loaded.

    Columns: ``year, ecosystem, dependent_eu2021, dependent_geodep`` (counts; a product in
    several ecosystems counts in each; GeoDep NA where Y-2..Y are not all loaded).
    """
    store = open_store(data_dir)
    if years is None:
        ds = choose_trade_dataset(store, dataset, None)
        years = [int(y) for y in ds.manifest.tables["trade"]["years"]]
        dataset = ds.name
    parts = []
    for y in years:
        df = screen(
            importer,
            y,
            reference_bloc=reference_bloc,
            dataset=dataset,
            data_dir=data_dir,
            thresholds=thresholds,
        )
        eco = df.assign(ecosystem=df["ecosystem"].str.split("; ")).explode("ecosystem")
        geo_known = not df["dependent_geodep"].isna().all()
        agg = eco.groupby("ecosystem").agg(
            dependent_eu2021=("dependent_eu2021", "sum"),
            dependent_geodep=("dependent_geodep", lambda s: s.fillna(False).sum()),
        )
        agg["year"] = y
        if not geo_known:
            agg["dependent_geodep"] = pd.NA
        parts.append(agg.reset_index())
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if not out.empty:
        out["dependent_eu2021"] = out["dependent_eu2021"].astype("int64")
        out["dependent_geodep"] = out["dependent_geodep"].astype("Int64")
    return out[["year", "ecosystem", "dependent_eu2021", "dependent_geodep"]] if len(out) else out


def screening_report(
    df: pd.DataFrame,
    output: Path | str,
    *,
    data_dir: Path | str | None = None,
    dataset: str | None = None,
    top: int = 15,
) -> Path:
    """Write a self-contained HTML report of a screening result (opens offline)."""
    from ketenradar.core.files import atomic_path
    from ketenradar.modules.trade.report import render_screening_report

    prov = df.attrs["provenance"]
    importer = str(prov["parameters"]["importer"])
    year = int(prov["parameters"]["year"])
    if importer.lower() == "all":
        raise UsageError("the HTML report is made for one importer set, not 'all'")
    dataset = dataset or prov["datasets"][0]["dataset"]
    dep = df[df["dependent_eu2021"] | df["dependent_geodep"].fillna(False)]
    top_products = dep.nlargest(top, "external_imports_kusd")["product"].tolist()
    suppliers = supplier_shares(importer, year, top_products, dataset=dataset, data_dir=data_dir)
    history = screening_history(
        importer,
        dataset=dataset,
        data_dir=data_dir,
        reference_bloc=prov["parameters"].get("reference_bloc")
        if not str(prov["parameters"].get("reference_bloc", "")).startswith("default")
        else None,
    )
    html = render_screening_report(df, history, suppliers, prov)
    output = Path(output)
    with atomic_path(output) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return output
