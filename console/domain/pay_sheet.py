"""The pay office's sheet (考核表): one row per grid worker per month, as ``.xlsx`` bytes.

The same workbook from the console's *Grid workers* dock and from ``main.py admin
report-workers``: built in memory (no file is touched here), headings in the language asked
for (``zh`` or ``en``), area names as the caller gives them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from console.domain.assessment import SUMMED, WorkerDay, summarise

#: The columns: (key, English heading, Chinese heading, number format or None).
COLUMNS: tuple[tuple[str, str, str, str | None], ...] = (
    ("unit", "Unit", "编号", None),
    ("name", "Name", "姓名", None),
    ("tier", "Tier", "层级", "0"),
    ("street", "Street", "街道", None),
    ("community", "Community", "社区", None),
    ("grid", "Grid cell", "网格", None),
    ("days", "Days", "天数", "0"),
    ("rostered_h", "Rostered h", "排班小时", "0.0"),
    ("on_duty_h", "On duty h", "在岗小时", "0.0"),
    ("late", "Late", "迟到", "0"),
    ("absent", "Absent", "缺勤", "0"),
    ("off_roster", "Off roster", "非排班打卡", "0"),
    ("outside_grid", "Clock-in outside grid", "网格外打卡", "0"),
    ("distance_km", "Distance km", "里程(公里)", "0.0"),
    ("checkpoints", "Checkpoints", "巡更点", "0"),
    ("planned", "Planned", "计划巡更", "0"),
    ("reports", "Reports", "上报", "0"),
    ("cases", "Became cases", "立案", "0"),
    ("tasks", "Tasks", "任务", "0"),
    ("on_time", "On time", "按时", "0"),
    ("verifications", "Verifications", "核查", "0"),
    ("score", "Score", "得分", "0.0"),
)


def month_rows(days: Iterable[WorkerDay]) -> list[dict[str, Any]]:
    """One row per worker of the days given (a month's), by unit."""
    days = list(days)
    who = {d.unit: d for d in days}
    rows = []
    for summary in summarise(days, "unit"):
        worker = who[summary.key]
        rows.append({"unit": worker.unit, "name": worker.name, "tier": worker.tier,
                     "street": worker.street, "community": worker.community,
                     "grid": worker.grid, "days": summary.days,
                     **{k: summary.totals[k] for k in SUMMED}, "score": summary.score})
    return sorted(rows, key=lambda r: (r["street"] or "", r["community"] or "", r["unit"]))


def workbook(rows: Iterable[dict[str, Any]], *, title: str, lang: str = "zh",
             area_name: Callable[[str, str], str] | None = None) -> bytes:
    """The sheet of ``rows`` (:func:`month_rows`), ``title`` in its first line.

    ``area_name(level, code)`` names a street, community or grid cell (default: the code)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("考核" if lang.startswith("zh") else "Assessment")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                            "text_wrap": True})
    formats = {fmt: book.add_format({"num_format": fmt}) for _, _, _, fmt in COLUMNS if fmt}
    sheet.write(0, 0, title, bold)
    for col, (_, en, zh, _) in enumerate(COLUMNS):
        sheet.write(2, col, zh if lang.startswith("zh") else en, head)
        sheet.set_column(col, col, 16 if col in (1, 3, 4, 5) else 10)
    name = area_name or (lambda level, code: code)
    line = 3
    for line, row in enumerate(rows, start=3):
        for col, (key, _, _, fmt) in enumerate(COLUMNS):
            value = row.get(key)
            if key in ("street", "community", "grid") and value:
                value = name(key, value)
            if value is None:
                sheet.write_blank(line, col, None)
            elif fmt:
                sheet.write_number(line, col, value, formats[fmt])
            else:
                sheet.write_string(line, col, str(value))
    sheet.freeze_panes(3, 2)
    sheet.autofilter(2, 0, max(line, 3), len(COLUMNS) - 1)
    book.close()
    return out.getvalue()
