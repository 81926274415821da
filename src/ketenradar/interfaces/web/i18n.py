"""The web interface in Dutch and English: message catalogs, and numbers and dates per locale.

Messages are gettext catalogs read with Babel: ``messages/nl.po`` and ``messages/en.po`` of
the shell (next to this file) and of every registered module (its ``Module.messages`` folder),
merged in registry order. A message's ``msgid`` is its key (``largest_dependencies``), its
``msgstr`` the text; templates write ``t('key')`` or ``_('key')``, code
``translator(lang)(key)``. A key defined in two catalogs stops the load, naming both files.
The ``.po`` files are read once per process; no compiled ``.mo`` files are kept.

A key with no text in a language (absent, empty or fuzzy) shows the key itself and warns
:class:`MissingMessage`; the test suite turns that warning into an error (``filterwarnings`` in
pyproject.toml), so a page using an unknown key fails its tests.

Numbers and dates follow the page's language: ``nl`` in the ``nl_NL`` locale (1.234,5), ``en``
in ``en_GB`` (1,234.5). :func:`install` gives a Jinja environment the ``jinja2.ext.i18n``
extension (``_``, ``gettext``, ``ngettext``, ``{% trans %}``) and the filters ``number``,
``percent``, ``date`` and ``datetime``, and for the values data bring: ``country`` (a country
code as its name in the page's language, CLDR through Babel), ``yesno`` (✓ / –), ``english``
(a text with no Dutch source, marked ``lang="en"``, with one note per page saying so) and
``data_text`` (a text a source or fact build writes in English, in Dutch where a catalog
message has that English wording), ``ecosystem`` and ``ecosystem_options`` (the EU industrial
ecosystems, messages ``ecosystem_<slug>``). The environment is shared by concurrent requests, so
nothing is installed per request: every function reads the language from the render context
(``lang``) and the per-page notes from its ``english_notes`` list. How to add a message or a
language: docs/i18n.md.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import gettext as stdlib_gettext
import math
import numbers
import re
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from ketenradar.core.errors import DataError
from ketenradar.core.vocabularies.materials import display_name

#: The languages of the interface (the first path segment of a page: /nl/, /en/).
LANGUAGES = ("nl", "en")
#: The locale numbers and dates are written in, per language.
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
#: The language of a render context that names none.
DEFAULT_LANGUAGE = "en"
#: The shell's catalogs (navigation, footer, errors, accounts, data, shared words).
SHELL_MESSAGES = Path(__file__).parent / "messages"
#: Why a page shows English text, each with its note (message ``english_note_<kind>``):
#: ``hs`` BACI's HS product descriptions, ``data`` any other text a source writes in English.
ENGLISH_NOTES = ("hs", "data")
#: Messages whose English text is the wording a source or a fact build writes in its data
#: (``fact_<table>``: a fact table's description; ``licence_<source>``: a licence), so that
#: :func:`data_text` can show the Dutch text for it.
DATA_TEXT_PREFIXES = ("fact_", "licence_")
#: The messages naming the EU industrial ecosystems (COM(2021) 350): ``ecosystem_<slug>`` of
#: the English name in the data (:func:`ecosystem_key`); the English text is that name.
ECOSYSTEM_PREFIX = "ecosystem_"
#: How the screening's ``ecosystem`` column joins a product's ecosystems.
ECOSYSTEM_SEPARATOR = "; "

_MSGID = re.compile(r'^msgid "((?:[^"\\]|\\.)*)"\s*$')


class MissingMessage(UserWarning):
    """A message key with no text in a language: the page shows the key itself."""


@dataclass(frozen=True)
class Catalogs:
    """The merged messages of every catalog.

    ``texts[lang][key]`` is the text (a tuple of forms for a plural message), ``where[lang][key]``
    the file and line that define the key, ``plural[lang]`` the language's plural rule (the
    ``Plural-Forms`` of its first catalog: ``n`` -> the index of the form).
    """

    texts: dict[str, dict[str, str | tuple[str, ...]]]
    where: dict[str, dict[str, tuple[Path, int | None]]]
    plural: dict[str, Callable[[int], int]]

    def keys(self) -> set[str]:
        """Every key defined in some catalog of some language."""
        return {k for by_key in self.where.values() for k in by_key}


def catalog_folders() -> list[Path]:
    """The folders holding catalogs: the shell's, then every registered module's."""
    from ketenradar.core import modules as registry

    folders = [SHELL_MESSAGES]
    for module in registry.modules():
        folder = module.folder(module.messages)
        if folder is not None:
            folders.append(folder)
    return folders


def _read(path: Path, lang: str) -> Any:
    """The Babel catalog in ``path``, checked: valid, of language ``lang``, no key twice."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        raw = path.read_bytes()
        lines = raw.decode("utf-8").splitlines()
    except FileNotFoundError:
        raise DataError(f"the {lang} message catalog is missing", file=path) from None
    except UnicodeDecodeError as exc:
        raise DataError(f"a message catalog must be UTF-8 ({exc})", file=path) from None
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, start=1):
        m = _MSGID.match(line)
        if m and m.group(1):
            if m.group(1) in seen:
                raise DataError(
                    f"message '{m.group(1)}' is defined twice in this catalog (first on line "
                    f"{seen[m.group(1)]})",
                    file=path,
                    line=n,
                )
            seen[m.group(1)] = n
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except PoFileError as exc:
        raise DataError(f"not a valid .po catalog: {exc}", file=path) from None
    if catalog.locale is not None and catalog.locale.language != lang:
        raise DataError(
            f"the catalog's header says Language: {catalog.locale}, its name says {lang}",
            file=path,
        )
    return catalog


def load(folders: Iterable[Path]) -> Catalogs:
    """Read ``<folder>/<lang>.po`` for every folder and language and merge them in order.

    Raises :class:`DataError` when a catalog is missing or invalid, or when a key is defined in
    two catalogs of one language (naming both files).
    """
    texts: dict[str, dict[str, str | tuple[str, ...]]] = {lang: {} for lang in LANGUAGES}
    where: dict[str, dict[str, tuple[Path, int | None]]] = {lang: {} for lang in LANGUAGES}
    plural: dict[str, Callable[[int], int]] = {}
    for folder in folders:
        for lang in LANGUAGES:
            path = folder / f"{lang}.po"
            catalog = _read(path, lang)
            plural.setdefault(lang, stdlib_gettext.c2py(catalog.plural_expr))
            for message in catalog:
                if not message.id:  # the header
                    continue
                key = message.id[0] if message.pluralizable else message.id
                if key in where[lang]:
                    first, line = where[lang][key]
                    raise DataError(
                        f"message '{key}' is defined twice: in {first} (line {line}) and here",
                        file=path,
                        line=message.lineno,
                    )
                where[lang][key] = (path, message.lineno)
                forms = message.string if message.pluralizable else (message.string,)
                if message.fuzzy or not all(forms):
                    continue  # no text yet: shown as missing
                texts[lang][key] = tuple(forms) if message.pluralizable else message.string
    return Catalogs(texts, where, plural)


@functools.cache
def catalogs() -> Catalogs:
    """The catalogs of the shell and every registered module, read once per process."""
    return load(catalog_folders())


def _missing(lang: str, key: str) -> None:
    warnings.warn(
        f"message '{key}' has no {lang} text: add it to a messages/{lang}.po (docs/i18n.md)",
        MissingMessage,
        stacklevel=3,
    )


def gettext(lang: str, key: str) -> str:
    """The text of message ``key`` in ``lang`` (the key itself, with a warning, when missing)."""
    text = catalogs().texts.get(lang, {}).get(key)
    if text is None:
        _missing(lang, key)
        return key
    return text if isinstance(text, str) else text[0]


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The form of plural message ``singular`` for ``n`` in ``lang`` (``singular`` or
    ``plural`` itself, with a warning, when missing)."""
    c = catalogs()
    text = c.texts.get(lang, {}).get(singular)
    if text is None:
        _missing(lang, singular)
        return singular if n == 1 else plural
    if isinstance(text, str):
        return text
    return text[min(c.plural[lang](n), len(text) - 1)]


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)``: the text of a message in ``lang`` (see :func:`gettext`)."""

    def t(key: str) -> str:
        return gettext(lang, key)

    return t


# -- numbers and dates ----------------------------------------------------------------------


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES[DEFAULT_LANGUAGE])


def _decimal(value: Any) -> decimal.Decimal | None:
    """``value`` as an exact Decimal (a float rounds as Python's own format does), or ``None``
    for a missing value (``None``, NaN, ``pandas.NA``)."""
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return None if value.is_nan() else value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return decimal.Decimal(int(value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        f = float(value)
        return None if math.isnan(f) else decimal.Decimal(f)
    pandas = sys.modules.get("pandas")
    if pandas is not None and value is pandas.NA:
        return None
    raise TypeError(f"not a number: {value!r} ({type(value).__name__})")


def format_number(value: Any, lang: str, digits: int = 0, significant: int | None = None) -> str:
    """``value`` with digit grouping in the language's locale: ``digits`` decimals (1.234,5
    in Dutch, 1,234.5 in English), or ``significant`` significant digits with trailing zeros
    dropped (like ``'{:,.4g}'`` without the exponent). Empty for ``None`` and NaN."""
    d = _decimal(value)
    if d is None:
        return ""
    if significant is not None:
        places = significant - 1 - d.adjusted() if d.is_finite() and d else 0
        if d.is_finite():
            d = round(d, places)
        pattern = "#,##0" + ("." + "#" * places if places > 0 else "")
    elif d.is_finite():
        # fixed decimals: Python's own formatting of the exact Decimal (half-even, as babel
        # rounds) with the locale's symbols; a page formats hundreds of numbers, and babel's
        # format_decimal was most of a dashboard's render time (tests hold the two equal)
        group, point, minus = _symbols(_locale(lang))
        text = format(d, f",.{max(digits, 0)}f")
        return text.translate({44: group, 46: point, 45: minus})
    else:
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _number_pattern(pattern).apply(d, _babel_locale(_locale(lang)))


@functools.cache
def _symbols(name: str) -> tuple[str, str, str]:
    """The locale's group separator, decimal point and minus sign (babel, latin digits)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    return get_group_symbol(name), get_decimal_symbol(name), get_minus_sign_symbol(name)


@functools.cache
def _babel_locale(name: str) -> Any:
    from babel import Locale

    return Locale.parse(name)


@functools.lru_cache(maxsize=256)
def _number_pattern(pattern: str) -> Any:
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


def format_percent(value: Any, lang: str, digits: int = 0) -> str:
    """The fraction ``value`` as a percentage with ``digits`` decimals in the language's
    locale (45,7% in Dutch, 45.7% in English). Empty for ``None`` and NaN."""
    d = _decimal(value)
    if d is None:
        return ""
    from babel.numbers import format_percent as babel_percent

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return babel_percent(d, format=pattern, locale=_locale(lang))


def format_date(value: dt.date | str | None, lang: str, format: str = "medium") -> str:
    """A date (or an ISO date string) in the language's locale: ``medium`` gives 14 jan 2025
    in Dutch, 14 Jan 2025 in English; ``short``, ``long``, ``full`` or a CLDR pattern too."""
    if value is None or value == "":
        return ""
    from babel.dates import format_date as babel_date

    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return babel_date(value, format=format, locale=_locale(lang))


def format_datetime(value: dt.datetime | str | None, lang: str, format: str = "medium") -> str:
    """A moment (or an ISO string) in the language's locale: ``medium`` gives 14 jan 2025,
    13:05:07 in Dutch, 14 Jan 2025, 13:05:07 in English. A naive moment is shown as it is."""
    if value is None or value == "":
        return ""
    from babel.dates import format_datetime as babel_datetime

    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    # in its own time zone (Babel would show an aware moment in UTC, a naive one as it is)
    return babel_datetime(value, format=format, tzinfo=value.tzinfo, locale=_locale(lang))


# -- values from the data -------------------------------------------------------------------


def country(code: Any, lang: str) -> str:
    """A country code (ISO3, BACI's ``S19``, ``ROW``, a bloc) as its name in ``lang``
    (:func:`ketenradar.core.countries.country_name`); empty for ``None``."""
    from ketenradar.core.countries import country_name

    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    return country_name(str(code), lang)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans(text: Any) -> Markup:
    """A message whose commands are written between backticks (the catalogs' convention,
    e.g. ``load it with `ketenradar data add baci FILE.zip```) as HTML: escaped, each
    backticked part in ``<code>``, no backtick left for the reader."""
    return Markup(_CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))


def yesno(value: Any, lang: str) -> Markup:
    """A yes/no value as ✓ or –, with the word (ja/nee, yes/no) for screen readers; empty
    for a missing value (``None``, NaN, ``pandas.NA``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Markup("")
    pandas = sys.modules.get("pandas")
    if pandas is not None and value is pandas.NA:
        return Markup("")
    if isinstance(value, str):
        value = value.strip().lower() in ("true", "1", "yes")
    word = gettext(lang, "yes" if value else "no")
    mark = "✓" if value else "–"
    return Markup('<span class="yesno" title="{0}" aria-label="{0}">{1}</span>').format(word, mark)


def _note(notes: list[str] | None, kind: str) -> None:
    if kind not in ENGLISH_NOTES:
        raise ValueError(f"no English note '{kind}' (one of {', '.join(ENGLISH_NOTES)})")
    if notes is not None and kind not in notes:
        notes.append(kind)


def english(text: Any, lang: str, kind: str = "data", notes: list[str] | None = None) -> Markup:
    """A text that exists only in English: as it is on English pages, elsewhere in a
    ``<span lang="en">`` with the page's note for ``kind`` (see :data:`ENGLISH_NOTES`) added
    to ``notes``. Empty for ``None``."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text == "":
        return Markup("")
    if lang == "en":
        return escape(text)
    _note(notes, kind)
    return Markup('<span lang="en">{}</span>').format(text)


@functools.cache
def _data_texts() -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """English wording → key of the messages under :data:`DATA_TEXT_PREFIXES`, as patterns
    (a ``{name}`` placeholder matches any text)."""
    out: dict[str, list[tuple[re.Pattern[str], str]]] = {p: [] for p in DATA_TEXT_PREFIXES}
    for key, text in catalogs().texts["en"].items():
        prefix = next((p for p in DATA_TEXT_PREFIXES if key.startswith(p)), None)
        if prefix is None or not isinstance(text, str):
            continue
        parts = re.split(r"\{(\w+)\}", text)
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        # a part ends where the text does or the next part follows ("; ")
        out[prefix].append((re.compile(pattern + r"(?=; |\Z)"), key))
    for patterns in out.values():  # the longest wording first: it may contain a shorter one
        patterns.sort(key=lambda pk: -len(pk[0].pattern))
    return out


def _data_parts(text: str, lang: str, prefix: str) -> list[str] | None:
    """``text`` as one or more messages under ``prefix`` joined by ``"; "`` (the way a fact
    table lists its sources' licences), each in ``lang``; ``None`` when a part has none."""
    texts = catalogs().texts.get(lang, {})
    parts: list[str] = []
    at = 0
    while at < len(text):
        found = None
        for pattern, key in _data_texts().get(prefix, []):
            m = pattern.match(text, at)
            if m:
                found = m, key
                break
        if found is None:
            return None
        m, key = found
        own = texts.get(key)
        if not isinstance(own, str):
            return None
        part = own.format(**m.groupdict())
        if part not in parts:
            parts.append(part)
        at = m.end() + 2
    return parts


def data_text(text: Any, lang: str, prefix: str, notes: list[str] | None = None) -> Markup:
    """A text a source or a fact build writes in English (a fact table's description, a
    licence, or several joined by ``"; "``) in ``lang``: the text of the message under
    ``prefix`` whose English text is ``text`` (placeholders filled from it), else ``text``
    marked as English (:func:`english`)."""
    if text is None or text == "" or lang == "en":
        return escape(text or "")
    parts = _data_parts(str(text), lang, prefix)
    if parts is None:
        return english(text, lang, "data", notes)
    return escape("; ".join(parts))


def ecosystem_key(name: str) -> str:
    """The message key of an EU industrial ecosystem's name: its English name in the data in
    lower case, every run of other characters than letters and digits one ``_``
    (``Aerospace & Defence`` -> ``ecosystem_aerospace_defence``)."""
    return ECOSYSTEM_PREFIX + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def ecosystem_text(name: str, lang: str) -> str | None:
    """The name of the ecosystem ``name`` (its English name in the data) in ``lang``;
    ``None`` when no catalog names it."""
    text = catalogs().texts.get(lang, {}).get(ecosystem_key(name))
    return text if isinstance(text, str) else None


def ecosystem(value: Any, lang: str, notes: list[str] | None = None) -> Markup:
    """One or more EU industrial ecosystems (English names from the data, joined by ``"; "``
    as in the screening's ``ecosystem`` column) in ``lang``, joined the same way; a name no
    catalog has stays as it is, marked as English (:func:`english`). Empty for ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return Markup("")
    parts = []
    for name in str(value).split(ECOSYSTEM_SEPARATOR):
        text = ecosystem_text(name, lang)
        parts.append(escape(text) if text is not None else english(name, lang, "data", notes))
    return Markup(ECOSYSTEM_SEPARATOR).join(parts)


def ecosystem_options(
    names: Iterable[str], lang: str, notes: list[str] | None = None
) -> list[tuple[str, str, bool]]:
    """The choices of an ecosystem selector: ``(name, text, english)`` per ecosystem, ``name``
    its English name in the data (the value a filter takes), ``text`` its name in ``lang``
    and ``english`` whether that text is English on a page in another language (no catalog
    names it: mark the option ``lang="en"``; the page's note is added to ``notes``); sorted
    by ``text``."""
    out = []
    for name in names:
        text = ecosystem_text(name, lang)
        if text is None and lang != "en":
            _note(notes, "data")
        out.append((name, text or name, text is None and lang != "en"))
    return sorted(out, key=lambda o: (o[1].casefold(), o[0]))


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


def datetimes(text: Any, lang: str) -> str:
    """Every ISO moment (``2026-12-04T14:57:48+00:00``) in ``text`` written in ``lang``."""
    if text is None:
        return ""
    return _ISO_MOMENT.sub(
        lambda m: format_datetime(m.group(0).replace("Z", "+00:00"), lang), str(text)
    )


# -- Jinja ----------------------------------------------------------------------------------


def context_language(ctx: Context) -> str:
    """The language of a render context (its ``lang``; English when it names none)."""
    lang = ctx.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@pass_context
def _t(ctx: Context, key: str) -> str:
    return gettext(context_language(ctx), key)


@pass_context
def _nt(ctx: Context, singular: str, plural: str, n: int) -> str:
    return ngettext(context_language(ctx), singular, plural, n)


@pass_context
def _number(ctx: Context, value: Any, digits: int = 0, significant: int | None = None) -> str:
    return format_number(value, context_language(ctx), digits, significant)


@pass_context
def _percent(ctx: Context, value: Any, digits: int = 0) -> str:
    return format_percent(value, context_language(ctx), digits)


@pass_context
def _date(ctx: Context, value: Any, format: str = "medium") -> str:
    return format_date(value, context_language(ctx), format)


@pass_context
def _datetime(ctx: Context, value: Any, format: str = "medium") -> str:
    return format_datetime(value, context_language(ctx), format)


@pass_context
def _country(ctx: Context, code: Any) -> str:
    return country(code, context_language(ctx))


def source_name(record: Any, lang: str) -> str:
    """A reader's name of a data source in ``lang`` (``CEPII BACI HS92, release V202401b``;
    ``European Commission, critical raw materials assessment 2023``): the message
    ``source_title_<source>`` filled from a :func:`ketenradar.results.facts.source_record`;
    the record's id (dataset and release) for a source without such a message."""
    if not isinstance(record, dict):
        return str(record)
    text = catalogs().texts.get(lang, {}).get(f"source_title_{record.get('source')}")
    if not isinstance(text, str):
        return str(record.get("id") or record.get("dataset") or "")
    try:
        return text.format(**record).replace(" ,", ",").strip()
    except (KeyError, IndexError, ValueError):
        return str(record.get("id") or "")


@pass_context
def _source_name(ctx: Context, record: Any) -> str:
    return source_name(record, context_language(ctx))


@pass_context
def _material(ctx: Context, material: Any, name: Any = None) -> str:
    # a material (id or name) in the page's language: the vocabulary's Dutch name on /nl/
    if material is None or material == "":
        return "" if name is None else str(name)
    return display_name(str(material), context_language(ctx), None if name is None else str(name))


@pass_context
def _yesno(ctx: Context, value: Any) -> Markup:
    return yesno(value, context_language(ctx))


@pass_context
def _english(ctx: Context, text: Any, kind: str = "data") -> Markup:
    return english(text, context_language(ctx), kind, ctx.get("english_notes"))


@pass_context
def _data_text(ctx: Context, text: Any, prefix: str) -> Markup:
    return data_text(text, context_language(ctx), prefix, ctx.get("english_notes"))


@pass_context
def _ecosystem(ctx: Context, value: Any) -> Markup:
    return ecosystem(value, context_language(ctx), ctx.get("english_notes"))


@pass_context
def _ecosystem_options(ctx: Context, names: Iterable[str]) -> list[tuple[str, str, bool]]:
    return ecosystem_options(names, context_language(ctx), ctx.get("english_notes"))


@pass_context
def _datetimes(ctx: Context, text: Any) -> str:
    return datetimes(text, context_language(ctx))


def label(code: Any, lang: str, prefix: str) -> Markup:
    """A code (an audit event, a method) as the text of message ``prefix + code`` in
    ``lang``; a code with no such message is shown as code (``<code>``), not guessed at."""
    if code is None or code == "":
        return Markup("")
    text = catalogs().texts.get(lang, {}).get(f"{prefix}{code}")
    if isinstance(text, str):
        return escape(text)
    for suffix in ("_saved", "_deleted"):  # saved work of any kind: '<kind>_saved'
        kind, _, rest = str(code).rpartition("_")
        general = catalogs().texts.get(lang, {}).get(f"{prefix}{rest}")
        if str(code).endswith(suffix) and kind and isinstance(general, str):
            return escape(general.format(kind=kind))
    return Markup("<code>{}</code>").format(code)


@pass_context
def _label(ctx: Context, code: Any, prefix: str) -> Markup:
    return label(code, context_language(ctx), prefix)


def install(env: Environment) -> None:
    """Give ``env`` the i18n extension with the merged catalogs, ``t`` (when the render
    context brings none) and the filters ``number``, ``percent``, ``date``, ``datetime``,
    ``datetimes``, ``country``, ``material``, ``source_name``, ``yesno``, ``english``,
    ``data_text``, ``ecosystem``, ``ecosystem_options``, ``label`` and ``code_spans``; all
    but ``code_spans`` read the language from the render context's ``lang`` (and the page's
    English notes from its ``english_notes``)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_t, _nt, newstyle=False)  # type: ignore[attr-defined]
    env.globals.setdefault("t", _t)
    env.filters.update(
        number=_number,
        percent=_percent,
        date=_date,
        datetime=_datetime,
        datetimes=_datetimes,
        country=_country,
        material=_material,
        source_name=_source_name,
        yesno=_yesno,
        english=_english,
        data_text=_data_text,
        ecosystem=_ecosystem,
        ecosystem_options=_ecosystem_options,
        label=_label,
        code_spans=code_spans,
    )
    catalogs()  # a broken catalog stops the start, not the first page
