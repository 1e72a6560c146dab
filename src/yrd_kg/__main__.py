"""``python -m yrd_kg``."""

from .cli import main

main()
