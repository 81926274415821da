"""The view logic of the industry pages (``pages.py``): the results of :mod:`..api` for the
user's store, cached per dataset version (a page and its downloads ask for the same
result; a new ingest is a new version, so nothing stale is served), and the rows the
templates draw.

The dashboard needs an ``ets_emissions`` dataset (``data add ets_eutl``) and, for the
clusters, the map data in the shared folder; the calculator needs ``electricity_prices`` and
``wholesale_prices`` datasets. What is missing is said on the page with the command that
loads it, never an error.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.errors import MissingDataError, NotFoundError
from ketenradar.core.results import Result
from ketenradar.core.settings import settings
from ketenradar.datasets import open_store
from ketenradar.datasets.kinds import choose_dataset, load_hint
from ketenradar.modules.industry import api
from ketenradar.modules.industry.analysis.cost_stack import COMPONENTS


def _(key: str) -> str:
    """A message key chosen at run time, marked for the message extractor (the templates
    translate it with ``t``)."""
    return key


#: The message keys of the values the pages name.
STATUS_LABELS = {
    "met": _("industry_web_status_met"),
    "on track": _("industry_web_status_on_track"),
    "off track": _("industry_web_status_off_track"),
}
FIGURE_LABELS = {
    "budget": _("industry_web_figure_budget"),
    "requested": _("industry_web_figure_requested"),
    "awarded": _("industry_web_figure_awarded"),
    "reservation": _("industry_web_figure_reservation"),
    "named": _("industry_web_figure_named"),
}
#: The shipped targets' names (a user's own target shows its id).
TARGET_LABELS = {
    "letter_003_industry_20mt": _("industry_web_target_letter_003_industry_20mt"),
    "eu_ets_2030_minus_62pct": _("industry_web_target_eu_ets_2030_minus_62pct"),
}
KPI_LABELS = {
    "industry_ghg": _("industry_web_kpi_industry_ghg"),
    "rd_share_gdp": _("industry_web_kpi_rd_share_gdp"),
    "industry_share_gdp": _("industry_web_kpi_industry_share_gdp"),
    "primary_abiotic_raw_materials": _("industry_web_kpi_primary_abiotic_raw_materials"),
}
KPI_STATUS_LABELS = {
    "reached": _("industry_web_kpi_status_reached"),
    "not reached": _("industry_web_kpi_status_not_reached"),
    "no data": _("industry_web_kpi_status_no_data"),
    "no base year": _("industry_web_kpi_status_no_base_year"),
}
LABELS = {
    "status": STATUS_LABELS,
    "figure": FIGURE_LABELS,
    "target": TARGET_LABELS,
    "kpi": KPI_LABELS,
    "kpi_status": KPI_STATUS_LABELS,
}

#: The Dutch Emissions Authority's published figure for 2022 (NEa, "Emissiecijfers 2022"):
#: 68.5 Mt CO2 from 330 installations, as the EUTL export gives them.
NEA_2022 = {"year": 2022, "mt": 68.5, "installations": 330}
#: The cost components in stack order with their message keys (as the result columns').
COMPONENT_LABELS = {c: f"industry_{c}" for c in COMPONENTS}
#: Colours of the components in the chart.
COMPONENT_COLOURS = {
    "commodity_eur_mwh": "#1f77b4",
    "supply_network_other_eur_mwh": "#ff7f0e",
    "taxes_levies_eur_mwh": "#2ca02c",
    "adjustments_eur_mwh": "#9467bd",
    "ikc_eur_mwh": "#d62728",
}


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def missing(kind: str) -> dict[str, str]:
    """What the page says when no dataset of ``kind`` is loaded: the command."""
    return {"kind": kind, "command": load_hint(kind)}


#: (data dir, kind) → (the store's versions when looked up, the key): every page asks for
#: its datasets' keys, and reading every manifest on each request was most of a page's time.
_KEYS: dict[tuple[str, str], tuple[tuple[tuple[str, str], ...], Any]] = {}
_KEYS_LOCK = threading.Lock()


def dataset_key(data_dir: Path, kind: str) -> tuple[str, str, str] | None:
    """(data dir, dataset, version) of the one ``kind`` dataset, or ``None`` when absent.
    Looked up again only when a dataset's live version changed (the ``CURRENT`` pointers)."""
    store = open_store(data_dir)
    stamp = tuple(sorted(store.versions().items()))
    k = (str(data_dir), kind)
    with _KEYS_LOCK:
        hit = _KEYS.get(k)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        ds = choose_dataset(store, kind)
        key: tuple[str, str, str] | None = (str(data_dir), ds.name, str(ds.manifest.version))
    except NotFoundError:
        key = None
    with _KEYS_LOCK:
        if len(_KEYS) > 256:
            _KEYS.clear()
        _KEYS[k] = (stamp, key)
    return key


@functools.lru_cache(maxsize=8)
def _dashboard(key: tuple[str, str, str], shared: str) -> dict[str, Any]:
    data_dir = key[0]
    totals = api.emissions(by="year", data_dir=data_dir)
    targets = api.targets(data_dir=data_dir)
    try:
        clusters: Result | None = api.clusters(data_dir=data_dir, shared=shared)
        cluster_error = None
    except MissingDataError as exc:
        clusters, cluster_error = None, str(exc)
    comp = api.companies(data_dir=data_dir)
    per_inst = api.emissions(by="installation", data_dir=data_dir).frame("emissions")
    view = {  # the rows the page draws, built once per dataset version
        "largest": largest(per_inst, totals),
        "companies": company_table(comp, per_inst),
        "map": cluster_map(clusters, per_inst, shared) if clusters is not None else None,
        "totals": totals_rows(totals),
        "nea": nea_check(totals),
        "targets": target_rows(targets),
        "clusters": cluster_table(clusters) if clusters is not None else None,
        "cluster_error": cluster_error,
        "datasets": totals.provenance.to_dict()["datasets"],
    }
    return {
        "totals": totals,
        "targets": targets,
        "clusters": clusters,
        "error": cluster_error,
        "view": view,
        "per_installation": per_inst,
    }


def dashboard(data_dir: Path) -> dict[str, Any] | None:
    """The dashboard's results (``totals``, ``targets``, ``clusters`` or its ``error``), or
    ``None`` when no ETS dataset is loaded."""
    key = dataset_key(data_dir, api.KIND)
    if key is None:
        return None
    return _dashboard(key, str(settings().shared_data))


def dashboard_key(data_dir: Path) -> tuple[Any, ...]:
    """Everything the dashboard's content depends on: the versions of the ETS, CBS and World
    Bank datasets and the shared data folder (the map data, the place table); the shipped
    YAML files (targets, clusters, instruments, KPIs) change only with the package."""
    kinds = (api.KIND, "statline_table", "wdi_indicators")
    return (*(dataset_key(data_dir, k) for k in kinds), str(settings().shared_data))


def price_keys(data_dir: Path) -> tuple[Any, ...]:
    """The versions of the price datasets the calculator reads (``None`` where missing)."""
    return tuple(dataset_key(data_dir, k) for k in (api.PRICES_KIND, api.WHOLESALE_KIND))


def totals_rows(result: Result) -> list[dict[str, Any]]:
    """The yearly totals as the table shows them (Mt)."""
    df = result.frame("emissions")
    return [
        {
            "year": int(r.year),
            "mt": _num(r.verified_t / 1e6),
            "installations": int(r.installations),
            "excluded": int(r.excluded),
            "not_reported": int(r.not_reported),
            "free_mt": _num(r.free_allocation_t / 1e6),
            "coverage": r.coverage,
        }
        for r in df.itertuples(index=False)
    ]


def nea_check(result: Result) -> dict[str, Any] | None:
    """The project's 2022 total beside the NEa's published figure."""
    df = result.frame("emissions").set_index("year")
    if NEA_2022["year"] not in df.index:
        return None
    row = df.loc[NEA_2022["year"]]
    return {
        **NEA_2022,
        "own_mt": float(row["verified_t"]) / 1e6,
        "own_installations": int(row["installations"]),
    }


def cluster_table(result: Result, first: int = 2018) -> dict[str, Any]:
    """Emissions per cluster (rows, in the cluster file's order) and year (columns, Mt) from
    ``first`` to the latest complete year."""
    df = result.frame("clusters")
    df = df[(df["year"] >= first) & (df["coverage"] == "all")]
    years = sorted(int(y) for y in df["year"].unique())
    order = list(dict.fromkeys(df["cluster"]))
    cell = {(r.cluster, int(r.year)): _num(r.verified_t / 1e6) for r in df.itertuples()}
    rows = [{"cluster": c, "mt": [cell.get((c, y)) for y in years]} for c in order]
    totals = [sum(v for c in order if (v := cell.get((c, y))) is not None) for y in years]
    return {"years": years, "rows": rows, "totals": totals}


#: The colours of the clusters on the map, in the cluster file's order (then cluster 6).
CLUSTER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f")


def cluster_map(
    result: Result, per_installation: pd.DataFrame, shared: str
) -> dict[str, Any] | None:
    """The map of the dashboard: the COROP regions, and per installation with verified
    emissions in the latest complete year a point whose area is proportional to them,
    coloured by its cluster: at its geocoded address where the dataset has coordinates
    (euets.info) that lie in the COROP region its city gives (or outside every region: the
    coast), else at the centre of that region (counted in ``at_centre``: the cluster comes
    from the city, and a point must not contradict it).
    Installations with neither (the unassigned without coordinates, those at sea) are
    left off the map and counted in ``unplaced_mt``. ``None`` without the map data."""
    import math

    from ketenradar.places.maps import region_map
    from ketenradar.places.regions import key

    regions = region_map("corop", shared)
    if regions is None or regions.projection is None:
        return None
    per = result.frame("clusters")
    full = per[per["coverage"] == "all"]
    if full.empty:
        return None
    year = int(full["year"].max())
    inst = per_installation[per_installation["year"] == year]
    a = result.frame("installations")
    rows = inst[inst["status"] == "verified"].merge(
        a[["installation_id", "corop", "cluster", "latitude", "longitude", "corop_at_coordinates"]],
        on="installation_id",
    )
    order = [c for c in dict.fromkeys(a["cluster"]) if c != "unassigned"]
    colour = {c: CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)] for i, c in enumerate(order)}
    colour["unassigned"] = "#bbbbbb"
    centre = {key(s.name): s.centre for s in regions.shapes}
    biggest = float(rows["verified_t"].max()) if len(rows) else 1.0
    points, unplaced, at_centre = [], 0.0, 0
    for r in rows.itertuples(index=False):
        at = r.corop_at_coordinates
        agree = not isinstance(at, str) or not isinstance(r.corop, str) or key(at) == key(r.corop)
        if r.latitude == r.latitude and r.longitude == r.longitude and agree:
            xy, where = regions.projection(float(r.longitude), float(r.latitude)), "address"
        elif isinstance(r.corop, str) and key(r.corop) in centre:
            xy, where = centre[key(r.corop)], "region"
            at_centre += 1
        else:
            unplaced += float(r.verified_t) / 1e6
            continue
        points.append(
            {
                "id": r.installation_id,
                "name": r.name,
                "x": round(xy[0], 1),
                "y": round(xy[1], 1),
                "r": round(1.2 + 16.0 * math.sqrt(float(r.verified_t) / biggest), 1),
                "colour": colour.get(str(r.cluster), "#7f7f7f"),
                "cluster": str(r.cluster),
                "mt": float(r.verified_t) / 1e6,
                "placed": where,
            }
        )
    points.sort(key=lambda c: -c["r"])  # the large ones first, the small ones on top
    return {
        "width": regions.width,
        "height": regions.height,
        "regions": [{"path": s.path, "name": s.name} for s in regions.shapes],
        "points": points,
        "legend": [
            {"cluster": c, "colour": colour[c]}
            for c in [*order, "unassigned"]
            if c != "unassigned" or any(p["cluster"] == c for p in points)
        ],
        "year": year,
        "at_centre": at_centre,
        "unplaced_mt": unplaced,
    }


@functools.lru_cache(maxsize=16)
def _map_points(key: tuple[str, str, str], shared: str, lang: str) -> str:
    from markupsafe import escape

    from ketenradar.interfaces.web.i18n import english, format_number, translator

    m = _dashboard(key, shared)["view"]["map"]
    t = translator(lang)
    names = {"cluster 6": t("industry_web_cluster_6"), "unassigned": t("industry_web_unassigned")}
    out = ['<g fill-opacity="0.7" stroke="#fff" stroke-width="0.5">\n']
    for c in m["points"] if m else ():
        cluster = escape(names.get(c["cluster"], c["cluster"]))
        out.append(
            f'<a href="/{lang}/industry/installations/{c["id"]}"><circle cx="{c["x"]}" '
            f'cy="{c["y"]}" r="{c["r"]}" fill="{c["colour"]}" data-installation="{c["id"]}" '
            f'data-cluster="{escape(c["cluster"])}" data-mt="{c["mt"]}" '
            f'data-placed="{c["placed"]}"><title>{english(c["name"], lang)}, {cluster}: '
            f"{format_number(c['mt'], lang, 3)} Mt</title></circle></a>\n"
        )
    return "".join([*out, "</g>"])


def map_points(data_dir: Path, lang: str) -> Any:
    """The dashboard map's points as SVG (``<a><circle><title>`` each), built once per
    dataset version and language: the 300-odd points cost the template a third of the
    page's time under load. Empty without the map."""
    from markupsafe import Markup

    key = dataset_key(data_dir, api.KIND)
    if key is None:
        return Markup("")
    return Markup(_map_points(key, str(settings().shared_data), lang))


def largest(per_installation: Any, totals: Result, n: int = 15) -> dict[str, Any]:
    """The ``n`` largest installations of the latest complete year (Mt), with their holder."""
    t = totals.frame("emissions")
    full = t[t["coverage"] == "all"]
    if full.empty:
        return {"year": None, "rows": []}
    year = int(full["year"].max())
    rows = per_installation[
        (per_installation["year"] == year) & (per_installation["status"] == "verified")
    ].nlargest(n, "verified_t")
    return {
        "year": year,
        "rows": [
            {
                "id": r.installation_id,
                "name": r.name,
                "holder": r.holder,
                "company": r.company_reg_no,
                "mt": r.verified_t / 1e6,
            }
            for r in rows.itertuples(index=False)
        ],
    }


def installation(data_dir: Path, installation_id: str) -> dict[str, Any] | None:
    """One installation as its page shows it (identity, location and cluster, the years),
    or ``None`` when no ETS dataset is loaded; a ``NotFoundError`` for an unknown id (or one
    that is no EUTL installation id, such as ``NL_144``, whatever is loaded)."""
    if not re.fullmatch(r"[A-Z]{2}_\d{1,12}", installation_id):
        raise NotFoundError(
            f"no installation '{installation_id}': EUTL installation ids look like NL_144"
        )
    out = dashboard(data_dir)
    if out is None:
        return None
    rows = out["per_installation"]
    mine = rows[rows["installation_id"] == installation_id].sort_values("year")
    clusters = out["clusters"]
    place = None
    if clusters is not None:
        a = clusters.frame("installations")
        hit = a[a["installation_id"] == installation_id]
        if len(hit):
            place = hit.iloc[0].to_dict()
    if mine.empty and place is None:
        raise NotFoundError(
            f"no Dutch stationary installation '{installation_id}' in the EUTL data"
        )
    first = mine.iloc[0] if len(mine) else None
    return {
        "id": installation_id,
        "name": (place or {}).get("name") or (first["name"] if first is not None else ""),
        "holder": (place or {}).get("holder") or (first["holder"] if first is not None else ""),
        "company": first["company_reg_no"] if first is not None else None,
        "city": (place or {}).get("city") or (first["city"] if first is not None else ""),
        "activity": first["activity_label"] if first is not None else None,
        "place": place,
        "years": [
            {
                "year": int(r.year),
                "mt": _num(r.verified_t / 1e6) if r.verified_t == r.verified_t else None,
                "free_mt": _num(r.free_allocation_t / 1e6)
                if r.free_allocation_t == r.free_allocation_t
                else None,
                "status": r.status,
                "source": r.source,
            }
            for r in mine.itertuples(index=False)
        ],
        "datasets": out["view"]["datasets"],
    }


@functools.lru_cache(maxsize=64)
def _company(key: tuple[str, str, str], company: str, shared: str) -> dict[str, Any]:
    from ketenradar.modules.industry.companies_file import load_companies

    data_dir = key[0]
    totals = api.emissions(by="year", company=company, data_dir=data_dir)
    out = _dashboard(key, shared)
    rows = out["per_installation"]
    mine = rows[rows["company_reg_no"] == company]
    names = list(dict.fromkeys(mine.sort_values("year", ascending=False)["holder"].dropna()))
    latest = out["view"]["largest"]["year"]
    cluster_of: dict[str, str] = {}
    if out["clusters"] is not None:
        a = out["clusters"].frame("installations")
        cluster_of = dict(zip(a["installation_id"], a["cluster"], strict=True))
    installations = []
    for iid, g in mine.groupby("installation_id", sort=False):
        last = g.sort_values("year").iloc[-1]
        now = g[(g["year"] == latest) & (g["status"] == "verified")]
        installations.append(
            {
                "id": iid,
                "name": last["name"],
                "city": last["city"],
                "cluster": cluster_of.get(str(iid)),
                "mt": _num(float(now["verified_t"].iloc[0]) / 1e6) if len(now) else None,
                "last_year": int(last["year"]),
            }
        )
    installations.sort(key=lambda r: (-(r["mt"] or 0.0), r["id"]))
    agreements = [
        {"company": c.name, "stage": c.stage}
        for c in load_companies(None)
        if set(c.holders) & set(names)
    ]
    return {
        "id": company,
        "name": names[0] if names else company,
        "names": names,
        "agreements": agreements,
        "latest_year": latest,
        "installations": installations,
        "years": totals_rows(totals),
        "datasets": out["view"]["datasets"],
    }


def company(data_dir: Path, company_reg_no: str) -> dict[str, Any] | None:
    """One company (its KvK number) as its page shows it: the holder names it used, its
    maatwerk agreement if the companies file lists it, its installations with their cluster
    and latest emissions, and its emissions per year; ``None`` when no ETS dataset is
    loaded; a ``NotFoundError`` for a number with no installation (or one that is no KvK
    number: 8 digits)."""
    if not re.fullmatch(r"\d{8}", company_reg_no):
        raise NotFoundError(
            f"no company '{company_reg_no}': companies are known by their KvK number, 8 digits "
            "such as 34040331"
        )
    key = dataset_key(data_dir, api.KIND)
    if key is None:
        return None
    return _company(key, company_reg_no, str(settings().shared_data))


def company_table(
    result: Result, per_installation: pd.DataFrame | None = None, first: int = 2018
) -> dict[str, Any]:
    """The maatwerk companies' verified emissions (Mt) per year from ``first``; the years only
    the large-installation table gives are marked; the companies without installations are
    listed with the reason. With ``per_installation`` each company carries the KvK number of
    its first holder (the link to its company page)."""
    kvk: dict[str, str] = {}
    if per_installation is not None:
        kvk = dict(zip(per_installation["holder"], per_installation["company_reg_no"], strict=True))
    df = result.frame("emissions")
    df = df[df["year"] >= first]
    years = sorted(int(y) for y in df["year"].unique())
    partial = sorted(int(y) for y in df.loc[df["coverage"] != "all", "year"].unique())
    cell = {(r.company, int(r.year)): _num(r.verified_t / 1e6) for r in df.itertuples()}
    summary = result.frame("companies")
    rows = [
        {
            "company": r.company,
            "kvk": next((kvk[h] for h in str(r.holders).split("; ") if h in kvk), None),
            "stage": r.stage,
            "mt": [cell.get((r.company, y)) for y in years],
            "note": r.note if r.installations_found == 0 else None,
        }
        for r in summary.itertuples(index=False)
    ]
    return {"years": years, "partial": partial, "rows": rows}


def target_rows(result: Result) -> list[dict[str, Any]]:
    """The targets table (Mt and Mt a year)."""
    df = result.frame("targets")
    return [
        {
            "target": r.target,
            "scope": r.scope,
            "baseline_year": int(r.baseline_year),
            "baseline_mt": r.baseline_t / 1e6,
            "target_year": int(r.target_year),
            "target_mt": r.target_t / 1e6,
            "latest_year": int(r.latest_year),
            "latest_mt": r.latest_t / 1e6,
            "achieved": r.achieved_pace_t / 1e6,
            "required": _num(r.required_pace_t / 1e6),
            "projected_mt": r.projected_t / 1e6,
            "gap_mt": r.gap_t / 1e6,
            "status": r.target_status,
            "source": r.source,
        }
        for r in df.itertuples(index=False)
    ]


@functools.lru_cache(maxsize=1)
def instruments() -> Result:
    """The shipped instruments (no user file on the page)."""
    return api.instruments()


@functools.lru_cache(maxsize=1)
def instrument_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The shipped instruments' figures and oversubscription as the page lists them."""
    result = instruments()
    return (
        result.frame("figures").to_dict("records"),
        result.frame("oversubscription").to_dict("records"),
    )


@functools.lru_cache(maxsize=8)
def _kpis(data_dir: str, keys: tuple[Any, ...]) -> dict[str, Any]:
    result = api.kpis(data_dir=data_dir)
    rows = []
    for r in result.frame("kpis").itertuples(index=False):
        rows.append(
            {
                "kpi": r.kpi,
                "name": r.kpi_name,
                "unit": r.kpi_unit,
                "year": None if pd.isna(r.latest_year) else int(r.latest_year),
                "value": _num(r.latest_value),
                "low": _num(r.target_low),
                "high": _num(r.target_high),
                "target_year": None if pd.isna(r.target_year) else int(r.target_year),
                "status": r.kpi_status,
                "source": r.target_source,
            }
        )
    return {"rows": rows, "notes": list(result.provenance.notes)}


def kpi_rows(data_dir: Path) -> dict[str, Any]:
    """The KPIs of letter 003 as the dashboard lists them (cached per version of the CBS and
    World Bank datasets; "no data" rows where they are not loaded)."""
    keys = tuple(dataset_key(data_dir, k) for k in ("statline_table", "wdi_indicators"))
    return _kpis(str(data_dir), keys)


# --- the calculator --------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _costs(profile: str, keys: tuple[Any, ...]) -> Result:
    return api.costs(json.loads(profile), data_dir=keys[0][0])


def _keys(data_dir: Path) -> tuple[Any, ...] | list[dict[str, str]]:
    """The price datasets' keys, or what is missing."""
    keys, gaps = [], []
    for kind in (api.PRICES_KIND, api.WHOLESALE_KIND):
        key = dataset_key(data_dir, kind)
        if key is None:
            gaps.append(missing(kind))
        keys.append(key)
    return gaps if gaps else tuple(keys)


def costs(profile: dict[str, Any], data_dir: Path) -> Result | list[dict[str, str]]:
    """:func:`api.costs` of ``profile`` on the user's store (cached per profile and dataset
    versions), or what is missing (a list of :func:`missing`)."""
    keys = _keys(data_dir)
    if isinstance(keys, list):
        return keys
    return _costs(json.dumps(profile, sort_keys=True), keys)


def cost_page(profile: dict[str, Any], data_dir: Path, year: int | None) -> Any:
    """What the calculator page draws for ``profile`` and ``year`` (the view, the notes and
    the datasets of the footer), cached like :func:`costs`; or what is missing."""
    keys = _keys(data_dir)
    if isinstance(keys, list):
        return keys
    return _cost_page(json.dumps(profile, sort_keys=True), keys, year)


@functools.lru_cache(maxsize=128)
def _cost_page(profile: str, keys: tuple[Any, ...], year: int | None) -> dict[str, Any]:
    result = _costs(profile, keys)
    return {
        "view": cost_view(result, year),
        "notes": list(result.provenance.notes),
        "datasets": result.provenance.to_dict()["datasets"],
    }


def cost_view(result: Result, year: int | None) -> dict[str, Any]:
    """The calculator's chart (the stack per country in ``year``, default the latest year
    with every total), its table, the totals per year and the gaps of that year."""
    c = result.frame("costs")
    complete = c.groupby("year")["total_eur_mwh"].apply(lambda s: s.notna().all())
    years = sorted(int(y) for y in c["year"].unique())
    full = [y for y in years if complete.get(y, False)]
    shown = year if year in years else (full[-1] if full else years[-1])
    row = c[c["year"] == shown]
    countries = [str(x) for x in row["country"]]
    chart = {
        "countries": countries,
        "series": [
            {
                "id": comp,
                "colour": COMPONENT_COLOURS[comp],
                "values": [_num(v) for v in row[comp]],
            }
            for comp in COMPONENTS
        ],
        "totals": [_num(v) for v in row["total_eur_mwh"]],
    }
    stack = [
        {
            "country": str(r.country),
            "band": r.band,
            "parts": [_num(getattr(r, comp)) for comp in COMPONENTS],
            "total": _num(r.total_eur_mwh),
            "per_year": _num(r.total_eur_year),
            "flags": r.eurostat_flags or "",
        }
        for r in row.itertuples(index=False)
    ]
    pivot = c.pivot(index="year", columns="country", values="total_eur_mwh")
    order = list(dict.fromkeys(c["country"]))
    by_year = [
        {"year": int(y), "totals": [_num(pivot.loc[y, k]) for k in order]} for y in pivot.index
    ]
    g = result.frame("gaps")
    g = g[g["year"] == shown]
    gaps = []
    for country in dict.fromkeys(g["country"]):
        part = g[g["country"] == country].set_index("component")["gap_eur_mwh"]
        gaps.append(
            {
                "country": country,
                "parts": [_num(part.get(comp)) for comp in COMPONENTS],
                "total": _num(part.get("total_eur_mwh")),
            }
        )
    return {
        "year": shown,
        "years": years,
        "chart": chart,
        "stack": stack,
        "countries": order,
        "by_year": by_year,
        "gaps": gaps,
        "band": str(c["band"].iat[0]) if len(c) else "",
        "components": list(COMPONENTS),
    }
