"""Content negotiation: the client's ``Accept`` (or a ``format``/``output`` parameter) against what we can write.

Results of SELECT and ASK come as SPARQL 1.1 JSON, XML, CSV or TSV; graphs (CONSTRUCT, DESCRIBE, an
entity's description, the service description) as Turtle, N-Triples, JSON-LD or RDF/XML. A wildcard
takes the first offer (JSON for results, Turtle for graphs); an explicit type wins over a wildcard at
the same quality.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULTS).key
'xml'
>>> negotiate("*/*", GRAPHS).key
'ttl'
>>> negotiate("image/png", GRAPHS) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Offer:
    """A format we write: its key (the ``format`` parameter), its media type and the other names it answers to."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header (UTF-8 for text formats)."""
        return f"{self.media_type}; charset=utf-8"

    def names(self) -> tuple[str, ...]:
        """Every media type this offer answers to."""
        return (self.media_type, *self.aliases)


RESULTS: tuple[Offer, ...] = (
    Offer("json", "application/sparql-results+json", ("application/json", "text/json")),
    Offer("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    Offer("csv", "text/csv"),
    Offer("tsv", "text/tab-separated-values", ("text/tsv",)),
)
GRAPHS: tuple[Offer, ...] = (
    Offer("ttl", "text/turtle", ("application/x-turtle", "application/turtle")),
    Offer("nt", "application/n-triples", ("text/plain",)),
    Offer("jsonld", "application/ld+json", ("application/json",)),
    Offer("rdfxml", "application/rdf+xml", ("application/xml", "text/xml")),
)
HTML = Offer("html", "text/html", ("application/xhtml+xml",))
#: ``format=`` / ``output=`` values beside the keys and media types (SPARQLWrapper sends ``format=json&output=json``)
FORMAT_ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "rdf+xml": "rdfxml",
                  "rdf/xml": "rdfxml", "rdf": "rdfxml", "n3": "ttl", "sparql-results+json": "json",
                  "sparql-results+xml": "xml"}
#: the same names meaning a graph format when the answer is a graph
GRAPH_ALIASES = {"xml": "rdfxml", "json": "jsonld"}


def parse_accept(value: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, quality) pairs, malformed parts skipped; an empty header means ``*/*``."""
    out: list[tuple[str, float]] = []
    for part in value.split(","):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((media, q))
    return out or [("*/*", 1.0)]


def _quality(ranges: Sequence[tuple[str, float]], offer: Offer) -> tuple[float, int]:
    """(quality, specificity) of the most specific range that matches ``offer`` (3 exact, 2 type/*, 1 */*)."""
    best = (0.0, 0)
    for media, q in ranges:
        for name in offer.names():
            major = name.split("/")[0]
            spec = 3 if media == name else 2 if media == f"{major}/*" else 1 if media == "*/*" else 0
            if spec > best[1]:
                best = (q, spec)
    return best


def negotiate(accept: str, offers: Sequence[Offer]) -> Offer | None:
    """The offer the client prefers (highest quality, then an explicit type over a wildcard, then our order)."""
    ranges = parse_accept(accept)
    scored = [(_quality(ranges, o), -i, o) for i, o in enumerate(offers)]
    ok = [(q, spec, i, o) for (q, spec), i, o in scored if q > 0 and spec > 0]
    if not ok:
        return None
    return max(ok, key=lambda t: (t[0], t[1] == 3, t[2]))[3]


def by_format(value: str, offers: Sequence[Offer]) -> Offer | None:
    """The offer a ``format``/``output`` parameter names (a key, an alias or a media type; the first of several).

    >>> by_format("xml", GRAPHS).key, by_format("xml", RESULTS).key, by_format("tsv,text/tab-separated-values", RESULTS).key
    ('rdfxml', 'xml', 'tsv')
    """
    graphs = offers is GRAPHS
    for part in value.split(","):
        v = part.strip().lower()
        v = GRAPH_ALIASES.get(v, v) if graphs else v
        v = FORMAT_ALIASES.get(v, v)
        for o in offers:
            if v == o.key or v in o.names():
                return o
    return None


def choose(accept: str, fmt: str, offers: Sequence[Offer]) -> Offer | None:
    """``format`` when given (it wins over ``Accept``), else content negotiation."""
    return by_format(fmt, offers) if fmt else negotiate(accept, offers)


def wants_html(accept: str, others: Sequence[Offer]) -> bool:
    """Whether a browser asks: ``text/html`` named explicitly and preferred to every one of ``others``."""
    offers = (HTML, *others)
    best = negotiate(accept, offers)
    return best is HTML and _quality(parse_accept(accept), HTML)[1] == 3


def not_acceptable(offers: Sequence[Offer]) -> str:
    """The 406 message listing what is available."""
    return "not acceptable: available as " + ", ".join(o.media_type for o in offers) + " (or ?format=" + \
        "|".join(o.key for o in offers) + ")"
