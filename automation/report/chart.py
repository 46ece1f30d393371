"""The report's chart: a stacked bar chart drawn with matplotlib, with a Chinese font found among
the installed ones (ASCII labels when there is none)."""

from __future__ import annotations

import functools
import io

from automation.report.blocks import StackedBarChart

#: Matplotlib families that draw Chinese, best first (Linux packages, then Windows, then macOS).
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Serif CJK SC",
    "Noto Sans CJK TC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei",
    "SimHei", "DengXian", "SimSun", "NSimSun", "FangSong", "KaiTi", "PingFang SC", "Hiragino Sans GB",
    "Heiti SC", "STHeiti", "Songti SC", "Arial Unicode MS", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback",
)
CJK_NAME_HINTS = ("CJK", "Han Sans", "Han Serif", "WenQuanYi", "YaHei", "Hei", "Song", "Kai", "Ming", "Fang")


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """A font family installed for matplotlib that draws Chinese: a known one (Noto Sans CJK
    from Debian's fonts-noto-cjk, WenQuanYi, Microsoft YaHei/SimHei/SimSun on Windows, PingFang
    on macOS ...), else any family whose name looks Chinese-capable; None when there is none."""
    from matplotlib import font_manager

    available = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FONT_FAMILIES:
        if family in available:
            return family
    for family in sorted(available):
        if any(hint.lower() in family.lower() for hint in CJK_NAME_HINTS):
            return family
    return None


def draw_chart(chart: StackedBarChart) -> tuple[bytes, bool]:
    """The chart as PNG bytes, and whether it had to use ASCII labels (no Chinese font)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = find_cjk_font()
    ascii_only = font is None
    if ascii_only:
        categories = [f"S{index}" for index in range(1, len(chart.categories) + 1)]
        axis_label = chart.ascii_axis_label
        names = [series.ascii_name for series in chart.series]
    else:
        categories, axis_label = list(chart.categories), chart.axis_label
        names = [series.name for series in chart.series]
    families = ([font] if font else []) + ["DejaVu Sans"]
    settings = {"font.family": "sans-serif", "font.sans-serif": families, "axes.unicode_minus": False,
                "font.size": 9}
    with matplotlib.rc_context(settings):
        count = len(categories)
        figure = Figure(figsize=(6.2, max(2.6, 0.42 * count + 1.6)), dpi=200)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = list(range(count))
        left = [0] * count
        for series, name in zip(chart.series, names):
            bars = axes.barh(positions, series.values, left=left, color=series.color, label=name, height=0.6)
            axes.bar_label(bars, labels=[str(value) if value else "" for value in series.values],
                           label_type="center", color="white", fontsize=8)
            left = [a + b for a, b in zip(left, series.values)]
        axes.set_yticks(positions, categories)
        axes.invert_yaxis()
        axes.set_xlabel(axis_label)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max(left + [1]) * 1.05)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16 if count > 3 else -0.25), ncols=len(names),
                    frameon=False)
        figure.tight_layout()
        output = io.BytesIO()
        figure.savefig(output, format="png", metadata={"Software": None})
    return output.getvalue(), ascii_only
