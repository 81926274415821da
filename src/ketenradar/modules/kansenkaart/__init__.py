"""The nuclear opportunity map (kansenkaart, issue 17): the demand of a reactor programme per
work package and year from real cost accounts (EEDB/ACCERT, TIMCAT).

Programme scenarios (``analysis/scenario.py``), the demand model (``analysis/demand.py``), the
source tables (``references.py``), its Python API (``api.py``) and command (``cli.py``:
``ketenradar kansenkaart demand``). The method and its sources: ``docs/methods/kansenkaart.md``.

Also: work-package names in English and Dutch (``names.py``), the requirements per work
package and the certificates table (``analysis/requirements.py``, ``data/requirements.yaml``,
``data/certificates.yaml``: ``ketenradar kansenkaart requirements``) and the SMR energy fit
(``analysis/smr.py``, ``data/smr_designs.yaml``: ``ketenradar kansenkaart smr-fit``), read by
``tables.py``.

The supplier registry (``suppliers.py``, places from ``ketenradar.places``; tables in the
accounts database, migration 0005): profiles, memberships and access rules, import and
export, a fictional demo set; ``ketenradar kansenkaart suppliers …`` and the JSON API
``/api/v1/kansenkaart/…`` (``web/routes.py``).

The web pages (``web/``): demand and requirements (``pages.py``), the map, bottlenecks and
matchmaking lists (``matching_page.py``), the registry and a company's page
(``registry_pages.py``); the guide is ``docs/web/kansenkaart.md``.
"""

from ketenradar.core.modules import Module, NavEntry
from ketenradar.modules.kansenkaart.facts import RESULTS

MODULE = Module(
    name="kansenkaart",
    title="module_kansenkaart",
    package="ketenradar.modules.kansenkaart",
    rank=50,
    cli="ketenradar.modules.kansenkaart.cli:register",
    routers=(
        "ketenradar.modules.kansenkaart.web.routes:api_router",
        "ketenradar.modules.kansenkaart.web.pages:api_router",
        "ketenradar.modules.kansenkaart.web.pages:page_router",
        "ketenradar.modules.kansenkaart.web.matching_page:api_router",
        "ketenradar.modules.kansenkaart.web.matching_page:page_router",
        "ketenradar.modules.kansenkaart.web.registry_pages:page_router",
    ),
    nav=(NavEntry("kansenkaart", "kansenkaart_web_nav"),),
    templates="web/templates",
    static="web/static",
    examples={"fmt": "csv", "org_id": "1"},
    messages="messages",
    results=RESULTS,
    docs=("methods/kansenkaart.md", "web/kansenkaart.md"),
)
