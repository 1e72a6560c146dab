"""Chain pictures as other tools read them: Mermaid line breaks, SVG/PNG arrowheads, legend, fitting labels, fonts."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from yrd_kg.chains import render as render_mod
from yrd_kg.chains import style
from yrd_kg.chains.graph import ChainGraph, chain_graph_from_store
from yrd_kg.chains.layout import layout, scene_from_trace, text_width
from yrd_kg.chains.model import KINDS
from yrd_kg.chains.render import render_mermaid, render_svg, render_trace
from yrd_kg.chains.style import NO_CJK_NOTICE, RenderError
from yrd_kg.chains.trace import trace

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
PROBLEMS = ["P1.1", "P2.1", "P3.2", "P4.3"]


@pytest.fixture(scope="module")
def cg(store) -> ChainGraph:  # type: ignore[no-untyped-def]
    return chain_graph_from_store(store)


def _start(cg: ChainGraph, notation: str) -> str:
    return cg.resolve(notation, ("problem",))


# ---------------------------------------------------------------- Mermaid


def _node_labels(mermaid: str) -> list[str]:
    return re.findall(r'^\s*n\d+\["([^"\n]*)"\]:::\w+$', mermaid, flags=re.M)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mermaid_line_breaks_are_markup_not_text(cg: ChainGraph, lang: str) -> None:
    text = render_mermaid(scene_from_trace(trace(cg, _start(cg, "P3.2"), depth=2), lang))
    labels = _node_labels(text)
    assert len(labels) > 10
    wrapped = [lb for lb in labels if "<br/>" in lb]
    assert wrapped, "long labels are wrapped with <br/>"
    for lb in labels:
        assert "#lt;br/#gt;" not in lb and "&lt;" not in lb
        for line in lb.split("<br/>"):
            assert line and "<" not in line and ">" not in line and '"' not in line


def test_mermaid_escapes_markup_inside_a_line() -> None:
    from yrd_kg.chains.layout import Scene
    from yrd_kg.chains.model import ChainNode

    node = ChainNode("urn:x:1", ("problem",), "P9", label_en='a <b> "quoted" label that is long enough to wrap over lines')
    scene = Scene("t", "en", {"urn:x:1": node}, {}, {"urn:x:1": (1, 0)})
    (label,) = _node_labels(render_mermaid(scene))
    assert "#lt;b#gt;" in label and "#quot;quoted#quot;" in label and "<br/>" in label


def _mmdc() -> str | None:
    exe = os.environ.get("YRD_KG_MMDC") or shutil.which("mmdc")
    local = ROOT / ".ci-node" / "node_modules" / ".bin" / "mmdc"
    if exe is None and local.is_file():
        exe = str(local)
    return exe


@pytest.mark.browser
def test_mermaid_cli_renders_line_breaks(cg: ChainGraph, tmp_path: Path) -> None:
    """The Mermaid CLI (npm @mermaid-js/mermaid-cli, headless on Debian chromium) draws <br/> as a line break."""
    exe, chromium = _mmdc(), shutil.which("chromium")
    if exe is None or chromium is None:
        pytest.skip("mermaid-cli (mmdc) or chromium not installed: .ci/run installs both (npm, apt)")
    src = tmp_path / "p.mmd"
    src.write_text(render_mermaid(scene_from_trace(trace(cg, _start(cg, "P3.2"), depth=1), "en")), encoding="utf-8")
    conf = tmp_path / "puppeteer.json"
    conf.write_text(json.dumps({"executablePath": chromium, "args": ["--no-sandbox"]}), encoding="utf-8")
    out = tmp_path / "p.svg"
    proc = subprocess.run([exe, "-p", str(conf), "-i", str(src), "-o", str(out)], capture_output=True, timeout=180,
                          check=False)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    svg = out.read_text(encoding="utf-8")
    labels = re.findall(r"<span[^>]*class=\"nodeLabel\"[^>]*>(.*?)</span>", svg)
    assert len(labels) > 10
    assert any(re.search(r"<br\s*/?>", lb) for lb in labels), "wrapped labels carry <br> elements"
    assert not any("&lt;br" in lb for lb in labels), "no escaped <br/> shown as text"


# ---------------------------------------------------------------- SVG: arrowheads, legend, labels that fit


def test_svg_edges_have_arrowheads_and_legend_names_every_kind(cg: ChainGraph) -> None:
    scene = scene_from_trace(trace(cg, _start(cg, "P1.1"), depth=3), "en")
    root = ET.fromstring(render_svg(scene).encode("utf-8"))
    markers = {m.get("id") for m in root.iter(f"{SVG}marker")}
    paths = root.findall(f".//{SVG}g[@id='edges']/{SVG}path")
    assert len(paths) == len(scene.edges) > 20
    for p in paths:
        ref = re.fullmatch(r"url\(#(.+)\)", p.get("marker-end", ""))
        assert ref and ref.group(1) in markers
    legend = root.find(f".//{SVG}g[@id='legend']")
    assert legend is not None
    texts = {t.text for t in legend.iter(f"{SVG}text")}
    kinds = {scene.kind(i) for i in scene.nodes}
    assert {k for k in KINDS if k in kinds} <= texts
    assert {"stated", "echoed", "interpreted"} <= texts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_fit_their_boxes(cg: ChainGraph, lang: str) -> None:
    for p in PROBLEMS:
        lay = layout(scene_from_trace(trace(cg, _start(cg, p), depth=3), lang))
        for b in lay.boxes.values():
            for line in b.lines:
                assert text_width(line) * lay.font <= b.w - 2 * lay.pad + 0.01, (p, line)
            assert len(b.lines) * lay.line_h + 2 * lay.pad <= b.h + 0.01


def _ttf_advances(path: Path) -> tuple[int, dict[int, int]]:
    """unitsPerEm and advance width per BMP code point of a TrueType font (cmap format 4, hmtx)."""
    data = path.read_bytes()
    n = struct.unpack(">H", data[4:6])[0]
    tables = {data[12 + 16 * i:16 + 16 * i].decode("latin-1"): struct.unpack(">II", data[20 + 16 * i:28 + 16 * i])
              for i in range(n)}
    head, hhea, hmtx, cmap = (tables[t][0] for t in ("head", "hhea", "hmtx", "cmap"))
    upem = struct.unpack(">H", data[head + 18:head + 20])[0]
    n_metrics = struct.unpack(">H", data[hhea + 34:hhea + 36])[0]
    adv = [struct.unpack(">H", data[hmtx + 4 * i:hmtx + 4 * i + 2])[0] for i in range(n_metrics)]
    sub = None
    for i in range(struct.unpack(">H", data[cmap + 2:cmap + 4])[0]):
        pid, eid, off = struct.unpack(">HHI", data[cmap + 4 + 8 * i:cmap + 12 + 8 * i])
        if (pid, eid) in ((3, 1), (0, 3)) and struct.unpack(">H", data[cmap + off:cmap + off + 2])[0] == 4:
            sub = cmap + off
    assert sub is not None
    seg2 = struct.unpack(">H", data[sub + 6:sub + 8])[0]
    ends, starts = sub + 14, sub + 16 + seg2
    deltas, ranges = starts + seg2, starts + 2 * seg2
    out: dict[int, int] = {}
    for s in range(seg2 // 2):
        end, start = (struct.unpack(">H", data[x + 2 * s:x + 2 * s + 2])[0] for x in (ends, starts))
        delta = struct.unpack(">h", data[deltas + 2 * s:deltas + 2 * s + 2])[0]
        roff = struct.unpack(">H", data[ranges + 2 * s:ranges + 2 * s + 2])[0]
        for c in range(start, min(end, 0x3000) + 1):
            if roff:
                at = ranges + 2 * s + roff + 2 * (c - start)
                g = struct.unpack(">H", data[at:at + 2])[0]
                g = (g + delta) & 0xFFFF if g else 0
            else:
                g = (c + delta) & 0xFFFF
            if g:
                out[c] = adv[min(g, n_metrics - 1)]
    return upem, out


def test_width_estimate_is_not_narrower_than_dejavu_sans(cg: ChainGraph) -> None:
    """Every character of the English labels is estimated at least as wide as DejaVu Sans draws it."""
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.is_file():
        pytest.skip("DejaVu Sans (Debian fonts-dejavu-core) not installed")
    upem, adv = _ttf_advances(font)
    chars = {c for n in cg.nodes.values() for c in n.label("en")} | set("abcdefghijklmnopqrstuvwxyz")
    too_narrow = {c: adv[ord(c)] / upem for c in chars if ord(c) in adv and text_width(c) + 1e-9 < adv[ord(c)] / upem}
    assert not too_narrow


# ---------------------------------------------------------------- PNG: tools, fonts


def test_png_without_any_tool_says_what_to_install(cg: ChainGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_mod.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    with pytest.raises(RenderError) as info:
        render_trace(trace(cg, _start(cg, "P1.1"), depth=1), "png", "en", engine="python")
    msg = str(info.value)
    assert msg.startswith("PNG needs Graphviz `dot` (apt-get install graphviz)")
    assert "librsvg2-bin" in msg and "pip install matplotlib" in msg and "--format svg" in msg


def test_png_in_a_bare_path_passes_or_says_what_to_install(tmp_path: Path, build_dir: Path) -> None:
    """The CLI with PATH stripped of dot and rsvg-convert (only the interpreter's folder): a PNG or the message."""
    out = tmp_path / "p.png"
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    proc = subprocess.run([sys.executable, "-m", "yrd_kg", "trace", "P1.1", "--format", "png", "--lang", "en",
                           "--build-dir", str(build_dir), "-o", str(out)], capture_output=True, env=env, timeout=300,
                          check=False)
    err = proc.stderr.decode("utf-8", "replace")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert proc.returncode == 2 and "PNG needs Graphviz `dot`" in err
        return
    assert proc.returncode == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Traceback" not in err and "warning" not in err.lower()


def test_png_matplotlib_draws_legend_and_arrowheads(cg: ChainGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib is in the test extra")
    from matplotlib.axes import Axes

    drawn: list[str] = []
    orig_text, orig_patch = Axes.text, Axes.add_patch

    def text(self, x, y, s, *a, **kw):  # type: ignore[no-untyped-def]
        drawn.append(str(s))
        return orig_text(self, x, y, s, *a, **kw)

    def add_patch(self, p):  # type: ignore[no-untyped-def]
        drawn.append(type(p).__name__)
        return orig_patch(self, p)

    monkeypatch.setattr(Axes, "text", text)
    monkeypatch.setattr(Axes, "add_patch", add_patch)
    res = trace(cg, _start(cg, "P3.2"), depth=1)
    png = render_mod.render_png_matplotlib(scene_from_trace(res, "en"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawn.count("FancyArrowPatch") == len(res.edges)
    assert {"problem", "cause", "stated", "echoed", "interpreted", "addresses"} <= set(drawn)


def test_no_cjk_font_draws_english_with_one_notice(cg: ChainGraph, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []
    orig = render_mod.picture
    monkeypatch.setattr(render_mod, "cjk_font_available", lambda: False)
    monkeypatch.setattr(render_mod, "picture", lambda scene, fmt, engine="auto": seen.append(scene.title) or b"png")
    render_trace(trace(cg, _start(cg, "P1.1"), depth=1), "png", "zh")
    assert seen and seen[0].startswith("P1.1 Homogeneous competition among clusters")
    err = capsys.readouterr().err
    assert err == NO_CJK_NOTICE + "\n"
    # SVG is drawn by the viewer's fonts: it stays in Chinese
    monkeypatch.setattr(render_mod, "picture", orig)
    svg = render_trace(trace(cg, _start(cg, "P1.1"), depth=1), "svg", "zh", engine="python").decode("utf-8")
    assert "集群同质化竞争" in svg


def test_cjk_font_detection_follows_fontconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "fc-list"
    fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")  # fontconfig that lists no font for :lang=zh
    fake.chmod(0o755)
    monkeypatch.setattr(style.shutil, "which", lambda name: str(fake) if name == "fc-list" else None)
    style.cjk_font_available.cache_clear()
    try:
        assert style.cjk_font_available() is False
        fake.write_text("#!/bin/sh\necho 'WenQuanYi Zen Hei'\n", encoding="utf-8")
        style.cjk_font_available.cache_clear()
        assert style.cjk_font_available() is True
    finally:
        style.cjk_font_available.cache_clear()
