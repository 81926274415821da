"""Names of work packages a person understands, in English and Dutch: the texts of the
module's own message catalogs (``messages/en.po``, ``messages/nl.po``) for each work package's
label key (``data/work_packages.yaml``). The web shell reads the same catalogs; the CLI and the
API use this module, which imports only the kernel and Babel."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

from ketenradar.core.errors import UsageError

LANGUAGES = ("en", "nl")


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """The module's messages in ``lang`` (key → text; messages without a text left out)."""
    from babel.messages.pofile import read_po

    if lang not in LANGUAGES:
        raise UsageError(f"language {lang!r}: allowed {', '.join(LANGUAGES)}", field="lang")
    path = resources.files("ketenradar.modules.kansenkaart") / "messages" / f"{lang}.po"
    with path.open("rb") as fh:
        cat = read_po(fh)
    return {str(m.id): str(m.string) for m in cat if m.id and m.string and not m.fuzzy}


def work_package_names(
    work_packages: Mapping[str, Mapping[str, Any]], lang: str = "en"
) -> dict[str, str]:
    """Work package id → its name in ``lang`` (the catalog text of its label key; the id
    itself where a user's taxonomy brings a label the catalogs do not have)."""
    texts = catalog(lang)
    return {wp: texts.get(str(spec.get("label", "")), wp) for wp, spec in work_packages.items()}
