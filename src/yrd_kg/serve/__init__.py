"""The SPARQL endpoint and the site over HTTP."""
