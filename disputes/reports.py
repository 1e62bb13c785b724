"""研判报告 (the 参谋部 job): one region's month as a document — PDF (WeasyPrint, Noto Sans CJK
embedded, charts as inline SVG) and .docx (python-docx, charts as PNG, figures as tables).

Contents (docs/warnings.md): the figures of the month beside the previous month
(registrations, accepted, resolved, on-time rate, satisfaction), a text summary built from
them, the daily registrations and the breakdown by the next level as charts, the top
categories and villages, the warnings raised in the month, and the units that missed a
deadline. Like the case documents it is issued in Chinese whatever the reader's interface
language: it renders under settings.LANGUAGE_CODE and holds Chinese text.
"""
from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from disputes import report_charts as charts
from disputes.selectors.reports import MonthFigures, ReportFigures

TEMPLATE = "disputes/reports/monthly.html"


# --- Text built from the numbers -----------------------------------------------------------------

def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _count_change(now: int, before: int) -> str:
    if now == before:
        return "与上月持平"
    word = "增加" if now > before else "减少"
    text = f"较上月{word}{abs(now - before)}件"
    if before:
        text += f"（{'上升' if now > before else '下降'}{abs(now - before) / before * 100:.1f}%）"
    return text


def _rate_change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    points = (now - before) * 100
    if abs(points) < 0.05:
        return "，与上月持平"
    return f"，较上月{'上升' if points > 0 else '下降'}{abs(points):.1f}个百分点"


def report_summary(f: ReportFigures) -> list[str]:
    """The summary paragraphs: Chinese sentences templated from the figures."""
    cur, prev = f.current, f.previous
    month = f"{f.month.year}年{f.month.month}月"
    lines = [
        f"{month}，{f.region_name}共登记矛盾纠纷{cur.registered}件，{_count_change(cur.registered, prev.registered)}；"
        f"受理{cur.accepted}件，{_count_change(cur.accepted, prev.accepted)}；"
        f"办结{cur.resolved}件，{_count_change(cur.resolved, prev.resolved)}。",
    ]
    if cur.on_time_rate is None:
        lines.append("本月无办结案件，按期办结率不计。")
    else:
        lines.append(f"按期办结率{_percent(cur.on_time_rate)}（{cur.on_time}/{cur.resolved}）"
                     f"{_rate_change(cur.on_time_rate, prev.on_time_rate)}。")
    if cur.satisfaction_rate is None:
        lines.append("本月无回访记录，群众满意率不计。")
    else:
        lines.append(f"群众满意率{_percent(cur.satisfaction_rate)}（{cur.satisfied}/{cur.callbacks}）"
                     f"{_rate_change(cur.satisfaction_rate, prev.satisfaction_rate)}。")
    if f.top_categories and cur.registered:
        name, n = f.top_categories[0]
        lines.append(f"纠纷类别以「{name}」最多，{n}件，占登记量的{n / cur.registered * 100:.1f}%。")
    if f.top_villages:
        name, n = f.top_villages[0]
        lines.append(f"登记最多的村(社区)为{name}，{n}件。")
    if f.warnings:
        kinds: dict[str, int] = {}
        for warning in f.warnings:
            kinds[warning["kind"]] = kinds.get(warning["kind"], 0) + 1
        detail = "、".join(f"{kind}{n}条" for kind, n in kinds.items())
        lines.append(f"本月产生研判预警{len(f.warnings)}条（{detail}），请关注跟进。")
    else:
        lines.append("本月未产生研判预警。")
    if f.overdue_units:
        names = "、".join(name for name, _n in f.overdue_units[:3])
        more = f"等{len(f.overdue_units)}个单位" if len(f.overdue_units) > 3 else ""
        lines.append(f"{names}{more}存在超期办理，需督促整改。")
    else:
        lines.append("本月无超期办理的单位。")
    return lines


def figure_rows(f: ReportFigures) -> list[tuple[str, str, str]]:
    """(figure, this month, previous month) for the figures table."""
    def rows(m: MonthFigures) -> list[str]:
        return [str(m.registered), str(m.accepted), str(m.resolved), _percent(m.on_time_rate),
                _percent(m.satisfaction_rate)]

    names = ["登记量(件)", "受理量(件)", "办结量(件)", "按期办结率", "群众满意率"]
    return list(zip(names, rows(f.current), rows(f.previous), strict=True))


def _chart_data(f: ReportFigures) -> dict[str, list]:
    return {
        "daily": [(f"{day.day}日", n) for day, n in f.daily],
        "children": [(name, registered) for name, registered, _resolved in f.children],
    }


def _title(f: ReportFigures) -> str:
    return f"{f.region_name}{f.month.year}年{f.month.month}月矛盾纠纷研判报告"


# --- PDF -----------------------------------------------------------------------------------------

def report_html(f: ReportFigures, *, generated_at: dt.datetime, version: int) -> str:
    data = _chart_data(f)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, {
            "title": _title(f), "f": f, "summary": report_summary(f), "figures": figure_rows(f),
            "generated_at": timezone.localtime(generated_at), "version": version,
            "chart_daily": mark_safe(charts.svg_line(data["daily"], title="每日登记量")),  # nosec B308 B703: SVG built by disputes/report_charts.py, every text escaped
            "chart_children": mark_safe(charts.svg_bars(data["children"], title="下级区划登记量")),  # nosec B308 B703: SVG built by disputes/report_charts.py, every text escaped
            "chart_categories": mark_safe(charts.svg_bars(f.top_categories, title="登记量前五的类别")),  # nosec B308 B703: SVG built by disputes/report_charts.py, every text escaped
        })


def report_pdf(f: ReportFigures, *, generated_at: dt.datetime, version: int) -> bytes:
    from weasyprint import HTML  # imported here: loading it costs ~0.5 s, only PDFs need it

    return HTML(string=report_html(f, generated_at=generated_at, version=version)).write_pdf()


# --- .docx ---------------------------------------------------------------------------------------

def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = str(text)


def _picture(document, png: bytes | None) -> None:
    from docx.shared import Cm

    if png:
        document.add_picture(io.BytesIO(png), width=Cm(16))


def report_docx(f: ReportFigures, *, generated_at: dt.datetime, version: int) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Noto Sans CJK SC"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    document.add_heading(_title(f), level=1)
    at = timezone.localtime(generated_at)
    document.add_paragraph(f"生成时间：{at:%Y-%m-%d %H:%M}　版本：第{version}版")
    document.add_heading("一、总体情况", level=2)
    for line in report_summary(f):
        document.add_paragraph(line)
    _table(document, ["指标", "本月", "上月"], [list(row) for row in figure_rows(f)])
    data = _chart_data(f)
    document.add_heading("二、登记趋势与区域分布", level=2)
    _picture(document, charts.png_line(data["daily"], title="每日登记量"))
    _picture(document, charts.png_bars(data["children"], title="下级区划登记量"))
    if f.children:
        _table(document, ["区划", "登记量(件)", "办结量(件)"], [[n, r, s] for n, r, s in f.children])
    document.add_heading("三、类别与村(社区)", level=2)
    _picture(document, charts.png_bars(f.top_categories, title="登记量前五的类别"))
    _table(document, ["类别", "件数"], [[n, c] for n, c in f.top_categories])
    _table(document, ["村(社区)", "件数"], [[n, c] for n, c in f.top_villages])
    document.add_heading("四、研判预警", level=2)
    if f.warnings:
        _table(document, ["时间", "类型", "预警对象", "案件数", "状态"], [
            [f"{timezone.localtime(w['raised_at']):%m-%d %H:%M}", w["kind"], w["label"], w["cases"], w["state"]]
            for w in f.warnings])
    else:
        document.add_paragraph("本月未产生研判预警。")
    document.add_heading("五、超期办理单位", level=2)
    if f.overdue_units:
        _table(document, ["单位", "超期件数"], [[n, c] for n, c in f.overdue_units])
    else:
        document.add_paragraph("本月无超期办理的单位。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
