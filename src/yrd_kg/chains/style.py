"""How chains look: colours per node kind and relation, names of kinds, relations and statuses in zh and en."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from yrd_kg.errors import EnvironmentFault

#: fill colour, text colour per node kind
KIND_STYLE: dict[str, tuple[str, str]] = {
    "cause": ("#fdae61", "#1a1a1a"),
    "problem": ("#d73027", "#ffffff"),
    "effect": ("#fee08b", "#1a1a1a"),
    "action": ("#abd9e9", "#1a1a1a"),
    "measure": ("#b8e186", "#1a1a1a"),
    "path": ("#4575b4", "#ffffff"),
    "recommendation": ("#1a9850", "#ffffff"),
    "instrument": ("#c2a5cf", "#1a1a1a"),
    "actor": ("#e0e0e0", "#1a1a1a"),
    "other": ("#ffffff", "#1a1a1a"),
}
#: line colour per relation
RELATION_COLOUR: dict[str, str] = {
    "causes": "#b2182b",
    "contributesTo": "#ef8a62",
    "addresses": "#2166ac",
    "supports": "#1b7837",
    "uses": "#762a83",
    "involves": "#737373",
    "partOf": "#9e9e9e",
}
KIND_NAME = {
    "zh": {"cause": "成因", "problem": "问题", "effect": "后果", "action": "路径行动", "measure": "建议措施",
           "path": "突破路径", "recommendation": "对策建议", "instrument": "政策工具", "actor": "主体", "other": "其他"},
    "en": {"cause": "cause", "problem": "problem", "effect": "effect", "action": "action", "measure": "measure",
           "path": "path", "recommendation": "recommendation", "instrument": "instrument", "actor": "actor",
           "other": "other"},
}
RELATION_NAME = {
    "zh": {"causes": "导致", "contributesTo": "促成", "addresses": "回应", "supports": "支撑", "uses": "使用工具",
           "involves": "涉及主体", "partOf": "属于"},
    "en": {r: r for r in RELATION_COLOUR},
}
STATUS_NAME = {"zh": {"stated": "陈述", "echoed": "呼应", "interpreted": "解释"},
               "en": {"stated": "stated", "echoed": "echoed", "interpreted": "interpreted"}}
#: how a link's strength is drawn: SVG dash array, Graphviz style, Mermaid arrow (partOf is drawn dotted)
STATUS_DASH = {"stated": "", "echoed": "10 3", "interpreted": "4 4"}
STATUS_DOT = {"stated": "solid", "echoed": "dashed,bold", "interpreted": "dashed"}
STATUS_MERMAID = {"stated": "-->", "echoed": "==>", "interpreted": "-.->"}
SECTION_NAME = {
    "zh": {"structure": "子问题", "causes": "成因(上溯)", "effects": "后果(下行)", "remedies": "回应:路径行动与建议措施",
           "mentions": "问题文本中点名的工具与主体", "answers": "回应的问题"},
    "en": {"structure": "sub-points", "causes": "causes (upstream)", "effects": "effects (downstream)",
           "remedies": "remedies: path actions and measures", "mentions": "instruments and actors the problem text names",
           "answers": "problems answered"},
}
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Zen Hei, Microsoft YaHei, PingFang SC, sans-serif"
DOT_FONT = "Noto Sans CJK SC,WenQuanYi Zen Hei,sans-serif"


#: families a CJK label can be drawn with (fontconfig or matplotlib names)
CJK_FAMILIES = ("Noto Sans CJK", "Noto Serif CJK", "Source Han Sans", "WenQuanYi", "AR PL", "Droid Sans Fallback")
#: the one-line notice when Chinese labels are drawn in English for want of a font
NO_CJK_NOTICE = ("notice: no CJK font is installed (fc-list :lang=zh finds none), so the picture's labels are in English; "
                 "install one (Debian: apt-get install fonts-wqy-zenhei) for Chinese labels")


@lru_cache(maxsize=1)
def cjk_font_available() -> bool:
    """Whether a font that draws Chinese is installed (fontconfig's ``fc-list :lang=zh``, else matplotlib's list)."""
    exe = shutil.which("fc-list")
    if exe is not None:
        try:
            proc = subprocess.run([exe, ":lang=zh", "family"], capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return False
        return proc.returncode == 0 and bool(proc.stdout.strip())
    try:
        from matplotlib import font_manager
    except ImportError:
        return False
    names = {f.name for f in font_manager.fontManager.ttflist}
    return any(n.startswith(CJK_FAMILIES) for n in names)


class RenderError(EnvironmentFault):
    """A format cannot be produced here (a tool is missing)."""


# =========================================================================== text


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


