"""Energy-intensive industry (issue 18): EU ETS installations and their verified emissions,
later the industrial clusters, targets, the electricity-cost comparison (speelveldtoets),
instruments and the industrial-policy KPIs.

So far: the EUTL connector (``ketenradar/sources/ets_eutl.py``, kind ``ets_emissions``), the
installations → clusters assignment (``analysis/clusters.py``, the cluster file
``data/clusters.yaml`` read by ``cluster_map.py``), the emissions against targets
(``analysis/targets.py``, the targets file ``data/targets.yaml`` read by
``targets_file.py``), the Python API (``api.py``: :func:`~.api.emissions`,
:func:`~.api.clusters`, :func:`~.api.targets`), the commands ``ketenradar industry
emissions|clusters|targets`` (``cli.py``) and the result columns (``facts.py``). The method and its
sources: ``docs/methods/industry.md``.
"""

from ketenradar.core.modules import Module, NavEntry
from ketenradar.modules.industry.facts import RESULTS

MODULE = Module(
    name="industry",
    title="module_industry",
    package="ketenradar.modules.industry",
    rank=60,
    cli="ketenradar.modules.industry.cli:register",
    routers=(
        "ketenradar.modules.industry.web.pages:api_router",
        "ketenradar.modules.industry.web.pages:page_router",
    ),
    nav=(NavEntry("industry", "industry_web_nav"),),
    templates="web/templates",
    static="web/static",
    examples={"fmt": "csv", "installation_id": "NL_144", "company_reg_no": "34040331"},
    messages="messages",
    results=RESULTS,
    docs=("methods/industry.md", "web/industry.md"),
)
