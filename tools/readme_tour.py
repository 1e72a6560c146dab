"""Regenerate the README tour: run every command and paste its real output between the TOUR markers.

Usage: python tools/readme_tour.py   (from the repository root, with the project installed)
Long outputs are cut to their first lines (marked with "…"). A local Oxigraph server on 127.0.0.1
is started for the push example and stopped afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TMP = Path(tempfile.mkdtemp(prefix="yrd-tour-"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORT = free_port()
PORT2 = free_port()

# (heading, command, max lines)
TOUR: list[tuple[str, str, int]] = [
    ("Every command / 全部命令", "yrd-kg --help", 45),
    ("Build the dataset (deterministic; rebuilds only when a source changed)", "yrd-kg build --force", 30),
    ("Counts per class and property, labels in Chinese", "yrd-kg stats --lang zh", 24),
    ("Export (ttl, nt, nq, trig, jsonld with the shipped context, xml)",
     f"yrd-kg export --format jsonld --output {TMP}/yrd-kg.jsonld && head -c 400 {TMP}/yrd-kg.jsonld", 20),
    ("Re-anchor every evidence quote in the source text", "yrd-kg verify-evidence", 10),
    ("Validate: SHACL, violation queries, evidence (the paper's own slips are Warnings)", "yrd-kg validate", 40),
    ("The same report in Chinese, as JSON", "yrd-kg validate --lang zh --format json | head -c 700", 30),
    ("… with OWL 2 RL entailment first (computed once per dataset, cached)",
     "yrd-kg validate --inference owlrl --no-source | tail -1", 4),
    ("OWL reasoning with HermiT (owlready2)", "yrd-kg reason --no-property-values", 20),
    ("The saved questions / 保存的查询", "yrd-kg queries --lang zh", 80),
    ("What is P1.1? Everything the graph holds about one node, with every quote", "yrd-kg describe P1.1 --lang en", 60),
    ("Where does the paper talk about 链长制 (the chain-chief system)?", "yrd-kg mentions 链长制", 40),
    ("Table 1: the YRD share per industry, as printed and as recomputed", "yrd-kg query table1-shares --lang zh", 14),
    ("Table 2: the leading province per indicator", "yrd-kg query table2-leading-province --lang zh", 14),
    ("Which actions and measures address bottleneck P4.2, with the passage (CSV; names work as parameters)",
     "yrd-kg query measures-for-problem -p problem_iri=P4.2 --format csv | head -8", 10),
    ("Links per strength per sub-point (stated / echoed / interpreted)", "yrd-kg query links-by-strength", 32),
    ("The paper's own inconsistencies", "yrd-kg query table-inconsistencies", 10),
    ("An ad hoc read-only query from standard input",
     "echo 'PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> SELECT ?status (COUNT(*) AS ?links) "
     "WHERE { ?l a yrd:Link ; yrd:assertionStatus ?status } GROUP BY ?status' | yrd-kg sparql -", 10),
    ("Updates are refused on the read path", "echo 'DROP ALL' | yrd-kg sparql - ; echo \"exit $?\"", 6),
    ("Trace a bottleneck to its remedies, instruments and actors", "yrd-kg trace P1.1 --depth 2", 45),
    ("… only what the paper states or echoes, from a measure back to the problems it answers",
     "yrd-kg trace R2.1 --reverse --min-strength echoed", 24),
    ("… from an actor to the problems it helps remedy",
     "yrd-kg trace actor:central-government --reverse --lang en | tail -12", 14),
    ("Graph-wide analyses (counts per strength first)", "yrd-kg trace --analysis --lang en | head -12", 14),
    ("Explain the shortest chains between two nodes", "yrd-kg explain P4.2 R2.1", 24),
    ("One picture per problem", f"yrd-kg diagrams --out {TMP}/diagrams && ls {TMP}/diagrams | head -20", 22),
    ("The static bilingual site", f"yrd-kg site --output {TMP}/site && ls {TMP}/site", 20),
    ("The SPARQL endpoint with the site, the query page and the API (stopped with SIGTERM)",
     f"yrd-kg serve --port {PORT2} --site {TMP}/site & pid=$!; "
     f"for i in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:{PORT2}/sparql && break; sleep 0.5; done; "
     f"curl -s -G http://127.0.0.1:{PORT2}/sparql -H 'Accept: text/csv' --data-urlencode "
     "'query=PREFIX yrd: <https://w3id.org/yrd-kg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
     "SELECT ?n ?label WHERE { ?p a yrd:Shortcoming ; skos:notation ?n ; skos:prefLabel ?label "
     "FILTER(LANG(?label) = \"en\") } ORDER BY ?n'; "
     f"curl -s 'http://127.0.0.1:{PORT2}/api/table2-leading-province?lang=en&format=csv' | head -3; "
     f"curl -sI -H 'Accept: text/html' http://127.0.0.1:{PORT2}/id/problem/P1.1 | grep -iE '^(HTTP|Location)'; "
     "kill $pid; wait $pid", 24),
    ("The shipped crosswalks as one SSSOM mapping set", f"yrd-kg mappings --output {TMP}/yrd.sssom.tsv && "
     f"grep -v '^#' {TMP}/yrd.sssom.tsv | head -8", 10),
    ("Propose mappings to another vocabulary (NACE Rev. 2 from ../shared/external)",
     f"yrd-kg --quiet link ../shared/external/nace-rev2/nace_r2.ttl --output {TMP}/nace.sssom.tsv && "
     f"grep -v '^#' {TMP}/nace.sssom.tsv | cut -f1-5 | head -12", 16),
    ("A versioned release with its VoID/DCAT description and checksums",
     f"yrd-kg release --output {TMP}/release && ls {TMP}/release && cd {TMP}/release && sha256sum -c --quiet SHA256SUMS "
     "&& echo checksums verified", 30),
    ("Push the graph to a triple store over the Graph Store Protocol (here a local Oxigraph started with "
     "`oxigraph serve --location DIR --bind 127.0.0.1:7878 --union-default-graph`)",
     f"yrd-kg push --endpoint http://127.0.0.1:{PORT}/query --gsp-url http://127.0.0.1:{PORT}/store", 24),
    ("The same saved query against that remote endpoint",
     f"yrd-kg query table1-leading-province --endpoint http://127.0.0.1:{PORT}/query --format tsv", 12),
    ("… with only some of the store's graphs as the default graph (`default-graph-uri`)",
     f"yrd-kg query paper-counts --endpoint http://127.0.0.1:{PORT}/query "
     "--default-graph https://w3id.org/yrd-kg/graph/data/statistics", 14),
    ("The main job in one command", "yrd-kg demo", 30),
]


def run(cmd: str) -> str:
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1")
    out = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    text = (out.stdout + out.stderr).rstrip()
    return text.replace(str(TMP), "/tmp/yrd-tour")


def main() -> int:
    server = None
    if shutil.which("oxigraph"):
        server = subprocess.Popen(["oxigraph", "serve", "--location", str(TMP / "store"), "--bind", f"127.0.0.1:{PORT}",
                                   "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
    try:
        parts = ["<!-- TOUR:START -->", "## Tour / 命令一览", "",
                 "Every command, with its real output (generated by `python tools/readme_tour.py`; long outputs cut).", ""]
        for heading, cmd, limit in TOUR:
            text = run(cmd)
            lines = text.splitlines()
            if len(lines) > limit:
                lines = [*lines[:limit], "…"]
            shown = cmd.replace(str(TMP), "/tmp/yrd-tour").replace(str(PORT2), "7879").replace(str(PORT), "7878")
            body = "\n".join(lines).replace(str(PORT2), "7879").replace(str(PORT), "7878")
            parts += [f"### {heading}", "", "```console", f"$ {shown}", body, "```", ""]
            print(f"ok: {cmd[:60]}", file=sys.stderr)
        parts.append("<!-- TOUR:END -->")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(TMP, ignore_errors=True)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = re.sub(r"<!-- TOUR:START -->.*<!-- TOUR:END -->", lambda _m: "\n".join(parts), text, flags=re.S)
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
