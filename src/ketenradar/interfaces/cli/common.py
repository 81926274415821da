"""Helpers shared by the ``ketenradar`` command modules (``cli``, ``cli_io``,
``cli_materials``, ``cli_accounts``): the Rich consoles, markup-safe text, the error handler,
the ``--data-dir`` options, progress bars and the provenance footer.

It imports nothing from the other CLI modules, so that each of them can be imported
first (and ``python -m ketenradar.interfaces.cli.app`` works).
"""

from __future__ import annotations

import errno
import functools
import inspect
import math
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ketenradar.core.errors import KetenradarError, UsageError
from ketenradar.core.progress import Progress

if TYPE_CHECKING:  # pandas only in annotations: `ketenradar --help` does not load it
    from collections.abc import Callable, Sequence

    import pandas as pd

    from ketenradar.core.modules import Column

err = Console(stderr=True)
out = Console()

_state: dict[str, Any] = {"data_dir": None, "provenance": False}

_T = TypeVar("_T")

#: ``--data-dir`` before the command: the environment variable applies here only, so that a
#: global ``--data-dir`` wins over ``$KETENRADAR_DATA_DIR``.
GlobalDataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="KETENRADAR_DATA_DIR",
        help="Data directory (default: the platform's user data dir).",
        show_default=False,
    ),
]

#: ``--data-dir`` after a command: wins over the global option and the environment.
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory (default: the global --data-dir, $KETENRADAR_DATA_DIR, or the "
        "platform's user data dir).",
        show_default=False,
    ),
]


#: ``--engine``: where a relational analysis runs (ketenradar.core.engines).
EngineName = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where the analysis runs: duckdb (in this process) or spark (on "
        "KETENRADAR_SPARK_MASTER, default local[*]; needs the extra spark, pip install "
        "'ketenradar\\[spark]', and Java 17+; see docs/scale-out.md).",
    ),
]

#: Set to 1 to get the Python traceback of a system error (disk full, I/O error, a file that
#: is not UTF-8, …) instead of the one-line message, e.g. for a bug report.
DEBUG_ENV = "KETENRADAR_DEBUG"
#: Exit code of a system error (``EX_IOERR``); project errors have their own (1–6).
EXIT_OS_ERROR = 74

#: Characters that must not reach the terminal as they are: C0/C1 controls but tab and
#: newline (ANSI escape sequences start with ESC, ``\r`` overwrites the line), and the Unicode
#: marks that reorder or break the displayed text (bidi overrides, line separators).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")

_OS_HINTS = {
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EFBIG: "the file grew larger than the file system or a process limit allows",
    errno.EIO: "the device reported an I/O error: check the disk",
    errno.EROFS: "the file system is mounted read-only",
    errno.EACCES: "check the owner and permissions of the path",
    errno.EPERM: "check the owner and permissions of the path",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
}


def printable(text: object) -> str:
    """``text`` with the characters that would act on the terminal (escape sequences,
    carriage returns, bidi overrides) shown as Python escapes (``\x1b``) instead."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def plain(text: object) -> str:
    """``text`` (a file name, a header, a message quoting them) made safe to embed in Rich
    markup: :func:`printable`, and markup such as ``[/x]`` or ``[link=…]`` printed as is."""
    return escape(printable(text))


def debug_enabled() -> bool:
    """Whether ``$KETENRADAR_DEBUG`` asks for tracebacks."""
    from ketenradar.core.settings import settings

    try:
        return settings().debug
    except KetenradarError:  # an invalid setting is reported by itself (check_settings)
        return False


def check_settings() -> None:
    """Check every ``KETENRADAR_*`` setting (:mod:`ketenradar.core.settings`), so that an
    invalid one stops any command with one line naming it, whatever the command reads."""
    from ketenradar.core.settings import settings

    settings()


def os_error_message(exc: OSError) -> str:
    """One line for a system error: the path(s), the reason, the errno name and a hint."""
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    reason = exc.strerror or str(exc) or type(exc).__name__
    code = errno.errorcode.get(exc.errno or 0)
    msg = (" → ".join(paths) + ": " if paths else "") + reason + (f" ({code})" if code else "")
    hint = _OS_HINTS.get(exc.errno or 0)
    return f"{msg}; {hint}" if hint and hint != reason else msg


def _duckdb_io_message(exc: BaseException) -> str | None:
    """DuckDB's own I/O errors (a Parquet write on a full disk) as a message, else None.

    DuckDB may wrap the system error as JSON (``{"exception_message": …, "errno": "28"}``):
    its message and errno are used then, like an :class:`OSError`'s.
    """
    duckdb = sys.modules.get("duckdb")  # imported by then if the error came from it
    if duckdb is None or not isinstance(exc, duckdb.IOException):
        return None
    import json

    text = str(exc)
    start = text.find("{")
    try:
        info = json.loads(text[start:]) if start >= 0 else {}
    except ValueError:
        info = {}
    if not isinstance(info, dict) or not info.get("exception_message"):
        return text
    number = int(info["errno"]) if str(info.get("errno", "")).isdigit() else 0
    code = errno.errorcode.get(number)
    hint = _OS_HINTS.get(number)
    return (
        str(info["exception_message"])
        + (f" ({code})" if code else "")
        + (f"; {hint}" if hint else "")
    )


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"[bold red]error:[/] {plain(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code) from None


#: The option every command with a provenance gets (see :func:`handle_errors`).
ShowProvenance = Annotated[
    bool,
    typer.Option(
        "--provenance",
        help="Also print the provenance (method, datasets and their releases) on stderr.",
    ),
]


def _records_provenance(fn: Any) -> bool:
    """Whether command ``fn`` writes a result with a provenance: it takes the context (its
    command line goes into the provenance) and a ``--format``."""
    import inspect

    params = inspect.signature(fn).parameters
    return "ctx" in params and "fmt" in params


def _with_provenance_option(wrapper: Any, fn: Any) -> None:
    """Add ``--provenance`` (keyword ``show_provenance``) to ``wrapper``'s signature."""
    import inspect

    sig = inspect.signature(fn, eval_str=True)
    extra = inspect.Parameter(
        "show_provenance", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=ShowProvenance
    )
    params = list(sig.parameters.values())
    wrapper.__signature__ = sig.replace(parameters=[*params, extra])
    wrapper.__annotations__ = {
        **getattr(fn, "__annotations__", {}),
        "show_provenance": ShowProvenance,
    }


def handle_errors(fn):
    """Turn errors into a clear message on stderr and a non-zero exit code, no traceback:
    project errors (their exit code), system errors such as a full disk or a read-only data
    dir (:data:`EXIT_OS_ERROR`), text files that are not UTF-8 (4). ``KETENRADAR_DEBUG=1``
    shows the traceback of the system errors instead.

    A command that writes a result with a provenance (it takes ``ctx`` and ``--format``) also
    gets the option ``--provenance``: the provenance footer goes to stderr only when it is
    given (:func:`_print_provenance`)."""

    params = frozenset(inspect.signature(fn).parameters)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        show = kwargs.pop("show_provenance", None)
        before = _state.get("provenance", False)
        before_params = _state.get("params", frozenset())
        _state["params"] = params  # what the running command offers (:func:`_more_hint`)
        if show is not None:
            _state["provenance"] = bool(show)
        try:
            check_settings()
            return fn(*args, **kwargs)
        except KetenradarError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            err.print("[red]interrupted[/]")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader of our output went away (`| head`): stop quietly
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except OSError as exc:
            if debug_enabled():
                raise
            _fail(os_error_message(exc), EXIT_OS_ERROR)
        except UnicodeDecodeError as exc:
            if debug_enabled():
                raise
            byte = exc.object[exc.start : exc.start + 1].hex()
            _fail(
                f"a file read is not {exc.encoding.upper()} text: byte 0x{byte} at offset "
                f"{exc.start} ({exc.reason}); save it as UTF-8 and run again",
                4,
            )
        except Exception as exc:
            msg = _duckdb_io_message(exc)
            if msg is None or debug_enabled():
                raise
            _fail(msg, EXIT_OS_ERROR)
        finally:
            _state["provenance"] = before
            _state["params"] = before_params

    if _records_provenance(fn):
        _with_provenance_option(wrapper, fn)
    return wrapper


def _command(ctx: typer.Context) -> str:
    """The command as the user gave it (options from the command line or environment)."""
    import shlex

    parts = ["ketenradar", *ctx.command_path.split()[1:]]
    for param in ctx.command.params:
        src = ctx.get_parameter_source(param.name)
        if getattr(src, "name", "") not in ("COMMANDLINE", "ENVIRONMENT"):
            continue
        value = ctx.params.get(param.name)
        flag = max(param.opts, key=len) if param.opts else param.name
        if isinstance(value, bool):
            parts.append(flag if value else (param.secondary_opts or [f"--no-{flag[2:]}"])[0])
        elif getattr(param, "param_type_name", "") == "argument":
            parts += [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        elif isinstance(value, list | tuple):
            for v in value:
                parts += [flag, str(v)]
        else:
            parts += [flag, str(value)]
    return shlex.join(parts)


def _dir(local: Path | None) -> Path | None:
    """The data directory: the command's ``--data-dir``, else the global one (or its
    environment variable), else ``None`` (the platform's user data dir)."""
    return local or _state["data_dir"]


def _progress_bar():
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}", markup=False),  # descriptions hold file names
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def bar_progress(bar: Any, task: Any) -> Progress:
    """A :class:`~ketenradar.core.progress.Progress` that moves ``task`` of the Rich ``bar``
    (from :func:`_progress_bar`): the stage becomes the bar's description."""

    def progress(stage: str, done: int, total: int | None) -> None:
        bar.update(task, description=printable(stage), completed=done, total=total)

    return progress


def run_with_progress(label: str, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
    """``fn(*args, **kwargs, progress=…)`` under a progress bar on stderr: the bar starts as
    ``label``, then shows the stages ``fn`` reports (:func:`bar_progress`) and goes away when
    ``fn`` returns or fails."""
    with _progress_bar() as bar:
        task = bar.add_task(printable(label), total=None)
        return fn(*args, progress=bar_progress(bar, task), **kwargs)


def _ingest(
    source: str, paths: list[Path], data_dir: Path | None, name: str | None, **options: Any
) -> list[Any]:
    """``api.add_dataset`` with a progress bar on stderr."""
    from ketenradar import api

    return run_with_progress(
        "reading", api.add_dataset, source, paths, data_dir=_dir(data_dir), name=name, **options
    )


def add_and_report(
    source: str, paths: list[Path], data_dir: Path | None, name: str | None, **options: Any
) -> list[Any]:
    """Ingest with a progress bar and print what was added (``data add``, ``quickstart``)."""
    from ketenradar.core.provenance import year_ranges

    reports = _ingest(source, paths, data_dir, name, **options)
    for r in reports:
        years = r.manifest.attributes.get("years") or []
        span = year_ranges(years)
        if r.changed:
            tables = r.manifest.tables
            rows = ", ".join(
                f"{int(info.get('rows', 0)):,} {name} rows"
                for name, info in tables.items()
                if isinstance(info, dict) and "rows" in info
            )
            out.print(
                f"[green]added[/] {plain(r.dataset)}: {rows}"
                + (f", years {span}" if span else "")
                + f", release {plain(r.manifest.release)}",
                highlight=False,
            )
        else:
            out.print(
                f"[yellow]unchanged[/] {plain(r.dataset)}: the same files are already ingested"
            )
        for w in r.warnings:
            if not w.startswith("unchanged"):
                err.print(f"[yellow]warning:[/] {plain(w)}", highlight=False)
    return reports


FORMAT_HELP = "table, csv, xlsx, parquet or html."


def _print_provenance(prov: dict) -> None:
    """A short provenance footer on stderr, when the command was given ``--provenance``
    (:func:`handle_errors`); the input checksums are one command away. The files a command
    writes carry the full provenance whatever the option."""
    from ketenradar.core.provenance import provenance_lines

    if not _state.get("provenance"):
        return
    lines = provenance_lines(prov)
    keep = ("Data:", "Method:", "Thresholds:", "Note:")
    for line in lines[:2] + [ln for ln in lines if ln.startswith(keep)]:
        err.print(f"[dim]{plain(line)}[/]", highlight=False)
    for d in prov.get("datasets", []):
        err.print(
            f"[dim]Inputs: {len(d['inputs'])} file(s); their sha256: "
            f"`ketenradar data show {plain(d['dataset'])}`[/]",
            highlight=False,
        )


def provenance_stream() -> TextIO | None:
    """Where a CSV written to standard output puts its provenance: standard error when the
    command was given ``--provenance`` (:func:`handle_errors`), else nowhere."""
    return sys.stderr if _state.get("provenance") else None


Fmt = Annotated[str, typer.Option("--format", help=FORMAT_HELP)]
Output = Annotated[Path | None, typer.Option(help="Output file.")]


def emit(
    df: pd.DataFrame,
    fmt: str,
    output: Path | None,
    *,
    sheet: str,
    columns: list[str],
    limit: int = 40,
    title: str = "",
    html: Any = None,
    schema: Sequence[Column] | None = None,
    more: str | None = None,
) -> None:
    """Print ``df`` as a table (``columns``, at most ``limit`` rows, provenance on stderr) or
    write it as csv, xlsx, parquet or (with ``html``, a report writer) html. ``schema`` (the
    result's column schema) labels the table's headers and goes into the files. ``more``:
    where every row and column is (e.g. a file the command writes), said under a table that
    leaves some out (default: the running command's own options, :func:`_more_hint`)."""
    from ketenradar.interfaces.reports.writers import FORMATS, write_frame

    if fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}' (use one of {', '.join(FORMATS)})")
    if fmt == "table":
        _table(df, columns, limit, title, schema, more=more)
        if "provenance" in df.attrs:
            _print_provenance(df.attrs["provenance"])
        return
    if fmt == "html":
        if html is None:
            raise UsageError("this command has no HTML report; use csv, xlsx or parquet")
        if output is None:
            raise UsageError("--format html needs --output PATH")
        html(df, output)
        out.print(f"wrote {plain(output)}", highlight=False)
        return
    write_frame(df, fmt, output, sheet=sheet, columns=schema, provenance_to=provenance_stream())
    if output is not None:
        out.print(f"wrote {plain(output)} ({len(df):,} rows)", highlight=False)


#: Units whose values are fractions, shown as percentages in the terminal.
_SHARE_UNITS = ("share 0–1",)
#: Units whose values are amounts of money or goods, shown with digit grouping.
_AMOUNT_UNITS = ("kUSD", "MUSD", "MEUR", "EUR", "EUR/t", "EUR/year", "t", "count", "days")
#: The narrowest a wrapped text column may become (its words fold beyond that).
_MIN_TEXT = 12


def _cell(v: Any, unit: str = "") -> str:
    """A table cell as Rich markup: numbers rounded for reading (a share as a percentage, an
    amount with digit grouping), text (names from files, user input) shown as it is, never
    read as markup."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType":
        return ""  # missing: None, NaN or pandas.NA (a nullable column such as GeoDep's)
    if isinstance(v, bool) or type(v).__name__ in ("bool_", "bool"):  # numpy 1 and 2
        return "yes" if v else "no"
    if isinstance(v, float) and math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if isinstance(v, float):
        if unit in _SHARE_UNITS:
            return f"{v:.1%}"
        if unit in _AMOUNT_UNITS:
            return f"{v:,.1f}" if abs(v) < 100 else f"{v:,.0f}"
        return f"{v:.3f}"
    if isinstance(v, int) and not isinstance(v, bool) and unit in _AMOUNT_UNITS:
        return f"{v:,}"
    return plain(v)


def _is_number(df: pd.DataFrame, column: str) -> bool:
    import pandas as pd

    return (
        column in df
        and pd.api.types.is_numeric_dtype(df[column])
        and not (pd.api.types.is_bool_dtype(df[column]))
    )


def fit_columns(widths: dict[str, int], width: int) -> tuple[list[str], list[str]]:
    """Which columns fit a table ``width`` characters wide, most important first.

    ``widths`` holds each column's minimum width (its cells unwrapped, or the narrowest it may
    wrap to) in order of importance; a Rich table adds three characters per column and one.
    The first column always stays; a later one is left out when it does not fit, and a
    narrower one after it may still be shown. Returns (shown, left out), both in the given
    order."""
    shown: list[str] = []
    left: list[str] = []
    used = 1
    for k, (c, w) in enumerate(widths.items()):
        need = w + 3
        if k == 0 or used + need <= width:
            shown.append(c)
            used += need
        else:
            left.append(c)
    return shown, left


def _table(
    df: pd.DataFrame,
    columns: list[str],
    limit: int,
    title: str,
    schema: Sequence[Column] | None = None,
    *,
    more: str | None = None,
) -> None:
    """Print ``columns`` of ``df`` (at most ``limit`` rows) as a table that fits the terminal.

    Columns are taken in the order given (the most important first) while they fit the
    console's width (``$COLUMNS``, or 80 when the output is not a terminal); numbers never
    wrap, texts wrap down to 12 characters. Headers are the schema's labels with the column's
    name under them when there is room. What was left out is said under the table, with the
    way to get every column: ``more``, or what the running command offers (:func:`_more_hint`),
    or a wider terminal."""
    from rich.table import Table

    units: dict[str, str] = {}
    labels: dict[str, str] = {}
    if schema:  # the label a person reads, the column's name under it
        from ketenradar.interfaces.reports.writers import column_rows

        for r in column_rows(schema):
            units[r["name"]] = r["unit"]
            if r["label"]:
                labels[r["name"]] = r["label"]
    rows = df.head(limit)
    cells = {c: [_cell(v, units.get(c, "")) for v in rows.get(c, [])] for c in columns}
    numeric = {c: _is_number(df, c) for c in columns}

    def need(c: str, with_name: bool) -> int:
        head = labels.get(c, c)
        word = max((len(w) for w in head.split()), default=0)
        longest = max((len(x) for x in cells[c]), default=0)
        body = longest if numeric[c] else min(longest, max(_MIN_TEXT, word))
        return max(body, word, len(c) if with_name and c in labels else 0, 1)

    width = out.width
    with_names = bool(labels)
    shown, left = fit_columns({c: need(c, True) for c in columns}, width)
    if left and with_names:  # the names under the labels take room: drop them first
        with_names = False
        shown, left = fit_columns({c: need(c, False) for c in columns}, width)
    headers = [
        f"{plain(labels[c])}\n[dim]{plain(c)}[/]"
        if with_names and c in labels
        else plain(labels.get(c, c))
        for c in shown
    ]
    # each column at least as wide as its longest number and the longest word of its header
    # (numbers never wrap, headers wrap between words, long texts fold); the room left is
    # shared a character at a time among the columns that can use it. Widths are fixed here:
    # Rich's own shrinking ignores minimum widths and would overflow the terminal.
    widths = {c: need(c, with_names) for c in shown}
    full = {
        c: max(
            [widths[c], len(labels.get(c, c)), len(c) if with_names else 0]
            + [len(x) for x in cells[c]]
        )
        for c in shown
    }
    room = width - (sum(widths.values()) + 3 * len(shown) + 1)
    while room > 0 and any(widths[c] < full[c] for c in shown):
        for c in shown:
            if room > 0 and widths[c] < full[c]:
                widths[c] += 1
                room -= 1
    t = Table(title=plain(title) if title else None)
    for c, h in zip(shown, headers, strict=True):
        t.add_column(h, justify="right" if numeric[c] else "left", overflow="fold", width=widths[c])
    for k in range(len(rows)):
        t.add_row(*[cells[c][k] for c in shown])
    out.print(t)
    files = "fmt" in _state.get("params", ())
    if left:
        where = f"in {more}" if more else ""
        where = where or ("--format csv, xlsx or parquet (with --output)" if files else "")
        out.print(
            f"[dim]Not shown at {width} columns: {plain(', '.join(left))}. Every column: "
            f"{plain(where) + ', or ' if where else ''}a wider terminal (COLUMNS=200).[/]",
            highlight=False,
        )
    elif labels and not with_names and files:
        out.print("[dim]Column names: --format csv.[/]", highlight=False)
    if len(df) > limit:
        hint = f" in {more}" if more else (f": {h}" if (h := _more_hint()) else "")
        rest = f"{len(df) - limit:,} more rows{hint}"
        out.print(f"[dim]{plain(rest)}[/]", highlight=False)


def _more_hint() -> str:
    """How to see the rows a table leaves out, with the options the running command has
    (its parameters ``limit`` and ``fmt``, recorded by :func:`handle_errors`)."""
    params = _state.get("params", ())
    ways = [
        *(["--limit N shows more"] if "limit" in params else []),
        *(["--format csv writes every row"] if "fmt" in params else []),
    ]
    return "; ".join(ways)
