"""``python -m ketenradar`` runs the command line."""

from ketenradar.cli import main

main()
