"""The ``yrd-kg`` command line: a thin, lazily loaded click group over the library.

Each command lives in ``yrd_kg.cli.<module>`` and is imported only when it is run or its
help is shown, so ``yrd-kg --help`` stays light (no pyshacl, no owlready2). Every exception a command
lets out goes through one policy (:class:`yrd_kg.cli.errors.PolicyCommand`) to its exit code.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from yrd_kg.namespaces import VERSION

#: command name -> (module under yrd_kg.cli, one-line help shown by ``yrd-kg --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("build", "Load ontology/ and data/ into one dataset and write build/ artefacts."),
    "export": ("export", "Export the built graph (ttl, nt, nq, trig, jsonld, xml)."),
    "stats": ("stats", "Counts per class and per property."),
    "demo": ("demo", "Build, validate and answer a few saved questions with their evidence."),
    "verify-evidence": ("verify", "Re-anchor every evidence quote in the source text."),
    "validate": ("validate", "SHACL shapes, violation queries and evidence checks."),
    "reason": ("reason", "OWL reasoning with HermiT (owlready2): consistency and inferences."),
    "queries": ("query", "List the saved queries."),
    "query": ("query", "Run a saved query by name."),
    "sparql": ("query", "Run an ad hoc read-only SPARQL query."),
    "describe": ("describe", "Everything the graph says about one thing: labels, quotes, links, figures, identifiers."),
    "mentions": ("describe", "Where the paper talks about a term: every passage, grouped by section."),
    "trace": ("trace", "Trace the causal neighbourhood of a problem and its remedies (or --reverse)."),
    "explain": ("trace", "Shortest chains between two nodes, with the evidence at each hop."),
    "diagrams": ("trace", "Write one chain picture per problem."),
    "link": ("link", "Load another ontology and propose mappings (SSSOM)."),
    "mappings": ("link", "Export the shipped crosswalks as an SSSOM mapping set."),
    "push": ("remote", "Load the built graph into a triple store (Graph Store Protocol)."),
    "serve": ("serve", "Serve the site and a read-only SPARQL 1.1 endpoint (with the saved queries as a web API)."),
    "site": ("site", "Build the static bilingual site (entity pages, the paper as hypertext, chain explorer)."),
    "release": ("release", "Write a versioned release: artefacts, VoID/DCAT description, checksums."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, in the order of :data:`COMMANDS`."""
        return [n for n, (mod, _) in COMMANDS.items() if _available(mod)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command ``cmd_name``."""
        if cmd_name not in COMMANDS:
            return None
        module, _ = COMMANDS[cmd_name]
        if not _available(module):
            return None
        mod = importlib.import_module(f"yrd_kg.cli.{module}")
        cmd: click.Command = getattr(mod, cmd_name.replace("-", "_"))
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands with their short help without importing them."""
        rows = [(n, COMMANDS[n][1]) for n in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"yrd_kg.cli.{module}") is not None


def _quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        from yrd_kg.progress import set_quiet

        set_quiet(True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="yrd-kg")
@click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_quiet, is_eager=True,
              help="No progress bars (they are also off when standard error is not a terminal).")
def main(**_: Any) -> None:
    """yrd-kg: the knowledge graph of 陈晓峰、张其松 (2023), 共建长三角世界级先进制造业集群.

    Build it, validate it, ask it questions and trace its causal chains.
    """

