"""What-if scenarios for the EU criticality method: small YAML/JSON documents.

A scenario changes the inputs of the method and the assessment is recomputed::

    name: China restricts gallium exports
    description: t = 1.5 on China, and half of China's processing moves to Japan
    changes:
      - export_restriction: {country: CHN, t: 1.5, material: gallium}
      - shift: {material: gallium, stage: processing, from: CHN, to: JPN, share: 0.3}
      - wgi: {country: CHN, estimate: -1.5}          # or {country: CHN, scaled: 8.0}
      - recycling: {material: cobalt, eol_rir: 0.4}  # or {material: cobalt, add: 0.1}
      - parameters: {material: lithium, ir: 0.9}

``shift`` moves ``share`` (a fraction of the stage's total, or ``all``) from one country to
another, in global supply and EU sourcing unless ``scope`` says one; ``stage`` defaults to
both stages. Factors not in the open data (SI_SR, SI_EI, and IR when not given) are held at
the values the baseline implies (calibration), so the result shows what the change does.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.countries import names_to_iso3
from ketenradar.core.errors import DataError
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.core.vocabularies.materials import closest_hint, find_material, known_names
from ketenradar.modules.materials.analysis import criticality as m
from ketenradar.modules.materials.assessment import CriticalityInputs, criticality_table

CHANGE_KEYS = {
    "shift": {"material", "stage", "scope", "from", "to", "share"},
    "export_restriction": {"country", "t", "material", "stage"},
    "wgi": {"country", "estimate", "scaled"},
    "recycling": {"material", "eol_rir", "add"},
    "parameters": {"material", "ir", "si_sr", "si_ei", "eol_rir"},
}


@dataclass
class Scenario:
    """A parsed, validated scenario document."""

    name: str
    description: str
    changes: list[dict[str, Any]]
    source: str  # file path or '<inline>'
    sha256: str

    def provenance(self) -> dict[str, Any]:
        """What a result records about the scenario that produced it."""
        return {
            "scenario": self.name,
            "file": self.source,
            "sha256": self.sha256,
            "changes": self.changes,
        }


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file (YAML or JSON).

    Syntax errors (with the line) and YAML that would explode (aliases repeating more than
    ``KETENRADAR_MAX_YAML_NODES`` nodes, recursive aliases, nesting too deep)
    raise :class:`DataError` naming the file.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError("no such scenario file", file=p)
    text = p.read_text(encoding="utf-8")
    doc = load_yaml(text, file=p, kind="YAML/JSON")  # refuses documents that would explode
    return parse_scenario(doc, source=str(p), text=text)


def parse_scenario(doc: Any, *, source: str = "<inline>", text: str | None = None) -> Scenario:
    """Validate a scenario given as a Python dict."""
    if not isinstance(doc, dict):
        raise DataError("a scenario is a mapping with 'name' and 'changes'", file=source)
    unknown = set(doc) - {"name", "description", "changes"}
    if unknown:
        raise DataError(f"unknown key(s): {', '.join(sorted(unknown))}", file=source)
    changes = doc.get("changes")
    if not isinstance(changes, list) or not changes:
        raise DataError("'changes' must be a non-empty list", file=source, field="changes")
    clean = [_check_change(c, i, source) for i, c in enumerate(changes)]
    body = text if text is not None else json.dumps(doc, sort_keys=True)
    return Scenario(
        name=str(doc.get("name") or Path(source).stem),
        description=str(doc.get("description") or ""),
        changes=clean,
        source=source,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
    )


def _country(value: Any, where: str, source: str) -> str:
    iso = names_to_iso3([str(value)]).get(str(value))
    if iso is None:
        from ketenradar.core.countries import known_country_names

        hint = closest_hint(str(value), list(known_country_names()))
        raise DataError(
            f"unknown country {value!r} (use ISO3, e.g. CHN){hint}", file=source, node=where
        )
    return iso


def _number(value: Any, where: str, source: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DataError(f"not a number: {value!r}", file=source, node=where) from None


def _fraction(value: Any, where: str, source: str, upper: float = 1.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise DataError(f"not a number: {value!r}", file=source, node=where) from None
    if not 0.0 <= v <= upper:
        raise DataError(f"{v} is outside 0..{upper}", file=source, node=where)
    return v


def _check_change(change: Any, i: int, source: str) -> dict[str, Any]:
    where = f"changes[{i}]"
    if not isinstance(change, dict) or len(change) != 1:
        raise DataError(
            f"each change is one of {', '.join(CHANGE_KEYS)} with its fields",
            file=source,
            node=where,
        )
    kind, body = next(iter(change.items()))
    if kind not in CHANGE_KEYS:
        raise DataError(
            f"unknown change {kind!r}{closest_hint(kind, list(CHANGE_KEYS))}",
            file=source,
            node=where,
        )
    if not isinstance(body, dict):
        raise DataError("expected a mapping of fields", file=source, node=f"{where}.{kind}")
    extra = set(body) - CHANGE_KEYS[kind]
    if extra:
        raise DataError(
            f"unknown field(s) {', '.join(sorted(extra))}", file=source, node=f"{where}.{kind}"
        )
    out: dict[str, Any] = {"type": kind}
    if "material" in body:
        mat = find_material(str(body["material"]))
        if mat is None:
            raise DataError(
                f"unknown material {body['material']!r}"
                + closest_hint(str(body["material"]), known_names()),
                file=source,
                node=f"{where}.{kind}",
            )
        out["material"] = mat.material
    elif kind in ("shift", "recycling", "parameters"):
        raise DataError("'material' is required", file=source, node=f"{where}.{kind}")
    if "stage" in body:
        if body["stage"] not in ("extraction", "processing"):
            raise DataError(
                "stage is extraction or processing", file=source, node=f"{where}.{kind}"
            )
        out["stage"] = body["stage"]
    if kind == "shift":
        out["from"] = _country(body.get("from"), f"{where}.shift.from", source)
        out["to"] = _country(body.get("to"), f"{where}.shift.to", source)
        share = body.get("share")
        out["share"] = "all" if share == "all" else _fraction(share, f"{where}.shift.share", source)
        scope = body.get("scope", "both")
        if scope not in ("global", "eu", "both"):
            raise DataError("scope is global, eu or both", file=source, node=f"{where}.shift")
        out["scope"] = scope
    elif kind == "export_restriction":
        out["country"] = _country(body.get("country"), f"{where}.export_restriction", source)
        out["t"] = _fraction(body.get("t"), f"{where}.export_restriction.t", source, upper=10.0)
    elif kind == "wgi":
        out["country"] = _country(body.get("country"), f"{where}.wgi", source)
        if ("estimate" in body) == ("scaled" in body):
            raise DataError("give either 'estimate' or 'scaled'", file=source, node=f"{where}.wgi")
        if "estimate" in body:
            raw = _fraction(
                _number(body["estimate"], f"{where}.wgi.estimate", source) + 2.5,
                f"{where}.wgi.estimate+2.5",
                source,
                5.0,
            )
            out["scaled"] = m.wgi_scaled(raw - 2.5)
        else:
            out["scaled"] = _fraction(body["scaled"], f"{where}.wgi.scaled", source, 10.0)
    elif kind == "recycling":
        if ("eol_rir" in body) == ("add" in body):
            raise DataError(
                "give either 'eol_rir' or 'add'", file=source, node=f"{where}.recycling"
            )
        key = "eol_rir" if "eol_rir" in body else "add"
        out[key] = _fraction(body[key], f"{where}.recycling.{key}", source)
    elif kind == "parameters":
        vals = {
            k: _fraction(v, f"{where}.parameters.{k}", source)
            for k, v in body.items()
            if k != "material"
        }
        if not vals:
            raise DataError(
                "give at least one of ir, si_sr, si_ei, eol_rir",
                file=source,
                node=f"{where}.parameters",
            )
        out.update(vals)
    return out


def _param_rows(material: str, values: dict[str, float], source: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "material": material,
                "parameter": k,
                "value": v,
                "source": source,
                "url": None,
                "note": None,
            }
            for k, v in values.items()
        ]
    )


def apply_scenario(
    inputs: CriticalityInputs, scenario: Scenario, baseline: pd.DataFrame
) -> CriticalityInputs:
    """A copy of ``inputs`` with the scenario's changes and the baseline's calibration."""
    new = copy.deepcopy(inputs)
    shares = new.shares
    params = [new.parameters]
    # Calibration: hold the factors the baseline inferred from the published values.
    for mat, g in baseline.groupby("material"):
        row = g.iloc[0]
        keep: dict[str, float] = {}
        si_sr = g["implied_si_sr"].dropna()
        if pd.isna(row["si_sr"]) and len(si_sr):
            keep["si_sr"] = float(si_sr.iloc[0])
        if pd.isna(row["si_ei"]) and pd.notna(row["implied_si_ei"]):
            keep["si_ei"] = float(row["implied_si_ei"])
        if keep:
            params.append(_param_rows(str(mat), keep, "calibrated on the baseline"))
    eol_now = dict(
        new.parameters[new.parameters["parameter"] == "eol_rir"][["material", "value"]].values
    )
    for ch in scenario.changes:
        kind = ch["type"]
        sel = pd.Series(True, index=shares.index)
        if "material" in ch and kind in ("shift", "export_restriction"):
            sel &= shares["material"] == ch["material"]
        if "stage" in ch:
            sel &= shares["stage"] == ch["stage"]
        if kind == "shift":
            if ch["scope"] != "both":
                sel &= shares["scope"] == ch["scope"]
            shares = _shift(shares, sel, ch)
        elif kind == "export_restriction":
            shares.loc[sel & (shares["country"] == ch["country"]), "t"] = ch["t"]
        elif kind == "wgi":
            w = new.wgi
            if (w["country"] == ch["country"]).any():
                w.loc[w["country"] == ch["country"], "wgi_scaled"] = ch["scaled"]
            else:
                extra = {
                    "country": ch["country"],
                    "wgi_mean": None,
                    "n_dimensions": 0,
                    "wgi_scaled": ch["scaled"],
                }
                new.wgi = pd.concat([w, pd.DataFrame([extra])], ignore_index=True)
        elif kind == "recycling":
            base = eol_now.get(ch["material"], 0.0)
            val = ch["eol_rir"] if "eol_rir" in ch else min(1.0, base + ch["add"])
            eol_now[ch["material"]] = val
            params.append(_param_rows(ch["material"], {"eol_rir": val}, scenario.name))
        elif kind == "parameters":
            vals = {k: v for k, v in ch.items() if k in ("ir", "si_sr", "si_ei", "eol_rir")}
            params.append(_param_rows(ch["material"], vals, scenario.name))
    new.shares = shares
    new.parameters = pd.concat(params, ignore_index=True).drop_duplicates(
        ["material", "parameter"], keep="last"
    )
    return new


def _shift(shares: pd.DataFrame, sel: pd.Series, ch: dict[str, Any]) -> pd.DataFrame:
    """Move share from one country to another within each selected material/scope/stage."""
    out = shares.copy()
    added = []
    keys = out.loc[sel, ["material", "scope", "stage"]].drop_duplicates()
    for _, k in keys.iterrows():
        grp = (
            sel
            & (out["material"] == k["material"])
            & (out["scope"] == k["scope"])
            & (out["stage"] == k["stage"])
        )
        src = grp & (out["country"] == ch["from"])
        have = float(out.loc[src, "share"].sum())
        if have == 0.0:
            continue
        moved = have if ch["share"] == "all" else min(have, float(ch["share"]))
        out.loc[src, "share"] = out.loc[src, "share"] * (1 - moved / have)
        dst = grp & (out["country"] == ch["to"])
        if dst.any():
            out.loc[dst, "share"] = out.loc[dst, "share"] + moved
        else:
            t_dst = 0.8 if ch["to"] in _eu27() else 1.0
            added.append(
                {
                    **out.loc[src].iloc[0].to_dict(),
                    "country": ch["to"],
                    "country_label": ch["to"],
                    "share": moved,
                    "share_bound": None,
                    "t": t_dst,
                }
            )
    if added:
        out = pd.concat([out, pd.DataFrame(added)], ignore_index=True)
    return out


def _eu27() -> frozenset[str]:
    from ketenradar.core.groups import EU27

    return frozenset(EU27)


def run_scenario(
    inputs: CriticalityInputs, scenario: Scenario, assessment_year: int = 2023
) -> pd.DataFrame:
    """Baseline and scenario side by side, one row per material and stage, with deltas.

    The scenario is compared with the **calibrated** baseline (``sr_calibrated``,
    ``ei_calibrated``, ``critical_calibrated``): both runs hold the substitution indices the
    published values imply, so the deltas show what the change does.
    """
    base = criticality_table(inputs, assessment_year)
    scen = criticality_table(
        apply_scenario(inputs, scenario, base), assessment_year, calibrate=False
    )
    key = ["material", "stage"]
    s = scen[[*key, "hhi_wgi_t_gs", "hhi_wgi_t_eu", "eol_rir"]].rename(
        columns={c: f"{c}_scenario" for c in ("hhi_wgi_t_gs", "hhi_wgi_t_eu", "eol_rir")}
    )
    s["sr_scenario"] = scen["sr_calibrated"]
    s["ei_scenario"] = scen["ei_calibrated"]
    s["critical_scenario"] = scen["critical_calibrated"]
    out = base.merge(s, on=key, how="left")
    out["sr_delta"] = out["sr_scenario"] - out["sr_calibrated"]
    out["ei_delta"] = out["ei_scenario"] - out["ei_calibrated"]
    out["critical_change"] = [
        _change(a, b)
        for a, b in zip(out["critical_calibrated"], out["critical_scenario"], strict=True)
    ]
    return out


def _change(before: Any, after: Any) -> str:
    if before is None or after is None or pd.isna(before) or pd.isna(after):
        return ""
    if bool(before) == bool(after):
        return ""
    return "becomes critical" if after else "no longer critical"
