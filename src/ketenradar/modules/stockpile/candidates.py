"""Candidates for a strategic stock and their data: demand, import reliance, suppliers, price.

An **item** is a raw material of the project's vocabulary (``copper``, ``cobalt``; its HS6
codes are those of World Mining Data's HS-code map, the map the materials module's import
reliance uses, ``docs/methods/criticality.md``) or a traded product given by its HS6 code
(``760110``). For each item, an **importer** (a country, ``EU27`` or any group of
:mod:`ketenradar.core.groups`) and a year, :func:`candidates` gives from the loaded data:

* **annual demand**: apparent consumption = production + imports − exports (tonnes), the
  imports and exports those of the importer with countries outside it (for a group: extra-group
  trade), production from World Mining Data; or the user's value (:class:`ItemInputs`). It is
  computed by the materials module's import-reliance function, so **import reliance** is the
  EU method's ``(imports − exports) / apparent consumption``, clipped to 0 for a net exporter;
* **suppliers**: each supplier's share of the importer's imports of the item, by value and by
  quantity, the top supplier and the HHI (Σ share², value shares);
* **price** and its **volatility** from BACI unit values over every loaded year
  (:mod:`ketenradar.modules.stockpile.prices`);
* the **user inputs** (:class:`ItemInputs`) with their documented defaults.

No item is dropped: where data is missing the row says what and why in ``note``.
``docs/methods/stockpile.md`` (section *Data*) documents every rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ketenradar.core.errors import DataError, NotFoundError, UsageError
from ketenradar.core.groups import Group, GroupRegistry, user_groups_file
from ketenradar.core.provenance import new_provenance
from ketenradar.core.results import Result
from ketenradar.core.vocabularies.materials import (
    Material,
    closest_hint,
    find_material,
    known_names,
)
from ketenradar.core.vocabularies.materials import materials as vocabulary
from ketenradar.datasets import DataStore, open_store
from ketenradar.datasets.datastore import Dataset
from ketenradar.datasets.engine import read_table
from ketenradar.datasets.trade import TradeSession, choose_trade_dataset, open_trade

# The EU method's import reliance, reused as it is (frames in, a frame out), through the
# materials module's public API (tests/unit/test_import_rules.py).
from ketenradar.modules.materials.api import import_reliance
from ketenradar.modules.stockpile import prices as px

# --- user inputs ---------------------------------------------------------------------------

#: Default storage cost, EUR per tonne and year: an order-of-magnitude placeholder near the
#: rent of a metal warehouse (LME-listed warehouses charge around USD 0.5 per tonne per day;
#: see the LME's published warehouse charges). Replace it with a quote for the item.
STORAGE_COST_EUR_PER_T_YEAR = 170.0

#: Materials traded on an exchange (a liquid market with a public price): the LME's base metals
#: and cobalt (London Metal Exchange, https://www.lme.com/metals) and the precious metals of
#: CME's COMEX (gold, silver) and NYMEX (platinum, palladium) futures.
EXCHANGE_TRADED_MATERIALS = frozenset(
    {"aluminium", "copper", "nickel", "zinc", "lead", "tin", "cobalt"}
    | {"gold", "silver", "platinum", "palladium"}
)
#: HS6 products (HS92) that are the exchanges' deliverable forms: unwrought aluminium (760110),
#: refined copper cathodes (740311), unwrought nickel (750210), zinc ≥ 99.99 % (790111),
#: refined lead (780110), unwrought tin (800110), unwrought cobalt (810510), gold (710812),
#: silver (710691), platinum (711011), palladium (711021).
EXCHANGE_TRADED_PRODUCTS = frozenset(
    {"760110", "740311", "750210", "790111", "780110", "800110", "810510"}
    | {"710812", "710691", "711011", "711021"}
)
#: Materials that need special storage by default: toxic or carcinogenic under the EU's CLP
#: Regulation (EC) No 1272/2008 (arsenic, beryllium, cadmium, mercury, asbestos), radioactive
#: (uranium), flammable or compressed/cryogenic (natural gas, crude oil, helium).
SPECIAL_STORAGE_MATERIALS = frozenset(
    {"arsenic", "beryllium", "cadmium", "mercury", "asbestos", "uranium"}
    | {"natural_gas", "petroleum", "helium"}
)

Specificity = Literal["uniform", "graded", "specific"]


class ItemInputs(BaseModel):
    """What the analyst knows of an item beyond the data; every field has a documented
    default (``None`` for the item-dependent ones, filled by :meth:`resolved`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    annual_demand_t: float | None = Field(
        None, gt=0, description="Annual demand in tonnes; default: apparent consumption"
    )
    price_usd_per_t: float | None = Field(
        None, gt=0, description="Price in USD per tonne; default: BACI unit values"
    )
    commercial_stock_days: float = Field(
        0.0,
        ge=0,
        le=3650,
        description="Stocks firms already hold, in days of demand; default 0 (none assumed)",
    )
    storage_cost_eur_per_t_year: float = Field(
        STORAGE_COST_EUR_PER_T_YEAR,
        ge=0,
        description="Storage cost in EUR per tonne and year; default: STORAGE_COST_EUR_PER_T_YEAR",
    )
    shelf_life_years: float | None = Field(
        None, gt=0, description="Years the item keeps in store; default: no limit"
    )
    special_storage: bool | None = Field(
        None,
        description="Hazardous or special storage; default: SPECIAL_STORAGE_MATERIALS",
    )
    certification_required: bool = Field(
        False, description="Users need certified material or parts; default: no"
    )
    specificity: Specificity | None = Field(
        None,
        description="uniform (one grade serves all users), graded or specific (one or a few "
        "users); default: uniform for a raw material, graded for a product",
    )
    n_buyers: int | None = Field(
        None, ge=1, description="Number of buyers or using firms; default: unknown"
    )
    exchange_traded: bool | None = Field(
        None,
        description="Traded on an exchange; default: EXCHANGE_TRADED_MATERIALS / _PRODUCTS",
    )

    def resolved(self, item: Item) -> tuple[ItemInputs, list[str]]:
        """These inputs with the item's defaults filled in, and the names of the fields the
        user did not set (their defaults apply)."""
        material = item.kind == "material"
        fill: dict[str, Any] = {}
        if self.special_storage is None:
            fill["special_storage"] = material and item.item in SPECIAL_STORAGE_MATERIALS
        if self.specificity is None:
            fill["specificity"] = "uniform" if material else "graded"
        if self.exchange_traded is None:
            fill["exchange_traded"] = item.item in (
                EXCHANGE_TRADED_MATERIALS if material else EXCHANGE_TRADED_PRODUCTS
            )
        unset = [c for c in INPUT_COLUMNS if c not in self.model_fields_set]
        return self.model_copy(update=fill), unset


#: The input columns of the candidates table, in order.
INPUT_COLUMNS = [
    "commercial_stock_days",
    "storage_cost_eur_per_t_year",
    "shelf_life_years",
    "special_storage",
    "certification_required",
    "specificity",
    "n_buyers",
    "exchange_traded",
]


# --- items -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A candidate: a raw material (``kind="material"``, ``item`` its vocabulary id) or a
    traded product (``kind="product"``, ``item`` its HS6 code)."""

    item: str
    kind: Literal["material", "product"]
    name: str
    hs_codes: tuple[str, ...] = ()
    #: the supply stage of the HS codes (World Mining Data's HS map), for a material
    stage: str | None = None
    #: the World Mining Data sheet of the material's production
    sheet: str | None = None
    material: Material | None = None


def crm_2023_items() -> list[str]:
    """The EU's 2023 critical raw materials (Regulation (EU) 2024/1252, Annex II) as items:
    each listed material, except that a group whose members have their own World Mining Data
    series is split into those members (aluminium/bauxite → aluminium, bauxite; platinum
    group metals → palladium, platinum, rhodium). Rare earths stay one item (the HS codes and
    production cover them together)."""
    vs = vocabulary()
    out = []
    for m in vs:
        if not m.crm_2023 or m.parent is not None:
            continue
        members = [c.material for c in vs if c.parent == m.material and c.wmd_sheets]
        out.extend(members or [m.material])
    return out


def _hs_rows(hs_map: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    if hs_map is None or hs_map.empty:
        return {}
    rows = hs_map.dropna(subset=["material"]).sort_values(
        "hs_codes", na_position="last", kind="stable"
    )
    return {r["material"]: r for r in rows.drop_duplicates("material").to_dict("records")}


def resolve_items(
    items: Iterable[str],
    hs_map: pd.DataFrame | None = None,
    products: Mapping[str, str] | Iterable[str] | None = None,
) -> list[Item]:
    """The items named in ``items``: a six-digit HS code is a product, anything else a
    material of the vocabulary (any name it knows). ``hs_map`` (World Mining Data's HS-code
    map) gives a material's HS codes, stage and production sheet; ``products`` (the trade
    data's HS6 codes, or a mapping of them to their descriptions) checks a product code and
    names it. Duplicates are dropped (first kept)."""
    if isinstance(items, str):
        items = [items]
    specs = [str(s).strip() for s in items]
    if not specs:
        raise UsageError("no items: name raw materials or HS6 codes", field="items")
    rows = _hs_rows(hs_map)
    known_products = set(products) if products is not None else None
    names = products if isinstance(products, Mapping) else {}
    out: list[Item] = []
    seen: set[str] = set()
    for spec in specs:
        if not spec:
            raise UsageError("an empty item name", field="items")
        if spec.isdigit() and len(spec) == 6:
            if known_products is not None and spec not in known_products:
                raise NotFoundError(
                    f"unknown HS6 product '{spec}': not in the trade data's product list",
                    field="items",
                )
            item = Item(spec, "product", names.get(spec) or f"HS {spec}", (spec,))
        elif spec.isdigit():
            raise UsageError(
                f"'{spec}' is not an HS6 code: a product is six digits (e.g. 760110)",
                field="items",
            )
        else:
            m = find_material(spec)
            if m is None:
                raise NotFoundError(
                    f"unknown item '{spec}': neither a six-digit HS code nor a material"
                    f"{closest_hint(spec, known_names())}",
                    field="items",
                )
            r = rows.get(m.material)
            codes = (
                tuple(c.strip() for c in str(r["hs_codes"]).split(";") if c.strip())
                if r is not None and isinstance(r.get("hs_codes"), str)
                else ()
            )
            item = Item(
                m.material,
                "material",
                m.name,
                codes,
                (r.get("stage") if r is not None else None) or None,
                (r.get("sheet") if r is not None else None) or None,
                m,
            )
        if item.item not in seen:
            seen.add(item.item)
            out.append(item)
    return out


def parse_inputs(
    inputs: Mapping[str, ItemInputs | Mapping[str, Any]] | None, items: Sequence[Item]
) -> dict[str, ItemInputs]:
    """The user inputs per item id (an item's key may be any name of it, as in ``items``);
    every item without inputs gets the defaults. Raises :class:`DataError` naming the field
    (``inputs.<item>.<field>``) on a bad value and :class:`UsageError` on an item not asked
    for."""
    by_id = {i.item: i for i in items}
    out = {i.item: ItemInputs() for i in items}
    for key, value in (inputs or {}).items():
        k = str(key).strip()
        m = None if (k.isdigit() and len(k) == 6) else find_material(k)
        item_id = m.material if m is not None else k
        if item_id not in by_id:
            raise UsageError(
                f"inputs for '{key}', which is not among the items ({', '.join(by_id)})",
                field=f"inputs.{key}",
            )
        if isinstance(value, ItemInputs):
            out[item_id] = value
            continue
        if not isinstance(value, Mapping):
            raise DataError(
                f"must be a mapping of input fields, not {type(value).__name__}",
                field=f"inputs.{key}",
            )
        try:
            out[item_id] = ItemInputs.model_validate(dict(value))
        except ValidationError as e:
            err = e.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            allowed = ", ".join(ItemInputs.model_fields)
            reason = err["msg"] + (
                f" (fields: {allowed})" if err["type"] == "extra_forbidden" else ""
            )
            raise DataError(reason, field=f"inputs.{key}.{loc}") from None
    return out


# --- data ------------------------------------------------------------------------------------

#: Tonnes per unit of the production tables' units (mass units only; World Mining Data gives
#: "metr. t", "kg", carats "ct" (a metric carat is 0.2 g) and, for natural gas, "Mio m3").
TONNES_PER_UNIT = {"t": 1.0, "metr. t": 1.0, "kg": 1e-3, "kt": 1e3, "Mt": 1e6, "ct": 2e-7}


@dataclass
class _Data:
    """What the store holds for the candidates."""

    trade: Dataset
    wmd: Dataset | None
    crm: Dataset | None
    hs_map: pd.DataFrame | None
    production: pd.DataFrame | None
    end_use: pd.DataFrame | None


def _load(store: DataStore, trade_dataset: str | None, year: int | None) -> _Data:
    try:
        trade = choose_trade_dataset(store, trade_dataset, None)
    except UsageError:  # several trade datasets: the one holding the year, if only one
        trade = choose_trade_dataset(store, trade_dataset, year)
    wmds = [d for d in store.list(kind="mineral_production") if d.has_table("hs_map")]
    if len(wmds) > 1:
        raise UsageError(
            "several World Mining Data datasets (with an HS-code map): "
            + ", ".join(d.name for d in wmds)
            + "; remove all but one",
            field="wmd_dataset",
        )
    wmd = wmds[0] if wmds else None
    crms = store.list(kind="crm_assessment")
    crm = crms[0] if len(crms) == 1 and crms[0].has_table("end_use") else None
    return _Data(
        trade=trade,
        wmd=wmd,
        crm=crm,
        hs_map=read_table(wmd, "hs_map") if wmd else None,
        production=read_table(wmd, "production") if wmd else None,
        end_use=read_table(crm, "end_use") if crm else None,
    )


def _importer(store: DataStore, session: TradeSession, importer: str) -> Group:
    try:
        group = GroupRegistry(user_groups_file(store.root)).resolve(importer)
    except (NotFoundError, UsageError) as e:
        raise type(e)(str(e), field="importer") from None
    known = {r[0] for r in session.con.execute("SELECT iso3 FROM countries").fetchall()}
    if not group.members & known:
        raise NotFoundError(
            f"importer '{importer}': none of its countries ({', '.join(sorted(group.members))})"
            f" is in {session.dataset.name}{closest_hint(importer, sorted(known))}",
            field="importer",
        )
    return group


def _trade_flows(
    session: TradeSession, codes: list[str], members: list[str], years: list[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The importer's trade with the rest of the world in ``years`` (``year, product,
    direction, partner, value_kusd, quantity_t``) and every flow of ``codes`` in every year
    (``year, product, value_kusd, quantity_t``) for the prices."""
    ext = session.con.execute(
        """
        WITH m AS (SELECT unnest(?::VARCHAR[]) AS c)
        SELECT year, product,
               CASE WHEN importer IN (SELECT c FROM m) THEN 'import' ELSE 'export' END
                   AS direction,
               CASE WHEN importer IN (SELECT c FROM m) THEN exporter ELSE importer END
                   AS partner,
               value_kusd, quantity_t
        FROM trade
        WHERE product IN (SELECT unnest(?::VARCHAR[]))
          AND year IN (SELECT unnest(?::INTEGER[]))
          AND (importer IN (SELECT c FROM m)) <> (exporter IN (SELECT c FROM m))
        """,
        [members, codes, years],
    ).df()
    world = session.con.execute(
        """
        SELECT year, product, value_kusd, quantity_t FROM trade
        WHERE product IN (SELECT unnest(?::VARCHAR[])) AND exporter <> importer
        """,
        [codes],
    ).df()
    for df in (ext, world):
        df["year"] = df["year"].astype(int)
    return ext, world


def _impute_quantities(ext: pd.DataFrame, product_prices: pd.DataFrame) -> pd.DataFrame:
    """Flows without a quantity get ``value / world price`` of their product and year (the
    standard-unit-value estimate); ``imputed`` marks them."""
    out = ext.copy()
    p = product_prices.set_index(["product", "year"])["price_usd_per_t"]
    missing = out["quantity_t"].isna() | (out["quantity_t"] <= 0)
    idx = pd.MultiIndex.from_arrays([out["product"], out["year"]])
    price = pd.Series(p.reindex(idx).to_numpy(), index=out.index)
    estimate = out["value_kusd"] * 1000.0 / price
    out["imputed"] = missing & estimate.notna()
    out["quantity_t"] = out["quantity_t"].where(~missing, estimate)
    return out


def _production(data: _Data, item: Item, members: frozenset[str]) -> tuple[pd.DataFrame, str]:
    """The importer's production of ``item`` per year in tonnes (0 in a year World Mining
    Data holds for the material but lists none of the importer's countries), and a note."""
    empty = pd.DataFrame(columns=["year", "production_t"])
    if item.kind != "material" or data.production is None:
        return empty, ""
    prod = data.production
    sel = prod["source_name"] == item.sheet if item.sheet else prod["material"] == item.item
    rows = prod[sel & (prod["row_type"] == "country")]
    if rows.empty:
        return empty, ""
    factor = rows["unit"].map(TONNES_PER_UNIT)
    if factor.isna().all():
        units = ", ".join(sorted(rows["unit"].dropna().unique()))
        return empty, f"production in {units}, not a mass: not converted to tonnes"
    years = sorted(rows["year"].astype(int).unique())
    own = rows[rows["country"].isin(members)]
    t = (own["value"].fillna(0) * factor.loc[own.index]).groupby(own["year"].astype(int)).sum()
    out = pd.DataFrame({"year": years, "production_t": [float(t.get(y, 0.0)) for y in years]})
    return out, ""


def _world_production(data: _Data, item: Item, year: int) -> tuple[float, str | None, float]:
    """HHI of world production of the item in ``year`` (countries' shares) and the top
    producer with its share; NaN without data."""
    if item.kind != "material" or data.production is None:
        return np.nan, None, np.nan
    prod = data.production
    sel = prod["source_name"] == item.sheet if item.sheet else prod["material"] == item.item
    rows = prod[sel & (prod["row_type"] == "country") & (prod["year"] == year)]
    rows = rows[rows["value"].fillna(0) > 0]
    if rows.empty:
        return np.nan, None, np.nan
    by = rows.groupby("country")["value"].sum().sort_values(ascending=False, kind="stable")
    shares = by / by.sum()
    return float((shares**2).sum()), str(shares.index[0]), float(shares.iloc[0])


def _using_sectors(data: _Data, item: Item) -> float:
    """Number of NACE sectors using the material in the EU CRM end-use data (itself, else its
    vocabulary members); NaN without data."""
    if item.kind != "material" or data.end_use is None:
        return np.nan
    eu = data.end_use
    ids = {item.item}
    rows = eu[eu["material"].isin(ids)]
    if rows.empty:
        kids = {m.material for m in vocabulary() if m.parent == item.item}
        grand = {m.material for m in vocabulary() if m.parent in kids}
        rows = eu[eu["material"].isin(kids | grand)]
    n = rows["nace"].dropna().nunique()
    return float(n) if n else np.nan


SUPPLIER_COLUMNS = [
    "item",
    "importer",
    "supplier",
    "value_kusd",
    "quantity_t",
    "value_share",
    "quantity_share",
    "rank",
]


def supplier_table(imports: pd.DataFrame) -> pd.DataFrame:
    """Suppliers of one item's imports: ``partner, value_kusd, quantity_t`` rows in, one row
    per supplier out (``supplier, value_kusd, quantity_t, value_share, quantity_share,
    rank``), by value, largest first (ties by supplier code)."""
    if imports.empty:
        return pd.DataFrame(columns=SUPPLIER_COLUMNS[2:])
    by = (
        imports.groupby("partner", as_index=False)[["value_kusd", "quantity_t"]]
        .sum(min_count=1)
        .rename(columns={"partner": "supplier"})
    )
    by["quantity_t"] = by["quantity_t"].fillna(0.0)
    by = by.sort_values(["value_kusd", "supplier"], ascending=[False, True], kind="stable")
    v, q = by["value_kusd"].sum(), by["quantity_t"].sum()
    by["value_share"] = by["value_kusd"] / v if v > 0 else np.nan
    by["quantity_share"] = by["quantity_t"] / q if q > 0 else np.nan
    by["rank"] = np.arange(1, len(by) + 1)
    return by.reset_index(drop=True)[SUPPLIER_COLUMNS[2:]]


def hhi(shares: Iterable[float]) -> float:
    """Herfindahl-Hirschman index Σ sᵢ² of shares that sum to 1 (0–1; 1 is one supplier)."""
    s = np.asarray(list(shares), dtype=float)
    s = s[~np.isnan(s)]
    return float((s**2).sum()) if s.size else float("nan")


# --- the table -------------------------------------------------------------------------------

CANDIDATE_COLUMNS: dict[str, str] = {
    "item": "Material id of the vocabulary, or HS6 code of a product",
    "item_kind": "material or product",
    "name": "The item's name",
    "importer": "The importing country or group (ISO3 code or group name)",
    "year": "The (last) year of the data",
    "years_used": "Years averaged for demand and trade (first–last)",
    "hs_codes": "HS6 codes (HS92) of the item, ';'-separated",
    "stage": "Supply stage of the HS codes (World Mining Data's HS map)",
    "annual_demand_t": "Annual demand, tonnes (see demand_source)",
    "demand_source": "apparent_consumption, net_imports (production unknown), user or none",
    "production_t": "The importer's production, tonnes a year (World Mining Data)",
    "imports_t": "Imports from outside the importer, tonnes a year (BACI)",
    "exports_t": "Exports to outside the importer, tonnes a year (BACI)",
    "import_reliance": "(imports − exports) / apparent consumption, clipped to 0 (EU method)",
    "imports_kusd": "Imports from outside the importer, thousand USD a year",
    "n_suppliers": "Number of supplying countries",
    "top_supplier": "The largest supplier by value (ISO3)",
    "top_supplier_share": "Its share of the import value (0–1)",
    "top_supplier_share_t": "Its share of the import quantity (0–1)",
    "supplier_hhi": "HHI of the suppliers' value shares (0–1)",
    "supplier_hhi_t": "HHI of the suppliers' quantity shares (0–1)",
    "world_production_hhi": "HHI of world production by country in the year (0–1)",
    "top_producer": "The largest producing country in the year",
    "top_producer_share": "Its share of world production (0–1)",
    "price_usd_per_t": "Price, USD per tonne (BACI unit values, or the user's)",
    "price_year": "Year of that price",
    "price_eur_per_t": "Price, EUR per tonne (at usd_per_eur)",
    "usd_per_eur": "Exchange rate used: US dollars per euro (ECB annual average)",
    "price_volatility": "Standard deviation of yearly log price changes",
    "price_volatility_robust": "1.4826 × median absolute deviation of those changes",
    "years_of_prices": "Years with a price in the series",
    "price_flows_used": "Flows whose unit values made the price of price_year",
    "import_unit_value_usd_per_t": "The importer's own import value / quantity, USD per t",
    "using_sectors": "NACE sectors using the material (EU CRM 2023 end uses)",
    **{c: f"Input: {ItemInputs.model_fields[c].description}" for c in INPUT_COLUMNS},
    "defaults_used": "Inputs the user did not set (their defaults apply)",
    "note": "What is missing or assumed for this row",
}

METHODS = [
    "Apparent consumption = production + imports − exports; import reliance = (imports − "
    "exports) / apparent consumption, clipped to 0 (European Commission 2017, Methodology for "
    "establishing the EU list of critical raw materials, section 3.1.3), computed by the "
    "materials module's import_reliance",
    "Supplier shares of the importer's imports from outside it, by value and quantity; "
    "HHI = Σ share²",
    "Prices: BACI unit values v/q, per HS6 product and year the quantity-weighted unit value "
    "of the flows within [median/10, median×10]; volatility = sd of yearly log changes and "
    "1.4826 × MAD (docs/methods/stockpile.md, Data)",
    "Missing quantities of the importer's flows estimated as value / world unit value of the "
    "product and year (standard unit values, as UN Comtrade estimates missing quantities)",
]


def candidate_tables(
    items: Iterable[str],
    importer: str = "NLD",
    year: int | None = None,
    *,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, ItemInputs | Mapping[str, Any]] | None = None,
    average_years: int = 1,
    usd_per_eur: float | None = None,
    trade_dataset: str | None = None,
    outlier_factor: float = px.OUTLIER_FACTOR,
    command: str | None = None,
) -> Result:
    """The candidates (table ``candidates``, one row per item), their suppliers (table
    ``suppliers``, one row per item and supplier) and their yearly prices (table ``prices``)
    with the provenance that made them. Arguments as :func:`candidates`."""
    if average_years < 1:
        raise UsageError(f"average_years is at least 1, not {average_years}", field="average_years")
    store = open_store(data_dir)
    data = _load(store, trade_dataset, year)
    with open_trade(data.trade) as session:
        trade_years = session.years
        products = dict(session.con.execute("SELECT product, description FROM products").fetchall())
        wanted = resolve_items(items, data.hs_map, products)
        user = parse_inputs(inputs, wanted)
        group = _importer(store, session, importer)
        year = _choose_year(year, trade_years, data, wanted)
        window = [y for y in range(year - average_years + 1, year + 1) if y in trade_years]
        codes = sorted({c for i in wanted for c in i.hs_codes})
        ext, world = _trade_flows(session, codes, sorted(group.members), window)
    product_prices = px.unit_values(world, factor=outlier_factor)
    ext = _impute_quantities(ext, product_prices)
    rows, supplier_rows, price_rows = [], [], []
    for item in wanted:
        row, sup, pr = _candidate(
            item, group, year, window, ext, product_prices, data, user[item.item], usd_per_eur
        )
        rows.append(row)
        supplier_rows.append(sup)
        price_rows.append(pr)
    table = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    suppliers = pd.concat(
        [s for s in supplier_rows if not s.empty] or [pd.DataFrame(columns=SUPPLIER_COLUMNS)],
        ignore_index=True,
    )[SUPPLIER_COLUMNS]
    price_table = pd.concat(
        [p for p in price_rows if not p.empty] or [pd.DataFrame(columns=_PRICE_COLUMNS)],
        ignore_index=True,
    )[_PRICE_COLUMNS]
    used = [data.trade] + [d for d in (data.wmd, data.crm) if d is not None]
    prov = new_provenance(
        analysis="stockpile_candidates",
        methods=METHODS,
        datasets=[d.manifest.provenance() for d in used],
        parameters={
            "items": [i.item for i in wanted],
            "importer": group.name,
            "importer_members": sorted(group.members),
            "year": year,
            "years": window,
            "average_years": average_years,
            "outlier_factor": outlier_factor,
            "min_price_coverage": px.MIN_COVERAGE,
            "usd_per_eur": usd_per_eur if usd_per_eur is not None else "ECB annual average",
            "inputs": {
                k: v.model_dump(exclude_unset=True) for k, v in user.items() if v.model_fields_set
            },
        },
        command=command,
        notes=[
            "BACI quantities are gross weights of ores, concentrates or compounds while World "
            "Mining Data gives metal or oxide content: for ores the production term is "
            "understated against the trade terms (as in the materials module's import "
            "reliance)",
            "Prices are world unit values (all flows of the item's HS codes), FOB, in nominal "
            "USD; a unit value of an ore is the price of the ore, not of the metal in it",
            f"Storage cost default {STORAGE_COST_EUR_PER_T_YEAR:g} EUR per tonne-year is an "
            "order-of-magnitude placeholder; give your own",
        ],
    )
    return Result(
        {"candidates": table, "suppliers": suppliers, "prices": price_table},
        prov,
    )


def candidates(
    items: Iterable[str],
    importer: str = "NLD",
    year: int | None = None,
    *,
    data_dir: Path | str | None = None,
    inputs: Mapping[str, ItemInputs | Mapping[str, Any]] | None = None,
    average_years: int = 1,
    usd_per_eur: float | None = None,
    trade_dataset: str | None = None,
    command: str | None = None,
) -> pd.DataFrame:
    """One row per item: demand, import reliance, suppliers, price and the user inputs
    (columns: :data:`CANDIDATE_COLUMNS`), with ``df.attrs["provenance"]``.

    ``items``: material names of the vocabulary or six-digit HS codes (e.g.
    :func:`crm_2023_items`); ``importer``: ISO3 code, group (``EU27``) or ``A,B`` list;
    ``year``: default the latest year both the trade data and World Mining Data hold (the
    latest trade year without materials); ``average_years``: average demand and trade over
    that many years ending in ``year``; ``inputs``: :class:`ItemInputs` (or mappings) per
    item; ``usd_per_eur``: exchange rate (default the ECB annual average of the price's year).
    """
    return candidate_tables(
        items,
        importer,
        year,
        data_dir=data_dir,
        inputs=inputs,
        average_years=average_years,
        usd_per_eur=usd_per_eur,
        trade_dataset=trade_dataset,
        command=command,
    ).frame("candidates")


def _choose_year(year: int | None, trade_years: list[int], data: _Data, items: list[Item]) -> int:
    if year is not None:
        if int(year) not in trade_years:
            raise NotFoundError(
                f"year {year} is not in the trade data ({min(trade_years)}–{max(trade_years)})",
                field="year",
            )
        return int(year)
    if data.production is not None and any(i.kind == "material" for i in items):
        both = set(trade_years) & set(data.production["year"].astype(int))
        if both:
            return max(both)
    return max(trade_years)


def _span(years: Sequence[int]) -> str | None:
    """``2022`` or ``2020–2022``; ``None`` for no years."""
    if not years:
        return None
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


_PRICE_COLUMNS = ["item", "year", "price_usd_per_t", "coverage", "n_flows", "n_used"]


def _candidate(
    item: Item,
    group: Group,
    year: int,
    window: list[int],
    ext: pd.DataFrame,
    product_prices: pd.DataFrame,
    data: _Data,
    user: ItemInputs,
    rate: float | None,
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    notes: list[str] = []
    row: dict[str, Any] = dict.fromkeys(CANDIDATE_COLUMNS, np.nan)
    row.update(
        item=item.item,
        item_kind=item.kind,
        name=item.name,
        importer=group.name,
        year=year,
        years_used=_span(window),
        hs_codes=";".join(item.hs_codes) or None,
        stage=item.stage,
        demand_source="none",
        top_supplier=None,
        top_producer=None,
    )
    inp, unset = user.resolved(item)
    row.update({c: getattr(inp, c) for c in INPUT_COLUMNS})
    row["defaults_used"] = ";".join(unset)
    row["using_sectors"] = _using_sectors(data, item)
    row["world_production_hhi"], row["top_producer"], row["top_producer_share"] = _world_production(
        data, item, year
    )
    sup = pd.DataFrame(columns=SUPPLIER_COLUMNS)
    prices = pd.DataFrame(columns=_PRICE_COLUMNS)
    if not item.hs_codes:
        notes.append(
            "no HS code in World Mining Data's HS-code map: no trade, demand or price data"
            if data.hs_map is not None
            else "no HS-code map loaded (ketenradar data add wmd "
            "../shared/data/geopolrisk/world_mining_data.db): no trade data for materials"
        )
        if item.material is not None and any(m.parent == item.item for m in vocabulary()):
            notes.append("a group: see its members")
    else:
        mine = ext[ext["product"].isin(item.hs_codes)]
        _demand(item, group, window, mine, data, user, row, notes)
        imports = mine[mine["direction"] == "import"]
        sup, pr_notes = _suppliers(item, group, window, imports, row)
        notes += pr_notes
        prices = _price(item, year, window, imports, product_prices, user, rate, row, notes)
    if user.annual_demand_t is not None:
        row["annual_demand_t"] = user.annual_demand_t
        row["demand_source"] = "user"
        if item.kind == "product" and pd.notna(row["imports_t"]):
            net = row["imports_t"] - row["exports_t"]
            row["import_reliance"] = float(np.clip(net / user.annual_demand_t, 0, 1))
    if user.price_usd_per_t is not None:
        row["price_usd_per_t"] = user.price_usd_per_t
        row["price_year"] = year
        r = px.usd_per_eur(year, rate)
        row["usd_per_eur"] = r if r is not None else np.nan
        row["price_eur_per_t"] = user.price_usd_per_t / r if r else np.nan
        notes.append("price: the user's")
    row["note"] = "; ".join(dict.fromkeys(n for n in notes if n)) or None
    return row, sup, prices


def _demand(
    item: Item,
    group: Group,
    window: list[int],
    flows: pd.DataFrame,
    data: _Data,
    user: ItemInputs,
    row: dict[str, Any],
    notes: list[str],
) -> None:
    """Apparent consumption and import reliance through the materials module's function."""
    production, prod_note = _production(data, item, group.members)
    if prod_note:
        notes.append(prod_note)
    # one zero row per year of the window, so a year without trade still counts as a year
    zeros = pd.DataFrame(
        {"year": window, "product": item.hs_codes[0], "direction": "import", "quantity_t": 0.0}
    )
    trade = pd.concat(
        [
            flows.groupby(["year", "product", "direction"], as_index=False)["quantity_t"].sum(),
            zeros,
        ],
        ignore_index=True,
    )
    known = sorted(set(window) & set(production["year"].astype(int)))
    hs_row = pd.DataFrame(
        [{"material": item.item, "stage": item.stage, "hs_codes": ";".join(item.hs_codes)}]
    )
    prod = production.assign(material=item.item)
    if not known:
        # production unknown: the same function with production 0 gives the trade terms
        prod = pd.DataFrame({"material": item.item, "year": window, "production_t": 0.0})
    res = import_reliance(trade, prod, hs_row, window).iloc[0]
    imp, exp = res["extra_eu_imports_t"], res["extra_eu_exports_t"]
    row["imports_t"], row["exports_t"] = imp, exp
    if known:
        row["years_used"] = _span(known)
        row["production_t"] = res["eu_production_t"]
        cons = res["apparent_consumption_t"]
        row["import_reliance"] = res["ir_computed"]
        if prod_note == "" and row["production_t"] == 0:
            notes.append(f"no {group.name} production in World Mining Data (0 t)")
        if cons is not None and cons > 0:
            row["annual_demand_t"] = cons
            row["demand_source"] = "apparent_consumption"
        elif imp == 0 and exp == 0 and row["production_t"] == 0:
            notes.append("no production and no trade in the data: no demand estimate")
        else:
            notes.append(
                "apparent consumption ≤ 0 (exports exceed production + imports: re-exports or "
                "stock changes): no demand estimate; give annual_demand_t"
            )
        if res["ir_computed"] == 0 and imp - exp <= 0 and (imp or exp):
            notes.append("net exporter: import reliance 0")
        return
    if item.kind == "material":
        notes.append(
            "no World Mining Data production for "
            + (_span(window) if data.production is not None else "it (not loaded)")
            + ": demand = net imports (a lower bound), import reliance unknown"
        )
    else:
        notes.append("no production data for a product: demand = net imports (a lower bound)")
    if imp - exp > 0:
        row["annual_demand_t"] = imp - exp
        row["demand_source"] = "net_imports"
    elif imp or exp:
        notes.append("net exporter: no demand estimate from trade; give annual_demand_t")
    else:
        notes.append("no trade in the data")


def _suppliers(
    item: Item, group: Group, window: list[int], imports: pd.DataFrame, row: dict[str, Any]
) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    n_years = max(len(window), 1)
    sup = supplier_table(imports[["partner", "value_kusd", "quantity_t"]])
    if sup.empty:
        row["n_suppliers"] = 0
        notes.append(f"no imports into {group.name}: no suppliers")
        return pd.DataFrame(columns=SUPPLIER_COLUMNS), notes
    sup[["value_kusd", "quantity_t"]] = sup[["value_kusd", "quantity_t"]] / n_years
    top = sup.iloc[0]
    row.update(
        imports_kusd=float(sup["value_kusd"].sum()),
        n_suppliers=len(sup),
        top_supplier=top["supplier"],
        top_supplier_share=top["value_share"],
        top_supplier_share_t=top["quantity_share"],
        supplier_hhi=hhi(sup["value_share"]),
        supplier_hhi_t=hhi(sup["quantity_share"]),
    )
    reported = imports[~imports["imputed"] & imports["quantity_t"].notna()]
    if reported["quantity_t"].sum() > 0:
        row["import_unit_value_usd_per_t"] = (
            reported["value_kusd"].sum() * 1000.0 / reported["quantity_t"].sum()
        )
    n_imp = int(imports["imputed"].sum())
    n_missing = int((imports["quantity_t"].isna()).sum())
    if n_imp:
        notes.append(f"{n_imp} import flow(s) without quantity: estimated at the world price")
    if n_missing:
        share = imports.loc[imports["quantity_t"].isna(), "value_kusd"].sum() / (
            imports["value_kusd"].sum()
        )
        notes.append(
            f"{n_missing} import flow(s) ({share:.0%} of the value) without quantity or price: "
            "counted as 0 t"
        )
    return sup.assign(item=item.item, importer=group.name)[SUPPLIER_COLUMNS], notes


def _price(
    item: Item,
    year: int,
    window: list[int],
    imports: pd.DataFrame,
    product_prices: pd.DataFrame,
    user: ItemInputs,
    rate: float | None,
    row: dict[str, Any],
    notes: list[str],
) -> pd.DataFrame:
    """The item's price series (weights: the importer's import quantities per product in the
    window, else the world's in the year), its price in ``year`` and its volatility."""
    pp = product_prices[product_prices["product"].isin(item.hs_codes)]
    weights = imports.groupby("product")["quantity_t"].sum()
    if weights.fillna(0).sum() <= 0:
        in_year = pp[pp["year"].isin(window)]
        weights = in_year.groupby("product")["quantity_t_used"].sum()
    if weights.fillna(0).sum() <= 0:
        weights = pp.groupby("product")["quantity_t_used"].sum()
    series = px.item_prices(pp, weights.fillna(0).to_dict())
    counts = pp.groupby("year")[["n_flows", "n_used"]].sum()
    series = series.join(counts, on="year")
    out = series.assign(item=item.item)[_PRICE_COLUMNS]
    priced = series.dropna(subset=["price_usd_per_t"])
    if priced.empty:
        notes.append("no price: no flow of its HS codes with a usable quantity")
        return out
    vol = px.volatility(priced.set_index("year")["price_usd_per_t"])
    row["price_volatility"] = vol["sd_log_change"]
    row["price_volatility_robust"] = vol["mad_log_change"]
    row["years_of_prices"] = vol["years_of_prices"]
    if vol["n_changes"] < 2:
        notes.append("fewer than 3 consecutive years of prices: no volatility")
    at = priced[priced["year"] <= year]
    if at.empty:
        notes.append(f"no price in or before {year}")
        return out
    last = at.iloc[-1]
    py = int(last["year"])
    if py != year:
        notes.append(f"price of {py} (none in {year})")
    row["price_usd_per_t"] = float(last["price_usd_per_t"])
    row["price_year"] = py
    row["price_flows_used"] = int(last["n_used"])
    r = px.usd_per_eur(py, rate)
    if r is None:
        notes.append(f"no ECB rate for {py}: no EUR price (give usd_per_eur)")
    else:
        row["usd_per_eur"] = r
        row["price_eur_per_t"] = row["price_usd_per_t"] / r
    return out
