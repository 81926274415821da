"""YAML that cannot hang the parser: one loader for every YAML document ketenradar reads.

A few hundred bytes of YAML whose aliases repeat aliases (``a: &a [x, x, x]``,
``b: &b [*a, *a, *a]``, …) expand exponentially when built into Python objects ("billion
laughs"); an alias inside its own anchor makes a structure that refers to itself; thousands
of nested brackets exhaust the interpreter's recursion. :func:`load_yaml` composes the
document's node graph first (linear in the text), checks it, and only then builds it:

* more than ``max_nodes`` nodes after counting what aliases repeat (default: the setting
  ``KETENRADAR_MAX_YAML_NODES``, 500,000; the count is memoised per node, so the check itself
  is linear);
* a recursive alias;
* nesting too deep to walk;
* YAML syntax errors (with the 1-based line).

Every refusal is a :class:`~ketenradar.core.errors.DataError` naming the file and the reason.
Used by BOMs (``ketenradar.modules.materials.bom``), what-if scenarios
(``ketenradar.modules.materials.scenario``), supply-shock scenarios
(``ketenradar.modules.io.shock``) and country groups (``ketenradar.core.groups``), in the CLI,
the Python API and the web alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ketenradar.core.errors import DataError
from ketenradar.core.settings import settings


def _syntax_error(exc: yaml.YAMLError, text: str, file: str | None, kind: str) -> DataError:
    """A YAML error as a :class:`DataError` with the 1-based line where it was found."""
    mark = getattr(exc, "problem_mark", None)
    line = (mark.line + 1) if mark is not None else None
    position = getattr(exc, "position", None)  # ReaderError: a bad character, no mark
    if line is None and isinstance(position, int):
        line = text.count("\n", 0, position) + 1
    return DataError(
        f"not valid {kind}: {getattr(exc, 'problem', None) or exc}", file=file, line=line
    )


def _expanded_nodes(root: yaml.Node, limit: int, file: str | None) -> int:
    """Nodes ``root`` expands to (aliases counted as often as used), capped at ``limit + 1``;
    a recursive alias raises :class:`DataError`."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise DataError("the YAML refers to itself (a recursive alias)", file=file)
        active.add(key)
        n = 1
        if isinstance(node, yaml.MappingNode):
            n += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n += sum(size(c) for c in node.value)
        active.discard(key)
        memo[key] = min(n, limit + 1)
        return memo[key]

    return size(root)


def load_yaml(
    text: str,
    *,
    file: str | Path | None = None,
    loader: type[yaml.SafeLoader] = yaml.SafeLoader,
    max_nodes: int | None = None,
    kind: str = "YAML",
) -> Any:
    """The single YAML document in ``text``, built with ``loader`` once it is known to be safe.

    Like ``yaml.load(text, Loader=loader)`` (``None`` for an empty document), but refuses, with
    a :class:`DataError` naming ``file``: syntax errors (``not valid <kind>: …`` with the line;
    ``kind`` names the expected format in that message), documents that expand past
    ``max_nodes`` nodes through aliases, recursive aliases and nesting too deep to walk. The
    checks run on the composed node graph before any Python object is built. ``loader`` must
    be :class:`yaml.SafeLoader` or a subclass (no arbitrary Python objects).
    """
    if not issubclass(loader, yaml.SafeLoader):
        raise TypeError("load_yaml needs yaml.SafeLoader or a subclass of it")
    if max_nodes is None:
        max_nodes = settings().max_yaml_nodes
    fname = str(file) if file is not None else None
    try:
        reader = loader(text)  # the reader refuses control characters here already
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, fname, kind) from exc
    try:
        root = reader.get_single_node()
        if root is None:
            return None
        if _expanded_nodes(root, max_nodes, fname) > max_nodes:
            raise DataError(
                f"the YAML expands to more than {max_nodes:,} nodes "
                "(counting what its aliases repeat)",
                file=fname,
            )
        return reader.construct_document(root)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, fname, kind) from exc
    except RecursionError:
        raise DataError("the YAML is nested too deeply", file=fname) from None
    finally:
        reader.dispose()


def field_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a field path: ``targets[1].reduction_t`` (pydantic's
    ``[key]`` marker of a mapping's key is left out)."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def invalid_document(exc: Any, file: str | Path) -> DataError:
    """The first error of a pydantic ``ValidationError`` on a user's document as a
    :class:`DataError` naming the file and the field path (``document`` for the whole)."""
    e = exc.errors()[0]
    msg = str(e["msg"]).removeprefix("Value error, ")
    return DataError(msg, file=str(file), field=field_path(tuple(e["loc"])) or "document")
