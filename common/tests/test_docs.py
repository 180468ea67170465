"""The documentation stays a usable front door: a short README, links that lead somewhere, every setting documented.

README.md is the front door and every topic is one file in docs/ (issue #17). These tests read the files
only; they need no database.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "configuration.md"
ENV_EXAMPLE = ROOT / ".env.example"
# The modules that read the environment: Django's settings and gunicorn's configuration.
ENVIRONMENT_READERS = [ROOT / "config" / "settings.py", ROOT / "config" / "gunicorn.conf.py"]
README_MAX_BYTES = 15 * 1024

FENCED_BLOCK = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target); the text may itself hold `code` (already blanked) or brackets.
MARKDOWN_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file (lower case, punctuation dropped, - for spaces)."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCED_BLOCK.sub("", path.read_text(encoding="utf-8"))):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def relative_links_in(markdown: str) -> list[str]:
    """Link targets that are neither external (a scheme) nor inside code (a fence or an inline span)."""
    prose = FENCED_BLOCK.sub("", markdown)
    code_spans = [match.span() for match in INLINE_CODE.finditer(prose)]
    links = []
    for match in MARKDOWN_LINK.finditer(prose):
        if any(start <= match.start() < end for start, end in code_spans):
            continue
        target = match.group(1)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            links.append(target)
    return links


def relative_links(path: Path) -> list[str]:
    return relative_links_in(path.read_text(encoding="utf-8"))


def environment_variables_read(path: Path) -> set[str]:
    """Every variable name the module reads: env("X"), env.<type>("X"), os.environ["X"], os.environ.get("X"),
    os.getenv("X") — f-strings included, since their expressions are parsed too."""
    names: set[str] = set()
    unnamed: list[int] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "env"
                and func.attr not in {"read_env"}
            )
            reads_os = ast.unparse(func) in {"os.environ.get", "os.getenv"}
            if reads_env or reads_os:
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
                else:
                    unnamed.append(node.lineno)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
            else:
                unnamed.append(node.lineno)
    # A reader without a literal name (env.db() reading its implicit DATABASE_URL) cannot be checked.
    assert not unnamed, f"{path.name}: environment read without a literal variable name on lines {unnamed}"
    return names


def all_environment_variables() -> set[str]:
    return set().union(*(environment_variables_read(path) for path in ENVIRONMENT_READERS))


def test_readme_is_a_front_door_of_at_most_15_kb():
    # Given the README
    size = len(README.read_bytes())

    # Then it stays short: topics live in docs/
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move detail into docs/ (limit {README_MAX_BYTES})"


def test_the_readme_links_every_guide_in_docs():
    # Given the guides in docs/
    guides = {path.name for path in DOCS.glob("*.md")}

    # When the README's links are read
    linked = {Path(link.split("#", 1)[0]).name for link in relative_links(README) if link.startswith("docs/")}

    # Then every guide can be reached from the front door
    assert guides <= linked, f"not linked from README.md: {sorted(guides - linked)}"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_an_existing_file_and_heading(path):
    # Given a Markdown file of the documentation
    links = relative_links(path)

    # When each relative link is resolved from the file's folder
    broken = []
    for link in links:
        target, _, anchor = link.partition("#")
        resolved = (path.parent / target).resolve() if target else path
        if not resolved.exists():
            broken.append(
                f"{link} (no file {resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved})"
            )
        elif anchor and resolved.suffix == ".md" and anchor not in heading_anchors(resolved):
            broken.append(f"{link} (no heading #{anchor} in {resolved.name})")

    # Then none is broken
    assert not broken, f"{path.name}: broken links: {broken}"


def test_the_link_reader_finds_links_and_skips_code():
    # Given Markdown with a link, a link whose text is code, an external link, and a link-like text in code
    text = (
        "See [the guide](docs/api.md#conventions) and [`.env.example`](../.env.example).\n"
        "[Razorpay](https://razorpay.com/docs/) `[not](a-link.md)`\n"
        "```\n[inside](a-fence.md)\n```\n"
    )

    # When its relative links are read
    links = relative_links_in(text)

    # Then exactly the two relative links are found
    assert links == ["docs/api.md#conventions", "../.env.example"]


def test_the_environment_reader_sees_every_kind_of_read(tmp_path):
    # Given a module reading the environment in each supported way
    module = tmp_path / "sample_settings.py"
    module.write_text(
        "import os\n"
        'A = env("PLAIN")\n'
        'B = env.bool("FLAG", default=False)\n'
        "C = f\"-c timeout={env.int('IN_FSTRING', default=1)}\"\n"
        'D = env.db("DB_URL")\n'
        'E = os.environ["SUBSCRIPT"]\n'
        'F = os.environ.get("GOT")\n'
        'G = os.getenv("GETENV")\n'
        'H = {"k": 1}.get("NOT_ENV")\n',
        encoding="utf-8",
    )

    # When the variables it reads are collected
    names = environment_variables_read(module)

    # Then each read is found and nothing else
    assert names == {"PLAIN", "FLAG", "IN_FSTRING", "DB_URL", "SUBSCRIPT", "GOT", "GETENV"}


def test_every_environment_variable_is_documented_in_configuration_md():
    # Given every variable the settings and gunicorn read (a sanity floor guards the parser itself)
    names = all_environment_variables()
    assert {"DEBUG", "DATABASE_URL", "SECRET_KEY", "WEB_CONCURRENCY"} <= names

    # When the configuration guide is read
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", CONFIGURATION.read_text(encoding="utf-8")))

    # Then each variable is named there, in full
    assert not names - documented, f"missing from docs/configuration.md: {sorted(names - documented)}"


def test_every_environment_variable_is_listed_in_env_example():
    # Given every variable the settings and gunicorn read
    names = all_environment_variables()

    # When .env.example is read (set, or commented out with its default)
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))

    # Then each variable is there
    assert not names - listed, f"missing from .env.example: {sorted(names - listed)}"
