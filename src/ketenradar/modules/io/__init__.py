"""Input-output analysis: inter-country tables, exposure, shocks and value-added balance."""

from ketenradar.core.modules import Module, NavEntry
from ketenradar.modules.io.facts import FACTS, RESULTS

MODULE = Module(
    name="io",
    title="module_io",
    package="ketenradar.modules.io",
    rank=30,
    cli="ketenradar.modules.io.cli:register",
    quickstart="ketenradar.modules.io.cli:quickstart",
    search="ketenradar.modules.io.web.search:entries",
    routers=(
        "ketenradar.modules.io.web.downloads:router",  # before the routes it mirrors
        "ketenradar.modules.io.web.routes:api_router",
        "ketenradar.modules.io.web.routes:page_router",
    ),
    nav=(NavEntry("io", "io"),),
    examples={"fmt": "csv"},
    templates="web/templates",
    static="web/static",
    messages="messages",
    facts=FACTS,
    results=RESULTS,
    derive="ketenradar.modules.io.facts:derive",
    docs=("methods/input-output.md", "web/io.md"),
)
