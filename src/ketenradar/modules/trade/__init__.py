"""Trade dependencies: the EU 2021 and GeoDep screening of imports (BACI), supplier shares,
the mutual-dependency balance between economies and the strategic ecosystems."""

from ketenradar.core.modules import Module, NavEntry
from ketenradar.modules.trade.comparison import COMPARISON
from ketenradar.modules.trade.facts import FACTS

MODULE = Module(
    name="trade",
    title="module_trade",
    package="ketenradar.modules.trade",
    rank=10,
    cli="ketenradar.modules.trade.cli:register",
    quickstart="ketenradar.modules.trade.cli:quickstart",
    search="ketenradar.modules.trade.web.search:entries",
    routers=(
        "ketenradar.modules.trade.web.downloads:router",  # before the routes it mirrors
        "ketenradar.modules.trade.web.api:router",
        "ketenradar.modules.trade.web.routes:api_router",
        "ketenradar.modules.trade.web.pages:router",
        "ketenradar.modules.trade.web.routes:page_router",
        "ketenradar.modules.trade.web.treemap:api_router",
        "ketenradar.modules.trade.web.treemap:page_router",
        "ketenradar.modules.trade.web.compare:api_router",
        "ketenradar.modules.trade.web.compare:page_router",
    ),
    nav=(
        NavEntry("", "overview"),
        NavEntry("dependencies", "dependencies"),
        NavEntry("countries", "countries"),
        NavEntry("treemap", "treemap"),
        NavEntry("compare", "compare"),
    ),
    examples={"fmt": "csv", "iso3": "CHN", "hs6": "271111"},
    templates="web/templates",
    static="web/static",
    messages="messages",
    facts=(*FACTS, COMPARISON),
    derive="ketenradar.modules.trade.facts:derive",
    docs=(
        "methods/dependencies.md",
        "methods/dependencies-results.md",
        "methods/ecosystems.md",
        "web/country.md",
    ),
)
