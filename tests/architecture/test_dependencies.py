"""The apps depend on each other one way: each may import only apps in a lower layer.

The layers are the architecture's dependency graph written down (docs/architecture.md explains them). An
import that goes up or sideways — at module level or inside a function, where a cycle would be dodged —
fails here, and so does a new app nobody placed. Tests and migrations are not checked: tests may build any
world they need, and migrations name other apps only as strings.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

# Bottom first. Apps in one layer are independent of each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("common",),  # API plumbing, time, money, background tasks: imports no project app
    ("audit",),  # the audit log every app writes to (NetBox's change log)
    ("catalog",),  # domains, courses, curriculum, enrollments, progress, completion
    ("accounts", "assessments", "reviews"),  # each builds on the catalogue
    # payments, coupons, tax documents, earnings (the instructor dashboard reads quiz scores); the forum, whose
    # moderation queue takes course reviews' flags too
    ("billing", "forum"),
    ("certificates",),  # issued on course completion, withdrawn on refund
    ("gamification", "notifications"),  # XP and badges; the inbox and e-mails: they listen to everyone's events
    ("staff",),  # staff operations read everything: dashboard, statistics, reports, admin site
    ("config", "seed", "bench"),  # the composition root (settings, URLs, the Celery app); demo data; benchmarks
)
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}
ROOT = Path(settings.BASE_DIR)


def project_packages() -> list[str]:
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "templates", "docs", "scripts"}
    )


def imports_of(package: str) -> list[tuple[str, int, str]]:
    """(file, line, imported project package) for every absolute import outside tests and migrations."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(relative.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [(str(relative), node.lineno, name.split(".")[0]) for name in names]
    return [(file, line, top) for file, line, top in found if top in LAYER_OF and top != package]


def test_every_project_package_has_a_layer():
    assert sorted(set(project_packages()) - set(LAYER_OF)) == []


def test_every_installed_project_app_has_a_layer():
    installed = {name.split(".")[0] for name in settings.INSTALLED_APPS}
    assert {app for app in installed if (ROOT / app / "__init__.py").exists()} <= set(LAYER_OF)


def test_imports_only_go_down_the_layers():
    upward = [
        f"{file}:{line} imports {target} (layer {LAYER_OF[target]}) from layer {LAYER_OF[package]}"
        for package in LAYER_OF
        if (ROOT / package).is_dir()
        for file, line, target in imports_of(package)
        if LAYER_OF[target] >= LAYER_OF[package]
    ]
    assert upward == []


def test_the_checker_sees_function_level_imports(tmp_path, monkeypatch):
    # Given a lower app that imports a higher one inside a function (the way a cycle is usually dodged)
    app = tmp_path / "catalog"
    app.mkdir()
    (app / "services.py").write_text("def f():\n    from staff.selectors import platform_stats\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)

    # Then the checker reports it
    assert imports_of("catalog") == [("catalog/services.py", 2, "staff")]


def test_the_architecture_guide_lists_the_same_layers():
    guide = (ROOT / "docs" / "architecture.md").read_text()
    rows = [line for line in guide.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    documented = tuple(tuple(app.strip(" `") for app in row.split("|")[2].split(",")) for row in rows)
    assert documented == LAYERS
