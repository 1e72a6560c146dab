"""Answers an analyst asks by name: what a thing is (:mod:`.describe`) and where the paper talks about it (:mod:`.mentions`).

Both read the built dataset through SPARQL (:mod:`yrd_kg.sparql`) and resolve names with the one
resolver (:mod:`yrd_kg.sparql.resolve`); :mod:`.render` writes them as text, Markdown or JSON.
"""
