"""The HTML pages of the monitor (Dutch and English) and the helper every page renders with.

Each area of the application (overview and trade, country, materials, input-output, data,
accounts) has its pages on a :class:`fastapi.APIRouter`; they all render through
:func:`render`, which adds the language, the translator, the link to the other language, the
signed-in user and the CSRF token every form carries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketenradar.core import modules as registry
from ketenradar.core.modules import NavEntry
from ketenradar.interfaces.web import i18n
from ketenradar.interfaces.web.i18n import LANGUAGES, translator
from ketenradar.results.facts import source_record

HERE = Path(__file__).parent


def template_folders() -> list[Path]:
    """Where pages' templates are found: the shell's, then every module's."""
    folders = [HERE / "templates"]
    for module in registry.modules():
        folder = module.folder(module.templates)
        if folder is not None:
            folders.append(folder)
    return folders


def nav_entries() -> list[NavEntry]:
    """The site's navigation: every module's entries, then the data page."""
    return [e for m in registry.modules() for e in m.nav] + [NavEntry("data", "data")]


templates = Jinja2Templates(directory=template_folders())
# messages (t, _, gettext) and the number and date filters, in the language of each render
i18n.install(templates.env)


#: Page contents kept by :func:`fragment`: (template, language, key) → (HTML, English notes).
_FRAGMENTS: OrderedDict[tuple[str, str, Hashable], tuple[str, tuple[str, ...]]] = OrderedDict()
_FRAGMENTS_LOCK = threading.Lock()
#: How many rendered contents :func:`fragment` keeps (the least recently used go first).
FRAGMENTS_MAX = 256


def fragment(
    lang: str,
    template: str,
    key: Hashable | None,
    ctx: dict[str, Any] | Callable[[], dict[str, Any]],
) -> tuple[Markup, list[str]]:
    """A page's main content, rendered from ``template`` (which extends nothing) in ``lang``.

    ``ctx`` is the template's context, or a function that returns it, called only when the
    content is not kept (so a page need not gather what it would not draw). Returns the HTML
    and the kinds of English text it shows (for the footer's note). With a ``key``
    (everything the content depends on besides the language: dataset versions, the query)
    the HTML is kept and served again for the same key (the :data:`FRAGMENTS_MAX` most
    recent); with ``None`` it is rendered every time (a page with errors, say). The content
    must not depend on the user: the shell (:func:`render`) carries the user, the CSRF
    token and the language switch."""
    k = (template, lang, key)
    if key is not None:
        with _FRAGMENTS_LOCK:
            hit = _FRAGMENTS.get(k)
            if hit is not None:
                _FRAGMENTS.move_to_end(k)
        if hit is not None:
            return Markup(hit[0]), list(hit[1])
    notes: list[str] = []
    values = dict(ctx() if callable(ctx) else ctx)
    values.update(lang=lang, t=translator(lang), english_notes=notes)
    html = templates.env.get_template(template).render(values)
    if key is not None:
        with _FRAGMENTS_LOCK:
            _FRAGMENTS[k] = (html, tuple(notes))
            while len(_FRAGMENTS) > FRAGMENTS_MAX:
                _FRAGMENTS.popitem(last=False)
    return Markup(html), notes


def check_lang(lang: str) -> str:
    """The language of a page URL, or 404 when it is not one the interface speaks."""
    if lang not in LANGUAGES:
        raise StarletteHTTPException(404, f"no language '{lang}' (nl or en)")
    return lang


def lang_of(request: Request) -> str:
    """The language a request's path asks for (English when it names none)."""
    first = request.url.path.strip("/").split("/")[0]
    return first if first in LANGUAGES else "en"


def render(
    request: Request,
    lang: str,
    template: str,
    title_key: str,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """Render ``template`` with the context every page shares plus ``extra``."""
    t = translator(lang)
    other = "en" if lang == "nl" else "nl"
    path = request.url.path
    rest = path[len(lang) + 1 :] if path.startswith(f"/{lang}") else "/"
    other_url = f"/{other}{rest or '/'}" + (f"?{request.url.query}" if request.url.query else "")
    ctx = {
        "lang": lang,
        "t": t,
        "page_title": t(title_key),
        "other_lang_url": other_url,
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "nav": nav_entries(),
        # why the page shows English text (filled by the ``english`` filters while rendering;
        # the footer, rendered last, shows one note per kind)
        "english_notes": [],
        **extra,
    }
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


def store_footer(
    datasets: list[dict[str, Any]],
    *,
    what: str = "",
    methods: Sequence[str] = (),
    built_at: str | None = None,
    tool: str | None = None,
) -> dict[str, Any]:
    """The page footer (the keys of :meth:`ketenradar.results.facts.Facts.footer`) for a
    result computed from the user's store: each dataset (provenance records) with what was
    computed from it and how, named as fact tables' attribution names them."""
    from ketenradar import __version__

    return {
        "tables": {
            f"{d['dataset']} ({d.get('version') or d['release']})": "; ".join(
                filter(None, [what, d.get("citation", ""), *methods])
            )
            for d in datasets
        },
        "sources": [f"{d['dataset']} ({d['release']})" for d in datasets],
        # each source as a reader names it (publisher, title, release; base.html)
        "source_names": [source_record(d) for d in datasets],
        "licences": sorted({str(d.get("licence") or "") for d in datasets}),
        "built_at": built_at or max((d.get("ingested_at", "") for d in datasets), default=""),
        "tool": tool or f"ketenradar {__version__}",
    }
