"""SPARQL: the saved-query catalogue, parameter binding, the read-only guard, result tables and engines."""
