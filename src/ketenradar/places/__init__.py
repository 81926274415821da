"""Dutch places shared by the modules (reference geography, not a module): municipality →
COROP region → province and the place (woonplaats) table, from the CBS map data in the shared
data folder (:mod:`ketenradar.places.regions`). Imports only the kernel; an analysis may use
its types and name folding (the lookups are built outside the analysis and passed in)."""
