"""`python -m reportrunner` runs the CLI."""

from reportrunner.cli import main

main()
