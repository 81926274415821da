"""Bill of materials (BOM) of a system: YAML format, validation, explosion, exposure.

A BOM describes one unit of a system (a radar, a hull, an MRI scanner) as a tree: system →
subsystems → components → parts → ``materials``. Each material entry gives the mass (or value)
of one raw material per unit of the component it sits in, the supply-chain stage that matters
for it (``extraction`` or ``processing``) and the id of its source. ``docs/methods/bom.md``
documents the format, the formulas and the limits.

* :func:`load_bom` / :func:`parse_bom` read and validate a document (every error is a
  :class:`~ketenradar.core.errors.DataError` naming the path to the offending node).
* :func:`explode` multiplies quantities down the tree: total quantity per material and stage
  per unit of system, with the paths that contribute.
* :func:`exposure` joins that with supply shares per country (EU CRM global supply shares or
  USGS production): concentration (HHI), governance risk (WGI), the CRMA 65 % benchmark and
  the system's exposure per supplying country.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import yaml

from ketenradar.core.errors import DataError, NotFoundError
from ketenradar.core.modules import Column
from ketenradar.core.safe_yaml import load_yaml
from ketenradar.core.settings import settings
from ketenradar.core.vocabularies.materials import (
    closest_hint,
    find_material,
    materials,
    resolve_material,
)
from ketenradar.modules.materials.analysis.criticality import WGI_SCALED_MISSING

#: Bases a BOM can be expressed in: kg or EUR of each material per unit of its component.
UNITS = ("mass_kg", "value_eur")
#: The column schema of a BOM's quantities, per unit: the label's message key, the unit and
#: what the number is (the pages and downloads say "Mass (kg)", not ``mass_kg``).
UNIT_COLUMNS = {
    "mass_kg": Column(
        "quantity", "bom_unit_mass_kg", "kg", "Mass of the material per unit of system"
    ),
    "value_eur": Column(
        "quantity", "bom_unit_value_eur", "EUR", "Value of the material per unit of system"
    ),
}
#: The notes of a BOM input's supply: key → English wording (the ``note`` column joins them
#: with ``"; "``; the pages show the message ``bom_note_<key>``, see :func:`note_items`).
NOTES = {
    "no_supply": "no supply data",
    "parent": "no supply data for {material}; used parent {parent}",
    "other_stage": "no {stage} supply data; used {used}",
    "without_wgi": "{n} supplier(s) without WGI scored {score}",
}

#: Supply-chain stages (the EU CRM assessment's two stages).
STAGES = ("extraction", "processing")
DEFAULT_STAGE = "processing"

#: The CRMA benchmark (Reg. (EU) 2024/1252, Art. 5): no more than 65 % of the Union's annual
#: consumption of a strategic raw material from a single third country, at any stage. Applied
#: here to world supply: a top supplier above it is a single point of failure.
SPOF_THRESHOLD = 0.65

#: Keys of child lists; all three mean the same ("children"), the names only read better.
CHILD_KEYS = ("subsystems", "components", "parts")

# A BOM may explode into at most ``KETENRADAR_MAX_BOM_LINES`` nodes and material lines
# (through nesting and ``use:``), a guard against documents a few hundred bytes long that expand
# exponentially. The YAML itself may expand to at most ``KETENRADAR_MAX_YAML_NODES`` nodes
# (:mod:`ketenradar.core.settings`).

_ROOT_KEYS = frozenset(
    {"system", "description", "illustrative", "unit", "sources", "note", "library", "materials"}
    | set(CHILD_KEYS)
)
_NODE_KEYS = frozenset({"name", "quantity", "note", "materials", *CHILD_KEYS})
_USE_KEYS = frozenset({"use", "name", "quantity", "note"})
_SOURCE_KEYS = frozenset({"id", "citation", "url", "note"})
_MATERIAL_KEYS = frozenset({"material", "stage", "source", "note"})

#: Separator between node names in a path.
SEP = " > "

EXPLODE_COLUMNS = ["material", "name", "stage", "quantity", "share", "n_paths", "paths", "sources"]
MATERIAL_COLUMNS = [
    "material",
    "name",
    "stage",
    "quantity",
    "share",
    "is_critical",
    "top_country",
    "top_share",
    "hhi",
    "wgi_weighted_risk",
    "single_point_of_failure",
    "supply_material_used",
    "supply_stage_used",
    "supply_share_sum",
    "n_countries",
    "note",
]
COUNTRY_COLUMNS = [
    "country",
    "exposure_critical",
    "exposure_all",
    "n_critical_materials",
    "critical_materials",
]
SUMMARY_COLUMNS = [
    "system",
    "unit",
    "n_materials",
    "n_critical",
    "critical_materials",
    "critical_share",
    "single_points_of_failure",
    "no_supply_data",
    "coverage_critical",
    "country_hhi",
    "top_country",
    "top_country_exposure",
]


# --------------------------------------------------------------------------------------------
# Data model


@dataclass(frozen=True)
class Source:
    """A citable source of BOM figures."""

    id: str
    citation: str
    url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class MaterialInput:
    """One ``materials:`` entry: ``amount`` (kg or EUR) of a material per unit of its node."""

    material: str  # vocabulary id
    written: str  # the name as written in the file
    amount: float
    stage: str
    source: str
    note: str
    path: str
    line: int | None


@dataclass(frozen=True)
class Node:
    """A system, subsystem, component or part; ``use`` names another node it stands for."""

    name: str
    quantity: float
    path: str
    line: int | None
    children: tuple[Node, ...] = ()
    materials: tuple[MaterialInput, ...] = ()
    use: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Bom:
    """A validated bill of materials."""

    system: str
    description: str
    illustrative: bool
    unit: str
    sources: Mapping[str, Source]
    root: Node
    library: tuple[Node, ...]
    definitions: Mapping[str, Node]  # every named, non-``use`` node, for ``use:``
    file: str | None = None
    note: str = ""


@dataclass
class BomExposure:
    """Result of :func:`exposure`: per material, per supplying country, and a summary row."""

    materials: pd.DataFrame
    countries: pd.DataFrame
    summary: pd.DataFrame


# --------------------------------------------------------------------------------------------
# YAML with line numbers


class _LineDict(dict):
    """A mapping that remembers the line it starts on."""

    line: int | None = None


class _Loader(yaml.SafeLoader):
    """Safe loader whose mappings know their line and reject duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[_LineDict]:
    data = _LineDict()
    data.line = node.start_mark.line + 1
    yield data
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    data.update(loader.construct_mapping(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    """An integer; one Python will not convert (more than ``sys.get_int_max_str_digits()``
    digits) is a YAML error at its line, not a crash."""
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a number of {len(node.value):,} characters is too long "
            f"(at most {sys.get_int_max_str_digits():,} digits)",
            node.start_mark,
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _read_yaml(text: str, file: str | None) -> Any:
    """The document, through :func:`~ketenradar.core.safe_yaml.load_yaml` (syntax errors with the
    line, alias bombs, recursive aliases and too-deep nesting refused) and :class:`_Loader`."""
    return load_yaml(text, file=file, loader=_Loader)  # a SafeLoader: no arbitrary objects


# --------------------------------------------------------------------------------------------
# Validation helpers


class _Ctx:
    """What validation needs to raise good errors: the file, the unit, the source ids."""

    def __init__(self, file: str | None, unit: str, sources: Mapping[str, Source]) -> None:
        self.file = file
        self.unit = unit
        self.sources = sources

    def fail(self, path: str, reason: str, line: int | None, field: str | None = None) -> NoReturn:
        raise DataError(reason, file=self.file, line=line, field=field, node=path)


def _line(obj: Any) -> int | None:
    return getattr(obj, "line", None)


def _check_keys(ctx: _Ctx, raw: dict, allowed: frozenset[str], path: str, why: str = "") -> None:
    for key in raw:
        if key not in allowed:
            hint = closest_hint(str(key), sorted(allowed))
            ctx.fail(path, f"unknown key '{key}'{hint}{why}", _line(raw), str(key))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _number(ctx: _Ctx, value: Any, path: str, field: str, line: int | None) -> float:
    """A finite number ≥ 0. Strings such as ``'1e-5'`` (YAML 1.1 reads them as text) count."""
    if isinstance(value, bool):
        ctx.fail(path, f"{field} must be a number, got {_short(value)}", line, field)
    try:
        v = float(value)
    except (TypeError, ValueError):
        ctx.fail(path, f"{field} must be a number, got {_short(value)}", line, field)
    except OverflowError:  # an integer too large for a float
        ctx.fail(path, f"{field} must be finite, got a {len(str(value))}-digit number", line, field)
    if not math.isfinite(v):
        ctx.fail(path, f"{field} must be finite, got {_short(value)}", line, field)
    if v < 0:
        ctx.fail(path, f"{field} must not be negative, got {_short(value)}", line, field)
    return v


def _text(ctx: _Ctx, raw: dict, key: str, path: str, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            ctx.fail(path, f"'{key}' is required", _line(raw), key)
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        ctx.fail(path, f"'{key}' must be text, got {_short(value)}", _line(raw), key)
    return str(value).strip()


def _list(ctx: _Ctx, raw: dict, key: str, path: str) -> list:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.fail(path, f"'{key}' must be a list", _line(raw), key)
    return value


# --------------------------------------------------------------------------------------------
# Parsing


def _parse_sources(ctx: _Ctx, doc: dict) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for i, raw in enumerate(_list(ctx, doc, "sources", "sources")):
        path = f"sources[{i}]"
        if not isinstance(raw, dict):
            ctx.fail(path, "a source must be a mapping with 'id' and 'citation'", _line(doc))
        _check_keys(ctx, raw, _SOURCE_KEYS, path)
        sid = _text(ctx, raw, "id", path, required=True)
        if sid in out:
            ctx.fail(path, f"duplicate source id '{sid}'", _line(raw), "id")
        out[sid] = Source(
            id=sid,
            citation=_text(ctx, raw, "citation", path, required=True),
            url=_text(ctx, raw, "url", path) or None,
            note=_text(ctx, raw, "note", path),
        )
    return out


def _parse_material(ctx: _Ctx, raw: Any, path: str, parent_line: int | None) -> MaterialInput:
    if not isinstance(raw, dict):
        ctx.fail(path, "a material entry must be a mapping with 'material'", parent_line)
    line = _line(raw)
    _check_keys(ctx, raw, _MATERIAL_KEYS | {ctx.unit}, path)
    written = _text(ctx, raw, "material", path, required=True)
    try:
        mat = resolve_material(written)
    except NotFoundError as exc:
        ctx.fail(path, str(exc), line, "material")
    if ctx.unit not in raw:
        ctx.fail(path, f"'{ctx.unit}' is required (the BOM's unit)", line, ctx.unit)
    amount = _number(ctx, raw[ctx.unit], path, ctx.unit, line)
    stage = _text(ctx, raw, "stage", path) or DEFAULT_STAGE
    if stage not in STAGES:
        ctx.fail(path, f"unknown stage '{stage}' (one of: {', '.join(STAGES)})", line, "stage")
    source = _text(ctx, raw, "source", path, required=True)
    if source not in ctx.sources:
        known = ", ".join(ctx.sources) or "none defined"
        ctx.fail(path, f"unknown source '{source}' (known: {known})", line, "source")
    return MaterialInput(
        material=mat.material,
        written=written,
        amount=amount,
        stage=stage,
        source=source,
        note=_text(ctx, raw, "note", path),
        path=path,
        line=line,
    )


def _parse_node(ctx: _Ctx, raw: Any, where: str, label: str, parent_line: int | None) -> Node:
    """A node (``where`` is its parent's path, ``label`` the fallback name, e.g. ``parts[1]``)."""
    fallback = f"{where}{SEP}{label}" if where else label
    if not isinstance(raw, dict):
        ctx.fail(fallback, "a node must be a mapping with 'name' (or 'use')", parent_line)
    line = _line(raw)
    use = _text(ctx, raw, "use", fallback) or None
    name = _text(ctx, raw, "name", fallback) or use
    path = f"{where}{SEP}{name}" if where and name else (name or fallback)
    if "use" in raw and not use:
        ctx.fail(path, "'use' must name another node", line, "use")
    if use:
        why = f" (a 'use' node takes only: {', '.join(sorted(_USE_KEYS))})"
        _check_keys(ctx, raw, _USE_KEYS, path, why)
    else:
        _check_keys(ctx, raw, _NODE_KEYS, path)
    if not name:
        ctx.fail(path, "'name' is required (or 'use')", line, "name")
    quantity = _number(ctx, raw.get("quantity", 1), path, "quantity", line)
    children: list[Node] = []
    for key in CHILD_KEYS:
        for i, child in enumerate(_list(ctx, raw, key, path)):
            children.append(_parse_node(ctx, child, path, f"{key}[{i}]", line))
    mats = tuple(
        _parse_material(ctx, m, f"{path}{SEP}materials[{i}]", line)
        for i, m in enumerate(_list(ctx, raw, "materials", path))
    )
    return Node(
        name=name,
        quantity=quantity,
        path=path,
        line=line,
        children=tuple(children),
        materials=mats,
        use=use,
        note=_text(ctx, raw, "note", path),
    )


def _all_nodes(node: Node) -> Iterator[Node]:
    yield node
    for c in node.children:
        yield from _all_nodes(c)


def _definitions(ctx: _Ctx, root: Node, library: tuple[Node, ...]) -> dict[str, Node]:
    """Named nodes that ``use:`` can refer to; a name defined twice cannot be used."""
    defs: dict[str, Node] = {}
    twice: dict[str, list[str]] = {}
    for top in (root, *library):
        for n in _all_nodes(top):
            if n.use is None:
                if n.name in defs:
                    twice.setdefault(n.name, [defs[n.name].path]).append(n.path)
                defs[n.name] = n
    for top in (root, *library):
        for n in _all_nodes(top):
            if n.use is None:
                continue
            if n.use in twice:
                where = "; ".join(twice[n.use])
                ctx.fail(n.path, f"'use: {n.use}' is ambiguous: defined at {where}", n.line, "use")
            if n.use not in defs:
                hint = closest_hint(n.use, sorted(defs))
                ctx.fail(n.path, f"'use: {n.use}' names no defined node{hint}", n.line, "use")
    return defs


def _label(node: Node) -> str:
    if node.use is None:
        return node.name
    return f"use: {node.use}" if node.name == node.use else f"{node.name} (use: {node.use})"


def _check_cycles(ctx: _Ctx, root: Node, library: tuple[Node, ...], defs: dict[str, Node]) -> None:
    """Depth-first search over child and ``use`` edges; a back edge is a cycle."""
    done: set[int] = set()

    def visit(node: Node, trail: list[Node]) -> None:
        if id(node) in done:
            return
        for i, seen in enumerate(trail):
            if seen is node:
                loop = trail[i:]
                offender = next((n for n in reversed(loop) if n.use), loop[-1])
                names = [_label(n) for n in loop]
                if not (loop[-1].use and defs[loop[-1].use] is node):
                    names.append(node.name)  # closed by a child edge: show where it lands
                ctx.fail(
                    offender.path,
                    f"cycle through 'use': {SEP.join(names)}",
                    offender.line,
                    "use",
                )
        trail.append(node)
        for nxt in (defs[node.use],) if node.use else node.children:
            visit(nxt, trail)
        trail.pop()
        done.add(id(node))

    for top in (root, *library):
        visit(top, [])


def _children(node: dict) -> list[Any]:
    out: list[Any] = []
    for key in CHILD_KEYS:
        value = node.get(key)
        if isinstance(value, list):
            out += value
    return out


def _expanded_size(doc: Any, limit: int) -> int:
    """How many nodes and material lines the BOM document explodes into through nesting and
    ``use:`` (counted on the raw document with memoisation, capped just above ``limit``);
    malformed parts count as one and are left to the validation."""
    if not isinstance(doc, dict):
        return 0
    library = doc.get("library") if isinstance(doc.get("library"), list) else []
    defs: dict[str, dict] = {}

    def collect(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if isinstance(node.get("name"), str) and "use" not in node:
            defs.setdefault(node["name"], node)
        for child in _children(node):
            collect(child)

    defs[str(doc.get("system"))] = doc
    collect(doc)
    for top in library:
        collect(top)
    memo: dict[int, int] = {}
    active: set[int] = set()

    def count(node: Any) -> int:
        if not isinstance(node, dict):
            return 1
        use = node.get("use")
        body = defs.get(use, node) if isinstance(use, str) else node
        key = id(body)
        if key in memo:
            return memo[key]
        if key in active:
            return 1  # a cycle: _check_cycles names it
        active.add(key)
        mats = body.get("materials")
        n = 1 + (len(mats) if isinstance(mats, list) else 0)
        n += sum(count(c) for c in _children(body))
        active.discard(key)
        memo[key] = min(n, limit + 1)
        return memo[key]

    return min(count(doc) + sum(count(t) for t in library), limit + 1)


def parse_bom(text: str, *, file: str | Path | None = None) -> Bom:
    """Parse and validate a BOM YAML document; raises :class:`DataError` naming the node.

    Documents that would explode are refused before anything is built or exploded: YAML whose
    aliases expand past ``KETENRADAR_MAX_YAML_NODES`` nodes, recursive aliases, nesting too
    deep to walk, and BOMs whose nesting and ``use:`` explode into more than
    ``KETENRADAR_MAX_BOM_LINES`` nodes and material lines (:mod:`ketenradar.core.settings`).
    """
    fname = str(file) if file is not None else None
    doc = _read_yaml(text, fname)
    try:
        limit = settings().max_bom_lines
        if _expanded_size(doc, limit) > limit:
            raise DataError(
                f"the BOM explodes into more than {limit:,} nodes and material lines "
                "(through 'use:' and nesting)",
                file=fname,
            )
        return _validate(doc, fname)
    except RecursionError:
        raise DataError("the BOM is nested too deeply", file=fname) from None


def _validate(doc: Any, fname: str | None) -> Bom:
    """The :class:`Bom` of a document read by :func:`_read_yaml`, validated."""
    if not isinstance(doc, dict):
        raise DataError("a BOM must be a YAML mapping with 'system:'", file=fname)
    boot = _Ctx(fname, "mass_kg", {})
    _check_keys(boot, doc, _ROOT_KEYS, "(top level)")
    system = _text(boot, doc, "system", "(top level)", required=True)
    unit = _text(boot, doc, "unit", system, required=True)
    if unit not in UNITS:
        boot.fail(system, f"unknown unit '{unit}' (one of: {', '.join(UNITS)})", _line(doc), "unit")
    illustrative = doc.get("illustrative")
    if not isinstance(illustrative, bool):
        boot.fail(system, "'illustrative' must be true or false", _line(doc), "illustrative")
    ctx = _Ctx(fname, unit, {})
    ctx.sources = _parse_sources(ctx, doc)
    root_raw = _LineDict({k: doc[k] for k in ("materials", *CHILD_KEYS) if k in doc})
    root_raw.line = _line(doc)
    root_raw["name"] = system
    root = _parse_node(ctx, root_raw, "", system, _line(doc))
    library = tuple(
        _parse_node(ctx, raw, "library", f"library[{i}]", _line(doc))
        for i, raw in enumerate(_list(ctx, doc, "library", "library"))
    )
    defs = _definitions(ctx, root, library)
    _check_cycles(ctx, root, library, defs)
    bom = Bom(
        system=system,
        description=_text(ctx, doc, "description", system),
        illustrative=illustrative,
        unit=unit,
        sources=ctx.sources,
        root=root,
        library=library,
        definitions=defs,
        file=fname,
        note=_text(ctx, doc, "note", system),
    )
    if not any(True for _ in _walk(bom, bom.root, 1.0, ())):
        raise DataError("the BOM has no materials", file=fname, node=system)
    return bom


def decode_text(data: bytes, file: str | Path | None = None) -> str:
    """A BOM file's bytes as text (UTF-8, with or without a byte-order mark); other bytes
    are a :class:`DataError` naming the line and byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"not UTF-8 text (byte {exc.start}: 0x{data[exc.start]:02x}); save the file as UTF-8",
            file=file,
            line=line,
        ) from None


def load_bom(path: str | Path) -> Bom:
    """Read and validate a BOM YAML file (UTF-8)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"BOM file not found: {p}") from None
    except IsADirectoryError:
        raise DataError("a folder, not a BOM file", file=p) from None
    return parse_bom(decode_text(data, p), file=p)


def packaged_boms() -> dict[str, Path]:
    """The BOMs shipped with ketenradar, by file stem (e.g. ``naval_aesa_radar``)."""
    folder = files("ketenradar.data") / "boms"
    return {
        Path(e.name).stem: Path(str(e))
        for e in sorted(folder.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".yaml")
    }


# --------------------------------------------------------------------------------------------
# Explosion


def _walk(bom: Bom, node: Node, factor: float, names: tuple[str, ...]) -> Iterator[dict]:
    """Material lines under ``node``; ``factor`` is the count of its parent per system."""
    count = factor * node.quantity
    names = (*names, node.name)
    body = bom.definitions[node.use] if node.use else node
    for m in body.materials:
        yield {
            "path": SEP.join(names),
            "material": m.material,
            "stage": m.stage,
            "quantity": count * m.amount,
            "source": m.source,
            "note": m.note,
        }
    for child in body.children:
        yield from _walk(bom, child, count, names)


def lines(bom: Bom) -> pd.DataFrame:
    """One row per material entry reached from the system: ``path, material, stage, quantity,
    source, note`` (quantity per unit of system, after multiplying down the tree)."""
    cols = ["path", "material", "stage", "quantity", "source", "note"]
    return pd.DataFrame(list(_walk(bom, bom.root, 1.0, ())), columns=cols)


def explode(bom: Bom) -> pd.DataFrame:
    """Total quantity per material and stage per unit of system, largest first.

    Columns: ``material, name, stage, quantity, share`` (of the system total), ``n_paths``,
    ``paths`` and ``sources`` (tuples). ``df.attrs["unit"]`` is the BOM's unit.
    """
    df = lines(bom)
    g = df.groupby(["material", "stage"], sort=True)
    out = g.agg(
        quantity=("quantity", "sum"),
        n_paths=("path", "size"),
        paths=("path", lambda s: tuple(dict.fromkeys(s))),
        sources=("source", lambda s: tuple(dict.fromkeys(s))),
    ).reset_index()
    total = out["quantity"].sum()
    out["share"] = out["quantity"] / total if total > 0 else float("nan")
    names = {m.material: m.name for m in materials()}
    out["name"] = out["material"].map(names)
    out = out.sort_values(["quantity", "material"], ascending=[False, True], ignore_index=True)
    out = out[EXPLODE_COLUMNS]
    out.attrs["unit"] = bom.unit
    return out


# --------------------------------------------------------------------------------------------
# Exposure


def _supply_table(supply: pd.DataFrame) -> pd.DataFrame:
    """Validated supply shares: material ids, known stages, no duplicate country rows."""
    need = ["material", "stage", "country", "share"]
    missing = [c for c in need if c not in supply.columns]
    if missing:
        raise DataError(f"supply table lacks column(s) {', '.join(missing)}", field="supply")
    s = supply[need].dropna(subset=["share"]).copy()
    s["material"] = [
        (m.material if (m := find_material(str(x))) else str(x)) for x in s["material"]
    ]
    s["country"] = s["country"].fillna("unknown").astype(str)
    s["share"] = s["share"].astype(float)
    dup = s.duplicated(["material", "stage", "country"], keep=False)
    if dup.any():
        first = s[dup].iloc[0]
        raise DataError(
            f"supply has several rows for {first['material']} / {first['stage']} / "
            f"{first['country']} (filter to one scope, e.g. global, first)",
            field="supply",
        )
    return s


def _parent_chain(material: str) -> list[str]:
    """The material and its vocabulary parents (neodymium → lree → rare_earths)."""
    parents = {m.material: m.parent for m in materials()}
    chain = [material]
    while (p := parents.get(chain[-1])) and p not in chain:
        chain.append(p)
    return chain


def _pick_supply(
    supply: pd.DataFrame, material: str, stage: str
) -> tuple[pd.DataFrame, str | None, str | None, str]:
    """Supply rows for a BOM input: same stage, else the other stage, else a parent material.

    Returns ``(rows, material used, stage used, note)``; rows are empty with ``'no supply
    data'`` when nothing fits.
    """
    other = STAGES[1 - STAGES.index(stage)]
    for mat in _parent_chain(material):
        for st in (stage, other):
            rows = supply[(supply["material"] == mat) & (supply["stage"] == st)]
            if rows.empty:
                continue
            notes = []
            if mat != material:
                notes.append(NOTES["parent"].format(material=material, parent=mat))
            if st != stage:
                notes.append(NOTES["other_stage"].format(stage=stage, used=st))
            return rows, mat, st, "; ".join(notes)
    return supply.iloc[0:0], None, None, NOTES["no_supply"]


_WITHOUT_WGI = re.compile(
    re.escape(NOTES["without_wgi"])
    .replace(r"\{n\}", r"(?P<n>\d+)")
    .replace(r"\{score\}", r"(?P<score>\S+)")
)


def note_items(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The notes of one row of the exposure's ``materials`` table as ``{"key", "params"}``
    (keys of :data:`NOTES`), rebuilt from its ``supply_material_used``, ``supply_stage_used``
    and ``note``: material ids and stages as they are, for the pages to name."""
    items: list[dict[str, Any]] = []
    used_mat, used_stage = row.get("supply_material_used"), row.get("supply_stage_used")
    if not used_stage or (isinstance(used_stage, float) and math.isnan(used_stage)):
        return [{"key": "no_supply", "params": {}}]
    if used_mat != row["material"]:
        items.append({"key": "parent", "params": {"material": row["material"], "parent": used_mat}})
    if used_stage != row["stage"]:
        items.append({"key": "other_stage", "params": {"stage": row["stage"], "used": used_stage}})
    m = _WITHOUT_WGI.search(str(row.get("note") or ""))
    if m:
        items.append(
            {"key": "without_wgi", "params": {"n": int(m["n"]), "score": float(m["score"])}}
        )
    return items


def _critical_set(critical: set[str] | None) -> set[str]:
    if critical is None:
        return {m.material for m in materials() if m.crm_2023}
    return {(m.material if (m := find_material(c)) else c) for c in critical}


def _material_metrics(rows: pd.DataFrame, wgi: Mapping[str, float] | None) -> dict[str, Any]:
    """Concentration and governance of one input's supply rows (shares as fractions)."""
    if rows.empty:
        return {
            "top_country": None,
            "top_share": float("nan"),
            "hhi": float("nan"),
            "wgi_weighted_risk": float("nan"),
            "single_point_of_failure": False,
            "supply_share_sum": float("nan"),
            "n_countries": 0,
            "wgi_note": "",
        }
    r = rows.sort_values(["share", "country"], ascending=[False, True])
    top = r.iloc[0]
    risk, note = float("nan"), ""
    if wgi is not None:
        w = r["country"].map(wgi)
        n_missing = int(w.isna().sum())
        risk = float((r["share"] * w.fillna(WGI_SCALED_MISSING)).sum())
        if n_missing:
            note = NOTES["without_wgi"].format(n=n_missing, score=WGI_SCALED_MISSING)
    return {
        "top_country": str(top["country"]),
        "top_share": float(top["share"]),
        "hhi": float((r["share"] ** 2).sum()),
        "wgi_weighted_risk": risk,
        "single_point_of_failure": bool(top["share"] > SPOF_THRESHOLD),
        "supply_share_sum": float(r["share"].sum()),
        "n_countries": len(r),
        "wgi_note": note,
    }


def _materials_table(
    exploded: pd.DataFrame,
    supply: pd.DataFrame,
    wgi: Mapping[str, float] | None,
    critical: set[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per BOM input: metrics; and the long table of supply rows used (keyed by BOM input)."""
    rows, used = [], []
    for rec in exploded.itertuples(index=False):
        picked, mat_used, stage_used, note = _pick_supply(supply, rec.material, rec.stage)
        metrics = _material_metrics(picked, wgi)
        notes = [n for n in (note, metrics.pop("wgi_note")) if n]
        rows.append(
            {
                "material": rec.material,
                "name": rec.name,
                "stage": rec.stage,
                "quantity": rec.quantity,
                "share": rec.share,
                "is_critical": rec.material in critical,
                **metrics,
                "supply_material_used": mat_used,
                "supply_stage_used": stage_used,
                "note": "; ".join(notes),
            }
        )
        used.append(picked.assign(material=rec.material, stage=rec.stage))
    table = pd.DataFrame(rows, columns=MATERIAL_COLUMNS)
    long = pd.concat(used, ignore_index=True) if used else supply.iloc[0:0]
    return table, long


def _weights(table: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """Each input's share of the selected inputs' total quantity, indexed by (material, stage)."""
    sel = table[mask]
    total = sel["quantity"].sum()
    w = sel["quantity"] / total if total > 0 else sel["quantity"] * float("nan")
    return pd.Series(w.to_numpy(), index=pd.MultiIndex.from_frame(sel[["material", "stage"]]))


def _country_table(table: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """``Σ_m w_m · s_{m,c}`` per country, for critical inputs and for all inputs."""
    if long.empty:
        return pd.DataFrame(columns=COUNTRY_COLUMNS)
    key = pd.MultiIndex.from_frame(long[["material", "stage"]])
    df = long.copy()
    w_crit = _weights(table, table["is_critical"])
    w_all = _weights(table, pd.Series(True, index=table.index))
    df["w_crit"] = w_crit.reindex(key).fillna(0.0).to_numpy()
    df["w_all"] = w_all.reindex(key).fillna(0.0).to_numpy()
    df["exposure_critical"] = df["w_crit"] * df["share"]
    df["exposure_all"] = df["w_all"] * df["share"]
    df["crit_label"] = df["material"].where(df["w_crit"] > 0)
    out = (
        df.groupby("country", sort=True)
        .agg(
            exposure_critical=("exposure_critical", "sum"),
            exposure_all=("exposure_all", "sum"),
            n_critical_materials=("crit_label", "nunique"),
            critical_materials=("crit_label", lambda s: "; ".join(sorted(set(s.dropna())))),
        )
        .reset_index()
    )
    out = out.sort_values(
        ["exposure_critical", "exposure_all", "country"],
        ascending=[False, False, True],
        ignore_index=True,
    )
    return out[COUNTRY_COLUMNS]


def _hhi_of(values: pd.Series) -> float:
    """HHI of a non-negative vector after normalising it to sum 1 (NaN when it sums to 0)."""
    total = values.sum()
    return float(((values / total) ** 2).sum()) if total > 0 else float("nan")


def _summary(bom: Bom, table: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    crit = table[table["is_critical"]]
    spof = table[table["single_point_of_failure"]]
    none = table[table["supply_stage_used"].isna()]
    exp = countries["exposure_critical"] if len(countries) else pd.Series(dtype=float)
    has_top = len(countries) > 0 and exp.iloc[0] > 0
    row = {
        "system": bom.system,
        "unit": bom.unit,
        "n_materials": table["material"].nunique(),
        "n_critical": crit["material"].nunique(),
        "critical_materials": "; ".join(sorted(set(crit["material"]))),
        "critical_share": float(crit["share"].sum()),
        "single_points_of_failure": "; ".join(
            f"{r.material} ({r.stage}): {r.top_country} {r.top_share:.0%}"
            for r in spof.itertuples()
        ),
        "no_supply_data": "; ".join(f"{r.material} ({r.stage})" for r in none.itertuples()),
        "coverage_critical": float(exp.sum()) if len(crit) else float("nan"),
        "country_hhi": _hhi_of(exp),
        "top_country": countries["country"].iloc[0] if has_top else None,
        "top_country_exposure": float(exp.iloc[0]) if has_top else float("nan"),
    }
    return pd.DataFrame([row], columns=SUMMARY_COLUMNS)


def exposure(
    bom: Bom,
    supply: pd.DataFrame,
    wgi_scaled: dict[str, float] | None = None,
    critical: set[str] | None = None,
) -> BomExposure:
    """The system's exposure to supplying countries through its raw-material inputs.

    ``supply``: columns ``material, stage, country, share`` (fraction of world supply of the
    material at that stage). ``wgi_scaled``: country → WGI on 0..10 (10 = worst governance);
    without it ``wgi_weighted_risk`` is NULL. ``critical``: material ids or names counted as
    critical; default the EU 2023 CRM list (``crm_2023`` in the vocabulary).
    """
    exploded = explode(bom)
    table, long = _materials_table(
        exploded, _supply_table(supply), wgi_scaled, _critical_set(critical)
    )
    countries = _country_table(table, long)
    return BomExposure(
        materials=table, countries=countries, summary=_summary(bom, table, countries)
    )
