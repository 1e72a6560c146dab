"""The ``yrd-kg`` command line: one module per command group over the library, one error policy."""
