"""The static site: the graph in a browser (``python -m yrd_kg.site --output DIR``).

Entry point: :func:`yrd_kg.site.build.build_site`. Modules, one job each: ``adapters`` (the only
imports from the rest of yrd_kg), ``model`` (what the pages need, read with SPARQL from the store),
``text`` (canonical offsets → raw text), ``render`` (HTML shell, links, writing), ``pages`` (entity
pages), ``paper`` (the paper as hypertext), ``ontodoc`` (ontology, shapes), ``catalogue`` (saved
queries), ``charts`` (Table 1/2 as SVG), ``explorer`` (the chain explorer's data), ``search`` (the
prebuilt index), ``build`` (orchestration and the atomic write).
"""
