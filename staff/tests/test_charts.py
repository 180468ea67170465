"""Server-drawn SVG bar charts of the dashboard."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from staff.charts import bar_chart_svg, dashboard_charts

DAY = datetime.date(2026, 11, 1)


def heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg)]


def test_one_bar_per_day_the_tallest_fills_the_plot():
    points = [(DAY + datetime.timedelta(days=n), value) for n, value in enumerate([0, 5, 10])]

    svg = str(bar_chart_svg(points, title="Sign-ups"))

    assert svg.startswith("<svg") and svg.endswith("</svg>")
    bars = heights(svg)
    assert len(bars) == 3
    assert bars[0] == 0.0
    assert bars[1] * 2 == bars[2]
    assert "<title>03 Nov: 10</title>" in svg
    assert ">01 Nov<" in svg and ">03 Nov<" in svg


def test_all_zero_and_empty_series_draw_flat():
    assert heights(str(bar_chart_svg([(DAY, 0), (DAY, 0)], title="t"))) == [0.0, 0.0]
    assert heights(str(bar_chart_svg([], title="t"))) == []


def test_text_is_escaped():
    svg = str(bar_chart_svg([(DAY, 1)], title='<script>alert("x")</script>'))

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_dashboard_charts_draw_the_three_series():
    series = {
        "signups": [{"date": DAY, "count": 2}],
        "enrollments": [{"date": DAY, "count": 1}],
        "revenue": [{"date": DAY, "amount": Decimal("499.00")}],
    }

    charts = dashboard_charts({"last_30_days": series})

    assert [chart["title"] for chart in charts] == [
        "Sign-ups per day",
        "Enrollments per day",
        "Revenue per day (captured)",
    ]
    assert "₹499.00" in str(charts[2]["svg"])
