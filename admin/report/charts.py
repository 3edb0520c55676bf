"""The report's charts as PNG bytes (matplotlib, Agg, the CJK font of fonts.py)."""

from __future__ import annotations

import functools
import io
import threading
from typing import Any

from admin.report.fonts import cjk_font
from office_flows.reports.month import MonthReport
from office_flows.reports.rates import LOWER_IS_BETTER

BLUE, GREEN, ORANGE, RED, GREY = "#2f6fb0", "#3a9a5b", "#e08a2c", "#c8463d", "#8a8f98"
_lock = threading.Lock()  # pyplot's state is global: one chart at a time


@functools.cache
def _setup() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot

    font = cjk_font()
    font_manager.fontManager.addfont(str(font.path))
    family = font_manager.FontProperties(fname=str(font.path)).get_name()
    pyplot.rcParams.update(
        {
            "font.family": family,
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": 100,
        }
    )
    return pyplot


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    _setup().close(fig)
    return buf.getvalue()


def _hbar(title: str, items: list[tuple[str, int]], color: str = BLUE) -> bytes:
    plt = _setup()
    items = items[:12][::-1]
    fig, ax = plt.subplots(figsize=(7.2, 0.42 * max(len(items), 3) + 0.9))
    bars = ax.barh([k for k, _ in items], [v for _, v in items], color=color)
    ax.bar_label(bars, padding=3, fontsize=9)
    ax.set_title(title, fontsize=13, loc="left")
    ax.tick_params(labelsize=10)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    return _png(fig)


def volumes_by_department(r: MonthReport) -> bytes:
    return _hbar("各部门受理量（件）", r.by_department)


def volumes_by_kind_and_channel(r: MonthReport) -> bytes:
    plt = _setup()
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.2))
    palette = [BLUE, GREEN, ORANGE, RED, GREY, "#7a5ba8", "#3fa7b5"]
    for ax, title, items in ((axes[0], "按诉求类型", r.by_kind), (axes[1], "按渠道", r.by_channel)):
        if not items:
            ax.text(0.5, 0.5, "无数据", ha="center")
            ax.axis("off")
            continue
        ax.pie(
            [v for _, v in items],
            labels=[f"{k} {v}" for k, v in items],
            colors=palette[: len(items)],
            startangle=90,
            counterclock=False,
            wedgeprops={"width": 0.45},
            textprops={"fontsize": 9},
        )
        ax.set_title(title, fontsize=12)
    return _png(fig)


def daily_volume(r: MonthReport) -> bytes:
    plt = _setup()
    fig, ax = plt.subplots(figsize=(7.2, 2.6))
    xs = [d.day for d, _ in r.daily]
    ax.plot(xs, [n for _, n in r.daily], color=BLUE, marker="o", markersize=3)
    ax.fill_between(xs, [n for _, n in r.daily], color=BLUE, alpha=0.12)
    ax.set_title("每日受理量（件）", fontsize=13, loc="left")
    ax.set_xlabel("日")
    ax.set_xticks(xs[::2])
    ax.set_ylim(bottom=0)
    return _png(fig)


def district_rates(r: MonthReport) -> bytes:
    plt = _setup()
    rates = [x for x in r.beijing + r.guangdong]
    fig, ax = plt.subplots(figsize=(7.2, 3.3))
    labels = [x.label.replace("（北京口径）", "\n（北京）") for x in rates]
    values = [0 if x.rate is None else x.rate * 100 for x in rates]
    colors = [ORANGE if x.key in LOWER_IS_BETTER else (GREEN if x.key.startswith("bj_") else BLUE) for x in rates]
    bars = ax.bar(range(len(rates)), values, color=colors)
    ax.bar_label(bars, labels=["—" if x.rate is None else f"{x.rate * 100:.1f}%" for x in rates], fontsize=9)
    ax.set_xticks(range(len(rates)), labels, fontsize=8)
    ax.set_ylim(0, 110)
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.axvline(2.5, color=GREY, linestyle=":", linewidth=1)
    ax.set_title("全区考核指标（绿：北京三率；蓝：广东五率；橙：越低越好）", fontsize=12, loc="left")
    return _png(fig)


def department_rates(r: MonthReport) -> bytes:
    plt = _setup()
    depts = sorted(r.department_rates)
    fig, ax = plt.subplots(figsize=(7.2, 0.5 * max(len(depts), 3) + 1.0))
    width = 0.38
    for i, (key, color, label) in enumerate(
        (("ontime_rate", BLUE, "按时办结率"), ("satisfaction_rate", GREEN, "满意率"))
    ):
        vals = []
        for d in depts:
            rate = next((x.rate for x in r.department_rates[d] if x.key == key), None)
            vals.append(0 if rate is None else rate * 100)
        pos = [j + (i - 0.5) * width for j in range(len(depts))]
        bars = ax.barh(pos, vals, height=width, color=color, label=label)
        ax.bar_label(bars, labels=[f"{v:.0f}%" for v in vals], padding=2, fontsize=8)
    ax.set_yticks(range(len(depts)), depts, fontsize=9)
    ax.set_xlim(0, 112)
    ax.xaxis.set_visible(False)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    ax.set_title("各部门按时办结率与满意率", fontsize=13, loc="left")
    return _png(fig)


def topics(r: MonthReport) -> bytes:
    items = [(t.title[:16] + ("…" if len(t.title) > 16 else ""), t.count) for t in r.topics[:10]]
    return _hbar("本月热点问题（件）", items, ORANGE)


def all_charts(r: MonthReport) -> dict[str, bytes]:
    with _lock:
        out = {
            "rates": district_rates(r),
            "daily": daily_volume(r),
            "departments": volumes_by_department(r),
            "kinds": volumes_by_kind_and_channel(r),
            "department_rates": department_rates(r),
        }
        if r.topics:
            out["topics"] = topics(r)
    return out
