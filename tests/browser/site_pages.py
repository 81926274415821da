"""Every page of the site, found in the application itself (not a hand-kept list): the GET
routes under ``/{lang}/`` of every module's routers and of the shell's page routers, and every
navigation entry; path parameters are filled from the modules' ``examples``. A page a module
or the shell adds is covered by the layout and accessibility tests without editing them."""

from __future__ import annotations

import re
from types import ModuleType

from fastapi.routing import APIRoute

from ketenradar.core import modules as registry
from ketenradar.interfaces.web import pages as web_pages


def _routers() -> list[object]:
    from ketenradar.interfaces.web import app as web_app

    found = [m.load(ref) for m in registry.modules() for ref in m.routers]
    # the shell's page routers: the `page_router` of every web/ module the app imports
    shell = [getattr(web_app, n) for n in dir(web_app)]
    found += [
        m.page_router for m in shell if isinstance(m, ModuleType) and hasattr(m, "page_router")
    ]
    return found


def site_pages(lang: str) -> list[str]:
    """The path of every page in ``lang`` (``/nl/``, ``/nl/products/271111``, …)."""
    examples: dict[str, str] = {}
    for m in registry.modules():
        examples.update(m.examples)

    def fill(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        if name == "lang":
            return lang
        assert name in examples, f"a page route needs an example for '{name}' (Module.examples)"
        return examples[name]

    out: list[str] = []
    for router in _routers():
        for route in getattr(router, "routes", []):
            page = isinstance(route, APIRoute) and "GET" in route.methods
            if page and route.path.startswith("/{lang}"):
                out.append(re.sub(r"\{([^}]+)\}", fill, route.path))
    out += [f"/{lang}/{e.path}" for e in web_pages.nav_entries()]
    return list(dict.fromkeys(out))
