"""``python -m yrd_kg``."""

from yrd_kg.cli.main import main

main()
