"""Lines of text in any supported script, measured and drawn on a ReportLab canvas.

ReportLab draws one font per string and has neither font fallback nor bidi of its own (without the
optional ``rlbidi``), so a line is built here in three steps:

1. each character gets the first shipped Noto font that has a glyph for it (a mark, joiner, space or
   punctuation stays in the font of the run it is in), and its bidi embedding level (UAX #9, from
   ``xhtml2pdf.bidi``, base direction from the first strong character);
2. each run of one font and one level is shaped by HarfBuzz (through ReportLab's ``uharfbuzz``
   support): Arabic joining forms, Devanagari conjuncts and pre-base matras, Tamil vowel signs, kerning;
   HarfBuzz gives a right-to-left run's glyphs in visual order already;
3. the runs are put in visual order (UAX #9 rule L2) and drawn one after the other.

``line_layout`` measures with exactly the advances that ``line_draw`` uses, so ``lines_fit`` can
guarantee that a line is never wider than the space it is given.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord
from xhtml2pdf.bidi import bidi_class, display_order, mirrored

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_LATIN = "NotoSans"
FONT_DEVANAGARI = "NotoSansDevanagari"
FONT_TAMIL = "NotoSansTamil"
FONT_HEBREW = "NotoSansHebrew"
FONT_ARABIC = "NotoNaskhArabic"
# In fallback order: a character is drawn with the first of these that has a glyph for it.
FONT_FILES = {
    FONT_LATIN: FONTS_DIR / "NotoSans-Regular.ttf",
    FONT_DEVANAGARI: FONTS_DIR / "NotoSansDevanagari-Regular.ttf",
    FONT_TAMIL: FONTS_DIR / "NotoSansTamil-Regular.ttf",
    FONT_HEBREW: FONTS_DIR / "NotoSansHebrew-Regular.ttf",
    FONT_ARABIC: FONTS_DIR / "NotoNaskhArabic-Regular.ttf",
}
# HarfBuzz's defaults (contextual forms, conjuncts, mark positioning, required ligatures) plus kerning;
# ReportLab's own defaults add "liga" and "dlig", whose fi/ffl glyphs make URLs and numbers extract as
# presentation forms, and discretionary ligatures are for typesetters to choose, not the default.
SHAPING_FEATURES = {"kern": True, "liga": False, "dlig": False}
_JOINERS = frozenset({"\u200c", "\u200d"})
_VIRAMA_CLASS = 9  # canonical combining class of the viramas (Devanagari ्, Tamil ், ...)
_STRONG_RTL = frozenset({"R", "AL"})
# Explicit bidi controls steer the levels but are not drawn; validated names never contain them.
_BIDI_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


@functools.cache
def fonts_register() -> tuple[str, ...]:
    """Register the shipped fonts with ReportLab (once per process); their names in fallback order."""
    for name, path in FONT_FILES.items():
        font = TTFont(name, str(path), shapable=True)
        if not font.shapable:  # ReportLab silently draws unshaped text when uharfbuzz cannot be imported
            raise RuntimeError("uharfbuzz is not installed: certificates cannot shape Arabic or Indic text.")
        pdfmetrics.registerFont(font)
    return tuple(FONT_FILES)


@functools.cache
def _covering_fonts(char: str) -> tuple[str, ...]:
    return tuple(name for name in fonts_register() if ord(char) in pdfmetrics.getFont(name).face.charToGlyph)


def _inherits_font(char: str) -> bool:
    # Marks, joiners, spaces, digits and punctuation belong to the run they are in when its font has them.
    return not unicodedata.category(char).startswith("L")


def _font_for(char: str, current: str | None) -> str:
    covering = _covering_fonts(char)
    if current is not None and current in covering and _inherits_font(char):
        return current
    if covering:
        return covering[0]
    return current or FONT_LATIN  # no shipped font has it: drawn as the missing-glyph box, never an error


@dataclass(frozen=True)
class Run:
    """Glyphs of one font, ready to draw, and their advance width in points."""

    font: str
    text: str
    width: float


@dataclass(frozen=True)
class Line:
    """One line of text at one size, as runs in visual (left to right) order; ``text`` in logical order."""

    text: str
    runs: tuple[Run, ...]
    size: float

    @property
    def width(self) -> float:
        return sum(run.width for run in self.runs)

    @property
    def descent(self) -> float:
        """How far below the baseline the deepest of the line's fonts reaches, in points (Naskh: far)."""
        return max((-pdfmetrics.getFont(run.font).face.descent for run in self.runs), default=0) * self.size / 1000


def _shaped_run(font: str, text: str, size: float) -> Run:
    word = [pdfmetrics.stringWidth(text, font, size), (ABag(fontName=font, fontSize=size), text)]
    shaped = shapeFragWord(word, features=SHAPING_FEATURES)[1][1]
    if isinstance(shaped, ShapedStr):
        width = sum(glyph.x_advance for glyph in shaped.__shapeData__) * size / 1000
    else:  # HarfBuzz changed nothing: plain advances
        width = pdfmetrics.stringWidth(shaped, font, size)
    return Run(font=font, text=shaped, width=width)


def _visual_order(levels: list[int]) -> list[int]:
    """UAX #9 rule L2 on runs: from the highest level down to the lowest odd one, reverse each sequence."""
    order = list(range(len(levels)))
    if not levels:
        return order
    lowest_odd = min(level for level in levels if level % 2) if any(level % 2 for level in levels) else None
    if lowest_odd is None:
        return order
    for level in range(max(levels), lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if levels[order[index]] >= level:
                end = index
                while end < len(order) and levels[order[end]] >= level:
                    end += 1
                order[index:end] = reversed(order[index:end])
                index = end
            else:
                index += 1
    return order


def line_layout(text: str, *, size: float, base_dir: str | None = None) -> Line:
    """``text`` (logical order) as one shaped line at ``size`` points.

    ``base_dir`` is "L", "R" or None (from the first strong character); a paragraph wrapped onto
    several lines passes its own direction to each of them.
    """
    text = " ".join("".join(char for char in text if bidi_class(char) not in _BIDI_CONTROLS).split())
    _order, levels = display_order(text, base_dir=base_dir)
    logical: list[tuple[str, int, list[str]]] = []  # (font, level, characters)
    font: str | None = None
    for char, level in zip(text, levels, strict=True):
        font = _font_for(char, font)
        if logical and logical[-1][0] == font and logical[-1][1] == level:
            logical[-1][2].append(char)
        else:
            logical.append((font, level, [char]))
    runs: list[Run] = []
    for font, level, chars in logical:
        if level % 2 and not any(bidi_class(char) in _STRONG_RTL for char in chars):
            # Neutrals alone at a right-to-left level: HarfBuzz would take them as left to right.
            chars = [mirrored(char, level) for char in reversed(chars)]
        runs.append(_shaped_run(font, "".join(chars), size))
    order = _visual_order([level for _font, level, _chars in logical])
    return Line(text=text, runs=tuple(runs[index] for index in order), size=size)


def base_direction(text: str) -> str:
    """ "R" when the first strong character of ``text`` is right to left, else "L" (UAX #9 P2, P3)."""
    for char in text:
        cls = bidi_class(char)
        if cls in _STRONG_RTL:
            return "R"
        if cls == "L":
            return "L"
    return "L"


def _fitted(text: str, *, size: float, max_width: float, base_dir: str) -> Line:
    line = line_layout(text, size=size, base_dir=base_dir)
    # Advances scale with the size, so one step fits; the loop only guards against rounding.
    while line.width > max_width and line.size > 0.5:
        line = line_layout(text, size=line.size * max_width / line.width * 0.999, base_dir=base_dir)
    return line


def lines_fit(text: str, *, max_width: float, max_size: float, wrap_below: float) -> list[Line]:
    """``text`` on one line at ``max_size`` or smaller, or on two lines when one would be under ``wrap_below``.

    Every returned line is at most ``max_width`` wide, whatever the length of ``text``; both lines of a
    wrapped text have the same size, as large as the most balanced break allows (between words, or
    between letter clusters of a text without spaces).
    """
    text = " ".join(text.split())
    base_dir = base_direction(text)
    one = line_layout(text, size=max_size, base_dir=base_dir)
    if one.width <= max_width:
        return [one]
    one_size = max_size * max_width / one.width
    breaks = _breaks(text)
    if one_size >= wrap_below or not breaks:
        return [_fitted(text, size=max_size, max_width=max_width, base_dir=base_dir)]
    best: tuple[float, str, str] | None = None
    for first, second in breaks:
        widest = max(
            line_layout(first, size=max_size, base_dir=base_dir).width,
            line_layout(second, size=max_size, base_dir=base_dir).width,
        )
        if best is None or widest < best[0]:
            best = (widest, first, second)
    widest, first, second = best
    two_size = min(max_size, max_size * max_width / widest)
    if two_size <= one_size:
        return [_fitted(text, size=max_size, max_width=max_width, base_dir=base_dir)]
    return [_fitted(part, size=two_size, max_width=max_width, base_dir=base_dir) for part in (first, second)]


def _breaks(text: str) -> list[tuple[str, str]]:
    """The ways to cut ``text`` in two: at a space; in text without spaces, between letter clusters."""
    words = text.split(" ")
    if len(words) > 1:
        return [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
    return [(text[:cut], text[cut:]) for cut in range(1, len(text)) if _cluster_starts_at(text, cut)]


def _cluster_starts_at(text: str, index: int) -> bool:
    # Not before a mark, nor after a virama or a joiner: that would split a conjunct or a letter from its signs.
    previous = text[index - 1]
    return (
        unicodedata.category(text[index])[0] in "LNPS"
        and previous not in _JOINERS
        and unicodedata.combining(previous) != _VIRAMA_CLASS
    )


def line_draw(canvas: Canvas, line: Line, *, center_x: float, baseline_y: float) -> None:
    """Draw ``line`` centred on ``center_x`` in the canvas's current fill colour.

    Shaped glyphs (conjuncts, ligatures, joining forms) have no character of their own, and runs are drawn
    in visual order, so the line is wrapped in an ``/ActualText`` span: copying and searching the PDF
    give the logical text instead of private-use code points.
    """
    actual_text = ("\ufeff" + line.text).encode("utf-16-be").hex().upper()
    canvas.addLiteral(f"/Span <</ActualText <{actual_text}>>> BDC")
    x = center_x - line.width / 2
    for run in line.runs:
        text_object = canvas.beginText(x, baseline_y)
        text_object.setFont(run.font, line.size)
        text_object.textOut(run.text)
        canvas.drawText(text_object)
        x += run.width
    canvas.addLiteral("EMC")
