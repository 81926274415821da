"""The industry module's connectors (registered in ``pyproject.toml`` under
``ketenradar.connectors``): ``ets_eutl`` (:mod:`.ets_eutl`)."""
