"""The industry module's Python API (issue 18), mirroring ``ketenradar industry …``: the EU
ETS verified emissions per year or per installation (:func:`emissions`) and the
installations assigned to the industrial clusters with the emissions per cluster
(:func:`clusters`), the emissions against targets (:func:`targets`) and the electricity
cost stack of the speelveldtoets (:func:`costs`), the subsidy instruments
(:func:`instruments`), the KPIs of letter 003 (:func:`kpis`) and the maatwerk companies
(:func:`companies`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ketenradar.core.errors import MissingDataError, NotFoundError, UsageError
from ketenradar.core.progress import Progress, Steps
from ketenradar.core.provenance import new_provenance
from ketenradar.core.results import Result
from ketenradar.datasets import open_store
from ketenradar.datasets.engine import read_table
from ketenradar.datasets.kinds import choose_dataset
from ketenradar.modules.industry.facts import (
    ASSIGNMENT_COLUMNS,
    CLUSTER_COLUMNS,
    COMPANY_COLUMNS,
    COMPANY_SUMMARY_COLUMNS,
    COST_COLUMNS,
    EFFECT_COLUMNS,
    FIGURE_COLUMNS,
    GAP_COLUMNS,
    GROUP_COLUMN_NAMES,
    GROUP_COLUMNS,
    INSTALLATION_COLUMN_NAMES,
    INSTALLATION_COLUMNS,
    KPI_COLUMNS,
    KPI_SERIES_COLUMNS,
    OVERSUBSCRIPTION_COLUMNS,
    TARGET_ASSESSMENT_COLUMNS,
    TOTAL_COLUMN_NAMES,
    TOTAL_COLUMNS,
    TRAJECTORY_COLUMNS,
)

if TYPE_CHECKING:
    from ketenradar.places.regions import Regions

__all__ = [
    "BY",
    "clusters",
    "companies",
    "costs",
    "emissions",
    "instruments",
    "kpis",
    "targets",
    "totals_per_year",
]

#: What :func:`emissions` groups by.
BY = ("year", "installation", "sector", "holder")
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


def per_group(rows: pd.DataFrame) -> pd.DataFrame:
    """Per ``group`` and year: verified emissions (rows with a verified number), free
    allocation and installations with a number (``GROUP_COLUMN_NAMES``), largest first."""
    verified = rows["status"] == "verified"
    r = rows.assign(_v=rows["verified_t"].where(verified), _n=verified.astype("int64"))
    out = (
        r.groupby(["year", "group"], sort=True)
        .agg(
            verified_t=("_v", lambda s: s.sum(min_count=1)),
            free_allocation_t=("free_allocation_t", lambda s: s.sum(min_count=1)),
            installations=("_n", "sum"),
        )
        .reset_index()
        .sort_values(["year", "verified_t"], ascending=[True, False], kind="stable")
    )
    out = out.astype({"year": "int64", "installations": "int64"})
    return out[GROUP_COLUMN_NAMES].reset_index(drop=True)


def emissions(
    *,
    by: str = "year",
    country: str = "NL",
    year: int | None = None,
    company: str | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """EU ETS verified emissions of one registry (default the Netherlands).

    ``by="year"``: table ``emissions`` with the total of the stationary installations and
    their number per year (aircraft operators in columns of their own); ``by="installation"``:
    one row per installation and year (aircraft operators left out); ``by="sector"`` or
    ``by="holder"`` (the company: the EUTL account holder): one row per sector or holder and
    year with the verified emissions, free allocation and installations with a number
    (table ``GROUP_COLUMN_NAMES``). ``year`` keeps one year; ``company`` (a KvK number, the
    EUTL's ``CompanyRegistrationNo``) keeps one company's installations, whatever their
    holder's spelling. ``dataset``: the ``ets_emissions`` dataset (default the only one in
    the store)."""
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
    notes = []
    if company is not None:
        inst, note = _of_company(inst, company.strip(), country, ds.name)
        rows = rows[rows["installation_id"].isin(inst["installation_id"])]
        notes.append(note)
    if year is not None:
        rows = rows[rows["year"] == year]
        if rows.empty:
            raise UsageError(f"no emissions for {year} in dataset '{ds.name}'", field="year")
    steps("totals" if by == "year" else "installations")
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
            keep[["installation_id", "name", "holder", "company_reg_no", "city", "activity_label"]],
            on="installation_id",
            how="inner",
        )
        df = df.sort_values(["year", "verified_t"], ascending=[True, False], kind="stable")
        if by == "installation":
            df = df[INSTALLATION_COLUMN_NAMES].reset_index(drop=True)
            df["year"] = df["year"].astype("int64")
            columns = INSTALLATION_COLUMNS
        else:
            from ketenradar.modules.industry.analysis.clusters import sector

            codes = keep.set_index("installation_id")["activity_code"]
            df = df.assign(sector=df["installation_id"].map(codes).map(sector))
            df = df.assign(group=df[by].fillna("unknown"))
            df = per_group(df)
            columns = GROUP_COLUMNS
    prov = new_provenance(
        analysis="industry emissions",
        methods=METHODS,
        datasets=[ds.manifest.provenance()],
        parameters={"by": by, "country": country, "year": year, "company": company},
        command=command,
        notes=notes,
    )
    return Result({"emissions": df}, prov, {"emissions": columns})


def _of_company(
    inst: pd.DataFrame, company: str, country: str, dataset: str
) -> tuple[pd.DataFrame, str]:
    """The installations of the company with KvK number ``company`` and the note naming its
    holders; a UsageError for a malformed number, a NotFoundError for an unknown one."""
    import re

    if not re.fullmatch(r"\d{8}", company):
        raise UsageError(
            f"company {company!r}: a KvK number has 8 digits (e.g. 34040331)", field="company"
        )
    mine = inst[(inst["company_reg_no"] == company) & (inst["country"] == country)]
    if mine.empty:
        raise NotFoundError(
            f"no installation of company (KvK) {company} in dataset '{dataset}'", field="company"
        )
    names = sorted(mine["holder"].dropna().unique())
    return mine, f"company KvK {company}: " + "; ".join(names)


CLUSTER_METHODS = [
    "Installations → clusters (docs/methods/industry.md): each stationary installation "
    "located from its EUTL city string (the municipality a '(GEM. X)' names, else the place "
    "table woonplaats → municipality of geo/nl/woningwaardering, the cluster file's aliases "
    "and installations located by hand), then municipality → COROP → province (CBS); the "
    "cluster that lists its municipality, else its COROP region, else its province, else "
    "cluster 6; installations that cannot be located listed as unassigned, never dropped",
    "Per cluster and year: verified emissions of the installations with a verified number, "
    "their number and their free allocation (as in `industry emissions`)",
]
#: What :func:`clusters` answers with.
CLUSTER_TABLES = ("clusters", "installations", "unassigned")


def _geo(shared: Path | str | None) -> tuple[Regions, dict[str, tuple[str, ...]]]:
    """The municipality lookup and the place table, or a MissingDataError naming the folder."""
    from ketenradar.places.regions import GEO, PLACES, place_table, regions, shared_root

    root = shared_root(shared)
    table = regions(root)
    if not table.available or not (root / PLACES).is_file():
        raise MissingDataError(
            f"the map data {GEO} is not found under {root} (the CBS area divisions and the "
            "place table locate the installations; set KETENRADAR_SHARED_DATA)",
            field="shared_data",
        )
    return table, place_table(root)


def clusters(
    *,
    year: int | None = None,
    clusters_file: Path | str | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    shared: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """The Dutch ETS installations assigned to the five industrial clusters and cluster 6,
    and the emissions per cluster and year.

    Tables: ``clusters`` (per year and cluster: verified emissions, installations with a
    verified number, free allocation; the unassigned installations in a row of their own, so
    the rows add up to the national total), ``installations`` (one row per stationary
    installation: municipality, COROP, province, sector, cluster and the basis) and
    ``unassigned`` (those that could not be located, with the reason). ``year`` keeps one
    year of ``clusters``; ``clusters_file`` a cluster file of one's own (default
    ``data/clusters.yaml``); ``shared`` the shared data folder with ``geo/nl``."""
    from ketenradar.modules.industry.analysis.clusters import UNASSIGNED, assign, per_cluster
    from ketenradar.modules.industry.cluster_map import load_cluster_map

    steps = Steps(3, progress)
    steps("reading the cluster file and the map data")
    regions_table, places = _geo(shared)
    cmap = load_cluster_map(clusters_file, regions_table, places)
    steps("reading the ETS dataset")
    ds = choose_dataset(open_store(data_dir), KIND, dataset)
    inst = read_table(ds, "installations")
    rows = read_table(ds, "emissions")
    keep = inst[(inst["country"] == "NL") & ~inst["is_aircraft_operator"].astype(bool)]
    if keep.empty:
        raise UsageError(f"no Dutch installations in dataset '{ds.name}'", field="dataset")
    if year is not None:
        rows = rows[rows["year"] == year]
        if rows.empty:
            raise UsageError(f"no emissions for {year} in dataset '{ds.name}'", field="year")
    steps("assigning installations to clusters")
    corop_at = None
    if ds.has_table("locations"):
        from ketenradar.places.maps import region_map

        keep = keep.merge(
            read_table(ds, "locations")[["installation_id", "latitude", "longitude"]],
            on="installation_id",
            how="left",
        )
        outlines = region_map("corop", shared)
        if outlines is not None:

            def corop_at(lon: float, lat: float) -> str | None:
                found = outlines.region_at(lon, lat)
                return found.name if found is not None else None

    assignment = assign(
        keep, regions_table, places, cmap.rules, cmap.aliases, cmap.overrides, corop_at
    )
    assignment = assignment.sort_values(["cluster", "installation_id"], kind="stable")
    rank = {c: i for i, c in enumerate(cmap.order)}
    assignment = assignment.iloc[assignment["cluster"].map(rank).argsort(kind="stable")]
    assignment = assignment.reset_index(drop=True)
    exports = {i.name for i in ds.manifest.inputs if i.role == "eutl_export"}
    per = per_cluster(assignment, rows, cmap.order, exports)
    unassigned = assignment[assignment["cluster"] == UNASSIGNED].reset_index(drop=True)
    counts = assignment["cluster"].value_counts()
    notes = [
        f"{len(assignment)} stationary installations: "
        + ", ".join(f"{c} {int(counts.get(c, 0))}" for c in cmap.order),
        f"cluster file: {cmap.file}",
        *(f"{name}: {src}" for name, src in cmap.sources.items()),
    ]
    if corop_at is not None:
        notes.append(coordinate_check(assignment))
    partial = sorted(per.loc[per["coverage"] != "all", "year"].unique().tolist())
    if partial:
        notes.append(
            "years " + ", ".join(map(str, partial)) + " come from the large-installation "
            "table only: a subset, not the cluster totals"
        )
    prov = new_provenance(
        analysis="industry clusters",
        methods=CLUSTER_METHODS,
        datasets=[ds.manifest.provenance()],
        parameters={"year": year, "clusters_file": cmap.file},
        command=command,
        notes=notes,
    )
    tables = {"clusters": per, "installations": assignment, "unassigned": unassigned}
    return Result(
        tables,
        prov,
        {
            "clusters": CLUSTER_COLUMNS,
            "installations": ASSIGNMENT_COLUMNS,
            "unassigned": ASSIGNMENT_COLUMNS,
        },
    )


def coordinate_check(assignment: pd.DataFrame) -> str:
    """The note that compares the COROP region of each installation's coordinates with the
    one its city gives (the located installations with coordinates inside the outlines)."""
    from ketenradar.places.regions import key

    has = assignment[assignment["latitude"].notna()]
    inside = has[has["corop_at_coordinates"].notna()]
    both = inside[inside["corop"].notna()]
    same = both["corop"].map(key) == both["corop_at_coordinates"].map(key)
    differ = both.loc[~same, "installation_id"].tolist()
    return (
        f"coordinates (euets.info, geocoded addresses) for {len(has):,} of {len(assignment):,} "
        f"installations; of the {len(both):,} located by city whose coordinates lie inside the "
        f"CBS 2015 COROP outlines, {int(same.sum()):,} lie in the COROP region their city "
        f"gives and {len(differ):,} in another"
        + (f" ({', '.join(differ[:8])}{' …' if len(differ) > 8 else ''})" if differ else "")
        + f"; {len(has) - len(inside):,} lie outside the coarse outlines (coast, border)"
    )


TARGET_METHODS = [
    "Emissions against targets (docs/methods/industry.md): the verified emissions of the "
    "target's scope per year; achieved pace = (latest − base) / years between, over complete "
    "years only; required pace = (target level − latest) / years left; projected = latest + "
    "achieved pace × years left; gap = projected − target level; met / on track / off track",
]
#: What :func:`targets` answers with.
TARGET_TABLES = ("targets", "trajectory")


def targets(
    *,
    targets_file: Path | str | None = None,
    target: str | None = None,
    clusters_file: Path | str | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    shared: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """The Dutch ETS emissions against the targets of ``targets_file`` (default the module's
    ``data/targets.yaml``: letter 003's 20 Mt and the EU ETS −62 %).

    Tables: ``targets`` (one row per target: base, target level, latest complete year,
    achieved and required pace, projected level, gap, status, source) and ``trajectory``
    (per target and year: the actual emissions of its scope beside the straight path from the
    base year to the target). ``target`` keeps one target by id. A target whose scope names
    clusters needs the map data (``shared``) and uses ``clusters_file``."""
    from ketenradar.modules.industry.analysis.clusters import assign, sector
    from ketenradar.modules.industry.analysis.targets import (
        assess,
        assessment_rows,
        scope_series,
        trajectory,
    )
    from ketenradar.modules.industry.cluster_map import load_cluster_map
    from ketenradar.modules.industry.targets_file import DEFAULT, load_targets

    steps = Steps(3, progress)
    steps("reading the targets")
    chosen = load_targets(targets_file)
    if target is not None:
        chosen = [t for t in chosen if t.id == target]
        if not chosen:
            ids = ", ".join(t.id for t in load_targets(targets_file))
            raise UsageError(f"no target '{target}' (the file has: {ids})", field="target")
    steps("reading the ETS dataset")
    ds = choose_dataset(open_store(data_dir), KIND, dataset)
    inst = read_table(ds, "installations")
    rows = read_table(ds, "emissions")
    keep = inst[(inst["country"] == "NL") & ~inst["is_aircraft_operator"].astype(bool)]
    if keep.empty:
        raise UsageError(f"no Dutch installations in dataset '{ds.name}'", field="dataset")
    keep = keep.assign(sector=keep["activity_code"].map(sector), cluster=None)
    cluster_file = None
    if any(t.clusters for t in chosen):
        regions_table, places = _geo(shared)
        cmap = load_cluster_map(clusters_file, regions_table, places)
        cluster_file = cmap.file
        for i, t in enumerate(chosen):
            unknown = [c for c in t.clusters if c not in cmap.order]
            if unknown:
                raise UsageError(
                    f"target '{t.id}': unknown cluster '{unknown[0]}' (the cluster file has: "
                    f"{', '.join(cmap.order)})",
                    field=f"targets[{i}].clusters",
                )
        a = assign(keep, regions_table, places, cmap.rules, cmap.aliases, cmap.overrides)
        keep = keep.drop(columns="cluster").merge(
            a[["installation_id", "cluster"]], on="installation_id"
        )
    exports = {i.name for i in ds.manifest.inputs if i.role == "eutl_export"}
    em = rows.merge(keep[["installation_id", "sector", "cluster"]], on="installation_id")
    complete = em.groupby("year")["source"].agg(lambda s: s.isin(exports).any())
    em["coverage"] = em["year"].map(complete).map({True: "all", False: "large only"})
    steps("comparing with the targets")
    pairs, paths, notes = [], [], []
    for t in chosen:
        series = scope_series(em, t)
        try:
            a = assess(series, t)
        except ValueError as exc:
            raise UsageError(f"target '{t.id}': {exc}", field="target") from None
        pairs.append((t, a))
        paths.append(trajectory(series, t, a.baseline_t))
        if t.judgement:
            notes.append(f"{t.id}: {t.judgement}")
    partial = sorted(em.loc[em["coverage"] != "all", "year"].unique().tolist())
    if partial:
        notes.append(
            "years " + ", ".join(map(str, partial)) + " come from the large-installation table "
            "only (a subset): shown in the trajectory, not used in a pace"
        )
    prov = new_provenance(
        analysis="industry targets",
        methods=TARGET_METHODS,
        datasets=[ds.manifest.provenance()],
        parameters={
            "targets_file": str(Path(targets_file) if targets_file else DEFAULT),
            "target": target,
            "clusters_file": cluster_file,
        },
        command=command,
        notes=notes,
    )
    tables = {"targets": assessment_rows(pairs), "trajectory": pd.concat(paths, ignore_index=True)}
    return Result(
        tables, prov, {"targets": TARGET_ASSESSMENT_COLUMNS, "trajectory": TRAJECTORY_COLUMNS}
    )


COST_METHODS = [
    "Speelveldtoets cost stack (docs/methods/industry.md): per country and year, commodity = "
    "mean of the 12 monthly day-ahead averages (Ember); supply, network and other = Eurostat "
    "nrg_pc_205 excluding taxes (the profile's band, mean of the two semesters) minus the "
    "commodity (a residual); taxes and levies = excluding VAT minus excluding taxes; "
    "adjustments from a user-editable table; indirect cost compensation = aid intensity × "
    "CO2 price × emission factor × 0.8 × eligible share (EU ETS state-aid guidelines, "
    "fallback benchmark)",
]
#: What :func:`costs` answers with.
COST_TABLES = ("costs", "gaps")
PRICES_KIND = "electricity_prices"
WHOLESALE_KIND = "wholesale_prices"


def costs(
    profile: Any,
    *,
    scenario: Any = None,
    ikc_file: Path | str | None = None,
    adjustments_file: Path | str | None = None,
    prices_dataset: str | None = None,
    wholesale_dataset: str | None = None,
    vintage: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """The electricity cost stack of a consumer profile in the Netherlands and its
    neighbours (the speelveldtoets), per year, and the Netherlands' gap to each.

    ``profile``: a :class:`~ketenradar.modules.industry.cost_profile.CostProfile`, a dict of
    its fields or the path of a profile document. Tables: ``costs`` (per country and year:
    the components in EUR/MWh, the total in EUR/MWh and EUR a year) and ``gaps`` (per year,
    neighbour and component: the reference's minus the neighbour's, EUR/MWh; positive: the
    reference pays more). Needs an ``electricity_prices`` dataset (``data add
    eurostat_prices``) and a ``wholesale_prices`` dataset (``data add ember``).

    ``scenario`` (a :class:`~ketenradar.modules.industry.cost_profile.CostScenario` or the
    path of a scenario document): changes to the compensation (aid intensity, emission
    factor, eligibility: a scheme extended to more sectors) and support budgets a year per
    country; adds the tables ``scenario`` (the stack under the scenario) and
    ``scenario_effect`` (per country and year: the total without and with it, the change).

    ``vintage``: the Eurostat prices of one file the dataset was built from (its name, or
    its vintage label, as in the dataset's table ``releases``) instead of the newest release
    of each value: the stack as an older release gave it, before Eurostat's revisions."""
    from ketenradar.core.countries import iso2_to_iso3
    from ketenradar.modules.industry.analysis.cost_stack import cost_stack, gaps
    from ketenradar.modules.industry.cost_profile import (
        CostProfile,
        check_profile,
        ikc_parameters,
        load_adjustments,
        load_ikc,
        load_profile,
    )

    steps = Steps(3, progress)
    steps("reading the profile and the parameters")
    if isinstance(profile, CostProfile):
        spec = profile
    elif isinstance(profile, dict):
        spec = check_profile(profile)
    else:
        spec = load_profile(profile)
    ikc_table, ikc_notes, ikc_path = load_ikc(ikc_file)
    adjustments, adjustments_path = load_adjustments(adjustments_file)
    prof = spec.profile(adjustments)
    countries = {}
    for c in spec.countries:
        iso3 = iso2_to_iso3(c)
        if iso3 is None:
            raise UsageError(f"country '{c}' is not a country code Ember uses", field="countries")
        countries[c] = iso3
    steps("reading the price datasets")
    store = open_store(data_dir)
    ds_prices = choose_dataset(store, PRICES_KIND, prices_dataset)
    ds_whole = choose_dataset(store, WHOLESALE_KIND, wholesale_dataset)
    retail = _retail(ds_prices, prof.band, vintage)
    commodity = _commodity(ds_whole)
    steps("stacking the costs")
    years = range(spec.first_year, spec.last_year + 1)
    held = spec.hold_prices_after
    if held is not None:  # a constant-price projection: later years at the prices of `held`
        retail = _held(retail, "geo", held, years)
        commodity = _held(commodity, "country", held, years)
    params = ikc_parameters(ikc_table, spec)
    stack = cost_stack(prof, retail, commodity, countries, years, params)
    gap = gaps(stack, spec.reference)
    tables = {"costs": stack, "gaps": gap}
    schemas: dict[str, Any] = {"costs": COST_COLUMNS, "gaps": GAP_COLUMNS}
    scenario_note = None
    if scenario is not None:
        from ketenradar.modules.industry.analysis.cost_stack import apply_scenario
        from ketenradar.modules.industry.cost_profile import CostScenario, load_scenario

        scen = scenario if isinstance(scenario, CostScenario) else load_scenario(scenario)
        changes = scen.scenario_changes()
        needs_price = [
            c
            for c in changes
            if (c.eligible or c.aid_intensity is not None)
            and not any(spec.co2_price(y) is not None for y in years)
        ]
        if needs_price:
            raise UsageError(
                f"scenario '{scen.name}' changes the compensation in {needs_price[0].country}: "
                "give the CO2 price (co2_price_eur_t, --co2-price)",
                field="co2_price_eur_t",
            )
        prices = {y: spec.co2_price(y) for y in years}
        s_prof, s_ikc, s_eligible = apply_scenario(
            prof, params, changes, list(countries), list(years), prices
        )
        s_stack = cost_stack(s_prof, retail, commodity, countries, years, s_ikc, s_eligible)
        effect = stack[["country", "year", "total_eur_mwh"]].copy()
        effect["scenario_total_eur_mwh"] = s_stack["total_eur_mwh"].to_numpy()
        effect["scenario_change_eur_mwh"] = (
            effect["scenario_total_eur_mwh"] - effect["total_eur_mwh"]
        )
        effect["scenario_change_eur_year"] = (
            effect["scenario_change_eur_mwh"] * prof.consumption_mwh
        )
        tables |= {"scenario": s_stack, "scenario_effect": effect}
        schemas |= {"scenario": COST_COLUMNS, "scenario_effect": EFFECT_COLUMNS}
        scenario_note = f"scenario '{scen.name}'" + (f" ({scen.source})" if scen.source else "")
    low, high = BAND_BOUNDS[prof.band]
    notes = [
        f"profile '{spec.name}': {spec.consumption_mwh:,.0f} MWh a year, load factor "
        f"{spec.load_factor:.2f} ({prof.full_load_hours:,.0f} full-load hours, peak "
        f"{prof.peak_mw:,.1f} MW): Eurostat band {prof.band} ("
        + (f"{low} to {high}" if high else low)
        + " MWh a year)",
        "supply, network and other is a residual (Eurostat excluding taxes minus the "
        "day-ahead average): network charges, supply costs and margins, and hedging",
        f"Eurostat release: {ds_prices.manifest.release}; Ember release: "
        f"{ds_whole.manifest.release}",
    ]
    if vintage is not None:
        notes.append(
            f"Eurostat prices of one vintage only: {vintage} (values revised in a later release "
            "are as this one gave them; see `data show` for the releases)"
        )
    if held is not None and spec.last_year > held:
        notes.append(
            f"years {held + 1}–{spec.last_year}: the prices of {held} held constant (a "
            "projection at constant prices, not a forecast)"
        )
    missing = stack.loc[stack["total_eur_mwh"].isna(), ["country", "year"]]
    if not missing.empty:
        notes.append(
            "no total where a price is missing: "
            + ", ".join(f"{c} {y}" for c, y in missing.itertuples(index=False))
        )
    if spec.ikc_eligible:
        notes.append(
            f"indirect cost compensation: parameters {ikc_path}; CO2 price from the profile "
            f"(user input): {spec.co2_price_eur_t}; eligible share {spec.eligible_share}"
        )
        notes += [f"{c}: {n}" for c, n in ikc_notes.items() if c in countries]
        no_scheme = sorted(c for c in countries if not any(k[0] == c for k in ikc_table))
        if no_scheme:
            notes.append("no compensation scheme in the table for " + ", ".join(no_scheme))
    if prof.adjustments:
        notes += [f"adjustment '{a.name}' ({a.country}): {a.source}" for a in prof.adjustments]
    flags = sorted(set("".join(stack["eurostat_flags"].fillna(""))))
    if flags:
        notes.append(
            "Eurostat flags present: "
            + ", ".join(f"{f} ({EUROSTAT_FLAGS.get(f, 'see Eurostat')})" for f in flags)
        )
    if scenario_note:
        notes.append(scenario_note)
    prov = new_provenance(
        analysis="industry costs",
        methods=COST_METHODS,
        datasets=[ds_prices.manifest.provenance(), ds_whole.manifest.provenance()],
        parameters={
            "profile": spec.model_dump(mode="json"),
            "band": prof.band,
            "ikc_file": ikc_path,
            "adjustments_file": adjustments_path,
            "vintage": vintage,
        },
        command=command,
        notes=notes,
    )
    return Result(tables, prov, schemas)


# A dataset version never changes (a new ingest is a new version, in a new folder), so the
# yearly prices derived from one are kept per version: the calculator answers a new profile
# without reading the Parquet files again.


_PER_VERSION: dict[tuple[str, ...], pd.DataFrame] = {}
_PER_VERSION_LOCK = threading.Lock()
#: How many derived tables :func:`_per_version` keeps.
PER_VERSION_MAX = 32


def _per_version(ds: Any, what: str, compute: Any) -> pd.DataFrame:
    """``compute(ds)`` kept per dataset version (the :data:`PER_VERSION_MAX` most recent).
    The web app's request threads share it: the dictionary is only read and changed under a
    lock, the computation runs outside it (two threads may both compute a missing entry)."""
    key = (str(ds.path), str(ds.manifest.version), what)
    with _PER_VERSION_LOCK:
        hit = _PER_VERSION.get(key)
    if hit is None:
        hit = compute(ds)
        with _PER_VERSION_LOCK:
            while len(_PER_VERSION) >= PER_VERSION_MAX:
                _PER_VERSION.pop(next(iter(_PER_VERSION)))
            _PER_VERSION[key] = hit
    return hit


def _held(frame: pd.DataFrame, key: str, held: int, years: Any) -> pd.DataFrame:
    """``frame`` (per ``key`` and year) with every year after ``held`` replaced by a copy of
    the rows of ``held``."""
    base = frame[frame["year"] == held]
    later = [y for y in years if y > held]
    copies = [base.assign(year=y) for y in later]
    return pd.concat([frame[frame["year"] <= held], *copies], ignore_index=True)


def _retail(ds: Any, band: str, vintage: str | None = None) -> pd.DataFrame:
    from ketenradar.modules.industry.analysis.cost_stack import retail_per_year

    if vintage is None:
        newest = [v.split(": ", 1)[0] for v in ds.manifest.attributes.get("vintages", [])]
        return _per_version(
            ds, band, lambda d: retail_per_year(read_table(d, "prices"), band, newest)
        )
    return _per_version(
        ds, f"{band}|{vintage}", lambda d: retail_per_year(vintage_prices(d, vintage), band)
    )


def vintage_prices(ds: Any, vintage: str) -> pd.DataFrame:
    """The prices of one file of an ``electricity_prices`` dataset (by file name or vintage
    label, from its table ``releases``); a UsageError naming the vintages there are."""
    if not ds.has_table("releases"):
        raise UsageError(
            f"dataset '{ds.name}' keeps no releases (ingested before vintages were kept): add "
            "it again with `ketenradar data add eurostat_prices …`",
            field="vintage",
        )
    rows = read_table(ds, "releases")
    mine = rows[(rows["source"] == vintage) | (rows["vintage"] == vintage)]
    if mine.empty:
        have = "; ".join(
            f"{s} ({v})" for s, v in rows[["source", "vintage"]].drop_duplicates().to_numpy()
        )
        raise UsageError(
            f"no vintage {vintage!r} in dataset '{ds.name}' (it has: {have})", field="vintage"
        )
    if mine["source"].nunique() > 1:
        raise UsageError(
            f"vintage {vintage!r} names {mine['source'].nunique()} files: give the file name",
            field="vintage",
        )
    return mine.drop(columns=["vintage", "kept"]).reset_index(drop=True)


def _commodity(ds: Any) -> pd.DataFrame:
    from ketenradar.modules.industry.analysis.cost_stack import commodity_per_year

    return _per_version(ds, "commodity", lambda d: commodity_per_year(read_table(d, "prices")))


#: Eurostat's consumption band bounds for the notes: band → (from, to) in MWh a year.
BAND_BOUNDS = {
    "IA": ("under 20", None),
    "IB": ("20", "499"),
    "IC": ("500", "1,999"),
    "ID": ("2,000", "19,999"),
    "IE": ("20,000", "69,999"),
    "IF": ("70,000", "149,999"),
    "IG": ("150,000 or more", None),
}
#: Eurostat's observation flags.
EUROSTAT_FLAGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "n": "not significant",
    "p": "provisional",
    "u": "low reliability",
}


INSTRUMENT_METHODS = [
    "Instruments (docs/methods/industry.md): the figures the letters publish per instrument "
    "and round, each with its source; oversubscription = requested / budget of a round",
]
#: What :func:`instruments` answers with.
INSTRUMENT_TABLES = ("figures", "oversubscription")


def instruments(
    *, instruments_file: Path | str | None = None, command: str | None = None
) -> Result:
    """The subsidy instruments the letters name (SDE++, NIKI, VEKI, DEI+, Flex-e, IKC-ETS):
    tables ``figures`` (budgets, requests, awards and reservations per round, each with its
    source) and ``oversubscription`` (per round with a budget: requested / budget).
    ``instruments_file`` adds a user's rows to the shipped ones."""
    from ketenradar.modules.industry.analysis.instruments import oversubscription
    from ketenradar.modules.industry.instruments_file import load_instruments

    figures, files = load_instruments(instruments_file)
    over = oversubscription(figures)
    notes = [
        "figures as published in the letters: nominal euros, no price-year conversion",
        "an instrument without a published figure is listed as 'named'",
    ]
    prov = new_provenance(
        analysis="industry instruments",
        methods=INSTRUMENT_METHODS,
        datasets=[],
        parameters={"files": files},
        command=command,
        notes=notes,
    )
    return Result(
        {"figures": figures, "oversubscription": over},
        prov,
        {"figures": FIGURE_COLUMNS, "oversubscription": OVERSUBSCRIPTION_COLUMNS},
    )


KPI_METHODS = [
    "KPIs of letter 003 (docs/methods/industry.md): each target with its source beside the "
    "latest value of its series (CBS StatLine or World Bank WDI, as loaded); 'no data' where "
    "the series is not loaded, with the command that loads it",
]
#: What :func:`kpis` answers with.
KPI_TABLES = ("kpis", "series")


def _kpi_series(spec: Any, store: Any) -> tuple[pd.DataFrame | None, Any]:
    """The series of one KPI from the store (``None`` when its dataset or rows are absent)
    and the dataset it came from."""
    s = spec.series
    try:
        ds = choose_dataset(store, s.kind)
    except (NotFoundError, UsageError):
        return None, None
    if s.kind == "statline_table":
        obs = read_table(ds, "observations")
        rows = obs[
            (obs["table_id"] == s.table) & (obs["code"] == s.code) & (obs["measure"] == s.measure)
        ]
        rows = rows[rows["frequency"] == "year"]
        years = pd.to_datetime(rows["period_start"]).dt.year
        out = pd.DataFrame({"year": years.to_numpy(), "value": rows["value"].to_numpy() * s.scale})
    else:
        vals = read_table(ds, "values")
        rows = vals[(vals["indicator"] == s.indicator) & (vals["country"] == s.country)]
        out = pd.DataFrame({"year": rows["year"].to_numpy(), "value": rows["value"].to_numpy()})
    if out.empty:
        return None, ds
    return out.astype({"year": "int64"}).sort_values("year").reset_index(drop=True), ds


def kpis(
    *,
    kpis_file: Path | str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
) -> Result:
    """The industrial-policy KPIs of letter 003: tables ``kpis`` (per KPI: the latest value
    and year, the target and its source, the status) and ``series`` (the actual values per
    year). A KPI whose data is not in the store has status ``no data`` and its load command
    in the notes."""
    from ketenradar.modules.industry.analysis.kpis import assess_kpi
    from ketenradar.modules.industry.kpis_file import DEFAULT, load_kpis

    specs = load_kpis(kpis_file)
    store = open_store(data_dir)
    rows, series, notes, datasets = [], [], [], {}
    for spec in specs:
        ser, ds = _kpi_series(spec, store)
        if ds is not None:
            datasets[ds.name] = ds.manifest.provenance()
        a = assess_kpi(ser, spec.target.model_dump())
        rows.append(
            {
                "kpi": spec.id,
                "kpi_name": spec.name,
                "kpi_unit": spec.unit,
                **a,
                "target_year": spec.target.year,
                "target_source": " ".join(spec.target.source.split()),
                "series_source": " ".join(spec.series.note.split()),
            }
        )
        if ser is None:
            notes.append(f"{spec.id}: no data loaded; load it with `{spec.series.load.strip()}`")
        else:
            series.append(ser.assign(kpi=spec.id)[["kpi", "year", "value"]])
    frame = pd.DataFrame(rows, columns=[c.name for c in KPI_COLUMNS])
    frame = frame.astype({"latest_year": "Int64", "target_year": "Int64"})
    ser_frame = (
        pd.concat(series, ignore_index=True)
        if series
        else pd.DataFrame(columns=["kpi", "year", "value"])
    )
    prov = new_provenance(
        analysis="industry kpis",
        methods=KPI_METHODS,
        datasets=list(datasets.values()),
        parameters={"kpis_file": str(Path(kpis_file) if kpis_file else DEFAULT)},
        command=command,
        notes=notes,
    )
    return Result(
        {"kpis": frame, "series": ser_frame},
        prov,
        {"kpis": KPI_COLUMNS, "series": KPI_SERIES_COLUMNS},
    )


COMPANY_METHODS = [
    "Maatwerk companies (docs/methods/industry.md): the installations whose EUTL account "
    "holder the companies file lists, summed per year as in `industry emissions` (verified "
    "numbers only; 'Excluded' and 'Not Reported' never as zero)",
]
#: What :func:`companies` answers with.
COMPANY_TABLES = ("emissions", "companies")


def companies(
    *,
    companies_file: Path | str | None = None,
    dataset: str | None = None,
    data_dir: Path | str | None = None,
    command: str | None = None,
) -> Result:
    """The maatwerk companies of letter 002 followed individually: tables ``emissions`` (per
    company and year: verified emissions, free allocation, installations with a number,
    coverage) and ``companies`` (each company's agreement, the EUTL holders counted as its,
    the installations found, and why none were where none were)."""
    from ketenradar.modules.industry.analysis.companies import per_company
    from ketenradar.modules.industry.companies_file import DEFAULT, load_companies

    specs = load_companies(companies_file)
    ds = choose_dataset(open_store(data_dir), KIND, dataset)
    inst = read_table(ds, "installations")
    rows = read_table(ds, "emissions")
    inst = inst[(inst["country"] == "NL") & ~inst["is_aircraft_operator"].astype(bool)]
    exports = {i.name for i in ds.manifest.inputs if i.role == "eutl_export"}
    complete = sorted(int(y) for y in rows.loc[rows["source"].isin(exports), "year"].unique())
    holders = {c.name: c.holders for c in specs}
    per = per_company(holders, inst, rows, complete)
    summary, notes = [], []
    for c in specs:
        found = int(inst["holder"].isin(c.holders).sum())
        unknown = [h for h in c.holders if h not in set(inst["holder"])]
        note = c.note
        if unknown:
            note = f"holder(s) not in the EUTL export: {', '.join(unknown)}"
        if found == 0:
            notes.append(f"{c.name}: no installation found" + (f" ({note})" if note else ""))
        summary.append(
            {
                "company": c.name,
                "stage": c.stage,
                "holders": "; ".join(c.holders),
                "installations_found": found,
                "note": " ".join(note.split()) if note else None,
            }
        )
    prov = new_provenance(
        analysis="industry companies",
        methods=COMPANY_METHODS,
        datasets=[ds.manifest.provenance()],
        parameters={"companies_file": str(Path(companies_file) if companies_file else DEFAULT)},
        command=command,
        notes=notes,
    )
    return Result(
        {"emissions": per, "companies": pd.DataFrame(summary)},
        prov,
        {"emissions": COMPANY_COLUMNS, "companies": COMPANY_SUMMARY_COLUMNS},
    )
