"""Sentences a person reads about a shock: its title and its notes, in Dutch or English.

The analyses keep their parameters and notes as data (the provenance record scripts read); the
web page and the CLI say them in words with the messages of the io catalog. Everything here
takes the translation function (``t(key)``) and the number formatters as arguments, so it
imports no interface.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Gettext = Callable[[str], str]
Percent = Callable[[float], str]

#: Notes the loaders and analyses write in English (each said in words below).
_UPPER_BOUND = "losses are upper bounds: buyers cannot substitute a lost supplier"
_FD_NOT_SPLIT = "final demand is not split by destination"
_REBUILT = "rebuilt from the sanction-simulator benchmark arrays"
_AUDIT = "builder's audit: "
_CAPPED = re.compile(
    r"scenario '(?P<scenario>.*)': the (?P<model>\w+) model put the output loss of (?P<n>\d+) "
    r"industr(?:y|ies) above their output \(up to (?P<worst>\d+)%\)"
)


def shock_sentence(
    shock: Mapping[str, Any],
    economy: str,
    t: Gettext,
    percent: Percent,
    name: Callable[[str], str] = str,
) -> str:
    """One shock in words: "50 % fall in deliveries from China (C26, C27) to every buyer in
    the world". ``shock`` has ``supplier``, ``fall`` (0–1), ``to`` and ``industries``;
    ``name`` turns a region code into a name (CLDR country names on the web)."""
    inds = list(shock.get("industries") or [])
    supplier = name(str(shock["supplier"])) + (f" ({', '.join(inds)})" if inds else "")
    scopes = {"world": t("io_shock_to_world"), "economy": t("io_shock_to_economy")}
    scope = scopes[shock.get("to", "world")].format(economy=name(economy))
    return t("io_shock_sentence").format(
        fall=percent(float(shock["fall"])), supplier=supplier, scope=scope
    )


def scenario_title(
    scenario: Mapping[str, Any],
    economy: str,
    year: Any,
    t: Gettext,
    percent: Percent,
    name: Callable[[str], str] = str,
) -> str:
    """A scenario's title: its shocks in words, the model, the economy hit and the year."""
    shocks = "; ".join(
        shock_sentence(s, economy, t, percent, name) for s in scenario.get("shocks", [])
    )
    return t("io_shock_title").format(
        shocks=shocks,
        model=t(f"io_model_{scenario.get('model', 'extraction')}"),
        economy=name(economy),
        year=year,
    )


def _audit_sentence(raw: str, t: Gettext, percent: Percent) -> str:
    try:
        audit = json.loads(raw)
    except ValueError:
        return t("io_note_audit_raw").format(audit=raw)
    if not isinstance(audit, dict):
        return t("io_note_audit_raw").format(audit=raw)
    clipped = int(audit.get("negative_flow_cells_clipped", 0) or 0) + int(
        audit.get("negative_z_cells_clipped", 0) or 0
    )
    return t("io_note_audit").format(
        inactive=audit.get("inactive_nodes", "–"),
        capped=audit.get("beta_capped_columns", "–"),
        clipped=clipped,
        diff=percent(float(audit.get("s_vs_go_max_reldiff", 0.0) or 0.0)),
    )


def readable_notes(notes: Sequence[str], t: Gettext, percent: Percent) -> list[str]:
    """The notes of a result as sentences in the page's language; a note without a message of
    its own (a loader's remark on a file) is kept as it is."""
    out = []
    for note in notes:
        if note == _UPPER_BOUND:
            out.append(t("io_note_upper_bound"))
        elif note == _FD_NOT_SPLIT:
            out.append(t("io_note_fd_not_split"))
        elif note.startswith(_REBUILT):
            out.append(t("io_note_rebuilt"))
        elif note.startswith(_AUDIT):
            out.append(_audit_sentence(note[len(_AUDIT) :], t, percent))
        elif m := _CAPPED.match(note):
            out.append(
                t("io_note_capped").format(
                    n=m["n"],
                    model=t(f"io_model_{m['model']}"),
                    worst=percent(int(m["worst"]) / 100),
                )
            )
        else:
            out.append(note)
    return out
