"""Input-output analysis: inter-country tables, exposure, shocks and value-added balance."""
