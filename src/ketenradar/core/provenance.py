"""Provenance that every result carries: datasets, method, thresholds, parameters, command.

The record is :class:`ketenradar.core.results.Provenance`; :func:`make_provenance` returns it
as the dict results keep in ``df.attrs["provenance"]`` (:meth:`Provenance.to_dict`), and
:func:`new_provenance` as the dataclass.
"""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from typing import Any

from ketenradar import __version__
from ketenradar.core.results import Provenance


def current_command() -> str:
    """The command line that is running (``ketenradar …`` or the Python entry point)."""
    argv = list(sys.argv)
    if argv and argv[0].endswith(("ketenradar", "ketenradar.exe", "__main__.py")):
        argv[0] = "ketenradar"
    return shlex.join(argv)


def new_provenance(
    *,
    analysis: str,
    methods: list[str],
    datasets: list[dict[str, Any]],
    parameters: dict[str, Any],
    thresholds: dict[str, Any] | None = None,
    command: str | None = None,
    notes: list[str] | None = None,
    engine: dict[str, Any] | None = None,
) -> Provenance:
    """The provenance of one result made now by this tool (``command``: the running one by
    default; ``engine``: where it ran, :meth:`ketenradar.core.engines.Engine.describe`)."""
    return Provenance(
        tool=f"ketenradar {__version__}",
        analysis=analysis,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        command=command or current_command(),
        methods=tuple(methods),
        thresholds=dict(thresholds or {}),
        parameters=dict(parameters),
        datasets=tuple(datasets),
        notes=tuple(notes or ()),
        extra={"engine": dict(engine)} if engine else {},
    )


def make_provenance(
    *,
    analysis: str,
    methods: list[str],
    datasets: list[dict[str, Any]],
    parameters: dict[str, Any],
    thresholds: dict[str, Any] | None = None,
    command: str | None = None,
    notes: list[str] | None = None,
    engine: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the provenance record of one result, as the dict ``df.attrs["provenance"]``
    holds (:meth:`Provenance.to_dict` of :func:`new_provenance`)."""
    return new_provenance(
        analysis=analysis,
        methods=methods,
        datasets=datasets,
        parameters=parameters,
        thresholds=thresholds,
        command=command,
        notes=notes,
        engine=engine,
    ).to_dict()


def provenance_lines(prov: dict[str, Any]) -> list[str]:
    """A human-readable rendering, one fact per line (for footers and sheets)."""
    lines = [
        f"Made by {prov['tool']} at {prov['generated_at']}",
        f"Command: {prov['command']}",
        f"Analysis: {prov['analysis']}",
    ]
    if prov.get("engine"):
        e = prov["engine"]
        where = f" on {e['master']}" if e.get("master") else ""
        lines.append(f"Engine: {e['engine']} {e.get('version', '')}{where}".rstrip())
    lines += [f"Method: {m}" for m in prov["methods"]]
    if prov.get("thresholds"):
        lines.append("Thresholds: " + ", ".join(f"{k}={v}" for k, v in prov["thresholds"].items()))
    if prov.get("parameters"):
        lines.append("Parameters: " + ", ".join(f"{k}={v}" for k, v in prov["parameters"].items()))
    for d in prov["datasets"]:
        lines.append(
            f"Data: {d['dataset']} ({d['source']} {d['release']}, version {d['version']}, "
            f"parser {d['parser_version']}); licence: {d['licence']}"
        )
        lines.append(f"Citation: {d['citation']}")
        lines += [f"  input {i['file']} sha256 {i['sha256']}" for i in d["inputs"]]
    lines += [f"Note: {n}" for n in prov.get("notes", [])]
    return lines


def year_ranges(years: list[int] | list[str]) -> str:
    """Years as runs, gaps shown: ``[1995, …, 2009, 2017, …, 2024]`` → ``1995–2009, 2017–2024``."""
    ys = sorted({int(y) for y in years})
    runs: list[str] = []
    i = 0
    while i < len(ys):
        j = i
        while j + 1 < len(ys) and ys[j + 1] == ys[j] + 1:
            j += 1
        runs.append(str(ys[i]) if i == j else f"{ys[i]}–{ys[j]}")
        i = j + 1
    return ", ".join(runs)
