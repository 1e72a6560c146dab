"""``yrd-kg push``: the built graph in a real triple store (``yrd-kg serve`` is :mod:`yrd_kg.cli.serve`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("push", cls=PolicyCommand)
@click.option("--endpoint", required=True, help="The store's SPARQL query endpoint (e.g. http://127.0.0.1:7878/query).")
@click.option("--graph", default=None, help="Load everything into this one graph (default: each named graph to itself).")
@click.option("--chunk", type=int, default=20000, show_default=True, help="Triples per request.")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="Graph Store Protocol (PUT then POST) or SPARQL Update (DROP + INSERT DATA).")
@click.option("--gsp-url", default=None, help="Graph Store endpoint (default: …/query → …/store).")
@click.option("--update-url", default=None, help="Update endpoint (default: …/query → …/update).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Socket timeout in seconds.")
@click.option("--nq", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="N-Quads file to push (default: build/yrd-kg.nq, built when needed).")
def push(endpoint: str, graph: str | None, chunk: int, protocol: str, gsp_url: str | None, update_url: str | None,
         timeout: float, nq: Path | None) -> None:
    """Load the built graph into a triple store and verify the triple count of every graph."""
    from yrd_kg.linking.push import push as do_push
    from yrd_kg.sparql.remote import RemoteEngine

    engine = RemoteEngine(endpoint, timeout=timeout, deadline=timeout * 10)
    result = do_push(endpoint, nq=nq, graph=graph, chunk=chunk, protocol=protocol, gsp_url=gsp_url,
                     update_url=update_url, engine=engine)
    click.echo(json.dumps({"protocol": result.protocol, "chunks": result.chunks, "triples": result.triples,
                           "graphs": len(result.graphs), "verified": True}, ensure_ascii=False))

