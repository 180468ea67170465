"""The content rules of a question, shared by the API services and the Django admin forms."""

from __future__ import annotations

from typing import Any

MIN_OPTIONS = 2
MAX_OPTIONS = 6
MAX_OPTION_LENGTH = 500


QUESTION_TYPES = ("single", "multiple", "true_false")  # Quiz.Type's values (the model imports this module)
TRUE_FALSE_OPTIONS = ["True", "False"]


def _is_index(value: Any) -> bool:
    # bool is an int subclass: True must not pass as index 1.
    return isinstance(value, int) and not isinstance(value, bool)


def quiz_content_errors(
    *, options: Any, correct_option: Any = None, type: str = "single", correct_options: Any = None
) -> dict[str, list[str]]:
    """Field errors of a question's type, options and correct answer(s); empty when valid.

    Single choice and true/false take ``correct_option``; multiple choice takes ``correct_options``
    (one or more distinct indexes).
    """
    errors: dict[str, list[str]] = {}
    if type not in QUESTION_TYPES:
        errors["type"] = [f"Must be one of: {', '.join(QUESTION_TYPES)}."]
        return errors
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
    if type == "true_false" and "options" not in errors and len(cleaned) != 2:
        errors["options"] = ["A true/false question has exactly two options."]
    in_range = f"Must be the index of one of the options (0 to {len(cleaned) - 1})."
    if type == "multiple":
        if not isinstance(correct_options, list) or not correct_options or not all(map(_is_index, correct_options)):
            errors["correct_options"] = ["Give the 0-based indexes of every correct option (at least one)."]
        elif len(set(correct_options)) != len(correct_options):
            errors["correct_options"] = ["List each correct option once."]
        elif "options" not in errors and not all(0 <= index < len(cleaned) for index in correct_options):
            errors["correct_options"] = [in_range]
    elif not _is_index(correct_option):
        errors["correct_option"] = ["Give the 0-based index of the correct option."]
    elif "options" not in errors and not 0 <= correct_option < len(cleaned):
        errors["correct_option"] = [in_range]
    return errors


def options_normalise(options: list[str]) -> list[str]:
    return [option.strip() for option in options]
