"""The code's shape: imports go one way, modules stay small."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_community_never_imports_products():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "community").rglob("*.py")
        for name in _imports(path)
        if name == "products" or name.startswith("products.")
    ]
    assert offenders == []


def test_services_never_touch_the_request():
    offenders = []
    for path in ROOT.glob("*/**/service.py"):
        text = path.read_text()
        for forbidden in ("from flask import request", "request.", "render_template", "session["):
            if forbidden in text:
                offenders.append(f"{path.relative_to(ROOT)}: {forbidden}")
    assert offenders == []


def test_modules_stay_small():
    big = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for package in ("community", "products")
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 400
    ]
    assert big == []
