"""One search box for the whole site: products, materials, countries, industries.

Every module contributes its searchable entries through its declaration
(``Module.search = "package.module:entries"``, a function ``entries(facts)`` returning
:class:`SearchEntry` objects); nothing here knows the modules. The entries of every module
are gathered once per build of the fact tables and ranked per query by :func:`search`:

* 100 the query is an entry's code (``280530``, ``CHN``, ``C26``), case-insensitively;
* 95 the query is one of its names (``lithium``, ``China``, ``Duitsland``);
* 80 an entry's code starts with the query (``2805`` finds every ``2805xx``);
* 70 a name starts with the query; 60 every word of the query starts a word of a name;
  40 a name contains the query.

``GET /api/v1/search?q=`` returns the ranked hits ``{kind, label, url, code, score}``;
``/{lang}/search?q=`` shows them, and goes straight to the page when exactly one entry matches
exactly (score 95 or more).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ketenradar.core import modules as registry
from ketenradar.interfaces.web.api import FactsDep
from ketenradar.interfaces.web.i18n import LANGUAGES
from ketenradar.interfaces.web.pages import check_lang, render
from ketenradar.results.facts import Facts

api_router = APIRouter(prefix="/api/v1", tags=["search"])
page_router = APIRouter(include_in_schema=False)

#: Scores of the kinds of match (see the module's docstring).
EXACT_CODE, EXACT_NAME, CODE_PREFIX, NAME_PREFIX, WORD_PREFIX, CONTAINS = 100, 95, 80, 70, 60, 40
#: Order of the kinds among hits of equal score.
KIND_ORDER = ("material", "country", "industry", "product")


@dataclass(frozen=True)
class SearchEntry:
    """One page the site search can land on.

    ``path`` follows ``/{lang}/`` (``products/280530``); ``labels`` holds the label per
    language where it differs from ``label`` (English); ``codes`` are matched exactly and by
    prefix, ``names`` (every language's) exactly, by prefix, by word and by substring.
    """

    kind: str
    code: str
    label: str
    path: str
    names: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    codes: tuple[str, ...] = ()

    def label_in(self, lang: str) -> str:
        """The label shown on pages in ``lang``."""
        return self.labels.get(lang) or self.label


def fold(text: str) -> str:
    """``text`` lower-cased without accents and with single spaces (``Curaçao`` → ``curacao``)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(text.replace(",", " ").replace("(", " ").replace(")", " ").split())


@dataclass(frozen=True)
class _Prepared:
    entry: SearchEntry
    codes: tuple[str, ...]
    names: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]


def _prepare(entry: SearchEntry) -> _Prepared:
    codes = tuple(dict.fromkeys(fold(c) for c in (entry.code, *entry.codes) if c))
    names = tuple(
        dict.fromkeys(fold(n) for n in (entry.label, *entry.labels.values(), *entry.names) if n)
    )
    return _Prepared(entry, codes, names, tuple(tuple(n.split()) for n in names))


def entries(facts: Facts) -> list[_Prepared]:
    """Every module's search entries (prepared for matching), once per build of the facts."""

    def gather() -> list[_Prepared]:
        out: list[_Prepared] = []
        for module in registry.modules():
            if module.search:
                out += [_prepare(e) for e in module.load(module.search)(facts)]
        return out

    return facts.cached(("site-search",), gather)


def score(p: _Prepared, q: str) -> int:
    """How well the folded query ``q`` matches an entry (0: not at all)."""
    if q in p.codes:
        return EXACT_CODE
    if q in p.names:
        return EXACT_NAME
    if len(q) >= 2 and any(c.startswith(q) for c in p.codes):
        return CODE_PREFIX
    if any(n.startswith(q) for n in p.names):
        return NAME_PREFIX
    parts = q.split()
    if any(all(any(w.startswith(x) for w in words) for x in parts) for words in p.words):
        return WORD_PREFIX
    if len(q) >= 3 and any(q in n for n in p.names):
        return CONTAINS
    return 0


def search(facts: Facts, q: str, lang: str = "en", limit: int = 20) -> dict[str, Any]:
    """The entries matching ``q``, best first: ``{query, total, hits, exact}``; ``exact`` is the
    one hit to go to when exactly one entry matches exactly (else ``None``)."""
    needle = fold(q)
    if not needle:
        return {"query": q, "total": 0, "hits": [], "exact": None}
    scored = [(s, p.entry) for p in entries(facts) if (s := score(p, needle))]
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    scored.sort(key=lambda se: (-se[0], order.get(se[1].kind, 99), se[1].label_in(lang)))
    hits = [
        {
            "kind": e.kind,
            "code": e.code,
            "label": e.label_in(lang),
            "url": f"/{lang}/{e.path}",
            "score": s,
        }
        for s, e in scored[:limit]
    ]
    exact = [h for h in hits if h["score"] >= EXACT_NAME]
    return {
        "query": q,
        "total": len(scored),
        "hits": hits,
        "exact": exact[0] if len(exact) == 1 else None,
    }


Q = Annotated[
    str,
    Query(
        description="what to look for: a product (HS code or words), material, country "
        "(name or ISO3) or industry (ICIO code or name)",
        max_length=100,
    ),
]
Lang = Annotated[str, Query(description="language of the labels and links: nl or en")]
Limit = Annotated[int, Query(ge=1, le=100, description="at most this many hits")]


@api_router.get("/search")
def search_api(facts: FactsDep, q: Q = "", lang: Lang = "en", limit: Limit = 20) -> dict[str, Any]:
    """The site search: ranked hits ``{kind, code, label, url, score}`` for products, materials,
    countries and industries; ``exact`` names the one exact hit, if there is exactly one."""
    if lang not in LANGUAGES:
        lang = "en"
    return search(facts, q, lang, limit)


@page_router.get("/{lang}/search", response_class=HTMLResponse)
def search_page(request: Request, lang: str, q: Q = "") -> Response:
    """The search results; a single exact hit goes straight to its page."""
    lang = check_lang(lang)
    found = search(request.app.state.facts, q, lang, 50)
    if found["exact"] is not None:
        return RedirectResponse(found["exact"]["url"], status_code=303)
    return render(request, lang, "search.html", "site_search", s=found, q=q)
