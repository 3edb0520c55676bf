"""A supervisor's question about one rate or one department ("边个部门满意率最低", "城管局嘅按时办结率几多"):
answered with that rate, worst first, or with that department's figures, instead of the whole monthly table."""

from __future__ import annotations

import re
from dataclasses import dataclass

from office_flows.tickets.stats import METRICS, Metric

Cell = dict[str, float | int | None]
Table = dict[str, dict[str, Cell]]  # {department code: {metric key: {"good", "total", "rate"}}}

# The words that name each rate, checked in this order (发回重办 before 办结: "重办" is not "办结").
_RATE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("rework_rate", re.compile(r"重办|返工|发回|打回")),
    ("callback_rate", re.compile(r"回访")),
    ("sign_rate", re.compile(r"签收")),
    ("satisfaction_rate", re.compile(r"满意|好评|差评|评价")),
    ("ontime_rate", re.compile(r"超时|超期|逾期|按时|准时|及时|办结率|拖延|拖得|最慢|最拖")),
]
_BEST = re.compile(r"最(?:高|好|快|满意|靓|叻)|第一名?|排第一|最少(?:超时|超期|逾期|重办|返工)")
_RANKING = re.compile(r"最|边个|哪个|哪些|边啲|谁|排名|排行|排序|垫底|前几|后几")


@dataclass(frozen=True)
class StatsQuestion:
    metric: Metric | None  # the rate asked about, if one is named
    department: str | None  # the department code, if one is named
    ranking: bool  # asks which departments lead or trail
    best_first: bool  # asks for the best ("最高"), not the worst


def rate_named(text: str) -> Metric | None:
    return next((METRICS[key] for key, words in _RATE_WORDS if words.search(text)), None)


def question_in(text: str, department: str | None) -> StatsQuestion:
    return StatsQuestion(rate_named(text), department, bool(_RANKING.search(text)), bool(_BEST.search(text)))


def _pct(cell: Cell) -> str:
    return "—" if cell["rate"] is None else f"{float(cell['rate']):.0%}"


def _counts(metric: Metric, cell: Cell) -> str:
    few = metric.sample_note(int(cell["total"] or 0))
    return f"{metric.hit_label} {cell['good']}/{cell['total']}" + (f"，{few}" if few else "")


def _district(table: Table, metric: Metric) -> Cell:
    good = sum(int(row[metric.key]["good"] or 0) for row in table.values())
    total = sum(int(row[metric.key]["total"] or 0) for row in table.values())
    return {"good": good, "total": total, "rate": good / total if total else None}


def _best_to_worst(table: Table, metric: Metric) -> list[str]:
    """Departments with a rate, best first (for 发回重办率 the lowest is best)."""
    rated = [d for d in table if table[d][metric.key]["rate"] is not None]
    return sorted(
        rated, key=lambda d: (float(table[d][metric.key]["rate"] or 0) * (1 if metric.lower_is_better else -1), d)
    )


def one_rate(table: Table, metric: Metric, names: dict[str, str], label: str, asked: StatsQuestion) -> str:
    """One rate for every department, worst first unless the best were asked for; on top, the department asked
    for ("边个最低") or the district's rate ("满意率几多")."""
    order = _best_to_worst(table, metric)
    if not order:
        return f"{label}还没有计入{metric.label}的工单。"
    if not asked.best_first:
        order.reverse()
    whole = _district(table, metric)
    if asked.ranking:
        top_rate = table[order[0]][metric.key]["rate"]
        tops = [names.get(d, d) for d in order if table[d][metric.key]["rate"] == top_rate]
        side = "最好" if asked.best_first else "最差"
        head = f"{label}{metric.caption}{side}的是{'、'.join(tops)}：{_pct(table[order[0]][metric.key])}。"
    else:
        head = f"{label}全区{metric.caption} {_pct(whole)}（{_counts(metric, whole)}）。"
    lines = [head, f"各部门（{'从好到差' if asked.best_first else '从差到好'}）："]
    lines += [
        f"{n}. {names.get(d, d or '未派单')} {_pct(table[d][metric.key])}（{_counts(metric, table[d][metric.key])}）"
        for n, d in enumerate(order, start=1)
    ]
    if asked.ranking:
        lines.append(f"全区：{_pct(whole)}（{_counts(metric, whole)}）")
    return "\n".join(lines)


def one_department(table: Table, code: str, metric: Metric | None, names: dict[str, str], label: str) -> str:
    """One department's figures (one rate when named), each with the district's and its place among departments."""
    name = names.get(code, code)
    row = table.get(code)
    if row is None:
        return f"{label}{name}还没有计入统计的工单。"
    lines = [f"{label}{name}："]
    for m in [metric] if metric is not None else list(METRICS.values()):
        order = _best_to_worst(table, m)
        place = f"，在 {len(order)} 个部门中排第 {order.index(code) + 1}" if code in order else ""
        whole = _district(table, m)
        lines.append(f"· {m.caption} {_pct(row[m.key])}（{_counts(m, row[m.key])}）；全区 {_pct(whole)}{place}")
    return "\n".join(lines)


def every_rate_ranked(table: Table, names: dict[str, str], label: str, asked: StatsQuestion) -> str:
    """ "边个部门最差" with no rate named: each rate's worst (or best) department, with the district's rate."""
    side = "最好" if asked.best_first else "最差"
    lines = [f"{label}各项指标{side}的部门："]
    for m in METRICS.values():
        order = _best_to_worst(table, m)
        if not order:
            lines.append(f"· {m.caption}：还没有计入的工单")
            continue
        top = order[0] if asked.best_first else order[-1]
        cell = table[top][m.key]
        tops = [names.get(d, d or "未派单") for d in order if table[d][m.key]["rate"] == cell["rate"]]
        whole = _district(table, m)
        lines.append(f"· {m.caption}：{'、'.join(tops)} {_pct(cell)}（{_counts(m, cell)}）；全区 {_pct(whole)}")
    lines.append("某一项的全部排名：问“边个部门满意率最低”或发送“/统计 满意率”；某个部门的各项数字：“/统计 城管局”。")
    return "\n".join(lines)
