"""The content rules of a question, shared by the API services and the Django admin forms."""

from __future__ import annotations

from typing import Any

MIN_OPTIONS = 2
MAX_OPTIONS = 6
MAX_OPTION_LENGTH = 500


def quiz_content_errors(*, options: Any, correct_option: Any) -> dict[str, list[str]]:
    """Field errors of a question's options and correct answer; empty when valid."""
    errors: dict[str, list[str]] = {}
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        errors["options"] = ["Options must be a list of strings."]
        return errors
    cleaned = [option.strip() for option in options]
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        errors["options"] = [f"Give between {MIN_OPTIONS} and {MAX_OPTIONS} options."]
    elif any(not option for option in cleaned):
        errors["options"] = ["Options must not be empty."]
    elif any(len(option) > MAX_OPTION_LENGTH for option in cleaned):
        errors["options"] = [f"Options are at most {MAX_OPTION_LENGTH} characters."]
    elif len({option.casefold() for option in cleaned}) != len(cleaned):
        errors["options"] = ["Options must be distinct."]
    # bool is an int subclass: True must not pass as index 1.
    if isinstance(correct_option, bool) or not isinstance(correct_option, int):
        errors["correct_option"] = ["Give the 0-based index of the correct option."]
    elif "options" not in errors and not 0 <= correct_option < len(cleaned):
        errors["correct_option"] = [f"Must be the index of one of the options (0 to {len(cleaned) - 1})."]
    return errors


def options_normalise(options: list[str]) -> list[str]:
    return [option.strip() for option in options]
