"""Server-drawn SVG charts for the admin dashboard: no JavaScript, no CDN, readable without a browser
plugin. Every text that reaches the markup goes through ``format_html`` (escaped)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from common.money import rupees_format

WIDTH, HEIGHT = 600, 180
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 22  # room for the axis labels
BAR_GAP = 2

Number = int | Decimal


def bar_chart_svg(
    points: Sequence[tuple[datetime.date, Number]],
    *,
    title: str,
    fmt: Callable[[Number], str] = str,
    colour: str = "#417690",
) -> SafeString:
    """A bar per day; the tallest bar fills the plot, the axis shows 0 and the maximum."""
    peak = max((value for _, value in points), default=0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        height = float(value) / float(peak) * plot_h if peak else 0.0
        bars.append(
            (
                f"{LEFT + index * slot + BAR_GAP / 2:.1f}",
                f"{TOP + plot_h - height:.1f}",
                f"{max(slot - BAR_GAP, 1):.1f}",
                f"{height:.1f}",
                f"{day:%d %b}: {fmt(value)}",
            )
        )
    first = points[0][0].strftime("%d %b") if points else ""
    last = points[-1][0].strftime("%d %b") if points else ""
    return format_html(
        '<svg class="dca-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
        '<g fill="{colour}">{bars}</g>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#999" stroke-width="1"/>'
        '<text x="{label_x}" y="{peak_y}" text-anchor="end" font-size="11" fill="#666">{peak}</text>'
        '<text x="{label_x}" y="{base}" text-anchor="end" font-size="11" fill="#666">{zero}</text>'
        '<text x="{left}" y="{date_y}" font-size="11" fill="#666">{first}</text>'
        '<text x="{right}" y="{date_y}" text-anchor="end" font-size="11" fill="#666">{last}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        colour=colour,
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
            bars,
        ),
        left=LEFT,
        right=WIDTH - RIGHT,
        base=TOP + plot_h,
        label_x=LEFT - 4,
        peak_y=TOP + 8,
        peak=fmt(peak),
        zero=fmt(0),
        date_y=HEIGHT - 6,
        first=first,
        last=last,
    )


def dashboard_charts(stats: dict) -> list[dict]:
    """The three 30-day charts of the admin index, from ``platform_stats()``."""
    series = stats["last_30_days"]
    return [
        {
            "title": "Sign-ups per day",
            "svg": bar_chart_svg([(p["date"], p["count"]) for p in series["signups"]], title="Sign-ups per day"),
        },
        {
            "title": "Enrollments per day",
            "svg": bar_chart_svg(
                [(p["date"], p["count"]) for p in series["enrollments"]], title="Enrollments per day", colour="#5b8a3c"
            ),
        },
        {
            "title": "Revenue per day (captured)",
            "svg": bar_chart_svg(
                [(p["date"], p["amount"]) for p in series["revenue"]],
                title="Revenue per day (captured)",
                fmt=rupees_format,
                colour="#b8860b",
            ),
        },
    ]
