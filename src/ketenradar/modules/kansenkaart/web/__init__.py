"""The kansenkaart's web routes: the supplier registry's JSON API."""
