"""The web application: JSON API and pages over the monitor's analyses (``ketenradar serve``)."""
