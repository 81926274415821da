"""Supply shocks: what if deliveries from a country (industry) fall by x %?

Two supply-side models, both with fixed allocation coefficients ``B = x̂⁻¹Z`` (Ghosh 1958;
Miller & Blair 2009, §12.1–12.2) and therefore **no substitution**: buyers cannot replace a
lost supplier, so the results are upper bounds of the disruption.

``ghosh`` — the Ghosh multiplier. The deliveries lost by each buyer j,
``Δz_j = Σ_{i∈shocked} f_i Z_ij`` (j in the shock's scope), are treated as a loss of j's
primary inputs and pushed downstream: ``Δx' = −Δz' G`` with ``G = (I − B)⁻¹``.

``extraction`` — partial hypothetical extraction in the supply-side model (Dietzenbacher,
van der Linden & Steenge 1993; Miller & Lahr 2001): the shocked rows of ``B`` are scaled by
``1 − f`` for the buyers in scope and output is recomputed with primary inputs fixed,
``x*' = v_p' (I − B*)⁻¹``. It differs from ``ghosh`` by the second-order feedback through the
shocked industries' own output. Computed exactly with the Woodbury identity on the k shocked
rows: ``x*' = x' − x_R' (I + W G_R)⁻¹ W G`` (``W`` the removed allocation rows, ``G_R`` the
shocked columns of ``G``), so each scenario costs k + 1 solves with the factorised ``I − A``.

Value-added losses assume fixed value-added coefficients: ``Δva = v ⊙ Δx``.

**Losses above output.** The first-order Ghosh loss of a shocked industry j is
``f · (Σ_{i∈R} L_ij − 1) · x_j`` (its own and its suppliers' feedback counted at full strength),
so where the output multiplier of the shocked rows exceeds 2 the model reports more than the
industry's whole output (China's deliveries −100 % to China on the OECD ICIO 2022: up to 216 %
for 34 industries). No industry can lose more than it makes: every loss is **capped at 100 %
of output**, the capped rows are marked (``output_loss_capped``) and the result's notes say how
many there were and how far above output the model went (:data:`CAP_NOTE`). Partial extraction
recomputes output and cannot exceed it while primary inputs are not negative.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.core.errors import DataError, UsageError
from ketenradar.core.groups import GroupRegistry
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.datasets.iotable import IOTable
from ketenradar.modules.io.analysis.model import IOModel
from ketenradar.modules.io.analysis.regions import Economy, resolve_economy

MODELS = ("ghosh", "extraction")
SCOPES = ("world", "economy")

#: The note of a scenario whose model reported losses above output (filled in with
#: ``.format()``: scenario, model, n, worst: the largest uncapped loss as a share of output).
CAP_NOTE = (
    "scenario '{scenario}': the {model} model put the output loss of {n} industr{ies} above "
    "their output (up to {worst:.0%}); those losses are capped at 100 % of output and marked "
    "in output_loss_capped"
)


@dataclass(frozen=True)
class Shock:
    """Deliveries from ``supplier`` (optionally only ``industries``) fall by ``fall``."""

    supplier: str
    fall: float
    to: str = "world"
    industries: tuple[str, ...] = ()


@dataclass
class Scenario:
    """Shocks applied together, under one model."""

    name: str
    shocks: list[Shock]
    model: str = "extraction"
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def parse_fall(value: Any, where: str) -> float:
    """``0.5``, ``50%`` or ``"50 %"`` → 0.5; must lie in (0, 1]."""
    try:
        if isinstance(value, str) and value.strip().endswith("%"):
            f = float(value.strip()[:-1]) / 100
        else:
            f = float(value)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{where}: fall '{value}' is not a number or percentage") from exc
    if not 0 < f <= 1:
        raise UsageError(f"{where}: fall {value} must be above 0 and at most 100 %")
    return f


def scenario_from_dict(doc: dict[str, Any], where: str) -> Scenario:
    """Validate one scenario document (see ``docs/guide.md`` for the format)."""
    if not isinstance(doc, dict):
        raise UsageError(f"{where}: a scenario must be a mapping")
    unknown = set(doc) - {"name", "model", "shocks", "description"}
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    model = doc.get("model", "extraction")
    if model not in MODELS:
        raise UsageError(f"{where}: model '{model}' (choose {' or '.join(MODELS)})")
    raw = doc.get("shocks")
    if not isinstance(raw, list) or not raw:
        raise UsageError(f"{where}: 'shocks' must be a non-empty list")
    shocks = []
    for k, s in enumerate(raw, 1):
        w = f"{where}, shock {k}"
        if not isinstance(s, dict) or "supplier" not in s or "fall" not in s:
            raise UsageError(f"{w}: needs at least 'supplier' and 'fall'")
        bad = set(s) - {"supplier", "fall", "to", "industries", "industry"}
        if bad:
            raise UsageError(f"{w}: unknown key(s) {', '.join(sorted(bad))}")
        to = s.get("to", "world")
        if to not in SCOPES:
            raise UsageError(f"{w}: 'to' is '{to}' (choose {' or '.join(SCOPES)})")
        inds = s.get("industries", s.get("industry", []))
        if isinstance(inds, str):
            inds = [inds]
        shocks.append(
            Shock(str(s["supplier"]), parse_fall(s["fall"], w), to, tuple(str(i) for i in inds))
        )
    name = str(doc.get("name") or where)
    return Scenario(name, shocks, model, str(doc.get("description", "")))


def load_scenarios(path: Path) -> list[Scenario]:
    """A YAML/JSON file with one scenario or ``scenarios: [...]`` (a batch).

    YAML is read with :func:`~ketenradar.core.safe_yaml.load_yaml`: aliases repeating more than
    ``KETENRADAR_MAX_YAML_NODES`` nodes, recursive aliases and nesting too deep
    are refused (:class:`DataError` naming the file).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read scenario file {path}: {exc.strerror}") from exc
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"not valid {path.suffix.lstrip('.')}: {exc}", file=path) from exc
    else:  # refuses syntax errors (with the line) and YAML that would explode
        doc = load_yaml(text, file=path, kind=path.suffix.lstrip(".") or "YAML")
    if isinstance(doc, dict) and "scenarios" in doc:
        items = doc["scenarios"]
        if not isinstance(items, list) or not items:
            raise UsageError(f"{path}: 'scenarios' must be a non-empty list")
        out = [scenario_from_dict(d, f"{path}, scenario {k}") for k, d in enumerate(items, 1)]
    else:
        out = [scenario_from_dict(doc, str(path))]
    names = [s.name for s in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise UsageError(f"{path}: scenario names must be unique ({', '.join(dup)})")
    return out


def _shock_matrix(
    table: IOTable, econ: Economy, scenario: Scenario, registry: GroupRegistry
) -> tuple[np.ndarray, np.ndarray]:
    """(rows R, ΔZ[R, :]): the deliveries each shocked industry loses, per buyer."""
    n = table.n
    falls = np.zeros((n, 2))  # fall per industry, for buyers worldwide / in the economy
    for k, shock in enumerate(scenario.shocks, 1):
        where = f"scenario '{scenario.name}', shock {k}"
        try:
            supplier = resolve_economy(table, shock.supplier, registry)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from exc
        rows = supplier.mask.copy()
        if shock.industries:
            unknown = [i for i in shock.industries if i not in table.sectors]
            if unknown:
                close = difflib.get_close_matches(unknown[0], table.sectors, n=3)
                raise UsageError(
                    f"{where}: unknown industr{'y' if len(unknown) == 1 else 'ies'} "
                    f"{', '.join(unknown)} in the {table.source} table"
                    + (f"; closest: {', '.join(close)}" if close else "")
                )
            rows &= np.tile(np.isin(table.sectors, shock.industries), len(table.regions))
        falls[rows, SCOPES.index(shock.to)] += shock.fall
    if (falls.sum(axis=1) > 1 + 1e-12).any():
        raise UsageError(
            f"scenario '{scenario.name}': shocks on the same supplier add up to more than 100 %"
        )
    R = np.flatnonzero(falls.sum(axis=1) > 0)
    if not len(R):
        raise UsageError(f"scenario '{scenario.name}' shocks no industry with output")
    dZ = table.Z[R, :] * falls[R, 0][:, None]
    dZ[:, econ.mask] += table.Z[np.ix_(R, econ.industries())] * falls[R, 1][:, None]
    return R, dZ


def output_loss(model: IOModel, R: np.ndarray, dZ: np.ndarray, method: str) -> np.ndarray:
    """Loss of gross output of every industry (positive = less output)."""
    if method == "ghosh":
        return model.ghosh_left(dZ.sum(axis=0))
    if method == "extraction":
        x = model.x
        W = np.zeros_like(dZ)
        active = x[R] > 0
        W[active] = dZ[active] / x[R][active, None]
        GR = model.ghosh_columns(R)  # (n, k)
        Mk = np.eye(len(R)) + W @ GR
        r = np.linalg.solve(Mk.T, x[R])
        return model.ghosh_left(r @ W)
    raise UsageError(f"unknown model '{method}' (choose {' or '.join(MODELS)})")


def run_scenarios(
    model: IOModel,
    econ: Economy,
    scenarios: list[Scenario],
    registry: GroupRegistry,
    *,
    progress: Any = None,
) -> pd.DataFrame:
    """Per scenario, the output and value-added loss of each industry of the economy, plus a
    ``TOTAL`` row per scenario."""
    t = model.table
    idx = t.index()
    cols = econ.industries()
    frames = []
    notes: list[str] = []
    for k, sc in enumerate(scenarios):
        R, dZ = _shock_matrix(t, econ, sc, registry)
        loss = output_loss(model, R, dZ, sc.model)[cols]
        x = t.x[cols]
        # no industry loses more than its output (the Ghosh model can say so: module docstring)
        capped = loss > x * (1 + 1e-9)
        if capped.any():
            worst = float(np.max(loss[capped] / x[capped]))
            n = int(capped.sum())
            notes.append(
                CAP_NOTE.format(
                    scenario=sc.name, model=sc.model, n=n, ies="y" if n == 1 else "ies", worst=worst
                )
            )
            loss = np.where(capped, x, loss)
        va = t.va[cols]
        va_loss = model.v[cols] * loss
        with np.errstate(divide="ignore", invalid="ignore"):
            df = pd.DataFrame(
                {
                    "scenario": sc.name,
                    "model": sc.model,
                    "economy": econ.label,
                    "year": t.year,
                    "region": idx["region"].to_numpy()[cols],
                    "industry": idx["sector"].to_numpy()[cols],
                    "industry_name": idx["sector"].map(t.sector_names).fillna("").to_numpy()[cols],
                    "output_musd": x,
                    "output_loss_musd": loss,
                    "output_loss_share": np.where(x > 0, loss / x, np.nan),
                    "va_musd": va,
                    "va_loss_musd": va_loss,
                    "va_loss_share": np.where(va > 0, va_loss / va, np.nan),
                    "output_loss_capped": capped,
                }
            )
        total = {
            "scenario": sc.name,
            "model": sc.model,
            "economy": econ.label,
            "year": t.year,
            "region": econ.label,
            "industry": "TOTAL",
            "industry_name": "all industries of the economy",
            "output_musd": x.sum(),
            "output_loss_musd": loss.sum(),
            "output_loss_share": loss.sum() / x.sum(),
            "va_musd": va.sum(),
            "va_loss_musd": va_loss.sum(),
            "va_loss_share": va_loss.sum() / va.sum(),
            "output_loss_capped": bool(capped.any()),
        }
        frames.append(pd.concat([pd.DataFrame([total]), df], ignore_index=True))
        if progress:
            progress(f"scenario {sc.name}", k + 1, len(scenarios))
    out = pd.concat(frames, ignore_index=True)
    out.attrs["notes"] = notes
    return out


def single_scenario(
    supplier: str,
    fall: Any,
    *,
    to: str = "world",
    industries: tuple[str, ...] = (),
    model: str = "extraction",
    name: str | None = None,
) -> Scenario:
    """A one-shock scenario from command-line style arguments (named like
    ``CHN C26,C27 −50 % to world`` unless ``name`` is given)."""
    if name is None:
        pct = f"{parse_fall(fall, 'command line') * 100:g}"
        name = f"{supplier}{' ' + ','.join(industries) if industries else ''} −{pct} % to {to}"
    doc: dict[str, Any] = {
        "name": name,
        "model": model,
        "shocks": [{"supplier": supplier, "fall": fall, "to": to, "industries": list(industries)}],
    }
    return scenario_from_dict(doc, "command line")
