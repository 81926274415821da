"""The module registry: every domain of ketenradar declares itself once, as a :class:`Module`.

A module is one package (``ketenradar.modules.trade``, a third party's ``acme_ketenradar``, …)
whose ``__init__`` holds a :class:`Module` and which names it in the entry-point group
``ketenradar.modules`` of its distribution::

    [project.entry-points."ketenradar.modules"]
    trade = "ketenradar.modules.trade:MODULE"

Built-in modules register exactly like third-party ones (as datasette registers its own default
plugins). The CLI root, the web application (routers, nav, templates, static files), the fact
table builds, the kinds of saved work, the message catalogs and the documentation tests all
iterate :func:`modules`; nothing else keeps a list of modules.

A declaration holds only names and dotted references (``"package.module:attribute"``), so
reading the registry imports no module's code: ``ketenradar --help`` stays fast, and
:meth:`Module.load` imports a part when it is used.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from ketenradar.core.errors import UsageError

#: The entry-point group modules register in.
ENTRY_POINT_GROUP = "ketenradar.modules"


@dataclass(frozen=True)
class NavEntry:
    """A link in the site's navigation: ``/{lang}/{path}``, labelled by message key ``label``."""

    path: str
    label: str


@dataclass(frozen=True)
class Column:
    """One column of a result: its name, the message key of its label, unit and meaning."""

    name: str
    label: str
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class FactTable:
    """A fact table a module contributes to the starter pack and to a user's own facts.

    ``description`` is the starter pack's wording; ``derived`` the wording for a table built
    from a user's store (may use ``{imps}``, ``{span}``, ``{dataset}``, ``{io_year}``);
    ``needs`` the dataset kinds it is derived from; ``columns`` the column schema (every column
    but the attribution columns ``source`` and ``licence``, which every fact table has).
    """

    name: str
    description: str
    needs: tuple[str, ...] = ()
    derived: str | None = None
    columns: tuple[Column, ...] = ()

    def describe(self, ctx: dict[str, Any] | None = None) -> str:
        """The description for a user's store when ``ctx`` is given, else the starter pack's."""
        if ctx is None or self.derived is None:
            return self.description
        return self.derived.format(**ctx)


@dataclass(frozen=True)
class ResultTable:
    """A table a module computes on request (not a fact table: never stored or served from
    the facts), e.g. an input-output shock: its name, what it holds and its column schema
    (for the file writers and ``docs/results.md``)."""

    name: str
    description: str
    columns: tuple[Column, ...] = ()


@dataclass(frozen=True)
class SavedKind:
    """A kind of saved work a module stores in the registry database (e.g. a BOM)."""

    name: str
    description: str


@dataclass(frozen=True)
class Module:
    """One domain of ketenradar: what it offers to the CLI, the web app and the fact builds.

    Dotted references (``"package.module:attribute"``) are imported by :meth:`load` when used:

    - ``cli``: a function ``register(app: typer.Typer) -> None`` adding the module's commands
      and sub-apps to the root command;
    - ``routers``: FastAPI routers (JSON API and pages);
    - ``derive``: a function ``derive(ctx: DeriveContext, out: Derived) -> None`` adding the
      module's fact tables (see :mod:`ketenradar.core.facts`);
    - ``templates``, ``static``, ``messages``: folders inside the package;
    - ``docs``: its documentation pages: inside the package, or for the modules that ship
      with ketenradar in the project's ``docs/`` folder (:meth:`doc_paths`).
    """

    name: str
    title: str
    package: str
    requires: tuple[str, ...] = ()
    cli: str | None = None
    routers: tuple[str, ...] = ()
    nav: tuple[NavEntry, ...] = ()
    templates: str | None = None
    static: str | None = None
    messages: str | None = None
    facts: tuple[FactTable, ...] = ()
    #: the tables the module computes on request (their schemas; not fact tables)
    results: tuple[ResultTable, ...] = ()
    derive: str | None = None
    saved_kinds: tuple[SavedKind, ...] = ()
    docs: tuple[str, ...] = ()
    #: an example value for every path parameter of the module's routes (``{"iso3": "CHN"}``):
    #: the conformance suite requests every page and API route with them
    examples: dict[str, str] = field(default_factory=dict, compare=False)
    #: ``quickstart(year=, output=, data_dir=)``: load the module's real public data when present
    #: and write its first results (``ketenradar quickstart``)
    quickstart: str | None = None
    #: ``entries(facts) -> Iterable[SearchEntry]``: what the module contributes to the site
    #: search (``/api/v1/search``; :mod:`ketenradar.interfaces.web.search`)
    search: str | None = None
    #: place in the navigation and the command list (lower first; ties by name)
    rank: int = 100
    #: where the declaration came from (the entry point), for error messages
    origin: str = field(default="", compare=False)

    def load(self, target: str) -> Any:
        """Import ``"package.module:attribute"`` and return the attribute."""
        mod, _, attr = target.partition(":")
        obj: Any = importlib.import_module(mod)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
        return obj

    def folder(self, name: str | None) -> Path | None:
        """The package folder ``name`` (templates, static, messages), or ``None``."""
        if name is None:
            return None
        return Path(str(resources.files(self.package) / name))

    @property
    def builtin(self) -> bool:
        """Whether the module ships with ketenradar (its docs are the project's)."""
        return self.package.startswith("ketenradar.modules.")

    def doc_paths(self, project_docs: Path) -> list[Path]:
        """Where the module's documentation pages are (``project_docs``: the repository's
        ``docs/``, which holds the pages of the built-in modules)."""
        if self.builtin:
            return [project_docs / page for page in self.docs]
        return [p for page in self.docs if (p := self.folder(page)) is not None]

    def fact_table(self, name: str) -> FactTable:
        """The declaration of fact table ``name``."""
        for t in self.facts:
            if t.name == name:
                return t
        raise KeyError(name)


def _load_entry_point(ep: Any) -> Module:
    where = f"entry point '{ep.name} = {ep.value}' (group {ENTRY_POINT_GROUP})"
    try:
        obj = ep.load()
    except Exception as exc:
        raise UsageError(f"module {where} cannot be loaded: {exc}") from exc
    if not isinstance(obj, Module):
        raise UsageError(f"module {where} is a {type(obj).__name__}, not a ketenradar Module")
    if obj.name != ep.name:
        raise UsageError(f"module {where} declares the name '{obj.name}'; use one name for both")
    return Module(**{**obj.__dict__, "origin": where})


def order(found: list[Module]) -> list[Module]:
    """``found`` checked (unique names, known requirements, no cycle) and ordered by rank and
    name, every module after the modules it requires."""
    by_name: dict[str, Module] = {}
    for m in found:
        if m.name in by_name:
            raise UsageError(
                f"two modules are named '{m.name}': {by_name[m.name].origin} and {m.origin}"
            )
        by_name[m.name] = m
    for m in found:
        missing = [r for r in m.requires if r not in by_name]
        if missing:
            raise UsageError(
                f"module '{m.name}' requires {', '.join(missing)}, which is not installed"
            )
    done: list[Module] = []
    state: dict[str, str] = {}

    def visit(m: Module, path: tuple[str, ...]) -> None:
        if state.get(m.name) == "done":
            return
        if state.get(m.name) == "busy":
            cycle = " → ".join((*path, m.name))
            raise UsageError(f"modules require each other in a cycle: {cycle}")
        state[m.name] = "busy"
        for r in sorted(m.requires, key=lambda r: (by_name[r].rank, r)):
            visit(by_name[r], (*path, m.name))
        state[m.name] = "done"
        done.append(m)

    for m in sorted(found, key=lambda m: (m.rank, m.name)):
        visit(m, ())
    return done


@functools.cache
def modules() -> tuple[Module, ...]:
    """Every registered module, each after the modules it requires."""
    found = [_load_entry_point(ep) for ep in entry_points(group=ENTRY_POINT_GROUP)]
    return tuple(order(found))


def get(name: str) -> Module:
    """The registered module ``name``."""
    for m in modules():
        if m.name == name:
            return m
    known = ", ".join(m.name for m in modules())
    raise UsageError(f"no module '{name}' is registered (modules: {known})")


@functools.cache
def fact_tables() -> dict[str, tuple[Module, FactTable]]:
    """Every fact table of every module, by table name."""
    out: dict[str, tuple[Module, FactTable]] = {}
    for m in modules():
        for t in m.facts:
            if t.name in out:
                raise UsageError(
                    f"fact table '{t.name}' is declared by both '{out[t.name][0].name}' "
                    f"and '{m.name}'"
                )
            out[t.name] = (m, t)
    return out


def columns(table: str) -> tuple[Column, ...]:
    """The column schema of fact table ``table`` (whichever module declares it)."""
    return fact_tables()[table][1].columns


@functools.cache
def saved_kinds() -> dict[str, SavedKind]:
    """Every kind of saved work, by name."""
    return {k.name: k for m in modules() for k in m.saved_kinds}
