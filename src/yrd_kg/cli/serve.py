"""``yrd-kg serve``: the site and a read-only SPARQL 1.1 endpoint over HTTP (see docs/SERVE.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from yrd_kg.cli.errors import PolicyCommand


@click.command("serve", cls=PolicyCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless --allow-public).")
@click.option("--port", type=click.IntRange(0, 65535), default=7879, show_default=True, help="TCP port (0: any free one).")
@click.option("--allow-public", is_flag=True, help="Allow binding a non-loopback address.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Also answer to this Host name (e.g. a reverse proxy's); repeatable.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let pages from ORIGIN (or * for any) read answers in a browser; repeatable. Default: none.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Wall-clock limit of one query (s); its worker is killed past it.")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True, help="Row cap of one answer.")
@click.option("--memory-mb", type=click.IntRange(min=64), default=2048, show_default=True, help="Memory cap of one query worker.")
@click.option("--max-concurrent", type=click.IntRange(min=1), default=4, show_default=True,
              help="Queries evaluated at once; one more gets 503 with Retry-After.")
@click.option("--read-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="A request must arrive whole within this many seconds (else 408).")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Serve this prebuilt site (yrd-kg site --endpoint /sparql) instead of building one at start.")
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The paper's text for the site's hypertext page.")
@click.option("--quiet", "-q", is_flag=True, help="No line per request on standard error.")
def serve(host: str, port: int, allow_public: bool, allowed_hosts: tuple[str, ...], cors_origins: tuple[str, ...],
          timeout: float, max_rows: int, memory_mb: int, max_concurrent: int, read_timeout: float, site_dir: Path | None,
          source: Path | None, quiet: bool) -> None:
    """Serve the site at / and a read-only SPARQL 1.1 endpoint at /sparql (and /query), the saved queries at /api/."""
    from yrd_kg.serve.config import ServeConfig
    from yrd_kg.serve.lifecycle import serve as do_serve

    config = ServeConfig(host=host, port=port, allow_public=allow_public, allowed_hosts=allowed_hosts,
                         cors_origins=cors_origins, timeout=timeout, max_rows=max_rows, memory_mb=memory_mb,
                         max_concurrent=max_concurrent, read_timeout=read_timeout, site=site_dir, source=source,
                         log=not quiet)

    def ready(run: Any) -> None:
        site = f"site {run.site}" if site_dir else f"site built in {run.site_seconds:.1f} s"
        click.echo(f"serving {run.url} (site /, SPARQL {run.url}sparql, API {run.url}api/); {site}; "
                   f"ready in {run.start_seconds:.1f} s; Ctrl-C stops", err=True)

    stopped = do_serve(config, ready=ready)
    click.echo(f"stopped ({stopped}); no query worker left, temporary files removed", err=True)
