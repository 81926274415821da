"""The strategic stockpile planner (issue 16): which raw materials, semi-finished products
and components to stock, how much, in which form, and at what cost.

The candidates and their data (``candidates.py``, ``prices.py``), the method core
(``analysis/``), the plan (``plan.py``), its Python API (``api.py``) and command
(``cli.py``: ``ketenradar stockpile plan``). The method and its sources:
``docs/methods/stockpile.md``.
"""

from ketenradar.core.modules import Module, NavEntry, SavedKind
from ketenradar.modules.stockpile.commands_facts import COMMAND_RESULTS
from ketenradar.modules.stockpile.facts import RESULTS

MODULE = Module(
    name="stockpile",
    title="module_stockpile",
    package="ketenradar.modules.stockpile",
    requires=("materials",),
    rank=40,
    cli="ketenradar.modules.stockpile.cli:register",
    routers=(
        "ketenradar.modules.stockpile.web.downloads:router",  # before the routes it mirrors
        "ketenradar.modules.stockpile.web.routes:api_router",
        "ketenradar.modules.stockpile.web.routes:page_router",
    ),
    nav=(NavEntry("stockpile", "stockpile_web_nav"),),
    templates="web/templates",
    static="web/static",
    saved_kinds=(
        SavedKind("stockpile_scenario", "a disruption scenario of the stockpile planner"),
    ),
    messages="messages",
    results=(*RESULTS, *COMMAND_RESULTS),
    docs=("methods/stockpile.md", "web/stockpile.md"),
)
