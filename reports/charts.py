"""Pictures for printed briefs: a community's map (buildings coloured by their gaps, service sites) and
its coverage trend, drawn with matplotlib into PNG bytes with a Chinese font, plus finding that font.

A PDF must embed its fonts, and reportlab embeds only TrueType outlines (not the CFF outlines of
Noto CJK), so ``cjk_font`` looks for a TrueType CJK font: ``ORGNET_CJK_FONT``, else Debian's
WenQuanYi Zen Hei (``fonts-wqy-zenhei``) or Micro Hei, else AR PL UMing.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class FontMissing(RuntimeError):
    """No TrueType font with Chinese glyphs was found."""


def cjk_font() -> Path:
    """Path of a TrueType (not CFF) font with Chinese glyphs, to embed in PDFs and draw charts."""
    env = os.environ.get("ORGNET_CJK_FONT")
    for p in ([env] if env else []) + list(CANDIDATES):
        if p and Path(p).is_file():
            return Path(p)
    raise FontMissing("找不到可嵌入PDF的中文字体：请安装 `apt-get install fonts-wqy-zenhei`，"
                      "或用环境变量 ORGNET_CJK_FONT 指定一个 TrueType 中文字体（.ttf/.ttc）")


def _pyplot():
    import logging

    import matplotlib

    matplotlib.use("Agg")
    # WenQuanYi declares one weight; matplotlib would warn on every text it draws
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    from matplotlib import font_manager
    import matplotlib.pyplot as plt

    font = cjk_font()
    font_manager.fontManager.addfont(str(font))
    name = font_manager.FontProperties(fname=str(font)).get_name()
    plt.rcParams["font.family"] = [name]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def map_png(buildings: list[dict[str, Any]], sites: list[dict[str, Any]], title: str) -> bytes:
    """Buildings as dots (red: with a gap of a building rule, grey: none) and service sites as stars."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ok = [b for b in buildings if not b["gap"] and b.get("lat") is not None]
    bad = [b for b in buildings if b["gap"] and b.get("lat") is not None]
    ax.scatter([b["lon"] for b in ok], [b["lat"] for b in ok], s=10, c="#9e9e9e", label=f"楼栋（无缺口）{len(ok)}")
    ax.scatter([b["lon"] for b in bad], [b["lat"] for b in bad], s=16, c="#c0392b", label=f"楼栋（有缺口）{len(bad)}")
    if sites:
        ax.scatter([s["lon"] for s in sites], [s["lat"] for s in sites], s=90, marker="*", c="#1f6fb2",
                   label=f"党群服务阵地 {len(sites)}")
    ax.set_title(title)
    ax.set_xlabel("经度")
    ax.set_ylabel("纬度")
    ax.set_aspect("equal", adjustable="datalim")
    ax.ticklabel_format(useOffset=False)
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


def trend_png(series: dict[str, list[tuple[Any, float]]], title: str) -> bytes:
    """Coverage % per rule over the loads' as-of dates (one line per rule)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for name, points in series.items():
        xs = [str(p[0]) for p in points]
        ax.plot(xs, [p[1] for p in points], marker="o", label=name)
    if not series:
        ax.text(0.5, 0.5, "尚无历史记录", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(title)
    ax.set_ylabel("覆盖率 %")
    ax.set_xlabel("数据截至")
    ax.grid(alpha=0.3)
    if series:
        ax.legend(loc="best", fontsize=7, ncol=2)
    return _png(fig)
