"""The rules of a display name (``User.full_name``), one place for every path that sets one.

A name is printed on certificates, shown to other learners in the forum and to staff in lists, so it
must be visible text and nothing that changes how the text around it is drawn:

- NFC, so one name has one spelling (the same letters typed on two keyboards compare equal);
- every run of whitespace (tabs and newlines are controls and refused) becomes one space, none at the ends;
- no control characters (Cc), no line or paragraph separators, no unassigned, private-use or surrogate
  code points (they render as boxes, or cannot be stored at all);
- no format characters (Cf) — bidi embeddings, overrides and isolates, directional marks, zero-width
  spaces, soft hyphens, tags — except the zero-width (non-)joiner, which Indic and Persian names need
  *inside* a word and which is therefore refused at the start or end of the name or of a word;
- no combining mark at the start (it has no letter to sit on);
- at least one visible character, and at most ``NAME_MAX_LENGTH`` code points.

``display_name_clean`` refuses what breaks a rule (people typing a name can fix it);
``display_name_sanitize`` drops it instead, for names that come from an identity provider, so that
signing in never fails because of what Google holds.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

from accounts.errors import AccountsErrorCode

# The certificate fits any name up to this length on its page (certificates/pdf.py); the column allows 150.
NAME_MAX_LENGTH = 100

ZERO_WIDTH_JOINERS = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ: shape conjuncts and ligatures inside a word
# Line and paragraph separators are whitespace to str.split but break lines wherever they are drawn.
_LINE_BREAKING = frozenset({"\u2028", "\u2029"})
_WHITESPACE = re.compile(r"\s+")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


def _character_problem(char: str) -> str | None:
    """The code of the rule ``char`` breaks wherever it stands in a name, or None."""
    category = unicodedata.category(char)
    if category == "Cc" or char in _LINE_BREAKING:
        return AccountsErrorCode.NAME_CONTROL
    if category == "Cf" and char not in ZERO_WIDTH_JOINERS:
        return AccountsErrorCode.NAME_FORMAT
    if category in ("Cn", "Co", "Cs"):
        return AccountsErrorCode.NAME_UNASSIGNED
    return None


_MESSAGES = {
    AccountsErrorCode.NAME_CONTROL: "A name cannot contain control characters or line breaks ({chars}).",
    AccountsErrorCode.NAME_FORMAT: "A name cannot contain invisible formatting or direction characters ({chars}).",
    AccountsErrorCode.NAME_UNASSIGNED: "A name cannot contain unassigned or private-use characters ({chars}).",
}


def _normalize(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    return " ".join(part for part in _WHITESPACE.split(value) if part)


def _is_visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNPS"


def display_name_clean(value: str) -> str:
    """``value`` normalized, or ``ValidationError`` (one message per broken rule, each with its code)."""
    problems: dict[str, list[str]] = {}
    for char in unicodedata.normalize("NFC", value):
        code = _character_problem(char)
        if code and _describe(char) not in problems.setdefault(code, []):
            problems[code].append(_describe(char))
    if problems:
        raise ValidationError(
            [
                ValidationError(_MESSAGES[code].format(chars=", ".join(chars)), code=code)
                for code, chars in problems.items()
            ]
        )
    name = _normalize(value)
    broken: list[ValidationError] = []
    if not any(_is_visible(char) for char in name):
        broken.append(
            ValidationError("A name needs at least one visible character.", code=AccountsErrorCode.NAME_BLANK)
        )
    if _stray_joiners(name):
        broken.append(
            ValidationError(
                "A zero-width joiner or non-joiner can only stand inside a word, not at its start or end.",
                code=AccountsErrorCode.NAME_EDGE_JOINER,
            )
        )
    if name and unicodedata.category(name[0]).startswith("M"):
        broken.append(
            ValidationError("A name cannot start with a combining mark.", code=AccountsErrorCode.NAME_LEADING_MARK)
        )
    if len(name) > NAME_MAX_LENGTH:
        broken.append(
            ValidationError(
                f"A name can have at most {NAME_MAX_LENGTH} characters (it has {len(name)}).",
                code=AccountsErrorCode.NAME_TOO_LONG,
            )
        )
    if broken:
        raise ValidationError(broken)
    return name


def _stray_joiners(name: str) -> list[int]:
    """Indices of the joiners at the start or end of the name or of one of its words."""
    return [
        index
        for index, char in enumerate(name)
        if char in ZERO_WIDTH_JOINERS
        and (index == 0 or index == len(name) - 1 or name[index - 1] == " " or name[index + 1] == " ")
    ]


def _strip_edges(name: str) -> str:
    # Joiners and spaces at the ends, and marks at the start, are dropped until a letter (or nothing) is left.
    while name and (name[0] in ZERO_WIDTH_JOINERS or name[0] == " " or unicodedata.category(name[0]).startswith("M")):
        name = name[1:]
    while name and (name[-1] in ZERO_WIDTH_JOINERS or name[-1] == " "):
        name = name[:-1]
    return name


def display_name_sanitize(value: str) -> str:
    """A name from elsewhere (an identity provider) made valid by dropping what breaks the rules.

    Never raises: a name with nothing visible left becomes ``""``, which onboarding then asks for.
    """
    kept = "".join(" " if char in _LINE_BREAKING else char for char in unicodedata.normalize("NFC", value or ""))
    kept = "".join(char for char in kept if _character_problem(char) is None or char.isspace())
    name = _normalize(kept)
    while stray := _stray_joiners(name):
        name = _normalize("".join(char for index, char in enumerate(name) if index not in stray))
    name = _strip_edges(name)
    if len(name) > NAME_MAX_LENGTH:
        cut = name[:NAME_MAX_LENGTH]
        # Cut at the last word boundary when there is one, so no half word (or half conjunct) is kept.
        name = _strip_edges(cut.rsplit(" ", 1)[0] if " " in cut else cut)
    if not any(_is_visible(char) for char in name):
        return ""
    return name
