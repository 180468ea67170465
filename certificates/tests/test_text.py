"""Lines of text in any script: font per character, bidi order, HarfBuzz shaping and fitting to a width."""

from __future__ import annotations

import unicodedata

import pytest

from certificates.pdf import NAME_BOX, holder_name_lines
from certificates.text import (
    FONT_ARABIC,
    FONT_DEVANAGARI,
    FONT_HEBREW,
    FONT_LATIN,
    FONT_TAMIL,
    fonts_register,
    line_layout,
    lines_fit,
)


@pytest.fixture(autouse=True)
def _fonts():
    fonts_register()


def _drawn(text: str, *, base_dir: str | None = None) -> list[tuple[str, str]]:
    """(font, characters) of each run of ``text``, left to right as drawn."""
    return [(run.font, str(run.text)) for run in line_layout(text, size=36, base_dir=base_dir).runs]


def test_a_devanagari_conjunct_is_one_glyph():
    # क + virama + ष is drawn as the single conjunct glyph क्ष, not three characters side by side
    [(font, glyphs)] = _drawn("क्ष")
    assert font == FONT_DEVANAGARI
    assert len(glyphs) == 1 and glyphs not in "कष\u094d"


def test_a_devanagari_i_matra_is_drawn_before_its_consonant():
    [(_font, glyphs)] = _drawn("कि")  # typed consonant first
    assert len(glyphs) == 2 and glyphs[1] == "क"  # drawn vowel sign first


def test_a_tamil_two_part_vowel_sign_surrounds_its_consonant():
    # கொ = க + ொ, drawn as ெ before the consonant and ா after it
    assert _drawn("கொ") == [(FONT_TAMIL, "\u0bc6\u0b95\u0bbe")]


def test_arabic_is_drawn_right_to_left_in_joining_forms():
    [(font, glyphs)] = _drawn("محمد")

    assert font == FONT_ARABIC
    # Left to right on the page: final dal first, initial meem last; each letter in its contextual form
    assert unicodedata.normalize("NFKC", glyphs) == "دمحم"
    assert not set(glyphs) & set("محمد")


def test_hebrew_is_drawn_right_to_left():
    assert _drawn("שרה") == [(FONT_HEBREW, "הרש")]


def test_mixed_directions_follow_the_bidi_algorithm():
    # In a left-to-right name the Hebrew word keeps its place; in a right-to-left one the order flips
    assert _drawn("Priya שרה") == [(FONT_LATIN, "Priya "), (FONT_HEBREW, "הרש")]
    assert _drawn("שרה Priya") == [(FONT_LATIN, "Priya"), (FONT_HEBREW, " הרש")]
    # and brackets in right-to-left text are mirrored: "(כהן)" reads as a parenthesis on either side
    assert "".join(glyphs for _font, glyphs in _drawn("שרה (כהן)")) == "(ןהכ) הרש"


def test_direction_controls_of_old_data_are_not_drawn():
    assert _drawn("\u202eAsha\u202c") == [(FONT_LATIN, "Asha")]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("W" * 100, id="one-word-of-the-widest-latin-letter"),
        pytest.param(" ".join(["WWWWWWWWW"] * 10), id="ten-words-of-the-widest-latin-letter"),
        pytest.param(" ".join(["ஹஹஹஹஹஹஹஹஹ"] * 10), id="wide-tamil"),
        pytest.param(" ".join(["ﷺ"] * 50), id="widest-arabic-ligature"),
        pytest.param(" ".join(["क्ष्म्य"] * 14), id="devanagari-conjuncts"),
        pytest.param(("Anantharamakrishnan " * 5).strip() + " שרה محمد", id="mixed"),
    ],
)
def test_any_allowed_name_fits_the_page_width(name):
    # Given a name of the allowed length made of wide glyphs
    # When it is fitted for the certificate
    lines = holder_name_lines(name)

    # Then it takes one or two lines, each measured (with the advances it is drawn with) inside the page
    assert 1 <= len(lines) <= 2
    assert all(0 < line.width <= NAME_BOX.max_width for line in lines)


def test_a_short_name_keeps_the_full_size_on_one_line():
    [line] = holder_name_lines("Asha Verma")
    assert line.size == NAME_BOX.max_size


def test_a_long_name_wraps_at_the_most_balanced_word_break_at_one_size():
    lines = lines_fit("Anantharamakrishnan Venkatasubramanian Iyer", max_width=300, max_size=36, wrap_below=24)

    assert [line.text for line in lines] == ["Anantharamakrishnan", "Venkatasubramanian Iyer"]
    assert lines[0].size == pytest.approx(lines[1].size, rel=1e-3)
    assert lines[0].size > 24 and all(line.width <= 300 for line in lines)


def test_a_name_slightly_too_wide_shrinks_instead_of_wrapping():
    full = line_layout("Asha Verma", size=36)

    [line] = lines_fit("Asha Verma", max_width=full.width * 0.9, max_size=36, wrap_below=24)

    assert line.size == pytest.approx(36 * 0.9, rel=0.01)
    assert line.width <= full.width * 0.9


def test_a_name_without_spaces_wraps_between_letter_clusters():
    # Given a text with no space that is far too wide for one line
    lines = lines_fit("क्ष" * 30, max_width=300, max_size=36, wrap_below=24)

    # Then it wraps in two, and never inside a conjunct (क + virama + ष stays whole on one line)
    assert len(lines) == 2
    assert "".join(line.text for line in lines) == "क्ष" * 30
    assert all(line.text.startswith("क्ष") and line.text.endswith("क्ष") for line in lines)
    assert all(line.width <= 300 for line in lines)
