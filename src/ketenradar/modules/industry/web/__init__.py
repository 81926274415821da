"""The industry module's web pages: the emissions dashboard and the speelveldtoets."""
