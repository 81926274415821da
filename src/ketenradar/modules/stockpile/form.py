"""Form advice (public, public-private, private) with the packaged or the user's rule table.

The method is pure and lives in :mod:`ketenradar.modules.stockpile.analysis.form`; this module
adds what reads files (an analysis does no I/O): :func:`load_rules` reads a rule file, by
default the packaged table ``modules/stockpile/data/form_rules.yaml``, and :func:`advise`
uses that table unless given another. ``docs/methods/stockpile.md`` (*Form advice*) documents
the factors, the rules and how to edit them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from ketenradar.core.errors import DataError
from ketenradar.modules.stockpile.analysis import form as _form
from ketenradar.modules.stockpile.analysis.form import (
    DEFAULT_TIE_ORDER,
    FACTOR_LABELS,
    FORMS,
    FormAdvice,
    FormFactors,
    Reason,
    Rule,
    RuleTable,
    form_factors_from_inputs,
    parse_rules,
    rules_from_text,
)

__all__ = [
    "DEFAULT_TIE_ORDER",
    "FACTOR_LABELS",
    "FORMS",
    "FormAdvice",
    "FormFactors",
    "Reason",
    "Rule",
    "RuleTable",
    "advise",
    "form_factors_from_inputs",
    "load_rules",
    "packaged_rules_path",
    "parse_rules",
    "rules_from_text",
]


def packaged_rules_path() -> Path:
    """Where the packaged rule table is (copy it to edit your own)."""
    return Path(str(files("ketenradar.modules.stockpile") / "data" / "form_rules.yaml"))


@functools.cache
def _packaged() -> RuleTable:
    path = packaged_rules_path()
    return rules_from_text(path.read_text(encoding="utf-8"), file=str(path))


def load_rules(path: Path | str | None = None) -> RuleTable:
    """The rule table in the YAML/JSON file ``path``; by default the packaged one. A bad file
    gives a :class:`DataError` naming the file, the field and the rule's id."""
    if path is None:
        return _packaged()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("no such form rule file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the form rule file: {exc}", file=str(path)) from None
    return rules_from_text(text, file=str(path))


def advise(
    factors: FormFactors,
    rules: RuleTable | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> FormAdvice:
    """The advised form for ``factors`` (with ``overrides`` applied: factor → value, ``None``
    for unknown) under ``rules`` (default: the packaged table), with every reason."""
    return _form.advise(factors, rules if rules is not None else load_rules(), overrides=overrides)
