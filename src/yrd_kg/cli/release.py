"""``yrd-kg release``: versioned artefacts, a VoID/DCAT description and checksums from the built dataset."""

from __future__ import annotations

import json
from pathlib import Path

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("release", cls=PolicyCommand)
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the release into (created if needed).")
@click.option("--endpoint", default=None, metavar="URL", help="A SPARQL endpoint serving the dataset, named in void.ttl.")
@click.option("--base-url", default=None, metavar="URL",
              help="Where the files will be downloaded from (default https://w3id.org/yrd-kg/release/VERSION/).")
@click.option("--issued", default=None, metavar="YYYY-MM-DD", help="Issue date in the description (default today).")
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Build folder to read (default: ./build or $YRD_KG_BUILD).")
def release(output: Path, endpoint: str | None, base_url: str | None, issued: str | None, build_dir: Path | None) -> None:
    """Write the release: ontology (ttl, owl, jsonld), dataset (nq, trig, jsonld), shapes, SSSOM, context, void.ttl.

    SHA256SUMS lists every file (check with sha256sum -c SHA256SUMS).
    """
    from yrd_kg.release.artefacts import make_release

    res = make_release(output, endpoint=endpoint, base_url=base_url, issued=issued, build_dir=build_dir)
    click.echo(json.dumps({"version": res.version, "output": str(res.output), "files": len(res.files) + 1,
                           "graphs": len(res.graph_triples), "triples": res.triples}, ensure_ascii=False))
