"""Critical raw materials: vocabulary, criticality (EU method), GeoPolRisk, concentration, the
CRMA benchmarks, what-if scenarios and bills of materials."""

from ketenradar.core.modules import Module, NavEntry, SavedKind
from ketenradar.modules.materials.facts import FACTS

MODULE = Module(
    name="materials",
    title="module_materials",
    package="ketenradar.modules.materials",
    rank=20,
    cli="ketenradar.modules.materials.cli:register",
    quickstart="ketenradar.modules.materials.cli:quickstart",
    search="ketenradar.modules.materials.web.search:entries",
    routers=(
        "ketenradar.modules.materials.web.downloads:router",  # before the routes it mirrors
        "ketenradar.modules.materials.web.routes:api_router",
        "ketenradar.modules.materials.web.routes:page_router",
    ),
    nav=(NavEntry("materials", "materials"), NavEntry("bom", "bom")),
    examples={"fmt": "csv", "material": "cobalt", "name": "mri_scanner"},
    templates="web/templates",
    static="web/static",
    messages="messages",
    facts=FACTS,
    derive="ketenradar.modules.materials.facts:derive",
    saved_kinds=(
        SavedKind("scenario", "a what-if scenario of the EU criticality method"),
        SavedKind("bom", "a bill of materials"),
    ),
    docs=(
        "methods/materials.md",
        "methods/criticality.md",
        "methods/concentration.md",
        "methods/geopolrisk.md",
        "methods/bom.md",
        "web/materials.md",
    ),
)
