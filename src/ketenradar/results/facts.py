"""Where the web application gets its tables: the user's own facts, else the starter pack.

The pages and the API read named fact tables through :class:`Facts`. Each table comes from
one of two places:

* **store** — ``<data dir>/facts/``, which ``ketenradar facts build`` (or the data page)
  derives from the datasets in the user's store (:mod:`ketenradar.results.live`), when that build
  holds the table;
* **starter pack** — the compact, attributed tables shipped with the package
  (``ketenradar/data/starter``), so that a fresh install shows real content at once.

:meth:`Facts.origin` says which, and :meth:`Facts.footer` reports it on every page. When a
new build goes live, the next call sees it (the build's ``CURRENT`` file is watched), so a
running server serves the new tables without a restart.

For speed at full scale (a full BACI year: ~5,000 products per importer and year, ~60,000
supplier rows a year), tables are read once per build, and :meth:`Facts.rows` answers
"rows where these columns equal these values" from an index built once per table and key
(the table sorted by the key, and each key's slice). ``Facts(indexed=False)`` filters the
whole table on every call instead and caches nothing derived: the plain path, kept for the
load test's baseline (``benchmarks/bench_web.py``).

Every request runs in a thread of one pool, so everything cached here is shared between
threads: tables and indexes are read under the layer's lock (once each), and derived values
(:meth:`Facts.cached`, the manifest, footers, distinct values) live in
:class:`~ketenradar.core.cache.SingleFlightCache` objects: thread-safe, the views bounded, and each
value computed once however many requests ask for it at the same moment (on a cold cache,
fifty clients asking for one heavy view wait for one computation instead of running fifty).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.core.cache import SingleFlightCache
from ketenradar.core.errors import NotFoundError
from ketenradar.core.modules import fact_tables
from ketenradar.core.results import ATTRIBUTION, column_dict
from ketenradar.core.settings import settings
from ketenradar.results import live, starter

ORIGIN_STORE = "store"
ORIGIN_STARTER = "starter pack"


_ATTRIBUTED = re.compile(r"^(?P<dataset>.+?) \((?P<release>.*)\)$")


def source_record(dataset: Mapping[str, Any]) -> dict[str, str]:
    """What a reader's name of a dataset is made of (a dataset record of a manifest):
    ``id`` (``baci_hs92_v202401b (V202401b)``: how the tables' ``source`` column names it),
    ``dataset``, ``source`` (its connector: ``baci``), ``release``, ``edition`` (the HS
    edition of a trade dataset: ``HS92``) and ``year`` (the first year in the release, else
    the release). The pages name it with the message ``source_title_<source>``."""
    name, release = str(dataset.get("dataset") or ""), str(dataset.get("release") or "")
    edition = re.search(r"(?<![a-z])hs\d\d(?!\d)", name.lower())
    year = re.search(r"(?:19|20)\d\d", release)
    return {
        "id": f"{name} ({release})",
        "dataset": name,
        "source": str(dataset.get("source") or ""),
        "release": release,
        "edition": edition.group(0).upper() if edition else "",
        "year": year.group(0) if year else release,
    }


def named_sources(
    sources: Iterable[str], datasets: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, str]]:
    """The sources a table's ``source`` column names (``"eu_crm (CRM 2023); wmd (WMD
    2025)"``), each as :func:`source_record` of its dataset in ``datasets`` (by name; a dataset
    not listed keeps its id and no ``source``), once each, in order."""
    out: dict[str, dict[str, str]] = {}
    for text in sorted(sources):
        for part in str(text).split("; "):
            m = _ATTRIBUTED.match(part.strip())
            name = m.group("dataset") if m else part.strip()
            if not name or part.strip() in out:
                continue
            d = datasets.get(name)
            if d is not None:
                out[part.strip()] = source_record(d) | {"id": part.strip()}
            else:
                release = m.group("release") if m else ""
                out[part.strip()] = source_record({"dataset": name, "release": release}) | {
                    "id": part.strip()
                }
    return list(out.values())


class _Index:
    """A table sorted by ``by`` and, per key, the slice of rows holding it."""

    def __init__(self, df: pd.DataFrame, by: tuple[str, ...]) -> None:
        self.frame = df.sort_values(list(by), kind="stable").reset_index(drop=True)
        groups = self.frame.groupby(list(by), sort=False, dropna=False).indices
        self.slices: dict[tuple, tuple[int, int]] = {
            (k if isinstance(k, tuple) else (k,)): (int(v[0]), int(v[-1]) + 1)
            for k, v in groups.items()
        }

    def get(self, key: tuple) -> pd.DataFrame:
        start, stop = self.slices.get(key, (0, 0))
        return self.frame.iloc[start:stop]


class _Layer:
    """The tables of one folder (a build in the store, or the starter pack), read lazily."""

    def __init__(self, folder: Path, origin: str, manifest: dict[str, Any]) -> None:
        self.folder = folder
        self.origin = origin
        self.manifest = manifest
        self._tables: dict[str, pd.DataFrame] = {}
        self._indexes: dict[tuple[str, tuple[str, ...]], _Index] = {}
        self._lock = threading.RLock()

    def has(self, name: str) -> bool:
        return name in self.manifest["tables"]

    def table(self, name: str) -> pd.DataFrame:
        df = self._tables.get(name)
        if df is None:
            with self._lock:
                df = self._tables.get(name)
                if df is None:
                    df = pd.read_parquet(self.folder / f"{name}.parquet")
                    # provenance lives in the manifest; attrs would be deep-copied by every
                    # pandas operation on the frame
                    df.attrs = {}
                    self._tables[name] = df
        return df

    def index(self, name: str, by: tuple[str, ...]) -> _Index:
        idx = self._indexes.get((name, by))
        if idx is None:
            with self._lock:
                idx = self._indexes.get((name, by))
                if idx is None:
                    idx = self._indexes[(name, by)] = _Index(self.table(name), by)
        return idx


_STARTER_LOCK = threading.Lock()


@cache
def _starter_layer_cached(folder: Path | None) -> _Layer:
    return _Layer(folder or starter.packaged_dir(), ORIGIN_STARTER, starter.manifest(folder))


def _starter_layer(folder: Path | None) -> _Layer:
    # one layer per folder, also when the first requests arrive together (two layers would
    # each read and keep the starter tables)
    with _STARTER_LOCK:
        return _starter_layer_cached(folder)


class _State:
    """The store's live build as seen at one moment, and what was derived from it."""

    def __init__(self, key: Hashable, layer: _Layer | None) -> None:
        self.key = key
        self.layer = layer
        #: small values derived once per build (manifest, footers, distinct values)
        self.memo = SingleFlightCache(None, name="facts memo")
        #: views cached with :meth:`Facts.cached`: the ``KETENRADAR_FACTS_CACHE_SIZE`` most
        #: recently used (a sorted explorer view of a full BACI year for one importer is ~1 MB)
        self.views = SingleFlightCache(settings().facts_cache_size, name="facts views")


class Facts:
    """Read-only access to the fact tables: the user's build where it has them, else the
    starter pack.

    ``folder`` is the starter pack (default: the one in the package); ``data_dir`` the
    user's data store (``None``: the starter pack only). Returned frames are shared: do not
    modify them in place.
    """

    def __init__(
        self, folder: Path | None = None, *, data_dir: Path | None = None, indexed: bool = True
    ) -> None:
        self.folder = folder
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.indexed = indexed
        self._state: _State | None = None
        self._lock = threading.Lock()

    # -- which build ------------------------------------------------------------------
    def _current(self) -> _State:
        key = live.current_key(self.data_dir) if self.data_dir is not None else None
        state = self._state
        if state is None or state.key != key:
            with self._lock:
                state = self._state
                if state is None or state.key != key:
                    folder = live.current(self.data_dir) if key is not None else None
                    layer = None
                    if folder is not None:
                        m = json.loads((folder / "manifest.json").read_text())
                        layer = _Layer(folder, ORIGIN_STORE, m)
                    state = self._state = _State(key, layer)
        return state

    def refresh(self) -> None:
        """Forget what was read, so the next call reads the live build afresh (a new build is
        picked up without this; rebuilding the facts is :func:`ketenradar.results.live.build`)."""
        self._state = None

    def _retry(self, fn: Callable[[_State], Any]) -> Any:
        """Run ``fn`` on the current state; once more if a build vanished under it."""
        try:
            return fn(self._current())
        except FileNotFoundError:
            self._state = None
            return fn(self._current())

    def _layer(self, state: _State, name: str) -> _Layer:
        tables = starter.table_descriptions()
        if name not in tables:
            raise NotFoundError(f"no fact table '{name}' (tables: {', '.join(tables)})")
        if state.layer is not None and state.layer.has(name):
            return state.layer
        return _starter_layer(self.folder)

    def _memo(self, state: _State, key: Hashable, make: Callable[[], Any]) -> Any:
        if not self.indexed:
            return make()
        return state.memo.get(key, make)

    # -- tables -----------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """A fact table (do not modify the returned frame in place)."""
        return self._retry(lambda s: self._layer(s, name).table(name))

    def origin(self, name: str) -> str:
        """Where table ``name`` comes from: ``"store"`` or ``"starter pack"``."""
        return self._layer(self._current(), name).origin

    def rows(self, name: str, **equal: Any) -> pd.DataFrame:
        """The rows of table ``name`` whose columns equal the given values, in table order
        (e.g. ``rows("screening", importer="NLD", year=2022)``)."""
        by = tuple(sorted(equal))
        key = tuple(equal[c] for c in by)

        def get(state: _State) -> pd.DataFrame:
            layer = self._layer(state, name)
            if not self.indexed:
                df = layer.table(name)
                mask = pd.Series(True, index=df.index)
                for col, value in zip(by, key, strict=True):
                    mask &= df[col] == value
                return df[mask]
            return layer.index(name, by).get(key)

        return self._retry(get)

    def values(self, name: str, column: str, **equal: Any) -> list[Any]:
        """The distinct values of ``column`` (sorted) among :meth:`rows` ``(name, **equal)``."""

        def make() -> list[Any]:
            df = self.rows(name, **equal) if equal else self.table(name)
            return sorted(df[column].dropna().unique().tolist())

        if equal:  # the values asked for may come from a request: keep only the recent ones
            return self.cached(("values", name, column, tuple(sorted(equal.items()))), make)
        return self._memo(self._current(), ("values", name, column), make)

    def cached(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per build of the tables and ``key`` (every call on the
        plain path). For derived views that depend only on the fact tables (e.g. per
        importer and year); the ``KETENRADAR_FACTS_CACHE_SIZE`` most recently used are kept.
        Safe from many threads: while one computes a key, the others asking for it wait for its
        value instead of computing it too. Do not modify the value returned."""
        if not self.indexed:
            return make()
        return self._current().views.get(key, make)

    def cache_stats(self) -> dict[str, Any]:
        """What the caches of the current build did: hits, computations, waits, evictions."""
        state = self._current()
        return {"views": dict(vars(state.views.stats)), "memo": dict(vars(state.memo.stats))}

    # -- provenance ---------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """What is served: every table with its ``origin``, the datasets behind the tables
        served, and both builds.

        The keys of the starter pack's manifest (``built_at``, ``tool``, ``command``,
        ``datasets``, ``tables``) keep their meaning; each table also lists its ``columns``
        (name, label: a message key, unit, description; docs/results.md);
        ``built_at``/``tool``/``command`` are those of the user's build when one is live.
        ``starter_pack`` and ``store`` (``None`` without a build) describe each build (with
        the ``thresholds`` it was derived with; ``None`` for a build that did not record them);
        ``store.skipped`` lists the tables the user's store could not derive (served from the
        starter pack).
        """
        state = self._current()
        return self._memo(state, ("manifest",), lambda: self._manifest(state))

    def _manifest(self, state: _State) -> dict[str, Any]:
        pack = _starter_layer(self.folder)
        own = state.layer
        tables, origins = {}, set()
        # each table's column schema, as its module declares it, with the attribution columns
        schemas = {
            name: [column_dict(c) for c in (*t.columns, *ATTRIBUTION.values())]
            for name, (_, t) in fact_tables().items()
        }
        for name in starter.table_descriptions():
            layer = self._layer(state, name)
            if not layer.has(name):
                continue
            tables[name] = {
                **layer.manifest["tables"][name],
                "origin": layer.origin,
                "columns": schemas.get(name, []),
            }
            origins.add(layer.origin)
        datasets = []
        for layer in (own, pack):
            if layer is not None and layer.origin in origins:
                datasets += [{**d, "origin": layer.origin} for d in layer.manifest["datasets"]]
        head = own.manifest if own is not None else pack.manifest

        def about(m: dict[str, Any], *extra: str) -> dict[str, Any]:
            keys = ("built_at", "tool", "command", "thresholds", *extra)
            return {k: m.get(k) for k in keys}

        return {
            "built_at": head["built_at"],
            "tool": head["tool"],
            "command": head["command"],
            "starter_pack": about(pack.manifest),
            "store": None
            if own is None
            else about(own.manifest, "build_id", "parameters", "skipped", "notes"),
            "datasets": datasets,
            "tables": tables,
        }

    def thresholds(self, table: str) -> dict[str, Any]:
        """The thresholds the build serving ``table`` was derived with, as its manifest
        records them (``{}``: a build made before builds recorded their thresholds)."""
        return dict(self._layer(self._current(), table).manifest.get("thresholds") or {})

    def threshold_changes(self, table: str, current: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Where ``current`` (the thresholds a build would use now, from the settings)
        differs from those ``table`` was built with: ``name``, ``built`` (``None``: not
        recorded), ``current`` and ``origin`` (store or starter pack) of each. Non-empty
        means the facts should be rebuilt for the settings to apply."""
        layer = self._layer(self._current(), table)
        built = layer.manifest.get("thresholds") or {}
        return [
            {"name": k, "built": built.get(k), "current": v, "origin": layer.origin}
            for k, v in current.items()
            if built.get(k) is None or abs(float(built[k]) - float(v)) > 1e-12
        ]

    def footer(self, tables: list[str]) -> dict[str, Any]:
        """What the page footer says: which data and method produced what it shows, and
        whether each table comes from the user's store or the starter pack."""
        state = self._current()
        return self._memo(state, ("footer", tuple(tables)), lambda: self._footer(state, tables))

    def _footer(self, state: _State, tables: list[str]) -> dict[str, Any]:
        layers = {t: self._layer(state, t) for t in tables}
        sources, licences = set(), set()
        for t, layer in layers.items():
            df = layer.table(t)
            sources.update(df["source"].unique())
            licences.update(df["licence"].unique())
        builds = list({id(x): x for x in layers.values()}.values())
        if len(builds) == 1:
            built_at, tool = builds[0].manifest["built_at"], builds[0].manifest["tool"]
        else:
            built_at = "; ".join(f"{x.manifest['built_at']} ({x.origin})" for x in builds)
            tool = "; ".join(dict.fromkeys(x.manifest["tool"] for x in builds))
        known: dict[str, dict[str, Any]] = {}
        for layer in builds:
            for d in layer.manifest.get("datasets", []):
                known.setdefault(str(d.get("dataset")), d)
        return {
            "tables": {
                t: layer.manifest["tables"][t]["description"] for t, layer in layers.items()
            },
            "origin": {t: layer.origin for t, layer in layers.items()},
            "sources": sorted(sources),
            "source_names": named_sources(sources, known),
            "licences": sorted(licences),
            "built_at": built_at,
            "tool": tool,
        }

    def folder_of(self, table: str) -> Path:
        """The folder of the build (the user's facts or the starter pack) serving ``table``."""
        return self._layer(self._current(), table).folder
