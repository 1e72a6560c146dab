"""CLI commands, one module per capability (imported lazily by yrd_kg.cli)."""
