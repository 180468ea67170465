"""Error codes are named once, in the owning app's ``errors.py`` enum: services, views and models never spell one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

from common.error_codes import FRAMEWORK_CODES, HEADER, error_code_enums, error_codes, error_codes_markdown
from tests.support.apps import project_app_labels

APPS = project_app_labels()
LITERAL_CODE = re.compile(r"""\bcode\s*=\s*["']""")


def _app_sources() -> list[Path]:
    """The non-test Python files of the project's apps (migrations and the errors modules themselves aside)."""
    base = Path(settings.BASE_DIR)
    return [
        path
        for app in APPS
        for path in sorted((base / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(base).parts) and path.name != "errors.py"
    ]


def test_no_service_view_or_model_spells_an_error_code():
    base = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(base)}:{number}"
        for app in APPS
        for name in ("services.py", "views.py", "models.py", "selectors.py", "permissions.py", "admin_site.py")
        if (path := base / app / name).exists()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LITERAL_CODE.search(line)
    ]
    assert offenders == []


def test_no_app_file_spells_a_known_code_as_a_literal():
    # given every code the apps' enums define (DRF's own codes, which DRF spells, aside)
    known = {code.code for code in error_codes()} - set(FRAMEWORK_CODES)
    base = Path(settings.BASE_DIR)
    offenders = []
    # when the apps' code passes a string literal as `code=` or sets it as a `default_code` / `code`
    for path in _app_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            literals = []
            if isinstance(node, ast.keyword) and node.arg == "code":
                literals.append(node.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id if isinstance(t, ast.Name) else getattr(t, "attr", None) for t in targets}
                if names & {"code", "default_code"} and node.value is not None:
                    literals.append(node.value)
            offenders += [
                f"{path.relative_to(base)}:{literal.lineno} {literal.value!r}"
                for literal in literals
                if isinstance(literal, ast.Constant) and literal.value in known
            ]
    # then none is a known code: it must be spelled through its enum member
    assert offenders == []


def test_each_app_defines_one_enum_named_after_it():
    enums = error_code_enums()
    assert enums, "no app defines error codes"
    assert {app: [enum.__name__ for enum in found] for app, found in enums.items()} == {
        app: ["".join(part.capitalize() for part in app.split("_")) + "ErrorCode"] for app in enums
    }


def test_no_old_style_constant_is_left_in_an_errors_module():
    # A module-level `NAME = "code"` (a branch written before the enums) must be moved into the app's enum.
    base = Path(settings.BASE_DIR)
    leftovers = [
        f"{app}.{node.targets[0].id}"
        for app in error_code_enums()
        for node in ast.parse((base / app / "errors.py").read_text()).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    ]
    assert leftovers == []


def test_no_code_is_defined_twice():
    # An enum turns a repeated value into a silent alias: count names, not members.
    names_per_value: dict[str, list[str]] = {}
    for found in error_code_enums().values():
        for enum in found:
            for name, member in enum.__members__.items():
                names_per_value.setdefault(member.value, []).append(f"{enum.__name__}.{name}")
    assert {code: names for code, names in names_per_value.items() if len(names) > 1} == {}


def test_codes_are_strings_on_the_wire():
    # given any member, when it is serialized, then it is its plain code string
    for code in error_codes():
        assert isinstance(code.code, str)
        assert type(code.code) is str
    member = next(member for found in error_code_enums().values() for enum in found for member in enum)
    assert str(member) == f"{member}" == member.value
    assert isinstance(member, str)


def test_the_committed_list_of_codes_is_current():
    committed = (Path(settings.BASE_DIR) / "docs" / "error-codes.md").read_text()
    assert committed == error_codes_markdown(), "run `make error-codes` and commit docs/error-codes.md"


def test_every_code_says_what_it_means():
    # The note ("<status>: <when>", the member's second value) is what docs/error-codes.md shows.
    assert [f"{code.app}.{code.name}" for code in error_codes() if not code.note] == []


def test_the_header_lists_the_framework_codes():
    assert [code for code in FRAMEWORK_CODES if f"`{code}`" not in HEADER] == []


def test_an_enum_code_renders_as_the_same_bytes_as_its_string():
    from rest_framework.renderers import JSONRenderer

    from common.renderers import FastJSONRenderer

    # given a body holding a member directly (not through error_body's str()), as allauth's adapter does
    member = next(member for found in error_code_enums().values() for enum in found for member in enum)
    as_member = {"detail": "x", "code": member, "errors": [{"code": member}]}
    as_string = {"detail": "x", "code": member.value, "errors": [{"code": member.value}]}
    # when both renderers write it, then the bytes are those of the plain string
    for renderer in (FastJSONRenderer(), JSONRenderer()):
        assert renderer.render(as_member) == renderer.render(as_string)
