"""``python -m ketenradar`` runs the command line."""

from ketenradar.interfaces.cli.app import main

main()
