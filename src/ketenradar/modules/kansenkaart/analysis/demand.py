"""The kansenkaart demand model (issue 17, item 2): pure functions, no I/O.

From a reference design's cost accounts (a :class:`ReferenceTable`, read by
:mod:`ketenradar.modules.kansenkaart.references`) and a programme
(:class:`~ketenradar.modules.kansenkaart.analysis.scenario.Programme`):

1. :func:`leaf_table`: the accounts that carry the amounts (leaves), plus a *remainder* row
   wherever a source parent differs from the sum of its items, so that every account level
   adds up to the source exactly; cost elements (factory equipment, site labour, site
   material) and site labour hours per leaf, from the leaf or its nearest ancestor's shares;
   what the source gives no element for is ``unallocated``.
2. :func:`assign_work_packages`: each leaf to a work package by the longest code prefix of
   the taxonomy (an unmapped account is an error, never dropped).
3. Scaling ``(P / P_ref) ** b`` per account group (:func:`scale_factor`), learning
   ``order ** log2(1 - rate)`` (:func:`learning_factor`), price year and currency
   (:func:`currency_factor`).
4. :func:`scurve_shares`: each work package's amount spread over calendar years by a cosine
   S-curve between its start and end month; the yearly shares sum to one.

The method, its choices and their sources: ``docs/methods/kansenkaart.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError, UsageError

#: The cost elements of a leaf (money), in the source currency at the reference size.
ELEMENTS: tuple[str, ...] = ("factory_equipment", "site_labour", "site_material", "unallocated")
#: Amounts below this many currency units between a parent and its items are no remainder.
REMAINDER_TOLERANCE = 0.5


@dataclass(frozen=True)
class ReferenceTable:
    """One reference design's cost accounts as its source gives them.

    ``accounts`` columns: ``account`` (code as in the source), ``norm`` (code without ``A.``
    and dots), ``parent`` (code or ``None``), ``level``, ``description``, ``nqa1`` (0/1 or
    missing), ``total``, ``factory_equipment``, ``site_labour``, ``site_material`` (missing:
    the source gives none for the account), ``site_labour_hours``, ``included`` (``False``:
    listed in the source but outside its totals) and ``exclusion`` (why).
    """

    design: str
    title: str
    code_system: str
    currency: str
    price_year: int
    reference_mwe: float
    construction_months: int
    accounts: pd.DataFrame
    files: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """Work packages (id → label key and schedule window) and code-prefix rules per code
    system (``eedb``, ``gncoa``)."""

    work_packages: Mapping[str, Mapping[str, Any]]
    rules: Mapping[str, Mapping[str, str]]

    def assign(self, norm: str, code_system: str) -> str | None:
        """The work package of a normalised code (longest matching prefix), or ``None``."""
        rules = self.rules.get(code_system, {})
        for k in range(len(norm), 0, -1):
            wp = rules.get(norm[:k])
            if wp is not None:
                return wp
        return None


def parse_taxonomy(doc: Any, *, file: str | None = None) -> Taxonomy:
    """Validate a taxonomy document (``data/work_packages.yaml``'s layout)."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("work_packages"), Mapping):
        raise DataError("a taxonomy maps 'work_packages' and 'rules'", field="taxonomy", file=file)
    wps: dict[str, dict[str, Any]] = {}
    for wp, spec in doc["work_packages"].items():
        where = f"work_packages.{wp}"
        if not isinstance(spec, Mapping):
            raise DataError("must be a mapping", field=where, file=file)
        unknown = set(spec) - {"label", "lead_months", "start_fraction", "end_fraction", "note"}
        if unknown:
            raise DataError(
                f"unknown field {sorted(unknown)[0]!r} (allowed: label, lead_months, "
                "start_fraction, end_fraction, note)",
                field=f"{where}.{sorted(unknown)[0]}",
                file=file,
            )
        try:
            lead = float(spec.get("lead_months", 0))
            start = float(spec.get("start_fraction", 0))
            end = float(spec.get("end_fraction", 1))
        except (TypeError, ValueError):
            raise DataError("lead_months and the fractions are numbers", field=where) from None
        if lead < 0:
            raise DataError(f"{lead!r} is not allowed (0 or more)", field=f"{where}.lead_months")
        if not 0 <= start < end <= 1.5:
            raise DataError(
                f"start_fraction {start!r} and end_fraction {end!r}: need 0 <= start < end <= 1.5",
                field=f"{where}.end_fraction",
                file=file,
            )
        wps[str(wp)] = {
            "label": str(spec.get("label", f"kansenkaart_wp_{wp}")),
            "lead_months": lead,
            "start_fraction": start,
            "end_fraction": end,
        }
    rules_doc = doc.get("rules")
    if not isinstance(rules_doc, Mapping):
        raise DataError("must map code systems to prefix rules", field="rules", file=file)
    rules: dict[str, dict[str, str]] = {}
    for system, mapping in rules_doc.items():
        if not isinstance(mapping, Mapping):
            raise DataError("must map code prefixes to work packages", field=f"rules.{system}")
        out: dict[str, str] = {}
        for prefix, wp in mapping.items():
            if str(wp) not in wps:
                raise DataError(
                    f"unknown work package {wp!r} (allowed: {', '.join(wps)})",
                    field=f"rules.{system}.{prefix}",
                    file=file,
                )
            out[str(prefix).replace(".", "")] = str(wp)
        rules[str(system)] = out
    return Taxonomy(wps, rules)


def prefix_value(norm: str, table: Mapping[str, Any], default: Any) -> Any:
    """The value of the longest prefix of ``norm`` in ``table`` (``default`` when none)."""
    for k in range(len(norm), 0, -1):
        if norm[:k] in table:
            return table[norm[:k]]
    return default


def scale_factor(mwe: float, reference_mwe: float, exponent: float) -> float:
    """``(mwe / reference_mwe) ** exponent``: the size scaling of one account group."""
    if mwe <= 0 or reference_mwe <= 0:
        raise UsageError("sizes must be above 0 MWe", field="mwe")
    return (mwe / reference_mwe) ** exponent


def learning_factor(order: int, rate: float) -> float:
    """Cost of the ``order``-th unit of a design relative to the first: ``order ** log2(1 -
    rate)`` (Wright's law; ``rate`` is the reduction per doubling)."""
    if order < 1:
        raise UsageError("the order of a unit starts at 1", field="order")
    if not 0 <= rate < 1:
        raise UsageError(f"learning rate {rate!r}: allowed 0 to below 1", field="learning_rate")
    return float(order ** math.log2(1.0 - rate)) if rate else 1.0


@dataclass(frozen=True)
class Factors:
    """Price indices (``deflator``: year → index) and exchange rates (``usd_per_eur``: year →
    rate) with their sources and whether they were checked."""

    deflator: Mapping[int, float]
    usd_per_eur: Mapping[int, float]
    sources: Mapping[str, str] = field(default_factory=dict)
    verified: Mapping[str, bool] = field(default_factory=dict)


def currency_factor(
    factors: Factors, source_year: int, currency: str, price_year: int | None
) -> tuple[float, str]:
    """The factor that turns source amounts (USD of ``source_year``) into ``currency``
    (``source``: USD, or ``EUR``) of ``price_year``, and the label of the result's currency
    (``USD2018``, ``EUR2024``).

    USD of year Y0 → USD of Y by the deflator ratio D(Y)/D(Y0); → EUR by dividing by the year's
    USD-per-EUR rate."""
    if currency not in ("source", "EUR"):
        raise UsageError(f"currency {currency!r}: allowed source, EUR", field="currency")
    year = price_year
    if year is None:
        year = source_year if currency == "source" else max(factors.usd_per_eur)
    if currency == "source" and year == source_year:
        return 1.0, f"USD{source_year}"
    for name, table in (("deflator", factors.deflator), ("usd_per_eur", factors.usd_per_eur)):
        if name == "usd_per_eur" and currency == "source":
            continue
        for y in (year, source_year):
            if y not in table:
                raise UsageError(
                    f"no {name} for {y} (years: {min(table)}–{max(table)})", field="price_year"
                )
    escalate = factors.deflator[year] / factors.deflator[source_year]
    if currency == "source":
        return escalate, f"USD{year}"
    return escalate / factors.usd_per_eur[year], f"EUR{year}"


def _cum(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return (1.0 - np.cos(np.pi * x)) / 2.0


def scurve_shares(start_month: float, end_month: float) -> tuple[np.ndarray, np.ndarray]:
    """Calendar years and the share of an amount spent in each, for a cosine S-curve from
    ``start_month`` to ``end_month`` (months counted as ``year * 12 + month``, month 0 =
    January): cumulative share ``(1 - cos(pi x)) / 2`` with ``x`` the elapsed fraction. The
    shares sum to 1 (each year's share is the difference of the cumulative curve)."""
    if not end_month > start_month:
        raise UsageError("a spending window ends after it starts", field="end_fraction")
    first = math.floor(start_month / 12)
    last = math.ceil(end_month / 12) - 1
    years = np.arange(first, last + 1)
    span = end_month - start_month
    lo = _cum((years * 12 - start_month) / span)
    hi = _cum((years * 12 + 12 - start_month) / span)
    shares = hi - lo
    shares[-1] += 1.0 - shares.sum()  # absorbs float round-off only (≈1e-16)
    return years, shares


@dataclass(frozen=True)
class PreparedDesign:
    """A design's leaves with work package and exponent, and the (account, leaf) pairs that
    sum leaves into every account level."""

    ref: ReferenceTable
    leaves: pd.DataFrame
    accounts: pd.DataFrame
    pair_account: np.ndarray
    pair_leaf: np.ndarray


def leaf_table(ref: ReferenceTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The leaves (with remainder rows) of an included account tree, and the account table
    with the remainder rows added. Each leaf has ``ancestors`` (itself first)."""
    acc = ref.accounts.copy()
    for col in ("factory_equipment", "site_labour", "site_material", "site_labour_hours"):
        acc[col] = pd.to_numeric(acc[col], errors="coerce")
    inc = acc[acc["included"]].copy()
    codes = set(inc["account"])
    children: dict[str, list[str]] = {}
    for a, p in zip(inc["account"], inc["parent"], strict=True):
        if p is not None and p in codes:
            children.setdefault(p, []).append(a)
    total = dict(zip(inc["account"], inc["total"].astype(float), strict=True))
    rows = []
    for p, kids in children.items():
        rest = total[p] - sum(total[k] for k in kids)
        if abs(rest) > REMAINDER_TOLERANCE:
            prow = inc.loc[inc["account"] == p].iloc[0]
            rows.append(
                {
                    "account": f"{p}~rest",
                    "norm": prow["norm"],
                    "parent": p,
                    "level": (prow["level"] + 1) if pd.notna(prow["level"]) else np.nan,
                    "description": f"Remainder of {p}: source amount minus the sum of its items",
                    "nqa1": np.nan,
                    "total": rest,
                    "factory_equipment": np.nan,
                    "site_labour": np.nan,
                    "site_material": np.nan,
                    "site_labour_hours": np.nan,
                    "included": True,
                    "remainder": True,
                }
            )
    inc["remainder"] = False
    if rows:
        inc = pd.concat([inc, pd.DataFrame(rows)], ignore_index=True)
    parent = dict(zip(inc["account"], inc["parent"], strict=True))
    has_kids = set(children)
    leaves = inc[~inc["account"].isin(has_kids)].copy().reset_index(drop=True)

    def chain(a: str) -> list[str]:
        out = [a]
        while parent.get(out[-1]) is not None and parent[out[-1]] in parent:
            out.append(parent[out[-1]])
        return out

    leaves["ancestors"] = [chain(a) for a in leaves["account"]]
    money = ["factory_equipment", "site_labour", "site_material"]
    # plain dicts: the lookups run once per leaf and ancestor
    tot = dict(zip(inc["account"], inc["total"].astype(float), strict=True))
    els = {
        a: (f, lab, m)
        for a, f, lab, m in zip(
            inc["account"], inc[money[0]], inc[money[1]], inc[money[2]], strict=True
        )
    }
    hrs = dict(zip(inc["account"], inc["site_labour_hours"], strict=True))
    out_el = leaves[money].to_numpy(float).copy()
    out_h = leaves["site_labour_hours"].to_numpy(float).copy()
    for i, (t, anc) in enumerate(
        zip(leaves["total"].astype(float), leaves["ancestors"], strict=True)
    ):
        if np.isnan(out_el[i]).all():
            for a in anc[1:]:
                e, at = els[a], tot[a]
                if not all(pd.isna(v) for v in e) and at:
                    out_el[i] = [t * float(v) / at if pd.notna(v) else 0.0 for v in e]
                    break
        if np.isnan(out_h[i]):
            for a in anc[1:]:
                h, at = hrs[a], tot[a]
                if pd.notna(h) and at:
                    out_h[i] = t * float(h) / at
                    break
    leaves[money] = out_el
    leaves["site_labour_hours"] = out_h
    split = leaves[money].fillna(0.0)
    leaves[money] = split
    leaves["unallocated"] = leaves["total"].astype(float) - split.sum(axis=1)
    return leaves, inc


def prepare_design(
    ref: ReferenceTable, taxonomy: Taxonomy, exponents: Mapping[str, float], default_b: float
) -> PreparedDesign:
    """Leaves with their work package (an error names every unmapped account) and scaling
    exponent, and the pairs that sum them into every account."""
    leaves, accounts = leaf_table(ref)
    wps = [taxonomy.assign(n, ref.code_system) for n in leaves["norm"]]
    unmapped = [a for a, w in zip(leaves["account"], wps, strict=True) if w is None]
    if unmapped:
        raise DataError(
            f"{len(unmapped)} account(s) of {ref.design} map to no work package: "
            + ", ".join(unmapped[:20]),
            field="taxonomy",
        )
    leaves["work_package"] = wps
    leaves["exponent"] = [prefix_value(n, exponents, default_b) for n in leaves["norm"]]
    index = {a: i for i, a in enumerate(accounts["account"])}
    pa, pl = [], []
    for li, anc in enumerate(leaves["ancestors"]):
        for a in anc:
            pa.append(index[a])
            pl.append(li)
    return PreparedDesign(ref, leaves, accounts, np.array(pa), np.array(pl))


@dataclass(frozen=True)
class UnitPlan:
    """One unit of a programme, resolved: size, order, start month and duration."""

    unit: str
    design: str
    site: str
    mwe: float
    order: int
    first_concrete_month: float
    construction_months: int


def resolve_units(programme: Any, refs: Mapping[str, ReferenceTable]) -> list[UnitPlan]:
    """Each unit's size (default: the design's), order in its design's order book (default:
    listed order) and first-concrete month."""
    seen: dict[str, int] = {}
    out = []
    for i, u in enumerate(programme.units):
        ref = refs[u.design]
        seen[u.design] = seen.get(u.design, 0) + 1
        months = u.construction_months or ref.construction_months
        if u.first_concrete_year is not None:
            start = u.first_concrete_year * 12.0
        else:
            start = u.commercial_operation_year * 12.0 - months
        out.append(
            UnitPlan(
                unit=u.name or f"unit {i + 1}",
                design=u.design,
                site=u.site,
                mwe=float(u.mwe or ref.reference_mwe),
                order=u.order or seen[u.design],
                first_concrete_month=start,
                construction_months=months,
            )
        )
    return out


def compute_demand(
    programme: Any,
    prepared: Mapping[str, PreparedDesign],
    taxonomy: Taxonomy,
    factors: Factors,
    *,
    currency: str = "EUR",
    price_year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demand per unit × work package × year (cost elements, total, site labour hours)
    and the accounts per unit at every level next to the source's amounts."""
    plans = resolve_units(programme, {k: p.ref for k, p in prepared.items()})
    money = ["factory_equipment", "site_labour", "site_material", "unallocated"]
    demand_parts: list[pd.DataFrame] = []
    account_parts: list[pd.DataFrame] = []
    for plan in plans:
        prep = prepared[plan.design]
        ref, leaves = prep.ref, prep.leaves
        conv, label = currency_factor(factors, ref.price_year, currency, price_year)
        learn = learning_factor(plan.order, programme.learning_rate)
        size = (plan.mwe / ref.reference_mwe) ** leaves["exponent"].to_numpy(float)
        mult = size * learn
        values = leaves[money].to_numpy(float) * (mult * conv)[:, None]
        hours = leaves["site_labour_hours"].to_numpy(float) * mult
        # every account level: the sum of its leaves
        n = len(prep.accounts)
        acc_vals = np.zeros((n, len(money)))
        for j in range(len(money)):
            acc_vals[:, j] = np.bincount(
                prep.pair_account, weights=values[prep.pair_leaf, j], minlength=n
            )
        hrs = np.bincount(
            prep.pair_account, weights=np.nan_to_num(hours)[prep.pair_leaf], minlength=n
        )
        known = np.bincount(
            prep.pair_account, weights=(~np.isnan(hours))[prep.pair_leaf].astype(float), minlength=n
        )
        acc = prep.accounts[["account", "parent", "level", "description", "nqa1"]].copy()
        acc.insert(0, "unit", plan.unit)
        acc.insert(1, "design", plan.design)
        acc["leaf"] = ~acc["account"].isin(set(prep.accounts["parent"].dropna()))
        leaf_wp = dict(zip(leaves["account"], leaves["work_package"], strict=True))
        acc["work_package"] = acc["account"].map(leaf_wp)
        acc["source_total"] = prep.accounts["total"].astype(float).to_numpy()
        for j, m in enumerate(money):
            acc[m] = acc_vals[:, j]
        acc["total"] = acc_vals.sum(axis=1)
        acc["site_labour_hours"] = np.where(known > 0, hrs, np.nan)
        acc["currency"] = label
        account_parts.append(acc)
        # per work package, then over the years (one frame per unit)
        wp_codes, wp_index = np.unique(leaves["work_package"].to_numpy(str), return_inverse=True)
        k = len(wp_codes)
        wp_money = np.zeros((k, len(money)))
        for j in range(len(money)):
            wp_money[:, j] = np.bincount(wp_index, weights=values[:, j], minlength=k)
        wp_hours = np.bincount(wp_index, weights=np.nan_to_num(hours), minlength=k)
        wp_known = np.bincount(wp_index, weights=(~np.isnan(hours)).astype(float), minlength=k)
        cols: dict[str, list[Any]] = {"work_package": [], "year": []}
        blocks, hour_blocks = [], []
        for w, wp in enumerate(wp_codes):
            spec = taxonomy.work_packages[str(wp)]
            d = plan.construction_months
            start = plan.first_concrete_month + spec["start_fraction"] * d - spec["lead_months"]
            end = plan.first_concrete_month + spec["end_fraction"] * d
            years, shares = scurve_shares(start, end)
            cols["work_package"].extend([str(wp)] * len(years))
            cols["year"].extend(years.astype(int).tolist())
            blocks.append(shares[:, None] * wp_money[w][None, :])
            h = wp_hours[w] if wp_known[w] > 0 else np.nan
            hour_blocks.append(shares * h)
        block = np.vstack(blocks)
        part = pd.DataFrame(
            {
                "unit": plan.unit,
                "design": plan.design,
                "site": plan.site,
                "work_package": cols["work_package"],
                "year": np.array(cols["year"], dtype=int),
                **{m: block[:, j] for j, m in enumerate(money)},
                "total": block.sum(axis=1),
                "site_labour_hours": np.concatenate(hour_blocks),
                "currency": label,
            }
        )
        demand_parts.append(part)
        excluded = ref.accounts[~ref.accounts["included"]]
        if len(excluded):
            ex = excluded[["account", "parent", "level", "description", "nqa1"]].copy()
            ex.insert(0, "unit", plan.unit)
            ex.insert(1, "design", plan.design)
            ex["leaf"] = False
            ex["work_package"] = None
            ex["excluded"] = excluded["exclusion"].to_numpy()
            ex["source_total"] = excluded["total"].astype(float).to_numpy()
            ex["currency"] = label
            account_parts.append(ex)
    demand = pd.concat(demand_parts, ignore_index=True)
    accounts = pd.concat(account_parts, ignore_index=True)
    return demand, accounts


def design_exponents(
    groups: Mapping[str, Mapping[str, Any]], timcat: Mapping[str, float]
) -> tuple[dict[str, float], list[str]]:
    """The exponent per account-group prefix: TIMCAT's value where the group names a TIMCAT
    parameter found in ``timcat`` (read from input_scaling_exponents.xlsx), else the
    configured ``b``; and notes on what was used."""
    out: dict[str, float] = {}
    notes: list[str] = []
    for prefix, spec in groups.items():
        name = spec.get("timcat_parameter")
        if name and name in timcat:
            out[str(prefix)] = float(timcat[name])
        else:
            out[str(prefix)] = float(spec["b"])
            if name:
                notes.append(f"TIMCAT parameter {name!r} not read: b = {spec['b']} used")
    return out, notes


def summary_by(demand: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """``demand`` summed over everything but ``keys`` (e.g. work package × year)."""
    cols = [*ELEMENTS, "total", "site_labour_hours"]
    out = demand.groupby([*keys, "currency"], sort=True)[cols].sum(min_count=1).reset_index()
    return out
