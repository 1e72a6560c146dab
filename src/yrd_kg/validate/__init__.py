"""Validation: SHACL shapes, violation queries and evidence anchoring, one typed report."""
