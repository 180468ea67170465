"""Every machine-readable error code of the API: the members of each app's ``errors.py`` enum.

Each project app with codes has one ``common.errors.ErrorCode`` subclass named ``<App>ErrorCode`` in its
``errors.py``. ``docs/error-codes.md`` is generated from them (``make error-codes``) and a test fails when the
committed file is out of date, so the list a frontend reads is the list the code returns.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings

from common.errors import ErrorCode

# Codes DRF and Django spell themselves (HEADER lists them); an app may reuse one (`invalid`) without owning it.
FRAMEWORK_CODES = (
    "invalid",
    "parse_error",
    "not_authenticated",
    "authentication_failed",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "throttled",
)

HEADER = """# Error codes

Generated from each app's `errors.py` by `make error-codes`; do not edit by hand. Every error body is
`{"detail": "<sentence>", "code": "<code>"}` (a 400 with invalid fields adds `"errors": {field: [...]}`;
see [api.md](api.md)). Besides the codes below, DRF's own codes appear where DRF answers: `invalid`,
`parse_error`, `not_authenticated`, `authentication_failed`, `permission_denied`, `not_found`,
`method_not_allowed`, `not_acceptable`, `unsupported_media_type`, `throttled`.
"""


@dataclass(frozen=True)
class CodeEntry:
    """One row of docs/error-codes.md."""

    app: str
    name: str
    code: str
    note: str


def error_code_enums() -> dict[str, list[type[ErrorCode]]]:
    """Per project app that has an ``errors.py``: the ``ErrorCode`` enums it defines (there should be one)."""
    base = Path(settings.BASE_DIR).resolve()
    found = {}
    for config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        if Path(config.path).resolve().parent == base and (Path(config.path) / "errors.py").exists():
            module = import_module(f"{config.name}.errors")
            found[config.label] = [
                value
                for value in vars(module).values()
                if inspect.isclass(value)
                and issubclass(value, ErrorCode)
                and value is not ErrorCode
                and value.__module__ == module.__name__
            ]
    return found


def error_codes() -> list[CodeEntry]:
    return [
        CodeEntry(app, member.name, member.value, member.note)
        for app, enums in error_code_enums().items()
        for enum in enums
        for member in enum
    ]


def error_codes_markdown() -> str:
    codes = error_codes()
    out = [HEADER]
    for app in dict.fromkeys(code.app for code in codes):
        out += [f"\n## {app}\n", "| code | meaning |", "|---|---|"]
        out += ["| `{}` | {} |".format(c.code, c.note.replace("|", "\\|")) for c in codes if c.app == app]
    return "\n".join(out) + "\n"
