"""The portal package is a kernel: it imports no app, no module-level import hides in a function, no Wagtail internals.

Static checks over the source (import-linter checks the first one too, in `make lint`).
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("home", "faq", "forms_intake")
# The project URLconf mounts the apps' URLs; that is what it is for.
MAY_IMPORT_APPS = {"portal/urls.py"}
# What the project's hook refuses in the apps and the kernel: Wagtail's private request attributes and
# methods, and Django's widget templates re-implemented by hand.
FORBIDDEN = re.compile(r"_wagtail_[a-z]|\._find_for_request|django/forms/widgets/")


def _modules(*folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _imported(node):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


@pytest.mark.parametrize("path", list(_modules("portal")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_kernel_imports_no_app(path):
    if str(path.relative_to(ROOT)) in MAY_IMPORT_APPS:
        return
    tree = ast.parse(path.read_text())
    imports = [name for node in ast.walk(tree) for name in _imported(node)]
    assert not [name for name in imports if name.split(".")[0] in APPS]


@pytest.mark.parametrize("path", list(_modules("portal")), ids=lambda p: str(p.relative_to(ROOT)))
def test_function_level_imports_say_why(path):
    """Only where Django's app loading forces one, with the reason in a comment (on the line above or after it)."""
    lines = path.read_text().splitlines()
    tree = ast.parse("\n".join(lines))
    unexplained = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                above = lines[node.lineno - 2].strip()
                if not above.startswith("#") and "#" not in lines[node.lineno - 1]:
                    unexplained.append(f"{path.name}:{node.lineno}")
    assert not unexplained


@pytest.mark.parametrize("folder", ["portal", "home"])
def test_no_wagtail_internals(folder):
    found = []
    for path in (ROOT / folder).rglob("*"):
        if path.suffix in {".py", ".html"} and path.is_file():
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if FORBIDDEN.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found
