"""Every machine-readable error code of the API, read from the apps' ``errors.py`` modules.

``docs/error-codes.md`` is generated from it (``make error-codes``) and a test fails when the committed file
is out of date, so the list a frontend reads is the list the code returns.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings

HEADER = """# Error codes

Generated from each app's `errors.py` by `make error-codes`; do not edit by hand. Every error body is
`{"detail": "<sentence>", "code": "<code>"}` (a 400 with invalid fields adds `"errors": {field: [...]}`;
see [api.md](api.md)). Besides the codes below, DRF's own codes appear where DRF answers: `invalid`,
`parse_error`, `not_authenticated`, `authentication_failed`, `permission_denied`, `not_found`,
`method_not_allowed`, `not_acceptable`, `unsupported_media_type`, `throttled`.
"""


@dataclass(frozen=True)
class ErrorCode:
    app: str
    name: str
    code: str
    note: str


def _codes_in(app: str, path: Path) -> list[ErrorCode]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.parse(source).body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            continue
        # The note is the comment on the line, else the comment block right above it.
        line = lines[node.lineno - 1]
        note = line.split("#", 1)[1].strip() if "#" in line[node.end_col_offset :] else ""
        above = node.lineno - 2
        block = []
        while not note and above >= 0 and lines[above].lstrip().startswith("#"):
            block.insert(0, lines[above].lstrip("# ").rstrip())
            above -= 1
        found.append(ErrorCode(app, node.targets[0].id, node.value.value, note or " ".join(block)))
    return found


def error_codes() -> list[ErrorCode]:
    base = Path(settings.BASE_DIR).resolve()
    codes = []
    for config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        path = Path(config.path) / "errors.py"
        if Path(config.path).resolve().parent == base and path.exists():
            codes += _codes_in(config.label, path)
    return codes


def error_codes_markdown() -> str:
    codes = error_codes()
    out = [HEADER]
    for app in dict.fromkeys(code.app for code in codes):
        out += [f"\n## {app}\n", "| code | meaning |", "|---|---|"]
        out += ["| `{}` | {} |".format(c.code, c.note.replace("|", "\\|")) for c in codes if c.app == app]
    return "\n".join(out) + "\n"
