"""The layers of ``docs/architecture.md``, enforced on the source (a short ``ast`` check).

- ``core`` (the kernel) imports nothing from the rest of ketenradar;
- ``datasets`` imports only the kernel; ``registry`` only the kernel; ``places`` (the Dutch
  reference geography shared by modules) only the kernel;
- ``sources`` (connectors) import only the kernel and ``datasets``;
- an analysis (``modules/<name>/analysis/``) imports only the kernel, the dataset kinds
  (``datasets.kinds``, ``datasets.iotable``), the place types and name folding
  (``places.regions``; the lookups themselves are passed in) and its own module's analyses,
  and does no I/O:
  no ``duckdb.connect``, no ``open``, no reading or writing files;
- a module uses another module only through its public API (``modules.<other>.api``) and
  declares the dependency in its ``requires``; it imports no connector;
- ``results`` and the interfaces reach the modules through the registry (or the public facade
  ``ketenradar.api``), never by importing a module's package;
- only ``datasets`` opens DuckDB.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ketenradar.core import modules as registry

SRC = Path(__file__).resolve().parents[2] / "src" / "ketenradar"

#: what each layer may import from ketenradar (prefixes of dotted module names)
ALLOWED = {
    "core": ("ketenradar.core",),
    "datasets": ("ketenradar.core", "ketenradar.datasets"),
    "registry": ("ketenradar.core", "ketenradar.registry"),
    "places": ("ketenradar.core", "ketenradar.places"),
    "sources": ("ketenradar.core", "ketenradar.datasets", "ketenradar.sources"),
    "results": (
        "ketenradar.core",
        "ketenradar.datasets",
        "ketenradar.sources",
        "ketenradar.results",
        "ketenradar.api",
    ),
    "interfaces": (
        "ketenradar.core",
        "ketenradar.datasets",
        "ketenradar.registry",
        "ketenradar.sources",
        "ketenradar.results",
        "ketenradar.interfaces",
        "ketenradar.api",
    ),
}
#: an analysis may import these, besides its own module's analyses
ANALYSIS_ALLOWED = (
    "ketenradar.core",
    "ketenradar.datasets.kinds",
    "ketenradar.datasets.iotable",
    "ketenradar.places.regions.Place",
    "ketenradar.places.regions.Regions",
    "ketenradar.places.regions.key",
    "ketenradar.places.regions.place_key",
)
#: calls that read or write files or open DuckDB: not in an analysis
IO_CALLS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "read_parquet",
    "read_csv",
    "read_excel",
    "to_parquet",
    "to_csv",
    "to_excel",
    "mkdir",
    "unlink",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every ketenradar import in ``path``, names included: ``from
    ketenradar.modules.io import api`` gives ``ketenradar.modules.io.api``."""
    tree = ast.parse(path.read_text(), str(path))
    me = _module_name(path).split(".")
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("ketenradar")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = me if is_pkg else me[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            if mod.startswith("ketenradar"):
                out += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
    return out


def _files(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


def _ok(name: str, allowed: tuple[str, ...]) -> bool:
    return name == "ketenradar.__version__" or any(
        name == a or name.startswith(a + ".") for a in allowed
    )


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports(layer: str):
    bad = [
        f"{p.relative_to(SRC)}:{line} imports {name}"
        for p in _files(layer)
        if "migrations" not in p.parts or layer != "registry"
        for line, name in _imports(p)
        if not _ok(name, ALLOWED[layer])
    ]
    assert not bad, "\n".join(bad)


def _module_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "modules" else None


@pytest.mark.parametrize("module", registry.modules(), ids=lambda m: m.name)
def test_module_imports(module):
    if not module.package.startswith("ketenradar.modules."):
        pytest.skip("an installed module's tree is its own")
    root = SRC / "modules" / module.name
    bad = []
    for p in sorted(root.rglob("*.py")):
        analysis = "analysis" in p.relative_to(root).parts
        for line, name in _imports(p):
            where = f"{p.relative_to(SRC)}:{line} imports {name}"
            other = _module_of(name)
            if analysis:
                own = f"ketenradar.modules.{module.name}.analysis"
                if not _ok(name, (*ANALYSIS_ALLOWED, own)):
                    bad.append(where + " (an analysis)")
                continue
            if other and other != module.name:
                if not name.startswith(f"ketenradar.modules.{other}.api"):
                    bad.append(where + f" (use ketenradar.modules.{other}.api)")
                elif other not in module.requires:
                    bad.append(where + f" (add '{other}' to requires)")
            if name.startswith("ketenradar.sources") or name == "ketenradar.api":
                bad.append(where + " (a module reads datasets, not connectors)")
            if name.startswith("ketenradar.results") and "web" not in p.relative_to(root).parts:
                bad.append(where + " (only a module's web views read the served facts)")
            if name.startswith("ketenradar.interfaces"):
                part = p.relative_to(root).parts[0]
                if part not in ("web", "cli.py", "report.py"):
                    bad.append(where + " (interfaces only from cli.py, report.py and web/)")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "path",
    sorted(SRC.glob("modules/*/analysis/*.py")),
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_analyses_do_no_io(path: Path):
    tree = ast.parse(path.read_text())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in IO_CALLS:
                bad.append(f"line {node.lineno}: {name}()")
            if name == "connect" and isinstance(f, ast.Attribute):
                bad.append(f"line {node.lineno}: connect()")
    assert not bad, "\n".join(bad)


def test_only_datasets_opens_duckdb():
    bad = []
    for p in sorted(SRC.rglob("*.py")):
        if p.relative_to(SRC).parts[0] == "datasets":
            continue
        tree = ast.parse(p.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and getattr(node.func.value, "id", "") == "duckdb"
            ):
                bad.append(f"{p.relative_to(SRC)}:{node.lineno}")
    assert not bad, "\n".join(bad)


def test_the_rules_catch_a_violation(tmp_path: Path):
    """The checker itself: a kernel file importing a module is reported."""
    p = SRC / "core" / "_probe_for_test.py"
    p.write_text("from ketenradar.modules.trade import api\n")
    try:
        names = [n for _, n in _imports(p)]
        assert names == ["ketenradar.modules.trade.api"]
        assert not _ok(names[0], ALLOWED["core"])
    finally:
        p.unlink()
