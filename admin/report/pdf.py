"""The month's report as PDF (fpdf2, the CJK font embedded as a subset: the text stays searchable)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from admin.report.charts import all_charts
from admin.report.fonts import cjk_font
from kernel.clock import SHANGHAI
from office_flows.reports.month import MonthReport, TicketLine
from office_flows.reports.quality import NO_DATA
from office_flows.reports.rates import LOWER_IS_BETTER, Rate

logging.getLogger("fontTools").setLevel(logging.WARNING)  # the font subsetter logs every table at INFO
FONT = "cjk"
WIDTH = 180  # mm of text between the margins of A4
ROWS = 15  # rows of a ticket list in the PDF (the XLSX has them all)
HEAD = FontFace(emphasis="BOLD", fill_color=(226, 234, 244))


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _day(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if at else "—"


def month_label(r: MonthReport) -> str:
    return f"{r.start.year} 年 {r.start.month} 月"


class _Doc(FPDF):
    title_text = ""

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, self.title_text, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.set_text_color(0, 0, 0)


class ReportPdf:
    def __init__(self, r: MonthReport) -> None:
        self.r = r
        font = cjk_font()
        pdf = _Doc(format="A4")
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(True, margin=16)
        pdf.add_font(FONT, "", str(font.path), collection_font_number=font.face)
        pdf.add_font(FONT, "B", str(font.bold or font.path), collection_font_number=font.face)
        pdf.title_text = f"12345 热线月度分析报告 · {month_label(r)}"
        pdf.set_title(pdf.title_text)
        pdf.set_creator("govchat")
        self.pdf = pdf

    # --- building blocks ---------------------------------------------------------------------------

    def h1(self, text: str) -> None:
        if self.pdf.get_y() + 50 > self.pdf.page_break_trigger:
            self.pdf.add_page()
        self.pdf.set_font(FONT, "B", 15)
        self.pdf.set_text_color(31, 78, 140)
        self.pdf.cell(0, 11, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0, 0, 0)

    def h2(self, text: str, room: float = 40) -> None:
        """A heading, on a new page when less than ``room`` mm are left below it (no orphaned headings)."""
        if self.pdf.get_y() + room > self.pdf.page_break_trigger:
            self.pdf.add_page()
        self.pdf.set_font(FONT, "B", 12)
        self.pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, size: float = 10) -> None:
        self.pdf.set_font(FONT, "", size)
        self.pdf.multi_cell(0, size * 0.55, text, align="L", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1.5)

    def image(self, png: bytes, width: float = WIDTH) -> None:
        self.pdf.image(io.BytesIO(png), w=width, x=(210 - width) / 2)
        self.pdf.ln(2)

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], size: float = 8.5
    ) -> None:
        self.pdf.set_font(FONT, "", size)
        with self.pdf.table(
            col_widths=tuple(widths),
            width=WIDTH,
            line_height=size * 0.55,
            headings_style=HEAD,
            padding=1.2,
            text_align="LEFT",
            wrapmode=WrapMode.CHAR,  # Chinese breaks anywhere; breaking at spaces leaves ragged short lines
        ) as table:
            table.row(list(header))
            for row in rows:
                table.row([str(c) for c in row])
        self.pdf.ln(3)

    # --- sections ------------------------------------------------------------------------------------

    def cover(self, charts: dict[str, bytes]) -> None:
        r, pdf = self.r, self.pdf
        pdf.add_page()
        pdf.set_font(FONT, "B", 22)
        pdf.ln(6)
        pdf.cell(0, 14, "12345 政务服务便民热线", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 14, f"{month_label(r)}诉求数据分析报告", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(110, 110, 110)
        made = r.generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        pdf.cell(
            0,
            8,
            f"统计区间：{r.start.date()} 至 {r.end.date()}（不含）　生成时间：{made}",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
        pdf.ln(4)
        self._key_numbers()
        self.image(charts["rates"])
        self.para(self._summary(), 10.5)

    def _key_numbers(self) -> None:
        r, pdf = self.r, self.pdf
        rates = {x.key: x for x in r.beijing + r.guangdong}
        boxes = [
            ("受理工单", f"{r.total}", "件"),
            ("响应率", _pct(rates["bj_response"].rate), ""),
            ("解决率", _pct(rates["bj_resolution"].rate), ""),
            ("满意率（北京）", _pct(rates["bj_satisfaction"].rate), ""),
            ("超期工单", f"{r.overdue_total}", "件"),
        ]
        w = WIDTH / len(boxes)
        y = pdf.get_y()
        for i, (label, value, unit) in enumerate(boxes):
            x = 15 + i * w
            pdf.set_fill_color(240, 245, 251)
            pdf.rect(x + 1, y, w - 2, 22, style="F")
            pdf.set_xy(x + 1, y + 2)
            pdf.set_font(FONT, "B", 16)
            pdf.set_text_color(31, 78, 140)
            pdf.cell(w - 2, 9, value + unit, align="C")
            pdf.set_xy(x + 1, y + 12)
            pdf.set_font(FONT, "", 9)
            pdf.set_text_color(80, 80, 80)
            pdf.cell(w - 2, 7, label, align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(15, y + 26)

    def _summary(self) -> str:
        r = self.r
        parts = [f"本月共受理诉求 {r.total} 件"]
        if r.by_kind:
            parts.append("以" + "、".join(f"{k}（{n} 件）" for k, n in r.by_kind[:3]) + "为主")
        if r.by_department:
            parts.append(f"受理量最多的部门是{r.by_department[0][0]}（{r.by_department[0][1]} 件）")
        text = "，".join(parts) + "。"
        worst = self._worst("ontime_rate")
        if worst:
            text += f"按时办结率最低的部门是{worst[0]}（{_pct(worst[1])}）。"
        s = r.bad_summary
        text += f"本月差评 {s['差评']} 件，已整改 {s['已整改']} 件；"
        text += f"超期 {r.overdue_total} 件，发回重办 {r.reworked_total} 件。"
        if r.alerts:
            text += f"本月发出未诉先办预警 {len(r.alerts)} 条。"
        if r.candidates:
            text += f"建议“每月一题”优先考虑：{r.candidates[0].topic.title}。"
        return text

    def _worst(self, key: str) -> tuple[str, float] | None:
        found = [
            (d, x.rate)
            for d, rates in self.r.department_rates.items()
            for x in rates
            if x.key == key and x.rate is not None and x.total >= 5
        ]
        return min(found, key=lambda v: v[1]) if found else None

    def volumes(self, charts: dict[str, bytes]) -> None:
        r = self.r
        self.pdf.add_page()
        self.h1("一、受理概况")
        gone = f"，其中 {r.withdrawn} 件由市民撤回" if r.withdrawn else ""
        self.para(f"本月受理 {r.total} 件（已合并的重复诉求不计{gone}）。")
        self.image(charts["daily"])
        self.image(charts["kinds"])
        self.image(charts["departments"], 165)

    def rates(self, charts: dict[str, bytes]) -> None:
        r = self.r
        self.pdf.add_page()
        self.h1("二、考核指标")
        self.para("北京“接诉即办”三率与广东五项考核指标，口径如下（分子/分母均为工单或评价的件数）。")

        def rows(rates: list[Rate]) -> list[list[str]]:
            return [
                [
                    x.label + ("（越低越好）" if x.key in LOWER_IS_BETTER else ""),
                    _pct(x.rate),
                    f"{x.good}/{x.total}",
                    x.definition,
                ]
                for x in rates
            ]

        self.h2("北京三率")
        self.table(["指标", "数值", "达标/总数", "口径"], rows(r.beijing), (26, 16, 20, 118))
        self.h2("广东五率")
        self.table(["指标", "数值", "达标/总数", "口径"], rows(r.guangdong), (26, 16, 20, 118))
        self.image(charts["department_rates"], 170)
        self.h2("各部门指标")
        keys = [x.key for x in r.guangdong]
        labels = [x.label for x in r.guangdong]
        body = []
        for dept in sorted(r.department_rates):
            rates = {x.key: x for x in r.department_rates[dept]}
            body.append([dept] + [f"{_pct(rates[k].rate)}\n{rates[k].good}/{rates[k].total}" for k in keys])
        self.table(["部门", *labels], body, (40, 28, 28, 28, 28, 28))

    def _tickets(self, lines: list[TicketLine], total: int, empty: str) -> None:
        if not lines:
            self.para(empty)
            return
        rows = [[t.code, t.department, t.status, _day(t.deadline_at), t.note, t.content[:40]] for t in lines[:ROWS]]
        self.table(["工单号", "部门", "状态", "办理期限", "情况", "内容"], rows, (30, 26, 22, 22, 22, 58))
        if total > ROWS:
            self.para(f"（共 {total} 件，此处列出前 {ROWS} 件，全部见 XLSX。）", 9)

    def overdue(self) -> None:
        r = self.r
        self.pdf.add_page()
        self.h1("三、超期与重办")
        self.h2(f"超期工单（{r.overdue_total} 件）")
        self.para("办理期限在本月、到期未按时办结（含超期后办结）的工单。", 9)
        self._tickets(r.overdue, r.overdue_total, "本月没有超期工单。")
        self.h2(f"发回重办工单（{r.reworked_total} 件）")
        self._tickets(r.reworked, r.reworked_total, "本月没有发回重办的工单。")

    def bad(self) -> None:
        r = self.r
        self.h1("四、差评与整改")
        s = r.bad_summary
        self.para(
            f"本月差评（不满意、非常不满意）{s['差评']} 件："
            f"1 个工作日内回访 {s['按时回访']} 件，已整改 {s['已整改']} 件，"
            f"整改后重新评价为满意 {s['整改后满意']} 件。"
        )
        if r.bad:
            rows = [
                [
                    b.code,
                    b.department,
                    {1: "非常不满意", 2: "不满意"}.get(b.level, str(b.level)),
                    b.comment[:30],
                    "—" if b.callback_on_time is None else ("是" if b.callback_on_time else "否"),
                    "是" if b.rectified else "否",
                    "—" if b.rerated is None else str(b.rerated),
                ]
                for b in r.bad[:ROWS]
            ]
            self.table(
                ["工单号", "部门", "评价", "意见", "按时回访", "已整改", "再评价"], rows, (30, 26, 20, 52, 17, 16, 19)
            )

    def quality(self) -> None:
        q = self.r.quality
        self.h1("五、质检情况")
        if not q.available:
            self.para(NO_DATA + "。")
            return
        if q.note:
            self.para(q.note)
        rows = [
            [
                x.name,
                str(x.inspected),
                str(x.findings),
                str(x.must_fix),
                "—" if x.score is None else f"{x.score * 100:.1f}",
            ]
            for x in q.rows
        ]
        self.table(["部门", "质检数", "问题数", "必须整改", "平均得分（百分制）"], rows, (60, 25, 25, 30, 40))

    def topics(self, charts: dict[str, bytes]) -> None:
        r = self.r
        self.pdf.add_page()
        self.h1("六、热点问题与未诉先办预警")
        self.para(r.topics_note, 9)
        if "topics" in charts:
            self.image(charts["topics"], 165)
        if r.topics:
            rows = [[t.title, t.place, str(t.count), str(len(t.departments)), str(t.unresolved)] for t in r.topics]
            self.table(["问题（代表性诉求）", "主要地点", "件数", "部门数", "未解决"], rows, (88, 44, 16, 16, 16))
        self.h2(f"未诉先办预警（{len(r.alerts)} 条）")
        if not r.alerts:
            self.para("本月没有预警。")
        else:
            rows = [
                [
                    a.created_at.astimezone(SHANGHAI).strftime("%m-%d"),
                    a.place or "全区",
                    a.title,
                    str(a.current),
                    f"{a.baseline:.1f}",
                    a.seasonal_note,
                ]
                for a in r.alerts[:ROWS]
            ]
            self.table(["日期", "地点", "主题", "近一周", "周均基线", "季节性提示"], rows, (14, 36, 60, 16, 18, 36))

    def candidates(self) -> None:
        r = self.r
        self.h1("七、“每月一题”候选")
        self.para("从本月热点中选出：件数多、涉及两个及以上部门、仍有未解决诉求的问题，供研究确定本月重点攻坚题目。", 9)
        if not r.candidates:
            self.para("本月没有符合条件的候选问题。")
            return
        rows = [[str(i), c.topic.title, c.reason] for i, c in enumerate(r.candidates, 1)]
        self.table(["序号", "问题", "理由"], rows, (12, 70, 98))

    def build(self) -> bytes:
        charts = all_charts(self.r)
        self.cover(charts)
        self.volumes(charts)
        self.rates(charts)
        self.overdue()
        self.bad()
        self.quality()
        self.topics(charts)
        self.candidates()
        return bytes(self.pdf.output())


def report_pdf(r: MonthReport) -> bytes:
    return ReportPdf(r).build()
