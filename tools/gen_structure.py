"""Dev tool, run once: write data/structure.ttl (the paper's parts and their canonical spans).

The English labels were added by hand afterwards; do not rerun over an edited file.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from yrd_kg.namespaces import PREFIXES
from yrd_kg.validate.anchoring import canonical, read_source, segment

src = Path(__file__).resolve().parents[2] / "shared/source/paper.zh.txt"
text = read_source(src)
canon = canonical(text)
TYPES = {"front": "yrd:FrontMatter", "front-part": "yrd:DocumentPart", "section": "yrd:Section",
         "subsection": "yrd:Subsection", "subpoint": "yrd:SubPoint", "table": "yrd:Table",
         "notes": "yrd:DocumentPart", "note": "yrd:Note", "references": "yrd:DocumentPart",
         "reference": "yrd:DocumentPart", "back": "yrd:DocumentPart", "back-part": "yrd:DocumentPart"}
out = [f"@prefix {k}: <{v}> ." for k, v in PREFIXES.items() if k in
       ("yrd", "part", "paper", "skos", "xsd", "dcterms", "rdfs")]
out += ["", "# The paper's parts: one node per section, subsection, 第一/第二/第三 sub-point, table, note,",
        "# reference-list entry and front/back-matter block. yrd:spanStart/yrd:spanEnd are offsets in the",
        "# canonical text (all whitespace removed); `yrd-kg verify-evidence` recomputes them from the source.", ""]
for p in segment(text):
    parent = f"part:{p.parent}" if p.parent else "paper:chen-zhang-2023"
    label = p.heading.replace('"', '\\"')
    if p.kind == "subpoint":
        label = label[3:]
    out.append(f"part:{p.slug} a {TYPES[p.kind]} ;\n    skos:notation \"{p.slug}\" ;\n    yrd:order {p.order} ;\n"
               f"    yrd:partOf {parent} ;\n    yrd:spanStart {p.start} ; yrd:spanEnd {p.end} ;\n"
               f"    skos:prefLabel \"{label}\"@zh .\n")
Path("data/structure.ttl").write_text("\n".join(out), encoding="utf-8")
